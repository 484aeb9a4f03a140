//! `I32F32`: a signed 64-bit fixed-point number with 32 fractional bits.
//!
//! This is a small, dependency-free re-implementation of the arithmetic that subtensor gets
//! from `substrate_fixed::types::I32F32` (economics spec §1.3), written so that every operation
//! used by the epoch is bit-identical:
//!
//! * multiplication widens to `i128`, multiplies and shifts right arithmetically by 32
//!   (floor, i.e. truncation for non-negative values);
//! * division computes `(a << 32) / b` in `i128` with Rust's integer division (truncation
//!   toward zero);
//! * [`I32F32::safe_div`] is subtensor's `safe_div` (`checked_div().unwrap_or_default()`):
//!   division by zero **and** overflow give 0;
//! * `saturating_*` clamp to [`I32F32::MIN`], [`I32F32::MAX`];
//! * conversions to integers drop the fraction (floor) and saturate;
//! * [`I32F32::round`] rounds half away from zero.
//!
//! Hot paths (non-negative operands below 1.0 or so, which is almost everything in an epoch) are
//! computed with `u64` arithmetic, which is native in wasm32, and fall back to `i128` otherwise.
//! Both paths produce the same bits.

use core::cmp::Ordering;
use core::fmt;

/// Number of fractional bits.
pub const FRAC_BITS: u32 = 32;

/// Signed 32.32 fixed-point number (bits stored in an `i64`).
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct I32F32(i64);

const ONE_BITS: i64 = 1_i64 << FRAC_BITS;
const U32_MAX_AS_U64: u64 = u32::MAX as u64;
const U32_MAX_I64: i64 = u32::MAX as i64;

/// Clamp an `i128` into the `i64` range.
#[inline]
fn sat_i64(v: i128) -> i64 {
    if v > i128::from(i64::MAX) {
        i64::MAX
    } else if v < i128::from(i64::MIN) {
        i64::MIN
    } else {
        // In range by the checks above.
        i64::try_from(v).unwrap_or_default()
    }
}

impl I32F32 {
    /// 0.
    pub const ZERO: Self = Self(0);
    /// 1.
    pub const ONE: Self = Self(ONE_BITS);
    /// Largest value, 2^31 - 2^-32.
    pub const MAX: Self = Self(i64::MAX);
    /// Smallest value, -2^31.
    pub const MIN: Self = Self(i64::MIN);
    /// The smallest positive value, 2^-32.
    pub const DELTA: Self = Self(1);

    /// From raw bits (value = bits / 2^32).
    #[inline]
    pub const fn from_bits(bits: i64) -> Self {
        Self(bits)
    }

    /// Raw bits (value = bits / 2^32).
    #[inline]
    pub const fn to_bits(self) -> i64 {
        self.0
    }

    /// Exact conversion from `u16`.
    #[inline]
    pub const fn from_u16(v: u16) -> Self {
        // 65535 << 32 < 2^48: no overflow.
        Self((v as i64) << FRAC_BITS)
    }

    /// Exact conversion from `i16`.
    #[inline]
    pub const fn from_i16(v: i16) -> Self {
        Self((v as i64) << FRAC_BITS)
    }

    /// Exact conversion from `i32`.
    #[inline]
    pub const fn from_i32(v: i32) -> Self {
        Self((v as i64) << FRAC_BITS)
    }

    /// Conversion from `u64`, saturating at [`I32F32::MAX`] (`saturating_from_num`).
    #[inline]
    pub fn saturating_from_u64(v: u64) -> Self {
        if v > (i64::MAX.unsigned_abs() >> FRAC_BITS) {
            Self::MAX
        } else {
            // v < 2^31: the shift stays below 2^63.
            Self(i64::try_from(v).unwrap_or_default() << FRAC_BITS)
        }
    }

    /// `self == 0`.
    #[inline]
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// `self > 0`.
    #[inline]
    pub const fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// `self < 0`.
    #[inline]
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Saturating addition.
    #[inline]
    pub const fn saturating_add(self, rhs: Self) -> Self {
        Self(self.0.saturating_add(rhs.0))
    }

    /// Saturating subtraction.
    #[inline]
    pub const fn saturating_sub(self, rhs: Self) -> Self {
        Self(self.0.saturating_sub(rhs.0))
    }

    /// Checked addition.
    #[inline]
    pub fn checked_add(self, rhs: Self) -> Option<Self> {
        self.0.checked_add(rhs.0).map(Self)
    }

    /// Saturating negation.
    #[inline]
    pub const fn saturating_neg(self) -> Self {
        Self(self.0.saturating_neg())
    }

    /// Checked negation (`None` for [`I32F32::MIN`]).
    #[inline]
    pub fn checked_neg(self) -> Option<Self> {
        self.0.checked_neg().map(Self)
    }

    /// Fast path of the product: both operands non-negative and the full product within 64
    /// bits, so it is exact in u64 (a native `i64.mul` in wasm instead of a 128-bit multiply
    /// call). The shifted result is below 2^32 and always fits.
    #[inline(always)]
    fn mul_fast(a: i64, b: i64) -> Option<i64> {
        if (a | b) >= 0 && a.leading_zeros().saturating_add(b.leading_zeros()) >= 64 {
            let p = a.unsigned_abs().wrapping_mul(b.unsigned_abs()) >> FRAC_BITS;
            i64::try_from(p).ok()
        } else {
            None
        }
    }

    /// Full-width product shifted right by 32 (floor), as `i128`.
    #[inline]
    fn wide_mul(a: i64, b: i64) -> i128 {
        // |a*b| < 2^126: no i128 overflow.
        i128::from(a).wrapping_mul(i128::from(b)) >> FRAC_BITS
    }

    /// Saturating multiplication (floor of the exact product).
    #[inline]
    pub fn saturating_mul(self, rhs: Self) -> Self {
        match Self::mul_fast(self.0, rhs.0) {
            Some(v) => Self(v),
            None => Self(sat_i64(Self::wide_mul(self.0, rhs.0))),
        }
    }

    /// Checked multiplication (`None` on overflow).
    #[inline]
    pub fn checked_mul(self, rhs: Self) -> Option<Self> {
        match Self::mul_fast(self.0, rhs.0) {
            Some(v) => Some(Self(v)),
            None => i64::try_from(Self::wide_mul(self.0, rhs.0)).ok().map(Self),
        }
    }

    /// Fast path of the quotient: `0 ≤ a < 2^32`, `b > 0`, so `a << 32` fits in u64 and one
    /// u64 division gives the truncated quotient (`Err(())` if it exceeds the i64 range).
    #[inline(always)]
    fn div_fast(a: i64, b: i64) -> Option<Result<i64, ()>> {
        if b > 0 && (0..=U32_MAX_I64).contains(&a) {
            let q = (a.unsigned_abs() << FRAC_BITS)
                .checked_div(b.unsigned_abs())
                .unwrap_or_default();
            Some(i64::try_from(q).map_err(|_| ()))
        } else {
            None
        }
    }

    /// Quotient `(a << 32) / b` truncated toward zero, as `i128`; `None` when `b == 0`.
    fn wide_div(a: i64, b: i64) -> Option<i128> {
        if b == 0 {
            return None;
        }
        if a >= 0 && b > 0 {
            let (ua, ub) = (a.unsigned_abs(), b.unsigned_abs());
            if ua <= U32_MAX_AS_U64 {
                return Some(i128::from(
                    (ua << FRAC_BITS).checked_div(ub).unwrap_or_default(),
                ));
            }
            if ub <= 1_u64 << FRAC_BITS {
                // Long division in base 2^32: a·2^32 / b = (a / b)·2^32 + ((a % b)·2^32) / b,
                // where a % b < b ≤ 2^32 keeps the second shift inside u64.
                let q1 = ua.checked_div(ub).unwrap_or_default();
                let r1 = ua.checked_rem(ub).unwrap_or_default();
                let q2 = (r1 << FRAC_BITS).checked_div(ub).unwrap_or_default();
                return Some((i128::from(q1) << FRAC_BITS) | i128::from(q2));
            }
        }
        // |a << 32| < 2^95; b != 0, and i128::MIN is never the numerator: no overflow.
        (i128::from(a) << FRAC_BITS).checked_div(i128::from(b))
    }

    /// `floor(num · 2^32 / den)` for integers, i.e. `I32F32(num) / I32F32(den)`; `None` if
    /// `den == 0` or the quotient overflows. Uses a single u64 division when `num < 2^32`.
    #[inline]
    pub fn ratio(num: u64, den: u64) -> Option<Self> {
        if den == 0 {
            return None;
        }
        let q = if num <= U32_MAX_AS_U64 {
            u128::from((num << FRAC_BITS).checked_div(den).unwrap_or_default())
        } else {
            (u128::from(num) << FRAC_BITS)
                .checked_div(u128::from(den))
                .unwrap_or_default()
        };
        i64::try_from(q).ok().map(Self)
    }

    /// Checked division: `None` on division by zero or overflow.
    #[inline]
    pub fn checked_div(self, rhs: Self) -> Option<Self> {
        match Self::div_fast(self.0, rhs.0) {
            Some(r) => r.ok().map(Self),
            None => Self::wide_div(self.0, rhs.0)
                .and_then(|q| i64::try_from(q).ok())
                .map(Self),
        }
    }

    /// subtensor's `safe_div`: division by zero or overflow gives 0.
    #[inline]
    pub fn safe_div(self, rhs: Self) -> Self {
        self.checked_div(rhs).unwrap_or_default()
    }

    /// Saturating division. Division by zero gives 0 (never panics).
    #[inline]
    pub fn saturating_div(self, rhs: Self) -> Self {
        match Self::div_fast(self.0, rhs.0) {
            Some(Ok(q)) => Self(q),
            Some(Err(())) => Self::MAX,
            None => match Self::wide_div(self.0, rhs.0) {
                Some(q) => Self(sat_i64(q)),
                None => Self::ZERO,
            },
        }
    }

    /// Minimum.
    #[inline]
    pub fn min(self, rhs: Self) -> Self {
        core::cmp::min(self, rhs)
    }

    /// Maximum.
    #[inline]
    pub fn max(self, rhs: Self) -> Self {
        core::cmp::max(self, rhs)
    }

    /// Round to the nearest integer, ties away from zero, saturating.
    pub fn round(self) -> Self {
        const HALF: u64 = 1_u64 << (FRAC_BITS - 1);
        const INT_MASK: u64 = !((1_u64 << FRAC_BITS) - 1);
        let abs = self.0.unsigned_abs();
        // abs <= 2^63: adding 2^31 cannot overflow u64.
        let rounded = abs.saturating_add(HALF) & INT_MASK;
        if self.0 >= 0 {
            Self(i64::try_from(rounded).unwrap_or(i64::MAX & !(ONE_BITS - 1)))
        } else {
            // Magnitudes up to 2^63 are representable as negative numbers.
            let neg = 0_i128.saturating_sub(i128::from(rounded));
            Self(sat_i64(neg))
        }
    }

    /// Integer part, rounded toward −∞ (`to_num::<i64>` of the `fixed` crate).
    #[inline]
    pub const fn floor_int(self) -> i64 {
        self.0 >> FRAC_BITS
    }

    /// Saturating conversion to `u16` (fraction dropped, negative → 0).
    #[inline]
    pub fn saturating_to_u16(self) -> u16 {
        let i = self.floor_int();
        if i <= 0 {
            0
        } else {
            u16::try_from(i).unwrap_or(u16::MAX)
        }
    }

    /// Saturating conversion to `u64` (fraction dropped, negative → 0).
    #[inline]
    pub fn saturating_to_u64(self) -> u64 {
        let i = self.floor_int();
        u64::try_from(i).unwrap_or(0)
    }
}

impl PartialEq<i64> for I32F32 {
    fn eq(&self, other: &i64) -> bool {
        self.partial_cmp(other) == Some(Ordering::Equal)
    }
}

impl PartialOrd<i64> for I32F32 {
    fn partial_cmp(&self, other: &i64) -> Option<Ordering> {
        Some(i128::from(self.0).cmp(&(i128::from(*other) << FRAC_BITS)))
    }
}

impl fmt::Display for I32F32 {
    /// Decimal rendering with 10 fractional digits (truncated), no floats involved.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let neg = self.0 < 0;
        let abs = self.0.unsigned_abs();
        let int = abs >> FRAC_BITS;
        let frac = abs & U32_MAX_AS_U64;
        // frac * 10^10 < 2^32 * 2^34: fits in u128.
        let digits = (u128::from(frac).saturating_mul(10_000_000_000)) >> FRAC_BITS;
        write!(f, "{}{}.{:010}", if neg { "-" } else { "" }, int, digits)
    }
}

impl fmt::Debug for I32F32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Stake normalisation exactly as subtensor does it: each stake is taken as `I64F64`, divided
/// by the `I64F64` sum (truncating), and the quotient truncated to `I32F32`.
///
/// For stake totals below 2^63 (every real chain) this equals `floor(s_i * 2^32 / Σ s)`,
/// which is what is computed here, in `u128` (so totals ≥ 2^63, where the upstream `I64F64`
/// sum would overflow, still give the mathematically truncated share instead of panicking).
pub fn normalize_stake(stakes: &[u64]) -> alloc::vec::Vec<I32F32> {
    normalize_stake_by(stakes.len(), |i| stakes.get(i).copied().unwrap_or_default())
}

/// [`normalize_stake`] of `stake(0), …, stake(len − 1)` without materialising the raw vector.
pub fn normalize_stake_by(len: usize, stake: impl Fn(usize) -> u64) -> alloc::vec::Vec<I32F32> {
    let total: u128 = (0..len).fold(0_u128, |acc, i| acc.saturating_add(u128::from(stake(i))));
    (0..len)
        .map(|i| {
            if total == 0 {
                return I32F32::ZERO;
            }
            // s < 2^64: s << 32 < 2^96 fits in u128; the quotient is ≤ 2^32.
            let q = (u128::from(stake(i)) << FRAC_BITS)
                .checked_div(total)
                .unwrap_or_default();
            I32F32::from_bits(i64::try_from(q).unwrap_or(i64::MAX))
        })
        .collect()
}

/// `1 − bonds_moving_average / 10^6`, computed as subtensor does: the division in `I64F64`, the
/// quotient converted (truncating, saturating) to `I32F32`, then subtracted from one.
pub fn ema_alpha_from_moving_average(bonds_moving_average: u64) -> I32F32 {
    // I64F64::saturating_from_num(u64) saturates at 2^63 - 1 (integer part).
    let v = u128::from(bonds_moving_average.min(i64::MAX.unsigned_abs()));
    // floor(floor(v * 2^64 / 1e6) / 2^32) == floor(v * 2^32 / 1e6); v << 32 < 2^95.
    let q = (v << FRAC_BITS).checked_div(1_000_000).unwrap_or_default();
    let bma = I32F32::from_bits(i64::try_from(q).unwrap_or(i64::MAX));
    I32F32::ONE.saturating_sub(bma)
}

/// `x / 65535` as subtensor's `u16_proportion_to_fixed`.
#[inline]
pub fn u16_proportion_to_fixed(x: u16) -> I32F32 {
    I32F32::ratio(u64::from(x), u64::from(u16::MAX)).unwrap_or_default()
}

/// `floor(x * 65535)` saturating into `u16` (subtensor's `fixed_proportion_to_u16`).
#[inline]
pub fn fixed_proportion_to_u16(x: I32F32) -> u16 {
    x.saturating_mul(I32F32::from_u16(u16::MAX))
        .saturating_to_u16()
}

/// `floor(share * amount)` as subtensor computes RAO amounts: the `I32F32` share is widened to
/// `I96F32`, multiplied by the integer amount and truncated to `u64` (saturating, negative → 0).
#[inline]
pub fn fixed_mul_amount(share: I32F32, amount: u64) -> u64 {
    let bits = share.to_bits();
    if bits <= 0 {
        return 0;
    }
    // bits < 2^63, amount < 2^64: product < 2^127 fits in i128.
    let p = i128::from(bits).saturating_mul(i128::from(amount)) >> FRAC_BITS;
    u64::try_from(p).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mul_div_basics() {
        let half = I32F32::from_bits(1 << 31);
        assert_eq!(half.saturating_mul(half).to_bits(), 1 << 30);
        assert_eq!(
            I32F32::ONE.safe_div(I32F32::from_i32(3)).to_bits(),
            1_431_655_765
        );
        assert_eq!(I32F32::ONE.safe_div(I32F32::ZERO), I32F32::ZERO);
        assert_eq!(I32F32::MAX.safe_div(I32F32::DELTA), I32F32::ZERO);
        assert_eq!(I32F32::MAX.saturating_div(I32F32::DELTA), I32F32::MAX);
        assert_eq!(I32F32::MIN.saturating_div(I32F32::DELTA), I32F32::MIN);
        assert_eq!(I32F32::MAX.saturating_mul(I32F32::MAX), I32F32::MAX);
        assert_eq!(I32F32::MIN.saturating_mul(I32F32::MAX), I32F32::MIN);
        // Negative products floor (toward −∞).
        assert_eq!(I32F32::from_bits(-1).saturating_mul(half).to_bits(), -1);
        // Negative quotients truncate toward zero.
        assert_eq!(
            I32F32::from_bits(-1)
                .safe_div(I32F32::from_i32(2))
                .to_bits(),
            0
        );
        assert_eq!(
            I32F32::from_bits(-3)
                .safe_div(I32F32::from_i32(2))
                .to_bits(),
            -1
        );
    }

    #[test]
    fn fast_and_slow_paths_agree() {
        let vals: [i64; 12] = [
            0,
            1,
            3,
            (1 << 31) - 1,
            1 << 31,
            (1 << 32) - 1,
            1 << 32,
            (1 << 32) + 1,
            123_456_789_012,
            -5,
            -(1 << 33),
            i64::MAX,
        ];
        for &a in &vals {
            for &b in &vals {
                let x = I32F32::from_bits(a);
                let y = I32F32::from_bits(b);
                let slow_mul = (i128::from(a) * i128::from(b)) >> 32;
                assert_eq!(
                    x.checked_mul(y),
                    i64::try_from(slow_mul).ok().map(I32F32::from_bits)
                );
                if b != 0 {
                    let slow_div = (i128::from(a) << 32) / i128::from(b);
                    assert_eq!(
                        x.checked_div(y),
                        i64::try_from(slow_div).ok().map(I32F32::from_bits)
                    );
                }
            }
        }
    }

    #[test]
    fn rounding_and_conversions() {
        let two_and_half = I32F32::from_bits((5_i64 << 32) / 2);
        assert_eq!(two_and_half.round(), I32F32::from_i32(3));
        assert_eq!(two_and_half.saturating_neg().round(), I32F32::from_i32(-3));
        assert_eq!(
            I32F32::from_bits((24_i64 << 32) / 10).round(),
            I32F32::from_i32(2)
        );
        assert_eq!(
            I32F32::MAX.round(),
            I32F32::from_bits(i64::MAX & !0xFFFF_FFFF)
        );
        assert_eq!(I32F32::MIN.round(), I32F32::MIN);
        assert_eq!(I32F32::from_i32(-1).saturating_to_u16(), 0);
        assert_eq!(I32F32::from_i32(70_000).saturating_to_u16(), u16::MAX);
        assert_eq!(I32F32::saturating_from_u64(u64::MAX), I32F32::MAX);
        assert_eq!(fixed_proportion_to_u16(I32F32::ONE), u16::MAX);
        assert_eq!(fixed_mul_amount(I32F32::ONE, u64::MAX), u64::MAX);
        assert_eq!(fixed_mul_amount(I32F32::from_i32(-1), 5), 0);
        assert_eq!(
            alloc::format!("{}", I32F32::from_bits(1 << 31)),
            "0.5000000000"
        );
        assert_eq!(
            alloc::format!("{}", I32F32::from_bits(-(3 << 30))),
            "-0.7500000000"
        );
    }

    #[test]
    fn stake_normalisation() {
        let s = normalize_stake(&[1; 10]);
        // floor(2^32 / 10) = 429496729 → 0.0999999999767
        assert!(s.iter().all(|x| x.to_bits() == 429_496_729));
        assert_eq!(normalize_stake(&[0, 0]), alloc::vec![I32F32::ZERO; 2]);
        assert_eq!(normalize_stake(&[u64::MAX, u64::MAX])[0].to_bits(), 1 << 31);
        assert_eq!(
            ema_alpha_from_moving_average(900_000).to_bits(),
            429_496_730
        );
        assert_eq!(
            ema_alpha_from_moving_average(u64::MAX),
            I32F32::ONE.saturating_sub(I32F32::MAX)
        );
    }
}
