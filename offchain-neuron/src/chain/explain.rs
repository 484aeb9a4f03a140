//! Every typed error of every contract in words: what happened and what to do. The matches
//! are exhaustive, so a new error variant does not compile until it is explained here.

use bt_interfaces::{
    HyperparamField, LedgerError, PSP22Error, RegistryError, StakingError, TokenError, UpgradeError,
};

use crate::units::format_tao;

/// A contract's refusal, for a person.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Refusal {
    pub reason: String,
    pub fix: String,
}

fn r(reason: impl Into<String>, fix: impl Into<String>) -> Refusal {
    Refusal {
        reason: reason.into(),
        fix: fix.into(),
    }
}

pub trait Explain {
    fn explain(&self) -> Refusal;
}

fn blocks(n: impl std::fmt::Display) -> String {
    format!("{n} blocks left")
}

/// The hyperparameter's name as `neuron subnet set` spells it.
pub fn hyperparam_name(f: HyperparamField) -> &'static str {
    use HyperparamField::*;
    match f {
        Tempo => "tempo",
        Kappa => "kappa",
        Rho => "rho",
        BondsMovingAverage => "bonds_moving_average",
        BondsPenalty => "bonds_penalty",
        Yuma3 => "yuma3",
        LiquidAlpha => "liquid_alpha",
        AlphaLow => "alpha_low",
        AlphaHigh => "alpha_high",
        AlphaSigmoidSteepness => "alpha_sigmoid_steepness",
        ActivityCutoff => "activity_cutoff",
        MaxAllowedValidators => "max_allowed_validators",
        StakeThreshold => "stake_threshold",
        MinAllowedWeights => "min_allowed_weights",
        MaxWeightsLimit => "max_weights_limit",
        WeightsVersionKey => "weights_version_key",
        WeightsRateLimit => "weights_rate_limit",
        CommitRevealEnabled => "commit_reveal_enabled",
        RevealPeriodEpochs => "reveal_period_epochs",
        RegistrationAllowed => "registration_allowed",
        PowRegistrationAllowed => "pow_registration_allowed",
        MaxAllowedUids => "max_allowed_uids",
        MinAllowedUids => "min_allowed_uids",
        ImmunityPeriod => "immunity_period",
        TargetRegsPerInterval => "target_regs_per_interval",
        AdjustmentInterval => "adjustment_interval",
        AdjustmentAlpha => "adjustment_alpha",
        MaxRegsPerBlock => "max_regs_per_block",
        MinBurn => "min_burn",
        MaxBurn => "max_burn",
        MinDifficulty => "min_difficulty",
        MaxDifficulty => "max_difficulty",
        ServingRateLimit => "serving_rate_limit",
    }
}

/// The registry's bounds on a hyperparameter, in words (owner limits, then the admin's).
pub fn hyperparam_bounds(f: HyperparamField) -> &'static str {
    use HyperparamField::*;
    match f {
        Tempo => "the owner may set 360..=50400 blocks, the admin 1..=50400",
        BondsMovingAverage => "at most 975000 for the owner, 1000000 for the admin",
        AlphaLow => "at least 1638 and at most alpha_high",
        AlphaHigh => "at least 1638",
        AlphaSigmoidSteepness => "not negative (owner)",
        ActivityCutoff => "at least 360 blocks for the owner, 1 for the admin",
        RevealPeriodEpochs => "1..=100 epochs",
        MinAllowedUids => "1..=1024",
        MaxAllowedUids => {
            "at least the current number of neurons and min_allowed_uids, at most 1024"
        }
        MaxAllowedValidators => "at most max_allowed_uids",
        MinAllowedWeights => "at most max_allowed_uids",
        TargetRegsPerInterval | AdjustmentInterval => "at least 1",
        MinBurn | MaxBurn => "min_burn at most max_burn",
        MinDifficulty | MaxDifficulty => "min_difficulty at least 1 and at most max_difficulty",
        _ => "any value of its type",
    }
}

impl Explain for UpgradeError {
    fn explain(&self) -> Refusal {
        match self {
            UpgradeError::NotAdmin => r(
                "only the contract's admin may announce, cancel or apply an upgrade",
                "sign with the admin account",
            ),
            UpgradeError::NotAnnounced => r(
                "this code hash was not announced",
                "announce it first (`announce_code`), then wait the upgrade delay",
            ),
            UpgradeError::NotDue { blocks_left } => r(
                format!(
                    "the announced upgrade is not due yet, {}",
                    blocks(blocks_left)
                ),
                "apply it once the delay has passed (users get that time to review the new code)",
            ),
        }
    }
}

impl Explain for PSP22Error {
    fn explain(&self) -> Refusal {
        match self {
            PSP22Error::Custom(s) => r(format!("the token refused: {s}"), "see the reason above"),
            PSP22Error::InsufficientBalance => r(
                "the sender's TAO balance is below the amount",
                "check it with `neuron wallet balance` and send less",
            ),
            PSP22Error::InsufficientAllowance => r(
                "the spender's allowance is below the amount",
                "approve a larger allowance first",
            ),
            PSP22Error::ZeroRecipientAddress => r(
                "the recipient is the zero address",
                "check the destination address",
            ),
            PSP22Error::ZeroSenderAddress => {
                r("the sender is the zero address", "use a real account")
            }
            PSP22Error::SafeTransferCheckFailed(s) => r(
                format!("the receiving contract refused the transfer: {s}"),
                "send to an account that accepts TAO",
            ),
        }
    }
}

impl Explain for TokenError {
    fn explain(&self) -> Refusal {
        match self {
            TokenError::NotAdmin => r(
                "only the deployer may wire the token",
                "sign with the deployer's account",
            ),
            TokenError::AlreadyConfigured => r(
                "the token is already wired; its minter and protocol contracts never change",
                "nothing to do",
            ),
            TokenError::NotConfigured => r(
                "the token is not wired yet (no minter)",
                "finish the deployment (`scripts/deploy.sh` wires the suite)",
            ),
            TokenError::NotMinter => r(
                "only the consensus ledger may pull emission",
                "emission flows through epochs; run `neuron epoch run`",
            ),
            TokenError::NotProtocol => r(
                "only the suite's protocol contracts may move TAO on a holder's behalf",
                "check the deployment file's addresses",
            ),
            TokenError::InsufficientBalance => r(
                "the account holds less TAO than this needs",
                "check `neuron wallet balance`, then use less or receive TAO first",
            ),
            TokenError::CapExceeded => r(
                "this would take issuance above the 21,000,000 TAO cap",
                "nothing can be minted beyond the cap",
            ),
            TokenError::InvalidConfiguration => r(
                "too many, duplicate or zero protocol addresses",
                "check the wiring arguments",
            ),
            TokenError::Overflow => r("an amount overflowed", "use a smaller amount"),
            TokenError::ProtocolCodeChanged => r(
                "a protocol contract's code changed since you last accepted it, so it may not move your TAO",
                "read the new code's announcement, then call the token's `accept_protocol_code` for that contract if you trust it",
            ),
        }
    }
}

impl Explain for StakingError {
    fn explain(&self) -> Refusal {
        match self {
            StakingError::NotAdmin => r(
                "only the staking contract's admin may do this",
                "sign with the admin account",
            ),
            StakingError::AlreadyConfigured => r("staking is already wired", "nothing to do"),
            StakingError::NotConfigured => r(
                "staking is not wired yet",
                "finish the deployment (`scripts/deploy.sh`)",
            ),
            StakingError::NotRegistry => r(
                "only the subnet registry may bind hotkeys",
                "register through `neuron subnet register`",
            ),
            StakingError::NotLedger => r(
                "only the consensus ledger may distribute emission",
                "emission flows through `neuron epoch run`",
            ),
            StakingError::HotkeyNotOwned => r(
                "the hotkey has no owner yet",
                "register it on a subnet (`neuron subnet register`) or claim it (`neuron stake claim`)",
            ),
            StakingError::HotkeyOwnedByAnother => r(
                "the hotkey already belongs to another coldkey",
                "use a hotkey of your own (`neuron wallet new-hotkey`)",
            ),
            StakingError::NotHotkeyOwner => r(
                "only the hotkey's owning coldkey may do this",
                "sign with the owner's coldkey",
            ),
            StakingError::TooManyHotkeys => r(
                "the coldkey owns the maximum number of hotkeys",
                "use another coldkey",
            ),
            StakingError::TooManyPositions => r(
                "the coldkey has stake on the maximum number of hotkeys",
                "remove a position first (`neuron stake list`, `neuron stake remove`)",
            ),
            StakingError::AmountBelowMinimum => r(
                "the amount is below the minimum stake",
                "stake more (the minimum is in `neuron stake params`)",
            ),
            StakingError::InsufficientStake => r(
                "the position holds less matured stake than requested",
                "check `neuron stake list` (maturing stake cannot leave yet) and remove less",
            ),
            StakingError::TakeTooHigh => {
                r("the take is above the 18% maximum", "choose at most 18%")
            }
            StakingError::TakeUnchanged => r(
                "the take would not change (increase needs a higher take, decrease a lower one)",
                "pass a different value",
            ),
            StakingError::TakeRateLimited { blocks_left } => r(
                format!("take increases are rate-limited, {}", blocks(blocks_left)),
                "try again later; decreases are always allowed",
            ),
            StakingError::TooManyPayouts => r(
                "a distribution batch is too large",
                "internal to epochs; report this",
            ),
            StakingError::Token(e) => nested("the token refused", e.explain()),
            StakingError::TransferFailed => r(
                "a TAO transfer out of staking failed",
                "report this with the transaction hash",
            ),
            StakingError::CallFailed => r(
                "a call between the suite's contracts failed",
                "check the deployment file; retry later",
            ),
            StakingError::Overflow => r("an amount overflowed", "use a smaller amount"),
            StakingError::StakeRateLimited { blocks_left } => r(
                format!(
                    "one stake move per coldkey, hotkey and stake interval, {}",
                    blocks(blocks_left)
                ),
                "try again after that many blocks",
            ),
            StakingError::InvalidParams => r(
                "a staking parameter is out of range",
                "stake interval and moves per interval are at least 1",
            ),
            StakingError::Upgrade(e) => e.explain(),
            StakingError::HotkeyNotOffered => r(
                "the hotkey has not consented to this coldkey",
                "sign `offer_hotkey` with the hotkey first (`neuron stake offer`; `neuron subnet register` does it for you)",
            ),
        }
    }
}

fn nested(prefix: &str, inner: Refusal) -> Refusal {
    r(format!("{prefix}: {}", inner.reason), inner.fix)
}

impl Explain for RegistryError {
    fn explain(&self) -> Refusal {
        match self {
            RegistryError::NotAdmin => r(
                "only the registry's admin may do this",
                "sign with the admin account",
            ),
            RegistryError::AlreadyConfigured => r("the registry is already wired", "nothing to do"),
            RegistryError::NotConfigured => r(
                "the registry is not wired yet",
                "finish the deployment (`scripts/deploy.sh`)",
            ),
            RegistryError::NotLedger => r(
                "only the consensus ledger may do this",
                "this happens in epochs",
            ),
            RegistryError::SubnetNotFound => {
                r("no subnet has this netuid", "see `neuron subnet list`")
            }
            RegistryError::RootNetwork => r(
                "not available on the root network (netuid 0)",
                "use `neuron root ...` for the root network",
            ),
            RegistryError::NotSubnetOwner => r(
                "only the subnet's owner may do this",
                "sign with the owner's coldkey",
            ),
            RegistryError::SubnetLimitReached { immune_for } => r(
                format!(
                    "the subnet limit is reached and every subnet is still immune for {immune_for} blocks"
                ),
                "try again once a subnet leaves its immunity",
            ),
            RegistryError::LockCostAboveMax { cost } => r(
                format!("the lock cost is {}, above your maximum", format_tao(*cost)),
                "raise --max-lock, or wait: the lock cost falls over time (`neuron subnet lock-cost`)",
            ),
            RegistryError::NetworkRateLimited { blocks_left } => r(
                format!(
                    "this coldkey created a subnet too recently, {}",
                    blocks(blocks_left)
                ),
                "try again later",
            ),
            RegistryError::RegistrationDisabled => r(
                "registration is switched off on this subnet",
                "ask the subnet owner, or choose another subnet",
            ),
            RegistryError::PowRegistrationDisabled => r(
                "proof-of-work registration is switched off on this subnet",
                "register with --burn",
            ),
            RegistryError::TooManyRegistrationsThisBlock => r(
                "this block's registration cap is reached",
                "try again next block",
            ),
            RegistryError::TooManyRegistrationsThisInterval { blocks_left } => r(
                format!(
                    "this interval's registration cap is reached, {}",
                    blocks(blocks_left)
                ),
                "try again in the next interval",
            ),
            RegistryError::HotkeyAlreadyRegistered => r(
                "the hotkey already holds a UID on this subnet",
                "nothing to do (`neuron metagraph NETUID` shows it)",
            ),
            RegistryError::PriceAboveMax { price } => r(
                format!(
                    "the registration price is {}, above your maximum",
                    format_tao(*price)
                ),
                "raise --max-price, or wait for the price to fall",
            ),
            RegistryError::NoUidAvailable => r(
                "the subnet admits no UIDs",
                "ask the subnet owner to raise max_allowed_uids",
            ),
            RegistryError::StaleWork => r(
                "the proof of work is for a block that is too old (or in the future)",
                "solve again: work is valid for 3 blocks",
            ),
            RegistryError::WorkAlreadyUsed => r("this work was already used", "solve again"),
            RegistryError::InvalidSeal => r(
                "the work does not match this hotkey, coldkey and seed (another registration may have changed the seed)",
                "solve again",
            ),
            RegistryError::DifficultyNotMet => r(
                "the work does not meet the difficulty",
                "solve again at the current difficulty",
            ),
            RegistryError::NotRegistered => r(
                "the hotkey is not registered on this subnet",
                "register it first: `neuron subnet register --netuid N --burn`",
            ),
            RegistryError::InvalidIpType => {
                r("the IP type must be 4 or 6", "pass an IPv4 or IPv6 address")
            }
            RegistryError::InvalidIp => r(
                "the IP is not a routable address (loopback and private addresses are refused unless the network allows local axons)",
                "serve on a public address",
            ),
            RegistryError::InvalidPort => {
                r("port 0 is not a port", "pass the port the axon listens on")
            }
            RegistryError::ServingRateLimited { blocks_left } => r(
                format!("axon updates are rate-limited, {}", blocks(blocks_left)),
                "try again later",
            ),
            RegistryError::InvalidHyperparam(f) => r(
                format!("{} is outside its bounds", hyperparam_name(*f)),
                format!("allowed: {}", hyperparam_bounds(*f)),
            ),
            RegistryError::RootOnlyHyperparam(f) => r(
                format!("only the network admin may change {}", hyperparam_name(*f)),
                "leave it unchanged",
            ),
            RegistryError::HyperparamsRateLimited { blocks_left } => r(
                format!(
                    "the owner changed hyperparameters too recently, {}",
                    blocks(blocks_left)
                ),
                "try again later",
            ),
            RegistryError::Token(e) => nested("the token refused", e.explain()),
            RegistryError::Staking(e) => nested("staking refused", e.explain()),
            RegistryError::CallFailed => r(
                "a call between the suite's contracts failed",
                "check the deployment file; retry later",
            ),
            RegistryError::Overflow => r("an amount overflowed", "use a smaller amount"),
            RegistryError::Upgrade(e) => e.explain(),
            RegistryError::GenesisClosed => r(
                "the genesis subnet can only be opened once, before any other subnet",
                "create a subnet with a lock instead (`neuron subnet create`)",
            ),
        }
    }
}

impl Explain for LedgerError {
    fn explain(&self) -> Refusal {
        match self {
            LedgerError::NotAdmin => r(
                "only the ledger's admin may do this",
                "sign with the admin account",
            ),
            LedgerError::AlreadyConfigured => r("the ledger is already wired", "nothing to do"),
            LedgerError::NotConfigured => r(
                "the ledger is not wired yet",
                "finish the deployment (`scripts/deploy.sh`)",
            ),
            LedgerError::NotRegistry => r(
                "only the subnet registry may call this",
                "this happens on subnet changes",
            ),
            LedgerError::RootNetworkWeights => r(
                "weights on the root network go through root weights",
                "use `neuron root weights`",
            ),
            LedgerError::LengthMismatch => {
                r("uids and values differ in length", "pass one value per UID")
            }
            LedgerError::SubnetNotFound => {
                r("no subnet has this netuid", "see `neuron subnet list`")
            }
            LedgerError::TooManyWeights => r(
                "more weights than the subnet has UIDs",
                "pass at most one weight per UID",
            ),
            LedgerError::NotRegistered => r(
                "the hotkey holds no UID on this subnet",
                "register it first: `neuron subnet register`",
            ),
            LedgerError::NotEnoughStake { stake, threshold } => r(
                format!(
                    "the hotkey's stake is {}, below the subnet's threshold of {}",
                    format_tao(*stake),
                    format_tao(*threshold)
                ),
                "stake more on it (`neuron stake add`); new stake counts once it matures",
            ),
            LedgerError::IncorrectVersionKey { required } => r(
                format!("the weights version key is older than the subnet's ({required})"),
                format!("update the validator, or pass --version-key {required}"),
            ),
            LedgerError::TooSoon { blocks_left } => r(
                format!("rate limit, {}", blocks(blocks_left)),
                "wait that many blocks (`neuron subnet hyperparams` shows weights_rate_limit)",
            ),
            LedgerError::NoValidatorPermit => r(
                "only validators (UIDs with a permit) may set weights on others",
                "stake more to earn a permit at the next epoch, or weight only your own UID",
            ),
            LedgerError::DuplicateUid => r("a UID appears twice", "pass each UID once"),
            LedgerError::UidOutOfRange => r(
                "a UID is not in the subnet",
                "see `neuron metagraph NETUID`",
            ),
            LedgerError::TooFewWeights { min } => r(
                format!("fewer weights than the subnet's minimum of {min}"),
                "weight more UIDs",
            ),
            LedgerError::MaxWeightExceeded => r(
                "one weight is above the subnet's max_weights_limit share",
                "spread the weights (the validator normalises them for you)",
            ),
            LedgerError::CommitRevealDisabled => r(
                "commit-reveal is off on this subnet",
                "use `neuron weights set`",
            ),
            LedgerError::CommitRevealEnabled => r(
                "commit-reveal is on on this subnet",
                "use `neuron weights commit`, then `neuron weights reveal`",
            ),
            LedgerError::TooManyPendingCommits => r(
                "the hotkey has the maximum number of unrevealed commits",
                "reveal (or let commits expire) before committing again",
            ),
            LedgerError::NoMatchingCommit => r(
                "no pending commit matches these weights, salt and version key",
                "reveal exactly what was committed (the validator keeps it in its state file)",
            ),
            LedgerError::RevealTooEarly { epochs_left } => r(
                format!("the reveal is too early, {epochs_left} epochs left"),
                "reveal after that many epochs",
            ),
            LedgerError::CommitExpired => r("the commit expired unrevealed", "commit again"),
            LedgerError::EpochNotDue { blocks_left } => r(
                format!("the epoch is not due, {}", blocks(blocks_left)),
                "run it then (`neuron epoch due` lists what is due)",
            ),
            LedgerError::SubnetTooLarge => {
                r("the subnet is too large for one epoch call", "report this")
            }
            LedgerError::NotRootMember => r(
                "only root network members may set root weights",
                "join with `neuron root register`",
            ),
            LedgerError::RootStakeTooLow => r(
                "the root network is full and the hotkey's stake is below every member's",
                "stake more on the hotkey",
            ),
            LedgerError::AlreadyRootMember => {
                r("the hotkey is already a root member", "nothing to do")
            }
            LedgerError::NotHotkeyOwner => r(
                "only the hotkey itself or its owning coldkey may do this",
                "sign with the hotkey or its coldkey",
            ),
            LedgerError::RootEpochNotDue { blocks_left } => r(
                format!("the root epoch is not due, {}", blocks(blocks_left)),
                "run it then",
            ),
            LedgerError::Token(e) => nested("the token refused", e.explain()),
            LedgerError::TransferFailed => r(
                "a TAO transfer out of the ledger failed",
                "report this with the transaction hash",
            ),
            LedgerError::Staking(e) => nested("staking refused", e.explain()),
            LedgerError::Registry(e) => nested("the registry refused", e.explain()),
            LedgerError::CallFailed => r(
                "a call between the suite's contracts failed",
                "check the deployment file; retry later",
            ),
            LedgerError::Overflow => r("an amount overflowed", "use a smaller amount"),
            LedgerError::CommitBeforeRegistration => r(
                "the commit was made before the hotkey's current registration",
                "commit again",
            ),
            LedgerError::RootStakeBelowMinimum { stake, minimum } => r(
                format!(
                    "joining the root network needs {} of stake; the hotkey has {}",
                    format_tao(*minimum),
                    format_tao(*stake)
                ),
                "stake more on the hotkey (`neuron stake add`)",
            ),
            LedgerError::Upgrade(e) => e.explain(),
            LedgerError::NotEpochsCode => r(
                "that code hash is not the ledger's epoch code (not uploaded, or another contract's code)",
                "upload the `ledger_epochs` bundle built with this ledger and pass its code hash",
            ),
            LedgerError::IsEpochsCode => r(
                "that code hash is the ledger's epoch code, not the ledger's own code",
                "change the epoch code with `announce_epochs_code` and `set_epochs_code`",
            ),
            LedgerError::EpochsCodeOutdated => r(
                "the ledger's code was upgraded and its epoch code was not yet",
                "the admin sets the epoch code built with this ledger (`set_epochs_code`)",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_limit_says_how_long_to_wait() {
        let e = LedgerError::TooSoon { blocks_left: 37 }.explain();
        assert_eq!(e.reason, "rate limit, 37 blocks left");
        let e = RegistryError::Staking(StakingError::HotkeyNotOffered).explain();
        assert!(
            e.reason
                .starts_with("staking refused: the hotkey has not consented")
        );
        assert!(e.fix.contains("offer"));
        let e = RegistryError::PriceAboveMax {
            price: 1_500_000_000,
        }
        .explain();
        assert!(e.reason.contains("1.5 TAO"), "{}", e.reason);
    }
}
