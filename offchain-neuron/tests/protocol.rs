//! Wire protocol over real HTTP with real sr25519 keys: every refusal path, deadline
//! cancellation, response signatures, and misbehaving miners that must not stall a validator.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use offchain_neuron::axon::{
    self, AxonConfig, AxonHandle, CancelToken, Handler, HandlerError, RefusalBody,
};
use offchain_neuron::dendrite::{Dendrite, QueryError};
use offchain_neuron::miner::DigitsHandler;
use offchain_neuron::model::{Backend, Classifier, ModelSize};
use offchain_neuron::peers::{PeerInfo, StaticPeerDirectory};
use offchain_neuron::task::digits::DigitsTask;
use offchain_neuron::validator::{Validator, ValidatorConfig};
use offchain_neuron::wire::message::HDR_TIMEOUT_MS;
use offchain_neuron::wire::{AccountId, Envelope, Hotkey, Purpose, new_nonce, now_ms};
use reqwest::header::{HeaderMap, HeaderValue};

const TAO: u64 = 1_000_000_000;

fn key(uri: &str) -> Hotkey {
    Hotkey::from_uri(uri).unwrap()
}

fn peer(uid: u16, k: &Hotkey, stake_tao: u64, axon: Option<SocketAddr>) -> PeerInfo {
    PeerInfo {
        uid,
        hotkey: k.account(),
        stake_rao: stake_tao * TAO,
        validator_permit: stake_tao >= 1000,
        axon,
    }
}

/// Counts how often it actually runs: refused requests must never reach it.
struct Echo(AtomicUsize);

impl Handler for Echo {
    fn route(&self) -> &'static str {
        "echo"
    }
    fn handle(&self, body: &[u8], _: &CancelToken) -> Result<Vec<u8>, HandlerError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(format!("{{\"len\":{}}}", body.len()).into_bytes())
    }
}

/// Works until cancelled, then reports that it saw the cancellation.
struct Slow(Mutex<mpsc::Sender<&'static str>>);

impl Handler for Slow {
    fn route(&self) -> &'static str {
        "slow"
    }
    fn handle(&self, _: &[u8], cancel: &CancelToken) -> Result<Vec<u8>, HandlerError> {
        let started = Instant::now();
        while !cancel.is_cancelled() {
            if started.elapsed() > Duration::from_secs(20) {
                return Ok(b"{}".to_vec());
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        self.0
            .lock()
            .unwrap()
            .send("observed cancellation")
            .unwrap();
        Err(HandlerError::Cancelled)
    }
}

fn headers(env: &Envelope) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in env.header_pairs() {
        h.insert(k, HeaderValue::from_str(&v).unwrap());
    }
    h
}

async fn post(url: &str, h: HeaderMap, body: &'static [u8]) -> (u16, HeaderMap, Vec<u8>) {
    let r = reqwest::Client::new()
        .post(url)
        .headers(h)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let hdrs = r.headers().clone();
    (status, hdrs, r.bytes().await.unwrap().to_vec())
}

fn refusal(body: &[u8]) -> RefusalBody {
    serde_json::from_slice(body)
        .unwrap_or_else(|_| panic!("not a refusal body: {}", String::from_utf8_lossy(body)))
}

async fn start(
    handler: Arc<dyn Handler>,
    miner: &Hotkey,
    peers: Vec<PeerInfo>,
    cfg: AxonConfig,
) -> AxonHandle {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    axon::serve(
        listener,
        miner.clone(),
        cfg,
        handler,
        Arc::new(StaticPeerDirectory::new(peers).unwrap()),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_refusal_path_has_its_own_status_and_reason() {
    let (alice, bob, charlie, dave, eve, ferdie, george) = (
        key("//Alice"),
        key("//Bob"),
        key("//Charlie"),
        key("//Dave"),
        key("//Eve"),
        key("//Ferdie"),
        key("//George"),
    );
    let echo = Arc::new(Echo(AtomicUsize::new(0)));
    // Alice, Ferdie: validators with permits. George: permit but only 50 TAO. Charlie: a
    // registered miner with 1 TAO and no permit. Eve: not registered.
    let mut low_stake_validator = peer(5, &george, 50, None);
    low_stake_validator.validator_permit = true;
    let peers = vec![
        peer(0, &alice, 1000, None),
        peer(1, &bob, 0, None),
        peer(2, &charlie, 1, None),
        peer(3, &dave, 0, None),
        peer(4, &ferdie, 2000, None),
        low_stake_validator,
    ];
    let cfg = AxonConfig {
        min_stake_rao: 100 * TAO,
        window_ms: 10_000,
        ..AxonConfig::default()
    };
    let ax = start(echo.clone(), &bob, peers, cfg).await;
    let url = format!("http://{}/echo", ax.addr);
    let body: &'static [u8] = br#"{"hello":"miner"}"#;
    let req = Purpose::request("echo");
    let sign = |k: &Hotkey, to: AccountId, b: &[u8], ts: u64| {
        Envelope::sign(k, req, to, b, new_nonce(), ts)
    };

    // Accepted, and the response is signed by Bob for Alice over the response body.
    let env = sign(&alice, bob.account(), body, now_ms());
    let (status, resp_h, resp_body) = post(&url, headers(&env), body).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&resp_body));
    let dendrite = Dendrite::new(alice.clone());
    dendrite
        .verify_response(&resp_h, &resp_body, "echo", bob.account(), &env.nonce)
        .unwrap();
    // A tampered response, a response for another request, or from another key is rejected.
    let mut tampered = resp_body.clone();
    tampered[2] ^= 1;
    assert!(matches!(
        dendrite.verify_response(&resp_h, &tampered, "echo", bob.account(), &env.nonce),
        Err(QueryError::BadResponseSignature(_))
    ));
    assert!(
        dendrite
            .verify_response(&resp_h, &resp_body, "echo", bob.account(), "someothernonce")
            .is_err()
    );
    assert!(
        dendrite
            .verify_response(&resp_h, &resp_body, "echo", charlie.account(), &env.nonce)
            .is_err()
    );
    assert!(
        dendrite
            .verify_response(&resp_h, &resp_body, "other", bob.account(), &env.nonce)
            .is_err(),
        "a response on another route"
    );
    assert!(
        dendrite
            .verify_response(
                &HeaderMap::new(),
                &resp_body,
                "echo",
                bob.account(),
                &env.nonce
            )
            .is_err(),
        "unsigned response"
    );

    let mut cases: Vec<(&str, HeaderMap, &'static [u8], u16, &str)> = vec![
        ("unsigned", HeaderMap::new(), body, 401, "unsigned"),
        (
            "tampered body",
            headers(&sign(&alice, bob.account(), body, now_ms())),
            br#"{"hello":"MINER"}"#,
            403,
            "bad_signature",
        ),
        (
            "stale",
            headers(&sign(&alice, bob.account(), body, now_ms() - 60_000)),
            body,
            408,
            "stale_timestamp",
        ),
        (
            "from the future",
            headers(&sign(&alice, bob.account(), body, now_ms() + 60_000)),
            body,
            408,
            "stale_timestamp",
        ),
        ("replay", headers(&env), body, 409, "replayed_nonce"),
        (
            "wrong recipient",
            headers(&sign(&alice, dave.account(), body, now_ms())),
            body,
            421,
            "wrong_recipient",
        ),
        (
            "unknown signer",
            headers(&sign(&eve, bob.account(), body, now_ms())),
            body,
            412,
            "unknown_signer",
        ),
        (
            // Also the relay defence: a registered miner re-signing its own challenge to ask a
            // stronger miner is refused before its body is read.
            "no validator permit",
            headers(&sign(&charlie, bob.account(), body, now_ms())),
            body,
            423,
            "no_validator_permit",
        ),
        (
            "low stake",
            headers(&sign(&george, bob.account(), body, now_ms())),
            body,
            402,
            "insufficient_stake",
        ),
        (
            "a response signature replayed as a request",
            headers(&Envelope::sign(
                &alice,
                Purpose::response("echo"),
                bob.account(),
                body,
                new_nonce(),
                now_ms(),
            )),
            body,
            403,
            "bad_signature",
        ),
        (
            "signed for another route",
            headers(&Envelope::sign(
                &alice,
                Purpose::request("digits"),
                bob.account(),
                body,
                new_nonce(),
                now_ms(),
            )),
            body,
            403,
            "bad_signature",
        ),
    ];
    // Claims Ferdie (a validator) but is signed by Alice.
    let mut forged = headers(&sign(&alice, bob.account(), body, now_ms()));
    forged.insert(
        "x-bt-signer",
        HeaderValue::from_str(&ferdie.account().to_ss58()).unwrap(),
    );
    cases.push((
        "signature of another key",
        forged,
        body,
        403,
        "bad_signature",
    ));
    let mut malformed = headers(&sign(&alice, bob.account(), body, now_ms()));
    malformed.insert("x-bt-signature", HeaderValue::from_static("0xnothex"));
    cases.push((
        "malformed signature",
        malformed,
        body,
        400,
        "malformed_header",
    ));
    let mut overflow = headers(&sign(&alice, bob.account(), body, now_ms()));
    overflow.insert("x-bt-timestamp", HeaderValue::from(u64::MAX));
    cases.push(("timestamp u64::MAX", overflow, body, 408, "stale_timestamp"));

    let mut statuses = std::collections::BTreeMap::new();
    for (name, h, b, want_status, want_code) in cases {
        let (status, _, resp) = post(&url, h, b).await;
        let r = refusal(&resp);
        assert_eq!(
            (status, r.error.as_str()),
            (want_status, want_code),
            "{name}: {r:?}"
        );
        assert!(
            !r.reason.is_empty() && !r.fix.is_empty(),
            "{name}: refusal must say why and what to do"
        );
        statuses.insert(want_code, status);
    }
    // Distinct status per cause.
    let mut codes: Vec<u16> = statuses.values().copied().collect();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), statuses.len(), "{statuses:?}");
    // Only the one accepted request reached the handler.
    assert_eq!(echo.0.load(Ordering::SeqCst), 1);
    ax.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn running_handler_is_cancelled_at_the_deadline() {
    let (alice, bob) = (key("//Alice"), key("//Bob"));
    let (tx, rx) = mpsc::channel();
    let ax = start(
        Arc::new(Slow(Mutex::new(tx))),
        &bob,
        vec![peer(0, &alice, 1000, None)],
        AxonConfig::default(),
    )
    .await;
    let body: &'static [u8] = b"{}";
    let env = Envelope::sign(
        &alice,
        Purpose::request("slow"),
        bob.account(),
        body,
        new_nonce(),
        now_ms(),
    );
    let mut h = headers(&env);
    h.insert(HDR_TIMEOUT_MS, HeaderValue::from_static("300"));
    let t = Instant::now();
    let (status, _, resp) = post(&format!("http://{}/slow", ax.addr), h, body).await;
    let took = t.elapsed();
    assert_eq!(status, 504);
    assert_eq!(refusal(&resp).error, "deadline_exceeded");
    assert!(took < Duration::from_secs(3), "took {took:?}");
    // The handler itself saw the cancellation (it is not left running).
    let seen = tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(10)))
        .await
        .unwrap();
    assert_eq!(seen, Ok("observed cancellation"));
    let health: serde_json::Value = reqwest::get(format!("http://{}/health", ax.addr))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["cancelled_running"], 1, "{health}");
    ax.shutdown().await;
}

/// A server that accepts connections and never answers.
async fn hanging_server() -> SocketAddr {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = l.accept().await {
            held.push(s);
        }
    });
    addr
}

/// A server answering 200 with `body` and optional headers, whatever is asked.
async fn fixed_server(
    body: &'static str,
    signer: Option<Hotkey>,
    recipient: AccountId,
) -> SocketAddr {
    use axum::routing::post;
    let app = axum::Router::new().route(
        "/digits",
        post(move |h: axum::http::HeaderMap| async move {
            let mut resp = axum::response::IntoResponse::into_response(body);
            if let Some(k) = &signer {
                let nonce = h
                    .get("x-bt-nonce")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("nononce1")
                    .to_string();
                let env = Envelope::sign(
                    k,
                    Purpose::response("digits"),
                    recipient,
                    body.as_bytes(),
                    nonce,
                    now_ms(),
                );
                for (name, v) in env.header_pairs() {
                    resp.headers_mut()
                        .insert(name, axum::http::HeaderValue::from_str(&v).unwrap());
                }
            }
            resp
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_or_hanging_miners_never_stall_the_validator() {
    let alice = key("//Alice");
    let good = key("//Bob");
    let (garbage, hang, impostor, unsigned, dead) = (
        key("//G1"),
        key("//G2"),
        key("//G3"),
        key("//G4"),
        key("//G5"),
    );
    let classifier = Classifier::untrained(ModelSize::Small, Backend::Flex.device().unwrap(), 3);
    let mut peers = vec![peer(0, &alice, 1000, None)];
    let dir = Arc::new(StaticPeerDirectory::new(peers.clone()).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let good_ax = axon::serve(
        listener,
        good.clone(),
        AxonConfig::default(),
        Arc::new(DigitsHandler::new(classifier, Backend::Flex)),
        dir.clone(),
    )
    .unwrap();
    let probs = r#"{"probs":[[0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1]]}"#;
    let dead_addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    }; // closed again: connection refused
    peers.push(peer(1, &good, 0, Some(good_ax.addr)));
    peers.push(peer(
        2,
        &garbage,
        0,
        Some(fixed_server("this is not json", Some(garbage.clone()), alice.account()).await),
    ));
    peers.push(peer(3, &hang, 0, Some(hanging_server().await)));
    // Valid-looking JSON, but signed by a different key than the one registered at the UID.
    peers.push(peer(
        4,
        &impostor,
        0,
        Some(fixed_server(probs, Some(key("//Mallory")), alice.account()).await),
    ));
    peers.push(peer(
        5,
        &unsigned,
        0,
        Some(fixed_server(probs, None, alice.account()).await),
    ));
    peers.push(peer(6, &dead, 0, Some(dead_addr)));
    dir.replace(peers).unwrap();

    let timeout = Duration::from_millis(1500);
    let cfg = ValidatorConfig {
        timeout,
        ..ValidatorConfig::default()
    };
    let mut v = Validator::new(DigitsTask { images: 16 }, Dendrite::new(alice), dir, cfg).unwrap();
    for _ in 0..2 {
        let t = Instant::now();
        let report = v.run_round().await.unwrap();
        let took = t.elapsed();
        assert!(
            took < timeout + Duration::from_millis(700),
            "round took {took:?}"
        );
        assert_eq!(report.queried, 6);
        let by_uid = |uid: u16| report.results.iter().find(|r| r.uid == uid).unwrap();
        assert!(by_uid(1).error.is_none(), "{:?}", by_uid(1).error);
        assert!(by_uid(1).accuracy.is_some());
        for uid in 2..=6 {
            let r = by_uid(uid);
            assert!(r.error.is_some(), "uid {uid} should have failed");
            assert_eq!(r.round_score, 0.0, "uid {uid}");
        }
        assert!(
            by_uid(2).error.as_ref().unwrap().contains("not valid JSON"),
            "{:?}",
            by_uid(2).error
        );
        assert!(
            by_uid(3)
                .error
                .as_ref()
                .unwrap()
                .contains("no answer within"),
            "{:?}",
            by_uid(3).error
        );
        assert!(
            by_uid(4).error.as_ref().unwrap().contains("signed by"),
            "{:?}",
            by_uid(4).error
        );
        assert!(
            by_uid(5).error.as_ref().unwrap().contains("not signed"),
            "{:?}",
            by_uid(5).error
        );
    }
    good_ax.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hotkey_change_at_a_uid_resets_its_score() {
    let alice = key("//Alice");
    let (bob, carol) = (key("//Bob"), key("//Carol"));
    let classifier = Classifier::untrained(ModelSize::Small, Backend::Flex.device().unwrap(), 3);
    let dir = Arc::new(StaticPeerDirectory::new(vec![peer(0, &alice, 1000, None)]).unwrap());
    let handler: Arc<dyn Handler> = Arc::new(DigitsHandler::new(classifier, Backend::Flex));
    let mk = |k: &Hotkey| {
        let (k, handler, dir) = (k.clone(), handler.clone(), dir.clone());
        async move {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            axon::serve(l, k, AxonConfig::default(), handler, dir).unwrap()
        }
    };
    let bob_ax = mk(&bob).await;
    dir.replace(vec![
        peer(0, &alice, 1000, None),
        peer(1, &bob, 0, Some(bob_ax.addr)),
    ])
    .unwrap();
    let state = tempfile::tempdir().unwrap();
    let cfg = ValidatorConfig {
        timeout: Duration::from_secs(5),
        alpha: 0.5,
        state_path: Some(state.path().join("state.json")),
        ..ValidatorConfig::default()
    };
    let mut v = Validator::new(
        DigitsTask { images: 32 },
        Dendrite::new(alice.clone()),
        dir.clone(),
        cfg.clone(),
    )
    .unwrap();
    // Give uid 1 a score (an untrained model can score 0 by chance, so force the book).
    v.run_round().await.unwrap();
    drop(v);
    let mut st = offchain_neuron::validator::state::ValidatorState::load_or_new(
        &state.path().join("state.json"),
    )
    .unwrap();
    assert_eq!(st.step, 1);
    st.book.scores[1] = 0.9;
    st.save(&state.path().join("state.json")).unwrap();
    // Restart: state is reloaded.
    let mut v = Validator::new(
        DigitsTask { images: 32 },
        Dendrite::new(alice.clone()),
        dir.clone(),
        cfg,
    )
    .unwrap();
    assert_eq!(v.state().step, 1);
    assert_eq!(v.state().book.scores[1], 0.9);
    // Carol replaces Bob at uid 1.
    let carol_ax = mk(&carol).await;
    dir.replace(vec![
        peer(0, &alice, 1000, None),
        peer(1, &carol, 0, Some(carol_ax.addr)),
    ])
    .unwrap();
    let r = v.run_round().await.unwrap();
    assert_eq!(r.reset_uids, vec![1]);
    assert!(
        r.scores[1] <= 0.5 * 1.01,
        "score restarted from 0, then one EMA step: {}",
        r.scores[1]
    );
    assert_eq!(v.state().book.hotkeys[1], Some(carol.account()));
    bob_ax.shutdown().await;
    carol_ax.shutdown().await;
}

/// Records the order requests run in; the first one holds the single worker until released.
struct Ordered {
    started: Mutex<Option<mpsc::Sender<()>>>,
    gate: Mutex<Option<mpsc::Receiver<()>>>,
    order: Mutex<Vec<String>>,
}

impl Handler for Ordered {
    fn route(&self) -> &'static str {
        "ordered"
    }
    fn handle(&self, body: &[u8], _: &CancelToken) -> Result<Vec<u8>, HandlerError> {
        if let Some(gate) = self.gate.lock().unwrap().take() {
            self.started
                .lock()
                .unwrap()
                .take()
                .unwrap()
                .send(())
                .unwrap();
            gate.recv_timeout(Duration::from_secs(20)).unwrap();
        }
        self.order
            .lock()
            .unwrap()
            .push(String::from_utf8_lossy(body).into_owned());
        Ok(b"{}".to_vec())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_requests_are_served_by_stake_priority() {
    let miner = key("//Bob");
    let callers = [
        ("blocker", key("//Alice"), 1000),
        ("low", key("//Charlie"), 10),
        ("mid", key("//Dave"), 500),
        ("high", key("//Eve"), 5000),
    ];
    let mut peers = vec![peer(0, &miner, 0, None)];
    for (i, (_, k, stake)) in callers.iter().enumerate() {
        peers.push(peer(i as u16 + 1, k, *stake, None));
    }
    let (release, gate) = mpsc::channel();
    let (started_tx, started) = mpsc::channel();
    let handler = Arc::new(Ordered {
        started: Mutex::new(Some(started_tx)),
        gate: Mutex::new(Some(gate)),
        order: Mutex::new(Vec::new()),
    });
    let ax = start(
        handler.clone(),
        &miner,
        peers,
        AxonConfig {
            workers: 1,
            // Stake ordering among callers that are not all validators.
            require_permit: false,
            ..AxonConfig::default()
        },
    )
    .await;
    let url = format!("http://{}/ordered", ax.addr);
    let health = format!("http://{}/health", ax.addr);
    let send = |k: Hotkey, name: &'static str| {
        let (url, to) = (url.clone(), miner.account());
        tokio::spawn(async move {
            let env = Envelope::sign(
                &k,
                Purpose::request("ordered"),
                to,
                name.as_bytes(),
                new_nonce(),
                now_ms(),
            );
            post(&url, headers(&env), name.as_bytes()).await.0
        })
    };
    let mut waits = vec![send(callers[0].1.clone(), "blocker")];
    // Wait until the blocker occupies the worker, then queue the others from lowest to highest stake.
    let wait_for = |field: &'static str, want: u64| {
        let health = health.clone();
        async move {
            for _ in 0..2000 {
                let h: serde_json::Value =
                    reqwest::get(&health).await.unwrap().json().await.unwrap();
                if h[field].as_u64() == Some(want) {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            panic!("{field} never reached {want}");
        }
    };
    tokio::task::spawn_blocking(move || started.recv_timeout(Duration::from_secs(20)))
        .await
        .unwrap()
        .unwrap();
    for (i, (name, k, _)) in callers.iter().enumerate().skip(1) {
        waits.push(send(k.clone(), name));
        wait_for("queued", i as u64).await;
    }
    release.send(()).unwrap();
    for w in waits {
        assert_eq!(w.await.unwrap(), 200);
    }
    assert_eq!(
        *handler.order.lock().unwrap(),
        vec!["blocker", "high", "mid", "low"]
    );
    ax.shutdown().await;
}
