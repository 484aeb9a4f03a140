//! The staking contract's ink! events.
use bt_interfaces::{AccountId, Balance, BlockNumber};

/// A hotkey consented to be owned by a coldkey.
#[ink::event]
pub struct HotkeyOffered {
    #[ink(topic)]
    pub hotkey: AccountId,
    #[ink(topic)]
    pub coldkey: AccountId,
}

#[ink::event]
pub struct HotkeyBound {
    #[ink(topic)]
    pub hotkey: AccountId,
    #[ink(topic)]
    pub coldkey: AccountId,
}

#[ink::event]
pub struct StakeAdded {
    #[ink(topic)]
    pub coldkey: AccountId,
    #[ink(topic)]
    pub hotkey: AccountId,
    pub amount: Balance,
    /// The block from which this stake counts for consensus and earns dividends.
    pub mature_at: BlockNumber,
}

#[ink::event]
pub struct StakeRemoved {
    #[ink(topic)]
    pub coldkey: AccountId,
    #[ink(topic)]
    pub hotkey: AccountId,
    pub amount: Balance,
    pub shares: u128,
}

#[ink::event]
pub struct TakeChanged {
    #[ink(topic)]
    pub hotkey: AccountId,
    pub take: u16,
}

#[ink::event]
pub struct Distributed {
    pub payouts: u32,
    pub total: Balance,
}
