//! Where the suite lives: the deployment file `scripts/deploy.sh` writes (node URL and the
//! four contract addresses).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::wire::AccountId;

/// The addresses of a deployed, wired suite.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Deployment {
    /// The node's WebSocket URL at deployment (a `--url` flag overrides it).
    pub url: String,
    pub token: AccountId,
    pub registry: AccountId,
    pub staking: AccountId,
    pub ledger: AccountId,
    /// The netuid opened at deployment for a fair launch, if any.
    #[serde(default)]
    pub genesis_subnet: Option<u16>,
    /// Deployed with local-network settings (loopback axons allowed, small locks).
    #[serde(default)]
    pub local: bool,
}

impl Deployment {
    /// The default location: `./deployment.json` when it exists (what `scripts/deploy.sh`
    /// writes in the repository), else `~/.bittensor-ink/deployment.json`.
    pub fn default_path() -> PathBuf {
        let here = PathBuf::from("deployment.json");
        if here.is_file() {
            return here;
        }
        crate::wallet::home_dir().join("deployment.json")
    }

    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| {
            format!(
                "cannot read the deployment file {} (the suite's contract addresses). Deploy \
                 with `scripts/deploy.sh --out {}`, or pass --deployment (or set BT_DEPLOYMENT)",
                path.display(),
                path.display()
            )
        })?;
        serde_json::from_str(&text)
            .with_context(|| format!("{} is not a deployment file", path.display()))
    }
}
