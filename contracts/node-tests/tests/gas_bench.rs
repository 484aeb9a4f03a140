//! `run_epoch` gas on a real substrate-contracts-node (dry runs through the node's
//! `ContractsApi_call`), for n = 64, 256 and 1024 UIDs with 64 validators setting full weight
//! rows, classic, Yuma3 and Yuma3 with liquid alpha. Prints a table; run it with `scripts/gas-bench.sh`.
#![cfg(all(feature = "e2e-tests", feature = "gas-bench"))]
use bt_interfaces::{Hyperparams, RegistryView, PSP22};
use consensus_ledger::consensus_ledger::ConsensusLedger;
use ink_e2e::{ChainBackend, ContractsBackend};
use node_tests::{id, query, submit, E2EResult, NodeClient, Suite, TAO};
use staking::staking::Staking;
use subnet_registry::subnet_registry::SubnetRegistry;
use tao_token::tao_token::TaoToken;

/// The node's per-extrinsic ref_time ceiling (normal class, contracts-node 0.42).
const MAX_EXTRINSIC_REF_TIME: u64 = 1_300_000_000_000;
/// A parachain host's proof-of-validity limit (5 MiB): the standalone node sets none, but a
/// contract suite on a parachain is bound by the proof size as well as by time.
const MAX_POV_BYTES: u64 = 5 * 1024 * 1024;
const VALIDATORS: u16 = 64;

/// (ref_time, proof_size) of a dry run's weight.
macro_rules! cost {
    ($weight:expr) => {
        ($weight.ref_time(), $weight.proof_size())
    };
}


#[test]
fn run_epoch_gas_table() {
    node_tests::run(run_epoch_gas_table_on);
}

async fn run_epoch_gas_table_on(mut client: NodeClient) -> E2EResult<()> {
    let alice = ink_e2e::alice();
    let suite = Suite::deploy(&mut client, &alice, vec![(id(&alice), 1_000_000 * TAO)]).await?;
    suite.use_local_network_params(&mut client, &alice).await?;
    suite.use_local_staking_params(&mut client, &alice).await?;
    let mut rc = ink_e2e::create_call_builder::<SubnetRegistry>(suite.registry);
    let mut sc = ink_e2e::create_call_builder::<Staking>(suite.staking);
    let mut lc = ink_e2e::create_call_builder::<ConsensusLedger>(suite.ledger);

    let mut validators = Vec::new();
    for _ in 0..VALIDATORS {
        validators.push(
            client
                .create_and_fund_account(&alice, 1_000_000_000_000_000)
                .await,
        );
    }
    // A coldkey owns at most 64 hotkeys (staking's MAX_OWNED_HOTKEYS): the miners' hotkeys
    // are spread over one coldkey per 64, each funded with TAO for the burns.
    let mut tc = ink_e2e::create_call_builder::<TaoToken>(suite.token);
    let mut miner_owners = Vec::new();
    for _ in 0..(1024 / 64) {
        let owner = client
            .create_and_fund_account(&alice, 1_000_000_000_000_000)
            .await;
        submit(
            &mut client,
            &alice,
            &tc.transfer(id(&owner), 100 * TAO, vec![]),
        )
        .await
        .expect("fund a miner owner");
        miner_owners.push(owner);
    }
    // Hotkeys bind only with their consent: each validator offers itself to alice, each miner
    // hotkey (a funded account, for the offer's fee) to its owner.
    for v in &validators {
        suite.offer(&mut client, v, id(&alice)).await?;
    }
    let mut miner_hotkeys = Vec::new();
    for i in u32::from(VALIDATORS)..1024 {
        let hotkey = client.create_and_fund_account(&alice, 1_000_000_000_000).await;
        suite.offer(&mut client, &hotkey, id(&miner_owners[(i / 64) as usize])).await?;
        miner_hotkeys.push(hotkey);
    }
    let mut table = Vec::new();
    let mut queries = Vec::new();
    // `BT_GAS_BENCH_SIZES=1024` (a comma-separated list) measures only those subnet sizes.
    let sizes: Vec<u32> = std::env::var("BT_GAS_BENCH_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .filter(|v: &Vec<u32>| !v.is_empty())
        .unwrap_or_else(|| vec![64, 256, 1024]);
    assert!(sizes.iter().all(|&n| (64..=1024).contains(&n)), "sizes are 64..=1024 UIDs: {sizes:?}");
    for &n in &sizes {
        let create = rc.create_subnet(id(&validators[0]), 1_000_000 * TAO);
        let preview = query(&mut client, &alice, &create)
            .await
            .map_err(|e| format!("dry run of create_subnet (n = {n}): {e:?}"))?;
        preview.map_err(|e| format!("create_subnet for n = {n} refused: {e:?}"))?;
        let netuid = submit(
            &mut client,
            &alice,
            &rc.create_subnet(id(&validators[0]), 1_000_000 * TAO),
        )
        .await
        .expect("create_subnet")
        .return_value()
        .expect("netuid");
        let h: Hyperparams = query(&mut client, &alice, &rc.hyperparams(netuid))
            .await
            .map_err(|e| format!("dry run of hyperparams (n = {n}): {e:?}"))?
            .unwrap();
        let bench = Hyperparams {
            tempo: 1,
            weights_rate_limit: 0,
            max_allowed_uids: n as u16,
            min_allowed_uids: 1,
            max_allowed_validators: VALIDATORS,
            max_regs_per_block: u16::MAX,
            target_regs_per_interval: u16::MAX / 3,
            min_burn: 1,
            max_burn: 1,
            yuma3: false,
            ..h
        };
        submit(&mut client, &alice, &rc.set_hyperparams(netuid, bench))
            .await
            .expect("hyperparams");
        for (i, v) in validators.iter().enumerate().skip(1) {
            let _ = i;
            submit(&mut client, &alice, &rc.burned_register(netuid, id(v), TAO))
                .await
                .expect("register validator");
        }
        for i in u32::from(VALIDATORS)..n {
            let register = rc.burned_register(netuid, id(&miner_hotkeys[(i - u32::from(VALIDATORS)) as usize]), TAO);
            let owner = &miner_owners[(i / 64) as usize];
            if let Err(e) = submit(&mut client, owner, &register).await {
                let why = query(&mut client, owner, &register)
                    .await
                    .map_err(|e| format!("dry run of burned_register (n = {n}): {e:?}"))?;
                return Err(
                    format!("registering miner {i} on n = {n} failed: {e:?} ({why:?})").into(),
                );
            }
        }
        for v in &validators {
            let staked = query(&mut client, &alice, &sc.stake_of_hotkey(id(v)))
                .await
                .map_err(|e| format!("dry run of stake_of_hotkey (n = {n}): {e:?}"))?;
            if staked == 0 {
                submit(&mut client, &alice, &sc.add_stake(id(v), 1_000 * TAO))
                    .await
                    .expect("stake");
            }
        }
        // Stake counts from the start of the interval after next (stake_interval 1): two more
        // blocks, or the last validators staked miss the permits.
        for _ in 0..2 {
            submit(&mut client, &alice, &tc.transfer(id(&validators[0]), 1, vec![]))
                .await
                .expect("filler block");
        }
        // First epoch hands out the validator permits.
        submit(&mut client, &alice, &lc.run_epoch(netuid))
            .await
            .expect("permit epoch");
        let uids: Vec<u16> = (0..n as u16).collect();
        let mut last_set_weights = (0, 0);
        for (vi, v) in validators.iter().enumerate() {
            let values: Vec<u16> = uids
                .iter()
                .map(|u| 1 + ((u32::from(*u) * 7919 + vi as u32 * 104_729) % 65_535) as u16)
                .collect();
            let set = lc.set_weights(netuid, uids.clone(), values, 0);
            let r = match submit(&mut client, v, &set).await {
                Ok(r) => r,
                Err(e) => {
                    let why = query(&mut client, v, &set)
                        .await
                        .map_err(|e| format!("dry run of set_weights (n = {n}): {e:?}"))?;
                    return Err(format!("set_weights of validator {vi} on n = {n} failed: {e:?} ({why:?})").into());
                }
            };
            last_set_weights = cost!(r.dry_run.exec_result.gas_consumed);
        }
        for (mode, yuma3, liquid_alpha) in [("classic", false, false), ("Yuma3", true, false), ("Yuma3, liquid alpha", true, true)] {
            let h: Hyperparams = query(&mut client, &alice, &rc.hyperparams(netuid))
                .await
                .map_err(|e| format!("dry run of hyperparams (n = {n}): {e:?}"))?
                .unwrap();
            submit(
                &mut client,
                &alice,
                &rc.set_hyperparams(netuid, Hyperparams { yuma3, liquid_alpha, ..h }),
            )
            .await
            .expect("mode");
            // Real epochs first, so the measured one runs in steady state: a full bond matrix,
            // and the validators (registered on every bench subnet) paid by this subnet twice
            // in a row, which is when staking starts replaying their dividends.
            let mut warm = Ok(());
            for round in 0..2 {
                if round > 0 {
                    // The dry run of a submission sees the current block: the epoch is due in the next.
                    submit(&mut client, &alice, &tc.transfer(id(&validators[0]), 1, vec![]))
                        .await
                        .expect("filler block");
                }
                warm = warm.and(submit(&mut client, &alice, &lc.run_epoch(netuid)).await.map(|_| ()));
            }
            // The dry run sees the current block; with tempo 1 the next epoch is due one later.
            submit(
                &mut client,
                &alice,
                &tc.transfer(id(&validators[0]), 1, vec![]),
            )
            .await
            .expect("filler block");
            let (used, outcome) = match client.call(&alice, &lc.run_epoch(netuid)).dry_run().await {
                Ok(dry) => {
                    let used = cost!(dry.exec_result.gas_consumed);
                    match (
                        &warm,
                        dry.exec_result.result.as_ref().map(|r| r.did_revert()),
                    ) {
                        (Err(e), _) => (used, format!("FAILED as an extrinsic: {e:?}")),
                        (Ok(_), Ok(false)) => (used, "ok".to_string()),
                        (Ok(_), _) => (used, format!("FAILED: {:?}", dry.return_value())),
                    }
                }
                Err(e) => ((0, 0), format!("FAILED: {e:?}")),
            };
            table.push((n, mode, used, outcome));
        }
        let page = client
            .call(&alice, &rc.neurons_page(netuid, 0))
            .dry_run()
            .await
            .map_err(|e| format!("dry run of neurons_page (n = {n}): {e:?}"))?;
        queries.push((
            n,
            "registry `neurons_page` (first 256 UIDs)",
            cost!(page.exec_result.gas_consumed),
        ));
        let mg = client
            .call(&alice, &lc.metagraph(netuid, 0))
            .dry_run()
            .await
            .map_err(|e| format!("dry run of metagraph (n = {n}): {e:?}"))?;
        queries.push((
            n,
            "ledger `metagraph` (first 128 UIDs)",
            cost!(mg.exec_result.gas_consumed),
        ));
        queries.push((n, "ledger `set_weights` (full row)", last_set_weights));
        // Staking on a validator whose dividends are being replayed writes them back first.
        let stake = client
            .call(&alice, &sc.add_stake(id(&validators[1]), TAO))
            .dry_run()
            .await
            .map_err(|e| format!("dry run of add_stake (n = {n}): {e:?}"))?;
        let used = cost!(stake.exec_result.gas_consumed);
        assert_eq!(stake.return_value(), Ok(()), "add_stake on a validator (n = {n})");
        queries.push((n, "staking `add_stake` on a validator (ends its replay)", used));
    }
    println!(
        "\n| n | bonds | run_epoch ref_time | % of max extrinsic | proof size | % of 5 MiB PoV | result |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (n, mode, used, outcome) in &table {
        println!(
            "| {n} | {} | {} | {} | {outcome} |",
            mode,
            ref_time_cells(*used),
            proof_cells(*used)
        );
    }
    println!("\n| n | query / call | ref_time | % of max extrinsic | proof size | % of 5 MiB PoV |");
    println!("|---|---|---|---|---|---|");
    for (n, what, used) in &queries {
        println!(
            "| {n} | {what} | {} | {} |",
            ref_time_cells(*used),
            proof_cells(*used)
        );
    }
    Ok(())
}

fn ref_time_cells((ref_time, _): (u64, u64)) -> String {
    let pct = ref_time as f64 * 100.0 / MAX_EXTRINSIC_REF_TIME as f64;
    format!("{ref_time} | {pct:.2}%")
}

fn proof_cells((_, proof_size): (u64, u64)) -> String {
    let pct = proof_size as f64 * 100.0 / MAX_POV_BYTES as f64;
    format!("{proof_size} B | {pct:.2}%")
}
