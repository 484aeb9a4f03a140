//! `neuron validator`: query miners, score them and set weights each round (on the chain:
//! metagraph and hyperparameters from it, weights or commits to it, optionally epochs too).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Args;

use super::common::{ChainArgs, HotkeyArgs, report_fee_balance};
use crate::chain::commits::CommitStore;
use crate::chain::metagraph::ChainPeerDirectory;
use crate::chain::registration::require_uid;
use crate::dendrite::Dendrite;
use crate::peers::{FilePeerDirectory, PeerDirectory};
use crate::task::digits::DigitsTask;
use crate::validator::on_chain::OnChain;
use crate::validator::weights::WeightParams;
use crate::validator::{RoundReport, Validator, ValidatorConfig};

pub const AFTER_HELP: &str = "Examples:\n  \
    neuron validator --netuid 1 --wallet v --hotkey default --keeper\n  \
    neuron validator --netuid 1 --wallet //Alice --hotkey //Alice --rounds 5 --json weights.json\n  \
    neuron validator --hotkey //Alice --peers peers.json --rounds 3          # offline\n\n\
    State (step, per-UID scores and hotkeys) is saved atomically to --state after every \
    round and reloaded on restart. On the chain every weight submission is an extrinsic the \
    hotkey pays in the chain's native token.";

fn commits_path(state: &Path) -> PathBuf {
    let mut name = state
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".commits.json");
    state.with_file_name(name)
}

#[derive(Args, Debug)]
pub struct ValidatorArgs {
    #[command(flatten)]
    pub key: HotkeyArgs,
    /// Subnet to validate (metagraph, hyperparameters and weights on the chain).
    #[arg(long, required_unless_present = "peers")]
    pub netuid: Option<u16>,
    /// Offline: a peers file with the miners' axons instead of the chain; weights are only
    /// printed.
    #[arg(long, conflicts_with = "netuid")]
    pub peers: Option<PathBuf>,
    /// Also run the subnet's epoch whenever it is due (permissionless; this hotkey pays).
    #[arg(long)]
    pub keeper: bool,
    /// Re-read the metagraph after this many blocks.
    #[arg(long, default_value_t = 5)]
    pub sync_blocks: u32,
    /// Rounds to run (0 = until interrupted).
    #[arg(long, default_value_t = 0)]
    pub rounds: u64,
    /// Pause between rounds, in seconds.
    #[arg(long, default_value_t = 12.0)]
    pub interval_secs: f64,
    /// Hard deadline of a round's queries, in ms.
    #[arg(long, default_value_t = 12_000)]
    pub timeout_ms: u64,
    /// Miners queried per round.
    #[arg(long, default_value_t = 64)]
    pub sample_size: usize,
    /// Images per challenge.
    #[arg(long, default_value_t = 64)]
    pub images: usize,
    /// EMA coefficient of each new round score.
    #[arg(long, default_value_t = 0.1)]
    pub alpha: f64,
    /// The subnet's min_allowed_weights hyperparameter (offline; on the chain it is read).
    #[arg(long, default_value_t = 1)]
    pub min_allowed_weights: u16,
    /// The subnet's max_weight_limit hyperparameter (u16; 65535 = no limit; offline only).
    #[arg(long, default_value_t = u16::MAX)]
    pub max_weight_limit: u16,
    /// State file (scores, hotkeys, step), written atomically every round; pending weight
    /// commits are kept beside it (`<state>.commits.json`).
    #[arg(long, default_value = "validator-state.json")]
    pub state: PathBuf,
    /// Also write the latest round report (scores and u16 weights) as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Attack simulation for subnet owners: query nobody and set the consensus the last epoch
    /// recorded as this validator's weights (a weight copier), to measure how much less it
    /// earns than an honest validator on your subnet's settings.
    #[arg(long, requires = "netuid")]
    pub copy_consensus: bool,
}

pub async fn cmd_validator(a: ValidatorArgs, chain: &ChainArgs) -> Result<()> {
    let hotkey = a.key.hotkey()?;
    let mut weights = WeightParams {
        min_allowed_weights: a.min_allowed_weights,
        max_weight_limit: a.max_weight_limit,
    };
    let (directory, on_chain): (Arc<dyn PeerDirectory>, Option<OnChain>) =
        match (&a.peers, a.netuid) {
            (Some(path), _) => (Arc::new(FilePeerDirectory::open(path)?), None),
            (None, Some(netuid)) => {
                let c = chain.connect().await?;
                report_fee_balance(&c, hotkey.account(), "validator hotkey").await?;
                let uid = require_uid(
                    &c,
                    netuid,
                    hotkey.account(),
                    &format!("--wallet {} --hotkey {}", a.key.wallet, a.key.hotkey),
                )
                .await?;
                let dir = ChainPeerDirectory::start(c.clone(), netuid, a.sync_blocks).await?;
                let commits = CommitStore::new(commits_path(&a.state));
                let oc = OnChain {
                    chain: c,
                    netuid,
                    uid,
                    hotkey: hotkey.clone(),
                    commits,
                    keeper: a.keeper,
                };
                weights = OnChain::weight_params(&oc.hyperparams().await?);
                tracing::info!("validator is UID {uid} on subnet {netuid}");
                (dir, Some(oc))
            }
            (None, None) => {
                bail!("pass --netuid N to validate on the chain, or --peers FILE to run offline")
            }
        };
    tracing::info!(
        "validator {} using {}",
        hotkey.account(),
        directory.source()
    );
    if !(0.0..=1.0).contains(&a.alpha) {
        bail!("--alpha must be in [0, 1]");
    }
    if a.images == 0 || a.images > crate::task::digits::MAX_CHALLENGE_IMAGES {
        bail!(
            "--images must be in 1..={}",
            crate::task::digits::MAX_CHALLENGE_IMAGES
        );
    }
    let cfg = ValidatorConfig {
        sample_size: a.sample_size,
        timeout: Duration::from_millis(a.timeout_ms.max(1)),
        alpha: a.alpha,
        weights,
        state_path: Some(a.state.clone()),
        ..ValidatorConfig::default()
    };
    let mut v = Validator::new(
        DigitsTask { images: a.images },
        Dendrite::new(hotkey),
        directory,
        cfg,
    )?;
    if v.state().step > 0 {
        tracing::info!(
            step = v.state().step,
            "resumed validator state from {}",
            a.state.display()
        );
    }
    let mut done = 0u64;
    loop {
        if let Some(oc) = &on_chain {
            match oc.hyperparams().await {
                Ok(h) => v.set_weight_params(OnChain::weight_params(&h)),
                Err(e) => tracing::warn!("cannot read the subnet's hyperparameters: {e:#}"),
            }
        }
        let report = if a.copy_consensus {
            None
        } else {
            Some(v.run_round().await?)
        };
        let round_end = Instant::now();
        if let Some(r) = &report {
            print_report(r);
        }
        if let Some(oc) = &on_chain {
            let weights = match &report {
                Some(r) => r.weights.clone(),
                None => match oc.copied_consensus(v.weight_params()).await {
                    Ok(w) => {
                        println!("copied the last epoch's consensus: {} UIDs", w.len());
                        w
                    }
                    Err(e) => {
                        tracing::warn!("cannot read the consensus to copy: {e:#}");
                        Vec::new()
                    }
                },
            };
            match oc.submit(&weights, round_end).await {
                Ok(s) => println!(
                    "  chain: weights {}{}{}{}",
                    s.outcome,
                    s.block
                        .map(|b| format!(" in block {b}"))
                        .unwrap_or_default(),
                    s.latency_ms
                        .map(|ms| format!(", {ms} ms after the round"))
                        .unwrap_or_default(),
                    if s.note.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", s.note)
                    }
                ),
                Err(e) => tracing::warn!("weights not submitted: {e:#}"),
            }
            if let Err(e) = oc.keep().await {
                tracing::warn!("keeper: {e:#}");
            }
        }
        if let (Some(path), Some(report)) = (&a.json, &report) {
            crate::fsutil::write_atomic(path, &serde_json::to_vec_pretty(report)?)
                .with_context(|| format!("writing {}", path.display()))?;
        }
        done += 1;
        if a.rounds != 0 && done >= a.rounds {
            return Ok(());
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs_f64(a.interval_secs.max(0.0))) => {}
            _ = tokio::signal::ctrl_c() => { tracing::info!("interrupted"); return Ok(()); }
            _ = super::terminate() => { tracing::info!("terminated"); return Ok(()); }
        }
    }
}

fn print_report(r: &RoundReport) {
    println!(
        "round {}: queried {} miners (one fresh challenge each) in {} ms",
        r.step, r.queried, r.duration_ms
    );
    println!(
        "  {:>4}  {:<13}  {:>8}  {:>7}  {:>8}  {:>7}  {:>7}  note",
        "uid", "hotkey", "accuracy", "loss", "latency", "round", "ema"
    );
    for m in &r.results {
        println!(
            "  {:>4}  {:<13}  {:>8}  {:>7}  {:>6}ms  {:>7.4}  {:>7.4}  {}",
            m.uid,
            m.hotkey.short(),
            m.accuracy
                .map_or("-".into(), |x| format!("{:.2}%", x * 100.0)),
            m.loss.map_or("-".into(), |x| format!("{x:.3}")),
            m.latency_ms,
            m.round_score,
            m.ema,
            m.error.as_deref().unwrap_or("")
        );
    }
    let w: Vec<String> = r.weights.iter().map(|(u, w)| format!("{u}:{w}")).collect();
    println!("  weights (uid:u16) = [{}]", w.join(", "));
}
