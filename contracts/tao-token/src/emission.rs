//! The emission schedule (spec/economics.md §4.1), in exact integer arithmetic.
//!
//! Per block, `floor(1e9 / 2^k)` RAO with `k = floor(log2(C / (C − I)))`, where `I` is the
//! total issuance and `C` the 21M TAO cap: 1 TAO per block until issuance reaches 10.5M TAO,
//! 0.5 until 15.75M, and so on. `k` is the largest integer with `2^k · (C − I) ≤ C`, which
//! integers compute exactly (subtensor's fixed-point `log2` agrees at every era boundary, since
//! the boundaries `C·(1 − 2^−k)` are exact in its 32 fractional bits for every era that still
//! emits at least one RAO). The schedule depends on issuance, not height: recycling lowers
//! issuance and so delays the next halving.
use bt_interfaces::Balance;

/// 1 TAO in RAO.
pub const RAO_PER_TAO: Balance = 1_000_000_000;
/// The supply cap: 21,000,000 TAO.
pub const CAP: Balance = 21_000_000 * RAO_PER_TAO;
/// Emission per block before the first halving: 1 TAO.
pub const INITIAL_BLOCK_EMISSION: Balance = RAO_PER_TAO;

/// Halvings that have happened at `issuance` (`None` once issuance has reached the cap).
pub fn era(issuance: Balance) -> Option<u32> {
    let remaining = CAP.checked_sub(issuance).filter(|r| *r > 0)?;
    let mut k: u32 = 0;
    // Largest k with remaining << k <= CAP; CAP < 2^55, so at most 55 steps.
    while let Some(next) = k.checked_add(1) {
        match remaining.checked_shl(next) {
            Some(shifted) if shifted <= CAP && shifted >> next == remaining => k = next,
            _ => break,
        }
    }
    Some(k)
}

/// RAO minted per block at `issuance`.
pub fn block_emission(issuance: Balance) -> Balance {
    match era(issuance) {
        Some(k) => INITIAL_BLOCK_EMISSION.checked_shr(k).unwrap_or(0),
        None => 0,
    }
}

/// The issuance at which the era that `issuance` is in ends: `C − floor(C / 2^(k+1))`.
/// Equals the cap once emission is over.
pub fn next_halving_issuance(issuance: Balance) -> Balance {
    match era(issuance).and_then(|k| k.checked_add(1)) {
        Some(next) => CAP.saturating_sub(CAP.checked_shr(next).unwrap_or(0)),
        None => CAP,
    }
}

/// Blocks until the next halving at the current rate (0 when nothing is emitted any more).
pub fn blocks_until_halving(issuance: Balance) -> u64 {
    let rate = block_emission(issuance);
    if rate == 0 {
        return 0;
    }
    let gap = next_halving_issuance(issuance).saturating_sub(issuance);
    u64::try_from(gap.div_ceil(rate)).unwrap_or(u64::MAX)
}

/// The exact sum of the per-block emission of `blocks` consecutive blocks starting at
/// `issuance`, where each block's emission is computed from the issuance after the blocks
/// before it. Walks era by era (at most ~30 eras emit anything), so the cost does not grow
/// with `blocks`. Never takes issuance past the cap.
pub fn emission_over(issuance: Balance, blocks: u64) -> Balance {
    let mut current = issuance;
    let mut left = Balance::from(blocks);
    let mut minted: Balance = 0;
    while left > 0 {
        let rate = block_emission(current);
        if rate == 0 {
            break;
        }
        let gap = next_halving_issuance(current).saturating_sub(current);
        // Blocks needed to reach the next era; at least one since current < threshold.
        let in_era = gap.div_ceil(rate).max(1).min(left);
        let amount = in_era.saturating_mul(rate).min(CAP.saturating_sub(current));
        current = current.saturating_add(amount);
        minted = minted.saturating_add(amount);
        left = left.saturating_sub(in_era);
    }
    minted
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `test_halving` of subtensor (spec §8.3): issuance → block emission.
    #[test]
    fn halving_table_matches_subtensor() {
        let table: &[(u128, u128)] = &[
            (0, 1_000_000_000),
            (1_776_000_000_000, 1_000_000_000),
            (10_500_000_000_000_000, 500_000_000),
            (15_749_999_000_000_000, 500_000_000),
            (15_800_000_000_000_000, 250_000_000),
            (17_624_999_000_000_000, 250_000_000),
            (18_400_000_000_000_000, 125_000_000),
            (19_700_000_000_000_000, 62_500_000),
            (20_400_000_000_000_000, 31_250_000),
            (20_700_000_000_000_000, 15_625_000),
            (20_900_000_000_000_000, 7_812_500),
            (20_917_970_000_000_000, 3_906_250),
            (20_958_985_000_000_000, 1_953_125),
            (20_979_493_000_000_000, 976_562),
            (20_989_747_000_000_000, 488_281),
            (20_994_874_000_000_000, 244_140),
            (20_997_437_000_000_000, 122_070),
            (20_998_719_000_000_000, 61_035),
            (20_999_360_000_000_000, 30_517),
            (20_999_680_000_000_000, 15_258),
            (20_999_840_000_000_000, 7_629),
            (20_999_920_000_000_000, 3_814),
            (20_999_960_000_000_000, 1_907),
            (20_999_980_000_000_000, 953),
            (20_999_990_000_000_000, 476),
            (20_999_995_000_000_000, 238),
            (20_999_998_000_000_000, 119),
            (20_999_999_000_000_000, 59),
            (21_000_000_000_000_000, 0),
            (u64::MAX as u128, 0),
            (u128::MAX, 0),
        ];
        for &(issuance, expected) in table {
            assert_eq!(block_emission(issuance), expected, "issuance {issuance}");
        }
    }

    /// `test_issuance_bounds` of subtensor (spec §8.3).
    #[test]
    fn issuance_bounds_match_subtensor() {
        let mut issuance: u128 = 0;
        for _ in 0..100 {
            issuance += block_emission(issuance) * 10_500_000;
        }
        assert_eq!(issuance, 20_999_999_989_500_000);
    }

    #[test]
    fn era_boundaries_are_exact() {
        let half = CAP / 2;
        assert_eq!(block_emission(half - 1), RAO_PER_TAO);
        assert_eq!(block_emission(half), RAO_PER_TAO / 2);
        assert_eq!(next_halving_issuance(0), half);
        assert_eq!(next_halving_issuance(half), 15_750_000 * RAO_PER_TAO);
        assert_eq!(blocks_until_halving(0), 10_500_000);
        assert_eq!(blocks_until_halving(half - 1), 1);
        assert_eq!(next_halving_issuance(CAP), CAP);
        assert_eq!(blocks_until_halving(CAP), 0);
    }

    /// Walking block by block and the era-by-era sum agree, across a halving.
    #[test]
    fn pull_spanning_a_halving_equals_block_by_block_sum() {
        let start = CAP / 2 - 3 * RAO_PER_TAO - 1;
        let mut issuance = start;
        for _ in 0..10 {
            issuance += block_emission(issuance);
        }
        // Blocks 1-4 at 1 TAO (the 4th crosses the threshold), blocks 5-10 at 0.5 TAO.
        assert_eq!(issuance - start, 4 * RAO_PER_TAO + 6 * RAO_PER_TAO / 2);
        assert_eq!(emission_over(start, 10), issuance - start);
    }

    #[test]
    fn emission_over_everything_stops_below_cap() {
        let all = emission_over(0, u64::MAX);
        assert!(all <= CAP);
        assert!(all > CAP - RAO_PER_TAO / 10, "emission stops only when a block would mint 0 RAO");
        assert_eq!(block_emission(all), 0);
        assert_eq!(emission_over(all, 1_000), 0);
        assert_eq!(emission_over(CAP, 5), 0);
        assert_eq!(emission_over(0, 0), 0);
    }

    #[test]
    fn recycling_delays_the_halving() {
        let near = CAP / 2 - RAO_PER_TAO;
        assert_eq!(blocks_until_halving(near), 1);
        let recycled = near - 100 * RAO_PER_TAO;
        assert_eq!(blocks_until_halving(recycled), 101);
        assert_eq!(emission_over(recycled, 101), 101 * RAO_PER_TAO);
    }
}
