//! The staking rules. No environment access: methods take the caller and block, return the
//! events to emit, and leave token movements to the shell (`lib.rs`), which makes them after
//! the state change succeeded (a failing token call reverts the whole message).
use crate::maturity::{self, Folded, Moves};
use crate::pool::Pool;
use bt_interfaces::{AccountId, Balance, BlockNumber, Payout, StakingError, MAX_PAYOUTS, MAX_STAKE_QUERY};
use ink::prelude::vec::Vec;
use ink::storage::Mapping;
use replay::{ReplayCell, ReplayKey, Replays};
use waiting::{Cell, CellKey, Cells};

mod replay;
mod waiting;
pub use replay::{Replay, REPLAY_CELL, REPLAY_CELLS, STALE_AFTER};
pub use waiting::{Waiting, CELL_SLOTS, MAX_WAITING_SLOTS};

/// Most hotkeys one coldkey may own.
pub const MAX_OWNED_HOTKEYS: usize = 64;
/// Most hotkeys one coldkey may nominate at once.
pub const MAX_POSITIONS: usize = 64;
/// The highest take: 18% (and the default for new hotkeys).
pub const MAX_TAKE: u16 = 11_796;

/// Root-only parameters (spec/economics.md §3, §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct StakingParams {
    /// Smallest stake movement, and smallest position that may remain (DefaultMinStake).
    pub min_stake: Balance,
    /// Take of a newly bound hotkey (DefaultTake, 18%).
    pub default_take: u16,
    /// Blocks between take increases (TxDelegateTakeRateLimit).
    pub take_rate_limit: BlockNumber,
    /// Length of a stake interval in blocks (StakeInterval). New stake counts and earns from
    /// the start of the interval after next; see `maturity`. At least 1.
    pub stake_interval: BlockNumber,
    /// Stake moves (adds and removes) one coldkey may make on one hotkey per interval
    /// (TargetStakesPerInterval). At least 1.
    pub moves_per_interval: u8,
}

impl Default for StakingParams {
    fn default() -> Self {
        Self { min_stake: 2_000_000, default_take: MAX_TAKE, take_rate_limit: 216_000, stake_interval: 360, moves_per_interval: 1 }
    }
}

/// A coldkey's stake on one hotkey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct Position {
    pub hotkey: AccountId,
    /// All of it, maturing stake included.
    pub stake: Balance,
    /// The part that has not matured yet (earns nothing and does not count for consensus).
    pub maturing: Balance,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StakingEvent {
    HotkeyOffered { hotkey: AccountId, coldkey: AccountId },
    HotkeyBound { hotkey: AccountId, coldkey: AccountId },
    StakeAdded { coldkey: AccountId, hotkey: AccountId, amount: Balance, mature_at: BlockNumber },
    StakeRemoved { coldkey: AccountId, hotkey: AccountId, amount: Balance, shares: u128 },
    TakeChanged { hotkey: AccountId, take: u16 },
    Distributed { payouts: u32, total: Balance },
}

type Events = Vec<StakingEvent>;

#[ink::storage_item]
#[derive(Debug)]
pub struct StakingState {
    pools: Mapping<AccountId, Pool>,
    /// Nominators' shares by (hotkey, coldkey); the owner's shares live in the pool.
    nominations: Mapping<(AccountId, AccountId), u128>,
    owned: Mapping<AccountId, Vec<AccountId>>,
    /// Hotkeys a coldkey nominates (holds stake on without owning them).
    positions: Mapping<AccountId, Vec<AccountId>>,
    /// Maturing stake and this interval's moves by (hotkey, coldkey).
    moves: Mapping<(AccountId, AccountId), Moves>,
    /// The coldkey each unowned hotkey has offered itself to (its consent to be bound).
    offers: Mapping<AccountId, AccountId>,
    /// Matured tranches' shares not yet claimed, by (hotkey, maturity block).
    folded: Mapping<(AccountId, BlockNumber), Folded>,
    /// Incentive waiting to join its pool, by (netuid, cell of `CELL_SLOTS` UIDs).
    waiting: Mapping<CellKey, Cell>,
    /// Validators' pools carried forward through their dividends, by (netuid, cell).
    replays: Mapping<ReplayKey, ReplayCell>,
    total_stake: Balance,
    params: StakingParams,
}

impl Default for StakingState {
    fn default() -> Self {
        Self::new(StakingParams::default())
    }
}

impl StakingState {
    pub fn new(params: StakingParams) -> Self {
        Self {
            pools: Mapping::default(),
            nominations: Mapping::default(),
            owned: Mapping::default(),
            positions: Mapping::default(),
            moves: Mapping::default(),
            offers: Mapping::default(),
            folded: Mapping::default(),
            waiting: Mapping::default(),
            replays: Mapping::default(),
            total_stake: 0,
            params,
        }
    }

    // ---- queries ----

    pub fn params(&self) -> StakingParams {
        self.params
    }

    pub fn total_stake(&self) -> Balance {
        self.total_stake
    }

    /// `hotkey`'s pool as it stands (a replay it has applied).
    pub fn pool(&self, hotkey: AccountId) -> Option<Pool> {
        self.pool_view(&mut Replays::none(), hotkey)
    }

    pub fn owner_of(&self, hotkey: AccountId) -> Option<AccountId> {
        self.pools.get(hotkey).map(|p| p.owner)
    }

    pub fn owned_hotkeys(&self, coldkey: AccountId) -> Vec<AccountId> {
        self.owned.get(coldkey).unwrap_or_default()
    }

    /// Total stake on `hotkey` (all stakers, maturing stake and waiting incentive included).
    pub fn stake_of_hotkey(&self, hotkey: AccountId) -> Balance {
        let Some(p) = self.pool_view(&mut Replays::none(), hotkey) else { return 0 };
        let waiting = self.waiting_for(&mut Cells::none(), hotkey, &p);
        p.value.saturating_add(maturity::sum(&p.maturing)).saturating_add(waiting)
    }

    /// The stake on `hotkey` that counts for consensus at `block`: matured stake only (and the
    /// owner's waiting incentive).
    pub fn mature_stake_of_hotkey(&self, hotkey: AccountId, block: BlockNumber) -> Balance {
        self.mature_stake_with(&mut Cells::none(), &mut Replays::none(), hotkey, block)
    }

    fn mature_stake_with(&self, cells: &mut Cells, replays: &mut Replays, hotkey: AccountId, block: BlockNumber) -> Balance {
        let Some(p) = self.pool_view(replays, hotkey) else { return 0 };
        let waiting = self.waiting_for(cells, hotkey, &p);
        p.value.saturating_add(maturity::matured_sum(&p.maturing, block)).saturating_add(waiting)
    }

    /// Stake of `coldkey` on `hotkey`, maturing stake included (and, for the owner, waiting
    /// incentive).
    pub fn stake_of(&self, hotkey: AccountId, coldkey: AccountId) -> Balance {
        let Some(pool) = self.pool_view(&mut Replays::none(), hotkey) else { return 0 };
        let moves = self.moves.get((hotkey, coldkey)).unwrap_or_default();
        self.position_value(&pool, hotkey, coldkey, &moves)
    }

    /// Every position of `coldkey` at `block`: its own hotkeys first, then its nominations.
    pub fn positions_of(&self, coldkey: AccountId, block: BlockNumber) -> Vec<Position> {
        self.owned_hotkeys(coldkey)
            .into_iter()
            .chain(self.positions.get(coldkey).unwrap_or_default())
            .map(|hotkey| {
                let moves = self.moves.get((hotkey, coldkey)).unwrap_or_default();
                let stake = self.pool_view(&mut Replays::none(), hotkey).map_or(0, |pool| self.position_value(&pool, hotkey, coldkey, &moves));
                let maturing = moves.total().saturating_sub(maturity::matured_sum(&moves.maturing, block));
                Position { hotkey, stake, maturing }
            })
            .collect()
    }

    /// Consensus stake at `block` on each of `hotkeys` (at most `MAX_STAKE_QUERY`; the rest
    /// read as 0).
    pub fn stakes(&self, hotkeys: &[AccountId], block: BlockNumber) -> Vec<Balance> {
        let limit = usize::try_from(MAX_STAKE_QUERY).unwrap_or(usize::MAX);
        // Hotkeys often wait in the same few cells: the first four are read once.
        let mut cells = Cells::none();
        let mut replays = Replays::none();
        hotkeys
            .iter()
            .enumerate()
            .map(|(i, hk)| if i < limit { self.mature_stake_with(&mut cells, &mut replays, *hk, block) } else { 0 })
            .collect()
    }

    // ---- ownership ----

    /// The hotkey (`hotkey`, the caller) consents to be owned by `coldkey`; the coldkey then
    /// binds it by claiming or registering it. A later offer replaces an earlier one.
    pub fn offer(&mut self, hotkey: AccountId, coldkey: AccountId) -> Result<Events, StakingError> {
        if let Some(pool) = self.pools.get(hotkey) {
            return if pool.owner == coldkey { Ok(Vec::new()) } else { Err(StakingError::HotkeyOwnedByAnother) };
        }
        self.offers.insert(hotkey, &coldkey);
        Ok(ink::prelude::vec![StakingEvent::HotkeyOffered { hotkey, coldkey }])
    }

    pub fn offer_of(&self, hotkey: AccountId) -> Option<AccountId> {
        self.offers.get(hotkey)
    }

    /// Makes `coldkey` the owner of an unowned `hotkey` (first registration or claim), which
    /// needs the hotkey's consent: its offer to this coldkey, or the two being one account.
    /// Binding again to the same owner is a no-op.
    pub fn bind(&mut self, hotkey: AccountId, coldkey: AccountId, block: BlockNumber) -> Result<Events, StakingError> {
        if let Some(pool) = self.pools.get(hotkey) {
            return if pool.owner == coldkey { Ok(Vec::new()) } else { Err(StakingError::HotkeyOwnedByAnother) };
        }
        if hotkey != coldkey && self.offers.get(hotkey) != Some(coldkey) {
            return Err(StakingError::HotkeyNotOffered);
        }
        let mut owned = self.owned.get(coldkey).unwrap_or_default();
        if owned.len() >= MAX_OWNED_HOTKEYS {
            return Err(StakingError::TooManyHotkeys);
        }
        owned.push(hotkey);
        self.owned.insert(coldkey, &owned);
        self.offers.remove(hotkey);
        self.pools.insert(hotkey, &Pool::new(coldkey, self.params.default_take, block));
        Ok(ink::prelude::vec![StakingEvent::HotkeyBound { hotkey, coldkey }])
    }

    // ---- stake ----

    /// `coldkey` stakes `amount` on `hotkey` at `block`; the stake matures (counts and earns)
    /// from `maturity::mature_at`. The shell pulls `amount` from the coldkey.
    pub fn add_stake(&mut self, coldkey: AccountId, hotkey: AccountId, amount: Balance, block: BlockNumber) -> Result<Events, StakingError> {
        if amount < self.params.min_stake || amount == 0 {
            return Err(StakingError::AmountBelowMinimum);
        }
        let mut moves = self.moves.get((hotkey, coldkey)).unwrap_or_default();
        moves.record(block, self.params.stake_interval, self.params.moves_per_interval)?;
        let mut pool = self.pool_for_update(&mut Replays::none(), hotkey).ok_or(StakingError::HotkeyNotOwned)?;
        let total_stake = self.total_stake.checked_add(amount).ok_or(StakingError::Overflow)?;
        let held = self.settle(hotkey, coldkey, &mut pool, &mut moves, block)?;
        if held == 0 && moves.maturing.is_empty() && coldkey != pool.owner {
            self.open_position(coldkey, hotkey)?;
        }
        let mature_at = maturity::mature_at(block, self.params.stake_interval);
        maturity::add_to(&mut pool.maturing, mature_at, amount)?;
        maturity::add_to(&mut moves.maturing, mature_at, amount)?;
        self.set_shares(&mut pool, hotkey, coldkey, held);
        self.total_stake = total_stake;
        self.pools.insert(hotkey, &pool);
        self.moves.insert((hotkey, coldkey), &moves);
        Ok(ink::prelude::vec![StakingEvent::StakeAdded { coldkey, hotkey, amount, mature_at }])
    }

    /// `coldkey` unstakes `amount` from `hotkey` at `block`; returns what the shell must pay
    /// out. Maturing stake leaves first. If less than the minimum would remain, the whole
    /// position is paid out.
    pub fn remove_stake(
        &mut self,
        coldkey: AccountId,
        hotkey: AccountId,
        amount: Balance,
        block: BlockNumber,
    ) -> Result<(Balance, Events), StakingError> {
        if amount == 0 {
            return Err(StakingError::AmountBelowMinimum);
        }
        let position = self.stake_of(hotkey, coldkey);
        if amount > position {
            return Err(StakingError::InsufficientStake);
        }
        let remaining = position.saturating_sub(amount);
        let closing = remaining < self.params.min_stake;
        if !closing && amount < self.params.min_stake {
            return Err(StakingError::AmountBelowMinimum);
        }
        let mut moves = self.moves.get((hotkey, coldkey)).unwrap_or_default();
        moves.record(block, self.params.stake_interval, self.params.moves_per_interval)?;
        let mut pool = self.pool_for_update(&mut Replays::none(), hotkey).ok_or(StakingError::InsufficientStake)?;
        let held = self.settle(hotkey, coldkey, &mut pool, &mut moves, block)?;
        // Maturing stake first (it earns nothing), the latest tranche first.
        let mut from_maturing: Balance = 0;
        let want = if closing { Balance::MAX } else { amount };
        moves.maturing.sort_unstable_by(|a, b| b.mature_at.cmp(&a.mature_at));
        for t in core::mem::take(&mut moves.maturing) {
            let part = t.amount.min(want.saturating_sub(from_maturing));
            if part > 0 {
                maturity::take_from(&mut pool.maturing, t.mature_at, part)?;
                from_maturing = from_maturing.checked_add(part).ok_or(StakingError::Overflow)?;
            }
            if part < t.amount {
                moves.maturing.push(maturity::Tranche { mature_at: t.mature_at, amount: t.amount.saturating_sub(part) });
            }
        }
        let (paid, burnt) = if closing {
            // Close the position: pay its whole value and burn every share it holds.
            (pool.redeem(held)?.checked_add(from_maturing).ok_or(StakingError::Overflow)?, held)
        } else {
            let rest = amount.saturating_sub(from_maturing);
            (amount, if rest > 0 { pool.withdraw(held, rest)? } else { 0 })
        };
        let left = held.saturating_sub(burnt);
        if left == 0 && moves.maturing.is_empty() && coldkey != pool.owner {
            self.close_position(coldkey, hotkey);
        }
        self.set_shares(&mut pool, hotkey, coldkey, left);
        self.total_stake = self.total_stake.checked_sub(paid).ok_or(StakingError::Overflow)?;
        self.pools.insert(hotkey, &pool);
        self.moves.insert((hotkey, coldkey), &moves);
        Ok((paid, ink::prelude::vec![StakingEvent::StakeRemoved { coldkey, hotkey, amount: paid, shares: burnt }]))
    }

    // ---- take ----

    pub fn decrease_take(&mut self, caller: AccountId, hotkey: AccountId, take: u16, block: BlockNumber) -> Result<Events, StakingError> {
        let mut pool = self.owned_pool(caller, hotkey)?;
        if take >= pool.take {
            return Err(StakingError::TakeUnchanged);
        }
        pool.take = take;
        pool.take_changed_at = block;
        self.pools.insert(hotkey, &pool);
        Ok(ink::prelude::vec![StakingEvent::TakeChanged { hotkey, take }])
    }

    pub fn increase_take(&mut self, caller: AccountId, hotkey: AccountId, take: u16, block: BlockNumber) -> Result<Events, StakingError> {
        let mut pool = self.owned_pool(caller, hotkey)?;
        if take > MAX_TAKE {
            return Err(StakingError::TakeTooHigh);
        }
        if take <= pool.take {
            return Err(StakingError::TakeUnchanged);
        }
        let ready_at = pool.take_changed_at.saturating_add(self.params.take_rate_limit);
        if block < ready_at {
            return Err(StakingError::TakeRateLimited { blocks_left: ready_at.saturating_sub(block) });
        }
        pool.take = take;
        pool.take_changed_at = block;
        self.pools.insert(hotkey, &pool);
        Ok(ink::prelude::vec![StakingEvent::TakeChanged { hotkey, take }])
    }

    // ---- epoch payouts ----

    /// Credits an epoch's payouts and returns their total, which the ledger transfers to
    /// staking. Payouts to a hotkey without an owner are skipped (they stay with the ledger).
    /// Stake matured by `block` is folded into its pool before the pool is paid.
    pub fn distribute(&mut self, netuid: u16, payouts: &[Payout], block: BlockNumber) -> Result<(Balance, Events), StakingError> {
        if payouts.len() > usize::try_from(MAX_PAYOUTS).unwrap_or(usize::MAX) {
            return Err(StakingError::TooManyPayouts);
        }
        let mut total: Balance = 0;
        let mut paid: u32 = 0;
        let mut cells = Cells::of(netuid);
        let mut replays = Replays::of(netuid);
        for payout in payouts {
            let amount = payout.incentive.checked_add(payout.dividends).ok_or(StakingError::Overflow)?;
            if amount == 0 {
                continue;
            }
            let credited = if payout.dividends == 0 {
                self.credit_waiting(&mut cells, &mut replays, (netuid, payout.uid), payout.hotkey, amount, block)?
            } else if self.pay_replay(&mut replays, netuid, payout.uid, payout.hotkey, (payout.incentive, payout.dividends), block)? {
                true
            } else if let Some(mut pool) = self.pool_for_update(&mut replays, payout.hotkey) {
                // Stake that matured before this payout takes part in it; younger stake does not.
                self.fold(payout.hotkey, &mut pool, block)?;
                // Waiting incentive joins the owner's shares before the dividends move the price.
                self.settle_waiting(&mut cells, payout.hotkey, &mut pool)?;
                pool.pay(payout.incentive, payout.dividends)?;
                self.begin_replay(&mut replays, payout.uid, payout.hotkey, &mut pool, block);
                self.pools.insert(payout.hotkey, &pool);
                true
            } else {
                false
            };
            if credited {
                total = total.checked_add(amount).ok_or(StakingError::Overflow)?;
                paid = paid.saturating_add(1);
            }
        }
        self.write_cells(cells);
        self.flush_replays(&replays);
        self.total_stake = self.total_stake.checked_add(total).ok_or(StakingError::Overflow)?;
        Ok((total, ink::prelude::vec![StakingEvent::Distributed { payouts: paid, total }]))
    }

    // ---- root parameters ----

    pub fn set_params(&mut self, params: StakingParams) -> Result<(), StakingError> {
        if params.default_take > MAX_TAKE {
            return Err(StakingError::TakeTooHigh);
        }
        if params.stake_interval == 0 || params.moves_per_interval == 0 {
            return Err(StakingError::InvalidParams);
        }
        self.params = params;
        Ok(())
    }

    // ---- internals ----

    /// The owner's pool, to change its take (which ends a replay: it copied the take).
    fn owned_pool(&mut self, caller: AccountId, hotkey: AccountId) -> Result<Pool, StakingError> {
        if self.owner_of(hotkey).ok_or(StakingError::HotkeyNotOwned)? != caller {
            return Err(StakingError::NotHotkeyOwner);
        }
        self.pool_for_update(&mut Replays::none(), hotkey).ok_or(StakingError::HotkeyNotOwned)
    }

    /// Folds the pool's matured tranches into shares at the current price.
    fn fold(&mut self, hotkey: AccountId, pool: &mut Pool, block: BlockNumber) -> Result<(), StakingError> {
        for t in maturity::split_matured(&mut pool.maturing, block) {
            let shares = pool.deposit(t.amount)?;
            let key = (hotkey, t.mature_at);
            let mut folded = self.folded.get(key).unwrap_or_default();
            folded.amount = folded.amount.checked_add(t.amount).ok_or(StakingError::Overflow)?;
            folded.shares = folded.shares.checked_add(shares).ok_or(StakingError::Overflow)?;
            self.folded.insert(key, &folded);
        }
        Ok(())
    }

    /// Brings a position up to date at `block`: folds the pool, claims the position's matured
    /// tranches, and returns the shares it now holds (not yet written back).
    fn settle(&mut self, hotkey: AccountId, coldkey: AccountId, pool: &mut Pool, moves: &mut Moves, block: BlockNumber) -> Result<u128, StakingError> {
        self.fold(hotkey, pool, block)?;
        if !pool.waiting.is_empty() {
            let mut cells = Cells::none();
            self.settle_waiting(&mut cells, hotkey, pool)?;
            self.write_cells(cells);
        }
        let mut held = self.shares_of(pool, hotkey, coldkey);
        for t in maturity::split_matured(&mut moves.maturing, block) {
            let key = (hotkey, t.mature_at);
            // `fold` above has just recorded every tranche matured by `block`.
            let mut folded = self.folded.get(key).ok_or(StakingError::Overflow)?;
            held = held.checked_add(folded.claim(t.amount)).ok_or(StakingError::Overflow)?;
            if folded.amount == 0 {
                self.folded.remove(key);
            } else {
                self.folded.insert(key, &folded);
            }
        }
        Ok(held)
    }

    /// What a position is worth: its shares, the shares its folded tranches would claim, its
    /// tranches not folded yet, and for the owner the waiting incentive.
    fn position_value(&self, pool: &Pool, hotkey: AccountId, coldkey: AccountId, moves: &Moves) -> Balance {
        let waiting = if coldkey == pool.owner { self.waiting_for(&mut Cells::none(), hotkey, pool) } else { 0 };
        self.share_value(pool, hotkey, coldkey, moves).saturating_add(waiting)
    }

    fn share_value(&self, pool: &Pool, hotkey: AccountId, coldkey: AccountId, moves: &Moves) -> Balance {
        let mut shares = self.shares_of(pool, hotkey, coldkey);
        let mut unfolded: Balance = 0;
        for t in &moves.maturing {
            match self.folded.get((hotkey, t.mature_at)) {
                Some(f) => shares = shares.saturating_add(f.preview(t.amount)),
                None => unfolded = unfolded.saturating_add(t.amount),
            }
        }
        pool.value_of(shares).saturating_add(unfolded)
    }

    fn shares_of(&self, pool: &Pool, hotkey: AccountId, coldkey: AccountId) -> u128 {
        if pool.owner == coldkey {
            pool.owner_shares
        } else {
            self.nominations.get((hotkey, coldkey)).unwrap_or(0)
        }
    }

    fn set_shares(&mut self, pool: &mut Pool, hotkey: AccountId, coldkey: AccountId, shares: u128) {
        if pool.owner == coldkey {
            pool.owner_shares = shares;
        } else if shares == 0 {
            self.nominations.remove((hotkey, coldkey));
        } else {
            self.nominations.insert((hotkey, coldkey), &shares);
        }
    }

    fn open_position(&mut self, coldkey: AccountId, hotkey: AccountId) -> Result<(), StakingError> {
        let mut positions = self.positions.get(coldkey).unwrap_or_default();
        if positions.contains(&hotkey) {
            return Ok(());
        }
        if positions.len() >= MAX_POSITIONS {
            return Err(StakingError::TooManyPositions);
        }
        positions.push(hotkey);
        self.positions.insert(coldkey, &positions);
        Ok(())
    }

    fn close_position(&mut self, coldkey: AccountId, hotkey: AccountId) {
        let mut positions = self.positions.get(coldkey).unwrap_or_default();
        positions.retain(|h| *h != hotkey);
        if positions.is_empty() {
            self.positions.remove(coldkey);
        } else {
            self.positions.insert(coldkey, &positions);
        }
    }
}
