//! Bringing a local network up: node, deployment, subnet settings, models, keys, funds,
//! registrations, stake, and the neuron processes. Every step is skipped when already done,
//! so a rerun without `--fresh` continues the same chain.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use bt_interfaces::{PSP22, RegistryView};

use super::children::{Children, wait_for_line};
use super::{ADMIN_URI, LocalnetConfig, MinerSpec, NETUID};
use crate::chain::registration::{Admission, register};
use crate::chain::{Chain, Deployment, ink_account};
use crate::model::Backend;
use crate::train::{TrainOptions, train};
use crate::units::{RAO_PER_TAO, format_tao};
use crate::wire::{AccountId, Hotkey};

/// A neuron the localnet started.
#[derive(Debug, Clone)]
pub struct Member {
    pub name: String,
    pub role: &'static str,
    pub hotkey: AccountId,
    /// Held-out accuracy of a miner's model (None for validators).
    pub accuracy: Option<f64>,
    /// Stake on the hotkey when the run started (what it earns is measured from here).
    pub baseline: u128,
}

pub struct Net {
    pub chain: Chain,
    pub deployment_path: PathBuf,
    pub members: Vec<Member>,
    /// What the subnet owner staked on the validators in a fair launch, in RAO.
    pub owner_staked: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Net {
    pub fn validator_hotkeys(&self) -> Vec<AccountId> {
        self.members
            .iter()
            .filter(|m| m.role == "validator")
            .map(|m| m.hotkey)
            .collect()
    }
}

fn keys(role: &str, i: usize) -> Result<(Hotkey, Hotkey)> {
    Ok((
        Hotkey::from_uri(&format!("//localnet/{role}{i}"))?,
        Hotkey::from_uri(&format!("//localnet/{role}{i}/hot"))?,
    ))
}

async fn start_node(cfg: &LocalnetConfig, children: &mut Children) -> Result<()> {
    if std::net::TcpStream::connect(("127.0.0.1", cfg.port)).is_ok() {
        bail!(
            "port {} is taken (another node?): stop it, or pass --port",
            cfg.port
        );
    }
    let node =
        std::env::var("CONTRACTS_NODE").unwrap_or_else(|_| "substrate-contracts-node".into());
    let mut cmd = Command::new(&node);
    cmd.args(["--dev", "--rpc-port", &cfg.port.to_string(), "--base-path"])
        .arg(cfg.dir.join("node"));
    children
        .spawn("node", cmd, &cfg.dir.join("logs/node.log"))
        .with_context(|| format!("{node} is not installed: run scripts/setup.sh"))?;
    wait_for_rpc(cfg).await
}

/// Waits until the node (just started) opens its RPC port.
pub async fn wait_for_rpc(cfg: &LocalnetConfig) -> Result<()> {
    let started = std::time::Instant::now();
    while tokio::net::TcpStream::connect(("127.0.0.1", cfg.port))
        .await
        .is_err()
    {
        if started.elapsed() > Duration::from_secs(60) {
            bail!(
                "the node did not open its RPC port; see {}",
                cfg.dir.join("logs/node.log").display()
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

/// Deploys with scripts/deploy.sh unless the deployment file's suite answers on this node.
async fn deploy(cfg: &LocalnetConfig) -> Result<PathBuf> {
    let path = cfg.dir.join("deployment.json");
    let url = format!("ws://127.0.0.1:{}", cfg.port);
    if let Ok(d) = Deployment::load(&path) {
        if let Ok(c) = Chain::connect(d, Some(&url), Duration::from_secs(30)).await {
            if c.read(&c.registry().netuids_open()).await.is_ok() {
                eprintln!(
                    "continuing the chain in {} (pass --fresh to start over)",
                    cfg.dir.display()
                );
                return Ok(path);
            }
        }
    }
    let mut cmd = Command::new(cfg.repo.join("scripts/deploy.sh"));
    cmd.args(["--url", &url, "--local", "--skip-build", "--out"])
        .arg(&path);
    if cfg.fair_launch {
        eprintln!("fair launch: no premine; TAO exists only as emission");
    } else {
        eprintln!(
            "!!! DEV GENESIS: this local network mints 1,000,000 TAO to //Alice at deployment to fund stake (a premine; local networks only; --fair-launch for none)"
        );
        cmd.args([
            "--dev-genesis",
            &format!("{}=1000000", Hotkey::from_uri(ADMIN_URI)?.account()),
        ]);
    }
    let status = cmd.status().context("running scripts/deploy.sh")?;
    if !status.success() {
        bail!("scripts/deploy.sh failed (are the bundles built? scripts/build-contracts.sh)");
    }
    Ok(path)
}

/// Admin settings for a quick subnet: short tempo, no weights rate limit, permits for the
/// validators only, room for every registration; the UID limit and immunity when given.
async fn tune_subnet(c: &Chain, admin: &Hotkey, cfg: &LocalnetConfig) -> Result<()> {
    let mut h = c
        .read(&c.registry().hyperparams(NETUID))
        .await?
        .context("the genesis subnet is missing")?;
    let want = bt_interfaces::Hyperparams {
        tempo: cfg.tempo,
        weights_rate_limit: 0,
        max_allowed_validators: u16::try_from(cfg.validators().len()).unwrap_or(u16::MAX),
        max_regs_per_block: 16,
        target_regs_per_interval: 16,
        activity_cutoff: u32::from(cfg.tempo).saturating_mul(20),
        commit_reveal_enabled: cfg.commit_reveal,
        // A restarted miner listens on a new port and must publish it at once.
        serving_rate_limit: 1,
        // Proof of work that a laptop solves in a moment (fair launch registers by work).
        min_difficulty: 1_000,
        max_difficulty: 50_000,
        reveal_period_epochs: 1,
        max_allowed_uids: cfg.max_uids.unwrap_or(h.max_allowed_uids),
        immunity_period: cfg.immunity_period.unwrap_or(h.immunity_period),
        ..h
    };
    if want != h {
        h = want;
        c.send(
            "tuning the subnet",
            admin.pair(),
            &c.registry().set_hyperparams(NETUID, h),
        )
        .await?;
    }
    Ok(())
}

/// A cached model, trained on first use.
fn model(cfg: &LocalnetConfig, spec: &MinerSpec) -> Result<(PathBuf, f64)> {
    let path = cfg
        .models_dir
        .join(format!("{}-{}-{}.bpk", spec.size, spec.steps, spec.name));
    if let Some(meta) = crate::model::load_meta(&path).filter(|_| path.is_file()) {
        return Ok((path, meta.heldout_accuracy));
    }
    eprintln!(
        "training the {} miner's model ({} CNN, {} steps; cached in {})",
        spec.name,
        spec.size,
        spec.steps,
        cfg.models_dir.display()
    );
    let (classifier, report) = train(&TrainOptions {
        size: spec.size,
        steps: spec.steps,
        batch: 64,
        seed: 1,
        lr: 3e-3,
        backend: Backend::Flex,
        eval_images: 1024,
        progress: true,
    })?;
    crate::model::save_model(classifier.model(), &report.meta, &path)?;
    eprintln!(
        "  held-out accuracy {:.1}%",
        report.heldout_accuracy * 100.0
    );
    Ok((path, report.heldout_accuracy))
}

/// Native token for fees and TAO for the registration burn and stake.
async fn fund(c: &Chain, admin: &Hotkey, who: &[AccountId], tao: u128) -> Result<()> {
    let unit = c.rpc.native_token().await?.unit();
    for a in who {
        c.rpc
            .top_up_native(
                admin.pair(),
                *a,
                unit.saturating_mul(100),
                unit.saturating_mul(1000),
            )
            .await?;
    }
    if tao > 0 {
        let have = c.read(&c.token().balance_of(ink_account(who[0]))).await?;
        if have < tao {
            c.send(
                "TAO transfer",
                admin.pair(),
                &c.token()
                    .transfer(ink_account(who[0]), tao - have, Vec::new()),
            )
            .await?;
        }
    }
    Ok(())
}

fn neuron_cmd(cfg: &LocalnetConfig, deployment: &Path) -> Command {
    let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("neuron"));
    let mut cmd = Command::new(exe);
    cmd.env("BT_DEPLOYMENT", deployment)
        .env("BT_HOME", cfg.dir.join("home"))
        .env(
            "RUST_LOG",
            std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into()),
        );
    cmd
}

pub async fn bring_up(cfg: &LocalnetConfig, children: &mut Children) -> Result<Net> {
    super::validate(cfg)?;
    if cfg.fresh && cfg.dir.exists() {
        std::fs::remove_dir_all(cfg.dir.join("node")).ok();
        std::fs::remove_file(cfg.dir.join("deployment.json")).ok();
        std::fs::remove_dir_all(cfg.dir.join("state")).ok();
    }
    std::fs::create_dir_all(&cfg.dir)?;
    // Models first: training is the slow part of a first run and needs no node.
    let mut models = Vec::new();
    for spec in &cfg.miners {
        models.push(model(cfg, spec)?);
    }
    start_node(cfg, children).await?;
    let deployment_path = deploy(cfg).await?;
    let url = format!("ws://127.0.0.1:{}", cfg.port);
    let c = Chain::connect(
        Deployment::load(&deployment_path)?,
        Some(&url),
        Duration::from_secs(30),
    )
    .await?;
    let admin = Hotkey::from_uri(ADMIN_URI)?;
    tune_subnet(&c, &admin, cfg).await?;

    let mut members = Vec::new();
    // Validators: registered by burn and staked from the premine, or in a fair launch
    // registered by proof of work and nominated later by the subnet owner.
    for (i, spec) in cfg.validators().iter().enumerate() {
        let (cold, hot) = keys("validator", i)?;
        // A fair launch has no TAO to stake yet: the owner nominates later (see drive_blocks).
        let stake = if cfg.fair_launch {
            0
        } else {
            spec.stake.saturating_mul(RAO_PER_TAO)
        };
        let admission = if cfg.fair_launch {
            Admission::Pow { threads: 2 }
        } else {
            Admission::Burn { max_price: None }
        };
        let needs = if cfg.fair_launch {
            0
        } else {
            stake.saturating_add(10 * RAO_PER_TAO)
        };
        fund(&c, &admin, &[cold.account(), hot.account()], needs).await?;
        register(&c, &cold, &hot, NETUID, admission, true).await?;
        let staked = c
            .read(
                &c.staking()
                    .stake_of(ink_account(hot.account()), ink_account(cold.account())),
            )
            .await?;
        if staked < stake {
            c.send(
                "staking",
                cold.pair(),
                &c.staking()
                    .add_stake(ink_account(hot.account()), stake - staked),
            )
            .await?;
        }
        eprintln!(
            "{}: hotkey {} with {} of stake{}",
            spec.name,
            hot.account(),
            format_tao(stake),
            if spec.copies_consensus {
                " (copies the last epoch's consensus instead of scoring)"
            } else {
                ""
            }
        );
        members.push(Member {
            name: spec.name.clone(),
            role: "validator",
            hotkey: hot.account(),
            accuracy: None,
            baseline: 0,
        });
    }
    // Miners register themselves (`--register burn`, or `pow` in a fair launch) from their
    // own processes.
    for (i, spec) in cfg.miners.iter().enumerate() {
        let (cold, hot) = keys("miner", i)?;
        let needs = if cfg.fair_launch { 0 } else { 10 * RAO_PER_TAO };
        fund(&c, &admin, &[cold.account(), hot.account()], needs).await?;
        let log = cfg.dir.join(format!("logs/miner-{}.log", spec.name));
        let mut cmd = neuron_cmd(cfg, &deployment_path);
        cmd.args(["miner", "--model"]).arg(&models[i].0).args([
            "--netuid",
            &NETUID.to_string(),
            "--wallet",
            &format!("//localnet/miner{i}"),
            "--hotkey",
            &format!("//localnet/miner{i}/hot"),
            "--register",
            if cfg.fair_launch { "pow" } else { "burn" },
            "--port",
            "0",
        ]);
        children.spawn(&format!("miner {}", spec.name), cmd, &log)?;
        let line = tokio::task::spawn_blocking(move || {
            wait_for_line(&log, "axon listening on", Duration::from_secs(180))
        })
        .await??;
        eprintln!(
            "miner {} ({:.1}% held-out accuracy): {line}",
            spec.name,
            models[i].1 * 100.0
        );
        members.push(Member {
            name: spec.name.clone(),
            role: "miner",
            hotkey: hot.account(),
            accuracy: Some(models[i].1),
            baseline: 0,
        });
    }
    for (i, spec) in cfg.validators().iter().enumerate() {
        let log = cfg.dir.join(format!("logs/{}.log", spec.name));
        let mut cmd = neuron_cmd(cfg, &deployment_path);
        cmd.args([
            "validator",
            "--netuid",
            &NETUID.to_string(),
            "--wallet",
            &format!("//localnet/validator{i}"),
            "--hotkey",
            &format!("//localnet/validator{i}/hot"),
            "--interval-secs",
            "4",
            "--timeout-ms",
            "4000",
            "--images",
            "64",
            "--state",
        ])
        .arg(cfg.dir.join(format!("state/validator{i}.json")));
        if let Some(alpha) = cfg.validator_alpha {
            cmd.args(["--alpha", &alpha.to_string()]);
        }
        if spec.copies_consensus {
            cmd.arg("--copy-consensus");
        }
        let name = if spec.copies_consensus {
            spec.name.clone()
        } else {
            format!("validator {i}")
        };
        children.spawn(&name, cmd, &log)?;
    }
    for m in &mut members {
        m.baseline = c
            .read(&c.staking().stake_of_hotkey(ink_account(m.hotkey)))
            .await?;
    }
    Ok(Net {
        chain: c,
        deployment_path,
        members,
        owner_staked: Default::default(),
    })
}
