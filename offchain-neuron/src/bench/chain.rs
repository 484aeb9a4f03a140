//! Chain client benchmarks: how long a metagraph sync takes (and how many RPC requests it
//! makes), and the proof-of-work solver's hash rate.

use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::Result;
use clap::Subcommand;

use crate::cli::ChainArgs;
use crate::wire::AccountId;

#[derive(Subcommand, Debug)]
pub enum ChainBench {
    /// Sync a subnet's metagraph N times from the node; prints wall time per sync.
    #[command(after_help = "Example:\n  neuron bench chain metagraph --netuid 1 --repeats 5")]
    Metagraph {
        #[arg(long)]
        netuid: u16,
        #[arg(long, default_value_t = 5)]
        repeats: usize,
    },
    /// Hash rate of the registration solver (no chain needed).
    #[command(after_help = "Example:\n  neuron bench chain pow --seconds 10 --threads 2")]
    Pow {
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        /// Default: every core.
        #[arg(long)]
        threads: Option<usize>,
    },
}

pub async fn run(cmd: ChainBench, chain: &ChainArgs) -> Result<()> {
    match cmd {
        ChainBench::Metagraph { netuid, repeats } => {
            let c = chain.connect().await?;
            let mut times = Vec::with_capacity(repeats);
            let mut last = None;
            for _ in 0..repeats.max(1) {
                let t0 = Instant::now();
                let m = c.metagraph(netuid).await?;
                times.push(t0.elapsed());
                last = Some(m);
            }
            let m = last.expect("at least one sync");
            times.sort();
            let median = times[times.len() / 2];
            println!(
                "metagraph sync of subnet {netuid}: {} UIDs, {} RPC requests, median {:.1} ms, best {:.1} ms, worst {:.1} ms over {} syncs",
                m.neurons.len(),
                m.rpc_calls,
                median.as_secs_f64() * 1e3,
                times[0].as_secs_f64() * 1e3,
                times[times.len() - 1].as_secs_f64() * 1e3,
                times.len()
            );
            Ok(())
        }
        ChainBench::Pow { seconds, threads } => {
            let threads = threads
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
            let stop = AtomicBool::new(false);
            let t0 = Instant::now();
            // An unreachable difficulty: the solver runs for the whole budget.
            let work = tokio::task::spawn_blocking(move || {
                crate::pow::solve(
                    &[1u8; 32],
                    AccountId([2; 32]),
                    AccountId([3; 32]),
                    u64::MAX,
                    threads,
                    Duration::from_secs_f64(seconds),
                    &stop,
                    &|_| {},
                )
            })
            .await?;
            let elapsed = t0.elapsed().as_secs_f64();
            println!(
                "proof of work: {} seals in {elapsed:.1} s on {threads} threads = {:.0} hashes/s",
                work.hashes,
                work.hashes as f64 / elapsed.max(1e-9)
            );
            Ok(())
        }
    }
}
