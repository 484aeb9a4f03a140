//! TAO amounts: 1 TAO = 10^9 RAO. Parsed and printed exactly (no floating point).

use anyhow::{Result, bail};

pub const RAO_PER_TAO: u128 = 1_000_000_000;

/// `12.5 TAO`, `0.000000001 TAO`, `0 TAO`: exact, trailing zeros trimmed.
pub fn format_tao(rao: u128) -> String {
    format!("{} TAO", tao_number(rao))
}

/// The number part of [`format_tao`].
pub fn tao_number(rao: u128) -> String {
    let whole = rao / RAO_PER_TAO;
    let frac = rao % RAO_PER_TAO;
    if frac == 0 {
        return whole.to_string();
    }
    let digits = format!("{frac:09}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// Parses `12`, `12.5`, `0.000000001` (TAO) into RAO; more than 9 decimals is refused.
pub fn parse_tao(text: &str) -> Result<u128> {
    let t = text.trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        bail!("`{text}` is not an amount of TAO (examples: 10, 0.5, 1000.25)");
    }
    if frac.len() > 9 {
        bail!("`{text}` has more than 9 decimals: 1 RAO (0.000000001 TAO) is the smallest unit");
    }
    let whole: u128 = if whole.is_empty() { 0 } else { whole.parse()? };
    let frac_rao: u128 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<9}").parse()?
    };
    whole
        .checked_mul(RAO_PER_TAO)
        .and_then(|w| w.checked_add(frac_rao))
        .ok_or_else(|| anyhow::anyhow!("`{text}` TAO is too large"))
}

/// A u16 fraction of `u16::MAX` (how the chain stores incentive, trust, take) as a share.
pub fn u16_share(v: u16) -> f64 {
    f64::from(v) / f64::from(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_round_trip_exactly() {
        for (text, rao) in [
            ("0", 0),
            ("1", RAO_PER_TAO),
            ("12.5", 12_500_000_000),
            ("0.000000001", 1),
            (".5", 500_000_000),
        ] {
            assert_eq!(parse_tao(text).unwrap(), rao, "{text}");
        }
        assert_eq!(format_tao(12_500_000_000), "12.5 TAO");
        assert_eq!(format_tao(1), "0.000000001 TAO");
        assert_eq!(format_tao(21_000_000 * RAO_PER_TAO), "21000000 TAO");
        for bad in ["", "1.0000000001", "-1", "1e9", "abc", "1.2.3"] {
            assert!(parse_tao(bad).is_err(), "{bad}");
        }
    }
}
