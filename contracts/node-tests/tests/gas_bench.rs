//! `run_epoch` gas on a real substrate-contracts-node (dry runs through the node's
//! `ContractsApi_call`), for n = 64, 256 and 1024 UIDs with 64 validators setting full weight
//! rows, in both bond modes. Prints a table; run it with `scripts/gas-bench.sh`.
#![cfg(all(feature = "e2e-tests", feature = "gas-bench"))]
use bt_interfaces::{Hyperparams, StakingProtocol};
use consensus_ledger::consensus_ledger::{ConsensusLedger, ConsensusLedgerRef};
use ink_e2e::{ChainBackend, ContractsBackend};
use staking::staking::{Staking, StakingRef};
use subnet_registry::subnet_registry::{SubnetRegistry, SubnetRegistryRef};
use tao_token::tao_token::{TaoToken, TaoTokenRef};

type E2EResult<T> = Result<T, Box<dyn std::error::Error>>;
const TAO: u128 = 1_000_000_000;
/// The node's per-extrinsic ref_time ceiling (normal class, contracts-node 0.42).
const MAX_EXTRINSIC_REF_TIME: u64 = 1_300_000_000_000;
const VALIDATORS: u16 = 64;

fn id(k: &ink_e2e::Keypair) -> ink::primitives::AccountId {
    ink::primitives::AccountId::from(k.public_key().0)
}

fn fake_hotkey(i: u32) -> ink::primitives::AccountId {
    let mut bytes = [0xAB; 32];
    bytes[..4].copy_from_slice(&i.to_le_bytes());
    ink::primitives::AccountId::from(bytes)
}

#[ink_e2e::test]
async fn run_epoch_gas_table<Client: E2EBackend>(mut client: Client) -> E2EResult<()> {
    let alice = ink_e2e::alice();
    let mut t = TaoTokenRef::new_with_genesis(vec![(id(&alice), 1_000_000 * TAO)]);
    let token = client.instantiate("tao-token", &alice, &mut t).submit().await.expect("token");
    let registry = client.instantiate("subnet-registry", &alice, &mut SubnetRegistryRef::new()).submit().await.expect("registry");
    let staking = client.instantiate("staking", &alice, &mut StakingRef::new()).submit().await.expect("staking");
    let ledger = client.instantiate("consensus-ledger", &alice, &mut ConsensusLedgerRef::new()).submit().await.expect("ledger");
    let (mut tc, mut rc, mut sc, mut lc) = (
        token.call_builder::<TaoToken>(),
        registry.call_builder::<SubnetRegistry>(),
        staking.call_builder::<Staking>(),
        ledger.call_builder::<ConsensusLedger>(),
    );
    let (ta, ra, sa, la) = (token.account_id, registry.account_id, staking.account_id, ledger.account_id);
    client.call(&alice, &tc.configure(la, vec![ra, sa])).submit().await.expect("wire token");
    client.call(&alice, &rc.configure(ta, sa, la)).submit().await.expect("wire registry");
    client.call(&alice, &sc.configure(ta, ra, la)).submit().await.expect("wire staking");
    client.call(&alice, &lc.configure(ta, ra, sa)).submit().await.expect("wire ledger");

    let mut validators = Vec::new();
    for _ in 0..VALIDATORS {
        validators.push(client.create_and_fund_account(&alice, 1_000_000_000_000_000).await);
    }
    let mut table = Vec::new();
    for &n in &[64u32, 256, 1024] {
        let netuid = client
            .call(&alice, &rc.create_subnet(id(&validators[0]), 1_000_000 * TAO))
            .submit()
            .await
            .expect("create_subnet")
            .return_value()
            .expect("netuid");
        let h: Hyperparams = client.call(&alice, &rc.hyperparams(netuid)).dry_run().await?.return_value().unwrap();
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
        client.call(&alice, &rc.set_hyperparams(netuid, bench)).submit().await.expect("hyperparams");
        for (i, v) in validators.iter().enumerate().skip(1) {
            let _ = i;
            client.call(&alice, &rc.burned_register(netuid, id(v), TAO)).submit().await.expect("register validator");
        }
        for i in u32::from(VALIDATORS)..n {
            client.call(&alice, &rc.burned_register(netuid, fake_hotkey(i), TAO)).submit().await.expect("register miner");
        }
        for v in &validators {
            let staked = client.call(&alice, &sc.stake_of_hotkey(id(v))).dry_run().await?.return_value();
            if staked == 0 {
                client.call(&alice, &sc.add_stake(id(v), 1_000 * TAO)).submit().await.expect("stake");
            }
        }
        // First epoch hands out the validator permits.
        client.call(&alice, &lc.run_epoch(netuid)).submit().await.expect("permit epoch");
        let uids: Vec<u16> = (0..n as u16).collect();
        for (vi, v) in validators.iter().enumerate() {
            let values: Vec<u16> = uids.iter().map(|u| 1 + ((u32::from(*u) * 7919 + vi as u32 * 104_729) % 65_535) as u16).collect();
            client.call(v, &lc.set_weights(netuid, uids.clone(), values, 0)).submit().await.expect("set_weights");
        }
        for yuma3 in [false, true] {
            let h: Hyperparams = client.call(&alice, &rc.hyperparams(netuid)).dry_run().await?.return_value().unwrap();
            client.call(&alice, &rc.set_hyperparams(netuid, Hyperparams { yuma3, ..h })).submit().await.expect("mode");
            let dry = client.call(&alice, &lc.run_epoch(netuid)).dry_run().await?;
            let used = dry.exec_result.gas_consumed.ref_time();
            let outcome = match &dry.exec_result.result {
                Ok(r) if !r.did_revert() => "ok".to_string(),
                other => format!("FAILED {other:?} {}", String::from_utf8_lossy(&dry.exec_result.debug_message)),
            };
            table.push((n, yuma3, used, outcome));
            // Advance state (bonds) with a real epoch, as a keeper would, when it fits.
            if used < MAX_EXTRINSIC_REF_TIME {
                let _ = client.call(&alice, &lc.run_epoch(netuid)).submit().await;
            }
        }
    }
    println!("\n| n | bonds | run_epoch ref_time | % of max extrinsic | result |");
    println!("|---|---|---|---|---|");
    for (n, yuma3, used, outcome) in &table {
        let pct = *used as f64 * 100.0 / MAX_EXTRINSIC_REF_TIME as f64;
        println!("| {n} | {} | {used} | {pct:.1}% | {outcome} |", if *yuma3 { "Yuma3" } else { "classic" });
    }
    Ok(())
}
