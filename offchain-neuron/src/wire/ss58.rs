//! SS58 account addresses (the form hotkeys are shown in), generic Substrate prefix 42.
//!
//! Format: base58(prefix || 32-byte public key || first 2 bytes of
//! blake2b-512("SS58PRE" || prefix || public key)).

use std::fmt;
use std::str::FromStr;

use blake2::{Blake2b512, Digest};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Generic Substrate address prefix, used by Bittensor.
pub const SS58_PREFIX: u8 = 42;

/// A 32-byte sr25519 public key (`AccountId32`), displayed as SS58.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(pub [u8; 32]);

/// Why a string is not an SS58 address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Ss58Error {
    #[error("not base58")]
    NotBase58,
    #[error("wrong length (expected a 1-byte prefix, 32-byte key and 2-byte checksum)")]
    BadLength,
    #[error("checksum mismatch (typo in the address?)")]
    BadChecksum,
}

fn checksum(prefix_and_key: &[u8]) -> [u8; 2] {
    let mut h = Blake2b512::new();
    h.update(b"SS58PRE");
    h.update(prefix_and_key);
    let out = h.finalize();
    [out[0], out[1]]
}

impl AccountId {
    /// SS58 text with prefix 42.
    pub fn to_ss58(&self) -> String {
        let mut v = Vec::with_capacity(35);
        v.push(SS58_PREFIX);
        v.extend_from_slice(&self.0);
        let c = checksum(&v);
        v.extend_from_slice(&c);
        bs58::encode(v).into_string()
    }

    /// Parses an SS58 address with any one-byte prefix (0..=63); the checksum must match.
    pub fn from_ss58(s: &str) -> Result<Self, Ss58Error> {
        let v = bs58::decode(s)
            .into_vec()
            .map_err(|_| Ss58Error::NotBase58)?;
        if v.len() != 35 || v[0] > 63 {
            return Err(Ss58Error::BadLength);
        }
        if checksum(&v[..33]) != [v[33], v[34]] {
            return Err(Ss58Error::BadChecksum);
        }
        let mut key = [0u8; 32];
        key.copy_from_slice(&v[1..33]);
        Ok(AccountId(key))
    }

    /// Abbreviated form for tables: `5Grwva…utQY`.
    pub fn short(&self) -> String {
        let s = self.to_ss58();
        format!("{}…{}", &s[..6], &s[s.len() - 4..])
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_ss58())
    }
}

impl fmt::Debug for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountId({})", self.to_ss58())
    }
}

impl FromStr for AccountId {
    type Err = Ss58Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_ss58(s.trim())
    }
}

impl Serialize for AccountId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_ss58())
    }
}

impl<'de> Deserialize<'de> for AccountId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        AccountId::from_ss58(&s).map_err(|e| serde::de::Error::custom(format!("hotkey {s:?}: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alice_address_matches_substrate() {
        // Well-known SS58 (prefix 42) of //Alice's sr25519 public key.
        let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
        let id = AccountId::from_ss58(alice).unwrap();
        assert_eq!(
            hex::encode(id.0),
            "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"
        );
        assert_eq!(id.to_ss58(), alice);
    }

    #[test]
    fn typos_are_rejected() {
        assert_eq!(
            AccountId::from_ss58("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ"),
            Err(Ss58Error::BadChecksum)
        );
        assert!(AccountId::from_ss58("hello").is_err());
        assert_eq!(AccountId::from_ss58("0OIl"), Err(Ss58Error::NotBase58));
    }
}
