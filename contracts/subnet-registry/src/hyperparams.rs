//! Hyperparameter defaults for a new subnet and the rules for changing them
//! (spec/economics.md §3): which fields the subnet owner may set and within which bounds,
//! and which only the admin (root) may set.
use bt_interfaces::{Balance, HyperparamField as F, Hyperparams, RegistryError, MAX_UIDS_CEILING};

const TAO: Balance = 1_000_000_000;

/// Values a newly created subnet starts with (subtensor's new-subnet column, classic model).
pub fn new_subnet_defaults() -> Hyperparams {
    Hyperparams {
        tempo: 360,
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
        stake_threshold: 0,
        min_allowed_weights: 1,
        max_weights_limit: u16::MAX,
        weights_version_key: 0,
        weights_rate_limit: 100,
        commit_reveal_enabled: false,
        reveal_period_epochs: 1,
        registration_allowed: true,
        pow_registration_allowed: true,
        max_allowed_uids: 256,
        min_allowed_uids: 64,
        immunity_period: 5_000,
        target_regs_per_interval: 1,
        adjustment_interval: 360,
        adjustment_alpha: 17_893_341_751_498_265_066, // 0.97 of u64::MAX
        max_regs_per_block: 1,
        min_burn: 500_000,
        max_burn: 100 * TAO,
        min_difficulty: 10_000_000,
        max_difficulty: u64::MAX / 4,
        serving_rate_limit: 50,
    }
}

/// The registration price a new subnet starts at.
pub const INITIAL_BURN: Balance = TAO;
/// The proof-of-work difficulty a new subnet starts at.
pub const INITIAL_DIFFICULTY: u64 = 10_000_000;

/// Checks a change from `old` to `new`. The admin may change every field within the hard
/// bounds; the owner only owner-settable fields within the owner bounds. `n` is the subnet's
/// current number of UIDs.
pub fn validate_change(old: &Hyperparams, new: &Hyperparams, n: u16, by_admin: bool) -> Result<(), RegistryError> {
    if !by_admin {
        for (field, changed) in root_only_changes(old, new) {
            if changed {
                return Err(RegistryError::RootOnlyHyperparam(field));
            }
        }
    }
    let bad = RegistryError::InvalidHyperparam;
    let owner = !by_admin;
    let tempo_min = if owner { 360 } else { 1 };
    if new.tempo < tempo_min || new.tempo > 50_400 {
        return Err(bad(F::Tempo));
    }
    let bma_max = if owner { 975_000 } else { 1_000_000 };
    if new.bonds_moving_average > bma_max {
        return Err(bad(F::BondsMovingAverage));
    }
    if new.alpha_low < 1_638 || new.alpha_low > new.alpha_high {
        return Err(bad(F::AlphaLow));
    }
    if new.alpha_high < 1_638 {
        return Err(bad(F::AlphaHigh));
    }
    if owner && new.alpha_sigmoid_steepness < 0 {
        return Err(bad(F::AlphaSigmoidSteepness));
    }
    let cutoff_min = if owner { 360 } else { 1 };
    if new.activity_cutoff < cutoff_min {
        return Err(bad(F::ActivityCutoff));
    }
    if new.reveal_period_epochs < 1 || new.reveal_period_epochs > 100 {
        return Err(bad(F::RevealPeriodEpochs));
    }
    if new.min_allowed_uids == 0 || new.min_allowed_uids > MAX_UIDS_CEILING {
        return Err(bad(F::MinAllowedUids));
    }
    if new.max_allowed_uids > MAX_UIDS_CEILING || new.max_allowed_uids < n || new.max_allowed_uids == 0 {
        return Err(bad(F::MaxAllowedUids));
    }
    if owner && new.max_allowed_uids < new.min_allowed_uids && new.max_allowed_uids != old.max_allowed_uids {
        return Err(bad(F::MaxAllowedUids));
    }
    if new.max_allowed_validators > new.max_allowed_uids {
        return Err(bad(F::MaxAllowedValidators));
    }
    if new.min_allowed_weights > new.max_allowed_uids {
        return Err(bad(F::MinAllowedWeights));
    }
    if new.target_regs_per_interval == 0 {
        return Err(bad(F::TargetRegsPerInterval));
    }
    if new.adjustment_interval == 0 {
        return Err(bad(F::AdjustmentInterval));
    }
    if new.min_burn > new.max_burn {
        return Err(bad(F::MinBurn));
    }
    if new.min_difficulty == 0 || new.min_difficulty > new.max_difficulty {
        return Err(bad(F::MinDifficulty));
    }
    Ok(())
}

fn root_only_changes(old: &Hyperparams, new: &Hyperparams) -> [(F, bool); 11] {
    [
        (F::Kappa, old.kappa != new.kappa),
        (F::Rho, old.rho != new.rho),
        (F::MaxAllowedValidators, old.max_allowed_validators != new.max_allowed_validators),
        (F::StakeThreshold, old.stake_threshold != new.stake_threshold),
        (F::MinAllowedUids, old.min_allowed_uids != new.min_allowed_uids),
        (F::TargetRegsPerInterval, old.target_regs_per_interval != new.target_regs_per_interval),
        (F::AdjustmentInterval, old.adjustment_interval != new.adjustment_interval),
        (F::AdjustmentAlpha, old.adjustment_alpha != new.adjustment_alpha),
        (F::MaxRegsPerBlock, old.max_regs_per_block != new.max_regs_per_block),
        (F::MinBurn, old.min_burn != new.min_burn || old.max_burn != new.max_burn),
        (F::MinDifficulty, old.min_difficulty != new.min_difficulty || old.max_difficulty != new.max_difficulty),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_for_both_roles() {
        let d = new_subnet_defaults();
        assert_eq!(validate_change(&d, &d, 1, false), Ok(()));
        assert_eq!(validate_change(&d, &d, 1, true), Ok(()));
    }

    #[test]
    fn owner_cannot_touch_root_fields_admin_can() {
        let d = new_subnet_defaults();
        let k = Hyperparams { kappa: 40_000, ..d };
        assert_eq!(validate_change(&d, &k, 1, false), Err(RegistryError::RootOnlyHyperparam(F::Kappa)));
        assert_eq!(validate_change(&d, &k, 1, true), Ok(()));
        let b = Hyperparams { max_burn: 1, min_burn: 1, ..d };
        assert_eq!(validate_change(&d, &b, 1, false), Err(RegistryError::RootOnlyHyperparam(F::MinBurn)));
    }

    #[test]
    fn owner_bounds_are_tighter_than_root_bounds() {
        let d = new_subnet_defaults();
        let fast = Hyperparams { tempo: 10, activity_cutoff: 100, ..d };
        assert_eq!(validate_change(&d, &fast, 1, false), Err(RegistryError::InvalidHyperparam(F::Tempo)));
        assert_eq!(validate_change(&d, &fast, 1, true), Ok(()));
        let bma = Hyperparams { bonds_moving_average: 980_000, ..d };
        assert_eq!(validate_change(&d, &bma, 1, false), Err(RegistryError::InvalidHyperparam(F::BondsMovingAverage)));
        let alpha = Hyperparams { alpha_low: 60_000, ..d };
        assert_eq!(validate_change(&d, &alpha, 1, false), Err(RegistryError::InvalidHyperparam(F::AlphaLow)));
        let uids = Hyperparams { max_allowed_uids: 10, ..d };
        assert_eq!(validate_change(&d, &uids, 11, true), Err(RegistryError::InvalidHyperparam(F::MaxAllowedUids)));
        let reveal = Hyperparams { reveal_period_epochs: 0, ..d };
        assert_eq!(validate_change(&d, &reveal, 1, false), Err(RegistryError::InvalidHyperparam(F::RevealPeriodEpochs)));
    }
}
