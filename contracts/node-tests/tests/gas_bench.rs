//! `run_epoch` gas on a real substrate-contracts-node (dry runs through the node's
//! `ContractsApi_call`), for n = 64, 256 and 1024 UIDs with 64 validators setting full weight
//! rows, in both bond modes. Prints a table; run it with `scripts/gas-bench.sh`.
#![cfg(all(feature = "e2e-tests", feature = "gas-bench"))]
use bt_interfaces::{Hyperparams, StakingProtocol};
use consensus_ledger::consensus_ledger::ConsensusLedger;
use ink_e2e::{ChainBackend, ContractsBackend};
use node_tests::{id, E2EResult, NodeClient, Suite, GAS_MARGIN_PERCENT, TAO};
use staking::staking::Staking;
use subnet_registry::subnet_registry::SubnetRegistry;

/// The node's per-extrinsic ref_time ceiling (normal class, contracts-node 0.42).
const MAX_EXTRINSIC_REF_TIME: u64 = 1_300_000_000_000;
const VALIDATORS: u16 = 64;

fn fake_hotkey(i: u32) -> ink::primitives::AccountId {
    let mut bytes = [0xAB; 32];
    bytes[..4].copy_from_slice(&i.to_le_bytes());
    ink::primitives::AccountId::from(bytes)
}

#[test]
fn run_epoch_gas_table() {
    node_tests::run(run_epoch_gas_table_on);
}

async fn run_epoch_gas_table_on(mut client: NodeClient) -> E2EResult<()> {
    let alice = ink_e2e::alice();
    let suite = Suite::deploy(&mut client, &alice, vec![(id(&alice), 1_000_000 * TAO)]).await?;
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
    let mut table = Vec::new();
    for &n in &[64u32, 256, 1024] {
        let netuid = client
            .call(
                &alice,
                &rc.create_subnet(id(&validators[0]), 1_000_000 * TAO),
            )
            .extra_gas_portion(GAS_MARGIN_PERCENT)
            .submit()
            .await
            .expect("create_subnet")
            .return_value()
            .expect("netuid");
        let h: Hyperparams = client
            .call(&alice, &rc.hyperparams(netuid))
            .dry_run()
            .await?
            .return_value()
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
        client
            .call(&alice, &rc.set_hyperparams(netuid, bench))
            .extra_gas_portion(GAS_MARGIN_PERCENT)
            .submit()
            .await
            .expect("hyperparams");
        for (i, v) in validators.iter().enumerate().skip(1) {
            let _ = i;
            client
                .call(&alice, &rc.burned_register(netuid, id(v), TAO))
                .extra_gas_portion(GAS_MARGIN_PERCENT)
                .submit()
                .await
                .expect("register validator");
        }
        for i in u32::from(VALIDATORS)..n {
            client
                .call(&alice, &rc.burned_register(netuid, fake_hotkey(i), TAO))
                .extra_gas_portion(GAS_MARGIN_PERCENT)
                .submit()
                .await
                .expect("register miner");
        }
        for v in &validators {
            let staked = client
                .call(&alice, &sc.stake_of_hotkey(id(v)))
                .dry_run()
                .await?
                .return_value();
            if staked == 0 {
                client
                    .call(&alice, &sc.add_stake(id(v), 1_000 * TAO))
                    .extra_gas_portion(GAS_MARGIN_PERCENT)
                    .submit()
                    .await
                    .expect("stake");
            }
        }
        // First epoch hands out the validator permits.
        client
            .call(&alice, &lc.run_epoch(netuid))
            .extra_gas_portion(GAS_MARGIN_PERCENT)
            .submit()
            .await
            .expect("permit epoch");
        let uids: Vec<u16> = (0..n as u16).collect();
        for (vi, v) in validators.iter().enumerate() {
            let values: Vec<u16> = uids
                .iter()
                .map(|u| 1 + ((u32::from(*u) * 7919 + vi as u32 * 104_729) % 65_535) as u16)
                .collect();
            client
                .call(v, &lc.set_weights(netuid, uids.clone(), values, 0))
                .extra_gas_portion(GAS_MARGIN_PERCENT)
                .submit()
                .await
                .expect("set_weights");
        }
        for yuma3 in [false, true] {
            let h: Hyperparams = client
                .call(&alice, &rc.hyperparams(netuid))
                .dry_run()
                .await?
                .return_value()
                .unwrap();
            client
                .call(
                    &alice,
                    &rc.set_hyperparams(netuid, Hyperparams { yuma3, ..h }),
                )
                .extra_gas_portion(GAS_MARGIN_PERCENT)
                .submit()
                .await
                .expect("mode");
            let dry = client.call(&alice, &lc.run_epoch(netuid)).dry_run().await?;
            let used = dry.exec_result.gas_consumed.ref_time();
            let outcome = match &dry.exec_result.result {
                Ok(r) if !r.did_revert() => "ok".to_string(),
                other => format!(
                    "FAILED {other:?} {}",
                    String::from_utf8_lossy(&dry.exec_result.debug_message)
                ),
            };
            table.push((n, yuma3, used, outcome));
            // Advance state (bonds) with a real epoch, as a keeper would, when it fits.
            if used < MAX_EXTRINSIC_REF_TIME {
                let _ = client
                    .call(&alice, &lc.run_epoch(netuid))
                    .extra_gas_portion(GAS_MARGIN_PERCENT)
                    .submit()
                    .await;
            }
        }
    }
    println!("\n| n | bonds | run_epoch ref_time | % of max extrinsic | result |");
    println!("|---|---|---|---|---|");
    for (n, yuma3, used, outcome) in &table {
        let pct = *used as f64 * 100.0 / MAX_EXTRINSIC_REF_TIME as f64;
        println!(
            "| {n} | {} | {used} | {pct:.1}% | {outcome} |",
            if *yuma3 { "Yuma3" } else { "classic" }
        );
    }
    Ok(())
}
