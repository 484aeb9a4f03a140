//! Commit-reveal of weights, hash scheme (spec/economics.md §7.2, CR v2).
//!
//! A validator commits `blake2_256(SCALE(hotkey, netuid, uids, values, salt, version_key))`
//! during subnet epoch `e`, and reveals the plain weights when the subnet's epoch counter is
//! exactly `e + reveal_period_epochs`; later, the commit has expired. Revealing a commit
//! discards it and every older one. At most `MAX_PENDING_COMMITS` wait per hotkey and subnet;
//! expired ones are purged before a new commit is counted.
use bt_interfaces::{AccountId, BlockNumber, LedgerError, MAX_PENDING_COMMITS};
use ink::env::hash::Blake2x256;
use ink::prelude::vec::Vec;
use ink::scale::Encode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Commit {
    pub hash: [u8; 32],
    pub epoch: u64,
    pub block: BlockNumber,
}

/// The hash a validator commits to; off-chain code computes it with this same function.
pub fn commit_hash(hotkey: &AccountId, netuid: u16, uids: &[u16], values: &[u16], salt: &[u16], version_key: u64) -> [u8; 32] {
    let encoded = (hotkey, netuid, uids, values, salt, version_key).encode();
    let mut out = [0u8; 32];
    ink::env::hash_bytes::<Blake2x256>(&encoded, &mut out);
    out
}

fn expired(c: &Commit, current_epoch: u64, period: u16) -> bool {
    current_epoch > c.epoch.saturating_add(u64::from(period))
}

/// Adds a commit made in `current_epoch` at `block`.
pub fn commit(
    pending: &mut Vec<Commit>,
    hash: [u8; 32],
    current_epoch: u64,
    period: u16,
    block: BlockNumber,
) -> Result<(), LedgerError> {
    pending.retain(|c| !expired(c, current_epoch, period));
    if pending.len() >= usize::try_from(MAX_PENDING_COMMITS).unwrap_or(usize::MAX) {
        return Err(LedgerError::TooManyPendingCommits);
    }
    pending.push(Commit { hash, epoch: current_epoch, block });
    Ok(())
}

/// Consumes the commit matching `hash` if its reveal epoch is `current_epoch`; returns it.
pub fn reveal(pending: &mut Vec<Commit>, hash: &[u8; 32], current_epoch: u64, period: u16) -> Result<Commit, LedgerError> {
    let position = pending.iter().position(|c| &c.hash == hash).ok_or(LedgerError::NoMatchingCommit)?;
    let found = pending.get(position).copied().ok_or(LedgerError::NoMatchingCommit)?;
    let reveal_epoch = found.epoch.saturating_add(u64::from(period));
    if current_epoch < reveal_epoch {
        return Err(LedgerError::RevealTooEarly { epochs_left: reveal_epoch.saturating_sub(current_epoch) });
    }
    if expired(&found, current_epoch, period) {
        return Err(LedgerError::CommitExpired);
    }
    pending.drain(..=position);
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(n: u8) -> [u8; 32] {
        [n; 32]
    }

    #[test]
    fn reveal_only_in_the_reveal_epoch() {
        let mut p = Vec::new();
        commit(&mut p, h(1), 5, 1, 100).unwrap();
        assert_eq!(reveal(&mut p, &h(1), 5, 1), Err(LedgerError::RevealTooEarly { epochs_left: 1 }));
        assert_eq!(reveal(&mut p, &h(2), 6, 1), Err(LedgerError::NoMatchingCommit));
        assert_eq!(reveal(&mut p, &h(1), 7, 1), Err(LedgerError::CommitExpired));
        assert_eq!(reveal(&mut p, &h(1), 6, 1).map(|c| c.block), Ok(100));
        assert!(p.is_empty());
    }

    #[test]
    fn revealing_drops_older_commits_and_caps_pending() {
        let mut p = Vec::new();
        for i in 0..10 {
            commit(&mut p, h(i), 5, 2, 100).unwrap();
        }
        assert_eq!(commit(&mut p, h(10), 5, 2, 100), Err(LedgerError::TooManyPendingCommits));
        assert!(reveal(&mut p, &h(3), 7, 2).is_ok());
        assert_eq!(p.len(), 6, "the revealed commit and the three older ones are gone");
        // Expired commits are purged before counting.
        commit(&mut p, h(20), 8, 2, 200).unwrap();
        assert_eq!(p.len(), 1);
    }

    #[test]
    fn hash_binds_every_field() {
        let hk = AccountId::from([1; 32]);
        let base = commit_hash(&hk, 1, &[0, 1], &[5, 6], &[9], 3);
        assert_ne!(base, commit_hash(&AccountId::from([2; 32]), 1, &[0, 1], &[5, 6], &[9], 3));
        assert_ne!(base, commit_hash(&hk, 2, &[0, 1], &[5, 6], &[9], 3));
        assert_ne!(base, commit_hash(&hk, 1, &[0, 1], &[5, 7], &[9], 3));
        assert_ne!(base, commit_hash(&hk, 1, &[0, 1], &[5, 6], &[8], 3));
        assert_ne!(base, commit_hash(&hk, 1, &[0, 1], &[5, 6], &[9], 4));
        assert_eq!(base, commit_hash(&hk, 1, &[0, 1], &[5, 6], &[9], 3));
    }
}
