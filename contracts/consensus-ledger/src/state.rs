//! The ledger's state and rules. No environment access and no cross-contract calls: the
//! shell (`lib.rs`) fetches what the registry and staking know and hands it in, then makes
//! the token and staking calls the results ask for.
//!
//! Per-UID records are validated against the UID's registration block instead of being
//! cleared when a UID changes hands: a weight row set before its owner registered, a bond
//! row or permit from an epoch before that, are ignored. So re-registration and subnet
//! dissolution cost O(1) here, and a UID's history never reaches its next occupant.
use crate::accrual::{self, Account, Pool};
use crate::commits::{self, Commit};
use crate::weights::{self, Mode, Setter};
use bt_interfaces::{
    AccountId, Balance, BlockNumber, Hyperparams, LedgerError, NeuronSlot, Payout, SubnetView, MAX_ROOT_MEMBERS,
};
use ink::prelude::vec::Vec;
use ink::storage::Mapping;

/// UIDs per stored chunk of per-UID records.
pub const CHUNK: u16 = 256;
/// Largest subnet one `run_epoch` call handles (the registry's ceiling).
pub const MAX_EPOCH_UIDS: u16 = bt_interfaces::MAX_UIDS_CEILING;

/// Root-only parameters of the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct LedgerParams {
    /// The subnet owner's cut of each epoch's emission (SubnetOwnerCut, 18%).
    pub owner_cut: u16,
    /// Blocks between root epochs.
    pub root_tempo: BlockNumber,
    /// Root epoch sigmoid steepness (Rho of the root network).
    pub root_rho: u16,
    /// Root epoch sigmoid midpoint (Kappa of the root network).
    pub root_kappa: u16,
    /// Blocks between two root weight settings by one member.
    pub root_weights_rate_limit: BlockNumber,
    /// Least stake a hotkey needs to join the root network.
    pub root_min_stake: Balance,
}

impl Default for LedgerParams {
    fn default() -> Self {
        Self {
            owner_cut: 11_796,
            root_tempo: 360,
            root_rho: 10,
            root_kappa: 32_767,
            root_weights_rate_limit: 100,
            root_min_stake: 1_000_000_000_000,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct SubnetLedger {
    pub created_at: BlockNumber,
    pub last_epoch: BlockNumber,
    pub epoch_index: u64,
    pub account: Account,
    /// Emission an earlier epoch could not pay out: the owner cut was already taken from it,
    /// so the next epoch must not charge it again.
    pub carried_after_cut: Balance,
}

/// Weights and permit bookkeeping of one UID.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct UidMeta {
    pub last_update: BlockNumber,
    pub permit: bool,
    /// The epoch block that granted (or refused) `permit`.
    pub permit_at: BlockNumber,
}

impl UidMeta {
    /// The last weights update that counts for the occupant registered at `registered_at`.
    pub fn last_update_for(&self, registered_at: BlockNumber) -> BlockNumber {
        self.last_update.max(registered_at)
    }
    /// Whether the occupant registered at `registered_at` holds the validator permit.
    pub fn permit_for(&self, registered_at: BlockNumber) -> bool {
        self.permit && self.permit_at > registered_at
    }
}

/// One UID's outputs of the last epoch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct UidOutput {
    pub epoch_block: BlockNumber,
    pub active: bool,
    pub stake_weight: u16,
    pub consensus: u16,
    pub incentive: u16,
    pub dividends: u16,
    pub validator_trust: u16,
    pub emission: u64,
    pub pruning_score: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Row {
    pub at: BlockNumber,
    pub entries: Vec<(u16, u16)>,
}

/// What an epoch produced, for the shell to pay out and report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpochResult {
    /// Emission credited to the subnet since its last epoch (including carried dust).
    pub accrued: Balance,
    pub owner_cut: Balance,
    /// Emission split by Yuma (accrued − owner cut).
    pub emission: u64,
    pub payouts: Vec<Payout>,
    pub pruning_scores: Vec<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerEvent {
    WeightsSet { netuid: u16, uid: u16 },
    WeightsCommitted { netuid: u16, hotkey: AccountId, hash: [u8; 32] },
    EpochRun { netuid: u16, block: BlockNumber, emission: Balance, owner_cut: Balance, paid: Balance },
    RootEpochRun { block: BlockNumber, voted: bool },
    RootMemberAdded { hotkey: AccountId, replaced: Option<AccountId> },
}

type Events = Vec<LedgerEvent>;
type UidKey = (u16, u16);
type CommitKey = (u16, AccountId);
/// (subnet creation block the commits belong to, the commits).
type Commits = (BlockNumber, Vec<Commit>);

#[ink::storage_item]
#[derive(Debug)]
pub struct LedgerState {
    pool: Pool,
    subnets: Mapping<u16, SubnetLedger>,
    metas: Mapping<UidKey, Vec<UidMeta>>,
    outputs: Mapping<UidKey, Vec<UidOutput>>,
    weights: Mapping<UidKey, Row>,
    bonds: Mapping<UidKey, Row>,
    commits: Mapping<CommitKey, Commits>,
    root_members: Vec<AccountId>,
    root_votes: Mapping<AccountId, Row>,
    root_last_epoch: BlockNumber,
    /// True once a root epoch produced shares from votes (until then: equal shares).
    root_shares: bool,
    params: LedgerParams,
}

impl Default for LedgerState {
    fn default() -> Self {
        Self::new(LedgerParams::default())
    }
}

fn chunk_of(uid: u16) -> (u16, usize) {
    (uid.checked_div(CHUNK).unwrap_or(0), usize::from(uid.checked_rem(CHUNK).unwrap_or(0)))
}

impl LedgerState {
    pub fn new(params: LedgerParams) -> Self {
        Self {
            pool: Pool::default(),
            subnets: Mapping::default(),
            metas: Mapping::default(),
            outputs: Mapping::default(),
            weights: Mapping::default(),
            bonds: Mapping::default(),
            commits: Mapping::default(),
            root_members: Vec::new(),
            root_votes: Mapping::default(),
            root_last_epoch: 0,
            root_shares: false,
            params,
        }
    }

    // ---- queries ----

    pub fn params(&self) -> LedgerParams {
        self.params
    }

    pub fn set_params(&mut self, params: LedgerParams) {
        self.params = params;
    }

    pub fn pool(&self) -> Pool {
        self.pool
    }

    pub fn subnet(&self, netuid: u16) -> Option<SubnetLedger> {
        self.subnets.get(netuid)
    }

    /// Emission credited to `netuid` and not yet paid, given `minted_pending` not yet pulled.
    pub fn pending_emission(&self, netuid: u16, minted_pending: Balance) -> Balance {
        let Some(s) = self.subnets.get(netuid) else { return 0 };
        let mut pool = self.pool;
        pool.add(minted_pending);
        pool.pending(&s.account)
    }

    pub fn meta(&self, netuid: u16, uid: u16) -> UidMeta {
        let (chunk, at) = chunk_of(uid);
        self.metas.get((netuid, chunk)).and_then(|c| c.get(at).copied()).unwrap_or_default()
    }

    pub fn output(&self, netuid: u16, uid: u16) -> UidOutput {
        let (chunk, at) = chunk_of(uid);
        self.outputs.get((netuid, chunk)).and_then(|c| c.get(at).copied()).unwrap_or_default()
    }

    /// Meta and last outputs of UIDs `start .. start + len`, reading each storage chunk once
    /// (per-UID lookups would decode a whole chunk per UID and exhaust contract memory).
    pub fn uid_records(&self, netuid: u16, start: u16, len: u16) -> Vec<(UidMeta, UidOutput)> {
        let mut out = Vec::with_capacity(usize::from(len));
        // (chunk, its metas, its outputs); u16::MAX is no chunk's index (at most 65535 / CHUNK).
        let mut loaded: (u16, Vec<UidMeta>, Vec<UidOutput>) = (u16::MAX, Vec::new(), Vec::new());
        for uid in (start..=u16::MAX).take(usize::from(len)) {
            let (chunk, at) = chunk_of(uid);
            if loaded.0 != chunk {
                loaded = (chunk, self.metas.get((netuid, chunk)).unwrap_or_default(), self.outputs.get((netuid, chunk)).unwrap_or_default());
            }
            out.push((loaded.1.get(at).copied().unwrap_or_default(), loaded.2.get(at).copied().unwrap_or_default()));
        }
        out
    }

    pub fn weights_of(&self, netuid: u16, uid: u16) -> Option<Row> {
        self.weights.get((netuid, uid))
    }

    pub fn bonds_of(&self, netuid: u16, uid: u16) -> Option<Row> {
        self.bonds.get((netuid, uid))
    }

    pub fn pending_commits(&self, netuid: u16, hotkey: AccountId) -> Vec<Commit> {
        let created = self.subnets.get(netuid).map(|s| s.created_at);
        match self.commits.get((netuid, hotkey)) {
            Some((at, list)) if Some(at) == created => list,
            _ => Vec::new(),
        }
    }

    pub fn root_members(&self) -> Vec<AccountId> {
        self.root_members.clone()
    }

    pub fn root_vote(&self, hotkey: AccountId) -> Option<Row> {
        self.root_votes.get(hotkey)
    }

    pub fn root_last_epoch(&self) -> BlockNumber {
        self.root_last_epoch
    }

    // ---- subnet lifecycle ----

    /// A subnet appeared at `block`: it accrues from now on (an equal share until root votes
    /// decide shares).
    pub fn subnet_created(&mut self, netuid: u16, block: BlockNumber) {
        if let Some(mut old) = self.subnets.get(netuid) {
            self.pool.set_share(&mut old.account, 0);
            self.pool.carried = self.pool.carried.saturating_add(old.account.accrued);
        }
        let mut account = Account::default();
        let share = if self.root_shares { 0 } else { accrual::EQUAL_SHARE };
        self.pool.set_share(&mut account, share);
        self.subnets.insert(
            netuid,
            &SubnetLedger { created_at: block, last_epoch: block, epoch_index: 0, account, carried_after_cut: 0 },
        );
    }

    /// A subnet disappeared: its share ends and its unpaid emission returns to the pool.
    pub fn subnet_dissolved(&mut self, netuid: u16) {
        if let Some(mut s) = self.subnets.get(netuid) {
            self.pool.set_share(&mut s.account, 0);
            self.pool.carried = self.pool.carried.saturating_add(s.account.accrued);
            self.subnets.remove(netuid);
        }
    }

    /// Registration on `netuid` was switched on or off (emission already pulled). Off: the
    /// share ends now. On: an equal share starts now, or, once root votes decide shares, at
    /// the next root epoch.
    pub fn registration_switched(&mut self, netuid: u16, allowed: bool) {
        let Some(mut s) = self.subnets.get(netuid) else { return };
        let share = match (allowed, self.root_shares) {
            (false, _) => 0,
            (true, false) => accrual::EQUAL_SHARE,
            (true, true) => return,
        };
        if s.account.share != share {
            self.pool.set_share(&mut s.account, share);
            self.subnets.insert(netuid, &s);
        }
    }

    /// Credits newly minted emission to every subnet by share. Returns what no subnet can
    /// take (minted while no subnet holds a share): the shell recycles it.
    pub fn add_emission(&mut self, minted: Balance) -> Balance {
        self.pool.add(minted);
        self.pool.take_unclaimable()
    }

    // ---- weights ----

    /// Validates and stores a weight row for `uid` (registered at `slot`).
    #[allow(clippy::too_many_arguments)]
    pub fn set_weights(
        &mut self,
        view: &SubnetView,
        uid: u16,
        slot: &NeuronSlot,
        stake: Balance,
        now: BlockNumber,
        uids: &[u16],
        values: &[u16],
        version_key: u64,
    ) -> Result<Events, LedgerError> {
        let h = &view.hyperparams;
        if h.commit_reveal_enabled {
            return Err(LedgerError::CommitRevealEnabled);
        }
        let mut meta = self.meta(view.netuid, uid);
        let who = self.setter(&meta, uid, slot, view.n, stake, now);
        let row = weights::check(h, &who, uids, values, version_key, Mode::Direct)?;
        self.weights.insert((view.netuid, uid), &Row { at: now, entries: row });
        meta.last_update = now;
        self.set_meta(view.netuid, uid, meta);
        Ok(ink::prelude::vec![LedgerEvent::WeightsSet { netuid: view.netuid, uid }])
    }

    /// Stores a commitment to weights; the rate limit applies here.
    pub fn commit_weights(
        &mut self,
        view: &SubnetView,
        uid: u16,
        slot: &NeuronSlot,
        now: BlockNumber,
        hash: [u8; 32],
    ) -> Result<Events, LedgerError> {
        let h = &view.hyperparams;
        if !h.commit_reveal_enabled {
            return Err(LedgerError::CommitRevealDisabled);
        }
        let s = self.subnets.get(view.netuid).ok_or(LedgerError::SubnetNotFound)?;
        let mut meta = self.meta(view.netuid, uid);
        let last = meta.last_update_for(slot.registered_at);
        let ready = last.saturating_add(h.weights_rate_limit);
        if now < ready {
            return Err(LedgerError::TooSoon { blocks_left: ready.saturating_sub(now) });
        }
        let mut pending = self.pending_commits(view.netuid, slot.hotkey);
        commits::commit(&mut pending, hash, s.epoch_index, h.reveal_period_epochs, now)?;
        self.commits.insert((view.netuid, slot.hotkey), &(s.created_at, pending));
        meta.last_update = now;
        self.set_meta(view.netuid, uid, meta);
        Ok(ink::prelude::vec![LedgerEvent::WeightsCommitted { netuid: view.netuid, hotkey: slot.hotkey, hash }])
    }

    /// Reveals committed weights in their reveal epoch and stores them as of the commit block
    /// (last_update stays the commit block). A commit from before the hotkey's current
    /// registration is refused.
    #[allow(clippy::too_many_arguments)]
    pub fn reveal_weights(
        &mut self,
        view: &SubnetView,
        uid: u16,
        slot: &NeuronSlot,
        stake: Balance,
        now: BlockNumber,
        uids: &[u16],
        values: &[u16],
        salt: &[u16],
        version_key: u64,
    ) -> Result<Events, LedgerError> {
        let h = &view.hyperparams;
        if !h.commit_reveal_enabled {
            return Err(LedgerError::CommitRevealDisabled);
        }
        let s = self.subnets.get(view.netuid).ok_or(LedgerError::SubnetNotFound)?;
        let hash = commits::commit_hash(&slot.hotkey, view.netuid, uids, values, salt, version_key);
        let mut pending = self.pending_commits(view.netuid, slot.hotkey);
        let commit = commits::reveal(&mut pending, &hash, s.epoch_index, h.reveal_period_epochs)?;
        if commit.block < slot.registered_at {
            return Err(LedgerError::CommitBeforeRegistration);
        }
        let meta = self.meta(view.netuid, uid);
        let who = self.setter(&meta, uid, slot, view.n, stake, now);
        let row = weights::check(h, &who, uids, values, version_key, Mode::Reveal)?;
        self.commits.insert((view.netuid, slot.hotkey), &(s.created_at, pending));
        self.weights.insert((view.netuid, uid), &Row { at: commit.block, entries: row });
        Ok(ink::prelude::vec![LedgerEvent::WeightsSet { netuid: view.netuid, uid }])
    }

    fn setter(&self, meta: &UidMeta, uid: u16, slot: &NeuronSlot, n: u16, stake: Balance, now: BlockNumber) -> Setter {
        Setter {
            uid,
            n,
            stake,
            has_permit: meta.permit_for(slot.registered_at),
            last_update: meta.last_update_for(slot.registered_at),
            now,
        }
    }

    fn set_meta(&mut self, netuid: u16, uid: u16, meta: UidMeta) {
        let (chunk, at) = chunk_of(uid);
        let mut records = self.metas.get((netuid, chunk)).unwrap_or_default();
        if records.len() <= at {
            records.resize(at.saturating_add(1), UidMeta::default());
        }
        if let Some(slot) = records.get_mut(at) {
            *slot = meta;
        }
        self.metas.insert((netuid, chunk), &records);
    }

    // ---- epochs ----

    /// Blocks until `netuid`'s next epoch may run (0 when due).
    pub fn blocks_until_epoch(&self, netuid: u16, tempo: u16, now: BlockNumber) -> Option<BlockNumber> {
        let s = self.subnets.get(netuid)?;
        Some(s.last_epoch.saturating_add(u32::from(tempo)).saturating_sub(now))
    }

    /// Runs `netuid`'s epoch at `now` over the registry's `slots` and staking's `stakes` (one
    /// per slot), after the shell added the newly minted emission. Stores outputs, permits and
    /// bonds; returns what to pay. Call `finish_epoch` with what was actually paid.
    pub fn run_epoch(
        &mut self,
        view: &SubnetView,
        slots: &[NeuronSlot],
        stakes: &[Balance],
        now: BlockNumber,
    ) -> Result<EpochResult, LedgerError> {
        let netuid = view.netuid;
        let h = &view.hyperparams;
        let mut s = match self.subnets.get(netuid) {
            Some(s) if s.created_at == view.created_at => s,
            _ => {
                self.subnet_created(netuid, view.created_at);
                self.subnets.get(netuid).ok_or(LedgerError::SubnetNotFound)?
            }
        };
        let due = s.last_epoch.saturating_add(u32::from(h.tempo));
        if now < due {
            return Err(LedgerError::EpochNotDue { blocks_left: due.saturating_sub(now) });
        }
        if slots.len() > usize::from(MAX_EPOCH_UIDS) {
            return Err(LedgerError::SubnetTooLarge);
        }
        // Until root votes decide, registration-enabled subnets share equally, others get nothing.
        if !self.root_shares {
            let share = if h.registration_allowed { accrual::EQUAL_SHARE } else { 0 };
            if s.account.share != share {
                self.pool.set_share(&mut s.account, share);
            }
        }
        self.pool.settle(&mut s.account);
        let accrued = s.account.accrued;
        // The cut applies to new emission only, never again to what earlier epochs carried.
        let new_emission = accrued.saturating_sub(s.carried_after_cut);
        let owner_cut = crate::pool_math::proportion(new_emission, self.params.owner_cut);
        let emission = u64::try_from(accrued.saturating_sub(owner_cut)).unwrap_or(u64::MAX);

        let n = u16::try_from(slots.len()).unwrap_or(MAX_EPOCH_UIDS);
        let metas = self.load_metas(netuid, n);
        // Only holders of the previous epoch's permit can matter here: yuma ignores the weight
        // rows of UIDs without it, and only permit holders were given a bond row. Skipping the
        // others saves a storage read each (two for the bonds, with the removal below).
        let had_permit: Vec<bool> = slots
            .iter()
            .enumerate()
            .map(|(i, slot)| metas.get(i).is_some_and(|m| m.permit_for(slot.registered_at)))
            .collect();
        let weight_rows: Vec<Vec<(u16, u16)>> = slots
            .iter()
            .zip(0u16..)
            .zip(&had_permit)
            // Strictly after the registration: a row set in the very block the UID changed hands
            // was its predecessor's (the newcomer cannot hold a permit in its first block).
            .map(|((slot, uid), permit)| match permit.then(|| self.weights.get((netuid, uid))).flatten() {
                Some(row) if row.at > slot.registered_at => row.entries,
                _ => Vec::new(),
            })
            .collect();
        let bond_rows: Vec<Vec<(u16, u16)>> = slots
            .iter()
            .zip(0u16..)
            .zip(&had_permit)
            .map(|((slot, uid), permit)| match permit.then(|| self.bonds.get((netuid, uid))).flatten() {
                Some(row) if row.at > slot.registered_at => row.entries,
                _ => Vec::new(),
            })
            .collect();
        let empty = UidMeta::default();
        let inputs: Vec<yuma::NeuronInput> = slots
            .iter()
            .enumerate()
            .map(|(i, slot)| {
                let meta = metas.get(i).unwrap_or(&empty);
                yuma::NeuronInput {
                    stake: u64::try_from(stakes.get(i).copied().unwrap_or(0)).unwrap_or(u64::MAX),
                    last_update: u64::from(meta.last_update_for(slot.registered_at)),
                    registered_at: u64::from(slot.registered_at),
                    validator_permit: meta.permit_for(slot.registered_at),
                    weights: weight_rows.get(i).map(|r| r.as_slice()).unwrap_or(&[]),
                    bonds: bond_rows.get(i).map(|r| r.as_slice()).unwrap_or(&[]),
                }
            })
            .collect();
        let input = yuma::EpochInput {
            block: u64::from(now),
            emission,
            bonds_reset_block: u64::from(s.last_epoch.saturating_add(1)),
            params: epoch_params(h),
            neurons: &inputs,
        };
        let bonds = &mut self.bonds;
        let outputs = yuma::run_epoch_streaming(&input, |uid, row: &[(u16, u16)]| {
            if row.is_empty() {
                if had_permit.get(usize::from(uid)).copied().unwrap_or(true) {
                    bonds.remove((netuid, uid));
                }
            } else {
                bonds.insert((netuid, uid), &Row { at: now, entries: row.to_vec() });
            }
        });
        drop(inputs);

        let mut new_metas = metas;
        new_metas.resize(usize::from(n), UidMeta::default());
        let mut stored = Vec::with_capacity(outputs.len());
        let mut payouts = Vec::new();
        let mut pruning_scores = Vec::with_capacity(outputs.len());
        for ((o, slot), meta) in outputs.iter().zip(slots).zip(new_metas.iter_mut()) {
            meta.permit = o.validator_permit;
            meta.permit_at = now;
            meta.last_update = meta.last_update_for(slot.registered_at);
            stored.push(UidOutput {
                epoch_block: now,
                active: o.active,
                stake_weight: o.stake_weight,
                consensus: o.consensus,
                incentive: o.incentive,
                dividends: o.dividends,
                validator_trust: o.validator_trust,
                emission: o.emission,
                pruning_score: o.pruning_score,
            });
            pruning_scores.push(o.pruning_score);
            if o.server_emission > 0 || o.validator_emission > 0 {
                payouts.push(Payout {
                    hotkey: slot.hotkey,
                    incentive: Balance::from(o.server_emission),
                    dividends: Balance::from(o.validator_emission),
                });
            }
        }
        self.store_chunks(netuid, &new_metas, &stored);
        self.subnets.insert(netuid, &s);
        Ok(EpochResult { accrued, owner_cut, emission, payouts, pruning_scores })
    }

    /// Closes the epoch: what was paid (owner cut included) leaves the subnet's account; the
    /// rest (rounding dust) stays for the next epoch.
    pub fn finish_epoch(&mut self, netuid: u16, now: BlockNumber, result: &EpochResult, paid: Balance) -> Result<Events, LedgerError> {
        let mut s = self.subnets.get(netuid).ok_or(LedgerError::SubnetNotFound)?;
        let spent = paid.checked_add(result.owner_cut).ok_or(LedgerError::Overflow)?;
        s.account.accrued = s.account.accrued.checked_sub(spent).ok_or(LedgerError::Overflow)?;
        s.carried_after_cut = s.account.accrued;
        s.last_epoch = now;
        s.epoch_index = s.epoch_index.saturating_add(1);
        self.subnets.insert(netuid, &s);
        Ok(ink::prelude::vec![LedgerEvent::EpochRun {
            netuid,
            block: now,
            emission: result.accrued,
            owner_cut: result.owner_cut,
            paid
        }])
    }

    fn load_metas(&self, netuid: u16, n: u16) -> Vec<UidMeta> {
        let mut out = Vec::with_capacity(usize::from(n));
        let mut chunk: u16 = 0;
        while out.len() < usize::from(n) {
            let records = self.metas.get((netuid, chunk)).unwrap_or_default();
            let want = usize::from(n).saturating_sub(out.len()).min(usize::from(CHUNK));
            out.extend(records.into_iter().chain(core::iter::repeat(UidMeta::default())).take(want));
            chunk = chunk.saturating_add(1);
        }
        out
    }

    fn store_chunks(&mut self, netuid: u16, metas: &[UidMeta], outputs: &[UidOutput]) {
        for (chunk, (m, o)) in metas.chunks(usize::from(CHUNK)).zip(outputs.chunks(usize::from(CHUNK))).enumerate() {
            let key = (netuid, u16::try_from(chunk).unwrap_or(u16::MAX));
            self.metas.insert(key, &m.to_vec());
            self.outputs.insert(key, &o.to_vec());
        }
    }

    // ---- root network ----

    /// Adds `hotkey` to the root network, replacing the lowest-stake member when full.
    /// `stakes` are the members' stakes in order, then the candidate's.
    pub fn root_register(&mut self, hotkey: AccountId, member_stakes: &[Balance], stake: Balance) -> Result<Events, LedgerError> {
        if self.root_members.contains(&hotkey) {
            return Err(LedgerError::AlreadyRootMember);
        }
        if stake < self.params.root_min_stake {
            return Err(LedgerError::RootStakeBelowMinimum { stake, minimum: self.params.root_min_stake });
        }
        let limit = usize::try_from(MAX_ROOT_MEMBERS).unwrap_or(usize::MAX);
        let replaced = if self.root_members.len() < limit {
            self.root_members.push(hotkey);
            None
        } else {
            let (lowest, lowest_stake) = member_stakes
                .iter()
                .enumerate()
                .min_by_key(|(i, s)| (**s, usize::MAX.saturating_sub(*i)))
                .map(|(i, s)| (i, *s))
                .ok_or(LedgerError::RootStakeTooLow)?;
            if stake <= lowest_stake {
                return Err(LedgerError::RootStakeTooLow);
            }
            let slot = self.root_members.get_mut(lowest).ok_or(LedgerError::RootStakeTooLow)?;
            let old = core::mem::replace(slot, hotkey);
            self.root_votes.remove(old);
            Some(old)
        };
        Ok(ink::prelude::vec![LedgerEvent::RootMemberAdded { hotkey, replaced }])
    }

    /// A root member votes on subnets; `existing` are the netuids that exist (sorted), so a
    /// row is never longer than the subnet count.
    pub fn set_root_weights(
        &mut self,
        hotkey: AccountId,
        now: BlockNumber,
        netuids: &[u16],
        values: &[u16],
        existing: &[u16],
    ) -> Result<(), LedgerError> {
        if !self.root_members.contains(&hotkey) {
            return Err(LedgerError::NotRootMember);
        }
        if netuids.len() != values.len() {
            return Err(LedgerError::LengthMismatch);
        }
        if let Some(previous) = self.root_votes.get(hotkey) {
            let ready = previous.at.saturating_add(self.params.root_weights_rate_limit);
            if now < ready {
                return Err(LedgerError::TooSoon { blocks_left: ready.saturating_sub(now) });
            }
        }
        let mut row: Vec<(u16, u16)> = netuids.iter().copied().zip(values.iter().copied()).collect();
        yuma::math::heapsort_by(&mut row, |a, b| a.0 < b.0);
        if row.windows(2).any(|w| matches!(w, [a, b] if a.0 == b.0)) {
            return Err(LedgerError::DuplicateUid);
        }
        if row.iter().any(|(netuid, _)| existing.binary_search(netuid).is_err()) {
            return Err(LedgerError::SubnetNotFound);
        }
        self.root_votes.insert(hotkey, &Row { at: now, entries: row });
        Ok(())
    }

    /// Runs the root epoch: `subnets` are the existing netuids with their registration flag,
    /// `member_stakes` the members' stakes. Settles every subnet, then sets its new share.
    pub fn run_root_epoch(&mut self, now: BlockNumber, subnets: &[(u16, bool)], member_stakes: &[Balance]) -> Result<Events, LedgerError> {
        let due = self.root_last_epoch.saturating_add(self.params.root_tempo);
        if self.root_last_epoch != 0 && now < due {
            return Err(LedgerError::RootEpochNotDue { blocks_left: due.saturating_sub(now) });
        }
        let mut eligible: Vec<u16> = subnets.iter().filter(|(_, open)| *open).map(|(n, _)| *n).collect();
        yuma::math::heapsort(&mut eligible);
        let stakes: Vec<u64> = member_stakes.iter().map(|s| u64::try_from(*s).unwrap_or(u64::MAX)).collect();
        let rows: Vec<Vec<(u16, u16)>> =
            self.root_members.iter().map(|m| self.root_votes.get(m).map(|r| r.entries).unwrap_or_default()).collect();
        let shares = crate::root::shares(&eligible, &stakes, &rows, self.params.root_rho, self.params.root_kappa);
        self.root_shares = shares.is_some();
        for (netuid, _) in subnets {
            let Some(mut s) = self.subnets.get(*netuid) else { continue };
            let share = match (&shares, eligible.binary_search(netuid)) {
                (_, Err(_)) => 0,
                (Some(values), Ok(k)) => values.get(k).copied().unwrap_or(0),
                (None, Ok(_)) => accrual::EQUAL_SHARE,
            };
            self.pool.set_share(&mut s.account, share);
            self.subnets.insert(*netuid, &s);
        }
        self.root_last_epoch = now;
        Ok(ink::prelude::vec![LedgerEvent::RootEpochRun { block: now, voted: self.root_shares }])
    }
}

/// The yuma parameters of a subnet's hyperparameters.
pub fn epoch_params(h: &Hyperparams) -> yuma::EpochParams {
    yuma::EpochParams {
        kappa: h.kappa,
        bonds_penalty: h.bonds_penalty,
        bonds_moving_average: h.bonds_moving_average,
        activity_cutoff: u64::from(h.activity_cutoff),
        max_allowed_validators: h.max_allowed_validators,
        stake_threshold: h.stake_threshold,
        yuma3: h.yuma3,
        liquid_alpha: h.liquid_alpha,
        alpha_low: h.alpha_low,
        alpha_high: h.alpha_high,
        alpha_sigmoid_steepness: h.alpha_sigmoid_steepness,
    }
}
