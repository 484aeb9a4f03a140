//! Dividends replayed beside their pool.
//!
//! Validators are paid dividends every epoch, and paying them into the pool costs a pool read
//! and write per validator per epoch. Instead, once a validator has been paid through its pool
//! twice in a row on the same subnet, the pool's value and shares are carried forward in that
//! subnet's replay cells, and later payouts are applied there with the pool's own arithmetic
//! (`Pool::pay`), one after the other, exactly as they would have been applied to the pool.
//! Whatever else touches the pool loads it through `pool_for_update`, which writes the carried
//! state back and ends the replay first; views read through `pool_view`.
//!
//! A replay holds only while nothing it does not carry can change what the next payout does:
//! no incentive waits for the pool elsewhere (listing a slot ends the replay), the take is the
//! one copied (a take change ends it), and none of the pool's tranches has matured: a matured
//! tranche joins the shares before the next dividends, so from `until` on the next payout goes
//! through the pool again, and may start a new replay. A validator paid on several subnets is
//! paid through its pool, as before: a replay lives in one subnet's cells, and moving it to
//! the next subnet every epoch would cost more than it saves.
use super::StakingState;
use crate::pool::Pool;
use bt_interfaces::{AccountId, Balance, BlockNumber, StakingError};
use ink::prelude::vec::Vec;

/// Replays one stored cell holds (about 1.5 KiB).
pub const REPLAY_CELL: usize = 16;
/// Replay cells per subnet: a subnet carries at most `REPLAY_CELLS * REPLAY_CELL` = 64
/// validators; any further ones are paid through their pools.
pub const REPLAY_CELLS: u8 = 4;

/// Blocks without a payout after which a replay may give its place to another (the longest
/// tempo: a validator paid every epoch is never pushed out).
pub const STALE_AFTER: BlockNumber = 65_535;

/// One pool's value and shares, carried forward through its payouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Replay {
    pub hotkey: AccountId,
    /// The UID last paid (the epoch's stake query finds the replay by UID and hotkey).
    pub uid: u16,
    pub value: Balance,
    pub shares: u128,
    pub owner_shares: u128,
    pub take: u16,
    /// The pool's earliest tranche maturity when the replay began (`BlockNumber::MAX`: none).
    pub until: BlockNumber,
    /// Block of the last payout (a full subnet ends its least recently paid replay).
    pub paid_at: BlockNumber,
}

/// One cell of a subnet's replays. A small fixed array: it decodes without the heap (staking
/// keeps ink's allocator, which never frees) and without much of the 64 KiB stack.
pub type ReplayCell = [Option<Replay>; REPLAY_CELL];
/// (netuid, cell index).
pub type ReplayKey = (u16, u8);

const EMPTY: ReplayCell = [None; REPLAY_CELL];

impl Replay {
    fn begin(hotkey: AccountId, uid: u16, pool: &Pool, block: BlockNumber) -> Self {
        let mut replay = Self {
            hotkey,
            uid,
            value: 0,
            shares: 0,
            owner_shares: 0,
            take: pool.take,
            until: pool.maturing.iter().map(|t| t.mature_at).min().unwrap_or(BlockNumber::MAX),
            paid_at: block,
        };
        replay.read_from(pool);
        replay
    }

    fn read_from(&mut self, pool: &Pool) {
        self.value = pool.value;
        self.shares = pool.shares;
        self.owner_shares = pool.owner_shares;
    }

    fn write_into(&self, pool: &mut Pool) {
        pool.value = self.value;
        pool.shares = self.shares;
        pool.owner_shares = self.owner_shares;
    }

    /// Applies one payout as `Pool::pay` would to the pool.
    fn pay(&mut self, incentive: Balance, dividends: Balance) -> Result<(), StakingError> {
        let mut pool = Pool::new(self.hotkey, self.take, 0);
        self.write_into(&mut pool);
        pool.pay(incentive, dividends)?;
        self.read_from(&pool);
        Ok(())
    }
}

/// The replay cells of the subnet a message pays or queries, read at most once (all
/// `REPLAY_CELLS` together, kept on the heap) and each written back once if it changed.
/// Other subnets' cells are read and written where they are used.
pub struct Replays {
    home: Option<u16>,
    cells: Vec<(ReplayCell, bool)>,
}

impl Replays {
    pub fn of(netuid: u16) -> Self {
        Self { home: Some(netuid), cells: Vec::new() }
    }

    pub fn none() -> Self {
        Self { home: None, cells: Vec::new() }
    }
}

fn entry_of(cell: &ReplayCell, hotkey: AccountId) -> Option<usize> {
    cell.iter().position(|r| r.is_some_and(|r| r.hotkey == hotkey))
}

/// (cell, entry) of `hotkey`'s replay among a subnet's cells.
fn find(cells: &[(ReplayCell, bool)], hotkey: AccountId) -> Option<(usize, usize)> {
    cells.iter().enumerate().find_map(|(c, (cell, _))| entry_of(cell, hotkey).map(|e| (c, e)))
}

impl StakingState {
    fn read_replay_cell(&self, key: ReplayKey) -> ReplayCell {
        self.replays.get(key).unwrap_or(EMPTY)
    }

    fn write_replay_cell(&mut self, key: ReplayKey, cell: &ReplayCell) {
        if cell.iter().all(Option::is_none) {
            self.replays.remove(key);
        } else {
            self.replays.insert(key, cell);
        }
    }

    /// The home cells of `replays` (read on first use), if they are `netuid`'s.
    fn home_cells<'a>(&self, replays: &'a mut Replays, netuid: u16) -> Option<&'a mut Vec<(ReplayCell, bool)>> {
        if replays.home != Some(netuid) {
            return None;
        }
        if replays.cells.is_empty() {
            replays.cells = (0..REPLAY_CELLS).map(|c| (self.read_replay_cell((netuid, c)), false)).collect();
        }
        Some(&mut replays.cells)
    }

    pub(super) fn flush_replays(&mut self, replays: &Replays) {
        let Some(netuid) = replays.home else { return };
        for (c, (cell, dirty)) in (0u8..).zip(&replays.cells) {
            if *dirty {
                self.write_replay_cell((netuid, c), cell);
            }
        }
    }

    /// Every replay `netuid` carries.
    pub fn replays_of(&self, netuid: u16) -> Vec<Replay> {
        (0..REPLAY_CELLS).flat_map(|c| self.read_replay_cell((netuid, c))).flatten().collect()
    }

    /// The replay of `hotkey` stored under `key`.
    fn replay_at(&self, replays: &mut Replays, (netuid, c): ReplayKey, hotkey: AccountId) -> Option<Replay> {
        match self.home_cells(replays, netuid) {
            Some(cells) => cells.get(usize::from(c)).and_then(|(cell, _)| entry_of(cell, hotkey).and_then(|e| cell.get(e).copied().flatten())),
            None => {
                let cell = self.read_replay_cell((netuid, c));
                entry_of(&cell, hotkey).and_then(|e| cell.get(e).copied().flatten())
            }
        }
    }

    /// `hotkey`'s pool as it stands, its replay applied (for reading only).
    pub(super) fn pool_view(&self, replays: &mut Replays, hotkey: AccountId) -> Option<Pool> {
        let mut pool = self.pools.get(hotkey)?;
        if let Some(key) = pool.replaying {
            if let Some(r) = self.replay_at(replays, key, hotkey) {
                r.write_into(&mut pool);
            }
        }
        Some(pool)
    }

    /// `hotkey`'s pool, to be changed: a replay it has is written back to it, and ended, first
    /// (the pool is stored at once, so the books hold whatever the caller does next).
    pub(super) fn pool_for_update(&mut self, replays: &mut Replays, hotkey: AccountId) -> Option<Pool> {
        let mut pool = self.pools.get(hotkey)?;
        let Some((netuid, c)) = pool.replaying.take() else { return Some(pool) };
        let replay = match self.home_cells(replays, netuid) {
            Some(cells) => cells.get_mut(usize::from(c)).and_then(|(cell, dirty)| {
                let taken = entry_of(cell, hotkey).and_then(|e| cell.get_mut(e)).and_then(Option::take);
                *dirty |= taken.is_some();
                taken
            }),
            None => {
                let mut cell = self.read_replay_cell((netuid, c));
                let taken = entry_of(&cell, hotkey).and_then(|e| cell.get_mut(e)).and_then(Option::take);
                if taken.is_some() {
                    self.write_replay_cell((netuid, c), &cell);
                }
                taken
            }
        };
        self.write_back(hotkey, &mut pool, replay);
        Some(pool)
    }

    /// Ends `pool`'s replay: what `replay` carried (already out of its cell) goes back into
    /// the pool, which is stored.
    fn write_back(&mut self, hotkey: AccountId, pool: &mut Pool, replay: Option<Replay>) {
        if let Some(r) = replay {
            r.write_into(pool);
        }
        pool.replaying = None;
        self.pools.insert(hotkey, pool);
    }

    /// Pays `hotkey` on its replay among the home cells of `replays` (`netuid`'s) if it has
    /// one that still holds at `block`; `false` when the payout must go through the pool.
    pub(super) fn pay_replay(
        &mut self,
        replays: &mut Replays,
        netuid: u16,
        uid: u16,
        hotkey: AccountId,
        (incentive, dividends): (Balance, Balance),
        block: BlockNumber,
    ) -> Result<bool, StakingError> {
        let Some(cells) = self.home_cells(replays, netuid) else { return Ok(false) };
        let Some((c, e)) = find(cells, hotkey) else { return Ok(false) };
        let Some((cell, dirty)) = cells.get_mut(c) else { return Ok(false) };
        let Some(replay) = cell.get_mut(e).and_then(Option::as_mut) else { return Ok(false) };
        if block >= replay.until {
            return Ok(false);
        }
        replay.pay(incentive, dividends)?;
        replay.uid = uid;
        replay.paid_at = block;
        *dirty = true;
        Ok(true)
    }

    /// After `pool` (of `hotkey`, not yet stored) was paid dividends on `uid` of the home
    /// subnet at `block`: starts carrying it in the home cells if its previous dividends came
    /// from this subnet too and no incentive waits for it elsewhere. With every place taken,
    /// the least recently paid replay gives way if it has not been paid for `STALE_AFTER`
    /// blocks (its hotkey most likely lost its UID); otherwise this pool stays on the pool path.
    pub(super) fn begin_replay(&mut self, replays: &mut Replays, uid: u16, hotkey: AccountId, pool: &mut Pool, block: BlockNumber) {
        let Some(netuid) = replays.home else { return };
        let again = pool.paid_on == Some(netuid);
        pool.paid_on = Some(netuid);
        if !again || !pool.waiting.is_empty() || pool.replaying.is_some() {
            return;
        }
        let Some(cells) = self.home_cells(replays, netuid) else { return };
        let places = cells.iter().enumerate().flat_map(|(c, (cell, _))| cell.iter().enumerate().map(move |(e, r)| (c, e, *r)));
        let free = places.clone().find(|(_, _, r)| r.is_none()).map(|(c, e, _)| (c, e));
        let stale = || {
            places
                .filter_map(|(c, e, r)| r.filter(|r| r.paid_at.saturating_add(STALE_AFTER) < block).map(|r| (r.paid_at, c, e)))
                .min()
                .map(|(_, c, e)| (c, e))
        };
        let Some((c, e)) = free.or_else(stale) else { return };
        let Some((cell, dirty)) = cells.get_mut(c) else { return };
        let Some(place) = cell.get_mut(e) else { return };
        let evicted = place.replace(Replay::begin(hotkey, uid, pool, block));
        *dirty = true;
        pool.replaying = Some((netuid, u8::try_from(c).unwrap_or(u8::MAX)));
        if let Some(r) = evicted {
            if let Some(mut other) = self.pools.get(r.hotkey) {
                self.write_back(r.hotkey, &mut other, Some(r));
            }
        }
    }

    /// The consensus stake of `hotkey` on `uid` of `netuid` (the home subnet) at `block`,
    /// when a replay there carries it (the pool then has no other stake that counts: nothing
    /// waits elsewhere and no tranche has matured since).
    pub(super) fn replayed_stake(&self, replays: &mut Replays, netuid: u16, uid: u16, hotkey: AccountId, block: BlockNumber) -> Option<Balance> {
        let cells = self.home_cells(replays, netuid)?;
        let (c, e) = find(cells, hotkey)?;
        let replay = cells.get(c).and_then(|(cell, _)| cell.get(e).copied().flatten())?;
        (replay.uid == uid && block < replay.until).then_some(replay.value)
    }
}
