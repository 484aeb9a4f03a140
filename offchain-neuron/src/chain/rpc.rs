//! The connection to a node: subxt's reconnecting WebSocket client, a deadline on every RPC,
//! and retries with backoff for reads (a dropped connection costs a retry, not the process).

use std::future::Future;
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow, bail};
use subxt::backend::legacy::LegacyRpcMethods;
use subxt::backend::rpc::RpcClient;
use subxt::backend::rpc::reconnecting_rpc_client::{ExponentialBackoff, RpcClient as Reconnecting};
use subxt::{OnlineClient, PolkadotConfig};

/// How long one RPC may take before it counts as failed.
pub const RPC_DEADLINE: Duration = Duration::from_secs(20);
/// How long a read keeps retrying a failing connection before giving up.
pub const READ_PATIENCE: Duration = Duration::from_secs(60);

/// The two faces of one connection: subxt's client (metadata, signing, events) and the raw
/// legacy RPC methods (headers, nonces).
#[derive(Clone)]
pub struct Rpc {
    pub client: OnlineClient<PolkadotConfig>,
    pub legacy: LegacyRpcMethods<PolkadotConfig>,
    pub url: String,
}

impl Rpc {
    /// Connects to `url` (ws:// or wss://), retrying with backoff for up to `patience`.
    pub async fn connect(url: &str, patience: Duration) -> Result<Self> {
        let started = Instant::now();
        let mut delay = Duration::from_millis(200);
        loop {
            match Self::try_connect(url).await {
                Ok(rpc) => return Ok(rpc),
                Err(e) if started.elapsed() + delay < patience => {
                    tracing::warn!("cannot reach {url} yet ({e:#}); retrying in {delay:?}");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
                Err(e) => {
                    bail!(
                        "cannot reach the node at {url}: {e:#}. Is it running? Start one with \
                         `substrate-contracts-node --dev`, or pass --url (or set BT_URL)"
                    )
                }
            }
        }
    }

    async fn try_connect(url: &str) -> Result<Self> {
        let reconnecting = deadline(
            Reconnecting::builder()
                .retry_policy(
                    ExponentialBackoff::from_millis(100)
                        .max_delay(Duration::from_secs(5))
                        .take(20),
                )
                .request_timeout(RPC_DEADLINE)
                .connection_timeout(Duration::from_secs(5))
                .build(url.to_string()),
        )
        .await??;
        let rpc = RpcClient::new(reconnecting);
        // The legacy backend follows best blocks: a dev node seals a block per transaction
        // and finalizes later, and users expect to see their transaction at once.
        let client =
            deadline(OnlineClient::<PolkadotConfig>::from_rpc_client(rpc.clone())).await??;
        Ok(Self {
            client,
            legacy: LegacyRpcMethods::new(rpc),
            url: url.to_string(),
        })
    }

    /// The best block's number and hash.
    pub async fn best_block(&self) -> Result<(u32, subxt::utils::H256)> {
        retry("read the best block", || async {
            let header = self
                .legacy
                .chain_get_header(None)
                .await?
                .ok_or_else(|| anyhow!("the node returned no best header"))?;
            let hash = self
                .legacy
                .chain_get_block_hash(Some(header.number.into()))
                .await?
                .ok_or_else(|| anyhow!("the node has no hash for block {}", header.number))?;
            Ok((header.number, hash))
        })
        .await
    }
}

/// Runs `f` under [`RPC_DEADLINE`].
pub async fn deadline<T>(f: impl Future<Output = T>) -> Result<T> {
    tokio::time::timeout(RPC_DEADLINE, f)
        .await
        .map_err(|_| anyhow!("the node did not answer within {RPC_DEADLINE:?}"))
}

/// Runs a read until it succeeds, with backoff, for up to [`READ_PATIENCE`]. Each attempt
/// has [`RPC_DEADLINE`]. Only for idempotent calls: never for submissions.
pub async fn retry<T, F, Fut>(what: &str, mut f: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let started = Instant::now();
    let mut delay = Duration::from_millis(200);
    loop {
        let outcome = match deadline(f()).await {
            Ok(r) => r,
            Err(e) => Err(e),
        };
        match outcome {
            Ok(v) => return Ok(v),
            Err(e) if is_transient(&e) && started.elapsed() + delay < READ_PATIENCE => {
                tracing::warn!("{what}: {e:#}; retrying in {delay:?}");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
            Err(e) => return Err(e.context(format!("cannot {what}"))),
        }
    }
}

/// Whether an error is about the connection (worth a retry) rather than the request.
fn is_transient(e: &anyhow::Error) -> bool {
    for cause in e.chain() {
        if let Some(se) = cause.downcast_ref::<subxt::Error>() {
            return matches!(se, subxt::Error::Rpc(_) | subxt::Error::Io(_))
                || se.is_disconnected_will_reconnect();
        }
    }
    let text = format!("{e:#}");
    text.contains("did not answer within")
        || text.contains("connection")
        || text.contains("restart")
        || text.contains("disconnect")
}
