//! Incentive waiting beside its pool.
//!
//! Most UIDs an epoch pays are miners, paid incentive only. Crediting it to each owner's
//! shares at once costs a pool read and write per UID, the largest part of an epoch's gas.
//! Instead it waits in the paying subnet's cells of `CELL_SLOTS` UIDs (a read and a write per
//! cell per epoch) and joins the owner's shares when the pool is next touched: a stake move, a
//! payout with dividends, or another hotkey taking the UID.
//!
//! Waiting changes nobody's value. A deposit buys shares at the pool's price and leaves the
//! price where it was; only dividends move it, and every payout with dividends settles the
//! hotkey's waiting incentive first. So a late deposit buys the owner the shares a deposit on
//! time would have (up to rounding, in the pool's favour), whoever triggers it. Until then the
//! waiting amount counts as the owner's stake in every view and for consensus, as it would
//! have once deposited.
use super::replay::Replays;
use super::StakingState;
use crate::pool::Pool;
use bt_interfaces::{AccountId, Balance, BlockNumber, StakingError};
use ink::prelude::vec::Vec;

/// UIDs per stored cell (a full cell is 6 KiB).
pub const CELL_SLOTS: u16 = 128;
/// Most slots one pool has incentive waiting in; past it, incentive is deposited at once.
/// Each listed slot of another subnet costs the epoch's stake query one storage read, so a
/// hotkey mining on many subnets cannot make another subnet's epoch read many cells.
pub const MAX_WAITING_SLOTS: usize = 2;

/// (netuid, uid).
pub type Slot = (u16, u16);
/// (netuid, cell index).
pub type CellKey = (u16, u16);

/// The incentive waiting in one slot, and the hotkey it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Waiting {
    pub hotkey: AccountId,
    pub amount: Balance,
    /// This amount is the hotkey's whole stake: its pool holds no stake, maturing or not, and
    /// incentive waits for it nowhere else (a miner nobody stakes on). The epoch's stake query
    /// then needs no read of the pool. Cleared whenever the pool gains anything.
    pub sole: bool,
}

impl Default for Waiting {
    fn default() -> Self {
        Self { hotkey: AccountId::from([0; 32]), amount: 0, sole: false }
    }
}

/// One cell: the slots of `CELL_SLOTS` consecutive UIDs. A fixed array decodes in place,
/// without the heap: staking keeps ink's allocator, which never frees, so a message may read
/// any number of cells one at a time.
pub type Cell = [Waiting; CELL_SLOTS as usize];

/// The cells a message reads, each read once and written back once if it changed: every
/// cell of its own subnet (the one it pays or queries) and the first `FOREIGN_KEPT` of other
/// subnets. Further cells of other subnets are read and written where they are used, so a
/// message's memory stays bounded however many subnets its hotkeys mine on.
pub struct Cells {
    home: Option<u16>,
    loaded: Vec<(CellKey, Cell, bool)>,
    foreign: usize,
}

/// Cells of other subnets one message keeps (8 KiB each in memory).
const FOREIGN_KEPT: usize = 4;

impl Cells {
    /// Keeps the cells of `netuid`.
    pub fn of(netuid: u16) -> Self {
        Self { home: Some(netuid), loaded: Vec::new(), foreign: 0 }
    }

    /// Keeps cells of other subnets only.
    pub fn none() -> Self {
        Self { home: None, loaded: Vec::new(), foreign: 0 }
    }
}

fn cell_of((netuid, uid): Slot) -> (CellKey, usize) {
    ((netuid, uid.checked_div(CELL_SLOTS).unwrap_or(0)), usize::from(uid.checked_rem(CELL_SLOTS).unwrap_or(0)))
}

impl StakingState {
    fn read_cell(&self, key: CellKey) -> Cell {
        self.waiting.get(key).unwrap_or([Waiting::default(); CELL_SLOTS as usize])
    }

    /// Index in `cells.loaded` of the cell `key`, loading it if it may be kept.
    fn kept_cell(&self, cells: &mut Cells, key: CellKey) -> Option<usize> {
        if let Some(i) = cells.loaded.iter().position(|(k, _, _)| *k == key) {
            return Some(i);
        }
        if cells.home != Some(key.0) {
            if cells.foreign >= FOREIGN_KEPT {
                return None;
            }
            cells.foreign = cells.foreign.saturating_add(1);
        }
        cells.loaded.push((key, self.read_cell(key), false));
        Some(cells.loaded.len().saturating_sub(1))
    }

    /// What waits in `slot` (netuid, uid).
    pub fn waiting_at_slot(&self, slot: Slot) -> Waiting {
        self.waiting_at(&mut Cells::none(), slot)
    }

    pub(super) fn waiting_at(&self, cells: &mut Cells, slot: Slot) -> Waiting {
        let (key, at) = cell_of(slot);
        match self.kept_cell(cells, key) {
            Some(i) => cells.loaded.get(i).and_then(|(_, cell, _)| cell.get(at).copied()).unwrap_or_default(),
            None => self.read_cell(key).get(at).copied().unwrap_or_default(),
        }
    }

    fn set_waiting(&mut self, cells: &mut Cells, slot: Slot, waiting: Waiting) {
        let (key, at) = cell_of(slot);
        match self.kept_cell(cells, key) {
            Some(i) => {
                if let Some((_, cell, dirty)) = cells.loaded.get_mut(i) {
                    if let Some(entry) = cell.get_mut(at) {
                        *entry = waiting;
                        *dirty = true;
                    }
                }
            }
            None => {
                let mut cell = self.read_cell(key);
                if let Some(entry) = cell.get_mut(at) {
                    *entry = waiting;
                    self.waiting.insert(key, &cell);
                }
            }
        }
    }

    pub(super) fn write_cells(&mut self, cells: Cells) {
        for (key, cell, dirty) in cells.loaded {
            if dirty {
                self.waiting.insert(key, &cell);
            }
        }
    }

    /// Incentive waiting for the owner of `hotkey` (whose pool is `pool`).
    pub(super) fn waiting_for(&self, cells: &mut Cells, hotkey: AccountId, pool: &Pool) -> Balance {
        pool.waiting.iter().fold(0, |sum: Balance, slot| {
            let w = self.waiting_at(cells, *slot);
            if w.hotkey == hotkey { sum.saturating_add(w.amount) } else { sum }
        })
    }

    /// The stake of each of `hotkeys`, which hold UIDs `start..` of `netuid`, that counts for
    /// consensus at `block` (`stakes`): a miner whose only stake is waiting incentive is read
    /// from its subnet's cell, without a read of its pool.
    pub fn uid_stakes(&self, netuid: u16, start: u16, hotkeys: &[AccountId], block: BlockNumber) -> Vec<Balance> {
        let limit = usize::try_from(bt_interfaces::MAX_STAKE_QUERY).unwrap_or(usize::MAX);
        let mut cells = Cells::of(netuid);
        let mut replays = Replays::of(netuid);
        hotkeys
            .iter()
            .enumerate()
            .map(|(i, hotkey)| {
                if i >= limit {
                    return 0;
                }
                let uid = u16::try_from(i).ok().and_then(|i| start.checked_add(i));
                if let Some(stake) = uid.and_then(|uid| self.replayed_stake(&mut replays, netuid, uid, *hotkey, block)) {
                    return stake;
                }
                match uid.map(|uid| self.waiting_at(&mut cells, (netuid, uid))) {
                    Some(w) if w.hotkey == *hotkey && w.sole => w.amount,
                    _ => self.mature_stake_with(&mut cells, &mut replays, *hotkey, block),
                }
            })
            .collect()
    }

    /// Marks none of `hotkey`'s slots as its whole stake any more (its pool gained something).
    fn clear_sole(&mut self, cells: &mut Cells, hotkey: AccountId, pool: &Pool) {
        for slot in &pool.waiting {
            let w = self.waiting_at(cells, *slot);
            if w.hotkey == hotkey && w.sole {
                self.set_waiting(cells, *slot, Waiting { sole: false, ..w });
            }
        }
    }

    /// Deposits `hotkey`'s waiting incentive for its owner and empties its slots: a pool lists
    /// only slots where something waits, so no read is spent on the others.
    pub(super) fn settle_waiting(&mut self, cells: &mut Cells, hotkey: AccountId, pool: &mut Pool) -> Result<(), StakingError> {
        let mut total: Balance = 0;
        for slot in core::mem::take(&mut pool.waiting) {
            let w = self.waiting_at(cells, slot);
            if w.hotkey == hotkey {
                total = total.checked_add(w.amount).ok_or(StakingError::Overflow)?;
                self.set_waiting(cells, slot, Waiting::default());
            }
        }
        if total > 0 {
            pool.credit_owner(total)?;
        }
        Ok(())
    }

    /// Lets an incentive-only payout wait in `slot`. Returns `false` (nothing credited) when
    /// `hotkey` has no owner.
    pub(super) fn credit_waiting(
        &mut self,
        cells: &mut Cells,
        replays: &mut Replays,
        slot: Slot,
        hotkey: AccountId,
        amount: Balance,
        block: BlockNumber,
    ) -> Result<bool, StakingError> {
        let current = self.waiting_at(cells, slot);
        // (An empty slot's default hotkey matches nobody's payout: its amount is 0.)
        if current.hotkey == hotkey && current.amount > 0 {
            let amount = current.amount.checked_add(amount).ok_or(StakingError::Overflow)?;
            self.set_waiting(cells, slot, Waiting { amount, ..current });
            return Ok(true);
        }
        let Some(mut pool) = self.pool_for_update(replays, hotkey) else { return Ok(false) };
        // The UID changed hands: what waits there for the previous holder joins its pool now.
        let mut free = true;
        if current.amount > 0 {
            match self.pool_for_update(replays, current.hotkey) {
                Some(mut previous) => {
                    self.fold(current.hotkey, &mut previous, block)?;
                    previous.credit_owner(current.amount)?;
                    previous.waiting.retain(|s| *s != slot);
                    self.pools.insert(current.hotkey, &previous);
                }
                // Unreachable (a slot waits only for a hotkey with a pool, and pools are never
                // removed); the amount then stays where it is, and this payout is deposited.
                None => free = false,
            }
        }
        // A pool lists only slots where something waits for it (settling empties and unlists
        // them), so this slot is not listed yet and the list needs no pruning.
        if free && pool.waiting.len() < MAX_WAITING_SLOTS {
            pool.waiting.push(slot);
            let sole = pool.value == 0 && pool.shares == 0 && pool.maturing.is_empty() && pool.waiting.len() == 1;
            if !sole {
                self.clear_sole(cells, hotkey, &pool);
            }
            self.set_waiting(cells, slot, Waiting { hotkey, amount, sole });
        } else {
            self.fold(hotkey, &mut pool, block)?;
            pool.credit_owner(amount)?;
            self.clear_sole(cells, hotkey, &pool);
            if free {
                self.set_waiting(cells, slot, Waiting::default());
            }
        }
        self.pools.insert(hotkey, &pool);
        Ok(true)
    }
}
