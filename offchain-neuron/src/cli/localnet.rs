//! `neuron localnet`: run a whole network on this machine (see `crate::localnet`).

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use crate::localnet::{LocalnetConfig, MinerSpec, run};

#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    scripts/localnet.sh                          # the README's run command (setup, build, then this)\n  \
    neuron localnet --fresh --tempos 10 --json summary.json\n  \
    neuron localnet                              # continue the chain in .localnet/\n\n\
    Starts substrate-contracts-node (base path .localnet/node), deploys the suite with \
    scripts/deploy.sh (a dev premine for //Alice, announced), sets the genesis subnet's tempo, \
    trains three models of different quality on first use (cached), and starts three miners \
    and two staked validators, each a child process logging to .localnet/logs/. The node seals \
    blocks only on transactions in dev mode, so the localnet sends one transaction per \
    --block-ms (the epoch when due). Ctrl-C stops every child.")]
pub struct LocalnetArgs {
    /// Working directory (node base path, deployment, logs, validator state).
    #[arg(long, default_value = ".localnet")]
    pub dir: PathBuf,
    /// Trained models are cached here (default: <dir>/models).
    #[arg(long)]
    pub models_dir: Option<PathBuf>,
    /// The repository (scripts/deploy.sh and the contract bundles); default: $BT_ROOT or `.`.
    #[arg(long, env = "BT_ROOT")]
    pub repo: Option<PathBuf>,
    /// Start a new chain (drops the node's database, the deployment and validator state).
    #[arg(long)]
    pub fresh: bool,
    /// Node RPC port.
    #[arg(long, default_value_t = 9944)]
    pub port: u16,
    /// Milliseconds per block.
    #[arg(long, default_value_t = 1000)]
    pub block_ms: u64,
    /// The subnet's tempo (blocks per epoch).
    #[arg(long, default_value_t = 20)]
    pub tempo: u16,
    /// Stop after this many epochs and print a summary.
    #[arg(long)]
    pub tempos: Option<u64>,
    /// Write the summary as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Validators commit their weights and reveal them in the next epoch.
    #[arg(long)]
    pub commit_reveal: bool,
    /// No premine: miners and validators register by proof of work, and the subnet owner
    /// (//Alice) stakes the first TAO it earns on the validators as a nominator.
    #[arg(long)]
    pub fair_launch: bool,
}

pub async fn cmd_localnet(a: LocalnetArgs) -> Result<()> {
    let repo = a.repo.clone().unwrap_or_else(|| PathBuf::from("."));
    if !repo.join("scripts/deploy.sh").is_file() {
        bail!(
            "cannot find scripts/deploy.sh under {}: run from the repository, pass --repo, or use scripts/localnet.sh",
            repo.display()
        );
    }
    let cfg = LocalnetConfig {
        models_dir: a.models_dir.clone().unwrap_or_else(|| a.dir.join("models")),
        dir: a.dir,
        repo,
        fresh: a.fresh,
        port: a.port,
        block_ms: a.block_ms.max(100),
        tempo: a.tempo,
        tempos: a.tempos,
        json: a.json,
        miners: MinerSpec::default_set(),
        validator_stakes: vec![1_000, 500],
        commit_reveal: a.commit_reveal,
        fair_launch: a.fair_launch,
    };
    run(cfg).await?;
    Ok(())
}
