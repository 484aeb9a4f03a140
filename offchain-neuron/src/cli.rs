//! The `neuron` command line.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};

use crate::axon::AxonConfig;
use crate::dendrite::Dendrite;
use crate::miner::{self, MinerOptions};
use crate::model::{Backend, ModelSize, save_model};
use crate::peers::{FilePeerDirectory, PeerDirectory, PeerInfo, PeersFile};
use crate::task::digits::{DigitsTask, ascii, generate_batch};
use crate::train::{TrainOptions, train};
use crate::validator::weights::WeightParams;
use crate::validator::{RoundReport, Validator, ValidatorConfig};
use crate::wire::{AccountId, Hotkey};

const RAO_PER_TAO: f64 = 1e9;

#[derive(Parser, Debug)]
#[command(
    name = "neuron",
    version,
    about = "Off-chain Bittensor neuron: train a digit-classifier, serve it as a miner, score miners as a validator",
    long_about = "Off-chain Bittensor neuron.\n\n\
        Miners serve a burn CNN that classifies procedurally rendered digits; validators send \
        each round a fresh batch per miner generated from an unpredictable seed, score the answers \
        (accuracy, log-loss tie-break, latency penalty) and turn the scores into u16 weights.\n\n\
        Every request and response is signed with an sr25519 hotkey. Until the chain client \
        exists, who is in the subnet (UIDs, hotkeys, stake, axons) comes from a local peers \
        file (see `neuron peers --help`).",
    after_help = "Quick start (two terminals):\n  \
        neuron train --out model.bpk\n  \
        neuron peers add --file peers.json --uid 0 --hotkey //Alice --stake-tao 1000 --permit\n  \
        neuron peers add --file peers.json --uid 1 --hotkey //Bob --axon 127.0.0.1:8091\n  \
        neuron miner --model model.bpk --hotkey //Bob --peers peers.json --port 8091\n  \
        neuron validator --hotkey //Alice --peers peers.json --rounds 3"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Train the digit CNN on generated images and save burnpack weights.
    #[command(after_help = "Examples:\n  \
        neuron train --out model.bpk                       # medium CNN, 600 steps (~1 min on 2 cores)\n  \
        neuron train --out small.bpk --size small --steps 200\n  \
        neuron train --out large.bpk --size large --steps 2000 --lr 0.002 --seed 7")]
    Train(TrainArgs),
    /// Serve a trained model on a signed axon (HTTP) until interrupted.
    #[command(after_help = "Example:\n  \
        neuron miner --model model.bpk --hotkey //Bob --peers peers.json --port 8091 --min-stake-tao 10\n\n\
        Prints `axon listening on http://ADDR hotkey=SS58` on stdout once it accepts requests; \
        GET /health answers readiness probes. Requests are served by stake priority; refused \
        requests get a JSON body {error, reason, fix}.")]
    Miner(MinerArgs),
    /// Query miners, score them and print the resulting u16 weights each round.
    #[command(after_help = "Examples:\n  \
        neuron validator --hotkey //Alice --peers peers.json --rounds 5 --json weights.json\n  \
        neuron validator --hotkey-file ~/.neuron/hotkey --peers peers.json --interval-secs 60\n\n\
        State (step, per-UID scores and hotkeys) is saved atomically to --state after every \
        round and reloaded on restart.")]
    Validator(ValidatorArgs),
    /// Edit a local peers file (the off-chain stand-in for the metagraph).
    #[command(subcommand)]
    Peers(PeersCommand),
    /// Show or create sr25519 hotkeys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Render sample challenge images as ASCII art.
    #[command(after_help = "Example:\n  neuron sample --seed 42 --count 3")]
    Sample {
        /// Batch seed.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Images to show.
        #[arg(long, default_value_t = 4)]
        count: usize,
    },
    /// Benchmarks (throughput, latency, validator round time).
    #[command(subcommand)]
    Bench(crate::bench::BenchCommand),
}

/// How a command gets its hotkey.
#[derive(Args, Debug, Clone)]
pub struct HotkeyArgs {
    /// Development hotkey URI such as //Alice (local networks only). Real keys never go on a
    /// command line, where `ps` and shell history show them: use --hotkey-file.
    #[arg(long, conflicts_with = "hotkey_file")]
    pub hotkey: Option<String>,
    /// File holding the hotkey's secret URI or mnemonic (first line). Must be chmod 600;
    /// `neuron key new --out FILE` writes one.
    #[arg(long)]
    pub hotkey_file: Option<PathBuf>,
}

/// Refuses anything but a dev URI where a secret would sit on the command line.
pub fn dev_uri_only(uri: &str, flag: &str) -> Result<Hotkey> {
    if !Hotkey::is_dev_uri(uri) {
        bail!(
            "refusing a secret key on the command line ({flag}): it would be visible in `ps` and \
             in shell history. Only development URIs such as //Alice are accepted here; put a \
             mnemonic in a file (chmod 600) and pass --hotkey-file FILE instead"
        );
    }
    Hotkey::from_uri(uri)
}

impl HotkeyArgs {
    pub fn load(&self) -> Result<Hotkey> {
        match (&self.hotkey, &self.hotkey_file) {
            (Some(uri), _) => dev_uri_only(uri, "--hotkey"),
            (None, Some(path)) => Hotkey::from_file(path),
            (None, None) => bail!(
                "no hotkey given: pass --hotkey //Alice (dev) or --hotkey-file PATH; create one with `neuron key new`"
            ),
        }
    }
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Where to write the weights (burnpack). A JSON sidecar `<out>.json` records how they were trained.
    #[arg(long)]
    pub out: PathBuf,
    /// Model width: small, medium or large.
    #[arg(long, value_enum, default_value_t = ModelSize::Medium)]
    pub size: ModelSize,
    /// Optimiser steps (0 saves the untrained initialisation).
    #[arg(long, default_value_t = 600)]
    pub steps: usize,
    /// Images per step.
    #[arg(long, default_value_t = 64)]
    pub batch: usize,
    /// Seed of the initial weights and of the training data stream.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Adam learning rate (decays linearly to 10% of this).
    #[arg(long, default_value_t = 3e-3)]
    pub lr: f64,
    /// Backend to train on.
    #[arg(long, value_enum, default_value_t = Backend::Flex)]
    pub device: Backend,
    /// Held-out images (from seeds never used in training) for the reported accuracy.
    #[arg(long, default_value_t = 2048)]
    pub eval_images: usize,
}

#[derive(Args, Debug)]
pub struct MinerArgs {
    /// Trained weights (from `neuron train`).
    #[arg(long)]
    pub model: PathBuf,
    #[command(flatten)]
    pub key: HotkeyArgs,
    /// Peers file: who may call and with how much stake (see `neuron peers --help`).
    #[arg(long)]
    pub peers: PathBuf,
    /// TCP port (0 = any free port, printed at start).
    #[arg(long, default_value_t = 8091)]
    pub port: u16,
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Backend for inference.
    #[arg(long, value_enum, default_value_t = Backend::Flex)]
    pub device: Backend,
    /// Minimum caller stake in TAO; callers below it get 402 insufficient_stake.
    #[arg(long, default_value_t = 0.0)]
    pub min_stake_tao: f64,
    /// Serve every registered hotkey, not only validator-permit holders (the default refuses
    /// others with 423, so competitors cannot relay their own challenges through this miner).
    #[arg(long)]
    pub allow_non_validators: bool,
    /// Open connections allowed from one IP address.
    #[arg(long, default_value_t = crate::axon::conn::DEFAULT_MAX_PER_ADDRESS)]
    pub max_conns_per_ip: usize,
    /// Open connections allowed in all.
    #[arg(long, default_value_t = crate::axon::conn::DEFAULT_MAX_CONNECTIONS)]
    pub max_conns: usize,
    /// Requests processed concurrently.
    #[arg(long, default_value_t = 2)]
    pub workers: usize,
    /// Accepted requests waiting for a worker (beyond it, lower-stake requests get 503).
    #[arg(long, default_value_t = 256)]
    pub queue: usize,
    /// Accepted clock difference between caller and miner, in ms.
    #[arg(long, default_value_t = 30_000)]
    pub window_ms: u64,
    /// Cap on a caller's x-bt-timeout-ms.
    #[arg(long, default_value_t = 60_000)]
    pub max_timeout_ms: u64,
}

#[derive(Args, Debug)]
pub struct ValidatorArgs {
    #[command(flatten)]
    pub key: HotkeyArgs,
    /// Peers file with the miners' axons (see `neuron peers --help`).
    #[arg(long)]
    pub peers: PathBuf,
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
    /// The subnet's min_allowed_weights hyperparameter.
    #[arg(long, default_value_t = 1)]
    pub min_allowed_weights: u16,
    /// The subnet's max_weight_limit hyperparameter (u16; 65535 = no limit).
    #[arg(long, default_value_t = u16::MAX)]
    pub max_weight_limit: u16,
    /// State file (scores, hotkeys, step), written atomically every round.
    #[arg(long, default_value = "validator-state.json")]
    pub state: PathBuf,
    /// Also write the latest round report (scores and u16 weights) as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum PeersCommand {
    /// Add or replace the entry of one UID in a peers file (created if missing).
    #[command(after_help = "Examples:\n  \
        neuron peers add --file peers.json --uid 0 --hotkey //Alice --stake-tao 1000 --permit\n  \
        neuron peers add --file peers.json --uid 1 --hotkey 5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty --axon 10.0.0.5:8091")]
    Add {
        #[arg(long)]
        file: PathBuf,
        #[arg(long)]
        uid: u16,
        /// SS58 address, or a development URI (//Bob) whose public key is used.
        #[arg(long)]
        hotkey: String,
        /// Stake behind the hotkey, in TAO.
        #[arg(long, default_value_t = 0.0)]
        stake_tao: f64,
        /// Holds a validator permit.
        #[arg(long)]
        permit: bool,
        /// Axon address ip:port, for miners.
        #[arg(long)]
        axon: Option<SocketAddr>,
    },
    /// Print a peers file as a table.
    Show {
        #[arg(long)]
        file: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum KeyCommand {
    /// Print the SS58 address and public key of a dev URI or of a key file.
    #[command(
        after_help = "Examples:\n  neuron key inspect //Alice\n  neuron key inspect --file ~/.neuron/hotkey"
    )]
    Inspect {
        /// A development URI such as //Alice (real keys: use --file).
        #[arg(conflicts_with = "file", required_unless_present = "file")]
        uri: Option<String>,
        /// Key file (chmod 600) holding a mnemonic or secret URI.
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Create a random hotkey; writes its mnemonic to FILE (mode 600) and prints the address.
    #[command(after_help = "Example:\n  neuron key new --out ~/.neuron/hotkey")]
    New {
        #[arg(long)]
        out: PathBuf,
    },
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Train(a) => cmd_train(a),
        Command::Miner(a) => runtime()?.block_on(cmd_miner(a)),
        Command::Validator(a) => runtime()?.block_on(cmd_validator(a)),
        Command::Peers(c) => cmd_peers(c),
        Command::Key(c) => cmd_key(c),
        Command::Sample { seed, count } => {
            let b = generate_batch(seed, count);
            for i in 0..b.len() {
                println!("image {i}: label {}\n{}", b.labels[i], ascii(b.image(i)));
            }
            Ok(())
        }
        Command::Bench(c) => runtime()?.block_on(crate::bench::run(c)),
    }
}

fn cmd_train(a: TrainArgs) -> Result<()> {
    if a.batch == 0 {
        bail!("--batch must be at least 1");
    }
    let opts = TrainOptions {
        size: a.size,
        steps: a.steps,
        batch: a.batch,
        seed: a.seed,
        lr: a.lr,
        backend: a.device,
        eval_images: a.eval_images,
        progress: true,
    };
    eprintln!(
        "training a {} CNN for {} steps of {} images on {}",
        a.size, a.steps, a.batch, a.device
    );
    let (classifier, report) = train(&opts)?;
    save_model(classifier.model(), &report.meta, &a.out)?;
    println!(
        "saved {} ({} model, {} steps, {:.1} s): held-out accuracy {:.2}% on {} fresh images; last train loss {:.3}",
        a.out.display(),
        a.size,
        a.steps,
        report.seconds,
        report.heldout_accuracy * 100.0,
        a.eval_images,
        report.final_loss
    );
    Ok(())
}

fn tao_to_rao(tao: f64) -> Result<u64> {
    if !(tao.is_finite() && (0.0..=21e6).contains(&tao)) {
        bail!("stake must be between 0 and 21,000,000 TAO, got {tao}");
    }
    Ok((tao * RAO_PER_TAO).round() as u64)
}

async fn cmd_miner(a: MinerArgs) -> Result<()> {
    let hotkey = a.key.load()?;
    let directory: Arc<dyn PeerDirectory> = Arc::new(FilePeerDirectory::open(&a.peers)?);
    tracing::info!("peer source: {}", directory.source());
    if directory.snapshot().by_hotkey(&hotkey.account()).is_none() {
        tracing::warn!(
            "this miner's hotkey {} is not in {}; validators will not find this axon",
            hotkey.account(),
            a.peers.display()
        );
    }
    let account = hotkey.account();
    let opts = MinerOptions {
        model: a.model,
        backend: a.device,
        hotkey,
        bind: a.bind,
        port: a.port,
        axon: AxonConfig {
            window_ms: a.window_ms,
            min_stake_rao: tao_to_rao(a.min_stake_tao)?,
            require_permit: !a.allow_non_validators,
            conn: crate::axon::conn::ConnLimits {
                max_connections: a.max_conns.max(1),
                max_per_address: a.max_conns_per_ip.max(1),
                ..Default::default()
            },
            workers: a.workers,
            queue_capacity: a.queue,
            max_timeout_ms: a.max_timeout_ms,
            ..AxonConfig::default()
        },
    };
    let handle = miner::start(opts, directory).await?;
    println!(
        "axon listening on http://{} hotkey={}",
        handle.addr, account
    );
    use std::io::Write;
    std::io::stdout().flush()?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {
            tracing::info!("interrupted, shutting down");
            handle.shutdown().await;
        }
        _ = terminate() => {
            tracing::info!("terminated, shutting down");
            handle.shutdown().await;
        }
    }
    Ok(())
}

#[cfg(unix)]
async fn terminate() {
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut s) => {
            s.recv().await;
        }
        Err(_) => std::future::pending::<()>().await,
    }
}
#[cfg(not(unix))]
async fn terminate() {
    std::future::pending::<()>().await
}

async fn cmd_validator(a: ValidatorArgs) -> Result<()> {
    let hotkey = a.key.load()?;
    let directory: Arc<dyn PeerDirectory> = Arc::new(FilePeerDirectory::open(&a.peers)?);
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
        weights: WeightParams {
            min_allowed_weights: a.min_allowed_weights,
            max_weight_limit: a.max_weight_limit,
        },
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
        let report = v.run_round().await?;
        print_report(&report);
        if let Some(path) = &a.json {
            crate::fsutil::write_atomic(path, &serde_json::to_vec_pretty(&report)?)
                .with_context(|| format!("writing {}", path.display()))?;
        }
        done += 1;
        if a.rounds != 0 && done >= a.rounds {
            return Ok(());
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs_f64(a.interval_secs.max(0.0))) => {}
            _ = tokio::signal::ctrl_c() => { tracing::info!("interrupted"); return Ok(()); }
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

/// An SS58 address or a dev URI. The input is never echoed: a mistyped address may be a
/// mnemonic pasted into the wrong place.
fn parse_hotkey_arg(s: &str) -> Result<AccountId> {
    if let Ok(id) = s.parse::<AccountId>() {
        return Ok(id);
    }
    if Hotkey::is_dev_uri(s) {
        return Hotkey::from_uri(s).map(|k| k.account());
    }
    bail!(
        "--hotkey is neither an SS58 address nor a development URI such as //Bob (input not \
         shown, in case it is a secret); pass the hotkey's public SS58 address"
    )
}

fn read_peers(path: &Path) -> Result<PeersFile> {
    match std::fs::read(path) {
        Ok(b) => serde_json::from_slice(&b)
            .with_context(|| format!("{} is not a peers file", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(PeersFile::new(Vec::new())),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

fn cmd_peers(c: PeersCommand) -> Result<()> {
    match c {
        PeersCommand::Add {
            file,
            uid,
            hotkey,
            stake_tao,
            permit,
            axon,
        } => {
            let hotkey = parse_hotkey_arg(&hotkey)?;
            let mut f = read_peers(&file)?;
            f.peers.retain(|p| p.uid != uid && p.hotkey != hotkey);
            f.peers.push(PeerInfo {
                uid,
                hotkey,
                stake_rao: tao_to_rao(stake_tao)?,
                validator_permit: permit,
                axon,
            });
            f.peers.sort_by_key(|p| p.uid);
            f.note = Some(PeersFile::NOTE.into());
            f.write(&file)?;
            println!(
                "{}: uid {uid} = {hotkey} ({} peers)",
                file.display(),
                f.peers.len()
            );
            Ok(())
        }
        PeersCommand::Show { file } => {
            let f = read_peers(&file)?;
            println!(
                "{:>4}  {:<48}  {:>14}  {:>6}  axon",
                "uid", "hotkey", "stake (TAO)", "permit"
            );
            for p in f.peers {
                println!(
                    "{:>4}  {:<48}  {:>14.3}  {:>6}  {}",
                    p.uid,
                    p.hotkey,
                    p.stake_rao as f64 / RAO_PER_TAO,
                    if p.validator_permit { "yes" } else { "no" },
                    p.axon.map_or("-".into(), |a| a.to_string())
                );
            }
            Ok(())
        }
    }
}

fn cmd_key(c: KeyCommand) -> Result<()> {
    match c {
        KeyCommand::Inspect { uri, file } => {
            let k = match (uri, file) {
                (_, Some(path)) => Hotkey::from_file(&path)?,
                (Some(uri), None) => dev_uri_only(&uri, "key inspect")?,
                (None, None) => bail!("give a dev URI (//Alice) or --file PATH"),
            };
            println!("ss58:       {}", k.account());
            println!("public key: 0x{}", hex::encode(k.account().0));
            Ok(())
        }
        KeyCommand::New { out } => {
            if out.exists() {
                bail!(
                    "{} already exists; refusing to overwrite a key",
                    out.display()
                );
            }
            let (k, phrase) = Hotkey::generate()?;
            write_secret(&out, format!("{phrase}\n").as_bytes())?;
            println!(
                "ss58: {}\nmnemonic written to {} (mode 600); back it up",
                k.account(),
                out.display()
            );
            Ok(())
        }
    }
}

fn write_secret(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    if let Some(d) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(d)?;
    }
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}
