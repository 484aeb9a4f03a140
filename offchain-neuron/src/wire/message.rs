//! The signed envelope carried in HTTP headers, for requests and responses alike.
//!
//! ```text
//! x-bt-signer:     SS58 hotkey of the signer
//! x-bt-recipient:  SS58 hotkey the message is meant for
//! x-bt-timestamp:  signer's clock, milliseconds since the Unix epoch (decimal)
//! x-bt-nonce:      8..=64 chars of [0-9A-Za-z_-]; requests use 32 random hex chars, a response
//!                  repeats its request's nonce (which binds it to that request)
//! x-bt-signature:  0x + 128 hex chars: sr25519 (context "substrate") signature of the
//!                  canonical string below by the signer's hotkey
//!
//! canonical = "{direction}.{route}.{sha256_hex(body)}.{nonce}.{timestamp}.{recipient_ss58}"
//!   direction:  "request" or "response"
//!   route:      the axon route the exchange is on (`digits`), [a-z0-9_-]
//!   sha256_hex: lowercase hex SHA-256 of the exact body bytes
//!   e.g. "request.digits.e3b0c442…b855.9f2c4a…01.1732233600123.5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"
//! ```
//!
//! Direction and route are not sent as headers: each side knows them from context, so a signed
//! response can never be replayed as a request (or onto another route). Requests also carry
//! `x-bt-timeout-ms` (how long the caller waits; unsigned, the server caps it). None of the
//! fields may contain '.', so the canonical string is unambiguous.

use http::HeaderMap;
use sha2::{Digest, Sha256};

use super::keys::{Hotkey, verify};
use super::ss58::AccountId;

pub const HDR_SIGNER: &str = "x-bt-signer";
pub const HDR_RECIPIENT: &str = "x-bt-recipient";
pub const HDR_TIMESTAMP: &str = "x-bt-timestamp";
pub const HDR_NONCE: &str = "x-bt-nonce";
pub const HDR_SIGNATURE: &str = "x-bt-signature";
pub const HDR_TIMEOUT_MS: &str = "x-bt-timeout-ms";

/// Lowercase hex SHA-256 of `body`.
pub fn body_hash(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// Which way a signed message travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Request,
    Response,
}

impl Direction {
    fn as_str(self) -> &'static str {
        match self {
            Direction::Request => "request",
            Direction::Response => "response",
        }
    }
}

/// What a signature is for: a direction on a route. Part of the signed string, never sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Purpose<'a> {
    pub direction: Direction,
    pub route: &'a str,
}

impl<'a> Purpose<'a> {
    pub fn request(route: &'a str) -> Self {
        Self {
            direction: Direction::Request,
            route,
        }
    }

    pub fn response(route: &'a str) -> Self {
        Self {
            direction: Direction::Response,
            route,
        }
    }
}

/// Whether `route` can be served and signed: 1..=64 chars of [a-z0-9_-] (no '.', no '/').
pub fn valid_route(route: &str) -> bool {
    (1..=64).contains(&route.len())
        && route
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// The exact string that is signed.
pub fn canonical(
    purpose: Purpose<'_>,
    body_hash: &str,
    nonce: &str,
    timestamp_ms: u64,
    recipient: &AccountId,
) -> String {
    format!(
        "{}.{}.{body_hash}.{nonce}.{timestamp_ms}.{}",
        purpose.direction.as_str(),
        purpose.route,
        recipient.to_ss58()
    )
}

/// Signed distance `now - then` in ms, saturating instead of overflowing on absurd inputs
/// (a timestamp header can carry any u64).
pub fn skew_ms(now: u64, then: u64) -> i64 {
    if now >= then {
        i64::try_from(now - then).unwrap_or(i64::MAX)
    } else {
        i64::try_from(then - now).map_or(i64::MIN, |d| -d)
    }
}

/// 128 random bits as 32 hex chars, from OS randomness.
pub fn new_nonce() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// Wall clock in milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Whether a nonce is well-formed.
pub fn valid_nonce(n: &str) -> bool {
    (8..=64).contains(&n.len())
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The parsed envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub signer: AccountId,
    pub recipient: AccountId,
    pub timestamp_ms: u64,
    pub nonce: String,
    pub signature: [u8; 64],
}

/// A header is present but cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("header {header}: {reason}")]
pub struct MalformedHeader {
    pub header: &'static str,
    pub reason: String,
}

fn header_str<'a>(
    h: &'a HeaderMap,
    name: &'static str,
) -> Result<Option<&'a str>, MalformedHeader> {
    match h.get(name) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .map(|s| Some(s.trim()))
            .map_err(|_| MalformedHeader {
                header: name,
                reason: "not visible ASCII".into(),
            }),
    }
}

impl Envelope {
    /// Signs `body` for `recipient` with `key`, for `purpose`.
    pub fn sign(
        key: &Hotkey,
        purpose: Purpose<'_>,
        recipient: AccountId,
        body: &[u8],
        nonce: String,
        timestamp_ms: u64,
    ) -> Self {
        let msg = canonical(purpose, &body_hash(body), &nonce, timestamp_ms, &recipient);
        Self {
            signer: key.account(),
            recipient,
            timestamp_ms,
            nonce,
            signature: key.sign(msg.as_bytes()),
        }
    }

    /// Whether the signature is valid for `body` and `purpose`.
    pub fn verify(&self, purpose: Purpose<'_>, body: &[u8]) -> bool {
        let msg = canonical(
            purpose,
            &body_hash(body),
            &self.nonce,
            self.timestamp_ms,
            &self.recipient,
        );
        verify(&self.signer, msg.as_bytes(), &self.signature)
    }

    /// Header name/value pairs to send.
    pub fn header_pairs(&self) -> [(&'static str, String); 5] {
        [
            (HDR_SIGNER, self.signer.to_ss58()),
            (HDR_RECIPIENT, self.recipient.to_ss58()),
            (HDR_TIMESTAMP, self.timestamp_ms.to_string()),
            (HDR_NONCE, self.nonce.clone()),
            (HDR_SIGNATURE, format!("0x{}", hex::encode(self.signature))),
        ]
    }

    /// Parses the envelope. `Ok(None)` when the message is unsigned (no signature or no signer
    /// header); `Err` when a header is present but malformed or another one is missing.
    pub fn from_headers(h: &HeaderMap) -> Result<Option<Self>, MalformedHeader> {
        let (Some(sig), Some(signer)) = (header_str(h, HDR_SIGNATURE)?, header_str(h, HDR_SIGNER)?)
        else {
            return Ok(None);
        };
        let missing = |header: &'static str| {
            MalformedHeader {
            header,
            reason: "missing (every signed message carries signer, recipient, timestamp, nonce and signature)".into(),
        }
        };
        let recipient = header_str(h, HDR_RECIPIENT)?.ok_or_else(|| missing(HDR_RECIPIENT))?;
        let ts = header_str(h, HDR_TIMESTAMP)?.ok_or_else(|| missing(HDR_TIMESTAMP))?;
        let nonce = header_str(h, HDR_NONCE)?.ok_or_else(|| missing(HDR_NONCE))?;
        let bad = |header: &'static str, reason: String| MalformedHeader { header, reason };
        let signer = signer
            .parse::<AccountId>()
            .map_err(|e| bad(HDR_SIGNER, format!("not an SS58 address: {e}")))?;
        let recipient = recipient
            .parse::<AccountId>()
            .map_err(|e| bad(HDR_RECIPIENT, format!("not an SS58 address: {e}")))?;
        let timestamp_ms = ts.parse::<u64>().map_err(|_| {
            bad(
                HDR_TIMESTAMP,
                "expected milliseconds since the Unix epoch".into(),
            )
        })?;
        if !valid_nonce(nonce) {
            return Err(bad(
                HDR_NONCE,
                "expected 8..=64 chars of [0-9A-Za-z_-]".into(),
            ));
        }
        let sig_hex = sig.strip_prefix("0x").unwrap_or(sig);
        let mut signature = [0u8; 64];
        hex::decode_to_slice(sig_hex, &mut signature).map_err(|_| {
            bad(
                HDR_SIGNATURE,
                "expected 0x + 128 hex chars (64-byte sr25519 signature)".into(),
            )
        })?;
        Ok(Some(Self {
            signer,
            recipient,
            timestamp_ms,
            nonce: nonce.to_string(),
            signature,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn to_map(e: &Envelope) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in e.header_pairs() {
            h.insert(k, HeaderValue::from_str(&v).unwrap());
        }
        h
    }

    #[test]
    fn canonical_string_is_documented_form() {
        let bob = Hotkey::from_uri("//Bob").unwrap().account();
        let s = canonical(
            Purpose::request("digits"),
            &body_hash(b""),
            "abcdef0123",
            1_700_000_000_000,
            &bob,
        );
        assert_eq!(
            s,
            "request.digits.e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855.abcdef0123.1700000000000.5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"
        );
    }

    #[test]
    fn sign_parse_verify_and_tamper() {
        let alice = Hotkey::from_uri("//Alice").unwrap();
        let bob = Hotkey::from_uri("//Bob").unwrap().account();
        let body = br#"{"x":1}"#;
        let req = Purpose::request("digits");
        let env = Envelope::sign(&alice, req, bob, body, new_nonce(), now_ms());
        let parsed = Envelope::from_headers(&to_map(&env)).unwrap().unwrap();
        assert_eq!(parsed, env);
        assert!(parsed.verify(req, body));
        assert!(!parsed.verify(req, br#"{"x":2}"#));
        assert!(
            !parsed.verify(Purpose::response("digits"), body),
            "a request signature is not a response signature"
        );
        assert!(
            !parsed.verify(Purpose::request("other"), body),
            "the route is covered by the signature"
        );
        let mut other = parsed.clone();
        other.recipient = alice.account();
        assert!(
            !other.verify(req, body),
            "recipient is covered by the signature"
        );
        let mut later = parsed;
        later.timestamp_ms += 1;
        assert!(
            !later.verify(req, body),
            "timestamp is covered by the signature"
        );
    }

    #[test]
    fn unsigned_and_malformed_headers() {
        assert_eq!(Envelope::from_headers(&HeaderMap::new()), Ok(None));
        let alice = Hotkey::from_uri("//Alice").unwrap();
        let env = Envelope::sign(
            &alice,
            Purpose::request("x"),
            alice.account(),
            b"",
            new_nonce(),
            1,
        );
        let mut h = to_map(&env);
        h.insert(HDR_NONCE, HeaderValue::from_static("a.b.c.d.e.f"));
        assert_eq!(Envelope::from_headers(&h).unwrap_err().header, HDR_NONCE);
        let mut h = to_map(&env);
        h.remove(HDR_TIMESTAMP);
        assert_eq!(
            Envelope::from_headers(&h).unwrap_err().header,
            HDR_TIMESTAMP
        );
        let mut h = to_map(&env);
        h.insert(HDR_SIGNATURE, HeaderValue::from_static("0x1234"));
        assert_eq!(
            Envelope::from_headers(&h).unwrap_err().header,
            HDR_SIGNATURE
        );
    }

    #[test]
    fn skew_never_overflows() {
        assert_eq!(skew_ms(10, 4), 6);
        assert_eq!(skew_ms(4, 10), -6);
        assert_eq!(skew_ms(1_700_000_000_000, u64::MAX), i64::MIN);
        assert_eq!(skew_ms(u64::MAX, 0), i64::MAX);
    }

    #[test]
    fn routes() {
        assert!(valid_route("digits") && valid_route("text-gen_2"));
        assert!(
            !valid_route("")
                && !valid_route("a.b")
                && !valid_route("a/b")
                && !valid_route("Digits")
        );
    }
}
