//! Helpers shared by the staking test files.
#![allow(dead_code)]
use bt_interfaces::AccountId;
use staking::state::{StakingParams, StakingState, MAX_TAKE};

pub const TAO: u128 = 1_000_000_000;
pub const OWNER: u8 = 1;
pub const HOT: u8 = 2;
pub const NOM: u8 = 3;
pub const NOM2: u8 = 4;
/// The block of the stake moves in the tests; with a stake interval of 1 they mature at `AT + 2`.
pub const AT: u32 = 10;
pub const MATURE: u32 = AT + 2;

pub fn acc(n: u8) -> AccountId {
    AccountId::from([n; 32])
}

/// Staking with a stake interval of 1 block and `HOT` bound to `OWNER`.
pub fn state() -> StakingState {
    let mut s = StakingState::new(StakingParams {
        min_stake: 1_000,
        default_take: MAX_TAKE,
        take_rate_limit: 100,
        stake_interval: 1,
        moves_per_interval: u8::MAX,
    });
    s.offer(acc(HOT), acc(OWNER)).unwrap();
    s.bind(acc(HOT), acc(OWNER), 10).unwrap();
    s
}
