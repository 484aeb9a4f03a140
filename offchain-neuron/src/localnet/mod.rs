//! `neuron localnet`: a whole network on this machine. A substrate-contracts-node, the suite
//! deployed and wired, the genesis subnet with a short tempo, miners serving models of
//! different quality and validators with stake, each a real child process with its own keys
//! and log file; blocks at a steady rate; the metagraph and the TAO each neuron earned after
//! every epoch.
//!
//! substrate-contracts-node 0.42 in `--dev` mode seals a block only when a transaction arrives
//! (instant seal). The localnet therefore drives block production itself: every `block_ms`
//! it submits a transaction from the dev account //Alice, the subnet's epoch when it is due
//! and an empty remark otherwise.

pub mod children;
pub mod report;
pub mod setup;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Result, bail};
use bt_interfaces::PSP22;
use subxt_signer::sr25519::Keypair;

use crate::chain::Chain;
use crate::model::ModelSize;
use children::Children;

/// The dev account that deploys, administers and drives blocks on a local network.
pub const ADMIN_URI: &str = "//Alice";
/// The subnet the localnet runs (the genesis subnet the deployment opens).
pub const NETUID: u16 = 1;
/// In a fair launch the owner nominates a validator once it holds this much earned TAO.
const NOMINATION_THRESHOLD: u128 = crate::units::RAO_PER_TAO;

/// One miner: a model size trained for a number of steps (fewer steps, worse model).
#[derive(Debug, Clone)]
pub struct MinerSpec {
    pub name: String,
    pub size: ModelSize,
    pub steps: usize,
}

impl MinerSpec {
    /// Three miners of clearly different quality.
    pub fn default_set() -> Vec<MinerSpec> {
        vec![
            MinerSpec {
                name: "weak".into(),
                size: ModelSize::Small,
                steps: 10,
            },
            MinerSpec {
                name: "fair".into(),
                size: ModelSize::Small,
                steps: 120,
            },
            MinerSpec {
                name: "strong".into(),
                size: ModelSize::Medium,
                steps: 500,
            },
        ]
    }
}

/// One validator: honest (queries and scores the miners) or a weight copier.
#[derive(Debug, Clone)]
pub struct ValidatorSpec {
    pub name: String,
    /// Stake in TAO.
    pub stake: u128,
    /// Sets the last epoch's consensus as its weights instead of scoring.
    pub copies_consensus: bool,
}

#[derive(Debug, Clone)]
pub struct LocalnetConfig {
    /// Node base path, deployment, logs and validator state live here.
    pub dir: PathBuf,
    /// Trained models are cached here.
    pub models_dir: PathBuf,
    /// The repository (for scripts/deploy.sh and the contract bundles).
    pub repo: PathBuf,
    pub fresh: bool,
    pub port: u16,
    pub block_ms: u64,
    pub tempo: u16,
    /// Stop after this many epochs (None: until Ctrl-C).
    pub tempos: Option<u64>,
    pub json: Option<PathBuf>,
    pub miners: Vec<MinerSpec>,
    /// Stake of each validator, in TAO (one validator per entry).
    pub validator_stakes: Vec<u128>,
    /// Validators commit weights and reveal them an epoch later.
    pub commit_reveal: bool,
    /// No premine: everyone registers by proof of work, and the subnet owner (//Alice) stakes
    /// the first TAO it earns (its cut of emission) on the validators as a nominator.
    pub fair_launch: bool,
    /// The subnet's UID limit (None: as deployed). At the limit a registration replaces the
    /// lowest-scoring UID past its immunity.
    pub max_uids: Option<u16>,
    /// Blocks a new UID cannot be replaced (None: as deployed).
    pub immunity_period: Option<u32>,
    /// The validators' EMA coefficient for new round scores (None: the validator's default).
    pub validator_alpha: Option<f64>,
    /// One more validator, staked like the last honest one, that copies the last epoch's
    /// consensus instead of scoring (an attack simulation).
    pub copier: bool,
}

impl LocalnetConfig {
    /// The honest validators (`validator0`, ...) and the copier if there is one.
    pub fn validators(&self) -> Vec<ValidatorSpec> {
        let mut v: Vec<ValidatorSpec> = self
            .validator_stakes
            .iter()
            .enumerate()
            .map(|(i, &stake)| ValidatorSpec {
                name: format!("validator{i}"),
                stake,
                copies_consensus: false,
            })
            .collect();
        if self.copier {
            v.push(ValidatorSpec {
                name: "copier".into(),
                stake: self.validator_stakes.last().copied().unwrap_or(0),
                copies_consensus: true,
            });
        }
        v
    }
}

/// Runs the local network until `--tempos` epochs passed or Ctrl-C.
pub async fn run(cfg: LocalnetConfig) -> Result<report::Summary> {
    let stop = Arc::new(AtomicBool::new(false));
    let mut children = Children::default();
    let net = setup::bring_up(&cfg, &mut children).await?;
    eprintln!(
        "localnet up: node ws://127.0.0.1:{}, deployment {} (try `BT_DEPLOYMENT={} neuron metagraph {NETUID}`); logs in {}, pids in processes.json",
        cfg.port,
        net.deployment_path.display(),
        net.deployment_path.display(),
        cfg.dir.join("logs").display()
    );
    children.write_list(&cfg.dir)?;
    let nominate = if cfg.fair_launch {
        net.validator_hotkeys()
    } else {
        Vec::new()
    };
    let ticker = tokio::spawn(drive_blocks(
        net.chain.clone(),
        cfg.block_ms,
        nominate,
        net.owner_staked.clone(),
        stop.clone(),
    ));
    let stop_on_signal = stop.clone();
    tokio::spawn(async move {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = crate::cli::terminate() => {}
        }
        stop_on_signal.store(true, Ordering::Relaxed);
    });
    let outcome = report::follow(&cfg, &net, &mut children, &stop).await;
    stop.store(true, Ordering::Relaxed);
    let _ = ticker.await;
    children.stop_all();
    let summary = outcome?;
    if let Some(path) = &cfg.json {
        crate::fsutil::write_atomic(path, &serde_json::to_vec_pretty(&summary)?)?;
    }
    Ok(summary)
}

/// One transaction per `block_ms` from the admin: the epoch when due; in a fair launch, once
/// the admin (the subnet owner) holds earned TAO, stake on each of `nominate` (it nominates
/// the validators); else a remark. One task signs everything the admin sends, so nonces never
/// collide.
async fn drive_blocks(
    chain: Chain,
    block_ms: u64,
    mut nominate: Vec<crate::wire::AccountId>,
    staked: Arc<std::sync::atomic::AtomicU64>,
    stop: Arc<AtomicBool>,
) {
    let admin: Keypair = match crate::wire::Hotkey::from_uri(ADMIN_URI) {
        Ok(k) => k.pair().clone(),
        Err(_) => return,
    };
    while !stop.load(Ordering::Relaxed) {
        let started = std::time::Instant::now();
        let due = matches!(
            chain
                .read(&chain.ledger().blocks_until_next_epoch(NETUID))
                .await,
            Ok(Ok(0))
        );
        let earned = if nominate.is_empty() || due {
            0
        } else {
            let me = ink::primitives::AccountId::from(admin.public_key().0);
            chain.read(&chain.token().balance_of(me)).await.unwrap_or(0)
        };
        let sent = if due {
            chain
                .send("the epoch", &admin, &chain.ledger().run_epoch(NETUID))
                .await
                .map(|_| ())
        } else if earned >= NOMINATION_THRESHOLD {
            let hotkey = nominate.remove(0);
            let amount = earned / 2;
            eprintln!(
                "\nthe subnet owner nominates validator {hotkey} with {} of its earned TAO",
                crate::units::format_tao(amount)
            );
            chain
                .send(
                    "nominating",
                    &admin,
                    &chain
                        .staking()
                        .add_stake(crate::chain::ink_account(hotkey), amount),
                )
                .await
                .map(|_| {
                    staked.fetch_add(u64::try_from(amount).unwrap_or(u64::MAX), Ordering::Relaxed);
                })
        } else {
            chain.rpc.remark(&admin).await.map(|_| ())
        };
        if let Err(e) = sent {
            tracing::warn!("block driver: {e}");
        }
        let left = Duration::from_millis(block_ms).saturating_sub(started.elapsed());
        tokio::time::sleep(left).await;
    }
}

/// Checks the configuration before anything starts.
pub fn validate(cfg: &LocalnetConfig) -> Result<()> {
    if cfg.miners.is_empty() {
        bail!("a localnet needs at least one miner");
    }
    if cfg.validator_stakes.is_empty() {
        bail!("a localnet needs at least one validator");
    }
    if cfg.tempo < 5 {
        bail!("--tempo must be at least 5 blocks");
    }
    // UID 0 is the subnet owner's hotkey.
    let uids = 1 + cfg.miners.len() + cfg.validators().len();
    if let Some(max) = cfg.max_uids {
        if usize::from(max) < uids {
            bail!(
                "--max-uids {max} leaves no room for the localnet's own {uids} UIDs (the owner's UID 0, the miners and the validators): a registration would replace one of them"
            );
        }
    }
    if let Some(alpha) = cfg.validator_alpha {
        if !(alpha > 0.0 && alpha <= 1.0) {
            bail!("--validator-alpha must be in (0, 1]");
        }
    }
    Ok(())
}
