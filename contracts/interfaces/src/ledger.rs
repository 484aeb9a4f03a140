//! The consensus ledger's types, typed errors and the hooks the registry calls.
use crate::{AccountId, Balance, BlockNumber, RegistryError, StakingError, TokenError};
use ink::prelude::vec::Vec;

/// Most pending (unrevealed) weight commits per hotkey and subnet.
pub const MAX_PENDING_COMMITS: u32 = 10;
/// Most members of the root network (root validators).
pub const MAX_ROOT_MEMBERS: u32 = 64;

/// Typed errors of the consensus ledger, one per refusal, in the order `set_weights` checks.
// scale-info's derive casts variant indices to u8, which the contract lint set flags.
#[allow(clippy::cast_possible_truncation)]
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum LedgerError {
    /// Only the admin may do this.
    NotAdmin,
    /// The ledger is already wired; its addresses never change.
    AlreadyConfigured,
    /// The ledger is not wired yet.
    NotConfigured,
    /// Only the subnet registry may call this.
    NotRegistry,
    /// Weights on the root network go through `set_root_weights`.
    RootNetworkWeights,
    /// `uids` and `values` differ in length.
    LengthMismatch,
    /// No subnet has this netuid.
    SubnetNotFound,
    /// More weights than the subnet has UIDs.
    TooManyWeights,
    /// The caller's hotkey holds no UID on this subnet.
    NotRegistered,
    /// The hotkey's stake is below the subnet's stake threshold.
    NotEnoughStake { stake: Balance, threshold: Balance },
    /// `version_key` is older than the subnet's weights version key.
    IncorrectVersionKey { required: u64 },
    /// Weights (or commits) are rate-limited; this many blocks remain.
    TooSoon { blocks_left: BlockNumber },
    /// Only validators (UIDs with a permit) may set weights on others.
    NoValidatorPermit,
    /// A UID appears twice.
    DuplicateUid,
    /// A UID is not below the subnet's n.
    UidOutOfRange,
    /// Fewer weights than the subnet's min_allowed_weights.
    TooFewWeights { min: u16 },
    /// One weight exceeds the subnet's max_weights_limit share.
    MaxWeightExceeded,
    /// Commit-reveal is switched off on this subnet: use `set_weights`.
    CommitRevealDisabled,
    /// Commit-reveal is switched on on this subnet: commit, then reveal.
    CommitRevealEnabled,
    /// The hotkey has the maximum number of unrevealed commits.
    TooManyPendingCommits,
    /// No pending commit matches the revealed weights.
    NoMatchingCommit,
    /// The matching commit's reveal epoch has not come yet.
    RevealTooEarly { epochs_left: u64 },
    /// The matching commit expired unrevealed.
    CommitExpired,
    /// The subnet's epoch is not due yet; this many blocks remain.
    EpochNotDue { blocks_left: BlockNumber },
    /// The subnet is too large for one epoch call.
    SubnetTooLarge,
    /// Only root network members may set root weights.
    NotRootMember,
    /// The root network is full and the hotkey's stake is below every member's.
    RootStakeTooLow,
    /// The hotkey is already a root member.
    AlreadyRootMember,
    /// Only the hotkey itself or its owning coldkey may do this.
    NotHotkeyOwner,
    /// The root epoch is not due yet; this many blocks remain.
    RootEpochNotDue { blocks_left: BlockNumber },
    /// A token call failed.
    Token(TokenError),
    /// A token transfer out of the ledger failed.
    TransferFailed,
    /// A staking call failed.
    Staking(StakingError),
    /// A registry call failed.
    Registry(RegistryError),
    /// A cross-contract call could not be made.
    CallFailed,
    /// Arithmetic overflow (reported instead of panicking).
    Overflow,
    /// The commit was made before the hotkey's current registration: weights decided for an
    /// earlier registration never reach this one.
    CommitBeforeRegistration,
    /// Joining the root network needs at least `minimum` stake.
    RootStakeBelowMinimum { stake: Balance, minimum: Balance },
    /// A code upgrade was refused (see `UpgradeError`).
    Upgrade(crate::UpgradeError),
    /// The code hash is not the ledger's epoch code: upload the `ledger_epochs` bundle built
    /// with this ledger and pass its code hash.
    NotEpochsCode,
    /// `set_code` was given the epoch code's hash: the epoch code changes with
    /// `announce_epochs_code` and `set_epochs_code`.
    IsEpochsCode,
    /// The epoch code was checked by an earlier version of the ledger's code: announce and set
    /// the epoch code built with this version (`set_epochs_code`).
    EpochsCodeOutdated,
}

/// What the registry tells the ledger about subnets, so emission accrues from creation and
/// stops at dissolution.
#[ink::trait_definition]
pub trait SubnetHooks {
    /// Registry only: a subnet was created at `block`.
    #[ink(message)]
    fn subnet_created(&mut self, netuid: u16, block: BlockNumber) -> Result<(), LedgerError>;

    /// Each subnet's current emission share (0 for an unknown netuid), for pruning at the
    /// subnet limit.
    #[ink(message)]
    fn emission_shares(&self, netuids: Vec<u16>) -> Vec<u128>;

    /// Registry only: registration on `netuid` was switched on or off. Emission is settled at
    /// the old shares before the subnet's share changes.
    #[ink(message)]
    fn registration_switched(&mut self, netuid: u16, allowed: bool) -> Result<(), LedgerError>;

    /// Registry only: a subnet was dissolved; its unpaid emission returns to the pool.
    #[ink(message)]
    fn subnet_dissolved(&mut self, netuid: u16) -> Result<(), LedgerError>;
}

/// One UID's row of a subnet's metagraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct MetagraphEntry {
    pub uid: u16,
    pub hotkey: AccountId,
    pub registered_at: BlockNumber,
    pub stake: Balance,
    pub last_update: BlockNumber,
    pub active: bool,
    pub validator_permit: bool,
    pub stake_weight: u16,
    pub consensus: u16,
    pub incentive: u16,
    pub dividends: u16,
    pub validator_trust: u16,
    pub emission: u64,
    pub pruning_score: u16,
    pub axon: Option<crate::AxonInfo>,
}
