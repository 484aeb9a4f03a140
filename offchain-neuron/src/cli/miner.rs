//! `neuron miner`: serve a trained model on a signed axon; on the chain it checks (or makes)
//! its registration, publishes its axon and follows the metagraph.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Result, bail};
use bt_interfaces::RegistryView;
use clap::{Args, ValueEnum};

use super::common::{ChainArgs, HotkeyArgs, report_fee_balance, tao_to_rao};
use crate::axon::AxonConfig;
use crate::chain::metagraph::{ChainPeerDirectory, axon_addr};
use crate::chain::registration::{Admission, register, require_uid};
use crate::chain::{Chain, ink_account};
use crate::miner::{self, MinerOptions};
use crate::model::Backend;
use crate::peers::{FilePeerDirectory, PeerDirectory};
use crate::units::parse_tao;

pub const AFTER_HELP: &str = "Examples:\n  \
    neuron miner --model model.bpk --netuid 1 --wallet miner --hotkey default --bind 0.0.0.0 --external-ip 203.0.113.9\n  \
    neuron miner --model model.bpk --netuid 1 --wallet //Alice --hotkey //Bob --register pow   # local network\n  \
    neuron miner --model model.bpk --hotkey //Bob --peers peers.json --port 8091             # offline\n\n\
    Prints `axon listening on http://ADDR hotkey=SS58` on stdout once it accepts requests; \
    GET /health answers readiness probes. Requests are served by stake priority; refused \
    requests get a JSON body {error, reason, fix}. On the chain the hotkey pays the axon's \
    extrinsic in the chain's native token.";

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RegisterMode {
    Burn,
    Pow,
}

#[derive(Args, Debug)]
pub struct MinerArgs {
    /// Trained weights (from `neuron train`).
    #[arg(long)]
    pub model: PathBuf,
    #[command(flatten)]
    pub key: HotkeyArgs,
    /// Subnet to mine on (membership and stake from the chain).
    #[arg(long, required_unless_present = "peers")]
    pub netuid: Option<u16>,
    /// Offline: a peers file instead of the chain (see `neuron peers --help`).
    #[arg(long, conflicts_with = "netuid")]
    pub peers: Option<PathBuf>,
    /// Register the hotkey if it is not registered yet (the coldkey pays or solves).
    #[arg(long, value_enum)]
    pub register: Option<RegisterMode>,
    /// Most TAO a burn registration may cost.
    #[arg(long)]
    pub max_price: Option<String>,
    /// Address published on the chain (default: --bind, unless that is 0.0.0.0 or ::).
    #[arg(long)]
    pub external_ip: Option<IpAddr>,
    /// Re-read the metagraph after this many blocks.
    #[arg(long, default_value_t = 5)]
    pub sync_blocks: u32,
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

/// On the chain: registered (or registers), then a chain-backed directory.
async fn join_subnet(
    a: &MinerArgs,
    chain: &ChainArgs,
    hotkey: &crate::wire::Hotkey,
    netuid: u16,
) -> Result<(Chain, u16, Arc<ChainPeerDirectory>)> {
    let c = chain.connect().await?;
    report_fee_balance(&c, hotkey.account(), "miner hotkey").await?;
    let uid = match a.register {
        None => {
            require_uid(
                &c,
                netuid,
                hotkey.account(),
                &format!("--wallet {} --hotkey {}", a.key.wallet, a.key.hotkey),
            )
            .await?
        }
        Some(mode) => {
            let coldkey = a.key.coldkey()?;
            let how = match mode {
                RegisterMode::Burn => Admission::Burn {
                    max_price: a.max_price.as_deref().map(parse_tao).transpose()?,
                },
                RegisterMode::Pow => Admission::Pow {
                    threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
                },
            };
            register(&c, &coldkey, hotkey, netuid, how, false).await?
        }
    };
    tracing::info!(
        "hotkey {} is UID {uid} on subnet {netuid}",
        hotkey.account()
    );
    let dir = ChainPeerDirectory::start(c.clone(), netuid, a.sync_blocks).await?;
    Ok((c, uid, dir))
}

/// Publishes `addr` unless the chain already has it.
async fn publish_axon(
    c: &Chain,
    hotkey: &crate::wire::Hotkey,
    netuid: u16,
    uid: u16,
    addr: SocketAddr,
) -> Result<()> {
    let current = c
        .read(&c.registry().neuron(netuid, uid))
        .await?
        .and_then(|n| n.axon)
        .and_then(|ax| axon_addr(&ax));
    if current == Some(addr) {
        tracing::debug!("axon {addr} is published");
        return Ok(());
    }
    match super::axon::serve(c, hotkey, netuid, addr, true).await {
        Ok(block) => tracing::info!("axon {addr} published in block {block}"),
        Err(e) => tracing::warn!("could not publish the axon {addr} (retrying every 10 s): {e:#}"),
    }
    Ok(())
}

pub async fn cmd_miner(a: MinerArgs, chain: &ChainArgs) -> Result<()> {
    let hotkey = a.key.hotkey()?;
    let account = hotkey.account();
    let (on_chain, directory): (Option<(Chain, u16, u16)>, Arc<dyn PeerDirectory>) = match (
        &a.peers, a.netuid,
    ) {
        (Some(path), _) => {
            let d = FilePeerDirectory::open(path)?;
            if d.snapshot().by_hotkey(&account).is_none() {
                tracing::warn!(
                    "this miner's hotkey {account} is not in {}; validators will not find this axon",
                    path.display()
                );
            }
            (None, Arc::new(d))
        }
        (None, Some(netuid)) => {
            let (c, uid, d) = join_subnet(&a, chain, &hotkey, netuid).await?;
            (Some((c, netuid, uid)), d)
        }
        (None, None) => {
            bail!("pass --netuid N to mine on the chain, or --peers FILE to run offline")
        }
    };
    tracing::info!("peer source: {}", directory.source());
    let opts = MinerOptions {
        model: a.model.clone(),
        backend: a.device,
        hotkey: hotkey.clone(),
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
    let published = match &on_chain {
        Some((c, netuid, uid)) => {
            let ip = match a.external_ip {
                Some(ip) => ip,
                None if a.bind.is_unspecified() => bail!(
                    "--bind {} is not an address validators can reach: pass --external-ip",
                    a.bind
                ),
                None => a.bind,
            };
            let addr = SocketAddr::new(ip, handle.addr.port());
            publish_axon(c, &hotkey, *netuid, *uid, addr).await?;
            Some(addr)
        }
        None => None,
    };
    println!("axon listening on http://{} hotkey={account}", handle.addr);
    use std::io::Write;
    std::io::stdout().flush()?;
    // On the chain: keep the registration and the published axon in view; an axon refused
    // for the serving rate limit is published again once the limit allows.
    let watch = async {
        let (Some((c, netuid, uid)), Some(addr)) = (&on_chain, published) else {
            return std::future::pending::<()>().await;
        };
        loop {
            tokio::time::sleep(Duration::from_secs(10)).await;
            match c
                .read(&c.registry().uid_of(*netuid, ink_account(account)))
                .await
            {
                Ok(Some(now)) if now == *uid => {
                    if let Err(e) = publish_axon(c, &hotkey, *netuid, *uid, addr).await {
                        tracing::warn!("cannot check the published axon: {e:#}");
                    }
                }
                Ok(_) => tracing::warn!(
                    "hotkey {account} no longer holds UID {uid} on subnet {netuid}: it was pruned; register again to keep earning"
                ),
                Err(e) => tracing::warn!("cannot check the registration: {e:#}"),
            }
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => tracing::info!("interrupted, shutting down"),
        _ = super::terminate() => tracing::info!("terminated, shutting down"),
        _ = watch => {}
    }
    handle.shutdown().await;
    Ok(())
}
