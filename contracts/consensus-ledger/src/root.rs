//! The root epoch (spec/economics.md §4.2, classic): root validators' stake-weighted votes
//! over subnets become each subnet's share of emission.
//!
//! With stakes `s` normalised, weight rows normalised, `rank_k = Σ_i s_i w_ik`,
//! `trust_k = Σ_{i: w_ik > 0} s_i`, `consensus_k = 1 / (1 + exp(−ρ (trust_k − κ)))` and
//! `share_k = normalize(consensus_k × rank_k)`. Subnets nobody votes for get 0.
//!
//! A member who has not voted (or whose votes name no eligible subnet) counts as voting
//! equally for every eligible subnet: abstaining stake keeps its weight, so one member with
//! dust stake cannot decide every share by being the only one to vote.
use yuma::fixed::{normalize_stake, I32F32};
use ink::prelude::vec::Vec;

/// `netuids` are the eligible subnets; `rows[i]` are member i's (netuid, weight) votes.
/// Returns one share per eligible netuid (32.32 bits), or `None` when no stake counts (then
/// every eligible subnet keeps an equal share).
pub fn shares(netuids: &[u16], stakes: &[u64], rows: &[Vec<(u16, u16)>], rho: u16, kappa: u16) -> Option<Vec<u128>> {
    let s = normalize_stake(stakes);
    let mut rank = ink::prelude::vec![I32F32::ZERO; netuids.len()];
    let mut trust = ink::prelude::vec![I32F32::ZERO; netuids.len()];
    for (i, row) in rows.iter().enumerate() {
        let Some(&stake) = s.get(i) else { continue };
        let mut votes: Vec<(usize, u16)> =
            row.iter().filter_map(|(netuid, w)| netuids.binary_search(netuid).ok().map(|k| (k, *w))).collect();
        let mut total: u64 = votes.iter().map(|(_, w)| u64::from(*w)).fold(0, u64::saturating_add);
        if total == 0 {
            votes = (0..netuids.len()).map(|k| (k, 1)).collect();
            total = u64::try_from(netuids.len()).unwrap_or(u64::MAX);
        }
        if total == 0 {
            continue;
        }
        for (k, w) in votes {
            let weight = I32F32::ratio(u64::from(w), total).unwrap_or(I32F32::ZERO);
            if let (Some(r), Some(t)) = (rank.get_mut(k), trust.get_mut(k)) {
                *r = r.saturating_add(stake.saturating_mul(weight));
                if w > 0 {
                    *t = t.saturating_add(stake);
                }
            }
        }
    }
    let rho = I32F32::saturating_from_u64(u64::from(rho));
    let kappa = yuma::fixed::u16_proportion_to_fixed(kappa);
    let raw: Vec<I32F32> = rank
        .iter()
        .zip(&trust)
        .map(|(r, t)| yuma::math::sigmoid_safe(*t, rho, kappa).saturating_mul(*r))
        .collect();
    if yuma::math::is_zero(&raw) {
        return None;
    }
    Some(yuma::math::normalize(&raw).iter().map(|x| u128::try_from(x.to_bits()).unwrap_or(0)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_stake_means_no_shares_and_abstainers_mean_equal_shares() {
        assert_eq!(shares(&[1, 2], &[0, 0], &[Vec::new(), Vec::new()], 10, 32_767), None);
        let out = shares(&[1, 2], &[10, 10], &[Vec::new(), Vec::new()], 10, 32_767).unwrap();
        assert_eq!(out[0], out[1]);
    }

    /// Finding 3 of the economic review: while nobody else voted, a lone member with dust stake
    /// decided 100% of every subnet's share. Abstaining stake now counts as equal votes.
    #[test]
    fn a_lone_dust_voter_cannot_capture_the_shares() {
        let rows = [vec![(1, 65_535)], Vec::new(), Vec::new()];
        let out = shares(&[1, 2], &[1, 5_000, 5_000], &rows, 10, 32_767).unwrap();
        let total = (out[0] + out[1]) as f64;
        assert!((out[0] as f64 / total) < 0.51, "{out:?}");
        assert!(out[1] > 0, "the subnet the dust voter ignored keeps its share");
    }

    #[test]
    fn majority_backed_subnet_gets_most() {
        // Member 0 (stake 3) votes all for subnet 1; member 1 (stake 1) splits evenly.
        let rows = [vec![(1, 65_535)], vec![(1, 100), (2, 100)]];
        let out = shares(&[1, 2], &[3, 1], &rows, 10, 32_767).unwrap();
        assert!(out[0] > out[1] * 10, "{out:?}");
        let sum: u128 = out.iter().sum();
        assert!(sum <= 1 << 32 && sum > (1 << 32) - 10);
    }

    #[test]
    fn votes_for_unknown_netuids_are_ignored() {
        let rows = [vec![(9, 65_535), (1, 1)]];
        let out = shares(&[1], &[1], &rows, 10, 32_767).unwrap();
        assert!(out[0] > 0);
    }
}
