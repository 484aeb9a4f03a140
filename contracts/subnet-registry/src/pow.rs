//! Proof-of-work registration (spec/economics.md §5.1 classic), adapted to what a contract
//! can see.
//!
//! Subtensor seals over the hash of a recent block. A contract on pallet-contracts cannot
//! read block hashes, so the seal is over a **seed** the registry can compute and every miner
//! can reproduce:
//!
//! `seed = blake2_256(SCALE("bittensor-ink/pow/v1", registry_address, netuid, block_number,
//! registrations_so_far))`
//!
//! `block_number` must be one of the 3 most recent blocks (as upstream), and
//! `registrations_so_far` (the subnet's registration counter) changes with every registration,
//! so any registration on the subnet makes outstanding work stale, and work for one
//! deployment, subnet or block never fits another. Then, as upstream:
//! `seal = keccak256(sha256(nonce_le_u64 ‖ keccak256(seed ‖ hotkey ‖ coldkey)))`, and the seal
//! meets the difficulty when `seal × difficulty < 2^256` (seal read big-endian). A used seal
//! is recorded and never accepted again. Unlike upstream the seal also covers the coldkey that
//! registers, so work copied from the transaction pool is worthless to anyone else.
//!
//! Limitation, stated plainly: the seed is predictable, so a miner may grind work for a
//! block up to 2 blocks ahead; the difficulty adjustment prices that in, as it does upstream.
use bt_interfaces::{AccountId, BlockNumber};
use ink::env::hash::{Blake2x256, CryptoHash, HashOutput, Keccak256, Sha2x256};
use ink::scale::Encode;

/// Work older than this many blocks is stale (upstream: `current − block < 3`).
pub const WORK_WINDOW: BlockNumber = 3;

fn hash<H: CryptoHash + HashOutput<Type = [u8; 32]>>(input: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    ink::env::hash_bytes::<H>(input, &mut out);
    out
}

/// The seed a seal for (`netuid`, `block`) is computed over.
pub fn seed(registry: &AccountId, netuid: u16, block: BlockNumber, registrations: u64) -> [u8; 32] {
    let preimage = ("bittensor-ink/pow/v1", registry, netuid, block, registrations).encode();
    hash::<Blake2x256>(&preimage)
}

/// `keccak256(sha256(nonce_le ‖ keccak256(seed ‖ hotkey ‖ coldkey)))`.
pub fn seal(seed: &[u8; 32], hotkey: &AccountId, coldkey: &AccountId, nonce: u64) -> [u8; 32] {
    let mut keys = [0u8; 96];
    keys[..32].copy_from_slice(seed);
    keys[32..64].copy_from_slice(hotkey.as_ref());
    keys[64..].copy_from_slice(coldkey.as_ref());
    let bound = hash::<Keccak256>(&keys);
    let mut full = [0u8; 40];
    full[..8].copy_from_slice(&nonce.to_le_bytes());
    full[8..].copy_from_slice(&bound);
    hash::<Keccak256>(&hash::<Sha2x256>(&full))
}

/// True when `seal × difficulty` fits in 256 bits (the seal read as a big-endian integer).
pub fn meets_difficulty(seal: &[u8; 32], difficulty: u64) -> bool {
    let mut carry: u128 = 0;
    // Multiply limb by limb from the least significant (last) 8 bytes up.
    for chunk in seal.rchunks(8) {
        let mut limb = [0u8; 8];
        limb.copy_from_slice(chunk);
        let product = u128::from(u64::from_be_bytes(limb)).saturating_mul(u128::from(difficulty)).saturating_add(carry);
        carry = product >> 64;
    }
    carry == 0
}

/// Searches nonces from `start` for a seal that meets `difficulty` (off-chain miners and
/// tests); gives up after `max_tries`.
pub fn solve(
    seed: &[u8; 32],
    hotkey: &AccountId,
    coldkey: &AccountId,
    difficulty: u64,
    start: u64,
    max_tries: u64,
) -> Option<(u64, [u8; 32])> {
    let mut nonce = start;
    for _ in 0..max_tries {
        let candidate = seal(seed, hotkey, coldkey, nonce);
        if meets_difficulty(&candidate, difficulty) {
            return Some((nonce, candidate));
        }
        nonce = nonce.wrapping_add(1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn difficulty_is_a_256_bit_overflow_check() {
        let mut small = [0u8; 32];
        small[31] = 1;
        assert!(meets_difficulty(&small, u64::MAX));
        let max = [0xffu8; 32];
        assert!(meets_difficulty(&max, 1));
        assert!(!meets_difficulty(&max, 2));
        let mut half = [0u8; 32];
        half[0] = 0x80; // 2^255
        assert!(meets_difficulty(&half, 1));
        assert!(!meets_difficulty(&half, 2));
        let mut just_under = [0xffu8; 32];
        just_under[0] = 0x7f; // 2^255 − 1
        assert!(meets_difficulty(&just_under, 2));
    }

    #[test]
    fn solved_work_verifies_and_is_bound_to_hotkey_coldkey_and_seed() {
        let registry = AccountId::from([9; 32]);
        let (hotkey, coldkey) = (AccountId::from([7; 32]), AccountId::from([6; 32]));
        let s = seed(&registry, 1, 100, 0);
        let (nonce, work) = solve(&s, &hotkey, &coldkey, 1_000, 0, 1_000_000).expect("difficulty 1000 solves quickly");
        assert_eq!(seal(&s, &hotkey, &coldkey, nonce), work);
        assert!(meets_difficulty(&work, 1_000));
        assert_ne!(seal(&s, &AccountId::from([8; 32]), &coldkey, nonce), work, "another hotkey gets another seal");
        // Issue 10, finding 2: work copied from the pool by another coldkey does not verify.
        assert_ne!(seal(&s, &hotkey, &AccountId::from([5; 32]), nonce), work, "another coldkey gets another seal");
        assert_ne!(seal(&seed(&registry, 1, 100, 1), &hotkey, &coldkey, nonce), work, "a registration changes the seed");
        assert_ne!(seed(&registry, 2, 100, 0), s);
    }
}
