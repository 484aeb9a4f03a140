//! The ledger's rules, exercised through `LedgerState` with hand-made registry and staking
//! data (the contract shell fetches the same data from the other contracts).
use bt_interfaces::env_test;
use bt_interfaces::{AccountId, Hyperparams, LedgerError, NeuronSlot, SubnetView};
use consensus_ledger::commits::commit_hash;
use consensus_ledger::state::{LedgerParams, LedgerState};

mod common;
use common::hyperparams;

const TAO: u128 = 1_000_000_000;

fn acc(n: u8) -> AccountId {
    AccountId::from([n; 32])
}



/// Subnet 1 created at block 1: UIDs 0,1 validators (stakes 3 and 1 TAO), UIDs 2,3 miners.
struct Net {
    view: SubnetView,
    slots: Vec<NeuronSlot>,
    stakes: Vec<u128>,
}

fn net(h: Hyperparams) -> Net {
    let slots = (0..4).map(|i| NeuronSlot { hotkey: acc(10 + i), registered_at: 1 }).collect();
    Net {
        view: SubnetView { netuid: 1, owner: acc(1), owner_hotkey: acc(10), created_at: 1, n: 4, locked: 0, hyperparams: h },
        slots,
        stakes: vec![3 * TAO, TAO, 0, 0],
    }
}

fn ledger(net: &Net) -> LedgerState {
    let mut l = LedgerState::new(LedgerParams { owner_cut: 11_796, ..LedgerParams::default() });
    l.subnet_created(net.view.netuid, net.view.created_at);
    l
}

/// Runs an epoch with `minted` new emission and returns (accrued, owner cut, payouts).
fn epoch(l: &mut LedgerState, net: &Net, now: u32, minted: u128) -> consensus_ledger::state::EpochResult {
    l.add_emission(minted);
    let result = l.run_epoch(&net.view, &net.slots, &net.stakes, now).unwrap();
    let paid: u128 = result.payouts.iter().map(|p| p.incentive + p.dividends).sum();
    l.finish_epoch(net.view.netuid, now, &result, paid).unwrap();
    result
}

env_test!(first_epoch_pays_validators_by_stake_and_grants_permits, {
    let n = net(hyperparams());
    let mut l = ledger(&n);
    assert_eq!(
        l.run_epoch(&n.view, &n.slots, &n.stakes, 5).unwrap_err(),
        LedgerError::EpochNotDue { blocks_left: 6 }
    );
    let r = epoch(&mut l, &n, 11, 100 * TAO);
    assert_eq!(l.pool().carried, 0);
    assert!(100 * TAO - r.accrued <= 1, "index rounding waits as dust (below 1 RAO), never lost: {}", r.accrued);
    assert_eq!(r.owner_cut, 100 * TAO * 11_796 / 65_535);
    // No weights yet: validators get everything, by stake (Σ = 0 fallback).
    let total: u128 = r.payouts.iter().map(|p| p.dividends).sum();
    assert!(u128::from(r.emission) - total <= 2);
    assert_eq!(r.payouts.len(), 2);
    assert!(r.payouts[0].dividends > 2 * r.payouts[1].dividends);
    assert!(l.meta(1, 0).permit && l.meta(1, 1).permit && !l.meta(1, 2).permit);
});

// Finding 4 of the economic review: the owner cut was taken from everything accrued, including
// what earlier epochs could not pay, so on a subnet where Yuma pays no one the owner's share
// grew to 61% after 10 epochs. The cut must apply to new emission only.
env_test!(owner_cut_applies_to_new_emission_only, {
    let mut n = net(hyperparams());
    n.stakes = vec![0; 4]; // no stake anywhere: Yuma pays no one, everything is carried
    let mut l = ledger(&n);
    let mut minted_total = 0u128;
    let mut cut_total = 0u128;
    let mut paid_total = 0u128;
    for e in 1..=10u32 {
        let r = epoch(&mut l, &n, 1 + 10 * e, 100 * TAO);
        minted_total += 100 * TAO;
        cut_total += r.owner_cut;
        paid_total += r.payouts.iter().map(|p| p.incentive + p.dividends).sum::<u128>();
        assert!(r.owner_cut <= 100 * TAO * 11_796 / 65_535 + 1, "epoch {e}: cut {} of {}", r.owner_cut, r.accrued);
    }
    assert_eq!(paid_total, 0, "nobody has stake, so nobody is paid");
    let share = cut_total as f64 / minted_total as f64;
    assert!((share - 11_796.0 / 65_535.0).abs() < 1e-6, "owner share {share}");
});

env_test!(epoch_payouts_equal_what_the_yuma_library_computes, {
    let n = net(hyperparams());
    let mut l = ledger(&n);
    epoch(&mut l, &n, 11, 0); // grants permits
    l.set_weights(&n.view, 0, &n.slots[0], n.stakes[0], 12, &[2, 3], &[100, 300], 0).unwrap();
    l.set_weights(&n.view, 1, &n.slots[1], n.stakes[1], 12, &[2, 3], &[300, 100], 0).unwrap();
    let r = epoch(&mut l, &n, 21, 1_000 * TAO);

    // The same snapshot straight through the library.
    let w0 = [(2u16, 21_845u16), (3, 65_535)];
    let w1 = [(2u16, 65_535u16), (3, 21_845)];
    let inputs: Vec<yuma::NeuronInput> = (0..4)
        .map(|i| yuma::NeuronInput {
            stake: n.stakes[i] as u64,
            last_update: if i < 2 { 12 } else { 1 },
            registered_at: 1,
            validator_permit: i < 2,
            weights: match i {
                0 => &w0[..],
                1 => &w1[..],
                _ => &[][..],
            },
            bonds: &[],
        })
        .collect();
    let expected = yuma::run_epoch(&yuma::EpochInput {
        block: 21,
        emission: r.emission,
        bonds_reset_block: 12,
        params: consensus_ledger::state::epoch_params(&n.view.hyperparams),
        neurons: &inputs,
    });
    for (uid, out) in expected.neurons.iter().enumerate() {
        let paid = r.payouts.iter().find(|p| p.hotkey == n.slots[uid].hotkey);
        let (inc, div) = paid.map(|p| (p.incentive, p.dividends)).unwrap_or((0, 0));
        assert_eq!((inc, div), (u128::from(out.server_emission), u128::from(out.validator_emission)), "uid {uid}");
        assert_eq!(l.output(1, uid as u16).incentive, out.incentive);
        assert_eq!(l.bonds_of(1, uid as u16).map(|b| b.entries).unwrap_or_default(), out.bonds);
    }
    // Miner 3 got the larger share: validator 0 (3/4 of stake) favours it.
    assert!(l.output(1, 3).incentive > l.output(1, 2).incentive);
});

env_test!(a_validator_that_loses_its_permit_loses_its_bond_row, {
    let mut n = net(hyperparams());
    let mut l = ledger(&n);
    epoch(&mut l, &n, 11, 0); // permits for UIDs 0 and 1
    l.set_weights(&n.view, 0, &n.slots[0], n.stakes[0], 12, &[2, 3], &[100, 300], 0).unwrap();
    l.set_weights(&n.view, 1, &n.slots[1], n.stakes[1], 12, &[2, 3], &[300, 100], 0).unwrap();
    epoch(&mut l, &n, 21, 1_000 * TAO);
    assert!(l.bonds_of(1, 1).is_some(), "a permit holder with weights has bonds");
    // UID 2 outstakes UID 1, so the two permits go to UIDs 0 and 2.
    n.stakes = vec![3 * TAO, TAO, 2 * TAO, 0];
    epoch(&mut l, &n, 31, 1_000 * TAO);
    assert!(!l.meta(1, 1).permit);
    assert_eq!(l.bonds_of(1, 1), None, "the bond row went with the permit");
    // Its stored weights no longer count: the next epoch pays as if UID 1 had none.
    let r = epoch(&mut l, &n, 41, 1_000 * TAO);
    assert!(r.payouts.iter().all(|p| p.hotkey != n.slots[1].hotkey || p.dividends == 0));
});

env_test!(rounding_dust_stays_with_the_subnet, {
    let n = net(hyperparams());
    let mut l = ledger(&n);
    let r = epoch(&mut l, &n, 11, 1_000_003);
    let paid: u128 = r.payouts.iter().map(|p| p.incentive + p.dividends).sum();
    let left = l.subnet(1).unwrap().account.accrued;
    assert_eq!(left, r.accrued - r.owner_cut - paid);
    assert!(left <= 4, "dust is a few RAO");
    let r2 = epoch(&mut l, &n, 21, 0);
    assert!(r2.accrued >= left, "the dust is paid out with the next epoch");
});

env_test!(weights_of_a_previous_occupant_never_reach_the_new_one, {
    let mut n = net(hyperparams());
    let mut l = ledger(&n);
    epoch(&mut l, &n, 11, 0);
    l.set_weights(&n.view, 0, &n.slots[0], n.stakes[0], 12, &[2, 3], &[1, 1], 0).unwrap();
    l.set_weights(&n.view, 1, &n.slots[1], n.stakes[1], 12, &[2, 3], &[1, 1], 0).unwrap();
    // UID 3 changes hands at block 15; nobody re-weights it.
    n.slots[3] = NeuronSlot { hotkey: acc(99), registered_at: 15 };
    let r = epoch(&mut l, &n, 21, 1_000 * TAO);
    assert!(r.payouts.iter().all(|p| p.hotkey != acc(99)), "the new occupant earns nothing from old weights");
    assert_eq!(l.output(1, 3).incentive, 0);
    // Validator UID 1 changes hands too: its old weight row, bonds and permit do not carry over.
    n.slots[1] = NeuronSlot { hotkey: acc(98), registered_at: 22 };
    let err = l.set_weights(&n.view, 1, &n.slots[1], n.stakes[1], 23, &[2], &[1], 0).unwrap_err();
    assert_eq!(err, LedgerError::NoValidatorPermit, "the predecessor's permit is not inherited");
    let r = epoch(&mut l, &n, 31, 1_000 * TAO);
    assert!(l.weights_of(1, 1).is_some(), "the old row is still stored, and ignored");
    let new_validator = r.payouts.iter().find(|p| p.hotkey == acc(98));
    assert_eq!(new_validator.map_or(0, |p| p.dividends), 0, "no dividends from a predecessor's bonds");
    // Its own stake earns it a permit at that epoch, so from now on it may set weights.
    l.set_weights(&n.view, 1, &n.slots[1], n.stakes[1], 32, &[2], &[1], 0).unwrap();
});

// Finding 9 of the economic review, second half: a UID replaced in the very block its
// predecessor set weights inherited that row once it earned a permit.
env_test!(a_row_set_in_the_block_a_uid_changes_hands_stays_the_predecessors, {
    let mut n = net(hyperparams());
    let mut l = ledger(&n);
    epoch(&mut l, &n, 11, 0); // permits for UIDs 0 and 1
    l.set_weights(&n.view, 0, &n.slots[0], n.stakes[0], 12, &[2, 3], &[1, 1], 0).unwrap();
    // In the same block 12, UID 0 is taken by a newcomer with enough stake for a permit.
    n.slots[0] = NeuronSlot { hotkey: acc(97), registered_at: 12 };
    epoch(&mut l, &n, 21, 1_000 * TAO); // the newcomer earns its permit here
    assert!(l.meta(1, 0).permit_for(12));
    epoch(&mut l, &n, 31, 1_000 * TAO); // first epoch where the newcomer's rows are read
    assert!(
        l.bonds_of(1, 0).map(|b| b.entries).unwrap_or_default().is_empty(),
        "the newcomer set no weights, so it can hold no bonds"
    );
    assert_eq!(l.output(1, 2).incentive, 0, "nobody weighted the miners for this epoch");
});

// Finding 9, first half: a commit made before the hotkey's current registration (it was
// deregistered and registered again) must not be revealed into the new registration.
env_test!(a_commit_from_an_earlier_registration_cannot_be_revealed, {
    let h = Hyperparams { commit_reveal_enabled: true, ..hyperparams() };
    let mut n = net(h);
    let mut l = ledger(&n);
    epoch(&mut l, &n, 11, 0);
    let hotkey = n.slots[0].hotkey;
    let hash = commit_hash(&hotkey, 1, &[2, 3], &[5, 9], &[42], 0);
    l.commit_weights(&n.view, 0, &n.slots[0], 12, hash).unwrap();
    // The same hotkey is pruned and registers again (at the same UID) at block 15.
    n.slots[0] = NeuronSlot { hotkey, registered_at: 15 };
    epoch(&mut l, &n, 21, 0);
    let err = l.reveal_weights(&n.view, 0, &n.slots[0], n.stakes[0], 22, &[2, 3], &[5, 9], &[42], 0).unwrap_err();
    assert_eq!(err, LedgerError::CommitBeforeRegistration);
    assert!(l.weights_of(1, 0).is_none(), "nothing was stored");
});

env_test!(commit_reveal_round_trip_and_rejections, {
    let h = Hyperparams { commit_reveal_enabled: true, weights_rate_limit: 5, ..hyperparams() };
    let n = net(h);
    let mut l = ledger(&n);
    epoch(&mut l, &n, 11, 0);
    let hotkey = n.slots[0].hotkey;
    let err = l.set_weights(&n.view, 0, &n.slots[0], n.stakes[0], 12, &[2], &[1], 0).unwrap_err();
    assert_eq!(err, LedgerError::CommitRevealEnabled);
    let hash = commit_hash(&hotkey, 1, &[2, 3], &[5, 9], &[42], 0);
    l.commit_weights(&n.view, 0, &n.slots[0], 12, hash).unwrap();
    assert_eq!(
        l.commit_weights(&n.view, 0, &n.slots[0], 14, hash).unwrap_err(),
        LedgerError::TooSoon { blocks_left: 3 },
        "the rate limit applies to commits"
    );
    let reveal = |l: &mut LedgerState, now, values: &[u16], salt: &[u16]| {
        l.reveal_weights(&n.view, 0, &n.slots[0], n.stakes[0], now, &[2, 3], values, salt, 0)
    };
    assert_eq!(reveal(&mut l, 13, &[5, 9], &[42]).unwrap_err(), LedgerError::RevealTooEarly { epochs_left: 1 });
    epoch(&mut l, &n, 21, 0);
    assert_eq!(reveal(&mut l, 22, &[5, 8], &[42]).unwrap_err(), LedgerError::NoMatchingCommit);
    assert_eq!(reveal(&mut l, 22, &[5, 9], &[41]).unwrap_err(), LedgerError::NoMatchingCommit);
    reveal(&mut l, 22, &[5, 9], &[42]).unwrap();
    assert_eq!(l.weights_of(1, 0).unwrap().entries, vec![(2, 36_408), (3, 65_535)]);
    assert_eq!(l.meta(1, 0).last_update, 12, "last_update stays the commit block");
    assert_eq!(reveal(&mut l, 22, &[5, 9], &[42]).unwrap_err(), LedgerError::NoMatchingCommit, "a commit reveals once");
    // A commit left unrevealed past its reveal epoch expires.
    let late = commit_hash(&hotkey, 1, &[2, 3], &[1, 1], &[7], 0);
    l.commit_weights(&n.view, 0, &n.slots[0], 25, late).unwrap();
    epoch(&mut l, &n, 31, 0);
    epoch(&mut l, &n, 41, 0);
    assert_eq!(
        l.reveal_weights(&n.view, 0, &n.slots[0], n.stakes[0], 42, &[2, 3], &[1, 1], &[7], 0).unwrap_err(),
        LedgerError::CommitExpired
    );
    let off = Hyperparams { commit_reveal_enabled: false, ..h };
    let view_off = SubnetView { hyperparams: off, ..n.view };
    assert_eq!(l.commit_weights(&view_off, 0, &n.slots[0], 50, hash).unwrap_err(), LedgerError::CommitRevealDisabled);
});

env_test!(equal_shares_until_root_votes_then_votes_decide, {
    let mut l = LedgerState::new(LedgerParams {
        root_tempo: 100,
        root_weights_rate_limit: 0,
        root_min_stake: 5 * TAO,
        ..LedgerParams::default()
    });
    l.subnet_created(1, 1);
    l.subnet_created(2, 1);
    l.add_emission(1_000 * TAO);
    let p1 = l.pending_emission(1, 0);
    let p2 = l.pending_emission(2, 0);
    assert_eq!(p1, p2);
    assert!(1_000 * TAO - p1 - p2 <= 2);
    // A dissolved subnet's unpaid emission goes back to the pool for the others.
    l.subnet_dissolved(2);
    l.add_emission(0);
    assert!(l.pending_emission(1, 0) >= 1_000 * TAO - 2);
    l.subnet_created(2, 50);
    // Root: one member votes 3:1 for subnet 1 over subnet 2.
    assert_eq!(
        l.root_register(acc(49), &[], TAO).unwrap_err(),
        LedgerError::RootStakeBelowMinimum { stake: TAO, minimum: 5 * TAO },
        "dust stake cannot join root"
    );
    l.root_register(acc(50), &[], 10 * TAO).unwrap();
    assert_eq!(l.root_register(acc(50), &[10 * TAO], 10 * TAO).unwrap_err(), LedgerError::AlreadyRootMember);
    assert_eq!(l.set_root_weights(acc(51), 60, &[1], &[1], &[1, 2]).unwrap_err(), LedgerError::NotRootMember);
    assert_eq!(
        l.set_root_weights(acc(50), 60, &[1, 2, 7], &[3, 1, 1], &[1, 2]).unwrap_err(),
        LedgerError::SubnetNotFound,
        "rows name existing subnets only, so they stay short"
    );
    l.set_root_weights(acc(50), 60, &[1, 2], &[3, 1], &[1, 2]).unwrap();
    let before1 = l.pending_emission(1, 0);
    let before2 = l.pending_emission(2, 0);
    l.run_root_epoch(100, &[(1, true), (2, true)], &[10 * TAO]).unwrap();
    assert_eq!(l.run_root_epoch(150, &[(1, true), (2, true)], &[10 * TAO]).unwrap_err(), LedgerError::RootEpochNotDue {
        blocks_left: 50
    });
    l.add_emission(4_000 * TAO);
    let got1 = l.pending_emission(1, 0) - before1;
    let got2 = l.pending_emission(2, 0) - before2;
    assert!(got1 > got2 * 2, "{got1} vs {got2}");
    assert!(4_000 * TAO - got1 - got2 <= 4);
});

env_test!(a_full_root_network_replaces_its_lowest_stake_member, {
    let mut l = LedgerState::new(LedgerParams { root_min_stake: 0, ..LedgerParams::default() });
    let members: Vec<u128> = (0..64).map(|i| (100 + i) as u128).collect();
    for i in 0..64u8 {
        l.root_register(acc(i), &members[..usize::from(i)], members[usize::from(i)]).unwrap();
    }
    assert_eq!(l.root_register(acc(200), &members, 100).unwrap_err(), LedgerError::RootStakeTooLow);
    l.root_register(acc(200), &members, 101).unwrap();
    let now = l.root_members();
    assert_eq!(now.len(), 64);
    assert!(!now.contains(&acc(0)) && now.contains(&acc(200)));
});

// Issue 10, finding 7: emission minted while no subnet existed was carried and credited in one
// windfall to the first subnets. It is now handed back for recycling, and a subnet accrues only
// from its creation.
env_test!(emission_before_any_subnet_is_recycled_not_a_windfall, {
    let mut l = LedgerState::new(LedgerParams::default());
    assert_eq!(l.add_emission(1_000 * TAO), 1_000 * TAO, "no subnet: everything goes back");
    l.subnet_created(1, 100);
    assert_eq!(l.add_emission(10 * TAO), 0);
    assert!(l.pending_emission(1, 0).abs_diff(10 * TAO) <= 1, "within a RAO of index rounding");
    l.subnet_dissolved(1);
    let back = l.add_emission(5 * TAO);
    assert!(back <= 15 * TAO && back + 1 >= 15 * TAO, "the dissolved subnet's unpaid emission too: {back}");
});

/// The yuma library's epoch over the ledger's stored rows: what the ledger must reproduce.
fn library_epoch(l: &LedgerState, n: &Net, block: u32, emission: u64, bonds: &[Vec<(u16, u16)>], reset: u32) -> yuma::EpochOutput {
    let rows: Vec<Vec<(u16, u16)>> =
        (0..n.slots.len()).map(|i| l.weights_of(1, i as u16).map(|r| r.entries).unwrap_or_default()).collect();
    let inputs: Vec<yuma::NeuronInput> = (0..n.slots.len())
        .map(|i| yuma::NeuronInput {
            stake: n.stakes[i] as u64,
            last_update: u64::from(l.meta(1, i as u16).last_update_for(1)),
            registered_at: 1,
            validator_permit: l.meta(1, i as u16).permit,
            weights: &rows[i],
            bonds: &bonds[i],
        })
        .collect();
    yuma::run_epoch(&yuma::EpochInput {
        block: u64::from(block),
        emission,
        bonds_reset_block: u64::from(reset),
        params: consensus_ledger::state::epoch_params(&n.view.hyperparams),
        neurons: &inputs,
    })
}

// The epoch packs its bond rows into cells of at most BOND_CELL_BYTES: with 12 validators
// weighting all 1,024 UIDs (4 KB rows) they span several cells, and the next epoch must read
// every row back exactly as the library would carry it.
env_test!(bond_rows_round_trip_through_several_cells, {
    let validators = 12usize;
    let mut n = net(Hyperparams { max_allowed_validators: validators as u16, max_allowed_uids: 1_024, ..hyperparams() });
    n.view.n = 1_024;
    n.slots = (0..1_024u32).map(|i| NeuronSlot { hotkey: AccountId::from([(i % 251) as u8, (i / 251) as u8 + 1, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7]), registered_at: 1 }).collect();
    n.stakes = (0..1_024u128).map(|i| if i < validators as u128 { (i + 1) * TAO } else { 0 }).collect();
    let mut l = ledger(&n);
    epoch(&mut l, &n, 11, 0); // permits
    let uids: Vec<u16> = (0..1_024).collect();
    for v in 0..validators {
        let values: Vec<u16> = uids.iter().map(|u| 1 + ((u32::from(*u) * 7_919 + v as u32 * 104_729) % 60_000) as u16).collect();
        l.set_weights(&n.view, v as u16, &n.slots[v], n.stakes[v], 12, &uids, &values, 0).unwrap();
    }
    let no_bonds = vec![Vec::new(); 1_024];
    let expected = library_epoch(&l, &n, 21, 0, &no_bonds, 12);
    epoch(&mut l, &n, 21, 0);
    let cells = l.subnet(1).unwrap().bond_cells;
    assert!(cells >= 4, "twelve 4 KB rows need at least four 15 KiB cells, got {cells}");
    for (uid, out) in expected.neurons.iter().enumerate() {
        assert_eq!(l.bonds_of(1, uid as u16).map(|b| b.entries).unwrap_or_default(), out.bonds, "uid {uid}");
    }
    // The next epoch reads the rows back from every cell: same outputs and bonds as the library.
    let carried: Vec<Vec<(u16, u16)>> = expected.neurons.iter().map(|o| o.bonds.clone()).collect();
    let r = epoch(&mut l, &n, 31, 1_000 * TAO);
    let again = library_epoch(&l, &n, 31, r.emission, &carried, 22);
    for (uid, out) in again.neurons.iter().enumerate() {
        assert_eq!(l.bonds_of(1, uid as u16).map(|b| b.entries).unwrap_or_default(), out.bonds, "uid {uid}");
        let paid = r.payouts.iter().find(|p| p.hotkey == n.slots[uid].hotkey);
        let (inc, div) = paid.map(|p| (p.incentive, p.dividends)).unwrap_or((0, 0));
        assert_eq!((inc, div), (u128::from(out.server_emission), u128::from(out.validator_emission)), "uid {uid}");
    }
    // Eleven validators unstake: one row is left, in one cell, and the emptied cells are gone.
    for s in n.stakes.iter_mut().skip(1) {
        *s = 0;
    }
    epoch(&mut l, &n, 41, 0);
    assert_eq!(l.subnet(1).unwrap().bond_cells, 1);
    assert!(l.bonds_of(1, 0).is_some());
    assert_eq!(l.bonds_of(1, 5), None, "no row outlives its permit");
});

// A dissolved subnet's bond cells are removed with it (no storage deposit stays locked), and a
// subnet created again on its netuid starts without bonds.
env_test!(a_dissolved_subnets_bond_cells_go_with_it, {
    let n = net(hyperparams());
    let mut l = ledger(&n);
    epoch(&mut l, &n, 11, 0);
    l.set_weights(&n.view, 0, &n.slots[0], n.stakes[0], 12, &[2, 3], &[100, 300], 0).unwrap();
    epoch(&mut l, &n, 21, 1_000 * TAO);
    assert!(l.bonds_of(1, 0).is_some());
    let cells = || {
        let me = ink::env::test::callee::<ink::env::DefaultEnvironment>();
        ink::env::test::count_used_storage_cells::<ink::env::DefaultEnvironment>(&me).unwrap()
    };
    let (before, bond_cells) = (cells(), l.subnet(1).unwrap().bond_cells);
    assert!(bond_cells > 0);
    l.subnet_dissolved(1);
    assert_eq!(cells(), before - 1 - usize::from(bond_cells), "the subnet record and its bond cells are gone");
    assert_eq!(l.bonds_of(1, 0), None);
    l.subnet_created(1, 30);
    assert_eq!(l.subnet(1).unwrap().bond_cells, 0);
    assert_eq!(l.bonds_of(1, 0), None, "the new subnet holds no bonds");
});
