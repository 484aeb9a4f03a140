//! The admin role of a protocol contract: wires the contract once, tunes root-only
//! parameters and may upgrade code, but only in the open: an upgrade is announced (an
//! `UpgradeAnnounced` event), can be cancelled, and takes effect no sooner than
//! [`UPGRADE_DELAY`] blocks later, which leaves every staker and subnet owner time to read
//! the new code and leave. Transferable (to a governance contract later) and renounceable
//! (then nobody holds it, and the code can never change again).
use crate::{AccountId, BlockNumber};
use ink::primitives::Hash;

/// Blocks between announcing a code upgrade and applying it: a week of 12-second blocks.
pub const UPGRADE_DELAY: BlockNumber = 50_400;

/// An announced code upgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct PendingUpgrade {
    pub code_hash: Hash,
    /// The first block at which `set_code` may apply it.
    pub effective_at: BlockNumber,
}

/// Why an upgrade message was refused.
// scale-info's derive casts variant indices to u8, which the contract lint set flags.
#[allow(clippy::cast_possible_truncation)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum UpgradeError {
    /// Only the admin may announce, cancel or apply an upgrade.
    NotAdmin,
    /// `set_code` applies only the announced code hash: announce this one first.
    NotAnnounced,
    /// The announced upgrade may be applied in this many blocks.
    NotDue { blocks_left: BlockNumber },
}

/// A code upgrade was announced (`code_hash: Some`) or cancelled (`None`).
#[ink::event]
pub struct UpgradeAnnounced {
    pub code_hash: Option<Hash>,
    pub effective_at: BlockNumber,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct AdminRole {
    holder: Option<AccountId>,
    upgrade: Option<PendingUpgrade>,
}

impl AdminRole {
    pub fn new(holder: AccountId) -> Self {
        Self { holder: Some(holder), upgrade: None }
    }

    pub fn pending_upgrade(&self) -> Option<PendingUpgrade> {
        self.upgrade
    }

    /// Announces `code_hash` (replacing any earlier announcement) or, with `None`, cancels.
    pub fn announce_upgrade(&mut self, caller: AccountId, code_hash: Option<Hash>, block: BlockNumber) -> Result<UpgradeAnnounced, UpgradeError> {
        let mut slot = self.upgrade;
        let announced = self.announce_in(&mut slot, caller, code_hash, block)?;
        self.upgrade = slot;
        Ok(announced)
    }

    /// Consumes the announcement of `code_hash` if it is due; the caller then swaps the code.
    pub fn take_due_upgrade(&mut self, caller: AccountId, code_hash: Hash, block: BlockNumber) -> Result<(), UpgradeError> {
        let mut slot = self.upgrade;
        self.take_due_in(&mut slot, caller, code_hash, block)?;
        self.upgrade = slot;
        Ok(())
    }

    /// `announce_upgrade` for another code a contract runs (kept in `slot`, with the same delay).
    pub fn announce_in(
        &self,
        slot: &mut Option<PendingUpgrade>,
        caller: AccountId,
        code_hash: Option<Hash>,
        block: BlockNumber,
    ) -> Result<UpgradeAnnounced, UpgradeError> {
        if !self.is(caller) {
            return Err(UpgradeError::NotAdmin);
        }
        let effective_at = block.saturating_add(UPGRADE_DELAY);
        *slot = code_hash.map(|code_hash| PendingUpgrade { code_hash, effective_at });
        Ok(UpgradeAnnounced { code_hash, effective_at })
    }

    /// `take_due_upgrade` for an announcement kept in `slot`.
    pub fn take_due_in(
        &self,
        slot: &mut Option<PendingUpgrade>,
        caller: AccountId,
        code_hash: Hash,
        block: BlockNumber,
    ) -> Result<(), UpgradeError> {
        if !self.is(caller) {
            return Err(UpgradeError::NotAdmin);
        }
        let pending = slot.filter(|p| p.code_hash == code_hash).ok_or(UpgradeError::NotAnnounced)?;
        if block < pending.effective_at {
            return Err(UpgradeError::NotDue { blocks_left: pending.effective_at.saturating_sub(block) });
        }
        *slot = None;
        Ok(())
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

    /// Gives the role up for good (the caller must hold it); a pending upgrade dies with it.
    pub fn renounce(&mut self, caller: AccountId) -> bool {
        if !self.is(caller) {
            return false;
        }
        self.holder = None;
        self.upgrade = None;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acc(n: u8) -> AccountId {
        AccountId::from([n; 32])
    }

    #[test]
    fn an_upgrade_applies_only_as_announced_and_after_the_delay() {
        let (admin, thief) = (acc(1), acc(2));
        let (good, bad) = (Hash::from([7; 32]), Hash::from([9; 32]));
        let mut role = AdminRole::new(admin);
        assert_eq!(role.take_due_upgrade(admin, good, 10), Err(UpgradeError::NotAnnounced), "no upgrade at once");
        assert_eq!(role.announce_upgrade(thief, Some(bad), 10).err(), Some(UpgradeError::NotAdmin));
        let announced = role.announce_upgrade(admin, Some(good), 10).unwrap();
        assert_eq!((announced.code_hash, announced.effective_at), (Some(good), 10 + UPGRADE_DELAY));
        assert_eq!(role.take_due_upgrade(admin, bad, 10 + UPGRADE_DELAY), Err(UpgradeError::NotAnnounced));
        assert_eq!(role.take_due_upgrade(admin, good, 11), Err(UpgradeError::NotDue { blocks_left: UPGRADE_DELAY - 1 }));
        assert_eq!(role.take_due_upgrade(admin, good, 10 + UPGRADE_DELAY), Ok(()));
        assert_eq!(role.take_due_upgrade(admin, good, 10 + UPGRADE_DELAY), Err(UpgradeError::NotAnnounced), "used once");
    }

    #[test]
    fn a_cancelled_or_renounced_upgrade_never_applies() {
        let admin = acc(1);
        let code = Hash::from([7; 32]);
        let mut role = AdminRole::new(admin);
        role.announce_upgrade(admin, Some(code), 0).unwrap();
        assert_eq!(role.announce_upgrade(admin, None, 5).unwrap().code_hash, None);
        assert_eq!(role.take_due_upgrade(admin, code, UPGRADE_DELAY * 2), Err(UpgradeError::NotAnnounced));
        role.announce_upgrade(admin, Some(code), 0).unwrap();
        assert!(role.renounce(admin));
        assert_eq!(role.pending_upgrade(), None);
        assert_eq!(role.take_due_upgrade(admin, code, UPGRADE_DELAY), Err(UpgradeError::NotAdmin));
    }
}
