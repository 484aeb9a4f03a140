//! The miner's HTTP server.
//!
//! Request path, in order (nothing task-related runs before step 2 succeeds):
//! 1. body read with a size cap;
//! 2. verification middleware ([`verify_request`]): signed? well-formed? addressed to me? fresh?
//!    signature valid over sha256(body)? signer registered? enough stake? nonce unused?
//! 3. the job enters the stake-priority queue ([`queue::Scheduler`]) with a deadline taken from
//!    `x-bt-timeout-ms` (capped by the miner);
//! 4. a worker runs the task handler on the blocking pool; at the deadline the handler's
//!    [`CancelToken`] is set and the caller gets 504;
//! 5. the response body is signed by the miner for the caller (same nonce as the request).
//!
//! `GET /health` is unauthenticated and returns the miner's hotkey, task and counters; use it
//! as a readiness probe.

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
use tokio::sync::oneshot;
use tokio::time::Instant;

use crate::peers::{PeerDirectory, PeerInfo};
use crate::wire::message::HDR_TIMEOUT_MS;
use crate::wire::{Envelope, Hotkey, now_ms};
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
    /// Route name: served at `POST /{route}`.
    fn route(&self) -> &'static str;
    /// Produces the JSON response body for a verified request body.
    fn handle(&self, body: &[u8], cancel: &CancelToken) -> Result<Vec<u8>, HandlerError>;
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
    /// Minimum stake (RAO) a caller needs.
    pub min_stake_rao: u64,
    /// Concurrent handler executions.
    pub workers: usize,
    /// Queued (accepted, not yet running) requests.
    pub queue_capacity: usize,
    /// Deadline when the caller sends no x-bt-timeout-ms.
    pub default_timeout_ms: u64,
    /// Upper bound on any request's deadline.
    pub max_timeout_ms: u64,
    pub max_body_bytes: usize,
    /// Remembered (signer, nonce) pairs.
    pub nonce_capacity: usize,
}

impl Default for AxonConfig {
    fn default() -> Self {
        Self {
            window_ms: 30_000,
            min_stake_rao: 0,
            workers: 2,
            queue_capacity: 256,
            default_timeout_ms: 12_000,
            max_timeout_ms: 60_000,
            max_body_bytes: 4 << 20,
            nonce_capacity: 100_000,
        }
    }
}

/// A verified caller, available to handlers as an extension.
#[derive(Debug, Clone)]
pub struct Caller {
    pub envelope: Envelope,
    pub peer: PeerInfo,
}

type JobResult = Result<Vec<u8>, HandlerError>;

struct AxonState {
    cfg: AxonConfig,
    hotkey: Hotkey,
    directory: Arc<dyn PeerDirectory>,
    nonces: Mutex<NonceCache>,
    scheduler: Scheduler<JobResult>,
    handler: Arc<dyn Handler>,
    refused: Mutex<std::collections::BTreeMap<&'static str, u64>>,
    served: AtomicU64,
}

impl AxonState {
    fn refuse(&self, r: Refusal) -> Response {
        *self
            .refused
            .lock()
            .expect("stats lock")
            .entry(r.code())
            .or_default() += 1;
        tracing::debug!(code = r.code(), "refused request");
        r.into_response()
    }
}

/// Checks that need only the headers (run before the body is even read): signed, well-formed,
/// addressed to this miner, fresh.
pub fn check_envelope(
    me: &Hotkey,
    cfg: &AxonConfig,
    headers: &HeaderMap,
    now: u64,
) -> Result<Envelope, Refusal> {
    let envelope = Envelope::from_headers(headers)
        .map_err(Refusal::Malformed)?
        .ok_or(Refusal::Unsigned)?;
    if envelope.recipient != me.account() {
        return Err(Refusal::WrongRecipient {
            got: envelope.recipient,
            me: me.account(),
        });
    }
    let skew_ms = now as i64 - envelope.timestamp_ms as i64;
    if skew_ms.unsigned_abs() > cfg.window_ms {
        return Err(Refusal::Stale {
            skew_ms,
            window_ms: cfg.window_ms,
        });
    }
    Ok(envelope)
}

/// The whole verification, as a pure function of the request and the miner's state:
/// [`check_envelope`], then the signature over the body, registration, stake and replay.
pub fn verify_request(
    me: &Hotkey,
    cfg: &AxonConfig,
    directory: &dyn PeerDirectory,
    nonces: &Mutex<NonceCache>,
    headers: &HeaderMap,
    body: &[u8],
    now: u64,
) -> Result<Caller, Refusal> {
    let envelope = check_envelope(me, cfg, headers, now)?;
    if !envelope.verify(body) {
        return Err(Refusal::BadSignature);
    }
    let peers = directory.snapshot();
    let peer = peers
        .by_hotkey(&envelope.signer)
        .cloned()
        .ok_or(Refusal::UnknownSigner(envelope.signer))?;
    if peer.stake_rao < cfg.min_stake_rao {
        return Err(Refusal::InsufficientStake {
            have_rao: peer.stake_rao,
            need_rao: cfg.min_stake_rao,
        });
    }
    nonces
        .lock()
        .expect("nonce lock")
        .check_and_insert(envelope.signer, &envelope.nonce, envelope.timestamp_ms, now)
        .map_err(|e| match e {
            NonceError::Replayed => Refusal::Replayed,
            NonceError::Full => Refusal::Overloaded("replay cache full"),
        })?;
    Ok(Caller { envelope, peer })
}

async fn verify_layer(State(st): State<Arc<AxonState>>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    // Refuse unsigned, malformed, misdirected and stale requests without reading their body.
    if let Err(r) = check_envelope(&st.hotkey, &st.cfg, &parts.headers, now_ms()) {
        return st.refuse(r);
    }
    let bytes = match axum::body::to_bytes(body, st.cfg.max_body_bytes).await {
        Ok(b) => b,
        Err(_) => {
            return st.refuse(Refusal::BodyTooLarge {
                limit: st.cfg.max_body_bytes,
            });
        }
    };
    match verify_request(
        &st.hotkey,
        &st.cfg,
        st.directory.as_ref(),
        &st.nonces,
        &parts.headers,
        &bytes,
        now_ms(),
    ) {
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
            sign_response(&st.hotkey, &caller, resp)
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

fn sign_response(me: &Hotkey, caller: &Caller, body: Vec<u8>) -> Response {
    let env = Envelope::sign(
        me,
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
    Json(serde_json::json!({
        "hotkey": st.hotkey.account().to_ss58(),
        "route": format!("/{}", st.handler.route()),
        "handler": st.handler.describe(),
        "served": st.served.load(Ordering::Relaxed),
        "queued": st.scheduler.queued(),
        "cancelled_running": s.cancelled_running.load(Ordering::Relaxed),
        "expired_in_queue": s.expired_in_queue.load(Ordering::Relaxed),
        "refused": *st.refused.lock().expect("stats lock"),
        "nonces_cached": st.nonces.lock().expect("nonce lock").len(),
        "peer_source": st.directory.source(),
    }))
}

/// A running axon.
pub struct AxonHandle {
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl AxonHandle {
    /// Stops accepting connections and waits for in-flight requests.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
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
            let _ = tx.send(());
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
    let route = format!("/{}", handler.route());
    let max_body = cfg.max_body_bytes;
    let state = Arc::new(AxonState {
        scheduler: Scheduler::start(cfg.workers, cfg.queue_capacity),
        nonces: Mutex::new(NonceCache::new(cfg.nonce_capacity, cfg.window_ms)),
        cfg,
        hotkey,
        directory,
        handler,
        refused: Mutex::new(Default::default()),
        served: AtomicU64::new(0),
    });
    let app = Router::new()
        .route(&route, post(task_route))
        .route_layer(middleware::from_fn_with_state(state.clone(), verify_layer))
        .route("/health", get(health))
        .layer(axum::extract::DefaultBodyLimit::max(max_body))
        .with_state(state);
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let r = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await;
        if let Err(e) = r {
            tracing::error!("axon stopped: {e}");
        }
    });
    Ok(AxonHandle {
        addr,
        shutdown: Some(tx),
        task: Some(task),
    })
}
