//! The staking rules. No environment access: methods take the caller and block, return the
//! events to emit, and leave token movements to the shell (`lib.rs`), which makes them after
//! the state change succeeded (a failing token call reverts the whole message).
use crate::pool::Pool;
use bt_interfaces::{AccountId, Balance, BlockNumber, Payout, StakingError, MAX_PAYOUTS, MAX_STAKE_QUERY};
use ink::prelude::vec::Vec;
use ink::storage::Mapping;

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
}

impl Default for StakingParams {
    fn default() -> Self {
        Self { min_stake: 2_000_000, default_take: MAX_TAKE, take_rate_limit: 216_000 }
    }
}

/// A coldkey's stake on one hotkey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct Position {
    pub hotkey: AccountId,
    pub stake: Balance,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StakingEvent {
    HotkeyBound { hotkey: AccountId, coldkey: AccountId },
    StakeAdded { coldkey: AccountId, hotkey: AccountId, amount: Balance, shares: u128 },
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

    pub fn pool(&self, hotkey: AccountId) -> Option<Pool> {
        self.pools.get(hotkey)
    }

    pub fn owner_of(&self, hotkey: AccountId) -> Option<AccountId> {
        self.pools.get(hotkey).map(|p| p.owner)
    }

    pub fn owned_hotkeys(&self, coldkey: AccountId) -> Vec<AccountId> {
        self.owned.get(coldkey).unwrap_or_default()
    }

    /// Total stake on `hotkey` (all stakers).
    pub fn stake_of_hotkey(&self, hotkey: AccountId) -> Balance {
        self.pools.get(hotkey).map(|p| p.value).unwrap_or(0)
    }

    /// Stake of `coldkey` on `hotkey`.
    pub fn stake_of(&self, hotkey: AccountId, coldkey: AccountId) -> Balance {
        match self.pools.get(hotkey) {
            Some(pool) => pool.value_of(self.shares_of(&pool, hotkey, coldkey)),
            None => 0,
        }
    }

    /// Every position of `coldkey`: its own hotkeys first, then its nominations.
    pub fn positions_of(&self, coldkey: AccountId) -> Vec<Position> {
        self.owned_hotkeys(coldkey)
            .into_iter()
            .chain(self.positions.get(coldkey).unwrap_or_default())
            .map(|hotkey| Position { hotkey, stake: self.stake_of(hotkey, coldkey) })
            .collect()
    }

    /// Total stake on each of `hotkeys` (at most `MAX_STAKE_QUERY`; the rest read as 0).
    pub fn stakes(&self, hotkeys: &[AccountId]) -> Vec<Balance> {
        let limit = usize::try_from(MAX_STAKE_QUERY).unwrap_or(usize::MAX);
        hotkeys
            .iter()
            .enumerate()
            .map(|(i, hk)| if i < limit { self.stake_of_hotkey(*hk) } else { 0 })
            .collect()
    }

    // ---- ownership ----

    /// Makes `coldkey` the owner of an unowned `hotkey` (first registration or claim).
    /// Binding again to the same owner is a no-op.
    pub fn bind(&mut self, hotkey: AccountId, coldkey: AccountId, block: BlockNumber) -> Result<Events, StakingError> {
        if let Some(pool) = self.pools.get(hotkey) {
            return if pool.owner == coldkey { Ok(Vec::new()) } else { Err(StakingError::HotkeyOwnedByAnother) };
        }
        let mut owned = self.owned.get(coldkey).unwrap_or_default();
        if owned.len() >= MAX_OWNED_HOTKEYS {
            return Err(StakingError::TooManyHotkeys);
        }
        owned.push(hotkey);
        self.owned.insert(coldkey, &owned);
        self.pools.insert(hotkey, &Pool::new(coldkey, self.params.default_take, block));
        Ok(ink::prelude::vec![StakingEvent::HotkeyBound { hotkey, coldkey }])
    }

    // ---- stake ----

    /// `coldkey` stakes `amount` on `hotkey`. The shell pulls `amount` from the coldkey.
    pub fn add_stake(&mut self, coldkey: AccountId, hotkey: AccountId, amount: Balance) -> Result<Events, StakingError> {
        if amount < self.params.min_stake || amount == 0 {
            return Err(StakingError::AmountBelowMinimum);
        }
        let mut pool = self.pools.get(hotkey).ok_or(StakingError::HotkeyNotOwned)?;
        let held = self.shares_of(&pool, hotkey, coldkey);
        if held == 0 && coldkey != pool.owner {
            self.open_position(coldkey, hotkey)?;
        }
        let minted = pool.deposit(amount)?;
        self.set_shares(&mut pool, hotkey, coldkey, held.checked_add(minted).ok_or(StakingError::Overflow)?);
        self.total_stake = self.total_stake.checked_add(amount).ok_or(StakingError::Overflow)?;
        self.pools.insert(hotkey, &pool);
        Ok(ink::prelude::vec![StakingEvent::StakeAdded { coldkey, hotkey, amount, shares: minted }])
    }

    /// `coldkey` unstakes `amount` from `hotkey`; returns what the shell must pay out. If
    /// less than the minimum would remain, the whole position is paid out.
    pub fn remove_stake(
        &mut self,
        coldkey: AccountId,
        hotkey: AccountId,
        amount: Balance,
    ) -> Result<(Balance, Events), StakingError> {
        if amount == 0 {
            return Err(StakingError::AmountBelowMinimum);
        }
        let mut pool = self.pools.get(hotkey).ok_or(StakingError::InsufficientStake)?;
        let held = self.shares_of(&pool, hotkey, coldkey);
        let position = pool.value_of(held);
        if amount > position {
            return Err(StakingError::InsufficientStake);
        }
        let remaining = position.saturating_sub(amount);
        let (paid, burnt) = if remaining < self.params.min_stake {
            // Close the position: pay its whole value and burn every share it holds.
            (pool.redeem(held)?, held)
        } else {
            if amount < self.params.min_stake {
                return Err(StakingError::AmountBelowMinimum);
            }
            (amount, pool.withdraw(held, amount)?)
        };
        let left = held.saturating_sub(burnt);
        if left == 0 && coldkey != pool.owner {
            self.close_position(coldkey, hotkey);
        }
        self.set_shares(&mut pool, hotkey, coldkey, left);
        self.total_stake = self.total_stake.checked_sub(paid).ok_or(StakingError::Overflow)?;
        self.pools.insert(hotkey, &pool);
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

    /// Credits an epoch's payouts and returns the total the shell must pull from the ledger.
    /// Payouts to a hotkey without an owner are skipped (they stay with the ledger).
    pub fn distribute(&mut self, payouts: &[Payout]) -> Result<(Balance, Events), StakingError> {
        if payouts.len() > usize::try_from(MAX_PAYOUTS).unwrap_or(usize::MAX) {
            return Err(StakingError::TooManyPayouts);
        }
        let mut total: Balance = 0;
        let mut paid: u32 = 0;
        for payout in payouts {
            let amount = payout.incentive.checked_add(payout.dividends).ok_or(StakingError::Overflow)?;
            if amount == 0 {
                continue;
            }
            let Some(mut pool) = self.pools.get(payout.hotkey) else { continue };
            let take = pool.take_of(payout.dividends);
            // The pool grows first, so the epoch's dividends reach the stake that earned them
            // and not the incentive and take credited in the same step.
            pool.grow(payout.dividends.saturating_sub(take))?;
            pool.credit_owner(payout.incentive.checked_add(take).ok_or(StakingError::Overflow)?)?;
            self.pools.insert(payout.hotkey, &pool);
            total = total.checked_add(amount).ok_or(StakingError::Overflow)?;
            paid = paid.saturating_add(1);
        }
        self.total_stake = self.total_stake.checked_add(total).ok_or(StakingError::Overflow)?;
        Ok((total, ink::prelude::vec![StakingEvent::Distributed { payouts: paid, total }]))
    }

    // ---- root parameters ----

    pub fn set_params(&mut self, params: StakingParams) -> Result<(), StakingError> {
        if params.default_take > MAX_TAKE {
            return Err(StakingError::TakeTooHigh);
        }
        self.params = params;
        Ok(())
    }

    // ---- internals ----

    fn owned_pool(&self, caller: AccountId, hotkey: AccountId) -> Result<Pool, StakingError> {
        let pool = self.pools.get(hotkey).ok_or(StakingError::HotkeyNotOwned)?;
        if pool.owner != caller {
            return Err(StakingError::NotHotkeyOwner);
        }
        Ok(pool)
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
