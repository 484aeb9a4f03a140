//! `neuron epoch`: which epochs are due, run them (anyone may), and simulate the next one with
//! the yuma library on the chain's current state.

use anyhow::{Result, anyhow};
use bt_interfaces::RegistryView;
use clap::Subcommand;
use serde::Serialize;

use super::common::{ChainArgs, KeyArgs, WriteReport, print_json, submit};
use crate::chain::{Chain, Explain, wire_account};
use crate::units::format_tao;
use crate::wire::AccountId;

#[derive(Subcommand, Debug)]
pub enum EpochCommand {
    /// Subnets and how many blocks until each one's next epoch (0 = due now).
    #[command(after_help = "Example:\n  neuron epoch due --json")]
    Due {
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Run one subnet's epoch (--netuid) or up to --limit due epochs. Permissionless: any
    /// account may pay for it.
    #[command(
        after_help = "Examples:\n  neuron epoch run --netuid 1 --wallet //Alice\n  neuron epoch run --wallet keeper --limit 8"
    )]
    Run {
        #[arg(long)]
        netuid: Option<u16>,
        /// Most due epochs to run in one call (without --netuid).
        #[arg(long, default_value_t = 8)]
        limit: u16,
        #[command(flatten)]
        keys: KeyArgs,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// What the next epoch of NETUID would pay, computed off-chain by the yuma library from the
    /// chain's current state (the same code and inputs the ledger uses).
    #[command(after_help = "Example:\n  neuron epoch simulate 1 --json")]
    Simulate {
        netuid: u16,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(cmd: EpochCommand, chain: &ChainArgs) -> Result<()> {
    let c = chain.connect().await?;
    match cmd {
        EpochCommand::Due { json } => {
            let mut rows = Vec::new();
            for (netuid, _) in c.read(&c.registry().netuids_open()).await? {
                let left = c
                    .read(&c.ledger().blocks_until_next_epoch(netuid))
                    .await?
                    .map_err(|e| anyhow!("subnet {netuid}: {e:?}"))?;
                rows.push(serde_json::json!({ "netuid": netuid, "blocks_left": left }));
            }
            if json {
                return print_json(&rows);
            }
            for r in rows {
                let left = r["blocks_left"].as_u64().unwrap_or(0);
                if left == 0 {
                    println!("subnet {:>5}: due now", r["netuid"]);
                } else {
                    println!("subnet {:>5}: in {left} blocks", r["netuid"]);
                }
            }
            Ok(())
        }
        EpochCommand::Run {
            netuid,
            limit,
            keys,
            json,
        } => {
            let signer = keys.coldkey()?;
            match netuid {
                Some(n) => {
                    let inc = submit(
                        &format!("epoch of subnet {n}"),
                        json,
                        c.send("the epoch", signer.pair(), &c.ledger().run_epoch(n)),
                    )
                    .await?;
                    let r = inc.value;
                    if json {
                        return print_json(&WriteReport::new(
                            &inc,
                            serde_json::json!({
                                "netuid": r.netuid,
                                "accrued_rao": r.accrued.to_string(),
                                "owner_cut_rao": r.owner_cut.to_string(),
                                "paid_rao": r.paid.to_string(),
                                "payouts": r.payouts,
                            }),
                        ));
                    }
                    println!(
                        "subnet {n}: {} accrued, {} to the owner, {} paid to {} hotkeys",
                        format_tao(r.accrued),
                        format_tao(r.owner_cut),
                        format_tao(r.paid),
                        r.payouts
                    );
                }
                None => {
                    let inc = submit(
                        "due epochs",
                        json,
                        c.send(
                            "the due epochs",
                            signer.pair(),
                            &c.ledger().run_due_epochs(limit),
                        ),
                    )
                    .await?;
                    if json {
                        return print_json(&WriteReport::new(&inc, inc.value));
                    }
                    println!("ran {} due epochs", inc.value);
                }
            }
            Ok(())
        }
        EpochCommand::Simulate { netuid, json } => {
            let sim = simulate(&c, netuid).await?;
            if json {
                return print_json(&sim);
            }
            println!(
                "subnet {netuid} at block {}: {} to distribute after the owner's {}",
                sim.block,
                format_tao(u128::from(sim.emission)),
                format_tao(sim.owner_cut)
            );
            println!(
                "{:>4}  {:<13}  {:>9}  {:>9}  {:>9}  {:>16}",
                "uid", "hotkey", "incentive", "dividends", "vtrust", "emission"
            );
            for u in &sim.neurons {
                println!(
                    "{:>4}  {:<13}  {:>9.5}  {:>9.5}  {:>9.5}  {:>16}",
                    u.uid,
                    u.hotkey.short(),
                    crate::units::u16_share(u.incentive),
                    crate::units::u16_share(u.dividends),
                    crate::units::u16_share(u.validator_trust),
                    format_tao(u128::from(u.emission))
                );
            }
            Ok(())
        }
    }
}

/// One UID's share of a simulated epoch.
#[derive(Debug, Clone, Serialize)]
pub struct SimulatedNeuron {
    pub uid: u16,
    pub hotkey: AccountId,
    pub incentive: u16,
    pub dividends: u16,
    pub validator_trust: u16,
    pub consensus: u16,
    pub server_emission: u64,
    pub validator_emission: u64,
    pub emission: u64,
}

/// A simulated epoch.
#[derive(Debug, Clone, Serialize)]
pub struct Simulation {
    pub netuid: u16,
    pub block: u32,
    pub accrued: u128,
    pub owner_cut: u128,
    pub emission: u64,
    pub neurons: Vec<SimulatedNeuron>,
}

/// Reads the epoch's inputs at one block and runs yuma on them exactly as the ledger does.
pub async fn simulate(c: &Chain, netuid: u16) -> Result<Simulation> {
    let (block, at) = c.rpc.best_block().await?;
    let m = c.metagraph_at(netuid, (block, at)).await?;
    let view = m.subnet;
    let state = c
        .rpc
        .read_at(&c.ledger().subnet_state(netuid), at)
        .await?
        .ok_or_else(|| anyhow!("the ledger has no state for subnet {netuid}"))?;
    let accrued = c
        .rpc
        .read_at(&c.ledger().pending_emission(netuid), at)
        .await?
        .map_err(|e| anyhow!("pending emission of subnet {netuid}: {e:?}"))?;
    let params = c.rpc.read_at(&c.ledger().params(), at).await?;
    let new_emission = accrued.saturating_sub(state.carried_after_cut);
    let owner_cut = consensus_ledger::pool_math::proportion(new_emission, params.owner_cut);
    let emission = u64::try_from(accrued.saturating_sub(owner_cut)).unwrap_or(u64::MAX);

    let mut weights = Vec::with_capacity(m.neurons.len());
    let mut bonds = Vec::with_capacity(m.neurons.len());
    for e in &m.neurons {
        let (w, b) = if e.validator_permit {
            let w = c
                .rpc
                .read_at(&c.ledger().weights(netuid, e.uid), at)
                .await?;
            let b = c
                .rpc
                .read_at(&c.ledger().bonds(netuid, e.uid), at)
                .await?
                .map_err(|e| {
                    let why = e.explain();
                    anyhow!(
                        "the ledger refused the bond row: {} ({})",
                        why.reason,
                        why.fix
                    )
                })?;
            let keep = |r: Option<(u32, Vec<(u16, u16)>)>| match r {
                Some((at_block, row)) if at_block > e.registered_at => row,
                _ => Vec::new(),
            };
            (keep(w), keep(b))
        } else {
            (Vec::new(), Vec::new())
        };
        weights.push(w);
        bonds.push(b);
    }
    let inputs: Vec<yuma::NeuronInput> = m
        .neurons
        .iter()
        .enumerate()
        .map(|(i, e)| yuma::NeuronInput {
            stake: u64::try_from(e.stake).unwrap_or(u64::MAX),
            last_update: u64::from(e.last_update),
            registered_at: u64::from(e.registered_at),
            validator_permit: e.validator_permit,
            weights: &weights[i],
            bonds: &bonds[i],
        })
        .collect();
    let input = yuma::EpochInput {
        block: u64::from(block),
        emission,
        bonds_reset_block: u64::from(state.last_epoch.saturating_add(1)),
        params: consensus_ledger::state::epoch_params(&view.hyperparams),
        neurons: &inputs,
    };
    let outputs = yuma::run_epoch_streaming(&input, |_, _| {});
    Ok(Simulation {
        netuid,
        block,
        accrued,
        owner_cut,
        emission,
        neurons: outputs
            .iter()
            .zip(&m.neurons)
            .map(|(o, e)| SimulatedNeuron {
                uid: e.uid,
                hotkey: wire_account(&e.hotkey),
                incentive: o.incentive,
                dividends: o.dividends,
                validator_trust: o.validator_trust,
                consensus: o.consensus,
                server_emission: o.server_emission,
                validator_emission: o.validator_emission,
                emission: o.emission,
            })
            .collect(),
    })
}
