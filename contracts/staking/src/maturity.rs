//! Stake maturity and the stake-move rate limit: the defence against dividend sniping.
//!
//! New stake does not join its hotkey's pool at once. It waits beside the pool as a
//! [`Tranche`] until it has stood through one whole stake interval: stake added in interval
//! `k` (blocks `k·P .. (k+1)·P`) matures at block `(k+2)·P`. Until then it earns no dividends
//! and does not count for Yuma, validator permits or root votes, so staking just before an
//! epoch and leaving just after earns nothing.
//!
//! Maturing is lazy. A pool folds its matured tranches (buys shares at the current price)
//! whenever it is touched, and always before it is paid, so folding late gives the same
//! shares as folding on time: the price only moves when dividends are paid. The shares a
//! tranche bought wait in a [`Folded`] record until each staker in it claims its part on its
//! next move; the last claimer takes the remainder, so rounding never strands shares.
//!
//! Every stake move (add or remove) of one coldkey on one hotkey counts against
//! `moves_per_interval` for the current interval (subtensor's `TargetStakesPerInterval`).
use bt_interfaces::{Balance, BlockNumber, StakingError};
use ink::prelude::vec::Vec;

/// Stake that has not matured yet: `amount` RAO counting from block `mature_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Tranche {
    pub mature_at: BlockNumber,
    pub amount: Balance,
}

/// A pool's matured tranche after folding: the stake its stakers have not claimed yet and the
/// shares that stake bought.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Folded {
    pub amount: Balance,
    pub shares: u128,
}

impl Folded {
    /// Hands `amount` of the tranche's stake its shares; the last claimer gets all that is left.
    pub fn claim(&mut self, amount: Balance) -> u128 {
        let shares = if amount >= self.amount {
            self.shares
        } else {
            crate::pool::mul_div_floor(amount, self.shares, self.amount).unwrap_or(0)
        };
        self.amount = self.amount.saturating_sub(amount);
        self.shares = self.shares.saturating_sub(shares);
        shares
    }

    /// What `claim(amount)` would hand out, without claiming.
    pub fn preview(&self, amount: Balance) -> u128 {
        let mut copy = *self;
        copy.claim(amount)
    }
}

/// One coldkey's stake moves on one hotkey: its maturing tranches and its moves this interval.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Moves {
    pub maturing: Vec<Tranche>,
    /// The stake interval (`block / stake_interval`) that `count` refers to.
    pub interval: BlockNumber,
    pub count: u8,
}

impl Moves {
    /// Counts one move in the interval of `block`, or says how long until the next is allowed.
    pub fn record(&mut self, block: BlockNumber, stake_interval: BlockNumber, per_interval: u8) -> Result<(), StakingError> {
        let interval = block.checked_div(stake_interval).unwrap_or(0);
        if interval != self.interval {
            self.interval = interval;
            self.count = 0;
        }
        if self.count >= per_interval {
            let next = interval.saturating_add(1).saturating_mul(stake_interval);
            return Err(StakingError::StakeRateLimited { blocks_left: next.saturating_sub(block) });
        }
        self.count = self.count.saturating_add(1);
        Ok(())
    }

    /// The maturing stake, matured or not.
    pub fn total(&self) -> Balance {
        sum(&self.maturing)
    }
}

/// The block from which stake added at `block` counts: the start of the interval after next.
pub fn mature_at(block: BlockNumber, stake_interval: BlockNumber) -> BlockNumber {
    block.checked_div(stake_interval).unwrap_or(0).saturating_add(2).saturating_mul(stake_interval)
}

/// Adds `amount` to the tranche maturing at `at` (one tranche per maturity block).
pub fn add_to(tranches: &mut Vec<Tranche>, at: BlockNumber, amount: Balance) -> Result<(), StakingError> {
    match tranches.iter_mut().find(|t| t.mature_at == at) {
        Some(t) => t.amount = t.amount.checked_add(amount).ok_or(StakingError::Overflow)?,
        None => tranches.push(Tranche { mature_at: at, amount }),
    }
    Ok(())
}

/// Takes `amount` out of the tranche maturing at `at`, dropping it when empty.
pub fn take_from(tranches: &mut Vec<Tranche>, at: BlockNumber, amount: Balance) -> Result<(), StakingError> {
    let i = tranches.iter().position(|t| t.mature_at == at).ok_or(StakingError::InsufficientStake)?;
    let left = tranches.get(i).map(|t| t.amount).unwrap_or(0).checked_sub(amount).ok_or(StakingError::InsufficientStake)?;
    if left == 0 {
        tranches.swap_remove(i);
    } else if let Some(t) = tranches.get_mut(i) {
        t.amount = left;
    }
    Ok(())
}

/// Removes and returns the tranches that have matured by `block`.
pub fn split_matured(tranches: &mut Vec<Tranche>, block: BlockNumber) -> Vec<Tranche> {
    let (matured, waiting): (Vec<Tranche>, Vec<Tranche>) = tranches.iter().partition(|t| t.mature_at <= block);
    *tranches = waiting;
    matured
}

pub fn sum(tranches: &[Tranche]) -> Balance {
    tranches.iter().fold(0, |s: Balance, t| s.saturating_add(t.amount))
}

/// The part of `tranches` that has matured by `block`.
pub fn matured_sum(tranches: &[Tranche], block: BlockNumber) -> Balance {
    tranches.iter().filter(|t| t.mature_at <= block).fold(0, |s: Balance, t| s.saturating_add(t.amount))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stake_matures_after_one_whole_interval() {
        assert_eq!(mature_at(0, 360), 720);
        assert_eq!(mature_at(359, 360), 720);
        assert_eq!(mature_at(360, 360), 1_080);
        assert_eq!(mature_at(7, 1), 9);
        assert_eq!(mature_at(u32::MAX, 360), u32::MAX, "saturates instead of wrapping");
    }

    #[test]
    fn moves_are_counted_per_interval() {
        let mut m = Moves::default();
        m.record(10, 360, 1).unwrap();
        assert_eq!(m.record(11, 360, 1), Err(StakingError::StakeRateLimited { blocks_left: 349 }));
        m.record(360, 360, 1).unwrap();
        let mut two = Moves::default();
        two.record(5, 100, 2).unwrap();
        two.record(6, 100, 2).unwrap();
        assert_eq!(two.record(99, 100, 2), Err(StakingError::StakeRateLimited { blocks_left: 1 }));
    }

    #[test]
    fn the_last_claimer_takes_the_remainder() {
        let mut f = Folded { amount: 3, shares: 10 };
        assert_eq!(f.preview(1), 3);
        assert_eq!(f.claim(1), 3);
        assert_eq!(f.claim(1), 3);
        assert_eq!(f.claim(1), 4, "no share is stranded by rounding");
        assert_eq!(f, Folded { amount: 0, shares: 0 });
    }

    #[test]
    fn tranches_merge_by_maturity_and_split_when_matured() {
        let mut t = Vec::new();
        add_to(&mut t, 720, 5).unwrap();
        add_to(&mut t, 720, 7).unwrap();
        add_to(&mut t, 1_080, 1).unwrap();
        assert_eq!(sum(&t), 13);
        assert_eq!(matured_sum(&t, 720), 12);
        take_from(&mut t, 720, 2).unwrap();
        assert_eq!(take_from(&mut t, 1_080, 2), Err(StakingError::InsufficientStake));
        assert_eq!(split_matured(&mut t, 720), vec![Tranche { mature_at: 720, amount: 10 }]);
        assert_eq!(t, vec![Tranche { mature_at: 1_080, amount: 1 }]);
    }
}
