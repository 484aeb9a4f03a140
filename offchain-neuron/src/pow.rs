//! The proof-of-work solver for registration: searches nonces on every core for a seal over
//! the registry's seed that meets the subnet's difficulty. The seal and the difficulty test are
//! the registry crate's own functions, so the solver cannot drift from the contract.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use subnet_registry::pow::{meets_difficulty, seal};

use crate::wire::AccountId;

/// A solution: the nonce and the seal it gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Work {
    pub nonce: u64,
    pub seal: [u8; 32],
}

/// What a search did: the solution if one was found, and how many seals it computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Search {
    pub work: Option<Work>,
    pub hashes: u64,
}

/// Nonces each thread tries between checks of the stop flag.
const BATCH: u64 = 4096;

/// Searches on `threads` threads until a seal meets `difficulty`, `stop` is set or `budget`
/// passes. `progress` is called about every 200 ms with the hashes tried so far.
#[allow(clippy::too_many_arguments)]
pub fn solve(
    seed: &[u8; 32],
    hotkey: AccountId,
    coldkey: AccountId,
    difficulty: u64,
    threads: usize,
    budget: Duration,
    stop: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
) -> Search {
    let threads = threads.max(1);
    let hot = ink::primitives::AccountId::from(hotkey.0);
    let cold = ink::primitives::AccountId::from(coldkey.0);
    let found = Arc::new(AtomicBool::new(false));
    let hashes = AtomicU64::new(0);
    // A random start: two solvers (or two runs) do not repeat each other's nonces.
    let start: u64 = rand::random::<u64>() & !(u64::from(u32::MAX));
    let started = Instant::now();
    let result = std::sync::Mutex::new(None);
    std::thread::scope(|s| {
        for t in 0..threads as u64 {
            let (found, hashes, result) = (&found, &hashes, &result);
            s.spawn(move || {
                let mut batch = t;
                while !found.load(Ordering::Relaxed) && !stop.load(Ordering::Relaxed) {
                    if started.elapsed() > budget {
                        return;
                    }
                    let first = start.wrapping_add(batch.wrapping_mul(BATCH));
                    for nonce in first..first.saturating_add(BATCH) {
                        let s = seal(seed, &hot, &cold, nonce);
                        if meets_difficulty(&s, difficulty) {
                            found.store(true, Ordering::Relaxed);
                            *result.lock().expect("solver lock") = Some((nonce, s));
                            break;
                        }
                    }
                    hashes.fetch_add(BATCH, Ordering::Relaxed);
                    batch = batch.wrapping_add(threads as u64);
                }
            });
        }
        let mut last = Instant::now();
        while !found.load(Ordering::Relaxed)
            && !stop.load(Ordering::Relaxed)
            && started.elapsed() <= budget
        {
            std::thread::sleep(Duration::from_millis(20));
            if last.elapsed() >= Duration::from_millis(200) {
                progress(hashes.load(Ordering::Relaxed));
                last = Instant::now();
            }
        }
    });
    Search {
        work: result
            .into_inner()
            .expect("solver lock")
            .map(|(nonce, seal)| Work { nonce, seal }),
        hashes: hashes.load(Ordering::Relaxed),
    }
}

/// Expected hashes to meet `difficulty` (a seal meets it with probability ~1/difficulty).
pub fn expected_hashes(difficulty: u64) -> u64 {
    difficulty.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solutions_satisfy_the_registry_check() {
        let seed = [7u8; 32];
        let (hot, cold) = (AccountId([1; 32]), AccountId([2; 32]));
        let stop = AtomicBool::new(false);
        let w = solve(
            &seed,
            hot,
            cold,
            5_000,
            2,
            Duration::from_secs(60),
            &stop,
            &|_| {},
        )
        .work
        .expect("a 5,000 difficulty falls in seconds");
        let again = seal(&seed, &hot.0.into(), &cold.0.into(), w.nonce);
        assert_eq!(again, w.seal);
        assert!(meets_difficulty(&w.seal, 5_000));
        // The same nonce is worthless to another coldkey.
        let other = seal(&seed, &hot.0.into(), &[3u8; 32].into(), w.nonce);
        assert_ne!(other, w.seal);
    }
}
