//! `neuron weights`: set weights, or commit them and reveal later (commit-reveal subnets).

use anyhow::{Result, bail};
use clap::{Args, Subcommand};

use super::common::{ChainArgs, KeyArgs, WriteReport, print_json, submit};
use crate::chain::Chain;
use crate::chain::commits::CommitStore;
use crate::validator::weights::{WeightParams, scores_to_weights};

#[derive(Subcommand, Debug)]
pub enum WeightsCommand {
    /// Set weights on a subnet (signed by the hotkey). Weights are relative: they are
    /// normalised, capped by the subnet's max_weights_limit and scaled to u16 like the SDK.
    #[command(
        after_help = "Example:\n  neuron weights set --netuid 1 --uids 1,2,3 --weights 0.5,0.3,0.2 --wallet v --hotkey default"
    )]
    Set(WeightsArgs),
    /// Commit weights (commit-reveal subnets): the salt and weights are kept in
    /// ~/.bittensor-ink/commits/<hotkey>.json for the reveal.
    #[command(
        after_help = "Example:\n  neuron weights commit --netuid 1 --uids 1,2 --weights 0.7,0.3 --wallet v"
    )]
    Commit(WeightsArgs),
    /// Reveal every stored commit of the hotkey on the subnet that can be revealed now;
    /// commits the ledger will never accept (expired: past their reveal epoch) are dropped
    /// from the store and listed.
    #[command(
        after_help = "Example:\n  neuron weights reveal --netuid 1 --wallet v --json   # {\"revealed\": [...], \"dropped\": [...]}"
    )]
    Reveal {
        #[arg(long)]
        netuid: u16,
        #[command(flatten)]
        keys: KeyArgs,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// A UID's weight row as the ledger holds it.
    #[command(after_help = "Example:\n  neuron weights show --netuid 1 --uid 0")]
    Show {
        #[arg(long)]
        netuid: u16,
        #[arg(long)]
        uid: u16,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
pub struct WeightsArgs {
    #[arg(long)]
    pub netuid: u16,
    /// Comma-separated UIDs.
    #[arg(long, value_delimiter = ',', required = true)]
    pub uids: Vec<u16>,
    /// Comma-separated relative weights, one per UID.
    #[arg(long, value_delimiter = ',', required = true)]
    pub weights: Vec<f64>,
    /// Weights version key (default: the subnet's).
    #[arg(long)]
    pub version_key: Option<u64>,
    #[command(flatten)]
    pub keys: KeyArgs,
    /// Print JSON for scripts.
    #[arg(long)]
    pub json: bool,
}

/// The u16 row the chain will accept for these relative weights.
async fn row(c: &Chain, a: &WeightsArgs) -> Result<(Vec<u16>, Vec<u16>, u64)> {
    if a.uids.len() != a.weights.len() {
        bail!(
            "--uids has {} entries but --weights has {}",
            a.uids.len(),
            a.weights.len()
        );
    }
    let h = c
        .read(&c.registry().hyperparams(a.netuid))
        .await?
        .ok_or_else(|| crate::chain::no_subnet(a.netuid))?;
    let n = a
        .uids
        .iter()
        .copied()
        .max()
        .map_or(0, |m| usize::from(m) + 1);
    let mut scores = vec![0.0; n];
    for (&u, &w) in a.uids.iter().zip(&a.weights) {
        if !(w.is_finite() && w >= 0.0) {
            bail!("weight {w} for UID {u} is not a non-negative number");
        }
        scores[usize::from(u)] += w;
    }
    let (uids, vals) = scores_to_weights(
        &scores,
        WeightParams {
            min_allowed_weights: h.min_allowed_weights,
            max_weight_limit: h.max_weights_limit,
        },
    );
    Ok((uids, vals, a.version_key.unwrap_or(h.weights_version_key)))
}

pub async fn run(cmd: WeightsCommand, chain: &ChainArgs) -> Result<()> {
    let c = chain.connect().await?;
    match cmd {
        WeightsCommand::Set(a) => {
            let hotkey = a.keys.hotkey()?;
            let (uids, vals, version) = row(&c, &a).await?;
            let inc = submit(
                &format!("weights on subnet {}", a.netuid),
                a.json,
                c.send(
                    "weights",
                    hotkey.pair(),
                    &c.ledger()
                        .set_weights(a.netuid, uids.clone(), vals.clone(), version),
                ),
            )
            .await?;
            let pairs: Vec<(u16, u16)> = uids.into_iter().zip(vals).collect();
            if a.json {
                return print_json(&WriteReport::new(&inc, pairs));
            }
            println!("weights set on subnet {}: {pairs:?}", a.netuid);
            Ok(())
        }
        WeightsCommand::Commit(a) => {
            let hotkey = a.keys.hotkey()?;
            let (uids, vals, version) = row(&c, &a).await?;
            let store = CommitStore::default_for(hotkey.account());
            let committed =
                crate::chain::commits::commit(&c, &hotkey, &store, a.netuid, uids, vals, version)
                    .await?;
            if a.json {
                return print_json(&committed);
            }
            println!(
                "committed on subnet {} in block {} (hash 0x{}); the salt is kept in {} for `neuron weights reveal`",
                a.netuid,
                committed.committed_at,
                committed.hash,
                store.path().display()
            );
            Ok(())
        }
        WeightsCommand::Reveal { netuid, keys, json } => {
            let hotkey = keys.hotkey()?;
            let store = CommitStore::default_for(hotkey.account());
            let reveals = crate::chain::commits::reveal_due(&c, &hotkey, &store, netuid).await?;
            if json {
                return print_json(&reveals);
            }
            for d in &reveals.dropped {
                println!(
                    "dropped the commit 0x{} of block {}: {} ({})",
                    d.hash, d.committed_at, d.reason, d.code
                );
            }
            if reveals.revealed.is_empty() && reveals.dropped.is_empty() {
                println!(
                    "nothing to reveal on subnet {netuid} yet (see {})",
                    store.path().display()
                );
            }
            for r in reveals.revealed {
                println!(
                    "revealed the commit 0x{} of block {}",
                    r.hash, r.committed_at
                );
            }
            Ok(())
        }
        WeightsCommand::Show { netuid, uid, json } => {
            let row = c.read(&c.ledger().weights(netuid, uid)).await?;
            if json {
                return print_json(
                    &row.map(|(at, r)| serde_json::json!({"set_at": at, "weights": r})),
                );
            }
            match row {
                Some((at, r)) => println!("UID {uid} on subnet {netuid}, set at block {at}: {r:?}"),
                None => println!("UID {uid} on subnet {netuid} has no weights"),
            }
            Ok(())
        }
    }
}
