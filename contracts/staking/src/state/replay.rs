//! Dividends replayed beside their pool.
//!
//! Validators are paid dividends every epoch, and paying them into the pool costs a pool read
//! and write per validator per epoch. Instead, once a payout has gone through the pool, the
//! pool's value and shares are carried forward in its subnet's replay list, and later payouts
//! are applied there with the pool's own arithmetic (`Pool::pay`), one after the other, exactly
//! as they would have been applied to the pool. Whatever else touches the pool loads it
//! through `pool_for_update`, which writes the carried state back and ends the replay first;
//! views read through `pool_view`.
//!
//! A replay holds only while nothing it does not carry can change what the next payout does:
//! no incentive waits for the pool elsewhere (listing a slot ends the replay), the take is the
//! one copied (a take change ends it), and none of the pool's tranches has matured: a matured
//! tranche joins the shares before the next dividends, so from `until` on the next payout goes
//! through the pool again, and may start a new replay.
use super::StakingState;
use crate::pool::Pool;
use bt_interfaces::{AccountId, Balance, BlockNumber, StakingError};

/// Replays one subnet carries (its first validators paid; any further ones are paid through
/// their pools). 64 entries of 93 bytes keep the list within one 6 KiB storage value.
pub const MAX_REPLAYS: usize = 64;

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
    /// Block of the last payout (a full list ends its least recently paid replay).
    pub paid_at: BlockNumber,
}

/// A subnet's replays. A fixed array decodes in place, without the heap: staking keeps ink's
/// allocator, which never frees, so a message may read any number of lists one at a time.
pub type ReplayList = [Option<Replay>; MAX_REPLAYS];

const EMPTY: ReplayList = [None; MAX_REPLAYS];

impl Replay {
    fn begin(hotkey: AccountId, uid: u16, pool: &Pool, block: BlockNumber) -> Self {
        Self {
            hotkey,
            uid,
            value: pool.value,
            shares: pool.shares,
            owner_shares: pool.owner_shares,
            take: pool.take,
            until: pool.maturing.iter().map(|t| t.mature_at).min().unwrap_or(BlockNumber::MAX),
            paid_at: block,
        }
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
        self.value = pool.value;
        self.shares = pool.shares;
        self.owner_shares = pool.owner_shares;
        Ok(())
    }
}

/// The replay list of the subnet a message pays or queries, read at most once and written
/// back once if it changed. Other subnets' lists are read and written where they are used.
pub struct Replays {
    home: Option<u16>,
    list: Option<ReplayList>,
    dirty: bool,
}

impl Replays {
    pub fn of(netuid: u16) -> Self {
        Self { home: Some(netuid), list: None, dirty: false }
    }

    pub fn none() -> Self {
        Self { home: None, list: None, dirty: false }
    }
}

fn position(list: &ReplayList, hotkey: AccountId) -> Option<usize> {
    list.iter().position(|r| r.is_some_and(|r| r.hotkey == hotkey))
}

impl StakingState {
    fn read_replays(&self, netuid: u16) -> ReplayList {
        self.replays.get(netuid).unwrap_or(EMPTY)
    }

    fn write_replays(&mut self, netuid: u16, list: &ReplayList) {
        if list.iter().all(Option::is_none) {
            self.replays.remove(netuid);
        } else {
            self.replays.insert(netuid, list);
        }
    }

    /// The home list of `replays` (read on first use), if it is `netuid`'s.
    fn home_list<'a>(&self, replays: &'a mut Replays, netuid: u16) -> Option<&'a mut ReplayList> {
        if replays.home != Some(netuid) {
            return None;
        }
        Some(replays.list.get_or_insert_with(|| self.read_replays(netuid)))
    }

    pub(super) fn flush_replays(&mut self, replays: Replays) {
        if let (true, Some(netuid), Some(list)) = (replays.dirty, replays.home, replays.list) {
            self.write_replays(netuid, &list);
        }
    }

    /// Every replay `netuid` carries.
    pub fn replays_of(&self, netuid: u16) -> ink::prelude::vec::Vec<Replay> {
        self.read_replays(netuid).iter().flatten().copied().collect()
    }

    /// `hotkey`'s pool as it stands, its replay applied (for reading only).
    pub(super) fn pool_view(&self, replays: &mut Replays, hotkey: AccountId) -> Option<Pool> {
        let mut pool = self.pools.get(hotkey)?;
        if let Some(netuid) = pool.replaying {
            let replay = match self.home_list(replays, netuid) {
                Some(list) => position(list, hotkey).and_then(|i| list.get(i).copied().flatten()),
                None => {
                    let list = self.read_replays(netuid);
                    position(&list, hotkey).and_then(|i| list.get(i).copied().flatten())
                }
            };
            if let Some(r) = replay {
                r.write_into(&mut pool);
            }
        }
        Some(pool)
    }

    /// `hotkey`'s pool, to be changed: a replay it has is written back to it, and ended, first
    /// (the pool is stored at once, so the books hold whatever the caller does next).
    pub(super) fn pool_for_update(&mut self, replays: &mut Replays, hotkey: AccountId) -> Option<Pool> {
        let mut pool = self.pools.get(hotkey)?;
        self.end_replay(replays, hotkey, &mut pool);
        Some(pool)
    }

    fn end_replay(&mut self, replays: &mut Replays, hotkey: AccountId, pool: &mut Pool) {
        let Some(netuid) = pool.replaying.take() else { return };
        let replay = match self.home_list(replays, netuid) {
            Some(list) => {
                let taken = position(list, hotkey).and_then(|i| list.get_mut(i)).and_then(Option::take);
                replays.dirty |= taken.is_some();
                taken
            }
            None => {
                let mut list = self.read_replays(netuid);
                let taken = position(&list, hotkey).and_then(|i| list.get_mut(i)).and_then(Option::take);
                if taken.is_some() {
                    self.write_replays(netuid, &list);
                }
                taken
            }
        };
        if let Some(r) = replay {
            r.write_into(pool);
        }
        self.pools.insert(hotkey, pool);
    }

    /// Pays `hotkey` on its replay in `netuid` (the home list of `replays`) if it has one that
    /// still holds at `block`; `false` when the payout must go through the pool.
    pub(super) fn pay_replay(
        &mut self,
        replays: &mut Replays,
        netuid: u16,
        uid: u16,
        hotkey: AccountId,
        (incentive, dividends): (Balance, Balance),
        block: BlockNumber,
    ) -> Result<bool, StakingError> {
        let Some(list) = self.home_list(replays, netuid) else { return Ok(false) };
        let Some(replay) = position(list, hotkey).and_then(|i| list.get_mut(i)).and_then(Option::as_mut) else {
            return Ok(false);
        };
        if block >= replay.until {
            return Ok(false);
        }
        replay.pay(incentive, dividends)?;
        replay.uid = uid;
        replay.paid_at = block;
        replays.dirty = true;
        Ok(true)
    }

    /// Starts carrying `pool` (just paid on `uid` of the home subnet at `block`, and not yet
    /// stored) in the home list, if no incentive waits for the pool elsewhere. A full list
    /// makes room by ending its least recently paid replay if that one has not been paid for
    /// `STALE_AFTER` blocks (its hotkey most likely lost its UID); otherwise this pool goes on
    /// being paid through the pool, and the replays of validators paid every epoch stay.
    pub(super) fn begin_replay(&mut self, replays: &mut Replays, uid: u16, hotkey: AccountId, pool: &mut Pool, block: BlockNumber) {
        let Some(netuid) = replays.home else { return };
        if !pool.waiting.is_empty() || pool.replaying.is_some() {
            return;
        }
        let Some(list) = self.home_list(replays, netuid) else { return };
        let free = list.iter().position(Option::is_none);
        let oldest = || {
            list.iter()
                .enumerate()
                .filter_map(|(i, r)| r.filter(|r| r.paid_at.saturating_add(STALE_AFTER) < block).map(|r| (r.paid_at, i)))
                .min()
                .map(|(_, i)| i)
        };
        let Some(i) = free.or_else(oldest) else { return };
        let Some(entry) = list.get_mut(i) else { return };
        let evicted = entry.replace(Replay::begin(hotkey, uid, pool, block));
        pool.replaying = Some(netuid);
        replays.dirty = true;
        if let Some(r) = evicted {
            if let Some(mut other) = self.pools.get(r.hotkey) {
                r.write_into(&mut other);
                other.replaying = None;
                self.pools.insert(r.hotkey, &other);
            }
        }
    }

    /// The consensus stake of `hotkey` on `uid` of the home subnet at `block`, when a replay
    /// carries it (the pool then has no other stake that counts: nothing waits elsewhere and
    /// no tranche has matured since).
    pub(super) fn replayed_stake(&self, replays: &mut Replays, netuid: u16, uid: u16, hotkey: AccountId, block: BlockNumber) -> Option<Balance> {
        let list = self.home_list(replays, netuid)?;
        let replay = position(list, hotkey).and_then(|i| list.get(i).copied().flatten())?;
        (replay.uid == uid && block < replay.until).then_some(replay.value)
    }
}
