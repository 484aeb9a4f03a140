//! The staking contract's protocol surface and types.
use crate::{AccountId, Balance, BlockNumber, TokenError};
use ink::prelude::vec::Vec;

/// Typed errors of the staking contract.
// scale-info's derive casts variant indices to u8, which the contract lint set flags.
#[allow(clippy::cast_possible_truncation)]
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum StakingError {
    /// Only the admin may do this.
    NotAdmin,
    /// The contract is already wired; its addresses never change.
    AlreadyConfigured,
    /// The contract is not wired yet.
    NotConfigured,
    /// Only the subnet registry may bind hotkey owners.
    NotRegistry,
    /// Only the consensus ledger may distribute emission.
    NotLedger,
    /// The hotkey has no owner yet: register it on a subnet or `claim_hotkey` it first.
    HotkeyNotOwned,
    /// The hotkey already belongs to another coldkey.
    HotkeyOwnedByAnother,
    /// Only the hotkey's owner may do this.
    NotHotkeyOwner,
    /// The coldkey owns the maximum number of hotkeys.
    TooManyHotkeys,
    /// The coldkey has stake on the maximum number of hotkeys.
    TooManyPositions,
    /// The amount is below the minimum stake (see `params().min_stake`).
    AmountBelowMinimum,
    /// The position holds less stake than requested.
    InsufficientStake,
    /// The take is above the maximum (18%).
    TakeTooHigh,
    /// `increase_take` needs a higher take, `decrease_take` a lower one.
    TakeUnchanged,
    /// Take increases are rate-limited; this many blocks remain.
    TakeRateLimited { blocks_left: BlockNumber },
    /// A distribution batch is larger than `MAX_PAYOUTS`.
    TooManyPayouts,
    /// A token call failed (e.g. the caller's balance is too low to stake).
    Token(TokenError),
    /// A token transfer out of the staking contract failed.
    TransferFailed,
    /// A cross-contract call could not be made.
    CallFailed,
    /// Arithmetic overflow (reported instead of panicking).
    Overflow,
    /// One stake move (add or remove) per coldkey, hotkey and stake interval
    /// (`params().moves_per_interval`); the next is allowed in this many blocks.
    StakeRateLimited { blocks_left: BlockNumber },
    /// A parameter is out of range (stake interval and moves per interval are at least 1).
    InvalidParams,
    /// A code upgrade was refused (see `UpgradeError`).
    Upgrade(crate::UpgradeError),
    /// The hotkey has not consented to this coldkey: sign `offer_hotkey(coldkey)` with the
    /// hotkey first.
    HotkeyNotOffered,
}

/// One UID's share of an epoch: `incentive` is auto-staked for the hotkey's owner;
/// `dividends` pay the owner's take and then grow the hotkey's pool (all nominators).
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct Payout {
    pub hotkey: AccountId,
    /// The UID the hotkey holds on the paying subnet (where incentive-only payouts wait).
    pub uid: u16,
    pub incentive: Balance,
    pub dividends: Balance,
}

/// At most this many payouts in one `distribute` call (the ledger pages larger epochs; 128
/// payouts of 66 bytes stay within ink!'s 16 KiB call buffer).
pub const MAX_PAYOUTS: u32 = 128;
/// At most this many hotkeys in one `stakes` query.
pub const MAX_STAKE_QUERY: u32 = 256;

/// What the registry and the ledger need from staking.
#[ink::trait_definition]
pub trait StakingProtocol {
    /// Registry only: makes `coldkey` the owner of `hotkey` if it has none and the hotkey
    /// offered itself to `coldkey`. Fails with `HotkeyOwnedByAnother` if another coldkey owns
    /// it, `HotkeyNotOffered` without the hotkey's consent.
    #[ink(message)]
    fn bind_owner(&mut self, hotkey: AccountId, coldkey: AccountId) -> Result<(), StakingError>;

    /// The coldkey that owns `hotkey`.
    #[ink(message)]
    fn owner_of(&self, hotkey: AccountId) -> Option<AccountId>;

    /// The stake on each hotkey that counts for consensus now: matured stake only, so stake
    /// added just before an epoch neither weighs in it nor earns from it (at most
    /// `MAX_STAKE_QUERY` hotkeys).
    #[ink(message)]
    fn stakes(&self, hotkeys: Vec<AccountId>) -> Vec<Balance>;

    /// `stakes` of the hotkeys holding UIDs `start..` of `netuid`, in UID order: the same
    /// figures, cheaper for miners whose only stake is incentive waiting on that subnet.
    #[ink(message)]
    fn uid_stakes(&self, netuid: u16, start: u16, hotkeys: Vec<AccountId>) -> Vec<Balance>;

    /// Ledger only: credits `netuid`'s `payouts` (in ascending UID order) and returns their
    /// sum, which the ledger transfers to staking in the same transaction (payouts to unowned
    /// hotkeys are skipped).
    #[ink(message)]
    fn distribute(&mut self, netuid: u16, payouts: Vec<Payout>) -> Result<Balance, StakingError>;
}
