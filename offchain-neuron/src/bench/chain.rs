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
    /// Fills a subnet with registered hotkeys (//bench/0, //bench/1, …) so that sync figures
    /// can be taken at full size. Signed by --wallet, which must be the suite's admin (it lifts
    /// the subnet's registration limits) and hold TAO and native token. Local networks only.
    #[command(
        after_help = "Example:\n  neuron bench chain populate --netuid 1 --count 1023 --wallet //Alice"
    )]
    Populate {
        #[arg(long)]
        netuid: u16,
        #[arg(long)]
        count: u16,
        #[arg(long, default_value = "//Alice")]
        wallet: String,
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
        ChainBench::Populate {
            netuid,
            count,
            wallet,
        } => populate(chain, netuid, count, &wallet).await,
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

async fn populate(chain: &ChainArgs, netuid: u16, count: u16, wallet: &str) -> Result<()> {
    use bt_interfaces::{PSP22, RegistryView};
    use subxt::ext::futures::{StreamExt, stream};

    use crate::chain::ink_account;
    let c = chain.connect().await?;
    let admin = crate::cli::dev_uri_only(wallet, "--wallet")?;
    let mut h = c
        .read(&c.registry().hyperparams(netuid))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no subnet {netuid}"))?;
    h.max_allowed_uids = bt_interfaces::MAX_UIDS_CEILING;
    h.max_regs_per_block = u16::MAX;
    h.target_regs_per_interval = u16::MAX;
    h.min_burn = 1;
    h.max_burn = 1;
    h.immunity_period = 0;
    c.send(
        "lifting registration limits",
        admin.pair(),
        &c.registry().set_hyperparams(netuid, h),
    )
    .await?;
    let native = c.rpc.native_token().await?;
    let t0 = Instant::now();
    let keys: Vec<crate::wire::Hotkey> = (0..count)
        .map(|i| crate::wire::Hotkey::from_uri(&format!("//bench/{netuid}/{i}")))
        .collect::<Result<_>>()?;
    let pb = indicatif::ProgressBar::new(u64::from(count) * 3);
    pb.set_style(indicatif::ProgressStyle::with_template(
        "{bar:40} {pos}/{len} {msg} ({elapsed}, eta {eta})",
    )?);
    pb.set_message("funding hotkeys");
    for k in &keys {
        c.rpc
            .top_up_native(
                admin.pair(),
                k.account(),
                native.unit(),
                native.unit().saturating_mul(20),
            )
            .await?;
        pb.inc(1);
    }
    // Each hotkey is its own coldkey (no consent needed; a coldkey may own only so many
    // hotkeys): it receives the 1-RAO burn in TAO and registers itself.
    pb.set_message("TAO for the burn");
    for k in &keys {
        let hot = ink_account(k.account());
        if c.read(&c.registry().uid_of(netuid, hot)).await?.is_none()
            && c.read(&c.token().balance_of(hot)).await? == 0
        {
            c.send(
                "TAO transfer",
                admin.pair(),
                &c.token().transfer(hot, 1, Vec::new()),
            )
            .await?;
        }
        pb.inc(1);
    }
    pb.set_message("registrations");
    let regs = stream::iter(keys.iter().map(|k| {
        let c = &c;
        async move {
            let hot = ink_account(k.account());
            if c.read(&c.registry().uid_of(netuid, hot)).await?.is_none() {
                c.send(
                    "registration",
                    k.pair(),
                    &c.registry().burned_register(netuid, hot, 1),
                )
                .await?;
            }
            anyhow::Ok(())
        }
    }))
    .buffer_unordered(16);
    let mut regs = std::pin::pin!(regs);
    while let Some(r) = regs.next().await {
        r?;
        pb.inc(1);
    }
    pb.finish_and_clear();
    let n = c
        .read(&c.registry().subnet(netuid))
        .await?
        .map_or(0, |s| s.n);
    println!(
        "subnet {netuid} has {n} neurons ({:.0} s)",
        t0.elapsed().as_secs_f64()
    );
    Ok(())
}
