//! The subnet registry's types (hyperparameters, neurons, axons), typed errors, and the view
//! the consensus ledger reads.
use crate::{AccountId, Balance, BlockNumber, StakingError, TokenError};
use ink::prelude::vec::Vec;

/// The root network's netuid; user subnets are 1..=65534.
pub const ROOT_NETUID: u16 = 0;
/// Most neurons in one `neurons_page` answer.
pub const NEURONS_PAGE: u16 = 256;
/// Most neurons in one `neuron_axons_page` answer (a page of slots with axons stays within
/// ink!'s 16 KiB buffer for call data).
pub const NEURON_AXONS_PAGE: u16 = 128;
/// Hard ceiling for `max_allowed_uids`: the largest subnet one `run_epoch` call handles
/// (a full weight row of 1,024 UIDs is 4 KiB, well inside the 16 KiB storage cell limit).
pub const MAX_UIDS_CEILING: u16 = 1024;

/// A subnet's hyperparameters (spec/economics.md §3, classic single-token model). Each field
/// is either owner-settable within bounds or root-only; see the registry's `hyperparams` module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Hyperparams {
    // -- consensus --
    pub tempo: u16,
    pub kappa: u16,
    pub rho: u16,
    pub bonds_moving_average: u64,
    pub bonds_penalty: u16,
    pub yuma3: bool,
    pub liquid_alpha: bool,
    pub alpha_low: u16,
    pub alpha_high: u16,
    pub alpha_sigmoid_steepness: i16,
    pub activity_cutoff: u32,
    pub max_allowed_validators: u16,
    pub stake_threshold: u64,
    // -- weights --
    pub min_allowed_weights: u16,
    pub max_weights_limit: u16,
    pub weights_version_key: u64,
    pub weights_rate_limit: u32,
    pub commit_reveal_enabled: bool,
    pub reveal_period_epochs: u16,
    // -- registration --
    pub registration_allowed: bool,
    pub pow_registration_allowed: bool,
    pub max_allowed_uids: u16,
    pub min_allowed_uids: u16,
    pub immunity_period: u32,
    pub target_regs_per_interval: u16,
    pub adjustment_interval: u32,
    pub adjustment_alpha: u64,
    pub max_regs_per_block: u16,
    pub min_burn: Balance,
    pub max_burn: Balance,
    pub min_difficulty: u64,
    pub max_difficulty: u64,
    // -- serving --
    pub serving_rate_limit: u32,
}

/// Names a hyperparameter in errors, so a refusal says which field is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum HyperparamField {
    Tempo,
    Kappa,
    Rho,
    BondsMovingAverage,
    BondsPenalty,
    Yuma3,
    LiquidAlpha,
    AlphaLow,
    AlphaHigh,
    AlphaSigmoidSteepness,
    ActivityCutoff,
    MaxAllowedValidators,
    StakeThreshold,
    MinAllowedWeights,
    MaxWeightsLimit,
    WeightsVersionKey,
    WeightsRateLimit,
    CommitRevealEnabled,
    RevealPeriodEpochs,
    RegistrationAllowed,
    PowRegistrationAllowed,
    MaxAllowedUids,
    MinAllowedUids,
    ImmunityPeriod,
    TargetRegsPerInterval,
    AdjustmentInterval,
    AdjustmentAlpha,
    MaxRegsPerBlock,
    MinBurn,
    MaxBurn,
    MinDifficulty,
    MaxDifficulty,
    ServingRateLimit,
}

/// Typed errors of the subnet registry.
// scale-info's derive casts variant indices to u8, which the contract lint set flags.
#[allow(clippy::cast_possible_truncation)]
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum RegistryError {
    /// Only the admin may do this.
    NotAdmin,
    /// The registry is already wired; its addresses never change.
    AlreadyConfigured,
    /// The registry is not wired yet.
    NotConfigured,
    /// Only the consensus ledger may do this.
    NotLedger,
    /// No subnet has this netuid.
    SubnetNotFound,
    /// This operation is not available on the root network (netuid 0).
    RootNetwork,
    /// Only the subnet's owner may do this.
    NotSubnetOwner,
    /// The subnet limit is reached and every subnet is still immune.
    SubnetLimitReached { immune_for: BlockNumber },
    /// The lock cost is above the caller's `max_lock`.
    LockCostAboveMax { cost: Balance },
    /// The coldkey created a subnet too recently.
    NetworkRateLimited { blocks_left: BlockNumber },
    /// Registration is switched off on this subnet.
    RegistrationDisabled,
    /// Proof-of-work registration is switched off on this subnet.
    PowRegistrationDisabled,
    /// The per-block registration cap is reached; try next block.
    TooManyRegistrationsThisBlock,
    /// The per-interval cap (3 × target) is reached; this many blocks until the next interval.
    TooManyRegistrationsThisInterval { blocks_left: BlockNumber },
    /// The hotkey already holds a UID on this subnet.
    HotkeyAlreadyRegistered,
    /// The registration price is above the caller's `max_price`.
    PriceAboveMax { price: Balance },
    /// The subnet admits no UIDs (max_allowed_uids is 0).
    NoUidAvailable,
    /// The work's block is in the future or older than 3 blocks.
    StaleWork,
    /// This work was already used for a registration.
    WorkAlreadyUsed,
    /// The work does not match the seal of (block, nonce, hotkey).
    InvalidSeal,
    /// The seal does not meet the subnet's difficulty.
    DifficultyNotMet,
    /// The hotkey is not registered on this subnet.
    NotRegistered,
    /// `ip_type` must be 4 or 6.
    InvalidIpType,
    /// The IP is not a routable address for this ip_type.
    InvalidIp,
    /// Port 0 is not a port.
    InvalidPort,
    /// Serving is rate-limited; this many blocks remain.
    ServingRateLimited { blocks_left: BlockNumber },
    /// A hyperparameter is outside its bounds.
    InvalidHyperparam(HyperparamField),
    /// Only the admin (root) may change this hyperparameter.
    RootOnlyHyperparam(HyperparamField),
    /// The owner changed hyperparameters too recently.
    HyperparamsRateLimited { blocks_left: BlockNumber },
    /// A token call failed (e.g. the balance is below the price).
    Token(TokenError),
    /// Binding the hotkey in staking failed (e.g. another coldkey owns it).
    Staking(StakingError),
    /// A cross-contract call could not be made.
    CallFailed,
    /// Arithmetic overflow (reported instead of panicking).
    Overflow,
    /// A code upgrade was refused (see `UpgradeError`).
    Upgrade(crate::UpgradeError),
    /// The genesis subnet can only be created once, before any other subnet.
    GenesisClosed,
}

/// A UID's occupant: what the epoch needs per neuron.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct NeuronSlot {
    pub hotkey: AccountId,
    pub registered_at: BlockNumber,
}

/// Where a neuron serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct AxonInfo {
    pub block: BlockNumber,
    pub version: u32,
    /// IPv4 in the low 32 bits, or IPv6.
    pub ip: u128,
    pub port: u16,
    pub ip_type: u8,
    pub protocol: u8,
}

/// A subnet as the ledger and clients see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct SubnetView {
    pub netuid: u16,
    pub owner: AccountId,
    pub owner_hotkey: AccountId,
    pub created_at: BlockNumber,
    pub n: u16,
    pub locked: Balance,
    pub hyperparams: Hyperparams,
}

/// What the ledger reads from the registry.
#[ink::trait_definition]
pub trait RegistryView {
    /// The subnet, its owner and hyperparameters.
    #[ink(message)]
    fn subnet(&self, netuid: u16) -> Option<SubnetView>;

    /// UIDs `start .. start + NEURONS_PAGE` (fewer at the end).
    #[ink(message)]
    fn neurons_page(&self, netuid: u16, start: u16) -> Vec<NeuronSlot>;

    /// The UID of `hotkey` on `netuid`.
    #[ink(message)]
    fn uid_of(&self, netuid: u16, hotkey: AccountId) -> Option<u16>;

    /// The UID and registration of `hotkey` on `netuid`.
    #[ink(message)]
    fn slot_of(&self, netuid: u16, hotkey: AccountId) -> Option<(u16, NeuronSlot)>;

    /// Every user subnet (oldest first) with whether registration is open on it.
    #[ink(message)]
    fn netuids_open(&self) -> Vec<(u16, bool)>;

    /// UIDs `start .. start + NEURON_AXONS_PAGE` with their axons and pruning scores (one
    /// read per neuron and per axon: the metagraph's single call to the registry).
    #[ink(message)]
    fn neuron_axons_page(&self, netuid: u16, start: u16) -> Vec<(NeuronSlot, Option<AxonInfo>, u16)>;
}

/// What the ledger tells the registry. The registry owns the pruning scores (it prunes by
/// them); the ledger computes them each epoch and keeps no copy.
#[ink::trait_definition]
pub trait RegistryHooks {
    /// Ledger only: the pruning scores of the epoch that just ran, one per UID.
    #[ink(message)]
    fn set_pruning_scores(&mut self, netuid: u16, scores: Vec<u16>) -> Result<(), RegistryError>;
}
