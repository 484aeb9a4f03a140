//! What the ledger's test files share.
#![allow(dead_code)]
use bt_interfaces::Hyperparams;

/// A subnet's hyperparameters for the tests: tempo 10, two validators, classic bonds.
pub fn hyperparams() -> Hyperparams {
    Hyperparams {
        tempo: 10,
        kappa: 32_767,
        rho: 10,
        bonds_moving_average: 900_000,
        bonds_penalty: u16::MAX,
        yuma3: false,
        liquid_alpha: false,
        alpha_low: 45_875,
        alpha_high: 58_982,
        alpha_sigmoid_steepness: 1_000,
        activity_cutoff: 5_000,
        max_allowed_validators: 2,
        stake_threshold: 0,
        min_allowed_weights: 1,
        max_weights_limit: u16::MAX,
        weights_version_key: 0,
        weights_rate_limit: 0,
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
