//! The `neuron` command line, one file per command group (btcli's groups and habits).

mod axon;
mod common;
mod epoch;
mod hyperparams;
mod key;
mod localnet;
mod metagraph;
mod miner;
mod peers;
mod root;
mod stake;
mod subnet;
mod train;
mod validator;
mod wallet;
mod weights;

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

pub use common::{ChainArgs, HotkeyArgs, KeyArgs, dev_uri_only, spinner};

#[derive(Parser, Debug)]
#[command(
    name = "neuron",
    version,
    about = "Bittensor on ink! contracts: wallets, subnets, staking, weights, and the miner and validator neurons",
    long_about = "Bittensor's intelligence market on ink! contracts, from the command line.\n\n\
        Everything btcli does is a `neuron` command that signs a real extrinsic on a contracts \
        node: wallets, subnets, registration, staking, weights, the metagraph and epochs. \
        Miners serve a burn CNN that classifies procedurally rendered digits; validators query \
        them with fresh challenges, score the answers and set weights on the chain.\n\n\
        The suite's addresses come from a deployment file (scripts/deploy.sh writes one; \
        --deployment or BT_DEPLOYMENT point elsewhere). Coldkeys sign from encrypted wallets \
        (`neuron wallet new`); development URIs such as //Alice work on local networks.",
    after_help = "Quick start on a local node (after scripts/deploy.sh --local):\n  \
        neuron wallet new mywallet\n  \
        neuron wallet balance --wallet mywallet\n  \
        neuron subnet list\n  \
        neuron subnet register --netuid 1 --pow --wallet mywallet --hotkey default\n  \
        neuron train --out model.bpk\n  \
        neuron miner --model model.bpk --netuid 1 --wallet mywallet --hotkey default\n  \
        neuron metagraph 1"
)]
pub struct Cli {
    #[command(flatten)]
    pub chain: ChainArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Wallets (coldkey + hotkeys), TAO balances and transfers.
    #[command(subcommand)]
    Wallet(wallet::WalletCommand),
    /// Subnets: create, inspect, tune, dissolve; register neurons.
    #[command(subcommand)]
    Subnet(subnet::SubnetCommand),
    /// Publish where a hotkey's axon serves.
    #[command(subcommand)]
    Axon(axon::AxonCommand),
    /// Stake, delegation and take.
    #[command(subcommand)]
    Stake(stake::StakeCommand),
    /// Set, commit and reveal weights.
    #[command(subcommand)]
    Weights(weights::WeightsCommand),
    /// The root network: membership, weights over subnets.
    #[command(subcommand)]
    Root(root::RootCommand),
    /// A subnet's neurons with stake, consensus figures and axons.
    Metagraph(metagraph::MetagraphArgs),
    /// Run due epochs, or simulate the next one with the yuma library.
    #[command(subcommand)]
    Epoch(epoch::EpochCommand),
    /// Run a whole network on this machine: node, suite, miners and validators.
    Localnet(localnet::LocalnetArgs),
    /// Train the digit CNN on generated images and save burnpack weights.
    #[command(after_help = "Examples:\n  \
        neuron train --out model.bpk                       # medium CNN, 600 steps (~1 min on 2 cores)\n  \
        neuron train --out small.bpk --size small --steps 200\n  \
        neuron train --out large.bpk --size large --steps 2000 --lr 0.002 --seed 7")]
    Train(train::TrainArgs),
    /// Serve a trained model on a signed axon (HTTP) until interrupted.
    #[command(after_help = miner::AFTER_HELP)]
    Miner(miner::MinerArgs),
    /// Query miners, score them and set weights each round.
    #[command(after_help = validator::AFTER_HELP)]
    Validator(validator::ValidatorArgs),
    /// Edit a local peers file (the offline stand-in for the metagraph).
    #[command(subcommand)]
    Peers(peers::PeersCommand),
    /// Show or create single sr25519 key files.
    #[command(subcommand)]
    Key(key::KeyCommand),
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
    /// Benchmarks (throughput, latency, validator round time, chain sync, proof of work).
    #[command(subcommand)]
    Bench(crate::bench::BenchCommand),
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
    let chain = cli.chain;
    match cli.command {
        Command::Wallet(c) => runtime()?.block_on(wallet::run(c, &chain)),
        Command::Subnet(c) => runtime()?.block_on(subnet::run(c, &chain)),
        Command::Axon(c) => runtime()?.block_on(axon::run(c, &chain)),
        Command::Stake(c) => runtime()?.block_on(stake::run(c, &chain)),
        Command::Weights(c) => runtime()?.block_on(weights::run(c, &chain)),
        Command::Root(c) => runtime()?.block_on(root::run(c, &chain)),
        Command::Metagraph(a) => runtime()?.block_on(metagraph::run(a, &chain)),
        Command::Epoch(c) => runtime()?.block_on(epoch::run(c, &chain)),
        Command::Localnet(a) => runtime()?.block_on(localnet::cmd_localnet(a)),
        Command::Train(a) => train::cmd_train(a),
        Command::Miner(a) => runtime()?.block_on(miner::cmd_miner(a, &chain)),
        Command::Validator(a) => runtime()?.block_on(validator::cmd_validator(a, &chain)),
        Command::Peers(c) => peers::cmd_peers(c),
        Command::Key(c) => key::cmd_key(c),
        Command::Sample { seed, count } => {
            use crate::task::digits::{ascii, generate_batch};
            let b = generate_batch(seed, count);
            for i in 0..b.len() {
                println!("image {i}: label {}\n{}", b.labels[i], ascii(b.image(i)));
            }
            Ok(())
        }
        Command::Bench(c) => runtime()?.block_on(crate::bench::run(c, &chain)),
    }
}

/// Resolves on SIGTERM (Ctrl-C is handled separately).
#[cfg(unix)]
pub async fn terminate() {
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut s) => {
            s.recv().await;
        }
        Err(_) => std::future::pending::<()>().await,
    }
}
#[cfg(not(unix))]
pub async fn terminate() {
    std::future::pending::<()>().await
}
