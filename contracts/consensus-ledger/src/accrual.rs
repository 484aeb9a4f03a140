//! Emission accrual per subnet through a per-share index (O(1) per subnet).
//!
//! Minted emission raises a global index by `amount / total_shares`; a subnet's accrued
//! emission is `share × (index − index when it last settled)`. A subnet is settled before its
//! share changes, so no subnet gains or loses from the order of calls. What cannot be
//! credited (no shares yet, or index rounding) is carried to the next mint, never lost.
use bt_interfaces::Balance;

/// Index fixed-point scale.
pub const SCALE: u128 = 1_000_000_000_000_000_000;
/// The share every registration-enabled subnet holds until root weights exist.
pub const EQUAL_SHARE: u128 = 1 << 32;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Pool {
    pub index: u128,
    pub total_shares: u128,
    /// Minted but not yet credited to any subnet.
    pub carried: Balance,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Account {
    pub share: u128,
    pub index_at: u128,
    pub accrued: Balance,
}

impl Pool {
    /// Spreads `minted` (plus anything carried) over the current shares.
    pub fn add(&mut self, minted: Balance) {
        let total = self.carried.saturating_add(minted);
        if self.total_shares == 0 || total == 0 {
            self.carried = total;
            return;
        }
        let step = total.checked_mul(SCALE).and_then(|x| x.checked_div(self.total_shares)).unwrap_or(0);
        let credited = step.saturating_mul(self.total_shares).checked_div(SCALE).unwrap_or(0);
        self.index = self.index.saturating_add(step);
        self.carried = total.saturating_sub(credited);
    }

    /// Brings `account` up to the current index.
    pub fn settle(&self, account: &mut Account) {
        let delta = self.index.saturating_sub(account.index_at);
        let earned = account.share.saturating_mul(delta).checked_div(SCALE).unwrap_or(0);
        account.accrued = account.accrued.saturating_add(earned);
        account.index_at = self.index;
    }

    /// Settles `account`, then gives it `share`.
    pub fn set_share(&mut self, account: &mut Account, share: u128) {
        self.settle(account);
        self.total_shares = self.total_shares.saturating_sub(account.share).saturating_add(share);
        account.share = share;
    }

    /// What `account` would hold after settling (a query, nothing changes).
    pub fn pending(&self, account: &Account) -> Balance {
        let mut copy = *account;
        self.settle(&mut copy);
        copy.accrued
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_shares_split_evenly_and_carry_the_remainder() {
        let mut pool = Pool::default();
        let (mut a, mut b, mut c) = (Account::default(), Account::default(), Account::default());
        for acc in [&mut a, &mut b, &mut c] {
            pool.set_share(acc, EQUAL_SHARE);
        }
        pool.add(1_000);
        for acc in [&mut a, &mut b, &mut c] {
            pool.settle(acc);
        }
        assert_eq!((a.accrued, b.accrued, c.accrued), (333, 333, 333));
        assert_eq!(a.accrued + b.accrued + c.accrued + pool.carried, 1_000);
    }

    #[test]
    fn emission_before_any_share_is_carried() {
        let mut pool = Pool::default();
        pool.add(500);
        assert_eq!(pool.carried, 500);
        let mut a = Account::default();
        pool.set_share(&mut a, EQUAL_SHARE);
        pool.add(500);
        pool.settle(&mut a);
        assert_eq!(a.accrued + pool.carried, 1_000, "index rounding is carried, not lost");
        assert!(a.accrued >= 999);
    }

    #[test]
    fn share_changes_do_not_depend_on_settlement_order() {
        let run = |settle_b_first: bool| {
            let mut pool = Pool::default();
            let (mut a, mut b) = (Account::default(), Account::default());
            pool.set_share(&mut a, 1);
            pool.set_share(&mut b, 1);
            pool.add(1_000_000);
            if settle_b_first {
                pool.settle(&mut b);
            }
            pool.set_share(&mut a, 3);
            pool.add(1_000_000);
            pool.settle(&mut a);
            pool.settle(&mut b);
            (a.accrued, b.accrued)
        };
        assert_eq!(run(false), run(true));
        assert_eq!(run(false), (500_000 + 750_000, 500_000 + 250_000));
    }
}
