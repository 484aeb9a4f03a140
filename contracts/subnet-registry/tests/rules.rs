//! The registry's rules, exercised through `RegistryState` directly.
use bt_interfaces::env_test;
use bt_interfaces::{AccountId, HyperparamField, Hyperparams, RegistryError};
use subnet_registry::pow;
use subnet_registry::state::{Admission, NetworkParams, RegistryEvent, RegistryState};

const TAO: u128 = 1_000_000_000;

fn acc(n: u8) -> AccountId {
    AccountId::from([n; 32])
}
const OWNER: u8 = 1;
const OWNER_HOT: u8 = 2;
const REGISTRY: u8 = 99;


fn params() -> NetworkParams {
    NetworkParams {
        subnet_limit: 3,
        min_lock: 100 * TAO,
        lock_reduction_interval: 100,
        network_rate_limit: 10,
        network_immunity_period: 50,
        owner_hparams_rate_limit_tempos: 2,
        allow_local_axons: false,
    }
}

/// A registry with one subnet (netuid 1) created at block 10 whose hyperparameters allow fast
/// tests: max 4 UIDs, 3 registrations per block, immunity 5 blocks.
fn with_subnet() -> RegistryState {
    let mut r = RegistryState::new(params());
    let created = r.create_subnet(acc(OWNER), 10, acc(OWNER_HOT), u128::MAX, &[]).unwrap();
    assert_eq!(created.netuid, 1);
    let h = r.hyperparams(1).unwrap();
    let fast = Hyperparams {
        max_allowed_uids: 4,
        max_allowed_validators: 4,
        min_allowed_uids: 1,
        max_regs_per_block: 3,
        target_regs_per_interval: 2,
        adjustment_interval: 100,
        immunity_period: 5,
        tempo: 10,
        ..h
    };
    r.set_hyperparams(acc(0), true, 10, 1, fast).unwrap();
    r
}

fn burn(r: &mut RegistryState, now: u32, hotkey: u8) -> Result<u16, RegistryError> {
    r.register(&acc(REGISTRY), now, 1, acc(hotkey), Admission::Burn { max_price: u128::MAX }).map(|x| x.uid)
}

env_test!(creating_a_subnet_locks_the_cost_and_registers_the_owner_hotkey, {
    let mut r = RegistryState::new(params());
    assert_eq!(r.lock_cost(10), 100 * TAO);
    let created = r.create_subnet(acc(OWNER), 10, acc(OWNER_HOT), 100 * TAO, &[]).unwrap();
    assert_eq!((created.netuid, created.lock, created.refund), (1, 100 * TAO, None));
    assert_eq!(r.uid_of(1, acc(OWNER_HOT)), Some(0));
    let view = r.subnet(1).unwrap();
    assert_eq!((view.owner, view.n, view.locked), (acc(OWNER), 1, 100 * TAO));
    assert_eq!(r.lock_cost(10), 200 * TAO, "the cost doubles");
    assert_eq!(r.lock_cost(60), 150 * TAO, "and decays over the interval");
    assert_eq!(r.create_subnet(acc(3), 10, acc(4), 199 * TAO, &[]).unwrap_err(), RegistryError::LockCostAboveMax {
        cost: 200 * TAO
    });
    assert_eq!(r.create_subnet(acc(OWNER), 15, acc(5), u128::MAX, &[]).unwrap_err(), RegistryError::NetworkRateLimited {
        blocks_left: 5
    });
    assert_eq!(r.netuids(), vec![1]);
});

env_test!(full_subnet_limit_prunes_the_lowest_emission_outside_immunity, {
    let mut r = RegistryState::new(params());
    for (i, block) in [(10u8, 10u32), (11, 20), (12, 30)] {
        r.create_subnet(acc(i), block, acc(i + 100), u128::MAX, &[]).unwrap();
    }
    assert_eq!(r.netuids(), vec![1, 2, 3]);
    assert!(r.subnets_at_limit());
    // Block 40: subnet 1 was created at 10, immunity 50: every subnet is still immune.
    assert_eq!(r.create_subnet(acc(20), 40, acc(120), u128::MAX, &[]).unwrap_err(), RegistryError::SubnetLimitReached {
        immune_for: 20
    });
    // Issue 10, finding 8: the oldest subnet went first whatever it earned. Now the lowest
    // emission share past immunity goes (subnet 3 is the lowest but still immune at 71).
    let shares = [(1, 500), (2, 200), (3, 100)];
    let created = r.create_subnet(acc(20), 71, acc(120), u128::MAX, &shares).unwrap();
    assert_eq!(created.netuid, 2, "the lowest-emission prunable subnet's netuid is reused");
    let (owner, refund) = created.refund.unwrap();
    assert_eq!(owner, acc(11));
    assert_eq!(refund, 190 * TAO, "the pruned owner gets its lock back");
    assert_eq!(r.netuids(), vec![1, 3, 2]);
    assert_eq!(r.subnet(2).unwrap().owner, acc(20));
    assert_eq!(r.uid_of(2, acc(111)), None, "the dissolved subnet's neurons are gone");
    assert_eq!(r.uid_of(2, acc(120)), Some(0));
    // Equal shares: the oldest past immunity.
    let created = r.create_subnet(acc(21), 200, acc(121), u128::MAX, &[(1, 7), (2, 7), (3, 7)]).unwrap();
    assert_eq!(created.netuid, 1);
    assert_eq!(r.netuids(), vec![3, 2, 1]);
});

env_test!(dissolving_a_subnet_within_its_immunity_forfeits_the_lock, {
    // Creating at the limit (evicting a subnet) and dissolving at once would cost only fees.
    let mut r = RegistryState::new(params());
    r.create_subnet(acc(10), 10, acc(110), u128::MAX, &[]).unwrap();
    let (owner, refund, recycled, events) = r.dissolve_subnet(acc(10), 1, 59).unwrap();
    assert_eq!((owner, refund, recycled), (acc(10), 0, 100 * TAO));
    assert!(matches!(events[0], RegistryEvent::SubnetDissolved { netuid: 1, refund: 0, .. }));
});

env_test!(dissolving_is_owner_only_and_frees_the_lowest_netuid, {
    let mut r = RegistryState::new(params());
    r.create_subnet(acc(10), 10, acc(110), u128::MAX, &[]).unwrap();
    r.create_subnet(acc(11), 20, acc(111), u128::MAX, &[]).unwrap();
    assert_eq!(r.dissolve_subnet(acc(10), 2, 100).unwrap_err(), RegistryError::NotSubnetOwner);
    let (owner, refund, recycled, events) = r.dissolve_subnet(acc(11), 2, 100).unwrap();
    assert_eq!((owner, refund, recycled), (acc(11), 190 * TAO, 0), "the lock paid at block 20 (200 TAO decayed by 10 blocks)");
    assert!(matches!(events[0], RegistryEvent::SubnetDissolved { netuid: 2, .. }));
    assert_eq!(r.subnet(2), None);
    assert_eq!(r.dissolve_subnet(acc(11), 2, 100).unwrap_err(), RegistryError::SubnetNotFound);
    let created = r.create_subnet(acc(12), 140, acc(112), u128::MAX, &[]).unwrap();
    assert_eq!(created.netuid, 2);
});

env_test!(burned_registration_appends_then_prunes_the_lowest_score, {
    let mut r = with_subnet();
    assert_eq!(burn(&mut r, 11, 20), Ok(1));
    assert_eq!(burn(&mut r, 11, 21), Ok(2));
    assert_eq!(burn(&mut r, 11, 21), Err(RegistryError::HotkeyAlreadyRegistered));
    assert_eq!(burn(&mut r, 12, 22), Ok(3));
    // Full (4 UIDs). Scores: UID1 low, UID2 lowest, UID3 lowest too but still immune.
    r.set_pruning_scores(1, vec![0, 500, 100, 100]).unwrap();
    assert_eq!(burn(&mut r, 16, 23), Ok(2), "lowest score outside immunity");
    assert_eq!(r.uid_of(1, acc(21)), None);
    assert_eq!(r.neuron(1, 2).unwrap().registered_at, 16);
    assert_eq!(r.pruning_scores(1)[2], u16::MAX, "the new occupant starts unprunable until the next epoch");
    // Ties: equal scores, earliest registration first; the owner hotkey (UID 0) never.
    r.set_pruning_scores(1, vec![0, 7, 7, 7]).unwrap();
    assert_eq!(burn(&mut r, 30, 24), Ok(1));
});

env_test!(when_all_are_immune_the_lowest_immune_score_is_replaced, {
    let mut r = with_subnet();
    for h in 20..23 {
        burn(&mut r, 11, h).unwrap();
    }
    r.set_pruning_scores(1, vec![0, 9, 3, 5]).unwrap();
    assert_eq!(burn(&mut r, 12, 30), Ok(2));
});

env_test!(registration_caps_and_price_limit, {
    let mut r = with_subnet();
    let price = r.registration_state(1, 11).unwrap().burn;
    assert_eq!(price, TAO);
    assert_eq!(
        r.register(&acc(REGISTRY), 11, 1, acc(20), Admission::Burn { max_price: TAO - 1 }).unwrap_err(),
        RegistryError::PriceAboveMax { price: TAO }
    );
    burn(&mut r, 11, 20).unwrap();
    burn(&mut r, 11, 21).unwrap();
    burn(&mut r, 11, 22).unwrap();
    assert_eq!(burn(&mut r, 11, 23), Err(RegistryError::TooManyRegistrationsThisBlock));
    burn(&mut r, 12, 23).unwrap();
    burn(&mut r, 12, 24).unwrap();
    burn(&mut r, 13, 25).unwrap();
    assert_eq!(burn(&mut r, 14, 26), Err(RegistryError::TooManyRegistrationsThisInterval { blocks_left: 96 }));
    assert_eq!(r.register(&acc(REGISTRY), 11, 0, acc(20), Admission::Burn { max_price: 1 }).unwrap_err(), RegistryError::RootNetwork);
    assert_eq!(r.register(&acc(REGISTRY), 11, 7, acc(20), Admission::Burn { max_price: 1 }).unwrap_err(), RegistryError::SubnetNotFound);
});

env_test!(burn_rises_after_a_busy_interval_and_decays_after_idle_ones, {
    let mut r = with_subnet();
    let h = Hyperparams { adjustment_alpha: 0, ..r.hyperparams(1).unwrap() };
    r.set_hyperparams(acc(0), true, 10, 1, h).unwrap();
    for (block, hotkey) in [(11, 20), (12, 21), (13, 22), (14, 23), (15, 24), (16, 25)] {
        burn(&mut r, block, hotkey).unwrap();
    }
    // 6 burned registrations against a target of 2: ×(6+2)/4 = ×2 at block 110.
    assert_eq!(r.registration_state(1, 109).unwrap().burn, TAO);
    assert_eq!(r.registration_state(1, 110).unwrap().burn, 2 * TAO);
    // Two idle intervals later: ×(0+2)/4 twice.
    assert_eq!(r.registration_state(1, 310).unwrap().burn, TAO / 2);
    // A very long pause floors it at min_burn.
    assert_eq!(r.registration_state(1, 1_000_000).unwrap().burn, h.min_burn);
});

env_test!(proof_of_work_registration, {
    let mut r = with_subnet();
    let h = Hyperparams { min_difficulty: 1_000, ..r.hyperparams(1).unwrap() };
    r.set_hyperparams(acc(0), true, 10, 1, h).unwrap();
    r.set_prices(1, TAO, 1_000).unwrap();
    let state = r.registration_state(1, 20).unwrap();
    assert_eq!(state.difficulty, 1_000);
    let seed = pow::seed(&acc(REGISTRY), 1, 19, state.registrations);
    let miner = acc(40); // the coldkey that solved the work
    let (nonce, work) = pow::solve(&seed, &acc(30), &miner, 1_000, 0, 10_000_000).unwrap();
    let pow = |block, nonce, work| Admission::Pow { block, nonce, work, coldkey: miner };
    // Issue 10, finding 2: another coldkey copying the pending call's arguments gets nothing.
    let copied = Admission::Pow { block: 19, nonce, work, coldkey: acc(41) };
    assert_eq!(r.register(&acc(REGISTRY), 20, 1, acc(30), copied).unwrap_err(), RegistryError::InvalidSeal);
    assert_eq!(r.register(&acc(REGISTRY), 25, 1, acc(30), pow(19, nonce, work)).unwrap_err(), RegistryError::StaleWork);
    assert_eq!(r.register(&acc(REGISTRY), 18, 1, acc(30), pow(19, nonce, work)).unwrap_err(), RegistryError::StaleWork);
    assert_eq!(r.register(&acc(REGISTRY), 20, 1, acc(31), pow(19, nonce, work)).unwrap_err(), RegistryError::InvalidSeal);
    let mut weak = work;
    weak[0] = 0xff;
    assert_eq!(r.register(&acc(REGISTRY), 20, 1, acc(30), pow(19, nonce, weak)).unwrap_err(), RegistryError::InvalidSeal);
    let registered = r.register(&acc(REGISTRY), 20, 1, acc(30), pow(19, nonce, work)).unwrap();
    assert_eq!((registered.uid, registered.price), (1, 0));
    assert_eq!(r.register(&acc(REGISTRY), 20, 1, acc(31), pow(19, nonce, work)).unwrap_err(), RegistryError::WorkAlreadyUsed);
    // A seal that does not meet a higher difficulty is refused.
    r.set_prices(1, TAO, u64::MAX / 8).unwrap();
    let seed = pow::seed(&acc(REGISTRY), 1, 20, 2);
    let (nonce, work) = pow::solve(&seed, &acc(32), &miner, 1_000, 0, 10_000_000).unwrap();
    if !pow::meets_difficulty(&work, u64::MAX / 8) {
        assert_eq!(
            r.register(&acc(REGISTRY), 21, 1, acc(32), pow(20, nonce, work)).unwrap_err(),
            RegistryError::DifficultyNotMet
        );
    }
    let h = Hyperparams { pow_registration_allowed: false, ..r.hyperparams(1).unwrap() };
    r.set_hyperparams(acc(0), true, 21, 1, h).unwrap();
    assert_eq!(
        r.register(&acc(REGISTRY), 21, 1, acc(32), pow(20, nonce, work)).unwrap_err(),
        RegistryError::PowRegistrationDisabled
    );
});

env_test!(serving_axons, {
    let mut r = with_subnet();
    burn(&mut r, 11, 20).unwrap();
    let serve = |r: &mut RegistryState, who: u8, now: u32, ip: u128, ip_type: u8, port: u16| {
        r.serve_axon(acc(who), now, 1, 1, ip, port, ip_type, 0)
    };
    assert_eq!(serve(&mut r, 21, 12, 0x0a00_0001, 4, 8091).unwrap_err(), RegistryError::NotRegistered);
    assert_eq!(serve(&mut r, 20, 12, 0x7f00_0001, 4, 8091).unwrap_err(), RegistryError::InvalidIp);
    assert_eq!(serve(&mut r, 20, 12, 0x0a00_0001, 3, 8091).unwrap_err(), RegistryError::InvalidIpType);
    assert_eq!(serve(&mut r, 20, 12, 0x0a00_0001, 4, 0).unwrap_err(), RegistryError::InvalidPort);
    serve(&mut r, 20, 12, 0x0a00_0001, 4, 8091).unwrap();
    assert_eq!(r.axon(1, acc(20)).unwrap().port, 8091);
    assert_eq!(serve(&mut r, 20, 30, 0x0a00_0002, 4, 8091).unwrap_err(), RegistryError::ServingRateLimited {
        blocks_left: 32
    });
    serve(&mut r, 20, 62, 0x0a00_0002, 4, 8092).unwrap();
    assert_eq!(r.axon(1, acc(20)).unwrap().ip, 0x0a00_0002);
    // The metagraph's page: every neuron once, with its axon if it serves one.
    let page = r.neuron_axons_page(1, 0);
    assert_eq!(page.iter().map(|(slot, _, _)| *slot).collect::<Vec<_>>(), r.neurons_page(1, 0));
    r.set_pruning_scores(1, vec![5, 6]).unwrap();
    let scores: Vec<u16> = r.neuron_axons_page(1, 0).iter().map(|(_, _, score)| *score).collect();
    assert_eq!(scores[..2], [5, 6], "with the pruning scores the registry prunes by");
    for (slot, axon, _) in &page {
        let expected = if slot.hotkey == acc(20) { Some(8092) } else { None };
        assert_eq!(axon.map(|a| a.port), expected);
    }
});

env_test!(owner_hyperparameters_are_bounded_and_rate_limited, {
    let mut r = with_subnet();
    let h = r.hyperparams(1).unwrap();
    let owner_change = Hyperparams { immunity_period: 100, ..h };
    assert_eq!(r.set_hyperparams(acc(7), false, 20, 1, owner_change).unwrap_err(), RegistryError::NotSubnetOwner);
    // The fast test tempo (10) is below the owner bound; the owner keeps it unless changing it.
    let owner_change = Hyperparams { tempo: 360, immunity_period: 100, ..h };
    r.set_hyperparams(acc(OWNER), false, 20, 1, owner_change).unwrap();
    let again = Hyperparams { immunity_period: 200, ..owner_change };
    assert_eq!(r.set_hyperparams(acc(OWNER), false, 100, 1, again).unwrap_err(), RegistryError::HyperparamsRateLimited {
        blocks_left: 640
    });
    let root_field = Hyperparams { kappa: 1, ..owner_change };
    assert_eq!(
        r.set_hyperparams(acc(OWNER), false, 800, 1, root_field).unwrap_err(),
        RegistryError::RootOnlyHyperparam(HyperparamField::Kappa)
    );
    r.set_hyperparams(acc(OWNER), false, 800, 1, again).unwrap();
    assert_eq!(r.hyperparams(1).unwrap().immunity_period, 200);
});

// Issue 10, finding 7: without a premine nobody could pay a lock, so no subnet could ever
// exist. The admin opens one genesis subnet without a lock, once, before any other.
env_test!(the_genesis_subnet_needs_no_lock_and_opens_once, {
    let mut r = RegistryState::new(params());
    let created = r.create_genesis_subnet(acc(1), 5, acc(2)).unwrap();
    assert_eq!((created.netuid, created.lock), (1, 0));
    assert_eq!(r.subnet(1).unwrap().locked, 0);
    assert_eq!(r.uid_of(1, acc(2)), Some(0));
    assert!(r.hyperparams(1).unwrap().pow_registration_allowed, "miners enter by proof of work");
    assert_eq!(r.create_genesis_subnet(acc(1), 6, acc(3)).unwrap_err(), RegistryError::GenesisClosed);
    let mut later = RegistryState::new(params());
    later.create_subnet(acc(10), 10, acc(110), u128::MAX, &[]).unwrap();
    assert_eq!(later.create_genesis_subnet(acc(1), 11, acc(2)).unwrap_err(), RegistryError::GenesisClosed);
});

/// A hotkey per UID-sized index, distinct from the fixtures' single-byte accounts.
fn wide(i: u16) -> AccountId {
    let mut key = [200u8; 32];
    key[..2].copy_from_slice(&i.to_le_bytes());
    AccountId::from(key)
}

env_test!(neuron_records_read_and_replace_across_storage_chunks, {
    // The records sit in cells of 128 UIDs: pages, lookups and pruning must see every UID,
    // across cell boundaries, exactly as registered.
    let mut r = with_subnet();
    let h = r.hyperparams(1).unwrap();
    let many = Hyperparams {
        max_allowed_uids: 300,
        max_regs_per_block: 300,
        target_regs_per_interval: 300,
        ..h
    };
    r.set_hyperparams(acc(0), true, 10, 1, many).unwrap();
    for i in 1..300u16 {
        let uid = r.register(&acc(REGISTRY), 11, 1, wide(i), Admission::Burn { max_price: u128::MAX }).unwrap().uid;
        assert_eq!(uid, i);
    }
    let first = r.neurons_page(1, 0);
    let rest = r.neurons_page(1, 256);
    assert_eq!((first.len(), rest.len()), (256, 44));
    assert_eq!(first[0].hotkey, acc(OWNER_HOT));
    for (uid, slot) in first.iter().chain(&rest).enumerate().skip(1) {
        assert_eq!(slot.hotkey, wide(uid as u16), "UID {uid}");
    }
    let mid = r.neurons_page(1, 127);
    assert_eq!(mid.len(), 300 - 127, "a page that starts mid-cell runs to the last UID");
    assert_eq!((mid[0].hotkey, mid[1].hotkey, mid[172].hotkey), (wide(127), wide(128), wide(299)));
    assert_eq!(r.neuron(1, 299).unwrap().hotkey, wide(299));
    assert_eq!(r.neuron(1, 300), None);

    // Full: the lowest pruning score (UID 200, in the second cell) goes to the newcomer.
    let mut scores = vec![100u16; 300];
    scores[200] = 1;
    r.set_pruning_scores(1, scores).unwrap();
    let uid = r.register(&acc(REGISTRY), 20, 1, wide(1000), Admission::Burn { max_price: u128::MAX }).unwrap().uid;
    assert_eq!(uid, 200);
    assert_eq!(r.neuron(1, 200).unwrap().hotkey, wide(1000));
    assert_eq!(r.neurons_page(1, 0)[200].hotkey, wide(1000));
    assert_eq!((r.uid_of(1, wide(200)), r.uid_of(1, wide(1000))), (None, Some(200)));
    assert_eq!(r.slot_of(1, wide(1000)), Some((200, r.neuron(1, 200).unwrap())));
    assert_eq!(r.slot_of(1, wide(1000)).unwrap().1.registered_at, 20);
    assert_eq!(r.slot_of(1, wide(250)).unwrap().1, r.neuron(1, 250).unwrap());
    assert_eq!(r.neuron(1, 199).unwrap().hotkey, wide(199), "its neighbours are untouched");
    assert_eq!(r.neuron(1, 201).unwrap().hotkey, wide(201));
});
