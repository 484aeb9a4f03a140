//! Bounded replay protection.
//!
//! A request is fresh only while `|now - timestamp| <= window`, so a (signer, nonce) pair only
//! has to be remembered until `timestamp + window`; after that the freshness check rejects the
//! replay by itself. Entries are evicted in expiry order, and the cache never holds more than
//! `capacity` entries: when it is full of unexpired nonces, new requests are refused (retry
//! later) rather than forgetting nonces that could still be replayed.

use std::collections::{BTreeSet, HashSet};

use crate::wire::AccountId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonceError {
    /// Seen before inside the freshness window.
    Replayed,
    /// The cache is full of live nonces.
    Full,
}

pub struct NonceCache {
    capacity: usize,
    window_ms: u64,
    seen: HashSet<(AccountId, String)>,
    by_expiry: BTreeSet<(u64, AccountId, String)>,
}

impl NonceCache {
    pub fn new(capacity: usize, window_ms: u64) -> Self {
        Self {
            capacity,
            window_ms,
            seen: HashSet::new(),
            by_expiry: BTreeSet::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// Records the nonce, or says why it cannot be accepted. Call only after the timestamp
    /// check passed and the signature verified (so only authenticated callers consume space).
    pub fn check_and_insert(
        &mut self,
        signer: AccountId,
        nonce: &str,
        timestamp_ms: u64,
        now_ms: u64,
    ) -> Result<(), NonceError> {
        while let Some(first) = self.by_expiry.first() {
            if first.0 > now_ms {
                break;
            }
            let (_, s, n) = self.by_expiry.pop_first().expect("non-empty");
            self.seen.remove(&(s, n));
        }
        let key = (signer, nonce.to_string());
        if self.seen.contains(&key) {
            return Err(NonceError::Replayed);
        }
        if self.seen.len() >= self.capacity {
            return Err(NonceError::Full);
        }
        let expiry = timestamp_ms
            .saturating_add(self.window_ms)
            .saturating_add(1);
        self.by_expiry.insert((expiry, key.0, key.1.clone()));
        self.seen.insert(key);
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
        assert_eq!(c.check_and_insert(a, "n1", 10_000, 10_000), Ok(()));
        assert_eq!(
            c.check_and_insert(a, "n1", 10_000, 10_500),
            Err(NonceError::Replayed)
        );
        assert_eq!(
            c.check_and_insert(b, "n1", 10_000, 10_500),
            Ok(()),
            "nonces are per signer"
        );
        assert_eq!(c.check_and_insert(a, "n2", 10_400, 10_500), Ok(()));
        assert_eq!(
            c.check_and_insert(a, "n3", 10_400, 10_500),
            Err(NonceError::Full)
        );
        assert_eq!(c.len(), 3);
        // After expiry (timestamp + window) the first two entries are dropped.
        assert_eq!(c.check_and_insert(a, "n3", 11_000, 11_001), Ok(()));
        assert_eq!(c.len(), 2);
        // Memory stays bounded over a long run.
        for t in 0..100_000u64 {
            let _ = c.check_and_insert(a, &format!("x{t}"), 20_000 + t, 20_000 + t);
            assert!(c.len() <= 3);
        }
    }
}
