//! The staking rules, exercised through `StakingState` directly.
mod common;
use bt_interfaces::env_test;
use bt_interfaces::{Payout, StakingError};
use common::*;
use staking::state::{StakingParams, StakingState, MAX_OWNED_HOTKEYS, MAX_TAKE};

// Issue 10, finding 2: `claim_hotkey` and registrations bound any unowned hotkey to whoever
// called first, so a watcher of the transaction pool could take a miner's hotkey (and its
// incentive) or block its registration. Binding now needs the hotkey's own offer.
env_test!(a_hotkey_is_bound_only_to_the_coldkey_it_offered_itself_to, {
    let mut s = state();
    let (miner_hot, miner_cold, thief) = (acc(50), acc(51), acc(52));
    assert_eq!(s.bind(miner_hot, thief, 20), Err(StakingError::HotkeyNotOffered), "no consent, no binding");
    s.offer(miner_hot, miner_cold).unwrap();
    assert_eq!(s.offer_of(miner_hot), Some(miner_cold));
    assert_eq!(s.bind(miner_hot, thief, 20), Err(StakingError::HotkeyNotOffered), "the offer names its coldkey");
    s.bind(miner_hot, miner_cold, 21).unwrap();
    assert_eq!(s.owner_of(miner_hot), Some(miner_cold));
    assert_eq!(s.offer_of(miner_hot), None, "an offer is used once");
    assert_eq!(s.offer(miner_hot, thief), Err(StakingError::HotkeyOwnedByAnother));
    // One account as both hotkey and coldkey consents by itself.
    s.bind(acc(60), acc(60), 22).unwrap();
});

env_test!(binding_is_first_come_and_fixed, {
    let mut s = state();
    assert_eq!(s.owner_of(acc(HOT)), Some(acc(OWNER)));
    assert!(s.bind(acc(HOT), acc(OWNER), 11).unwrap().is_empty(), "rebinding to the owner is a no-op");
    assert_eq!(s.bind(acc(HOT), acc(NOM), 11), Err(StakingError::HotkeyOwnedByAnother));
    assert_eq!(s.owned_hotkeys(acc(OWNER)), vec![acc(HOT)]);
    for i in 1..MAX_OWNED_HOTKEYS as u8 {
        s.offer(acc(100 + i), acc(OWNER)).unwrap();
        s.bind(acc(100 + i), acc(OWNER), 12).unwrap();
    }
    s.offer(acc(99), acc(OWNER)).unwrap();
    assert_eq!(s.bind(acc(99), acc(OWNER), 12), Err(StakingError::TooManyHotkeys));
});

env_test!(staking_needs_an_owned_hotkey_and_the_minimum, {
    let mut s = state();
    assert_eq!(s.add_stake(acc(NOM), acc(77), TAO, AT), Err(StakingError::HotkeyNotOwned));
    assert_eq!(s.add_stake(acc(NOM), acc(HOT), 999, AT), Err(StakingError::AmountBelowMinimum));
    s.add_stake(acc(NOM), acc(HOT), 5 * TAO, AT).unwrap();
    s.add_stake(acc(OWNER), acc(HOT), 3 * TAO, AT).unwrap();
    assert_eq!(s.stake_of(acc(HOT), acc(NOM)), 5 * TAO);
    assert_eq!(s.stake_of(acc(HOT), acc(OWNER)), 3 * TAO);
    assert_eq!(s.stake_of_hotkey(acc(HOT)), 8 * TAO);
    assert_eq!(s.total_stake(), 8 * TAO);
    let positions = s.positions_of(acc(NOM), AT);
    assert_eq!(positions.len(), 1);
    assert_eq!((positions[0].hotkey, positions[0].stake), (acc(HOT), 5 * TAO));
    assert_eq!(s.stakes(&[acc(HOT), acc(77)], MATURE - 1), vec![0, 0], "maturing stake does not count yet");
    assert_eq!(s.stakes(&[acc(HOT), acc(77)], MATURE), vec![8 * TAO, 0]);
    assert_eq!(s.positions_of(acc(NOM), AT)[0].maturing, 5 * TAO);
    assert_eq!(s.positions_of(acc(NOM), MATURE)[0].maturing, 0);
});

env_test!(unstaking_rules, {
    let mut s = state();
    s.add_stake(acc(NOM), acc(HOT), 5 * TAO, AT).unwrap();
    assert_eq!(s.remove_stake(acc(NOM), acc(HOT), 6 * TAO, AT), Err(StakingError::InsufficientStake));
    assert_eq!(s.remove_stake(acc(NOM2), acc(HOT), 1, AT), Err(StakingError::InsufficientStake));
    assert_eq!(s.remove_stake(acc(NOM), acc(HOT), 0, AT), Err(StakingError::AmountBelowMinimum));
    assert_eq!(s.remove_stake(acc(NOM), acc(HOT), 999, AT), Err(StakingError::AmountBelowMinimum));
    let (paid, _) = s.remove_stake(acc(NOM), acc(HOT), 2 * TAO, AT).unwrap();
    assert_eq!(paid, 2 * TAO);
    // Leaving less than the minimum closes the position and pays all of it.
    let (paid, _) = s.remove_stake(acc(NOM), acc(HOT), 3 * TAO - 500, AT).unwrap();
    assert_eq!(paid, 3 * TAO);
    assert_eq!(s.stake_of(acc(HOT), acc(NOM)), 0);
    assert!(s.positions_of(acc(NOM), AT).is_empty());
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
    s.add_stake(acc(OWNER), acc(HOT), 2 * TAO, AT).unwrap();
    s.add_stake(acc(NOM), acc(HOT), 6 * TAO, AT).unwrap();
    s.add_stake(acc(NOM2), acc(HOT), 2 * TAO, AT).unwrap();
    let (total, _) = s
        .distribute(1, &[Payout { hotkey: acc(HOT), uid: 0, incentive: 100, dividends: 1_000_000 }, Payout {
            hotkey: acc(77),
            uid: 1,
            incentive: 5,
            dividends: 5,
        }], MATURE)
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
    s.distribute(1, &[Payout { hotkey: acc(HOT), uid: 0, incentive: 700, dividends: 300 }], MATURE).unwrap();
    assert_eq!(s.stake_of(acc(HOT), acc(OWNER)), 1_000);
    assert_eq!(s.positions_of(acc(OWNER), AT)[0].stake, 1_000);
});

env_test!(oversized_distribution_is_refused, {
    let mut s = state();
    let payouts = vec![Payout { hotkey: acc(HOT), uid: 0, incentive: 1, dividends: 0 }; 129];
    assert_eq!(s.distribute(1, &payouts, MATURE), Err(StakingError::TooManyPayouts));
    assert_eq!(s.total_stake(), 0);
});

const SNIPER: u8 = 5;

// Issue 10, finding 1, at the review's numbers: nominators hold 10,000 TAO on a validator
// about to be paid 100 TAO of dividends; a sniper stakes 90,000 TAO in the block before the
// payout and wants out right after. Before stake maturity it kept ~74 TAO of the 100 and
// weighed 90% in the epoch; now it weighs nothing, earns nothing and cannot leave at once.
env_test!(stake_added_just_before_a_payout_neither_counts_nor_earns, {
    let mut s = StakingState::new(StakingParams { min_stake: 1_000, take_rate_limit: 100, ..StakingParams::default() });
    s.offer(acc(HOT), acc(OWNER)).unwrap();
    assert_eq!((s.params().stake_interval, s.params().moves_per_interval), (360, 1), "subtensor's StakeInterval, TargetStakesPerInterval");
    s.bind(acc(HOT), acc(OWNER), 0).unwrap();
    s.add_stake(acc(NOM), acc(HOT), 10_000 * TAO, 0).unwrap(); // matures at 720
    let epoch = 1_000;
    s.add_stake(acc(SNIPER), acc(HOT), 90_000 * TAO, epoch - 1).unwrap();
    assert_eq!(s.stakes(&[acc(HOT)], epoch), vec![10_000 * TAO], "the sniper's stake does not weigh in the epoch");
    let (total, _) = s.distribute(1, &[Payout { hotkey: acc(HOT), uid: 0, incentive: 0, dividends: 100 * TAO }], epoch).unwrap();
    assert_eq!(total, 100 * TAO);
    assert_eq!(
        s.remove_stake(acc(SNIPER), acc(HOT), 90_000 * TAO, epoch + 1),
        Err(StakingError::StakeRateLimited { blocks_left: 79 }),
        "one move per coldkey, hotkey and interval"
    );
    let (paid, _) = s.remove_stake(acc(SNIPER), acc(HOT), 90_000 * TAO, 1_080).unwrap();
    assert_eq!(paid, 90_000 * TAO, "the sniper leaves with its stake and nothing more");
    let take = 100 * TAO * u128::from(MAX_TAKE) / 65_535;
    let nominator = s.stake_of(acc(HOT), acc(NOM));
    assert!((10_000 * TAO + 100 * TAO - take).abs_diff(nominator) <= 1, "the nominators keep the dividends: {nominator}");
    assert!(s.stake_of(acc(HOT), acc(OWNER)).abs_diff(take) <= 1, "the owner's take, floored by the share price");
});

env_test!(stake_that_stood_through_the_interval_earns_pro_rata, {
    let mut s = StakingState::new(StakingParams { min_stake: 1_000, default_take: 0, ..StakingParams::default() });
    s.offer(acc(HOT), acc(OWNER)).unwrap();
    s.bind(acc(HOT), acc(OWNER), 0).unwrap();
    s.add_stake(acc(NOM), acc(HOT), 3_000 * TAO, 10).unwrap(); // both mature at 720
    s.add_stake(acc(NOM2), acc(HOT), 1_000 * TAO, 359).unwrap();
    s.add_stake(acc(SNIPER), acc(HOT), 1_000 * TAO, 360).unwrap(); // matures at 1,080
    assert_eq!(s.stakes(&[acc(HOT)], 719), vec![0]);
    assert_eq!(s.stakes(&[acc(HOT)], 720), vec![4_000 * TAO]);
    s.distribute(1, &[Payout { hotkey: acc(HOT), uid: 0, incentive: 0, dividends: 400 * TAO }], 900).unwrap();
    assert_eq!(s.stake_of(acc(HOT), acc(NOM)), 3_300 * TAO);
    assert_eq!(s.stake_of(acc(HOT), acc(NOM2)), 1_100 * TAO);
    assert_eq!(s.stake_of(acc(HOT), acc(SNIPER)), 1_000 * TAO);
    // Folded late (at the next payout) or claimed late (much later): the same shares as on time.
    s.distribute(1, &[Payout { hotkey: acc(HOT), uid: 0, incentive: 0, dividends: 540 * TAO }], 5_000).unwrap();
    // (within a RAO: shares are bought at a floored price)
    assert!(s.stake_of(acc(HOT), acc(NOM)).abs_diff(3_300 * TAO + 330 * TAO) <= 1);
    assert!(s.stake_of(acc(HOT), acc(SNIPER)).abs_diff(1_000 * TAO + 100 * TAO) <= 1);
    let (paid, _) = s.remove_stake(acc(NOM2), acc(HOT), 1_210 * TAO, 6_000).unwrap();
    assert_eq!(paid, 1_210 * TAO);
    assert_eq!(s.total_stake(), s.stake_of_hotkey(acc(HOT)));
});

env_test!(maturing_stake_leaves_first_and_invalid_params_are_refused, {
    let mut s = state();
    s.add_stake(acc(NOM), acc(HOT), 5 * TAO, AT).unwrap();
    s.add_stake(acc(NOM), acc(HOT), 2 * TAO, MATURE + 5).unwrap();
    assert_eq!(s.stakes(&[acc(HOT)], MATURE + 5), vec![5 * TAO]);
    s.remove_stake(acc(NOM), acc(HOT), 3 * TAO, MATURE + 5).unwrap();
    assert_eq!(s.stakes(&[acc(HOT)], MATURE + 5), vec![4 * TAO], "the 2 maturing TAO left before matured stake");
    assert_eq!(s.stake_of(acc(HOT), acc(NOM)), 4 * TAO);
    let p = s.params();
    assert_eq!(s.set_params(StakingParams { stake_interval: 0, ..p }), Err(StakingError::InvalidParams));
    assert_eq!(s.set_params(StakingParams { moves_per_interval: 0, ..p }), Err(StakingError::InvalidParams));
});

fn incentive(hotkey: u8, uid: u16, amount: u128) -> Payout {
    Payout { hotkey: acc(hotkey), uid, incentive: amount, dividends: 0 }
}

// Issue 13: an epoch paid incentive with a pool read and write per UID, most of its gas. An
// incentive-only payout now waits in the subnet's cell, counted as the owner's stake at once,
// and joins the owner's shares before the next dividends move the pool's price: the owner
// ends up where immediate deposits would have put it.
env_test!(waiting_incentive_counts_at_once_and_compounds_like_a_deposit, {
    let mut s = state();
    s.add_stake(acc(OWNER), acc(HOT), 2 * TAO, AT).unwrap();
    s.add_stake(acc(NOM), acc(HOT), 6 * TAO, AT).unwrap();
    let before = s.pool(acc(HOT)).unwrap();
    s.distribute(1, &[incentive(HOT, 5, 300 * TAO)], MATURE).unwrap();
    s.distribute(1, &[incentive(HOT, 5, 200 * TAO)], MATURE + 1).unwrap();
    assert_eq!(s.pool(acc(HOT)).unwrap().value, before.value, "the pool itself is not written");
    assert_eq!(s.stake_of(acc(HOT), acc(OWNER)), 502 * TAO);
    assert_eq!(s.positions_of(acc(OWNER), MATURE + 1)[0].stake, 502 * TAO);
    assert_eq!(s.stake_of(acc(HOT), acc(NOM)), 6 * TAO, "nominators' stake is untouched");
    assert_eq!(s.stakes(&[acc(HOT)], MATURE + 1), vec![508 * TAO], "waiting incentive weighs in consensus");
    assert_eq!(s.stake_of_hotkey(acc(HOT)), 508 * TAO);
    assert_eq!(s.total_stake(), 508 * TAO);

    // The same history with immediate deposits.
    let mut eager = before.clone();
    eager.maturing.clear();
    eager.deposit(2 * TAO).unwrap();
    let nom_shares = eager.deposit(6 * TAO).unwrap();
    eager.owner_shares = eager.shares - nom_shares;
    eager.credit_owner(300 * TAO).unwrap();
    eager.credit_owner(200 * TAO).unwrap();
    let dividends = 1_000 * TAO;
    let take = eager.take_of(dividends);
    eager.grow(dividends - take).unwrap();
    eager.credit_owner(take).unwrap();

    s.distribute(1, &[Payout { hotkey: acc(HOT), uid: 5, incentive: 0, dividends }], MATURE + 2).unwrap();
    let owner = s.stake_of(acc(HOT), acc(OWNER));
    assert!(owner.abs_diff(eager.value_of(eager.owner_shares)) <= 1, "owner {owner} vs {}", eager.value_of(eager.owner_shares));
    assert!(s.stake_of(acc(HOT), acc(NOM)).abs_diff(eager.value_of(nom_shares)) <= 1);
    assert_eq!(s.total_stake(), 1_508 * TAO);
    assert_eq!(s.stake_of_hotkey(acc(HOT)), 1_508 * TAO);
});

env_test!(a_stake_move_deposits_the_waiting_incentive_first, {
    let mut s = state();
    s.add_stake(acc(OWNER), acc(HOT), 2 * TAO, AT).unwrap();
    s.distribute(3, &[incentive(HOT, 200, 5 * TAO)], MATURE).unwrap();
    let (paid, _) = s.remove_stake(acc(OWNER), acc(HOT), 7 * TAO, MATURE + 1).unwrap();
    assert_eq!(paid, 7 * TAO, "the owner can take out what waited");
    assert_eq!(s.stake_of(acc(HOT), acc(OWNER)), 0);
    assert_eq!(s.total_stake(), 0);
    // Later incentive on the same UID waits again.
    s.distribute(3, &[incentive(HOT, 200, TAO)], MATURE + 2).unwrap();
    assert_eq!(s.stake_of(acc(HOT), acc(OWNER)), TAO);
});

env_test!(a_uid_that_changes_hands_deposits_what_waited_for_its_previous_holder, {
    let mut s = state();
    let (other_hot, other_cold) = (acc(40), acc(41));
    s.offer(other_hot, other_cold).unwrap();
    s.bind(other_hot, other_cold, 10).unwrap();
    s.distribute(1, &[incentive(HOT, 7, 3 * TAO)], MATURE).unwrap();
    // UID 7 is re-registered to another hotkey, which the next epoch pays.
    s.distribute(1, &[incentive(40, 7, TAO)], MATURE + 1).unwrap();
    assert_eq!(s.stake_of(acc(HOT), acc(OWNER)), 3 * TAO, "the previous holder keeps what it earned");
    assert_eq!(s.pool(acc(HOT)).unwrap().value, 3 * TAO, "now as shares in its pool");
    assert!(s.pool(acc(HOT)).unwrap().waiting.is_empty());
    assert_eq!(s.stake_of(other_hot, other_cold), TAO);
    assert_eq!(s.stake_of_hotkey(acc(HOT)) + s.stake_of_hotkey(other_hot), s.total_stake());
});

env_test!(incentive_from_too_many_uids_is_deposited_at_once, {
    let mut s = state();
    let slots = staking::state::MAX_WAITING_SLOTS as u16;
    for netuid in 1..=slots + 1 {
        s.distribute(netuid, &[incentive(HOT, 3, TAO)], MATURE).unwrap();
    }
    let pool = s.pool(acc(HOT)).unwrap();
    assert_eq!(pool.waiting.len(), usize::from(slots), "at most {slots} slots wait");
    assert_eq!(pool.value, TAO, "the payout past them was deposited");
    assert_eq!(s.stake_of(acc(HOT), acc(OWNER)), u128::from(slots + 1) * TAO);
    assert_eq!(s.total_stake(), u128::from(slots + 1) * TAO);
});

// Found by the property test: a hotkey that took its UID back was listed twice and its
// waiting incentive counted twice.
env_test!(a_hotkey_that_takes_its_uid_back_is_counted_once, {
    let mut s = state();
    let (other_hot, other_cold) = (acc(40), acc(41));
    s.offer(other_hot, other_cold).unwrap();
    s.bind(other_hot, other_cold, 10).unwrap();
    s.add_stake(acc(OWNER), acc(HOT), 2 * TAO, AT).unwrap();
    s.distribute(1, &[incentive(HOT, 7, TAO)], MATURE).unwrap();
    s.add_stake(acc(OWNER), acc(HOT), TAO, MATURE).unwrap(); // deposits what waited, empties the slot
    s.distribute(1, &[incentive(40, 7, TAO)], MATURE + 1).unwrap();
    s.distribute(1, &[incentive(HOT, 7, TAO)], MATURE + 2).unwrap();
    assert_eq!(s.pool(acc(HOT)).unwrap().waiting, vec![(1, 7)]);
    assert_eq!(s.stake_of(acc(HOT), acc(OWNER)), 5 * TAO);
    assert_eq!(s.stake_of_hotkey(acc(HOT)) + s.stake_of_hotkey(other_hot), s.total_stake());
});

// The epoch reads a miner whose only stake is waiting incentive from its subnet's cell, with no
// read of its pool; stake put on it later must count as soon as it matures.
env_test!(a_miners_stake_is_read_from_its_cell_until_its_pool_gains_stake, {
    let mut s = state();
    s.distribute(1, &[incentive(HOT, 5, 3 * TAO)], AT).unwrap();
    assert_eq!(s.uid_stakes(1, 5, &[acc(HOT)], AT), vec![3 * TAO]);
    assert_eq!(s.uid_stakes(1, 4, &[acc(77), acc(HOT)], AT), vec![0, 3 * TAO], "UIDs count from `start`");
    s.add_stake(acc(NOM), acc(HOT), 2 * TAO, AT).unwrap(); // matures at MATURE
    assert_eq!(s.uid_stakes(1, 5, &[acc(HOT)], AT), vec![3 * TAO], "maturing stake does not count yet");
    s.distribute(1, &[incentive(HOT, 5, TAO)], AT + 1).unwrap();
    assert_eq!(s.uid_stakes(1, 5, &[acc(HOT)], MATURE), vec![6 * TAO]);
    assert_eq!(s.uid_stakes(1, 5, &[acc(HOT)], MATURE), s.stakes(&[acc(HOT)], MATURE));
    assert_eq!(s.uid_stakes(1, u16::MAX, &[acc(HOT), acc(HOT)], MATURE), vec![6 * TAO; 2], "past UID 65535: from the pool, no panic");
});

// Review finding: every cell a message touched stayed in memory, and staking's allocator never
// frees, so hotkeys waiting on many subnets could make another subnet's epoch run out of
// memory. A message now keeps its own subnet's cells and four others; the rest are read and
// written where they are used. Six hotkeys waiting in six other subnets' cells are paid
// dividends in one call: each one's waiting incentive is deposited, kept cell or not.
env_test!(hotkeys_waiting_on_many_subnets_are_settled_within_bounded_memory, {
    let mut s = state();
    let hotkeys: Vec<u8> = (30..36).collect();
    for &h in &hotkeys {
        s.offer(acc(h), acc(OWNER)).unwrap();
        s.bind(acc(h), acc(OWNER), 10).unwrap();
    }
    for (i, &h) in hotkeys.iter().enumerate() {
        s.distribute(10 + i as u16, &[incentive(h, 3, TAO)], MATURE).unwrap();
    }
    let on_one: Vec<_> = hotkeys.iter().map(|&h| acc(h)).collect();
    let expected: Vec<u128> = on_one.iter().map(|h| s.stakes(&[*h], MATURE)[0]).collect();
    assert_eq!(expected, vec![TAO; 6]);
    assert_eq!(s.uid_stakes(1, 0, &on_one, MATURE), expected, "read past the four kept cells");
    let payouts: Vec<Payout> =
        hotkeys.iter().enumerate().map(|(i, &h)| Payout { hotkey: acc(h), uid: i as u16, incentive: 0, dividends: TAO }).collect();
    s.distribute(1, &payouts, MATURE + 1).unwrap();
    for (i, &h) in hotkeys.iter().enumerate() {
        assert_eq!(s.stake_of(acc(h), acc(OWNER)), 2 * TAO, "hotkey {h}");
        assert_eq!(s.waiting_at_slot((10 + i as u16, 3)).amount, 0, "slot of hotkey {h} emptied");
        assert!(s.pool(acc(h)).unwrap().waiting.is_empty());
    }
    assert_eq!(s.total_stake(), 12 * TAO);
});
