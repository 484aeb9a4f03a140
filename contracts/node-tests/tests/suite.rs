//! The whole suite on a real substrate-contracts-node: deploy and wire all four contracts,
//! create a subnet, register by burn, stake, set weights, run several tempos, and check that
//! every hotkey's stake grew by exactly what the yuma library predicts for the same snapshot.
#![cfg(feature = "e2e-tests")]
use bt_interfaces::{
    Hyperparams, MetagraphEntry, RegistryView, StakingProtocol, SubnetView, PSP22,
};
use consensus_ledger::consensus_ledger::ConsensusLedger;
use consensus_ledger::events::EpochRun;
use ink::scale::Decode;
use node_tests::{id, query, submit, E2EResult, NodeClient, Suite, TAO};
use staking::staking::Staking;
use subnet_registry::subnet_registry::SubnetRegistry;
use tao_token::tao_token::TaoToken;

#[test]
fn epochs_pay_exactly_what_yuma_predicts() {
    node_tests::run(epochs_pay_exactly_what_yuma_predicts_on);
}

async fn epochs_pay_exactly_what_yuma_predicts_on(mut client: NodeClient) -> E2EResult<()> {
    let alice = ink_e2e::alice(); // deployer, admin, subnet owner
    let (vali, m1, m2) = (ink_e2e::bob(), ink_e2e::charlie(), ink_e2e::dave());
    let suite = Suite::deploy(&mut client, &alice, vec![(id(&alice), 10_000 * TAO)]).await?;
    suite.use_local_staking_params(&mut client, &alice).await?;
    for hotkey in [&vali, &m1, &m2] {
        suite.offer(&mut client, hotkey, id(&alice)).await?;
    }
    let mut tc = ink_e2e::create_call_builder::<TaoToken>(suite.token);
    let mut rc = ink_e2e::create_call_builder::<SubnetRegistry>(suite.registry);
    let mut sc = ink_e2e::create_call_builder::<Staking>(suite.staking);
    let mut lc = ink_e2e::create_call_builder::<ConsensusLedger>(suite.ledger);

    // A subnet with the validator's hotkey as owner hotkey (UID 0) and two miners.
    let create = submit(
        &mut client,
        &alice,
        &rc.create_subnet(id(&vali), 2_000 * TAO),
    )
    .await
    .expect("create_subnet");
    println!(
        "gas (node dry run): create_subnet ref_time {}",
        create.dry_run.exec_result.gas_consumed.ref_time()
    );
    let netuid = create.return_value().expect("netuid");
    let h: Hyperparams = query(&mut client, &alice, &rc.hyperparams(netuid))
        .await?
        .unwrap();
    let fast = Hyperparams {
        tempo: 6,
        weights_rate_limit: 0,
        activity_cutoff: 1_000,
        yuma3: false,
        // A dry run sees the current block, where an earlier registration already counts
        // against the per-block limit; the extrinsic lands in the next block.
        max_regs_per_block: 4,
        ..h
    };
    submit(&mut client, &alice, &rc.set_hyperparams(netuid, fast))
        .await
        .expect("hyperparams");
    for m in [&m1, &m2] {
        let r = submit(
            &mut client,
            &alice,
            &rc.burned_register(netuid, id(m), 10 * TAO),
        )
        .await
        .expect("burned_register");
        println!(
            "gas (node dry run): burned_register ref_time {}",
            r.dry_run.exec_result.gas_consumed.ref_time()
        );
    }
    let stake = submit(&mut client, &alice, &sc.add_stake(id(&vali), 1_000 * TAO))
        .await
        .expect("add_stake");
    println!(
        "gas (node dry run): add_stake ref_time {}",
        stake.dry_run.exec_result.gas_consumed.ref_time()
    );
    // A nominator (eve) delegates to the validator's hotkey.
    let eve = ink_e2e::eve();
    submit(
        &mut client,
        &alice,
        &tc.transfer(id(&eve), 100 * TAO, vec![]),
    )
    .await
    .expect("fund the nominator");
    let nominate = submit(&mut client, &eve, &sc.add_stake(id(&vali), 50 * TAO))
        .await
        .expect("nominate");
    assert_eq!(nominate.return_value(), Ok(()));
    let serve = submit(
        &mut client,
        &m1,
        &rc.serve_axon(netuid, 1, 0x0a00_0001, 8091, 4, 0),
    )
    .await
    .expect("serve_axon");
    println!(
        "gas (node dry run): serve_axon ref_time {}",
        serve.dry_run.exec_result.gas_consumed.ref_time()
    );

    // Stake matures two blocks after it is added (local staking params): let it, so the
    // snapshots below see the same stake as the epochs.
    for _ in 0..2 {
        submit(&mut client, &alice, &tc.transfer(id(&m2), 1, vec![]))
            .await
            .expect("filler block");
    }

    let mut epochs_checked = 0;
    for round in 0..4 {
        // Wait (one extrinsic seals one block) until the epoch is due.
        loop {
            let left = query(&mut client, &alice, &lc.blocks_until_next_epoch(netuid))
                .await?
                .unwrap();
            if left == 0 {
                break;
            }
            submit(&mut client, &alice, &tc.transfer(id(&m2), 1, vec![]))
                .await
                .expect("filler block");
        }
        if round == 1 {
            let r = submit(
                &mut client,
                &vali,
                &lc.set_weights(netuid, vec![1, 2], vec![65_535, 21_845], 0),
            )
            .await
            .expect("weights");
            assert_eq!(r.return_value(), Ok(()));
            continue;
        }
        // Snapshot everything the epoch reads, predict with the library, run, compare.
        let view: SubnetView = query(&mut client, &alice, &rc.subnet(netuid))
            .await?
            .unwrap();
        let mg: Vec<MetagraphEntry> = query(&mut client, &alice, &lc.metagraph(netuid, 0))
            .await?
            .unwrap();
        let mut rows = Vec::new();
        let mut bonds = Vec::new();
        for e in &mg {
            let w = query(&mut client, &alice, &lc.weights(netuid, e.uid)).await?;
            rows.push(
                w.filter(|(at, _)| *at >= e.registered_at)
                    .map(|(_, r)| r)
                    .unwrap_or_default(),
            );
            let b = query(&mut client, &alice, &lc.bonds(netuid, e.uid)).await?.expect("bonds");
            bonds.push(
                b.filter(|(at, _)| *at > e.registered_at)
                    .map(|(_, r)| r)
                    .unwrap_or_default(),
            );
        }
        let last_epoch = query(&mut client, &alice, &lc.subnet_state(netuid))
            .await?
            .unwrap()
            .last_epoch;
        let before: Vec<u128> = mg.iter().map(|e| e.stake).collect();
        let run = submit(&mut client, &alice, &lc.run_epoch(netuid))
            .await
            .expect("run_epoch");
        println!(
            "gas (node dry run): run_epoch n={} ref_time {}",
            mg.len(),
            run.dry_run.exec_result.gas_consumed.ref_time()
        );
        let ev: EpochRun = run
            .contract_emitted_events()?
            .into_iter()
            .filter(|e| {
                e.topics.first().map(|t| t.0) == <EpochRun as ink::env::Event>::SIGNATURE_TOPIC
            })
            .find_map(|e| EpochRun::decode(&mut &e.event.data[..]).ok())
            .expect("EpochRun event");
        let inputs: Vec<yuma::NeuronInput> = mg
            .iter()
            .enumerate()
            .map(|(i, e)| yuma::NeuronInput {
                stake: e.stake as u64,
                last_update: u64::from(e.last_update),
                registered_at: u64::from(e.registered_at),
                validator_permit: e.validator_permit,
                weights: &rows[i],
                bonds: &bonds[i],
            })
            .collect();
        let predicted = yuma::run_epoch(&yuma::EpochInput {
            block: u64::from(ev.block),
            emission: (ev.emission - ev.owner_cut) as u64,
            bonds_reset_block: u64::from(last_epoch) + 1,
            params: consensus_ledger::state::epoch_params(&view.hyperparams),
            neurons: &inputs,
        });
        let hotkeys: Vec<_> = mg.iter().map(|e| e.hotkey).collect();
        let after = query(&mut client, &alice, &sc.stakes(hotkeys)).await?;
        for (i, out) in predicted.neurons.iter().enumerate() {
            assert_eq!(
                after[i] - before[i],
                u128::from(out.server_emission + out.validator_emission),
                "round {round}, uid {i}: stake grew by exactly the predicted emission"
            );
        }
        let paid: u128 = predicted
            .neurons
            .iter()
            .map(|o| u128::from(o.server_emission + o.validator_emission))
            .sum();
        assert_eq!(ev.paid, paid);
        epochs_checked += 1;
    }
    assert_eq!(epochs_checked, 3);
    // The miners' incentive followed the weights (3:1 for miner 1).
    let mg: Vec<MetagraphEntry> = query(&mut client, &alice, &lc.metagraph(netuid, 0))
        .await?
        .unwrap();
    assert!(mg[1].incentive > 2 * mg[2].incentive, "{mg:?}");
    assert_eq!(mg[1].axon.map(|a| a.port), Some(8091), "miner 1 serves an axon");
    assert_eq!(mg[2].axon, None);
    let owner_of = query(&mut client, &alice, &sc.owner_of(id(&m1))).await?;
    assert_eq!(owner_of, Some(id(&alice)));
    let supply = query(&mut client, &alice, &tc.total_supply()).await?;
    assert!(
        supply > 10_000 * TAO - 20 * TAO,
        "emission minted more than the burns recycled"
    );
    // The nominator earned dividends through the pool and can take all of it out as TAO.
    let eve_stake = query(&mut client, &eve, &sc.stake_of(id(&vali), id(&eve))).await?;
    assert!(eve_stake > 50 * TAO, "nominator's stake grew: {eve_stake}");
    let eve_before = query(&mut client, &eve, &tc.balance_of(id(&eve))).await?;
    let unstake = submit(&mut client, &eve, &sc.remove_stake(id(&vali), eve_stake))
        .await
        .expect("remove_stake");
    assert_eq!(unstake.return_value(), Ok(eve_stake));
    let eve_after = query(&mut client, &eve, &tc.balance_of(id(&eve))).await?;
    assert_eq!(eve_after, eve_before + eve_stake);
    let left = query(&mut client, &eve, &sc.stake_of(id(&vali), id(&eve))).await?;
    assert_eq!(left, 0);
    Ok(())
}
