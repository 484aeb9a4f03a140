//! A subnet's metagraph read from the chain: every UID with its hotkey, stake, consensus figures
//! and axon, read page by page at one block (one consistent state), pages in parallel.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};
use bt_interfaces::{
    AxonInfo, Hyperparams, MetagraphEntry, NEURON_AXONS_PAGE, RegistryView, SubnetView,
};
use subxt::ext::futures::future::try_join_all;

use super::Chain;
use super::contract::wire_account;
use crate::peers::{PeerDirectory, PeerInfo, PeerSet};

/// A subnet at one block.
#[derive(Debug, Clone)]
pub struct Metagraph {
    pub netuid: u16,
    pub block: u32,
    pub subnet: SubnetView,
    pub neurons: Vec<MetagraphEntry>,
    /// RPC requests the sync made (for the benchmark figures).
    pub rpc_calls: usize,
}

impl Metagraph {
    /// The neurons as the miner and validator see peers.
    pub fn peers(&self) -> Vec<PeerInfo> {
        self.neurons
            .iter()
            .map(|e| PeerInfo {
                uid: e.uid,
                hotkey: wire_account(&e.hotkey),
                stake_rao: u64::try_from(e.stake).unwrap_or(u64::MAX),
                validator_permit: e.validator_permit,
                axon: e.axon.as_ref().and_then(axon_addr),
            })
            .collect()
    }

    pub fn hyperparams(&self) -> &Hyperparams {
        &self.subnet.hyperparams
    }
}

/// An axon's socket address (None for an unset or malformed one).
pub fn axon_addr(a: &AxonInfo) -> Option<SocketAddr> {
    if a.port == 0 {
        return None;
    }
    let ip = match a.ip_type {
        4 => IpAddr::V4(Ipv4Addr::from(u32::try_from(a.ip).ok()?)),
        6 => IpAddr::V6(Ipv6Addr::from(a.ip)),
        _ => return None,
    };
    Some(SocketAddr::new(ip, a.port))
}

/// The registry's (ip, ip_type) for an address.
pub fn ip_fields(ip: IpAddr) -> (u128, u8) {
    match ip {
        IpAddr::V4(v4) => (u128::from(u32::from(v4)), 4),
        IpAddr::V6(v6) => (u128::from(v6), 6),
    }
}

impl Chain {
    /// Reads subnet `netuid`'s full metagraph at the best block.
    pub async fn metagraph(&self, netuid: u16) -> Result<Metagraph> {
        let best = self.rpc.best_block().await?;
        self.metagraph_at(netuid, best).await
    }

    /// Reads subnet `netuid`'s full metagraph at block (`block`, `at`).
    pub async fn metagraph_at(
        &self,
        netuid: u16,
        (block, at): (u32, subxt::utils::H256),
    ) -> Result<Metagraph> {
        let subnet = self
            .rpc
            .read_at(&self.registry().subnet(netuid), at)
            .await?
            .ok_or_else(|| super::no_subnet(netuid))?;
        let pages = (0..subnet.n).step_by(usize::from(NEURON_AXONS_PAGE));
        let reads = pages.map(|start| async move {
            self.rpc
                .read_at(&self.ledger().metagraph(netuid, start), at)
                .await?
                .map_err(|e| anyhow!("the ledger refused the metagraph page at {start}: {e:?}"))
        });
        let pages = try_join_all(reads).await?;
        let rpc_calls = 2 + 1 + pages.len();
        Ok(Metagraph {
            netuid,
            block,
            subnet,
            neurons: pages.into_iter().flatten().collect(),
            rpc_calls,
        })
    }
}

/// A [`PeerDirectory`] backed by the chain: re-reads the metagraph in the background once
/// `every_blocks` blocks have passed since the last sync; a failed sync keeps the previous view
/// and is retried a second later.
pub struct ChainPeerDirectory {
    set: Arc<Mutex<Arc<PeerSet>>>,
    meta: Arc<Mutex<Arc<Metagraph>>>,
    source: String,
}

impl ChainPeerDirectory {
    /// Syncs once (failing if the first sync fails), then keeps syncing on the runtime.
    pub async fn start(chain: Chain, netuid: u16, every_blocks: u32) -> Result<Arc<Self>> {
        let first = chain.metagraph(netuid).await?;
        let dir = Arc::new(Self {
            set: Arc::new(Mutex::new(Arc::new(PeerSet::new(first.peers())?))),
            meta: Arc::new(Mutex::new(Arc::new(first))),
            source: format!("subnet {netuid} on {}", chain.rpc.url),
        });
        let (set, meta) = (dir.set.clone(), dir.meta.clone());
        let mut synced_at = dir.metagraph().block;
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let best = match chain.rpc.best_block().await {
                    Ok(b) => b,
                    Err(e) => {
                        tracing::warn!("cannot read the best block: {e:#}");
                        continue;
                    }
                };
                if best.0 < synced_at.saturating_add(every_blocks.max(1)) {
                    continue;
                }
                let t0 = Instant::now();
                match chain.metagraph_at(netuid, best).await {
                    Ok(m) => match PeerSet::new(m.peers()) {
                        Ok(peers) => {
                            tracing::debug!(
                                block = m.block,
                                n = m.neurons.len(),
                                "metagraph synced in {:?}",
                                t0.elapsed()
                            );
                            synced_at = m.block;
                            *set.lock().expect("peer lock") = Arc::new(peers);
                            *meta.lock().expect("meta lock") = Arc::new(m);
                        }
                        Err(e) => tracing::warn!("metagraph sync gave an inconsistent view: {e:#}"),
                    },
                    Err(e) => tracing::warn!("metagraph sync failed, keeping the last view: {e:#}"),
                }
            }
        });
        Ok(dir)
    }

    /// The last metagraph read.
    pub fn metagraph(&self) -> Arc<Metagraph> {
        self.meta.lock().expect("meta lock").clone()
    }
}

impl PeerDirectory for ChainPeerDirectory {
    fn snapshot(&self) -> Arc<PeerSet> {
        self.set.lock().expect("peer lock").clone()
    }

    fn source(&self) -> String {
        self.source.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axon_addresses_round_trip_through_the_registry_fields() {
        for text in ["127.0.0.1:8091", "[2001:db8::1]:443", "203.0.113.9:1"] {
            let addr: SocketAddr = text.parse().unwrap();
            let (ip, ip_type) = ip_fields(addr.ip());
            let info = AxonInfo {
                ip,
                ip_type,
                port: addr.port(),
                ..Default::default()
            };
            assert_eq!(axon_addr(&info), Some(addr));
        }
        assert_eq!(axon_addr(&AxonInfo::default()), None);
    }
}
