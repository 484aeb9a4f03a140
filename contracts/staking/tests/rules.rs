//! The staking rules, exercised through `StakingState` directly.
mod common;
use bt_interfaces::env_test;
use bt_interfaces::{Payout, StakingError};
use common::acc;
use staking::state::{StakingParams, StakingState, MAX_OWNED_HOTKEYS, MAX_TAKE};

const TAO: u128 = 1_000_000_000;
const OWNER: u8 = 1;
const HOT: u8 = 2;
const NOM: u8 = 3;
const NOM2: u8 = 4;

fn state() -> StakingState {
    let mut s = StakingState::new(StakingParams { min_stake: 1_000, default_take: MAX_TAKE, take_rate_limit: 100 });
    s.bind(acc(HOT), acc(OWNER), 10).unwrap();
    s
}

env_test!(binding_is_first_come_and_fixed, {
    let mut s = state();
    assert_eq!(s.owner_of(acc(HOT)), Some(acc(OWNER)));
    assert!(s.bind(acc(HOT), acc(OWNER), 11).unwrap().is_empty(), "rebinding to the owner is a no-op");
    assert_eq!(s.bind(acc(HOT), acc(NOM), 11), Err(StakingError::HotkeyOwnedByAnother));
    assert_eq!(s.owned_hotkeys(acc(OWNER)), vec![acc(HOT)]);
    for i in 1..MAX_OWNED_HOTKEYS as u8 {
        s.bind(acc(100 + i), acc(OWNER), 12).unwrap();
    }
    assert_eq!(s.bind(acc(99), acc(OWNER), 12), Err(StakingError::TooManyHotkeys));
});

env_test!(staking_needs_an_owned_hotkey_and_the_minimum, {
    let mut s = state();
    assert_eq!(s.add_stake(acc(NOM), acc(77), TAO), Err(StakingError::HotkeyNotOwned));
    assert_eq!(s.add_stake(acc(NOM), acc(HOT), 999), Err(StakingError::AmountBelowMinimum));
    s.add_stake(acc(NOM), acc(HOT), 5 * TAO).unwrap();
    s.add_stake(acc(OWNER), acc(HOT), 3 * TAO).unwrap();
    assert_eq!(s.stake_of(acc(HOT), acc(NOM)), 5 * TAO);
    assert_eq!(s.stake_of(acc(HOT), acc(OWNER)), 3 * TAO);
    assert_eq!(s.stake_of_hotkey(acc(HOT)), 8 * TAO);
    assert_eq!(s.total_stake(), 8 * TAO);
    let positions = s.positions_of(acc(NOM));
    assert_eq!(positions.len(), 1);
    assert_eq!((positions[0].hotkey, positions[0].stake), (acc(HOT), 5 * TAO));
    assert_eq!(s.stakes(&[acc(HOT), acc(77)]), vec![8 * TAO, 0]);
});

env_test!(unstaking_rules, {
    let mut s = state();
    s.add_stake(acc(NOM), acc(HOT), 5 * TAO).unwrap();
    assert_eq!(s.remove_stake(acc(NOM), acc(HOT), 6 * TAO), Err(StakingError::InsufficientStake));
    assert_eq!(s.remove_stake(acc(NOM2), acc(HOT), 1), Err(StakingError::InsufficientStake));
    assert_eq!(s.remove_stake(acc(NOM), acc(HOT), 0), Err(StakingError::AmountBelowMinimum));
    assert_eq!(s.remove_stake(acc(NOM), acc(HOT), 999), Err(StakingError::AmountBelowMinimum));
    let (paid, _) = s.remove_stake(acc(NOM), acc(HOT), 2 * TAO).unwrap();
    assert_eq!(paid, 2 * TAO);
    // Leaving less than the minimum closes the position and pays all of it.
    let (paid, _) = s.remove_stake(acc(NOM), acc(HOT), 3 * TAO - 500).unwrap();
    assert_eq!(paid, 3 * TAO);
    assert_eq!(s.stake_of(acc(HOT), acc(NOM)), 0);
    assert!(s.positions_of(acc(NOM)).is_empty());
    assert_eq!(s.total_stake(), 0);
});

env_test!(take_changes, {
    let mut s = state();
    assert_eq!(s.pool(acc(HOT)).unwrap().take, MAX_TAKE, "default take is 18%");
    assert_eq!(s.decrease_take(acc(NOM), acc(HOT), 0, 20), Err(StakingError::NotHotkeyOwner));
    assert_eq!(s.increase_take(acc(OWNER), acc(HOT), MAX_TAKE + 1, 20), Err(StakingError::TakeTooHigh));
    assert_eq!(s.increase_take(acc(OWNER), acc(HOT), MAX_TAKE, 20), Err(StakingError::TakeUnchanged));
    s.decrease_take(acc(OWNER), acc(HOT), 1_000, 20).unwrap();
    assert_eq!(s.decrease_take(acc(OWNER), acc(HOT), 1_000, 21), Err(StakingError::TakeUnchanged));
    assert_eq!(s.increase_take(acc(OWNER), acc(HOT), 2_000, 50), Err(StakingError::TakeRateLimited { blocks_left: 70 }));
    s.increase_take(acc(OWNER), acc(HOT), 2_000, 120).unwrap();
    assert_eq!(s.pool(acc(HOT)).unwrap().take, 2_000);
});

env_test!(distribution_pays_incentive_take_and_nominators_pro_rata, {
    let mut s = state();
    s.add_stake(acc(OWNER), acc(HOT), 2 * TAO).unwrap();
    s.add_stake(acc(NOM), acc(HOT), 6 * TAO).unwrap();
    s.add_stake(acc(NOM2), acc(HOT), 2 * TAO).unwrap();
    let (total, _) = s
        .distribute(&[Payout { hotkey: acc(HOT), incentive: 100, dividends: 1_000_000 }, Payout {
            hotkey: acc(77),
            incentive: 5,
            dividends: 5,
        }])
        .unwrap();
    assert_eq!(total, 1_000_100, "payouts to a hotkey without an owner are skipped");
    let take = 1_000_000 * u128::from(MAX_TAKE) / 65_535; // 179_995
    let pool_part = 1_000_000 - take;
    // Owner: incentive + take on top of its 20% of the pool growth.
    let owner = s.stake_of(acc(HOT), acc(OWNER));
    let nom = s.stake_of(acc(HOT), acc(NOM));
    let nom2 = s.stake_of(acc(HOT), acc(NOM2));
    assert_eq!(nom, 6 * TAO + pool_part * 6 / 10);
    assert_eq!(nom2, 2 * TAO + pool_part * 2 / 10);
    assert!(owner.abs_diff(2 * TAO + 100 + take + pool_part * 2 / 10) <= 1, "owner {owner}");
    assert!(owner + nom + nom2 <= s.stake_of_hotkey(acc(HOT)));
    assert_eq!(s.total_stake(), 10 * TAO + total);
});

env_test!(distribution_to_an_unstaked_hotkey_goes_to_its_owner, {
    let mut s = state();
    s.distribute(&[Payout { hotkey: acc(HOT), incentive: 700, dividends: 300 }]).unwrap();
    assert_eq!(s.stake_of(acc(HOT), acc(OWNER)), 1_000);
    assert_eq!(s.positions_of(acc(OWNER))[0].stake, 1_000);
});

env_test!(oversized_distribution_is_refused, {
    let mut s = state();
    let payouts = vec![Payout { hotkey: acc(HOT), incentive: 1, dividends: 0 }; 129];
    assert_eq!(s.distribute(&payouts), Err(StakingError::TooManyPayouts));
    assert_eq!(s.total_stake(), 0);
});
