//! The ledger's ink! events.
use bt_interfaces::{AccountId, Balance, BlockNumber};
use ink::primitives::Hash;

#[ink::event]
pub struct WeightsSet {
    #[ink(topic)]
    pub netuid: u16,
    pub uid: u16,
}

#[ink::event]
pub struct WeightsCommitted {
    #[ink(topic)]
    pub netuid: u16,
    #[ink(topic)]
    pub hotkey: AccountId,
    pub hash: [u8; 32],
}

#[ink::event]
pub struct EpochRun {
    #[ink(topic)]
    pub netuid: u16,
    pub block: BlockNumber,
    pub emission: Balance,
    pub owner_cut: Balance,
    pub paid: Balance,
}

#[ink::event]
pub struct RootEpochRun {
    pub block: BlockNumber,
    pub voted: bool,
}

#[ink::event]
pub struct RootMemberAdded {
    #[ink(topic)]
    pub hotkey: AccountId,
    pub replaced: Option<AccountId>,
}

/// A change of the ledger's epoch code was announced (`code_hash: Some`) or cancelled; it
/// may be applied with `set_epochs_code` from `effective_at` on.
#[ink::event]
pub struct EpochsCodeAnnounced {
    pub code_hash: Option<Hash>,
    pub effective_at: BlockNumber,
}
