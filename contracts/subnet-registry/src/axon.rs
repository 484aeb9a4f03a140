//! Axon address checks (spec/economics.md §7.3).
use bt_interfaces::RegistryError;

const LOOPBACK_V4: u128 = 0x7f00_0001;

/// Validates an axon's ip type, address and port. `allow_local` admits loopback addresses
/// (local networks only; a root-only registry setting).
pub fn validate(ip: u128, ip_type: u8, port: u16, allow_local: bool) -> Result<(), RegistryError> {
    match ip_type {
        4 => {
            if ip >= u128::from(u32::MAX) || (!allow_local && ip == LOOPBACK_V4) {
                return Err(RegistryError::InvalidIp);
            }
        }
        6 => {
            if ip == u128::MAX || (!allow_local && ip == 1) {
                return Err(RegistryError::InvalidIp);
            }
        }
        _ => return Err(RegistryError::InvalidIpType),
    }
    if port == 0 {
        return Err(RegistryError::InvalidPort);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_rules() {
        assert_eq!(validate(0x0a00_0001, 4, 8091, false), Ok(()));
        assert_eq!(validate(0, 4, 8091, false), Ok(()), "0.0.0.0 means not serving yet");
        assert_eq!(validate(LOOPBACK_V4, 4, 8091, false), Err(RegistryError::InvalidIp));
        assert_eq!(validate(LOOPBACK_V4, 4, 8091, true), Ok(()));
        assert_eq!(validate(u128::from(u32::MAX), 4, 1, false), Err(RegistryError::InvalidIp));
        assert_eq!(validate(1, 6, 1, false), Err(RegistryError::InvalidIp));
        assert_eq!(validate(u128::MAX, 6, 1, true), Err(RegistryError::InvalidIp));
        assert_eq!(validate(0x0a00_0001, 5, 1, false), Err(RegistryError::InvalidIpType));
        assert_eq!(validate(0x0a00_0001, 4, 0, false), Err(RegistryError::InvalidPort));
    }
}
