//! Helpers shared by the staking test files.
#![allow(dead_code)]
use bt_interfaces::AccountId;

pub fn acc(n: u8) -> AccountId {
    AccountId::from([n; 32])
}

