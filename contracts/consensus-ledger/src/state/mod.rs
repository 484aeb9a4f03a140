//! The ledger's state and rules. No environment access and no cross-contract calls: the
//! shell (`lib.rs`) fetches what the registry and staking know and hands it in, then makes
//! the token and staking calls the results ask for.
//!
//! Per-UID records are validated against the UID's registration block instead of being
//! cleared when a UID changes hands: a weight row set before its owner registered, a bond
//! row or permit from an epoch before that, are ignored. So re-registration and subnet
//! dissolution cost O(1) here, and a UID's history never reaches its next occupant.
//!
//! This file holds the records, the queries and the subnet lifecycle; `weight_rows` the
//! weight setting, `epoch` the epoch, `root_network` the root network.
use crate::accrual::{self, Account, Pool};
use crate::commits::{self, Commit};
use crate::weights::{self, Mode, Setter};
use bt_interfaces::{
    AccountId, Balance, BlockNumber, Hyperparams, LedgerError, NeuronSlot, Payout, SubnetView, MAX_ROOT_MEMBERS,
};
use ink::prelude::vec::Vec;
use ink::storage::Mapping;

mod epoch;
mod root_network;
mod weight_rows;

pub use epoch::epoch_params;

/// UIDs per stored chunk of per-UID records.
pub const CHUNK: u16 = 256;
/// Largest subnet one `run_epoch` call handles (the registry's ceiling).
pub const MAX_EPOCH_UIDS: u16 = bt_interfaces::MAX_UIDS_CEILING;
/// Most encoded bytes of one bond cell. A storage access costs about 1,000 times as much as
/// a byte of it, so the epoch packs its bond rows into as few cells as fit ink's 16 KiB
/// encoding buffer (with room for the key).
pub const BOND_CELL_BYTES: usize = 15 * 1024;

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
    /// How many bond cells the last epoch wrote (see `bonds_of`).
    pub bond_cells: u16,
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
/// Bond rows by UID, ascending.
type BondCell = Vec<(u16, Row)>;
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
    /// The bond rows of the last epoch by (netuid, cell): the permit holders' rows in UID
    /// order, packed into cells of at most `BOND_CELL_BYTES`.
    bonds: Mapping<UidKey, BondCell>,
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

    /// The bond row `uid` was given by the last epoch (stored as is: the caller checks it
    /// against the UID's registration).
    pub fn bonds_of(&self, netuid: u16, uid: u16) -> Option<Row> {
        let cells = self.subnets.get(netuid)?.bond_cells;
        // Cells hold ascending UIDs: the first cell reaching `uid` is the only one that can hold it.
        let rows = (0..cells)
            .filter_map(|cell| self.bonds.get((netuid, cell)))
            .find(|rows| rows.last().is_some_and(|(last, _)| *last >= uid))?;
        rows.into_iter().find(|(u, _)| *u == uid).map(|(_, row)| row)
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
            self.remove_bond_cells(netuid, old.bond_cells);
        }
        let mut account = Account::default();
        let share = if self.root_shares { 0 } else { accrual::EQUAL_SHARE };
        self.pool.set_share(&mut account, share);
        self.subnets.insert(
            netuid,
            &SubnetLedger { created_at: block, last_epoch: block, epoch_index: 0, account, carried_after_cut: 0, bond_cells: 0 },
        );
    }

    /// A subnet disappeared: its share ends and its unpaid emission returns to the pool.
    pub fn subnet_dissolved(&mut self, netuid: u16) {
        if let Some(mut s) = self.subnets.get(netuid) {
            self.pool.set_share(&mut s.account, 0);
            self.pool.carried = self.pool.carried.saturating_add(s.account.accrued);
            self.remove_bond_cells(netuid, s.bond_cells);
            self.subnets.remove(netuid);
        }
    }

    /// A subnet's bond rows go with it (they would never be read again).
    fn remove_bond_cells(&mut self, netuid: u16, cells: u16) {
        for cell in 0..cells {
            self.bonds.remove((netuid, cell));
        }
    }

    /// Registration on `netuid` was switched on or off (emission already pulled). Off: the
    /// share ends now. On: an equal share starts now, or, once root votes decide shares, at
    /// the next root epoch.
    pub fn registration_switched(&mut self, netuid: u16, allowed: bool) {
        let Some(mut s) = self.subnets.get(netuid) else { return };
        let share = self.share_for_registration(allowed, s.account.share);
        if s.account.share != share {
            self.pool.set_share(&mut s.account, share);
            self.subnets.insert(netuid, &s);
        }
    }

    /// A subnet's share given whether registration is open on it: none while closed; an equal
    /// share while open until root votes decide, then what the last root epoch gave it.
    fn share_for_registration(&self, allowed: bool, current: u128) -> u128 {
        match (allowed, self.root_shares) {
            (false, _) => 0,
            (true, false) => accrual::EQUAL_SHARE,
            (true, true) => current,
        }
    }

    /// Credits newly minted emission to every subnet by share. Returns what no subnet can
    /// take (minted while no subnet holds a share): the shell recycles it.
    pub fn add_emission(&mut self, minted: Balance) -> Balance {
        self.pool.add(minted);
        self.pool.take_unclaimable()
    }
}
