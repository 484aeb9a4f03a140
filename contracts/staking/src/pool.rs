//! A hotkey's stake pool (spec/economics.md §6.2 share pool): every staker holds shares, and
//! a share is worth `value / shares`. Staking mints shares at the current price, unstaking
//! burns them, and dividends raise `value` without minting, so every staker's stake grows pro
//! rata in O(1). Rounding always favours the pool: values are floored and burnt shares
//! rounded up, so the sum of all stakers' values never exceeds the pool's value.
//!
//! The owner's shares live inside the pool record, so paying a hotkey dividends (with the
//! take and any incentive) reads and writes one storage cell; incentive alone waits in the
//! paying subnet's cells instead (`state::waiting`).
use crate::maturity::Tranche;
use bt_interfaces::{AccountId, Balance, BlockNumber, StakingError};
use ink::prelude::vec::Vec;

#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Pool {
    /// The coldkey that owns the hotkey (fixed at first binding).
    pub owner: AccountId,
    /// The owner's cut of dividends, u16 proportion (65535 = 100%).
    pub take: u16,
    /// Block of the last take change (increases are rate-limited from it).
    pub take_changed_at: BlockNumber,
    /// Matured stake on the hotkey (what the shares are worth), in RAO.
    pub value: Balance,
    /// Total shares outstanding, the owner's included.
    pub shares: u128,
    /// The owner's shares.
    pub owner_shares: u128,
    /// Stake not yet folded into shares, by maturity block (at most a few: see `maturity`).
    pub maturing: Vec<Tranche>,
    /// The (netuid, uid) slots where incentive waits for the owner (see `state::waiting`).
    pub waiting: Vec<(u16, u16)>,
    /// The replay cell (netuid, cell) that carries this pool's value and shares forward (see
    /// `state::replay`); while set, the fields above are out of date until the pool is loaded.
    pub replaying: Option<(u16, u8)>,
    /// The subnet whose dividends were last paid through the pool (a replay starts on the
    /// second payout in a row from one subnet).
    pub paid_on: Option<u16>,
}

/// `a * b / c`, floored; `None` on overflow or `c == 0`.
pub fn mul_div_floor(a: u128, b: u128, c: u128) -> Option<u128> {
    a.checked_mul(b)?.checked_div(c)
}

/// `a * b / c`, rounded up; `None` on overflow or `c == 0`.
pub fn mul_div_ceil(a: u128, b: u128, c: u128) -> Option<u128> {
    let product = a.checked_mul(b)?;
    let quotient = product.checked_div(c)?;
    if product.checked_rem(c)? == 0 {
        Some(quotient)
    } else {
        quotient.checked_add(1)
    }
}

impl Pool {
    pub fn new(owner: AccountId, take: u16, block: BlockNumber) -> Self {
        Self { owner, take, take_changed_at: block, value: 0, shares: 0, owner_shares: 0, maturing: Vec::new(), waiting: Vec::new(), replaying: None, paid_on: None }
    }

    /// The stake that `shares` are worth (floored).
    pub fn value_of(&self, shares: u128) -> Balance {
        if self.shares == 0 {
            return 0;
        }
        mul_div_floor(shares, self.value, self.shares).unwrap_or(0)
    }

    /// Adds `amount` of stake and returns the shares minted for it.
    pub fn deposit(&mut self, amount: Balance) -> Result<u128, StakingError> {
        let minted = if self.shares == 0 || self.value == 0 {
            // An empty pool (or one whose shares are worth nothing) restarts at 1 share = 1 RAO.
            amount
        } else {
            mul_div_floor(amount, self.shares, self.value).ok_or(StakingError::Overflow)?
        };
        self.value = self.value.checked_add(amount).ok_or(StakingError::Overflow)?;
        self.shares = self.shares.checked_add(minted).ok_or(StakingError::Overflow)?;
        Ok(minted)
    }

    /// Removes `amount` of stake from a holder of `held` shares; returns the shares burnt.
    pub fn withdraw(&mut self, held: u128, amount: Balance) -> Result<u128, StakingError> {
        if amount > self.value_of(held) {
            return Err(StakingError::InsufficientStake);
        }
        let burnt = mul_div_ceil(amount, self.shares, self.value).ok_or(StakingError::Overflow)?.min(held);
        self.value = self.value.checked_sub(amount).ok_or(StakingError::Overflow)?;
        self.shares = self.shares.checked_sub(burnt).ok_or(StakingError::Overflow)?;
        if self.shares == 0 {
            // Rounding dust left by the last staker stays with the pool's next staker.
            self.owner_shares = 0;
        }
        Ok(burnt)
    }

    /// Burns all `held` shares and returns their value (closing a position).
    pub fn redeem(&mut self, held: u128) -> Result<Balance, StakingError> {
        let value = self.value_of(held);
        self.value = self.value.checked_sub(value).ok_or(StakingError::Overflow)?;
        self.shares = self.shares.checked_sub(held).ok_or(StakingError::Overflow)?;
        Ok(value)
    }

    /// Dividends for every staker: the value grows, no shares are minted. An empty pool
    /// (no stake at all) credits the owner instead.
    pub fn grow(&mut self, amount: Balance) -> Result<(), StakingError> {
        if self.shares == 0 {
            let minted = self.deposit(amount)?;
            self.owner_shares = self.owner_shares.checked_add(minted).ok_or(StakingError::Overflow)?;
            return Ok(());
        }
        self.value = self.value.checked_add(amount).ok_or(StakingError::Overflow)?;
        Ok(())
    }

    /// Credits `amount` to the owner's own position (incentive, take).
    pub fn credit_owner(&mut self, amount: Balance) -> Result<(), StakingError> {
        let minted = self.deposit(amount)?;
        self.owner_shares = self.owner_shares.checked_add(minted).ok_or(StakingError::Overflow)?;
        Ok(())
    }

    /// One epoch's payout with dividends: the pool grows first, so the dividends reach the
    /// stake that earned them and not the incentive and take credited in the same step.
    pub fn pay(&mut self, incentive: Balance, dividends: Balance) -> Result<(), StakingError> {
        let take = self.take_of(dividends);
        self.grow(dividends.saturating_sub(take))?;
        self.credit_owner(incentive.checked_add(take).ok_or(StakingError::Overflow)?)
    }

    /// The owner's take of `dividends`, floored.
    pub fn take_of(&self, dividends: Balance) -> Balance {
        mul_div_floor(dividends, u128::from(self.take), u128::from(u16::MAX)).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool() -> Pool {
        Pool::new(AccountId::from([1; 32]), 11_796, 0)
    }

    #[test]
    fn first_deposit_is_one_share_per_rao() {
        let mut p = pool();
        assert_eq!(p.deposit(1_000).unwrap(), 1_000);
        assert_eq!(p.value_of(1_000), 1_000);
    }

    #[test]
    fn dividends_grow_every_position_pro_rata() {
        let mut p = pool();
        let a = p.deposit(3_000).unwrap();
        let b = p.deposit(1_000).unwrap();
        p.grow(400).unwrap();
        assert_eq!(p.value_of(a), 3_300);
        assert_eq!(p.value_of(b), 1_100);
        // A later staker buys in at the new price and does not share the earlier dividends.
        let c = p.deposit(1_100).unwrap();
        assert_eq!(c, 1_000);
        assert_eq!(p.value_of(c), 1_100);
    }

    #[test]
    fn withdrawals_round_in_the_pools_favour() {
        let mut p = pool();
        let a = p.deposit(10).unwrap();
        let b = p.deposit(10).unwrap();
        p.grow(1).unwrap(); // 21 value over 20 shares
        assert_eq!(p.value_of(a), 10); // floor(10.5)
        let burnt = p.withdraw(a, 10).unwrap();
        assert_eq!(burnt, 10); // ceil(10 * 20 / 21) = 10
        assert_eq!(p.value_of(b), 11);
        assert_eq!(p.withdraw(b, 12), Err(StakingError::InsufficientStake));
        assert_eq!(p.withdraw(b, 11).unwrap(), 10);
        assert_eq!((p.value, p.shares), (0, 0));
    }

    #[test]
    fn take_is_floored() {
        let p = pool();
        assert_eq!(p.take_of(1_000_000_000), 179_995_422); // 18% of 1 TAO, floored
        assert_eq!(p.take_of(0), 0);
    }
}
