//! Issue 13: validators' dividends replayed beside their pool, with no pool read or write per
//! validator per epoch, must leave every pool exactly where paying it directly would have.
mod common;
use bt_interfaces::env_test;
use bt_interfaces::Payout;
use common::*;
use staking::pool::Pool;
use staking::state::{StakingState, MAX_TAKE, REPLAY_CELL, REPLAY_CELLS, STALE_AFTER};

const MAX_REPLAYS: usize = REPLAY_CELL * REPLAY_CELLS as usize;

fn dividends(hotkey: u8, uid: u16, incentive: u128, dividends: u128) -> Payout {
    Payout { hotkey: acc(hotkey), uid, incentive, dividends }
}

fn books(p: &Pool) -> (u128, u128, u128) {
    (p.value, p.shares, p.owner_shares)
}

env_test!(replayed_dividends_leave_the_pool_where_paying_it_each_epoch_would, {
    let mut s = state();
    s.add_stake(acc(OWNER), acc(HOT), 2 * TAO, AT).unwrap();
    s.add_stake(acc(NOM), acc(HOT), 6 * TAO, AT).unwrap();
    // The reference: the same payouts made on a pool directly.
    let mut direct = Pool::new(acc(OWNER), MAX_TAKE, 10);
    direct.deposit(8 * TAO).unwrap(); // the tranche folded at the first payout

    s.distribute(1, &[dividends(HOT, 4, TAO, 10 * TAO)], MATURE).unwrap();
    direct.pay(TAO, 10 * TAO).unwrap();
    assert_eq!(s.pool(acc(HOT)).unwrap().replaying, None, "the first payout from a subnet goes through the pool");
    for k in 1..4u32 {
        s.distribute(1, &[dividends(HOT, 4, TAO / 2, 7 * TAO + u128::from(k))], MATURE + k).unwrap();
        direct.pay(TAO / 2, 7 * TAO + u128::from(k)).unwrap();
    }
    assert_eq!(books(&s.pool(acc(HOT)).unwrap()), books(&direct));
    assert_eq!(s.pool(acc(HOT)).unwrap().replaying, Some((1, 0)), "the second one starts a replay");
    assert_eq!(s.replays_of(1).len(), 1);
    assert_eq!(s.stake_of_hotkey(acc(HOT)), direct.value);
    assert_eq!(s.uid_stakes(1, 4, &[acc(HOT)], MATURE + 3), vec![direct.value], "the epoch reads it from the replay");
    assert_eq!(s.stakes(&[acc(HOT)], MATURE + 3), vec![direct.value]);

    // New stake ends the replay; the next payout starts one that lasts until the stake matures.
    s.add_stake(acc(NOM), acc(HOT), 3 * TAO, MATURE + 4).unwrap(); // matures at MATURE + 6
    let pool = s.pool(acc(HOT)).unwrap();
    assert_eq!((pool.replaying, books(&pool)), (None, books(&direct)), "written back to the pool");
    assert!(s.replays_of(1).is_empty());
    s.distribute(1, &[dividends(HOT, 4, 0, 5 * TAO)], MATURE + 5).unwrap();
    direct.pay(0, 5 * TAO).unwrap();
    assert_eq!(s.replays_of(1)[0].until, MATURE + 6);
    assert_eq!(s.uid_stakes(1, 4, &[acc(HOT)], MATURE + 6), s.stakes(&[acc(HOT)], MATURE + 6), "matured stake counts");
    // At maturity the tranche joins the shares before the dividends, as on the pool.
    s.distribute(1, &[dividends(HOT, 4, 0, 5 * TAO)], MATURE + 6).unwrap();
    direct.deposit(3 * TAO).unwrap();
    direct.pay(0, 5 * TAO).unwrap();
    assert_eq!(books(&s.pool(acc(HOT)).unwrap()), books(&direct));

    // A take change ends the replay too: later payouts use the new take.
    s.decrease_take(acc(OWNER), acc(HOT), 0, MATURE + 7).unwrap();
    assert_eq!(s.pool(acc(HOT)).unwrap().replaying, None);
    direct.take = 0;
    for k in 8..10u32 {
        s.distribute(1, &[dividends(HOT, 4, TAO, 4 * TAO)], MATURE + k).unwrap();
        direct.pay(TAO, 4 * TAO).unwrap();
    }
    assert_eq!(books(&s.pool(acc(HOT)).unwrap()), books(&direct));
    assert_eq!(s.stake_of_hotkey(acc(HOT)), s.total_stake());
    let owner = s.stake_of(acc(HOT), acc(OWNER));
    let nominator = s.stake_of(acc(HOT), acc(NOM));
    assert!(s.total_stake() - owner - nominator <= 2, "positions {owner} + {nominator} of {}", s.total_stake());
    // Unstaking everything pays out what the replayed pool held.
    let (paid, _) = s.remove_stake(acc(NOM), acc(HOT), nominator, MATURE + 10).unwrap();
    assert_eq!(paid, nominator);
    assert!(s.stake_of(acc(HOT), acc(OWNER)).abs_diff(owner) <= 1, "the owner keeps its stake (and the rounding dust)");
});

env_test!(incentive_alone_or_a_payout_elsewhere_ends_the_replay_first, {
    let mut s = state();
    s.add_stake(acc(NOM), acc(HOT), 6 * TAO, AT).unwrap();
    s.distribute(1, &[dividends(HOT, 4, 0, 5 * TAO)], MATURE).unwrap();
    s.distribute(1, &[dividends(HOT, 4, 0, 5 * TAO)], MATURE + 1).unwrap();
    assert_eq!(s.pool(acc(HOT)).unwrap().replaying, Some((1, 0)));
    // Incentive without dividends waits in a cell: the replay is written back first.
    s.distribute(1, &[dividends(HOT, 4, 3 * TAO, 0)], MATURE + 2).unwrap();
    let pool = s.pool(acc(HOT)).unwrap();
    assert_eq!((pool.replaying, pool.waiting.clone()), (None, vec![(1, 4)]));
    assert_eq!(s.uid_stakes(1, 4, &[acc(HOT)], MATURE + 2), vec![19 * TAO]);
    s.distribute(1, &[dividends(HOT, 4, 0, TAO)], MATURE + 3).unwrap();
    assert_eq!(s.pool(acc(HOT)).unwrap().replaying, Some((1, 0)), "what waited was deposited, the replay starts again");
    // A validator paid on two subnets stays on the pool path: its replay would have to move
    // between the subnets' cells every epoch.
    for k in 4..8u32 {
        s.distribute(2 - (k % 2) as u16, &[dividends(HOT, 4, 0, TAO)], MATURE + k).unwrap();
        assert_eq!(s.pool(acc(HOT)).unwrap().replaying, None);
    }
    assert!(s.replays_of(1).is_empty() && s.replays_of(2).is_empty());
    assert_eq!(s.uid_stakes(2, 4, &[acc(HOT)], MATURE + 8), vec![24 * TAO]);
    assert_eq!(s.stake_of_hotkey(acc(HOT)), s.total_stake());
});

env_test!(a_uid_that_changes_hands_keeps_each_validators_replay_apart, {
    let mut s = state();
    let (other_hot, other_cold) = (40, 41);
    s.offer(acc(other_hot), acc(other_cold)).unwrap();
    s.bind(acc(other_hot), acc(other_cold), 10).unwrap();
    s.distribute(1, &[dividends(HOT, 4, 0, 5 * TAO)], MATURE).unwrap();
    s.distribute(1, &[dividends(HOT, 4, 0, 5 * TAO)], MATURE + 1).unwrap();
    // UID 4 is registered again to another validator.
    s.distribute(1, &[dividends(other_hot, 4, 0, 2 * TAO)], MATURE + 2).unwrap();
    s.distribute(1, &[dividends(other_hot, 4, 0, 2 * TAO)], MATURE + 3).unwrap();
    assert_eq!(s.replays_of(1).len(), 2);
    assert_eq!(s.uid_stakes(1, 4, &[acc(other_hot)], MATURE + 3), vec![4 * TAO]);
    assert_eq!(s.uid_stakes(1, 4, &[acc(HOT)], MATURE + 3), vec![10 * TAO]);
    assert_eq!(s.stake_of(acc(HOT), acc(OWNER)), 10 * TAO);
    assert_eq!(s.stake_of(acc(other_hot), acc(other_cold)), 4 * TAO);
    assert_eq!(s.stake_of_hotkey(acc(HOT)) + s.stake_of_hotkey(acc(other_hot)), s.total_stake());
});

env_test!(a_full_replay_list_keeps_validators_paid_every_epoch_and_recycles_stale_ones, {
    let mut s = state();
    let validators: Vec<u8> = (100..100 + MAX_REPLAYS as u8 + 1).collect();
    for &v in &validators {
        let owner = if v < 150 { OWNER } else { NOM };
        s.offer(acc(v), acc(owner)).unwrap();
        s.bind(acc(v), acc(owner), 10).unwrap();
    }
    let epoch = |s: &mut StakingState, block: u32, who: &[u8]| {
        let payouts: Vec<Payout> = who.iter().map(|&v| dividends(v, u16::from(v), 0, TAO)).collect();
        s.distribute(1, &payouts, block).unwrap();
    };
    epoch(&mut s, MATURE, &validators);
    epoch(&mut s, MATURE + 360, &validators);
    epoch(&mut s, MATURE + 720, &validators);
    let last = *validators.last().unwrap();
    assert_eq!(s.replays_of(1).len(), MAX_REPLAYS);
    assert_eq!(s.pool(acc(last)).unwrap().replaying, None, "no room: paid through its pool");
    assert_eq!(s.stake_of_hotkey(acc(last)), 3 * TAO);
    // Long after the others were last paid, the last one takes the place of the oldest.
    epoch(&mut s, MATURE + 720 + STALE_AFTER + 1, &[last]);
    assert!(s.pool(acc(last)).unwrap().replaying.is_some());
    assert_eq!(s.replays_of(1).len(), MAX_REPLAYS);
    let pushed_out: Vec<u8> = validators.iter().copied().filter(|&v| s.pool(acc(v)).unwrap().replaying.is_none()).collect();
    assert_eq!(pushed_out.len(), 1);
    assert_eq!(s.stake_of_hotkey(acc(pushed_out[0])), 3 * TAO, "written back to its pool");
    let total: u128 = validators.iter().map(|&v| s.stake_of_hotkey(acc(v))).sum();
    assert_eq!(total, s.total_stake());
});
