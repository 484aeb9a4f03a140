//! The registry's rules. No environment access: methods take the caller and block, return
//! the events to emit and the token/staking movements the shell (`lib.rs`) must make after
//! the state change succeeded.
//!
//! Storage is keyed so that no message's cost grows with the number of subnets: subnets sit
//! in a creation-order list (oldest first, for pruning when the limit is reached), freed
//! netuids in a sorted list, and every per-neuron record carries the subnet's *generation*,
//! so dissolving a subnet is O(1): records of an earlier generation read as absent.
//!
//! This file holds the records, the queries, parameters and the ledger's outputs;
//! `subnets` creation and dissolution, `neurons` registration and serving, and
//! `crate::pricing` the lock cost and the registration price adjustment.
use crate::hyperparams::{new_subnet_defaults, validate_change, INITIAL_BURN, INITIAL_DIFFICULTY};
use crate::{axon, pow, pricing};
use bt_interfaces::{
    AccountId, AxonInfo, Balance, BlockNumber, Hyperparams, NeuronSlot, RegistryError, SubnetView, NEURONS_PAGE, NEURON_AXONS_PAGE,
    ROOT_NETUID,
};
use ink::prelude::vec::Vec;
use ink::storage::Mapping;

mod neurons;
mod subnets;

const TAO: Balance = 1_000_000_000;

/// Registry-wide, root-only parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct NetworkParams {
    /// Most user subnets (SubnetLimit).
    pub subnet_limit: u16,
    /// Lowest lock cost (NetworkMinLockCost).
    pub min_lock: Balance,
    /// Blocks over which the lock cost decays back to the minimum.
    pub lock_reduction_interval: BlockNumber,
    /// Blocks between two subnet creations by one coldkey.
    pub network_rate_limit: BlockNumber,
    /// Blocks a new subnet cannot be pruned for.
    pub network_immunity_period: BlockNumber,
    /// Blocks between two hyperparameter changes by a subnet owner, in tempos.
    pub owner_hparams_rate_limit_tempos: u16,
    /// Admit loopback axon addresses (local networks only).
    pub allow_local_axons: bool,
}

impl Default for NetworkParams {
    fn default() -> Self {
        Self {
            subnet_limit: 128,
            min_lock: 1_000 * TAO,
            lock_reduction_interval: 100_800,
            network_rate_limit: 7_200,
            network_immunity_period: 1_296_000,
            owner_hparams_rate_limit_tempos: 2,
            allow_local_axons: false,
        }
    }
}

/// A subnet's record: ownership, size, and its registration-price state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Subnet {
    pub owner: AccountId,
    pub owner_hotkey: AccountId,
    pub created_at: BlockNumber,
    pub generation: u32,
    pub locked: Balance,
    pub n: u16,
    pub burn: Balance,
    pub difficulty: u64,
    pub last_adjustment_block: BlockNumber,
    pub regs_this_interval: u16,
    pub burn_regs_this_interval: u16,
    pub pow_regs_this_interval: u16,
    pub regs_this_block: u16,
    pub last_reg_block: BlockNumber,
    /// Every registration ever made on this subnet (part of the proof-of-work seed).
    pub registrations: u64,
    pub last_owner_hparams_change: Option<BlockNumber>,
    /// Neighbours in creation order.
    pub prev: Option<u16>,
    pub next: Option<u16>,
}

/// Registration price state of a subnet, as a query answers it (adjusted to the block asked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct RegistrationState {
    pub burn: Balance,
    pub difficulty: u64,
    pub registrations: u64,
    pub regs_this_interval: u16,
    pub last_adjustment_block: BlockNumber,
    pub next_adjustment_block: BlockNumber,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
struct NeuronRecord {
    hotkey: AccountId,
    registered_at: BlockNumber,
    generation: u32,
}

/// How a neuron got its UID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Burn { max_price: Balance },
    /// `coldkey`: the registering caller, which the seal must cover.
    Pow { block: BlockNumber, nonce: u64, work: [u8; 32], coldkey: AccountId },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryEvent {
    SubnetCreated { netuid: u16, owner: AccountId, lock: Balance },
    SubnetDissolved { netuid: u16, owner: AccountId, refund: Balance },
    NeuronRegistered { netuid: u16, uid: u16, hotkey: AccountId, replaced: Option<AccountId>, price: Balance },
    AxonServed { netuid: u16, hotkey: AccountId },
    HyperparamsSet { netuid: u16 },
}

type Events = Vec<RegistryEvent>;

/// What a subnet creation must move: `lock` from the caller to the registry, and a refund of
/// a pruned subnet's lock to its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub netuid: u16,
    pub lock: Balance,
    /// The subnet dissolved to make room, if the limit was reached.
    pub dissolved: Option<u16>,
    pub refund: Option<(AccountId, Balance)>,
    pub events: Events,
}

/// What a neuron registration must move: `price` recycled from the caller, and the hotkey
/// bound to the caller in staking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    pub uid: u16,
    pub price: Balance,
    pub events: Events,
}

/// UIDs per storage cell of the neuron records: a bulk read (the ledger's epoch, pruning)
/// costs one storage read per 128 UIDs instead of one per UID; a cell is 5 KiB, well inside
/// the 16 KiB buffer.
const NEURON_CHUNK: u16 = 128;

/// (netuid, hotkey).
type HotkeyKey = (u16, AccountId);
/// (uid, subnet generation it was written in, registration block): a hotkey's slot in one
/// read, without its record's storage cell (`set_weights` asks for it on every call).
type UidEntry = (u16, u32, BlockNumber);
/// (axon, subnet generation it was written in).
type AxonEntry = (AxonInfo, u32);

#[ink::storage_item]
#[derive(Debug)]
pub struct RegistryState {
    subnets: Mapping<u16, Subnet>,
    hyperparams: Mapping<u16, Hyperparams>,
    /// (netuid, uid / NEURON_CHUNK) -> the records of that chunk's UIDs, in UID order.
    neuron_chunks: Mapping<(u16, u16), Vec<NeuronRecord>>,
    uids: Mapping<HotkeyKey, UidEntry>,
    axons: Mapping<HotkeyKey, AxonEntry>,
    pruning_scores: Mapping<u16, Vec<u16>>,
    used_work: Mapping<[u8; 32], ()>,
    last_creation: Mapping<AccountId, BlockNumber>,
    params: NetworkParams,
    subnet_count: u16,
    next_fresh_netuid: u16,
    free_netuids: Vec<u16>,
    oldest: Option<u16>,
    newest: Option<u16>,
    generation: u32,
    last_lock: Balance,
    last_lock_block: BlockNumber,
}

impl Default for RegistryState {
    fn default() -> Self {
        Self::new(NetworkParams::default())
    }
}

impl RegistryState {
    pub fn new(params: NetworkParams) -> Self {
        Self {
            subnets: Mapping::default(),
            hyperparams: Mapping::default(),
            neuron_chunks: Mapping::default(),
            uids: Mapping::default(),
            axons: Mapping::default(),
            pruning_scores: Mapping::default(),
            used_work: Mapping::default(),
            last_creation: Mapping::default(),
            params,
            subnet_count: 0,
            next_fresh_netuid: 1,
            free_netuids: Vec::new(),
            oldest: None,
            newest: None,
            generation: 0,
            last_lock: params.min_lock,
            last_lock_block: 0,
        }
    }

    // ---- queries ----

    pub fn params(&self) -> NetworkParams {
        self.params
    }

    pub fn subnet_count(&self) -> u16 {
        self.subnet_count
    }

    pub fn subnet_record(&self, netuid: u16) -> Option<Subnet> {
        self.subnets.get(netuid)
    }

    pub fn subnet(&self, netuid: u16) -> Option<SubnetView> {
        let s = self.subnets.get(netuid)?;
        let hyperparams = self.hyperparams.get(netuid)?;
        Some(SubnetView {
            netuid,
            owner: s.owner,
            owner_hotkey: s.owner_hotkey,
            created_at: s.created_at,
            n: s.n,
            locked: s.locked,
            hyperparams,
        })
    }

    pub fn hyperparams(&self, netuid: u16) -> Option<Hyperparams> {
        self.hyperparams.get(netuid)
    }

    /// Netuids of every user subnet, oldest first (at most `subnet_limit`).
    pub fn netuids(&self) -> Vec<u16> {
        let mut out = Vec::new();
        let mut cursor = self.oldest;
        while let Some(netuid) = cursor {
            out.push(netuid);
            cursor = self.subnets.get(netuid).and_then(|s| s.next);
            if out.len() > usize::from(u16::MAX) {
                break;
            }
        }
        out
    }

    /// What creating a subnet costs at `now`.
    pub fn lock_cost(&self, now: BlockNumber) -> Balance {
        pricing::lock_cost(self.params.min_lock, self.last_lock, self.last_lock_block, self.params.lock_reduction_interval, now)
    }

    /// The registration price state of `netuid` as of block `now`.
    pub fn registration_state(&self, netuid: u16, now: BlockNumber) -> Option<RegistrationState> {
        let mut s = self.subnets.get(netuid)?;
        let h = self.hyperparams.get(netuid)?;
        pricing::adjust_prices(&mut s, &h, now);
        Some(RegistrationState {
            burn: s.burn,
            difficulty: s.difficulty,
            registrations: s.registrations,
            regs_this_interval: s.regs_this_interval,
            last_adjustment_block: s.last_adjustment_block,
            next_adjustment_block: s.last_adjustment_block.saturating_add(h.adjustment_interval),
        })
    }

    pub fn neuron(&self, netuid: u16, uid: u16) -> Option<NeuronSlot> {
        let s = self.subnets.get(netuid)?;
        if uid >= s.n {
            return None;
        }
        self.neuron_record(netuid, uid).map(|r| NeuronSlot { hotkey: r.hotkey, registered_at: r.registered_at })
    }

    pub fn uid_of(&self, netuid: u16, hotkey: AccountId) -> Option<u16> {
        self.slot_of(netuid, hotkey).map(|(uid, _)| uid)
    }

    /// The hotkey's UID on `netuid` and its slot.
    pub fn slot_of(&self, netuid: u16, hotkey: AccountId) -> Option<(u16, NeuronSlot)> {
        let s = self.subnets.get(netuid)?;
        self.current_slot(netuid, &s, hotkey)
    }

    /// UIDs `start .. start + NEURONS_PAGE` of `netuid`.
    pub fn neurons_page(&self, netuid: u16, start: u16) -> Vec<NeuronSlot> {
        let Some(s) = self.subnets.get(netuid) else { return Vec::new() };
        self.slots(netuid, &s, start, NEURONS_PAGE).collect()
    }

    /// UIDs `start .. start + NEURON_AXONS_PAGE` of `netuid` with their axons and pruning
    /// scores (the subnet record and the scores are read once).
    pub fn neuron_axons_page(&self, netuid: u16, start: u16) -> Vec<(NeuronSlot, Option<AxonInfo>, u16)> {
        let Some(s) = self.subnets.get(netuid) else { return Vec::new() };
        let scores = self.pruning_scores.get(netuid).unwrap_or_default();
        self.slots(netuid, &s, start, NEURON_AXONS_PAGE)
            .zip(usize::from(start)..)
            .map(|(slot, uid)| (slot, self.axon_in(netuid, &s, slot.hotkey), scores.get(uid).copied().unwrap_or(0)))
            .collect()
    }

    fn slots<'a>(&'a self, netuid: u16, s: &Subnet, start: u16, page: u16) -> impl Iterator<Item = NeuronSlot> + 'a {
        self.neuron_records(netuid, start, start.saturating_add(page).min(s.n))
            .map(|(_, r)| NeuronSlot { hotkey: r.hotkey, registered_at: r.registered_at })
    }

    /// The record at `uid` (whatever its generation: callers bound `uid` by the subnet's `n`).
    fn neuron_record(&self, netuid: u16, uid: u16) -> Option<NeuronRecord> {
        let (chunk, at) = neuron_chunk_of(uid);
        self.neuron_chunks.get((netuid, chunk))?.get(at).copied()
    }

    /// The records of UIDs `start .. end` with their UIDs, reading each chunk once.
    fn neuron_records(&self, netuid: u16, start: u16, end: u16) -> impl Iterator<Item = (u16, NeuronRecord)> + '_ {
        let chunks = if start < end {
            neuron_chunk_of(start).0..neuron_chunk_of(end.saturating_sub(1)).0.saturating_add(1)
        } else {
            0..0
        };
        chunks
            .flat_map(move |chunk| {
                let base = chunk.saturating_mul(NEURON_CHUNK);
                // UIDs stop below u16::MAX (n is a u16), so the saturated end loses nothing.
                self.neuron_chunks.get((netuid, chunk)).unwrap_or_default().into_iter().zip(base..base.saturating_add(NEURON_CHUNK))
            })
            .filter(move |(_, uid)| (start..end).contains(uid))
            .map(|(r, uid)| (uid, r))
    }

    /// Writes the record at `uid`: over the stored one, or appended right after the last.
    fn write_neuron_record(&mut self, netuid: u16, uid: u16, record: NeuronRecord) -> Result<(), RegistryError> {
        let (chunk, at) = neuron_chunk_of(uid);
        let mut cell = self.neuron_chunks.get((netuid, chunk)).unwrap_or_default();
        let len = cell.len();
        match cell.get_mut(at) {
            Some(slot) => *slot = record,
            None if at == len => cell.push(record),
            // UIDs are appended in order, so a gap means a broken invariant: refuse, change nothing.
            None => return Err(RegistryError::NoUidAvailable),
        }
        self.neuron_chunks.insert((netuid, chunk), &cell);
        Ok(())
    }

    pub fn axon(&self, netuid: u16, hotkey: AccountId) -> Option<AxonInfo> {
        let s = self.subnets.get(netuid)?;
        self.axon_in(netuid, &s, hotkey)
    }


    fn axon_in(&self, netuid: u16, s: &Subnet, hotkey: AccountId) -> Option<AxonInfo> {
        match self.axons.get((netuid, hotkey)) {
            Some((axon, generation)) if generation == s.generation => Some(axon),
            _ => None,
        }
    }

    pub fn pruning_scores(&self, netuid: u16) -> Vec<u16> {
        self.pruning_scores.get(netuid).unwrap_or_default()
    }

    // ---- hyperparameters ----

    /// The subnet owner (within owner bounds, rate-limited) or the admin (any field, within
    /// hard bounds) replaces the hyperparameters of `netuid`.
    pub fn set_hyperparams(
        &mut self,
        caller: AccountId,
        is_admin: bool,
        now: BlockNumber,
        netuid: u16,
        new: Hyperparams,
    ) -> Result<Events, RegistryError> {
        let mut s = self.subnets.get(netuid).ok_or(RegistryError::SubnetNotFound)?;
        let old = self.hyperparams.get(netuid).ok_or(RegistryError::SubnetNotFound)?;
        if !is_admin {
            if s.owner != caller {
                return Err(RegistryError::NotSubnetOwner);
            }
            if let Some(last) = s.last_owner_hparams_change {
                let wait = u32::from(old.tempo).saturating_mul(u32::from(self.params.owner_hparams_rate_limit_tempos));
                let ready = last.saturating_add(wait);
                if now < ready {
                    return Err(RegistryError::HyperparamsRateLimited { blocks_left: ready.saturating_sub(now) });
                }
            }
        }
        validate_change(&old, &new, s.n, is_admin)?;
        if !is_admin {
            s.last_owner_hparams_change = Some(now);
            self.subnets.insert(netuid, &s);
        }
        // New price bounds apply at once.
        if new.min_burn != old.min_burn || new.max_burn != old.max_burn || new.min_difficulty != old.min_difficulty
            || new.max_difficulty != old.max_difficulty
        {
            s.burn = s.burn.clamp(new.min_burn, new.max_burn);
            s.difficulty = s.difficulty.clamp(new.min_difficulty, new.max_difficulty);
            self.subnets.insert(netuid, &s);
        }
        self.hyperparams.insert(netuid, &new);
        Ok(ink::prelude::vec![RegistryEvent::HyperparamsSet { netuid }])
    }

    /// Admin only (checked by the shell): sets a subnet's current burn and difficulty.
    pub fn set_prices(&mut self, netuid: u16, burn: Balance, difficulty: u64) -> Result<(), RegistryError> {
        let mut s = self.subnets.get(netuid).ok_or(RegistryError::SubnetNotFound)?;
        let h = self.hyperparams.get(netuid).ok_or(RegistryError::SubnetNotFound)?;
        s.burn = burn.clamp(h.min_burn, h.max_burn);
        s.difficulty = difficulty.clamp(h.min_difficulty, h.max_difficulty);
        self.subnets.insert(netuid, &s);
        Ok(())
    }

    pub fn set_params(&mut self, params: NetworkParams) -> Result<(), RegistryError> {
        if params.lock_reduction_interval == 0 {
            return Err(RegistryError::Overflow);
        }
        if self.last_lock_block == 0 {
            // No subnet was ever created: the lock cost starts from the new minimum.
            self.last_lock = params.min_lock;
        }
        self.params = params;
        Ok(())
    }

    // ---- outputs from the ledger ----

    pub fn set_pruning_scores(&mut self, netuid: u16, scores: Vec<u16>) -> Result<(), RegistryError> {
        if !self.subnets.contains(netuid) {
            return Err(RegistryError::SubnetNotFound);
        }
        self.pruning_scores.insert(netuid, &scores);
        Ok(())
    }
}

/// (chunk, index within it) of a UID.
fn neuron_chunk_of(uid: u16) -> (u16, usize) {
    (uid.checked_div(NEURON_CHUNK).unwrap_or(0), usize::from(uid.checked_rem(NEURON_CHUNK).unwrap_or(0)))
}
