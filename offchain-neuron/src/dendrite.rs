//! The validator's HTTP client: signs requests, fans them out concurrently under one hard
//! deadline, and accepts only responses signed by the expected miner for this validator.

use std::net::SocketAddr;
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::axon::RefusalBody;
use crate::peers::PeerInfo;
use crate::wire::message::HDR_TIMEOUT_MS;
use crate::wire::message::skew_ms;
use crate::wire::{AccountId, Envelope, Hotkey, Purpose, new_nonce, now_ms};

/// Why a query produced no usable answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QueryError {
    #[error("peer serves no axon")]
    NoAxon,
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("transport error: {0}")]
    Transport(String),
    #[error("refused with {status} {}: {} (fix: {})", .body.error, .body.reason, .body.fix)]
    Refused { status: u16, body: RefusalBody },
    #[error("HTTP {status} without a refusal body")]
    Http { status: u16 },
    #[error("response larger than {0} bytes")]
    TooLarge(usize),
    #[error("response signature rejected: {0}")]
    BadResponseSignature(String),
    #[error("response body is not valid JSON for the task: {0}")]
    BadBody(String),
}

/// Maps a reqwest error to a timeout or a transport error that names the underlying cause.
fn transport_error(e: reqwest::Error, timeout: Duration) -> QueryError {
    if e.is_timeout() {
        return QueryError::Timeout(timeout);
    }
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(&e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    QueryError::Transport(msg)
}

/// Headers of a signed JSON request: content type and the envelope.
pub fn request_headers(env: &Envelope) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    for (k, v) in env.header_pairs() {
        headers.insert(k, HeaderValue::from_str(&v).expect("ASCII header"));
    }
    headers
}

/// A verified answer body and how long it took.
#[derive(Debug, Clone)]
pub struct Answer {
    pub uid: u16,
    pub hotkey: AccountId,
    pub latency: Duration,
    pub result: Result<Vec<u8>, QueryError>,
}

/// Signs and sends requests as `hotkey`.
#[derive(Clone)]
pub struct Dendrite {
    client: reqwest::Client,
    hotkey: Hotkey,
    /// Accepted clock difference on responses (ms).
    pub window_ms: u64,
    /// Largest response body read.
    pub max_response_bytes: usize,
}

impl Dendrite {
    pub fn new(hotkey: Hotkey) -> Self {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            // Below the axon's idle deadline (15 s), so a pooled connection is never reused
            // just as the miner closes it.
            .pool_idle_timeout(Duration::from_secs(10))
            .pool_max_idle_per_host(8)
            .no_proxy()
            .build()
            .expect("static reqwest configuration");
        Self {
            client,
            hotkey,
            window_ms: 30_000,
            max_response_bytes: 1 << 20,
        }
    }

    pub fn hotkey(&self) -> &Hotkey {
        &self.hotkey
    }

    /// Sends `body` to `POST http://{addr}/{route}` signed for `recipient` and returns the
    /// verified response body. `timeout` bounds the whole exchange.
    pub async fn call(
        &self,
        addr: SocketAddr,
        recipient: AccountId,
        route: &str,
        body: bytes::Bytes,
        timeout: Duration,
    ) -> Result<Vec<u8>, QueryError> {
        match tokio::time::timeout(
            timeout,
            self.call_inner(addr, recipient, route, body, timeout),
        )
        .await
        {
            Ok(r) => r,
            Err(_) => Err(QueryError::Timeout(timeout)),
        }
    }

    async fn call_inner(
        &self,
        addr: SocketAddr,
        recipient: AccountId,
        route: &str,
        body: bytes::Bytes,
        timeout: Duration,
    ) -> Result<Vec<u8>, QueryError> {
        let env = Envelope::sign(
            &self.hotkey,
            Purpose::request(route),
            recipient,
            &body,
            new_nonce(),
            now_ms(),
        );
        let mut headers = request_headers(&env);
        headers.insert(
            HDR_TIMEOUT_MS,
            HeaderValue::from(timeout.as_millis() as u64),
        );
        let mut resp = self
            .client
            .post(format!("http://{addr}/{route}"))
            .headers(headers)
            .timeout(timeout)
            .body(body)
            .send()
            .await
            .map_err(|e| transport_error(e, timeout))?;
        let status = resp.status();
        let resp_headers = resp.headers().clone();
        let mut buf = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| transport_error(e, timeout))?
        {
            if buf.len() + chunk.len() > self.max_response_bytes {
                return Err(QueryError::TooLarge(self.max_response_bytes));
            }
            buf.extend_from_slice(&chunk);
        }
        if !status.is_success() {
            return Err(match serde_json::from_slice::<RefusalBody>(&buf) {
                Ok(body) => QueryError::Refused {
                    status: status.as_u16(),
                    body,
                },
                Err(_) => QueryError::Http {
                    status: status.as_u16(),
                },
            });
        }
        self.verify_response(&resp_headers, &buf, route, recipient, &env.nonce)?;
        Ok(buf)
    }

    /// A response is accepted only if signed by the miner we asked, for us, as a response on
    /// this route, over this body, with our request's nonce and a fresh timestamp.
    pub fn verify_response(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        route: &str,
        expected_signer: AccountId,
        nonce: &str,
    ) -> Result<(), QueryError> {
        let bad = |s: &str| QueryError::BadResponseSignature(s.to_string());
        let env = Envelope::from_headers(headers)
            .map_err(|e| bad(&e.to_string()))?
            .ok_or_else(|| bad("response is not signed"))?;
        if env.signer != expected_signer {
            return Err(bad(&format!(
                "signed by {}, expected {}",
                env.signer, expected_signer
            )));
        }
        if env.recipient != self.hotkey.account() {
            return Err(bad("addressed to another hotkey"));
        }
        if env.nonce != nonce {
            return Err(bad("nonce does not match the request (replayed response?)"));
        }
        if skew_ms(now_ms(), env.timestamp_ms).unsigned_abs() > self.window_ms {
            return Err(bad("timestamp outside the freshness window"));
        }
        if !env.verify(Purpose::response(route), body) {
            return Err(bad("signature does not match the body"));
        }
        Ok(())
    }

    /// Queries every peer concurrently with the same body. See [`Dendrite::query_each`].
    pub async fn query_all(
        &self,
        peers: &[PeerInfo],
        route: &str,
        body: bytes::Bytes,
        timeout: Duration,
    ) -> Vec<Answer> {
        let jobs: Vec<(PeerInfo, bytes::Bytes)> =
            peers.iter().map(|p| (p.clone(), body.clone())).collect();
        self.query_each(&jobs, route, timeout).await
    }

    /// Queries every peer concurrently, each with its own body. Returns one [`Answer`] per
    /// peer, in the order given, no later than `timeout` (+ a few ms of bookkeeping) after the
    /// call: a peer that hangs or is slow is recorded as a timeout and its request is dropped.
    pub async fn query_each(
        &self,
        jobs: &[(PeerInfo, bytes::Bytes)],
        route: &str,
        timeout: Duration,
    ) -> Vec<Answer> {
        let peers: Vec<&PeerInfo> = jobs.iter().map(|(p, _)| p).collect();
        let start = Instant::now();
        let deadline = start + timeout;
        let mut set = JoinSet::new();
        let mut answers: Vec<Option<Answer>> = vec![None; peers.len()];
        for (i, (p, body)) in jobs.iter().enumerate() {
            let Some(addr) = p.axon else {
                answers[i] = Some(Answer {
                    uid: p.uid,
                    hotkey: p.hotkey,
                    latency: Duration::ZERO,
                    result: Err(QueryError::NoAxon),
                });
                continue;
            };
            let (me, route, body, hotkey) =
                (self.clone(), route.to_string(), body.clone(), p.hotkey);
            set.spawn(async move {
                let t0 = Instant::now();
                let result = me
                    .call(
                        addr,
                        hotkey,
                        &route,
                        body,
                        deadline.saturating_duration_since(t0),
                    )
                    .await;
                (i, t0.elapsed(), result)
            });
        }
        // Hard stop: whatever has not finished by the deadline (+ slack) is aborted.
        let hard = deadline + Duration::from_millis(50);
        while let Ok(Some(joined)) = tokio::time::timeout_at(hard, set.join_next()).await {
            if let Ok((i, latency, result)) = joined {
                answers[i] = Some(Answer {
                    uid: peers[i].uid,
                    hotkey: peers[i].hotkey,
                    latency,
                    result,
                });
            }
        }
        set.abort_all();
        answers
            .into_iter()
            .enumerate()
            .map(|(i, a)| {
                a.unwrap_or(Answer {
                    uid: peers[i].uid,
                    hotkey: peers[i].hotkey,
                    latency: timeout,
                    result: Err(QueryError::Timeout(timeout)),
                })
            })
            .collect()
    }
}
