//! The registry's ink! events.
use bt_interfaces::{AccountId, Balance};

#[ink::event]
pub struct SubnetCreated {
    #[ink(topic)]
    pub netuid: u16,
    #[ink(topic)]
    pub owner: AccountId,
    pub lock: Balance,
}

#[ink::event]
pub struct SubnetDissolved {
    #[ink(topic)]
    pub netuid: u16,
    pub owner: AccountId,
    pub refund: Balance,
}

#[ink::event]
pub struct NeuronRegistered {
    #[ink(topic)]
    pub netuid: u16,
    pub uid: u16,
    #[ink(topic)]
    pub hotkey: AccountId,
    pub replaced: Option<AccountId>,
    pub price: Balance,
}

#[ink::event]
pub struct AxonServed {
    #[ink(topic)]
    pub netuid: u16,
    #[ink(topic)]
    pub hotkey: AccountId,
}

#[ink::event]
pub struct HyperparamsSet {
    #[ink(topic)]
    pub netuid: u16,
}
