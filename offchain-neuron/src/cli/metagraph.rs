//! `neuron metagraph NETUID`: the subnet's neurons, like btcli's metagraph table.

use std::time::Duration;

use anyhow::Result;
use clap::Args;
use serde::Serialize;

use super::common::{ChainArgs, print_json};
use crate::chain::Chain;
use crate::chain::metagraph::{Metagraph, axon_addr};
use crate::chain::wire_account;
use crate::units::format_tao;
use crate::units::u16_share;
use crate::wire::AccountId;

#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    neuron metagraph 1\n  \
    neuron metagraph 1 --json > metagraph.json\n  \
    neuron metagraph 1 --watch 12        # redraw every 12 s")]
pub struct MetagraphArgs {
    pub netuid: u16,
    /// Print JSON for scripts.
    #[arg(long)]
    pub json: bool,
    /// Redraw every N seconds until interrupted.
    #[arg(long)]
    pub watch: Option<u64>,
}

/// One row, for `--json` (u16 figures as shares in [0, 1]).
#[derive(Serialize)]
pub struct Row {
    pub uid: u16,
    pub hotkey: AccountId,
    pub stake_rao: String,
    pub stake_weight: f64,
    pub consensus: f64,
    pub incentive: f64,
    pub dividends: f64,
    pub validator_trust: f64,
    pub emission_rao: u64,
    pub validator_permit: bool,
    pub active: bool,
    pub last_update: u32,
    pub registered_at: u32,
    pub axon: Option<String>,
}

pub fn rows(m: &Metagraph) -> Vec<Row> {
    m.neurons
        .iter()
        .map(|e| Row {
            uid: e.uid,
            hotkey: wire_account(&e.hotkey),
            stake_rao: e.stake.to_string(),
            stake_weight: u16_share(e.stake_weight),
            consensus: u16_share(e.consensus),
            incentive: u16_share(e.incentive),
            dividends: u16_share(e.dividends),
            validator_trust: u16_share(e.validator_trust),
            emission_rao: e.emission,
            validator_permit: e.validator_permit,
            active: e.active,
            last_update: e.last_update,
            registered_at: e.registered_at,
            axon: e.axon.as_ref().and_then(axon_addr).map(|a| a.to_string()),
        })
        .collect()
}

pub fn print_table(m: &Metagraph) {
    println!(
        "subnet {} at block {}: {} neurons, tempo {}",
        m.netuid,
        m.block,
        m.neurons.len(),
        m.hyperparams().tempo
    );
    println!(
        "{:>4}  {:<13}  {:>16}  {:>8}  {:>7}  {:>7}  {:>7}  {:>7}  {:>14}  {:>2}  {:>8}  axon",
        "UID",
        "HOTKEY",
        "STAKE",
        "S.WEIGHT",
        "CONS",
        "INCENT",
        "DIVS",
        "VTRUST",
        "EMISSION",
        "VP",
        "UPDATED"
    );
    for r in rows(m) {
        println!(
            "{:>4}  {:<13}  {:>16}  {:>8.4}  {:>7.4}  {:>7.4}  {:>7.4}  {:>7.4}  {:>14}  {:>2}  {:>8}  {}",
            r.uid,
            r.hotkey.short(),
            format_tao(r.stake_rao.parse().unwrap_or(0)),
            r.stake_weight,
            r.consensus,
            r.incentive,
            r.dividends,
            r.validator_trust,
            format_tao(u128::from(r.emission_rao)),
            if r.validator_permit { "*" } else { "" },
            m.block.saturating_sub(r.last_update),
            r.axon.as_deref().unwrap_or("-")
        );
    }
}

pub async fn run(a: MetagraphArgs, chain: &ChainArgs) -> Result<()> {
    let c: Chain = chain.connect().await?;
    loop {
        let m = c.metagraph(a.netuid).await?;
        if a.json {
            print_json(&rows(&m))?;
        } else {
            if a.watch.is_some() {
                print!("\x1b[2J\x1b[H");
            }
            print_table(&m);
        }
        let Some(every) = a.watch else {
            return Ok(());
        };
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(every.max(1))) => {}
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
    }
}
