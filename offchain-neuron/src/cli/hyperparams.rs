//! Hyperparameters by name: read one, set one from text. Names come from
//! [`hyperparam_name`](crate::chain::explain::hyperparam_name), the one spelling the
//! refusals use too.

use anyhow::{Result, anyhow, bail};
use bt_interfaces::{HyperparamField as F, Hyperparams};

use crate::chain::explain::hyperparam_name;
use crate::units::{format_tao, parse_tao};

pub const ALL: [F; 33] = [
    F::Tempo,
    F::Kappa,
    F::Rho,
    F::BondsMovingAverage,
    F::BondsPenalty,
    F::Yuma3,
    F::LiquidAlpha,
    F::AlphaLow,
    F::AlphaHigh,
    F::AlphaSigmoidSteepness,
    F::ActivityCutoff,
    F::MaxAllowedValidators,
    F::StakeThreshold,
    F::MinAllowedWeights,
    F::MaxWeightsLimit,
    F::WeightsVersionKey,
    F::WeightsRateLimit,
    F::CommitRevealEnabled,
    F::RevealPeriodEpochs,
    F::RegistrationAllowed,
    F::PowRegistrationAllowed,
    F::MaxAllowedUids,
    F::MinAllowedUids,
    F::ImmunityPeriod,
    F::TargetRegsPerInterval,
    F::AdjustmentInterval,
    F::AdjustmentAlpha,
    F::MaxRegsPerBlock,
    F::MinBurn,
    F::MaxBurn,
    F::MinDifficulty,
    F::MaxDifficulty,
    F::ServingRateLimit,
];

pub fn by_name(name: &str) -> Result<F> {
    let wanted = name.trim().to_ascii_lowercase().replace('-', "_");
    ALL.iter()
        .copied()
        .find(|f| hyperparam_name(*f) == wanted)
        .ok_or_else(|| {
            let names: Vec<&str> = ALL.iter().map(|f| hyperparam_name(*f)).collect();
            anyhow!(
                "no hyperparameter is called `{name}`; the names are: {}",
                names.join(", ")
            )
        })
}

/// The value as text (balances in TAO).
pub fn get(h: &Hyperparams, f: F) -> String {
    match f {
        F::Tempo => h.tempo.to_string(),
        F::Kappa => h.kappa.to_string(),
        F::Rho => h.rho.to_string(),
        F::BondsMovingAverage => h.bonds_moving_average.to_string(),
        F::BondsPenalty => h.bonds_penalty.to_string(),
        F::Yuma3 => h.yuma3.to_string(),
        F::LiquidAlpha => h.liquid_alpha.to_string(),
        F::AlphaLow => h.alpha_low.to_string(),
        F::AlphaHigh => h.alpha_high.to_string(),
        F::AlphaSigmoidSteepness => h.alpha_sigmoid_steepness.to_string(),
        F::ActivityCutoff => h.activity_cutoff.to_string(),
        F::MaxAllowedValidators => h.max_allowed_validators.to_string(),
        F::StakeThreshold => h.stake_threshold.to_string(),
        F::MinAllowedWeights => h.min_allowed_weights.to_string(),
        F::MaxWeightsLimit => h.max_weights_limit.to_string(),
        F::WeightsVersionKey => h.weights_version_key.to_string(),
        F::WeightsRateLimit => h.weights_rate_limit.to_string(),
        F::CommitRevealEnabled => h.commit_reveal_enabled.to_string(),
        F::RevealPeriodEpochs => h.reveal_period_epochs.to_string(),
        F::RegistrationAllowed => h.registration_allowed.to_string(),
        F::PowRegistrationAllowed => h.pow_registration_allowed.to_string(),
        F::MaxAllowedUids => h.max_allowed_uids.to_string(),
        F::MinAllowedUids => h.min_allowed_uids.to_string(),
        F::ImmunityPeriod => h.immunity_period.to_string(),
        F::TargetRegsPerInterval => h.target_regs_per_interval.to_string(),
        F::AdjustmentInterval => h.adjustment_interval.to_string(),
        F::AdjustmentAlpha => h.adjustment_alpha.to_string(),
        F::MaxRegsPerBlock => h.max_regs_per_block.to_string(),
        F::MinBurn => format_tao(h.min_burn),
        F::MaxBurn => format_tao(h.max_burn),
        F::MinDifficulty => h.min_difficulty.to_string(),
        F::MaxDifficulty => h.max_difficulty.to_string(),
        F::ServingRateLimit => h.serving_rate_limit.to_string(),
    }
}

fn num<T: std::str::FromStr>(f: F, v: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    v.trim().parse::<T>().map_err(|e| {
        anyhow!(
            "`{v}` is not a valid {} ({e}) for {}",
            std::any::type_name::<T>(),
            hyperparam_name(f)
        )
    })
}

fn flag(f: F, v: &str) -> Result<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "on" | "yes" | "1" => Ok(true),
        "false" | "off" | "no" | "0" => Ok(false),
        _ => bail!("{} takes true or false, not `{v}`", hyperparam_name(f)),
    }
}

/// Sets one field from text (balances in TAO: `min_burn 0.5`).
pub fn set(h: &mut Hyperparams, f: F, v: &str) -> Result<()> {
    match f {
        F::Tempo => h.tempo = num(f, v)?,
        F::Kappa => h.kappa = num(f, v)?,
        F::Rho => h.rho = num(f, v)?,
        F::BondsMovingAverage => h.bonds_moving_average = num(f, v)?,
        F::BondsPenalty => h.bonds_penalty = num(f, v)?,
        F::Yuma3 => h.yuma3 = flag(f, v)?,
        F::LiquidAlpha => h.liquid_alpha = flag(f, v)?,
        F::AlphaLow => h.alpha_low = num(f, v)?,
        F::AlphaHigh => h.alpha_high = num(f, v)?,
        F::AlphaSigmoidSteepness => h.alpha_sigmoid_steepness = num(f, v)?,
        F::ActivityCutoff => h.activity_cutoff = num(f, v)?,
        F::MaxAllowedValidators => h.max_allowed_validators = num(f, v)?,
        F::StakeThreshold => h.stake_threshold = num(f, v)?,
        F::MinAllowedWeights => h.min_allowed_weights = num(f, v)?,
        F::MaxWeightsLimit => h.max_weights_limit = num(f, v)?,
        F::WeightsVersionKey => h.weights_version_key = num(f, v)?,
        F::WeightsRateLimit => h.weights_rate_limit = num(f, v)?,
        F::CommitRevealEnabled => h.commit_reveal_enabled = flag(f, v)?,
        F::RevealPeriodEpochs => h.reveal_period_epochs = num(f, v)?,
        F::RegistrationAllowed => h.registration_allowed = flag(f, v)?,
        F::PowRegistrationAllowed => h.pow_registration_allowed = flag(f, v)?,
        F::MaxAllowedUids => h.max_allowed_uids = num(f, v)?,
        F::MinAllowedUids => h.min_allowed_uids = num(f, v)?,
        F::ImmunityPeriod => h.immunity_period = num(f, v)?,
        F::TargetRegsPerInterval => h.target_regs_per_interval = num(f, v)?,
        F::AdjustmentInterval => h.adjustment_interval = num(f, v)?,
        F::AdjustmentAlpha => h.adjustment_alpha = num(f, v)?,
        F::MaxRegsPerBlock => h.max_regs_per_block = num(f, v)?,
        F::MinBurn => h.min_burn = parse_tao(v)?,
        F::MaxBurn => h.max_burn = parse_tao(v)?,
        F::MinDifficulty => h.min_difficulty = num(f, v)?,
        F::MaxDifficulty => h.max_difficulty = num(f, v)?,
        F::ServingRateLimit => h.serving_rate_limit = num(f, v)?,
    }
    Ok(())
}

/// Every field as (name, value) pairs, in declaration order.
pub fn table(h: &Hyperparams) -> Vec<(&'static str, String)> {
    ALL.iter()
        .map(|f| (hyperparam_name(*f), get(h, *f)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_round_trips_through_its_name() {
        let mut h = subnet_registry::hyperparams::new_subnet_defaults();
        for f in ALL {
            let name = hyperparam_name(f);
            assert_eq!(by_name(name).unwrap(), f);
            let text = get(&h, f);
            let numeric = text.trim_end_matches(" TAO");
            set(&mut h, f, numeric).unwrap();
            assert_eq!(get(&h, f), text, "{name}");
        }
        set(&mut h, F::Tempo, "99").unwrap();
        assert_eq!(h.tempo, 99);
        assert!(set(&mut h, F::Tempo, "70000").is_err());
        assert!(by_name("temp").unwrap_err().to_string().contains("tempo"));
    }
}
