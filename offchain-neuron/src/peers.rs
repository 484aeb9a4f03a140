//! Who is in the subnet: UIDs, hotkeys, stake, validator permits and axon addresses.
//!
//! Miners and validators only see the subnet through [`PeerDirectory`]. Until the chain client
//! exists, the directory comes from a local JSON file ([`FilePeerDirectory`], clearly an
//! off-chain stand-in) or is built in memory ([`StaticPeerDirectory`], used by tests). The
//! chain-backed implementation (metagraph read from the contracts) will implement the same trait.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::wire::AccountId;

/// One neuron of the subnet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerInfo {
    pub uid: u16,
    pub hotkey: AccountId,
    /// Stake behind the hotkey, in RAO (1 TAO = 1e9 RAO).
    pub stake_rao: u64,
    /// Holds a validator permit.
    #[serde(default)]
    pub validator_permit: bool,
    /// Served axon (`ip:port`), if any.
    #[serde(default)]
    pub axon: Option<SocketAddr>,
}

/// A consistent view of the subnet at one moment.
#[derive(Debug, Clone, Default)]
pub struct PeerSet {
    peers: Vec<PeerInfo>,
    by_hotkey: HashMap<AccountId, usize>,
    total_stake_rao: u64,
}

impl PeerSet {
    /// Builds a set; UIDs and hotkeys must be unique.
    pub fn new(mut peers: Vec<PeerInfo>) -> Result<Self> {
        peers.sort_by_key(|p| p.uid);
        let mut by_hotkey = HashMap::with_capacity(peers.len());
        for (i, p) in peers.iter().enumerate() {
            if i > 0 && peers[i - 1].uid == p.uid {
                bail!("uid {} appears twice in the peer list", p.uid);
            }
            if by_hotkey.insert(p.hotkey, i).is_some() {
                bail!("hotkey {} appears twice in the peer list", p.hotkey);
            }
        }
        let total_stake_rao = peers
            .iter()
            .fold(0u64, |t, p| t.saturating_add(p.stake_rao));
        Ok(Self {
            peers,
            by_hotkey,
            total_stake_rao,
        })
    }

    /// Stake of every peer together, in RAO.
    pub fn total_stake_rao(&self) -> u64 {
        self.total_stake_rao
    }

    pub fn peers(&self) -> &[PeerInfo] {
        &self.peers
    }

    pub fn by_hotkey(&self, hotkey: &AccountId) -> Option<&PeerInfo> {
        self.by_hotkey.get(hotkey).map(|&i| &self.peers[i])
    }

    pub fn by_uid(&self, uid: u16) -> Option<&PeerInfo> {
        self.peers
            .binary_search_by_key(&uid, |p| p.uid)
            .ok()
            .map(|i| &self.peers[i])
    }

    /// One more than the largest UID (the length of per-UID vectors).
    pub fn n(&self) -> usize {
        self.peers.last().map_or(0, |p| usize::from(p.uid) + 1)
    }
}

/// Source of the subnet's membership, stake and axons.
pub trait PeerDirectory: Send + Sync + 'static {
    /// The current view. Cheap: implementations cache and refresh on their own schedule.
    fn snapshot(&self) -> Arc<PeerSet>;

    /// Human-readable description of where the data comes from (shown in logs).
    fn source(&self) -> String;
}

/// A fixed, in-memory directory.
pub struct StaticPeerDirectory {
    set: Mutex<Arc<PeerSet>>,
}

impl StaticPeerDirectory {
    pub fn new(peers: Vec<PeerInfo>) -> Result<Self> {
        Ok(Self {
            set: Mutex::new(Arc::new(PeerSet::new(peers)?)),
        })
    }

    /// Replaces the view (tests: re-registration of a UID, stake changes).
    pub fn replace(&self, peers: Vec<PeerInfo>) -> Result<()> {
        *self.set.lock().expect("peer lock") = Arc::new(PeerSet::new(peers)?);
        Ok(())
    }
}

impl PeerDirectory for StaticPeerDirectory {
    fn snapshot(&self) -> Arc<PeerSet> {
        self.set.lock().expect("peer lock").clone()
    }
    fn source(&self) -> String {
        "in-memory peer list".into()
    }
}

/// On-disk format of a peers file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeersFile {
    /// Free text; `neuron` writes a reminder that this is a local stand-in for the chain.
    #[serde(default)]
    pub note: Option<String>,
    pub peers: Vec<PeerInfo>,
}

impl PeersFile {
    pub const NOTE: &'static str = "local off-chain peer list (uid, hotkey, stake, permit, axon); the chain-backed metagraph replaces it later";

    pub fn new(peers: Vec<PeerInfo>) -> Self {
        Self {
            note: Some(Self::NOTE.into()),
            peers,
        }
    }

    pub fn write(&self, path: &Path) -> Result<()> {
        crate::fsutil::write_atomic(path, &serde_json::to_vec_pretty(self)?)
    }
}

/// LOCAL, OFF-CHAIN directory read from a JSON peers file ([`PeersFile`]). The file is re-read
/// when its modification time changes, so an operator (or a test) can edit it while neurons run;
/// a file that fails to parse keeps the previous view and logs why.
pub struct FilePeerDirectory {
    path: PathBuf,
    state: Mutex<(Option<SystemTime>, Arc<PeerSet>)>,
}

impl FilePeerDirectory {
    pub fn open(path: &Path) -> Result<Self> {
        let (mtime, set) = Self::read(path)?;
        Ok(Self {
            path: path.to_path_buf(),
            state: Mutex::new((mtime, Arc::new(set))),
        })
    }

    fn read(path: &Path) -> Result<(Option<SystemTime>, PeerSet)> {
        let mtime = std::fs::metadata(path).and_then(|m| m.modified()).ok();
        let bytes = std::fs::read(path).with_context(|| {
            format!(
                "cannot read peers file {}; create it with `neuron peers add` (one entry per neuron: uid, hotkey, stake_rao, validator_permit, axon)",
                path.display()
            )
        })?;
        let file: PeersFile = serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "peers file {} is not valid JSON of the expected shape",
                path.display()
            )
        })?;
        let set =
            PeerSet::new(file.peers).with_context(|| format!("peers file {}", path.display()))?;
        Ok((mtime, set))
    }
}

impl PeerDirectory for FilePeerDirectory {
    fn snapshot(&self) -> Arc<PeerSet> {
        let mut st = self.state.lock().expect("peer lock");
        let mtime = std::fs::metadata(&self.path)
            .and_then(|m| m.modified())
            .ok();
        if mtime != st.0 {
            match Self::read(&self.path) {
                Ok((m, set)) => {
                    tracing::info!(peers = set.peers().len(), file = %self.path.display(), "peers file reloaded");
                    *st = (m, Arc::new(set));
                }
                Err(e) => {
                    tracing::warn!("keeping the previous peer list: {e:#}");
                    st.0 = mtime;
                }
            }
        }
        st.1.clone()
    }

    fn source(&self) -> String {
        format!(
            "local peers file {} (off-chain stand-in for the metagraph)",
            self.path.display()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Hotkey;

    fn peer(uid: u16, uri: &str) -> PeerInfo {
        PeerInfo {
            uid,
            hotkey: Hotkey::from_uri(uri).unwrap().account(),
            stake_rao: 1_000_000_000 * u64::from(uid + 1),
            validator_permit: uid == 0,
            axon: Some(format!("127.0.0.1:{}", 9000 + uid).parse().unwrap()),
        }
    }

    #[test]
    fn lookups_and_duplicates() {
        let set = PeerSet::new(vec![peer(2, "//Bob"), peer(0, "//Alice")]).unwrap();
        assert_eq!(set.n(), 3);
        assert_eq!(
            set.by_uid(2).unwrap().hotkey,
            Hotkey::from_uri("//Bob").unwrap().account()
        );
        assert!(set.by_uid(1).is_none());
        assert_eq!(
            set.by_hotkey(&Hotkey::from_uri("//Alice").unwrap().account())
                .unwrap()
                .uid,
            0
        );
        assert!(PeerSet::new(vec![peer(0, "//Bob"), peer(0, "//Alice")]).is_err());
        assert!(PeerSet::new(vec![peer(0, "//Bob"), peer(1, "//Bob")]).is_err());
    }

    #[test]
    fn file_directory_round_trips_and_reloads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("peers.json");
        PeersFile::new(vec![peer(0, "//Alice")])
            .write(&path)
            .unwrap();
        let d = FilePeerDirectory::open(&path).unwrap();
        assert_eq!(d.snapshot().peers().len(), 1);
        // Force a different mtime even on coarse-grained file systems.
        PeersFile::new(vec![peer(0, "//Alice"), peer(1, "//Bob")])
            .write(&path)
            .unwrap();
        let f = std::fs::File::options().write(true).open(&path).unwrap();
        f.set_modified(SystemTime::now() + std::time::Duration::from_secs(5))
            .unwrap();
        assert_eq!(d.snapshot().peers().len(), 2);
        assert!(d.source().contains("off-chain"));
    }
}
