//! The miner's HTTP server.
//!
//! Request path, in order (nothing task-related runs before step 3 succeeds):
//! 0. the connection is admitted under the global and per-address caps and must deliver its
//!    request head within the header deadline ([`conn`]);
//! 1. identity from the headers alone ([`check_caller`]): signed? well-formed? addressed to me?
//!    fresh? the claimed signer registered, holding a validator permit (unless the miner serves
//!    anyone) and enough stake? Nothing is read, hashed or verified for a caller refused here;
//! 2. body read with a size cap sized to the task and a deadline;
//! 3. [`check_body`]: signature over this route's request string, then the signer's nonce quota
//!    (scaled by stake) and replay;
//! 4. the job enters the stake-priority queue ([`queue::Scheduler`]) with a deadline taken from
//!    `x-bt-timeout-ms` (capped by the miner);
//! 5. a worker runs the task handler on the blocking pool; at the deadline the handler's
//!    [`CancelToken`] is set and the caller gets 504;
//! 6. the response body is signed by the miner for the caller (same nonce as the request).
//!
//! `GET /health` is unauthenticated and returns the miner's hotkey, task and counters (nothing
//! about the local machine); use it as a readiness probe.

pub mod conn;
pub mod nonce;
pub mod queue;
pub mod refusal;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Result;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::peers::{PeerDirectory, PeerInfo};
use crate::wire::message::{HDR_TIMEOUT_MS, skew_ms, valid_route};
use crate::wire::{Envelope, Hotkey, Purpose, now_ms};
use nonce::{NonceCache, NonceError};
pub use queue::CancelToken;
use queue::{Outcome, Scheduler};
pub use refusal::{Refusal, RefusalBody};

/// Why a task handler could not answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HandlerError {
    /// The request body is not a valid challenge (caller's fault).
    #[error("{0}")]
    BadRequest(String),
    /// Stopped because the cancel token was set.
    #[error("cancelled")]
    Cancelled,
    #[error("{0}")]
    Internal(String),
}

/// A task endpoint served by the axon. `handle` runs on a blocking thread; long handlers must
/// poll `cancel` between chunks of work and return [`HandlerError::Cancelled`] when it is set.
pub trait Handler: Send + Sync + 'static {
    /// Route name: served at `POST /{route}`; must satisfy [`crate::wire::message::valid_route`].
    fn route(&self) -> &'static str;
    /// Produces the JSON response body for a verified request body.
    fn handle(&self, body: &[u8], cancel: &CancelToken) -> Result<Vec<u8>, HandlerError>;
    /// Largest request body a valid request can have; larger bodies are refused unread.
    fn max_body_bytes(&self) -> usize {
        1 << 20
    }
    /// Extra facts for `/health` (model size, backend, ...).
    fn describe(&self) -> serde_json::Value {
        serde_json::Value::Null
    }
}

/// Axon settings.
#[derive(Debug, Clone)]
pub struct AxonConfig {
    /// Accepted clock difference, both directions, in ms.
    pub window_ms: u64,
    /// Serve only callers holding a validator permit (the default: a miner answers validators,
    /// so a competitor cannot relay its own challenges through it).
    pub require_permit: bool,
    /// Minimum stake (RAO) a caller needs, on top of the permit rule.
    pub min_stake_rao: u64,
    /// Concurrent handler executions.
    pub workers: usize,
    /// Queued (accepted, not yet running) requests.
    pub queue_capacity: usize,
    /// Deadline when the caller sends no x-bt-timeout-ms.
    pub default_timeout_ms: u64,
    /// Upper bound on any request's deadline.
    pub max_timeout_ms: u64,
    /// Upper bound on request bodies; the handler's own (smaller) bound applies first.
    pub max_body_bytes: usize,
    /// Time for the whole body to arrive once the head is in.
    pub body_timeout: Duration,
    /// Live nonces any admitted signer may hold ([`nonce::quota_for`]).
    pub nonce_floor: usize,
    /// Live nonces shared out by stake among signers.
    pub nonce_budget: usize,
    /// Connection caps and the header/idle deadline.
    pub conn: conn::ConnLimits,
}

impl Default for AxonConfig {
    fn default() -> Self {
        Self {
            window_ms: 30_000,
            require_permit: true,
            min_stake_rao: 0,
            workers: 2,
            queue_capacity: 256,
            default_timeout_ms: 12_000,
            max_timeout_ms: 60_000,
            max_body_bytes: 4 << 20,
            body_timeout: Duration::from_secs(10),
            nonce_floor: 64,
            nonce_budget: 100_000,
            conn: conn::ConnLimits::default(),
        }
    }
}

/// A verified caller, available to handlers as an extension.
#[derive(Debug, Clone)]
pub struct Caller {
    pub envelope: Envelope,
    pub peer: PeerInfo,
}

/// A caller admitted on its headers, before its body is read: who it claims to be and its
/// share of the replay cache.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub envelope: Envelope,
    pub peer: PeerInfo,
    pub nonce_quota: usize,
}

type JobResult = Result<Vec<u8>, HandlerError>;

struct AxonState {
    cfg: AxonConfig,
    hotkey: Hotkey,
    directory: Arc<dyn PeerDirectory>,
    nonces: Mutex<NonceCache>,
    scheduler: Scheduler<JobResult>,
    handler: Arc<dyn Handler>,
    max_body: usize,
    refused: Mutex<std::collections::BTreeMap<&'static str, u64>>,
    served: AtomicU64,
    conn_stats: Arc<conn::ConnStats>,
}

impl AxonState {
    fn refuse(&self, r: Refusal) -> Response {
        *self
            .refused
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(r.code())
            .or_default() += 1;
        tracing::debug!(code = r.code(), "refused request");
        r.into_response()
    }
}

/// Everything that can be decided from the headers alone, cheapest first: signed, well-formed,
/// addressed to this miner, fresh; then the *claimed* signer's registration, permit and stake.
/// The claim is only trusted after [`check_body`] verifies the signature, but a caller that
/// would be refused even if honest costs the miner no body read and no signature check.
pub fn check_caller(
    me: &Hotkey,
    cfg: &AxonConfig,
    directory: &dyn PeerDirectory,
    headers: &HeaderMap,
    now: u64,
) -> Result<Claimed, Refusal> {
    let envelope = Envelope::from_headers(headers)
        .map_err(Refusal::Malformed)?
        .ok_or(Refusal::Unsigned)?;
    if envelope.recipient != me.account() {
        return Err(Refusal::WrongRecipient {
            got: envelope.recipient,
            me: me.account(),
        });
    }
    let skew_ms = skew_ms(now, envelope.timestamp_ms);
    if skew_ms.unsigned_abs() > cfg.window_ms {
        return Err(Refusal::Stale {
            skew_ms,
            window_ms: cfg.window_ms,
        });
    }
    let peers = directory.snapshot();
    let peer = peers
        .by_hotkey(&envelope.signer)
        .cloned()
        .ok_or(Refusal::UnknownSigner(envelope.signer))?;
    if cfg.require_permit && !peer.validator_permit {
        return Err(Refusal::NoValidatorPermit);
    }
    if peer.stake_rao < cfg.min_stake_rao {
        return Err(Refusal::InsufficientStake {
            have_rao: peer.stake_rao,
            need_rao: cfg.min_stake_rao,
        });
    }
    let nonce_quota = nonce::quota_for(
        peer.stake_rao,
        peers.total_stake_rao(),
        cfg.nonce_floor,
        cfg.nonce_budget,
    );
    Ok(Claimed {
        envelope,
        peer,
        nonce_quota,
    })
}

/// The body-dependent half: the signature over this route's request string, then the signer's
/// nonce quota and replay (only after the signature, so nobody can spend another's quota).
pub fn check_body(
    claimed: Claimed,
    route: &str,
    nonces: &Mutex<NonceCache>,
    body: &[u8],
    now: u64,
) -> Result<Caller, Refusal> {
    let Claimed {
        envelope,
        peer,
        nonce_quota,
    } = claimed;
    if !envelope.verify(Purpose::request(route), body) {
        return Err(Refusal::BadSignature);
    }
    nonces
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .check_and_insert(
            envelope.signer,
            &envelope.nonce,
            envelope.timestamp_ms,
            now,
            nonce_quota,
        )
        .map_err(|e| match e {
            NonceError::Replayed => Refusal::Replayed,
            NonceError::QuotaFull { quota } => Refusal::NonceQuotaFull { quota },
            NonceError::Full => Refusal::Overloaded("replay cache full"),
        })?;
    Ok(Caller { envelope, peer })
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
}

async fn verify_layer(State(st): State<Arc<AxonState>>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let claimed = match check_caller(
        &st.hotkey,
        &st.cfg,
        st.directory.as_ref(),
        &parts.headers,
        now_ms(),
    ) {
        Ok(c) => c,
        Err(r) => return st.refuse(r),
    };
    let too_large = Refusal::BodyTooLarge { limit: st.max_body };
    if declared_length(&parts.headers).is_some_and(|n| n > st.max_body as u64) {
        return st.refuse(too_large);
    }
    let read = axum::body::to_bytes(body, st.max_body);
    let bytes = match tokio::time::timeout(st.cfg.body_timeout, read).await {
        Ok(Ok(b)) => b,
        Ok(Err(_)) => return st.refuse(too_large),
        Err(_) => {
            return st.refuse(Refusal::BodyReadTimeout {
                limit_ms: st.cfg.body_timeout.as_millis() as u64,
            });
        }
    };
    match check_body(claimed, st.handler.route(), &st.nonces, &bytes, now_ms()) {
        Ok(caller) => {
            parts.extensions.insert(caller);
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(r) => st.refuse(r),
    }
}

async fn task_route(
    State(st): State<Arc<AxonState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let timeout_ms = headers
        .get(HDR_TIMEOUT_MS)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(st.cfg.default_timeout_ms)
        .clamp(1, st.cfg.max_timeout_ms);
    let deadline = Instant::now() + Duration::from_millis(timeout_ms);
    let handler = st.handler.clone();
    let work = Box::new(move |cancel: CancelToken| handler.handle(&body, &cancel));
    let (key, rx) = match st.scheduler.submit(caller.peer.stake_rao, deadline, work) {
        Ok(x) => x,
        Err(_) => return st.refuse(Refusal::Overloaded("queue full of higher-stake requests")),
    };
    let outcome = match tokio::time::timeout_at(deadline, rx).await {
        Ok(Ok(o)) => o,
        Ok(Err(_)) => Outcome::Panicked,
        Err(_) => {
            let queued = st.scheduler.withdraw(key);
            return st.refuse(Refusal::DeadlineExceeded {
                timeout_ms,
                started: !queued,
            });
        }
    };
    match outcome {
        Outcome::Done(Ok(resp)) => {
            st.served.fetch_add(1, Ordering::Relaxed);
            sign_response(&st.hotkey, st.handler.route(), &caller, resp)
        }
        Outcome::Done(Err(HandlerError::BadRequest(why))) => st.refuse(Refusal::BadBody(why)),
        Outcome::Done(Err(HandlerError::Cancelled)) | Outcome::Cancelled => {
            st.refuse(Refusal::DeadlineExceeded {
                timeout_ms,
                started: true,
            })
        }
        Outcome::Expired => st.refuse(Refusal::DeadlineExceeded {
            timeout_ms,
            started: false,
        }),
        Outcome::Evicted => st.refuse(Refusal::Overloaded("evicted by higher-stake requests")),
        Outcome::Done(Err(HandlerError::Internal(why))) => st.refuse(Refusal::HandlerFailed(why)),
        Outcome::Panicked => st.refuse(Refusal::HandlerFailed("handler panicked".into())),
    }
}

fn sign_response(me: &Hotkey, route: &str, caller: &Caller, body: Vec<u8>) -> Response {
    let env = Envelope::sign(
        me,
        Purpose::response(route),
        caller.envelope.signer,
        &body,
        caller.envelope.nonce.clone(),
        now_ms(),
    );
    let mut resp = (axum::http::StatusCode::OK, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    for (k, v) in env.header_pairs() {
        h.insert(
            k,
            HeaderValue::from_str(&v).expect("envelope headers are ASCII"),
        );
    }
    resp
}

async fn health(State(st): State<Arc<AxonState>>) -> Json<serde_json::Value> {
    let s = st.scheduler.stats();
    let c = &st.conn_stats;
    Json(serde_json::json!({
        "hotkey": st.hotkey.account().to_ss58(),
        "route": format!("/{}", st.handler.route()),
        "handler": st.handler.describe(),
        "served": st.served.load(Ordering::Relaxed),
        "queued": st.scheduler.queued(),
        "cancelled_running": s.cancelled_running.load(Ordering::Relaxed),
        "expired_in_queue": s.expired_in_queue.load(Ordering::Relaxed),
        "refused": *st.refused.lock().unwrap_or_else(|p| p.into_inner()),
        "nonces_cached": st.nonces.lock().unwrap_or_else(|p| p.into_inner()).len(),
        "connections": {
            "open": c.open.load(Ordering::Relaxed),
            "refused_per_address": c.refused_per_address.load(Ordering::Relaxed),
            "refused_global": c.refused_global.load(Ordering::Relaxed),
        },
        "serves": if st.cfg.require_permit { "validator permit holders" } else { "registered hotkeys" },
    }))
}

/// A running axon.
pub struct AxonHandle {
    pub addr: SocketAddr,
    shutdown: Option<watch::Sender<bool>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl AxonHandle {
    /// Stops accepting connections and waits for in-flight requests.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(true);
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }

    /// Runs until the server stops (for the `neuron miner` process).
    pub async fn wait(mut self) {
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

impl Drop for AxonHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(true);
        }
    }
}

/// Starts serving `handler` on `listener`. Must be called inside a tokio runtime.
pub fn serve(
    listener: TcpListener,
    hotkey: Hotkey,
    cfg: AxonConfig,
    handler: Arc<dyn Handler>,
    directory: Arc<dyn PeerDirectory>,
) -> Result<AxonHandle> {
    let addr = listener.local_addr()?;
    if !valid_route(handler.route()) {
        anyhow::bail!(
            "route {:?} is not servable: use 1..=64 chars of [a-z0-9_-]",
            handler.route()
        );
    }
    let route = format!("/{}", handler.route());
    let max_body = handler.max_body_bytes().min(cfg.max_body_bytes);
    let limits = cfg.conn;
    let drain = Duration::from_millis(cfg.max_timeout_ms);
    let conn_stats = Arc::new(conn::ConnStats::default());
    let state = Arc::new(AxonState {
        scheduler: Scheduler::start(cfg.workers, cfg.queue_capacity),
        nonces: Mutex::new(NonceCache::new(
            cfg.nonce_budget.saturating_mul(4),
            cfg.window_ms,
        )),
        cfg,
        hotkey,
        directory,
        handler,
        max_body,
        refused: Mutex::new(Default::default()),
        served: AtomicU64::new(0),
        conn_stats: conn_stats.clone(),
    });
    let app = Router::new()
        .route(&route, post(task_route))
        .route_layer(middleware::from_fn_with_state(state.clone(), verify_layer))
        .route("/health", get(health))
        .layer(axum::extract::DefaultBodyLimit::max(max_body))
        .with_state(state);
    let (tx, rx) = watch::channel(false);
    let task = tokio::spawn(conn::run(listener, app, limits, conn_stats, rx, drain));
    Ok(AxonHandle {
        addr,
        shutdown: Some(tx),
        task: Some(task),
    })
}
