//! Bounded replay protection with a quota per signer.
//!
//! A request is fresh only while `|now - timestamp| <= window`, so a (signer, nonce) pair only
//! has to be remembered until `timestamp + window`; after that the freshness check rejects the
//! replay by itself. Entries are evicted in expiry order.
//!
//! Each signer may hold at most its own quota of live nonces (the axon scales it by stake, see
//! [`quota_for`]), so one caller sending as fast as it can fills only its own share and the
//! others keep being served. A signer over quota is told to slow down; nonces that could still
//! be replayed are never forgotten early.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::wire::AccountId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonceError {
    /// Seen before inside the freshness window.
    Replayed,
    /// This signer already holds its quota of live nonces.
    QuotaFull { quota: usize },
    /// The whole cache is at its hard ceiling (only reachable if quotas are misconfigured).
    Full,
}

/// Live nonces a signer may hold: `floor` for anyone admitted, plus its stake's share of
/// `budget`. The sum over all signers is at most `budget + floor * signers`.
pub fn quota_for(stake_rao: u64, total_stake_rao: u64, floor: usize, budget: usize) -> usize {
    let share = if total_stake_rao == 0 {
        0
    } else {
        (u128::from(stake_rao) * budget as u128 / u128::from(total_stake_rao)) as usize
    };
    floor.saturating_add(share.min(budget))
}

pub struct NonceCache {
    ceiling: usize,
    window_ms: u64,
    seen: HashSet<(AccountId, String)>,
    by_expiry: BTreeSet<(u64, AccountId, String)>,
    per_signer: HashMap<AccountId, usize>,
}

impl NonceCache {
    /// `ceiling`: hard bound on all entries together (a backstop behind the quotas).
    pub fn new(ceiling: usize, window_ms: u64) -> Self {
        Self {
            ceiling,
            window_ms,
            seen: HashSet::new(),
            by_expiry: BTreeSet::new(),
            per_signer: HashMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// Live nonces held by `signer`.
    pub fn held_by(&self, signer: &AccountId) -> usize {
        self.per_signer.get(signer).copied().unwrap_or(0)
    }

    fn expire(&mut self, now_ms: u64) {
        while let Some(first) = self.by_expiry.first() {
            if first.0 > now_ms {
                break;
            }
            let Some((_, s, n)) = self.by_expiry.pop_first() else {
                break;
            };
            self.seen.remove(&(s, n));
            if let Some(c) = self.per_signer.get_mut(&s) {
                *c = c.saturating_sub(1);
                if *c == 0 {
                    self.per_signer.remove(&s);
                }
            }
        }
    }

    /// Records the nonce, or says why it cannot be accepted. Call only after the timestamp
    /// check passed and the signature verified (so only authenticated callers consume space,
    /// and nobody can spend another signer's quota).
    pub fn check_and_insert(
        &mut self,
        signer: AccountId,
        nonce: &str,
        timestamp_ms: u64,
        now_ms: u64,
        quota: usize,
    ) -> Result<(), NonceError> {
        self.expire(now_ms);
        let key = (signer, nonce.to_string());
        if self.seen.contains(&key) {
            return Err(NonceError::Replayed);
        }
        if self.held_by(&signer) >= quota {
            return Err(NonceError::QuotaFull { quota });
        }
        if self.seen.len() >= self.ceiling {
            return Err(NonceError::Full);
        }
        let expiry = timestamp_ms
            .saturating_add(self.window_ms)
            .saturating_add(1);
        self.by_expiry.insert((expiry, key.0, key.1.clone()));
        self.seen.insert(key);
        *self.per_signer.entry(signer).or_default() += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_expiry_and_bound() {
        let a = AccountId([1; 32]);
        let b = AccountId([2; 32]);
        let mut c = NonceCache::new(3, 1000);
        assert_eq!(c.check_and_insert(a, "n1", 10_000, 10_000, 10), Ok(()));
        assert_eq!(
            c.check_and_insert(a, "n1", 10_000, 10_500, 10),
            Err(NonceError::Replayed)
        );
        assert_eq!(
            c.check_and_insert(b, "n1", 10_000, 10_500, 10),
            Ok(()),
            "nonces are per signer"
        );
        assert_eq!(c.check_and_insert(a, "n2", 10_400, 10_500, 10), Ok(()));
        assert_eq!(
            c.check_and_insert(a, "n3", 10_400, 10_500, 10),
            Err(NonceError::Full)
        );
        assert_eq!(c.len(), 3);
        // After expiry (timestamp + window) the first two entries are dropped.
        assert_eq!(c.check_and_insert(a, "n3", 11_000, 11_001, 10), Ok(()));
        assert_eq!(c.len(), 2);
        // Memory stays bounded over a long run.
        for t in 0..100_000u64 {
            let _ = c.check_and_insert(a, &format!("x{t}"), 20_000 + t, 20_000 + t, 10);
            assert!(c.len() <= 3);
        }
    }

    #[test]
    fn a_flooding_signer_fills_only_its_own_quota() {
        let (flooder, validator) = (AccountId([7; 32]), AccountId([8; 32]));
        let mut c = NonceCache::new(100_000, 30_000);
        let now = 1_000_000;
        let mut refused = 0;
        for i in 0..50_000u64 {
            match c.check_and_insert(flooder, &format!("f{i}"), now, now, 64) {
                Ok(()) => {}
                Err(NonceError::QuotaFull { quota: 64 }) => refused += 1,
                Err(e) => panic!("unexpected {e:?}"),
            }
        }
        assert_eq!(c.held_by(&flooder), 64);
        assert_eq!(refused, 50_000 - 64);
        for i in 0..1_000u64 {
            assert_eq!(
                c.check_and_insert(validator, &format!("v{i}"), now, now, 5_000),
                Ok(())
            );
        }
        // Once the window passes, the flooder's entries expire and its quota is free again.
        assert_eq!(
            c.check_and_insert(flooder, "late", now + 40_000, now + 40_000, 64),
            Ok(())
        );
        assert_eq!(c.held_by(&flooder), 1);
        assert_eq!(c.held_by(&validator), 0);
    }

    #[test]
    fn quota_scales_with_stake_and_is_bounded() {
        assert_eq!(quota_for(0, 0, 64, 100_000), 64);
        assert_eq!(quota_for(0, 1_000, 64, 100_000), 64);
        assert_eq!(quota_for(250, 1_000, 64, 100_000), 25_064);
        assert_eq!(quota_for(1_000, 1_000, 64, 100_000), 100_064);
        assert_eq!(quota_for(u64::MAX, 1, 64, 100_000), 100_064);
    }
}
