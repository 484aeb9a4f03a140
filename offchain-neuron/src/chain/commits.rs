//! Commit-reveal of weights: what a hotkey committed (weights, salt, version key) is kept on
//! disk until it is revealed, so a restart never loses a reveal. The hash is the ledger
//! crate's own `commit_hash`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use super::{CallError, Chain};
use crate::wire::{AccountId, Hotkey};

/// Salt length in u16 words (as subtensor's clients use).
pub const SALT_WORDS: usize = 8;

/// One commit waiting for its reveal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingCommit {
    pub netuid: u16,
    pub uids: Vec<u16>,
    pub values: Vec<u16>,
    pub salt: Vec<u16>,
    pub version_key: u64,
    /// Hex of the committed hash.
    pub hash: String,
    /// Block the commit landed in (0 until known).
    pub committed_at: u32,
}

impl PendingCommit {
    /// A commit of these weights with a fresh random salt.
    pub fn new(
        hotkey: AccountId,
        netuid: u16,
        uids: Vec<u16>,
        values: Vec<u16>,
        version_key: u64,
    ) -> Self {
        let mut salt = vec![0u16; SALT_WORDS];
        for w in &mut salt {
            *w = (rand::rngs::OsRng.next_u32() & 0xffff) as u16;
        }
        let hash = hash_of(hotkey, netuid, &uids, &values, &salt, version_key);
        Self {
            netuid,
            uids,
            values,
            salt,
            version_key,
            hash: hex::encode(hash),
            committed_at: 0,
        }
    }

    pub fn hash_bytes(&self) -> Result<[u8; 32]> {
        let v = hex::decode(&self.hash).context("commit hash is not hex")?;
        v.try_into()
            .map_err(|_| anyhow::anyhow!("commit hash is not 32 bytes"))
    }
}

/// The ledger's commit hash of these weights.
pub fn hash_of(
    hotkey: AccountId,
    netuid: u16,
    uids: &[u16],
    values: &[u16],
    salt: &[u16],
    version_key: u64,
) -> [u8; 32] {
    consensus_ledger::commits::commit_hash(
        &hotkey.0.into(),
        netuid,
        uids,
        values,
        salt,
        version_key,
    )
}

/// Commits kept in a JSON file (written atomically).
#[derive(Debug, Clone)]
pub struct CommitStore {
    path: PathBuf,
}

impl CommitStore {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// `~/.bittensor-ink/commits/<hotkey>.json`.
    pub fn default_for(hotkey: AccountId) -> Self {
        Self::new(
            crate::wallet::home_dir()
                .join("commits")
                .join(format!("{hotkey}.json")),
        )
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn load(&self) -> Result<Vec<PendingCommit>> {
        match std::fs::read(&self.path) {
            Ok(b) => serde_json::from_slice(&b)
                .with_context(|| format!("{} is not a commits file", self.path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(e).with_context(|| format!("reading {}", self.path.display())),
        }
    }

    pub fn save(&self, commits: &[PendingCommit]) -> Result<()> {
        crate::fsutil::write_atomic(&self.path, &serde_json::to_vec_pretty(commits)?)
    }

    pub fn push(&self, c: PendingCommit) -> Result<()> {
        let mut all = self.load()?;
        all.push(c);
        self.save(&all)
    }

    pub fn remove(&self, hash: &str) -> Result<()> {
        let mut all = self.load()?;
        all.retain(|c| c.hash != hash);
        self.save(&all)
    }
}

/// Commits a row and stores its salt (before sending, so a crash never loses it).
pub async fn commit(
    c: &Chain,
    hotkey: &Hotkey,
    store: &CommitStore,
    netuid: u16,
    uids: Vec<u16>,
    values: Vec<u16>,
    version_key: u64,
) -> Result<PendingCommit> {
    let mut pending = PendingCommit::new(hotkey.account(), netuid, uids, values, version_key);
    store.push(pending.clone())?;
    let sent = c
        .send(
            "the weights commit",
            hotkey.pair(),
            &c.ledger().commit_weights(netuid, pending.hash_bytes()?),
        )
        .await;
    match sent {
        Ok(inc) => {
            store.remove(&pending.hash)?;
            pending.committed_at = inc.block;
            store.push(pending.clone())?;
            Ok(pending)
        }
        Err(e) => {
            if matches!(e, CallError::Refused { .. }) {
                store.remove(&pending.hash)?;
            }
            Err(e.into())
        }
    }
}

/// What a reveal pass did with the stored commits of one subnet.
#[derive(Debug, Default, Serialize)]
pub struct Reveals {
    pub revealed: Vec<PendingCommit>,
    /// Commits the ledger will never accept (expired, unknown, or older than the hotkey's
    /// registration), removed from the store.
    pub dropped: Vec<DroppedCommit>,
}

#[derive(Debug, Serialize)]
pub struct DroppedCommit {
    pub hash: String,
    pub committed_at: u32,
    /// The ledger's error (`CommitExpired`, ...).
    pub code: String,
    pub reason: String,
}

/// Reveals every stored commit on `netuid` that the ledger accepts now; drops expired ones.
pub async fn reveal_due(
    c: &Chain,
    hotkey: &Hotkey,
    store: &CommitStore,
    netuid: u16,
) -> Result<Reveals> {
    let mut out = Reveals::default();
    for p in store.load()?.into_iter().filter(|p| p.netuid == netuid) {
        let msg = c.ledger().reveal_weights(
            netuid,
            p.uids.clone(),
            p.values.clone(),
            p.salt.clone(),
            p.version_key,
        );
        match c.send("the weights reveal", hotkey.pair(), &msg).await {
            Ok(inc) => {
                tracing::info!("revealed commit 0x{} in block {}", p.hash, inc.block);
                store.remove(&p.hash)?;
                out.revealed.push(p);
            }
            Err(CallError::Refused { code, refusal, .. }) => match code.as_str() {
                c if c.starts_with("RevealTooEarly") => {
                    tracing::debug!("commit 0x{} not revealable yet: {}", p.hash, refusal.reason)
                }
                "CommitExpired" | "NoMatchingCommit" | "CommitBeforeRegistration" => {
                    tracing::warn!("dropping commit 0x{}: {}", p.hash, refusal.reason);
                    store.remove(&p.hash)?;
                    out.dropped.push(DroppedCommit {
                        hash: p.hash,
                        committed_at: p.committed_at,
                        code: code.clone(),
                        reason: refusal.reason.clone(),
                    });
                }
                _ => tracing::warn!(
                    "reveal of 0x{} refused: {}. {}",
                    p.hash,
                    refusal.reason,
                    refusal.fix
                ),
            },
            Err(e) => return Err(e.into()),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_survive_a_restart_and_hash_like_the_ledger() {
        let dir = tempfile::tempdir().unwrap();
        let store = CommitStore::new(dir.path().join("c.json"));
        let hot = AccountId([9; 32]);
        let c = PendingCommit::new(hot, 1, vec![0, 1], vec![100, 65535], 7);
        assert_eq!(
            c.hash_bytes().unwrap(),
            hash_of(hot, 1, &c.uids, &c.values, &c.salt, 7)
        );
        assert_ne!(
            c.hash_bytes().unwrap(),
            hash_of(hot, 1, &c.uids, &c.values, &c.salt, 8)
        );
        store.push(c.clone()).unwrap();
        assert_eq!(
            CommitStore::new(store.path()).load().unwrap(),
            vec![c.clone()]
        );
        store.remove(&c.hash).unwrap();
        assert!(store.load().unwrap().is_empty());
    }
}
