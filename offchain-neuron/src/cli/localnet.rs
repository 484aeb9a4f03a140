//! `neuron localnet`: run a whole network on this machine (see `crate::localnet`).

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use crate::localnet::{LocalnetConfig, MinerSpec, run};

#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    scripts/localnet.sh                          # the README's run command (setup, build, then this)\n  \
    neuron localnet --fresh --tempos 10 --json summary.json\n  \
    neuron localnet                              # continue the chain in .localnet/\n  \
    neuron localnet --fresh --max-uids 6 --immunity-period 30   # a full subnet: newcomers replace the weakest\n\n\
    Starts substrate-contracts-node (base path .localnet/node), deploys the suite with \
    scripts/deploy.sh (a dev premine for //Alice, announced), sets the genesis subnet's tempo, \
    trains three models of different quality on first use (cached), and starts three miners \
    and two staked validators, each a child process logging to .localnet/logs/. The node seals \
    blocks only on transactions in dev mode, so the localnet sends one transaction per \
    --block-ms (the epoch when due). Ctrl-C stops every child. A node that dies is started \
    again on its database; a neuron that dies is reported, and .localnet/processes.json holds \
    its command line and environment to restart it by hand.")]
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
    /// The subnet's UID limit. At the limit the next registration replaces the UID with the
    /// lowest pruning score past its immunity (try 6: the owner's UID 0 and the localnet's five
    /// neurons fill it; 7 with --copier).
    #[arg(long)]
    pub max_uids: Option<u16>,
    /// Blocks during which a new UID cannot be replaced (deployed default: 5000).
    #[arg(long)]
    pub immunity_period: Option<u32>,
    /// The validators' EMA weight of a new round score (validator default 0.1; higher reacts
    /// faster to a miner that goes down).
    #[arg(long)]
    pub validator_alpha: Option<f64>,
    /// Add a validator, staked like the second, that copies the last epoch's consensus
    /// instead of scoring (attack simulation: compare what it earns with the honest one).
    #[arg(long)]
    pub copier: bool,
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
        max_uids: a.max_uids,
        immunity_period: a.immunity_period,
        validator_alpha: a.validator_alpha,
        copier: a.copier,
    };
    run(cfg).await?;
    Ok(())
}
