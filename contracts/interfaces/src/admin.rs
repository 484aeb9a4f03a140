//! The admin role of a protocol contract: wires the contract once, tunes root-only
//! parameters and may upgrade code. Transferable (to a governance contract later) and
//! renounceable (then nobody holds it, for good).
use crate::AccountId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct AdminRole {
    holder: Option<AccountId>,
}

impl AdminRole {
    pub fn new(holder: AccountId) -> Self {
        Self { holder: Some(holder) }
    }

    pub fn holder(&self) -> Option<AccountId> {
        self.holder
    }

    pub fn is(&self, caller: AccountId) -> bool {
        self.holder == Some(caller)
    }

    /// Hands the role to `to` (the caller must hold it).
    pub fn transfer(&mut self, caller: AccountId, to: AccountId) -> bool {
        if !self.is(caller) {
            return false;
        }
        self.holder = Some(to);
        true
    }

    /// Gives the role up for good (the caller must hold it).
    pub fn renounce(&mut self, caller: AccountId) -> bool {
        if !self.is(caller) {
            return false;
        }
        self.holder = None;
        true
    }
}
