//! `set_weights` checks (spec/economics.md §7.1), in order, each failure its own error; and
//! the stored form of a weight row.
use bt_interfaces::{Balance, BlockNumber, Hyperparams, LedgerError};
use ink::prelude::vec::Vec;

/// What the checks need to know about the caller and the subnet.
#[derive(Debug, Clone, Copy)]
pub struct Setter {
    pub uid: u16,
    pub n: u16,
    pub stake: Balance,
    pub has_permit: bool,
    pub last_update: BlockNumber,
    pub now: BlockNumber,
}

/// Which checks apply: a direct `set_weights` (rate limit on), or a reveal (rate limit off:
/// it applied to the commit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Direct,
    Reveal,
}

/// Runs the checks of §7.1 after registration (which the caller resolved to `who.uid`) and
/// returns the row to store: sorted by uid, values max-upscaled so the largest is 65535.
pub fn check(
    h: &Hyperparams,
    who: &Setter,
    uids: &[u16],
    values: &[u16],
    version_key: u64,
    mode: Mode,
) -> Result<Vec<(u16, u16)>, LedgerError> {
    if uids.len() != values.len() {
        return Err(LedgerError::LengthMismatch);
    }
    if uids.len() > usize::from(who.n) {
        return Err(LedgerError::TooManyWeights);
    }
    let threshold = Balance::from(h.stake_threshold);
    if who.stake < threshold {
        return Err(LedgerError::NotEnoughStake { stake: who.stake, threshold });
    }
    if h.weights_version_key != 0 && version_key < h.weights_version_key {
        return Err(LedgerError::IncorrectVersionKey { required: h.weights_version_key });
    }
    if mode == Mode::Direct && who.last_update != 0 {
        let ready = who.last_update.saturating_add(h.weights_rate_limit);
        if who.now < ready {
            return Err(LedgerError::TooSoon { blocks_left: ready.saturating_sub(who.now) });
        }
    }
    let self_weight = uids.len() == 1 && uids.first() == Some(&who.uid);
    if !self_weight && !who.has_permit {
        return Err(LedgerError::NoValidatorPermit);
    }
    let mut row: Vec<(u16, u16)> = uids.iter().copied().zip(values.iter().copied()).collect();
    // yuma's heapsort: one sort routine in the contract's code instead of two.
    yuma::math::heapsort_by(&mut row, |a, b| a.0 < b.0);
    if row.windows(2).any(|w| matches!(w, [a, b] if a.0 == b.0)) {
        return Err(LedgerError::DuplicateUid);
    }
    if row.last().is_some_and(|(uid, _)| *uid >= who.n) {
        return Err(LedgerError::UidOutOfRange);
    }
    let min = h.min_allowed_weights.min(who.n);
    if !self_weight && row.len() < usize::from(min) {
        return Err(LedgerError::TooFewWeights { min });
    }
    let sorted_values: Vec<u16> = row.iter().map(|(_, v)| *v).collect();
    if !self_weight && h.max_weights_limit != u16::MAX && !yuma::math::check_vec_max_limited(&sorted_values, h.max_weights_limit) {
        return Err(LedgerError::MaxWeightExceeded);
    }
    let upscaled = yuma::math::vec_u16_max_upscale_to_u16(&sorted_values);
    Ok(row.iter().zip(upscaled).map(|((uid, _), v)| (*uid, v)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h() -> Hyperparams {
        Hyperparams {
            tempo: 10,
            kappa: 32_767,
            rho: 10,
            bonds_moving_average: 900_000,
            bonds_penalty: u16::MAX,
            yuma3: true,
            liquid_alpha: false,
            alpha_low: 45_875,
            alpha_high: 58_982,
            alpha_sigmoid_steepness: 1_000,
            activity_cutoff: 5_000,
            max_allowed_validators: 64,
            stake_threshold: 1_000,
            min_allowed_weights: 2,
            max_weights_limit: u16::MAX,
            weights_version_key: 5,
            weights_rate_limit: 100,
            commit_reveal_enabled: false,
            reveal_period_epochs: 1,
            registration_allowed: true,
            pow_registration_allowed: true,
            max_allowed_uids: 256,
            min_allowed_uids: 1,
            immunity_period: 5_000,
            target_regs_per_interval: 1,
            adjustment_interval: 360,
            adjustment_alpha: 0,
            max_regs_per_block: 1,
            min_burn: 1,
            max_burn: 1,
            min_difficulty: 1,
            max_difficulty: 1,
            serving_rate_limit: 50,
        }
    }

    fn who() -> Setter {
        Setter { uid: 0, n: 4, stake: 5_000, has_permit: true, last_update: 0, now: 200 }
    }

    #[test]
    fn accepts_and_upscales_sorted() {
        let row = check(&h(), &who(), &[3, 1], &[100, 50], 5, Mode::Direct).unwrap();
        assert_eq!(row, vec![(1, 32_768), (3, 65_535)]);
    }

    #[test]
    fn each_check_has_its_own_error_in_order() {
        let h = h();
        let w = who();
        assert_eq!(check(&h, &w, &[1, 2], &[1], 5, Mode::Direct), Err(LedgerError::LengthMismatch));
        assert_eq!(check(&h, &w, &[0, 1, 2, 3, 3], &[1; 5], 5, Mode::Direct), Err(LedgerError::TooManyWeights));
        let poor = Setter { stake: 999, ..w };
        assert_eq!(
            check(&h, &poor, &[1, 2], &[1, 1], 5, Mode::Direct),
            Err(LedgerError::NotEnoughStake { stake: 999, threshold: 1_000 })
        );
        assert_eq!(check(&h, &w, &[1, 2], &[1, 1], 4, Mode::Direct), Err(LedgerError::IncorrectVersionKey { required: 5 }));
        let recent = Setter { last_update: 150, ..w };
        assert_eq!(check(&h, &recent, &[1, 2], &[1, 1], 5, Mode::Direct), Err(LedgerError::TooSoon { blocks_left: 50 }));
        assert!(check(&h, &recent, &[1, 2], &[1, 1], 5, Mode::Reveal).is_ok(), "reveals skip the rate limit");
        let miner = Setter { has_permit: false, ..w };
        assert_eq!(check(&h, &miner, &[1, 2], &[1, 1], 5, Mode::Direct), Err(LedgerError::NoValidatorPermit));
        assert_eq!(check(&h, &miner, &[0], &[7], 5, Mode::Direct), Ok(vec![(0, 65_535)]), "self-weight needs no permit");
        assert_eq!(check(&h, &w, &[1, 1], &[1, 1], 5, Mode::Direct), Err(LedgerError::DuplicateUid));
        assert_eq!(check(&h, &w, &[1, 4], &[1, 1], 5, Mode::Direct), Err(LedgerError::UidOutOfRange));
        assert_eq!(check(&h, &w, &[1], &[1], 5, Mode::Direct), Err(LedgerError::TooFewWeights { min: 2 }));
        let limited = Hyperparams { max_weights_limit: 40_000, ..h };
        assert_eq!(check(&limited, &w, &[1, 2], &[3, 1], 5, Mode::Direct), Err(LedgerError::MaxWeightExceeded));
        assert!(check(&limited, &w, &[1, 2], &[1, 1], 5, Mode::Direct).is_ok());
    }
}
