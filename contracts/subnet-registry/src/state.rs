//! The registry's rules. No environment access: methods take the caller and block, return
//! the events to emit and the token/staking movements the shell (`lib.rs`) must make after
//! the state change succeeded.
//!
//! Storage is keyed so that no message's cost grows with the number of subnets: subnets sit
//! in a creation-order list (oldest first, for pruning when the limit is reached), freed
//! netuids in a sorted list, and every per-neuron record carries the subnet's *generation*,
//! so dissolving a subnet is O(1): records of an earlier generation read as absent.
use crate::hyperparams::{new_subnet_defaults, validate_change, INITIAL_BURN, INITIAL_DIFFICULTY};
use crate::{axon, pow, pricing};
use bt_interfaces::{
    AccountId, AxonInfo, Balance, BlockNumber, Hyperparams, NeuronSlot, RegistryError, SubnetView, NEURONS_PAGE, NEURON_AXONS_PAGE,
    ROOT_NETUID,
};
use ink::prelude::vec::Vec;
use ink::storage::Mapping;

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

/// (netuid, hotkey).
type HotkeyKey = (u16, AccountId);
/// (uid, subnet generation it was written in).
type UidEntry = (u16, u32);
/// (axon, subnet generation it was written in).
type AxonEntry = (AxonInfo, u32);

#[ink::storage_item]
#[derive(Debug)]
pub struct RegistryState {
    subnets: Mapping<u16, Subnet>,
    hyperparams: Mapping<u16, Hyperparams>,
    neurons: Mapping<(u16, u16), NeuronRecord>,
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
            neurons: Mapping::default(),
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
        adjust_prices(&mut s, &h, now);
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
        self.neurons.get((netuid, uid)).map(|r| NeuronSlot { hotkey: r.hotkey, registered_at: r.registered_at })
    }

    pub fn uid_of(&self, netuid: u16, hotkey: AccountId) -> Option<u16> {
        let s = self.subnets.get(netuid)?;
        self.current_uid(netuid, &s, hotkey)
    }

    /// UIDs `start .. start + NEURONS_PAGE` of `netuid`.
    pub fn neurons_page(&self, netuid: u16, start: u16) -> Vec<NeuronSlot> {
        let Some(s) = self.subnets.get(netuid) else { return Vec::new() };
        self.slots(netuid, &s, start, NEURONS_PAGE).collect()
    }

    /// UIDs `start .. start + NEURON_AXONS_PAGE` of `netuid` with their axons (the subnet
    /// record is read once).
    pub fn neuron_axons_page(&self, netuid: u16, start: u16) -> Vec<(NeuronSlot, Option<AxonInfo>)> {
        let Some(s) = self.subnets.get(netuid) else { return Vec::new() };
        self.slots(netuid, &s, start, NEURON_AXONS_PAGE).map(|slot| (slot, self.axon_in(netuid, &s, slot.hotkey))).collect()
    }

    fn slots<'a>(&'a self, netuid: u16, s: &Subnet, start: u16, page: u16) -> impl Iterator<Item = NeuronSlot> + 'a {
        let end = start.saturating_add(page).min(s.n);
        (start..end)
            .filter_map(move |uid| self.neurons.get((netuid, uid)))
            .map(|r| NeuronSlot { hotkey: r.hotkey, registered_at: r.registered_at })
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

    // ---- subnets ----

    /// `caller` creates a subnet with `hotkey` as its owner hotkey (UID 0), paying the lock
    /// cost (at most `max_lock`). When the subnet limit is reached, the prunable subnet with
    /// the lowest emission (oldest on ties) is dissolved and its netuid reused.
    /// `shares` are the subnets' emission shares from the ledger (`subnets_at_limit` says when
    /// they are needed; a subnet missing from them counts as earning nothing).
    pub fn create_subnet(
        &mut self,
        caller: AccountId,
        now: BlockNumber,
        hotkey: AccountId,
        max_lock: Balance,
        shares: &[(u16, u128)],
    ) -> Result<Created, RegistryError> {
        if let Some(last) = self.last_creation.get(caller) {
            let ready = last.saturating_add(self.params.network_rate_limit);
            if now < ready {
                return Err(RegistryError::NetworkRateLimited { blocks_left: ready.saturating_sub(now) });
            }
        }
        let lock = self.lock_cost(now);
        if lock > max_lock {
            return Err(RegistryError::LockCostAboveMax { cost: lock });
        }
        let mut events = Vec::new();
        let mut refund = None;
        let mut dissolved = None;
        let netuid = if self.subnet_count < self.params.subnet_limit {
            self.take_free_netuid()?
        } else {
            let victim = self.subnet_to_prune(now, shares)?;
            let (owner, returned, ev) = self.dissolve(victim)?;
            events.extend(ev);
            refund = Some((owner, returned));
            dissolved = Some(victim);
            self.take_free_netuid()?
        };
        events.extend(self.found(caller, now, hotkey, lock, netuid)?);
        self.last_lock = lock;
        self.last_lock_block = now;
        self.last_creation.insert(caller, &now);
        Ok(Created { netuid, lock, dissolved, refund, events })
    }

    /// The fair-launch genesis (admin, once, before any other subnet): netuid 1 for `caller`
    /// with `hotkey` as UID 0 and no lock, so a network deployed without any premine has a
    /// subnet that miners enter by proof of work, for free, and emission flows from here.
    pub fn create_genesis_subnet(&mut self, caller: AccountId, now: BlockNumber, hotkey: AccountId) -> Result<Created, RegistryError> {
        if self.generation != 0 {
            return Err(RegistryError::GenesisClosed);
        }
        let netuid = self.take_free_netuid()?;
        let events = self.found(caller, now, hotkey, 0, netuid)?;
        Ok(Created { netuid, lock: 0, dissolved: None, refund: None, events })
    }

    /// Opens subnet `netuid` for `owner` with `hotkey` as UID 0 and `lock` held.
    fn found(&mut self, owner: AccountId, now: BlockNumber, hotkey: AccountId, lock: Balance, netuid: u16) -> Result<Events, RegistryError> {
        self.generation = self.generation.checked_add(1).ok_or(RegistryError::Overflow)?;
        let subnet = Subnet {
            owner,
            owner_hotkey: hotkey,
            created_at: now,
            generation: self.generation,
            locked: lock,
            n: 0,
            burn: INITIAL_BURN,
            difficulty: INITIAL_DIFFICULTY,
            last_adjustment_block: now,
            regs_this_interval: 0,
            burn_regs_this_interval: 0,
            pow_regs_this_interval: 0,
            regs_this_block: 0,
            last_reg_block: now,
            registrations: 0,
            last_owner_hparams_change: None,
            prev: self.newest,
            next: None,
        };
        self.link_newest(netuid, subnet)?;
        self.hyperparams.insert(netuid, &new_subnet_defaults());
        self.pruning_scores.remove(netuid);
        self.subnet_count = self.subnet_count.checked_add(1).ok_or(RegistryError::Overflow)?;
        let mut s = self.subnets.get(netuid).ok_or(RegistryError::SubnetNotFound)?;
        self.append_neuron(netuid, &mut s, hotkey, now)?;
        s.registrations = 1;
        self.subnets.insert(netuid, &s);
        Ok(ink::prelude::vec![
            RegistryEvent::SubnetCreated { netuid, owner, lock },
            RegistryEvent::NeuronRegistered { netuid, uid: 0, hotkey, replaced: None, price: 0 },
        ])
    }

    /// True when creating a subnet now would dissolve another (the shell then asks the
    /// ledger for every subnet's emission share).
    pub fn subnets_at_limit(&self) -> bool {
        self.subnet_count >= self.params.subnet_limit
    }

    /// The owner dissolves its subnet; returns (owner, lock refund, lock recycled, events).
    /// Within its immunity period the lock is recycled instead of refunded: otherwise creating
    /// a subnet at the limit and dissolving it at once would evict another subnet for free.
    pub fn dissolve_subnet(
        &mut self,
        caller: AccountId,
        netuid: u16,
        now: BlockNumber,
    ) -> Result<(AccountId, Balance, Balance, Events), RegistryError> {
        let s = self.subnets.get(netuid).ok_or(RegistryError::SubnetNotFound)?;
        if s.owner != caller {
            return Err(RegistryError::NotSubnetOwner);
        }
        let immune = now.saturating_sub(s.created_at) < self.params.network_immunity_period;
        let (owner, lock, mut events) = self.dissolve(netuid)?;
        if !immune {
            return Ok((owner, lock, 0, events));
        }
        if let Some(RegistryEvent::SubnetDissolved { refund, .. }) = events.first_mut() {
            *refund = 0;
        }
        Ok((owner, 0, lock, events))
    }

    // ---- neurons ----

    /// Registers `hotkey` on `netuid` for `caller` by burn (price ≤ `max_price`, recycled by
    /// the shell) or by proof of work (free). Appends a UID while there is room, else replaces
    /// the lowest pruning score outside immunity.
    pub fn register(
        &mut self,
        registry: &AccountId,
        now: BlockNumber,
        netuid: u16,
        hotkey: AccountId,
        admission: Admission,
    ) -> Result<Registered, RegistryError> {
        if netuid == ROOT_NETUID {
            return Err(RegistryError::RootNetwork);
        }
        let mut s = self.subnets.get(netuid).ok_or(RegistryError::SubnetNotFound)?;
        let h = self.hyperparams.get(netuid).ok_or(RegistryError::SubnetNotFound)?;
        if !h.registration_allowed {
            return Err(RegistryError::RegistrationDisabled);
        }
        adjust_prices(&mut s, &h, now);
        if s.last_reg_block != now {
            s.regs_this_block = 0;
            s.last_reg_block = now;
        }
        if s.regs_this_block >= h.max_regs_per_block {
            return Err(RegistryError::TooManyRegistrationsThisBlock);
        }
        if u32::from(s.regs_this_interval) >= u32::from(h.target_regs_per_interval).saturating_mul(3) {
            let next = s.last_adjustment_block.saturating_add(h.adjustment_interval);
            return Err(RegistryError::TooManyRegistrationsThisInterval { blocks_left: next.saturating_sub(now) });
        }
        if self.current_uid(netuid, &s, hotkey).is_some() {
            return Err(RegistryError::HotkeyAlreadyRegistered);
        }
        if h.max_allowed_uids == 0 {
            return Err(RegistryError::NoUidAvailable);
        }
        let price = match admission {
            Admission::Burn { max_price } => {
                if s.burn > max_price {
                    return Err(RegistryError::PriceAboveMax { price: s.burn });
                }
                s.burn_regs_this_interval = s.burn_regs_this_interval.saturating_add(1);
                s.burn
            }
            Admission::Pow { block, nonce, work, coldkey } => {
                if !h.pow_registration_allowed {
                    return Err(RegistryError::PowRegistrationDisabled);
                }
                if block > now || now.saturating_sub(block) >= pow::WORK_WINDOW {
                    return Err(RegistryError::StaleWork);
                }
                if self.used_work.contains(work) {
                    return Err(RegistryError::WorkAlreadyUsed);
                }
                let seed = pow::seed(registry, netuid, block, s.registrations);
                if pow::seal(&seed, &hotkey, &coldkey, nonce) != work {
                    return Err(RegistryError::InvalidSeal);
                }
                if !pow::meets_difficulty(&work, s.difficulty) {
                    return Err(RegistryError::DifficultyNotMet);
                }
                self.used_work.insert(work, &());
                s.pow_regs_this_interval = s.pow_regs_this_interval.saturating_add(1);
                0
            }
        };
        let (uid, replaced) = if s.n < h.max_allowed_uids {
            (self.append_neuron(netuid, &mut s, hotkey, now)?, None)
        } else {
            let uid = self.neuron_to_prune(netuid, &s, &h, now).ok_or(RegistryError::NoUidAvailable)?;
            (uid, Some(self.replace_neuron(netuid, &s, uid, hotkey, now)?))
        };
        s.regs_this_block = s.regs_this_block.saturating_add(1);
        s.regs_this_interval = s.regs_this_interval.saturating_add(1);
        s.registrations = s.registrations.saturating_add(1);
        self.subnets.insert(netuid, &s);
        Ok(Registered {
            uid,
            price,
            events: ink::prelude::vec![RegistryEvent::NeuronRegistered { netuid, uid, hotkey, replaced, price }],
        })
    }

    /// The hotkey `caller` announces where it serves on `netuid`.
    #[allow(clippy::too_many_arguments)]
    pub fn serve_axon(
        &mut self,
        caller: AccountId,
        now: BlockNumber,
        netuid: u16,
        version: u32,
        ip: u128,
        port: u16,
        ip_type: u8,
        protocol: u8,
    ) -> Result<Events, RegistryError> {
        let s = self.subnets.get(netuid).ok_or(RegistryError::SubnetNotFound)?;
        let h = self.hyperparams.get(netuid).ok_or(RegistryError::SubnetNotFound)?;
        if self.current_uid(netuid, &s, caller).is_none() {
            return Err(RegistryError::NotRegistered);
        }
        axon::validate(ip, ip_type, port, self.params.allow_local_axons)?;
        if let Some(previous) = self.axon(netuid, caller) {
            let ready = previous.block.saturating_add(h.serving_rate_limit);
            if h.serving_rate_limit > 0 && previous.block > 0 && now < ready {
                return Err(RegistryError::ServingRateLimited { blocks_left: ready.saturating_sub(now) });
            }
        }
        let info = AxonInfo { block: now, version, ip, port, ip_type, protocol };
        self.axons.insert((netuid, caller), &(info, s.generation));
        Ok(ink::prelude::vec![RegistryEvent::AxonServed { netuid, hotkey: caller }])
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

    // ---- internals ----

    fn current_uid(&self, netuid: u16, s: &Subnet, hotkey: AccountId) -> Option<u16> {
        match self.uids.get((netuid, hotkey)) {
            Some((uid, generation)) if generation == s.generation && uid < s.n => Some(uid),
            _ => None,
        }
    }

    fn append_neuron(&mut self, netuid: u16, s: &mut Subnet, hotkey: AccountId, now: BlockNumber) -> Result<u16, RegistryError> {
        let uid = s.n;
        self.neurons.insert((netuid, uid), &NeuronRecord { hotkey, registered_at: now, generation: s.generation });
        self.uids.insert((netuid, hotkey), &(uid, s.generation));
        s.n = s.n.checked_add(1).ok_or(RegistryError::Overflow)?;
        Ok(uid)
    }

    /// Puts `hotkey` at `uid`; returns the hotkey it replaced.
    fn replace_neuron(&mut self, netuid: u16, s: &Subnet, uid: u16, hotkey: AccountId, now: BlockNumber) -> Result<AccountId, RegistryError> {
        let old = self.neurons.get((netuid, uid)).ok_or(RegistryError::NoUidAvailable)?;
        self.uids.remove((netuid, old.hotkey));
        self.axons.remove((netuid, old.hotkey));
        self.neurons.insert((netuid, uid), &NeuronRecord { hotkey, registered_at: now, generation: s.generation });
        self.uids.insert((netuid, hotkey), &(uid, s.generation));
        // The ledger keys per-UID state by registration block, so the new occupant starts clean.
        let mut scores = self.pruning_scores.get(netuid).unwrap_or_default();
        if let Some(score) = scores.get_mut(usize::from(uid)) {
            *score = u16::MAX;
            self.pruning_scores.insert(netuid, &scores);
        }
        Ok(old.hotkey)
    }

    /// Classic rule: lowest pruning score outside immunity, ties to the earliest registration,
    /// then the lowest UID; only if every UID is immune, the same among the immune. The owner
    /// hotkey is never pruned.
    fn neuron_to_prune(&self, netuid: u16, s: &Subnet, h: &Hyperparams, now: BlockNumber) -> Option<u16> {
        let scores = self.pruning_scores.get(netuid).unwrap_or_default();
        let mut best: Option<(bool, u16, BlockNumber, u16)> = None; // (immune, score, registered_at, uid)
        for uid in 0..s.n {
            let Some(record) = self.neurons.get((netuid, uid)) else { continue };
            if record.hotkey == s.owner_hotkey {
                continue;
            }
            let immune = now.saturating_sub(record.registered_at) < h.immunity_period;
            let score = scores.get(usize::from(uid)).copied().unwrap_or(0);
            let key = (immune, score, record.registered_at, uid);
            if best.is_none_or(|b| key < b) {
                best = Some(key);
            }
        }
        best.map(|(_, _, _, uid)| uid)
    }

    /// The subnet to dissolve at the limit: the lowest emission share among subnets past their
    /// immunity, the oldest on ties (subtensor's `get_subnet_to_prune`).
    fn subnet_to_prune(&self, now: BlockNumber, shares: &[(u16, u128)]) -> Result<u16, RegistryError> {
        let share_of = |netuid: u16| shares.iter().find(|(n, _)| *n == netuid).map_or(0, |(_, share)| *share);
        let mut best: Option<(u128, u16)> = None;
        let mut cursor = self.oldest;
        while let Some(netuid) = cursor {
            let s = self.subnets.get(netuid).ok_or(RegistryError::SubnetNotFound)?;
            let prunable = now.saturating_sub(s.created_at) >= self.params.network_immunity_period;
            // Strictly lower only: walking oldest first, the oldest wins ties.
            if prunable && best.is_none_or(|(share, _)| share_of(netuid) < share) {
                best = Some((share_of(netuid), netuid));
            }
            cursor = s.next;
        }
        if let Some((_, netuid)) = best {
            return Ok(netuid);
        }
        let oldest = self.oldest.ok_or(RegistryError::SubnetNotFound)?;
        let s = self.subnets.get(oldest).ok_or(RegistryError::SubnetNotFound)?;
        let free_at = s.created_at.saturating_add(self.params.network_immunity_period);
        Err(RegistryError::SubnetLimitReached { immune_for: free_at.saturating_sub(now) })
    }

    /// Removes a subnet in O(1): its neuron records become stale with its generation.
    fn dissolve(&mut self, netuid: u16) -> Result<(AccountId, Balance, Events), RegistryError> {
        let s = self.subnets.get(netuid).ok_or(RegistryError::SubnetNotFound)?;
        self.unlink(&s)?;
        self.subnets.remove(netuid);
        self.hyperparams.remove(netuid);
        self.pruning_scores.remove(netuid);
        let at = self.free_netuids.partition_point(|&f| f < netuid);
        self.free_netuids.insert(at, netuid);
        self.subnet_count = self.subnet_count.saturating_sub(1);
        Ok((s.owner, s.locked, ink::prelude::vec![RegistryEvent::SubnetDissolved {
            netuid,
            owner: s.owner,
            refund: s.locked
        }]))
    }

    fn take_free_netuid(&mut self) -> Result<u16, RegistryError> {
        if !self.free_netuids.is_empty() {
            return Ok(self.free_netuids.remove(0));
        }
        let netuid = self.next_fresh_netuid;
        if netuid == u16::MAX {
            return Err(RegistryError::Overflow);
        }
        self.next_fresh_netuid = netuid.saturating_add(1);
        Ok(netuid)
    }

    fn link_newest(&mut self, netuid: u16, subnet: Subnet) -> Result<(), RegistryError> {
        if let Some(newest) = self.newest {
            let mut n = self.subnets.get(newest).ok_or(RegistryError::SubnetNotFound)?;
            n.next = Some(netuid);
            self.subnets.insert(newest, &n);
        } else {
            self.oldest = Some(netuid);
        }
        self.newest = Some(netuid);
        self.subnets.insert(netuid, &subnet);
        Ok(())
    }

    fn unlink(&mut self, s: &Subnet) -> Result<(), RegistryError> {
        match s.prev {
            Some(prev) => {
                let mut p = self.subnets.get(prev).ok_or(RegistryError::SubnetNotFound)?;
                p.next = s.next;
                self.subnets.insert(prev, &p);
            }
            None => self.oldest = s.next,
        }
        match s.next {
            Some(next) => {
                let mut n = self.subnets.get(next).ok_or(RegistryError::SubnetNotFound)?;
                n.prev = s.prev;
                self.subnets.insert(next, &n);
            }
            None => self.newest = s.prev,
        }
        Ok(())
    }
}

/// Applies every adjustment interval that has fully elapsed by `now` (spec §5.2 classic):
/// the first with the interval's counters, later ones with none (prices fall), exactly as a
/// chain adjusting at every interval boundary would have. Idle intervals stop costing once
/// both prices reach their floors; after `MAX_CATCH_UP` idle intervals the prices are set to
/// their floors.
fn adjust_prices(s: &mut Subnet, h: &Hyperparams, now: BlockNumber) {
    let interval = h.adjustment_interval.max(1);
    let mut rounds: u32 = 0;
    while now.saturating_sub(s.last_adjustment_block) >= interval {
        let idle = s.regs_this_interval == 0;
        let floored = s.burn == h.min_burn && s.difficulty == h.min_difficulty;
        if idle && (floored || rounds >= pricing::MAX_CATCH_UP) {
            s.burn = h.min_burn;
            s.difficulty = h.min_difficulty;
            let behind = now.saturating_sub(s.last_adjustment_block);
            s.last_adjustment_block = now.saturating_sub(behind.checked_rem(interval).unwrap_or(0));
            break;
        }
        let (r, t) = (s.regs_this_interval, h.target_regs_per_interval);
        let (pow, burn) = (s.pow_regs_this_interval, s.burn_regs_this_interval);
        let adjust_burn = |x: Balance| pricing::upgraded(x, r, t, h.adjustment_alpha, h.min_burn, h.max_burn);
        let adjust_difficulty = |x: u64| {
            let bounds = (u128::from(h.min_difficulty), u128::from(h.max_difficulty));
            let v = pricing::upgraded(u128::from(x), r, t, h.adjustment_alpha, bounds.0, bounds.1);
            u64::try_from(v).unwrap_or(h.max_difficulty)
        };
        // Over target: raise the price of the path used more (both on a tie). At or under
        // target: lower the price of the path used more (both on a tie), as subtensor does.
        let (more_pow, more_burn) = (pow >= burn, burn >= pow);
        if r > t {
            if more_pow {
                s.difficulty = adjust_difficulty(s.difficulty);
            }
            if more_burn {
                s.burn = adjust_burn(s.burn);
            }
        } else {
            if more_pow {
                s.burn = adjust_burn(s.burn);
            }
            if more_burn {
                s.difficulty = adjust_difficulty(s.difficulty);
            }
        }
        s.regs_this_interval = 0;
        s.pow_regs_this_interval = 0;
        s.burn_regs_this_interval = 0;
        s.last_adjustment_block = s.last_adjustment_block.saturating_add(interval);
        rounds = rounds.saturating_add(1);
    }
}
