//! Every way the axon can refuse a request: an HTTP status, a distinct `error` code per cause,
//! a reason, and what the caller should do about it. Statuses are distinct too, except where
//! two causes mean the same thing to a client (408: too slow; 503: come back later).
//!
//! | status | error               | cause                                                    |
//! |--------|---------------------|----------------------------------------------------------|
//! | 400    | malformed_header    | an x-bt-* header present but unparsable / one missing    |
//! | 401    | unsigned            | no x-bt-signature / x-bt-signer header                   |
//! | 402    | insufficient_stake  | signer's stake is below the miner's minimum              |
//! | 403    | bad_signature       | signature does not verify (tampered body, wrong key, …)  |
//! | 408    | stale_timestamp     | x-bt-timestamp outside the freshness window              |
//! | 408    | body_read_timeout   | the body did not arrive within the body-read deadline    |
//! | 409    | replayed_nonce      | (signer, nonce) already used inside the window           |
//! | 412    | unknown_signer      | signer is not in the peer directory (not registered)     |
//! | 413    | body_too_large      | body over the size limit                                 |
//! | 421    | wrong_recipient     | x-bt-recipient is not this miner's hotkey                |
//! | 422    | bad_request_body    | verified, but the task cannot parse the body             |
//! | 423    | no_validator_permit | signer holds no validator permit (miner serves validators)|
//! | 429    | nonce_quota_full    | signer holds its whole quota of live nonces: slow down   |
//! | 500    | handler_failed      | the miner's handler failed                               |
//! | 503    | overloaded          | queue full of higher-stake work, or nonce cache full     |
//! | 503    | connection_limit    | too many open connections (from this address, or at all) |
//! | 504    | deadline_exceeded   | the request's deadline passed (queued or cancelled)      |

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::wire::AccountId;
use crate::wire::message::MalformedHeader;

#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    Malformed(MalformedHeader),
    Unsigned,
    InsufficientStake { have_rao: u64, need_rao: u64 },
    NoValidatorPermit,
    NonceQuotaFull { quota: usize },
    BodyReadTimeout { limit_ms: u64 },
    ConnectionLimit { per_address: bool, limit: usize },
    BadSignature,
    Stale { skew_ms: i64, window_ms: u64 },
    Replayed,
    UnknownSigner(AccountId),
    BodyTooLarge { limit: usize },
    WrongRecipient { got: AccountId, me: AccountId },
    BadBody(String),
    HandlerFailed(String),
    Overloaded(&'static str),
    DeadlineExceeded { timeout_ms: u64, started: bool },
}

/// JSON body of every refusal.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RefusalBody {
    pub error: String,
    pub reason: String,
    pub fix: String,
}

impl Refusal {
    pub fn status(&self) -> StatusCode {
        match self {
            Refusal::Malformed(_) => StatusCode::BAD_REQUEST,
            Refusal::Unsigned => StatusCode::UNAUTHORIZED,
            Refusal::InsufficientStake { .. } => StatusCode::PAYMENT_REQUIRED,
            Refusal::NoValidatorPermit => StatusCode::LOCKED,
            Refusal::NonceQuotaFull { .. } => StatusCode::TOO_MANY_REQUESTS,
            Refusal::BodyReadTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            Refusal::ConnectionLimit { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Refusal::BadSignature => StatusCode::FORBIDDEN,
            Refusal::Stale { .. } => StatusCode::REQUEST_TIMEOUT,
            Refusal::Replayed => StatusCode::CONFLICT,
            Refusal::UnknownSigner(_) => StatusCode::PRECONDITION_FAILED,
            Refusal::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Refusal::WrongRecipient { .. } => StatusCode::MISDIRECTED_REQUEST,
            Refusal::BadBody(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Refusal::HandlerFailed(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Refusal::Overloaded(_) => StatusCode::SERVICE_UNAVAILABLE,
            Refusal::DeadlineExceeded { .. } => StatusCode::GATEWAY_TIMEOUT,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Malformed(_) => "malformed_header",
            Refusal::Unsigned => "unsigned",
            Refusal::InsufficientStake { .. } => "insufficient_stake",
            Refusal::NoValidatorPermit => "no_validator_permit",
            Refusal::NonceQuotaFull { .. } => "nonce_quota_full",
            Refusal::BodyReadTimeout { .. } => "body_read_timeout",
            Refusal::ConnectionLimit { .. } => "connection_limit",
            Refusal::BadSignature => "bad_signature",
            Refusal::Stale { .. } => "stale_timestamp",
            Refusal::Replayed => "replayed_nonce",
            Refusal::UnknownSigner(_) => "unknown_signer",
            Refusal::BodyTooLarge { .. } => "body_too_large",
            Refusal::WrongRecipient { .. } => "wrong_recipient",
            Refusal::BadBody(_) => "bad_request_body",
            Refusal::HandlerFailed(_) => "handler_failed",
            Refusal::Overloaded(_) => "overloaded",
            Refusal::DeadlineExceeded { .. } => "deadline_exceeded",
        }
    }

    pub fn body(&self) -> RefusalBody {
        let (reason, fix) = match self {
            Refusal::Malformed(m) => (
                m.to_string(),
                "send x-bt-signer, x-bt-recipient, x-bt-timestamp, x-bt-nonce and x-bt-signature as documented in offchain-neuron/README.md".to_string(),
            ),
            Refusal::Unsigned => (
                "request is not signed".into(),
                "sign sha256(body).nonce.timestamp.recipient with your hotkey (sr25519) and send the x-bt-* headers; the neuron's dendrite does this".into(),
            ),
            Refusal::InsufficientStake { have_rao, need_rao } => (
                format!("signer has {have_rao} RAO of stake, this miner requires {need_rao} RAO"),
                "add stake to your hotkey, or query miners with a lower --min-stake".into(),
            ),
            Refusal::NoValidatorPermit => (
                "signer holds no validator permit; this miner serves validators only".into(),
                "query with a hotkey that holds a validator permit on this subnet (stake it into the top validators), or ask the miner operator to allow other callers".into(),
            ),
            Refusal::NonceQuotaFull { quota } => (
                format!("signer already has {quota} requests inside the freshness window (its quota, scaled by stake)"),
                "send fewer requests per second; the quota frees itself as the window passes".into(),
            ),
            Refusal::BodyReadTimeout { limit_ms } => (
                format!("request body did not arrive within {limit_ms} ms"),
                "send the whole body promptly after the headers".into(),
            ),
            Refusal::ConnectionLimit { per_address, limit } => (
                if *per_address {
                    format!("your address already holds {limit} open connections to this miner")
                } else {
                    format!("this miner already serves its maximum of {limit} connections")
                },
                "reuse one keep-alive connection, close idle ones, retry later".into(),
            ),
            Refusal::BadSignature => (
                "signature does not match the body, nonce, timestamp and recipient for the claimed signer".into(),
                "sign the canonical string request.{route}.{sha256(body)}.{nonce}.{timestamp}.{recipient} over exactly the bytes you send, with the hotkey named in x-bt-signer".into(),
            ),
            Refusal::Stale { skew_ms, window_ms } => (
                format!("timestamp is {skew_ms} ms away from the miner's clock, the window is +-{window_ms} ms"),
                "synchronise your clock (NTP) and sign each request just before sending it".into(),
            ),
            Refusal::Replayed => (
                "this nonce was already used by this signer within the freshness window".into(),
                "use a fresh random nonce for every request".into(),
            ),
            Refusal::UnknownSigner(who) => (
                format!("hotkey {who} is not registered in this subnet's peer directory"),
                "register the hotkey on the subnet (or add it to the local peers file) before querying miners".into(),
            ),
            Refusal::BodyTooLarge { limit } => (
                format!("body is larger than {limit} bytes"),
                "send smaller challenges".into(),
            ),
            Refusal::WrongRecipient { got, me } => (
                format!("request is addressed to {got}, this miner is {me}"),
                "set x-bt-recipient to the hotkey registered at this axon (refresh your metagraph)".into(),
            ),
            Refusal::BadBody(why) => (
                format!("request body rejected by the task: {why}"),
                "send a body matching the task's challenge schema".into(),
            ),
            Refusal::HandlerFailed(why) => (format!("miner failed: {why}"), "retry later; report it to the miner operator".into()),
            Refusal::Overloaded(what) => (
                format!("miner is overloaded: {what}"),
                "retry later, or with more stake (higher-stake callers are served first)".into(),
            ),
            Refusal::DeadlineExceeded { timeout_ms, started } => (
                format!(
                    "deadline of {timeout_ms} ms passed {}",
                    if *started { "while the request was running; it was cancelled" } else { "before the request could start" }
                ),
                "raise x-bt-timeout-ms (the miner caps it) or send smaller challenges".into(),
            ),
        };
        RefusalBody {
            error: self.code().into(),
            reason,
            fix,
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.status(), Json(self.body())).into_response()
    }
}
