//! The token's ink! events. `Transfer` and `Approval` have the PSP22 standard's names and
//! field types, so their signature topics are the standard's.
use bt_interfaces::{AccountId, Balance, BlockNumber};
use ink::prelude::vec::Vec;
use ink::primitives::Hash;

#[ink::event]
pub struct Transfer {
    #[ink(topic)]
    pub from: Option<AccountId>,
    #[ink(topic)]
    pub to: Option<AccountId>,
    pub value: Balance,
}

#[ink::event]
pub struct Approval {
    #[ink(topic)]
    pub owner: AccountId,
    #[ink(topic)]
    pub spender: AccountId,
    pub amount: Balance,
}

#[ink::event]
pub struct Configured {
    #[ink(topic)]
    pub minter: AccountId,
    pub protocol: Vec<AccountId>,
}

#[ink::event]
pub struct EmissionMinted {
    #[ink(topic)]
    pub to: AccountId,
    pub amount: Balance,
    pub from_block: BlockNumber,
    pub to_block: BlockNumber,
}

/// `holder` lets `protocol` move its TAO while `protocol` runs `code_hash`.
#[ink::event]
pub struct ProtocolCodeAccepted {
    #[ink(topic)]
    pub holder: AccountId,
    #[ink(topic)]
    pub protocol: AccountId,
    pub code_hash: Option<Hash>,
}
