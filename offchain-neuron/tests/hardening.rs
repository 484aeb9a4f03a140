//! The miner under attack, over real sockets on loopback: connection caps, header/body/idle
//! deadlines, identity before work, per-signer replay quotas, per-miner challenges, and the
//! bounded load test against a real `neuron miner` process.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use offchain_neuron::axon::conn::ConnLimits;
use offchain_neuron::axon::{self, AxonConfig, AxonHandle, CancelToken, Handler, HandlerError};
use offchain_neuron::bench::attack::{self, AttackOptions};
use offchain_neuron::dendrite::Dendrite;
use offchain_neuron::peers::{PeerInfo, StaticPeerDirectory};
use offchain_neuron::task::digits::{DigitsChallenge, DigitsResponse, DigitsTask};
use offchain_neuron::validator::{Validator, ValidatorConfig};
use offchain_neuron::wire::{Envelope, Hotkey, Purpose, body_hash, new_nonce, now_ms};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

const TAO: u64 = 1_000_000_000;

fn key(uri: &str) -> Hotkey {
    Hotkey::from_uri(uri).unwrap()
}

fn peer(uid: u16, k: &Hotkey, stake_tao: u64, permit: bool, axon: Option<SocketAddr>) -> PeerInfo {
    PeerInfo {
        uid,
        hotkey: k.account(),
        stake_rao: stake_tao * TAO,
        validator_permit: permit,
        axon,
    }
}

/// Answers digits challenges with uniform probabilities and remembers each body's hash.
#[derive(Default)]
struct Recorder {
    bodies: Mutex<Vec<String>>,
    calls: AtomicUsize,
}

impl Handler for Recorder {
    fn route(&self) -> &'static str {
        "digits"
    }
    fn max_body_bytes(&self) -> usize {
        DigitsChallenge::max_json_bytes()
    }
    fn handle(&self, body: &[u8], _: &CancelToken) -> Result<Vec<u8>, HandlerError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.bodies.lock().unwrap().push(body_hash(body));
        let c: DigitsChallenge =
            serde_json::from_slice(body).map_err(|e| HandlerError::BadRequest(e.to_string()))?;
        serde_json::to_vec(&DigitsResponse {
            probs: vec![vec![0.1; 10]; c.count],
        })
        .map_err(|e| HandlerError::Internal(e.to_string()))
    }
}

async fn serve(
    miner: &Hotkey,
    handler: Arc<dyn Handler>,
    dir: Arc<StaticPeerDirectory>,
    cfg: AxonConfig,
) -> AxonHandle {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    axon::serve(l, miner.clone(), cfg, handler, dir).unwrap()
}

async fn connect_from(source: &str, to: SocketAddr) -> TcpStream {
    let s = TcpSocket::new_v4().unwrap();
    s.bind(SocketAddr::new(source.parse::<IpAddr>().unwrap(), 0))
        .unwrap();
    s.connect(to).await.unwrap()
}

/// Reads until the peer closes or `limit` passes; returns what arrived and whether it closed.
async fn read_until_closed(s: &mut TcpStream, limit: Duration) -> (String, bool) {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let end = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(end, s.read(&mut buf)).await {
            Err(_) => return (String::from_utf8_lossy(&out).into_owned(), false),
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&out).into_owned(), true),
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
        }
    }
}

/// Request head for a signed digits request whose body is declared but not (fully) sent.
fn signed_head(signer: &Hotkey, miner: &Hotkey, body: &[u8], declared_len: usize) -> String {
    let env = Envelope::sign(
        signer,
        Purpose::request("digits"),
        miner.account(),
        body,
        new_nonce(),
        now_ms(),
    );
    let mut head = format!(
        "POST /digits HTTP/1.1\r\nhost: miner\r\ncontent-type: application/json\r\ncontent-length: {declared_len}\r\n"
    );
    for (k, v) in env.header_pairs() {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    head
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_caps_refuse_the_excess_and_spare_other_addresses() {
    let (alice, bob) = (key("//Alice"), key("//Bob"));
    let dir = Arc::new(StaticPeerDirectory::new(vec![peer(0, &alice, 1000, true, None)]).unwrap());
    let cfg = AxonConfig {
        conn: ConnLimits {
            max_connections: 8,
            max_per_address: 3,
            header_timeout: Duration::from_secs(30),
        },
        ..AxonConfig::default()
    };
    let ax = serve(&bob, Arc::new(Recorder::default()), dir, cfg).await;
    // Three silent connections from one address are held; the fourth is refused at once.
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(connect_from("127.0.0.2", ax.addr).await);
    }
    let mut fourth = connect_from("127.0.0.2", ax.addr).await;
    let (text, closed) = read_until_closed(&mut fourth, Duration::from_secs(5)).await;
    assert!(closed, "over-cap connection must be closed");
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(
        text.contains("connection_limit") && text.contains("3 open connections"),
        "{text}"
    );
    for h in &mut held {
        let (_, closed) = read_until_closed(h, Duration::from_millis(100)).await;
        assert!(!closed, "connections under the cap stay open");
    }
    // Other addresses are not affected until the global cap (8) is reached.
    for src in [
        "127.0.0.3",
        "127.0.0.3",
        "127.0.0.4",
        "127.0.0.4",
        "127.0.0.5",
    ] {
        held.push(connect_from(src, ax.addr).await);
    }
    // Let the accept loop register them before the next one arrives.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut ninth = connect_from("127.0.0.6", ax.addr).await;
    let (text, closed) = read_until_closed(&mut ninth, Duration::from_secs(5)).await;
    assert!(
        closed && text.contains("maximum of 8 connections"),
        "{text}"
    );
    // Closing connections frees their places: the validator gets through again.
    held.clear();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let health: serde_json::Value = reqwest::get(format!("http://{}/health", ax.addr))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["connections"]["refused_per_address"], 1, "{health}");
    assert_eq!(health["connections"]["refused_global"], 1, "{health}");
    ax.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_idle_connections_are_cut_at_their_deadlines() {
    let (alice, bob) = (key("//Alice"), key("//Bob"));
    let dir = Arc::new(StaticPeerDirectory::new(vec![peer(0, &alice, 1000, true, None)]).unwrap());
    let cfg = AxonConfig {
        body_timeout: Duration::from_millis(400),
        conn: ConnLimits {
            header_timeout: Duration::from_millis(400),
            ..ConnLimits::default()
        },
        ..AxonConfig::default()
    };
    let handler = Arc::new(Recorder::default());
    let ax = serve(&bob, handler.clone(), dir, cfg).await;

    // Silent from the start: closed at the header deadline.
    let t = Instant::now();
    let mut idle = connect_from("127.0.0.1", ax.addr).await;
    let (_, closed) = read_until_closed(&mut idle, Duration::from_secs(5)).await;
    assert!(closed, "an idle connection is closed");
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());

    // Slowloris: half a request head, then nothing.
    let mut slow = connect_from("127.0.0.1", ax.addr).await;
    slow.write_all(b"POST /digits HTTP/1.1\r\nhost: m\r\nx-bt-sig")
        .await
        .unwrap();
    let (_, closed) = read_until_closed(&mut slow, Duration::from_secs(5)).await;
    assert!(closed, "a trickled head is cut at the header deadline");

    // Signed head from a validator, then a trickled body: refused at the body deadline.
    let body = br#"{"width":28,"height":28,"count":1,"pixels":""}"#;
    let mut trickle = connect_from("127.0.0.1", ax.addr).await;
    trickle
        .write_all(signed_head(&alice, &bob, body, body.len()).as_bytes())
        .await
        .unwrap();
    trickle.write_all(&body[..5]).await.unwrap();
    let t = Instant::now();
    let (text, _) = read_until_closed(&mut trickle, Duration::from_secs(5)).await;
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("body_read_timeout"), "{text}");
    assert!(t.elapsed() < Duration::from_secs(3));
    assert_eq!(handler.calls.load(Ordering::SeqCst), 0);
    ax.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_is_checked_before_any_body_is_read() {
    let (alice, bob, charlie, eve) = (key("//Alice"), key("//Bob"), key("//Charlie"), key("//Eve"));
    let dir = Arc::new(
        StaticPeerDirectory::new(vec![
            peer(0, &alice, 1000, true, None),
            peer(2, &charlie, 5, false, None),
        ])
        .unwrap(),
    );
    let handler = Arc::new(Recorder::default());
    let ax = serve(&bob, handler.clone(), dir, AxonConfig::default()).await;
    // Each announces a body it never sends: an answer can only come from the headers alone.
    for (who, k, want) in [
        ("unregistered", &eve, "HTTP/1.1 412"),
        ("registered, no permit", &charlie, "HTTP/1.1 423"),
    ] {
        let mut s = connect_from("127.0.0.1", ax.addr).await;
        s.write_all(signed_head(k, &bob, b"{}", 1_000_000).as_bytes())
            .await
            .unwrap();
        let (text, _) = read_until_closed(&mut s, Duration::from_secs(2)).await;
        assert!(text.starts_with(want), "{who}: {text}");
    }
    // A validator announcing more than the largest valid challenge is refused unread too.
    let mut s = connect_from("127.0.0.1", ax.addr).await;
    let too_big = DigitsChallenge::max_json_bytes() + 1;
    s.write_all(signed_head(&alice, &bob, b"{}", too_big).as_bytes())
        .await
        .unwrap();
    let (text, _) = read_until_closed(&mut s, Duration::from_secs(2)).await;
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert_eq!(handler.calls.load(Ordering::SeqCst), 0);
    ax.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooding_signer_exhausts_only_its_own_replay_quota() {
    let (alice, bob, ferdie) = (key("//Alice"), key("//Bob"), key("//Ferdie"));
    // Alice: 1% of the stake; Ferdie: 99%. Budget 200 live nonces shared by stake, floor 4.
    let dir = Arc::new(
        StaticPeerDirectory::new(vec![
            peer(0, &alice, 10, true, None),
            peer(4, &ferdie, 990, true, None),
        ])
        .unwrap(),
    );
    let cfg = AxonConfig {
        nonce_floor: 4,
        nonce_budget: 200,
        require_permit: true,
        ..AxonConfig::default()
    };
    let ax = serve(&bob, Arc::new(Recorder::default()), dir, cfg).await;
    let body =
        bytes::Bytes::from(serde_json::to_vec(&DigitsChallenge::from_pixels(&[0u8; 784])).unwrap());
    let flooder = Dendrite::new(alice.clone());
    let mut refused = 0;
    for _ in 0..20 {
        match flooder
            .call(
                ax.addr,
                bob.account(),
                "digits",
                body.clone(),
                Duration::from_secs(5),
            )
            .await
        {
            Ok(_) => {}
            Err(e) => {
                assert!(e.to_string().contains("nonce_quota_full"), "{e}");
                refused += 1;
            }
        }
    }
    // Alice's quota: 4 + 200 * 1% = 6.
    assert_eq!(refused, 20 - 6);
    let validator = Dendrite::new(ferdie);
    for _ in 0..50 {
        validator
            .call(
                ax.addr,
                bob.account(),
                "digits",
                body.clone(),
                Duration::from_secs(5),
            )
            .await
            .expect("the other validator is unaffected");
    }
    ax.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_miner_gets_its_own_challenge() {
    let alice = key("//Alice");
    let miners: Vec<Hotkey> = (0..3).map(|i| key(&format!("//Miner{i}"))).collect();
    let mut peers = vec![peer(0, &alice, 1000, true, None)];
    let dir = Arc::new(StaticPeerDirectory::new(peers.clone()).unwrap());
    let handler = Arc::new(Recorder::default());
    let mut handles = Vec::new();
    for (i, m) in miners.iter().enumerate() {
        let h = serve(m, handler.clone(), dir.clone(), AxonConfig::default()).await;
        peers.push(peer(i as u16 + 1, m, 0, false, Some(h.addr)));
        handles.push(h);
    }
    dir.replace(peers).unwrap();
    let cfg = ValidatorConfig {
        timeout: Duration::from_secs(5),
        ..ValidatorConfig::default()
    };
    let mut v = Validator::new(DigitsTask { images: 8 }, Dendrite::new(alice), dir, cfg).unwrap();
    for round in 1..=2 {
        let r = v.run_round().await.unwrap();
        assert!(
            r.results.iter().all(|m| m.error.is_none()),
            "{:?}",
            r.results
        );
        let mut seeds: Vec<u64> = r.results.iter().map(|m| m.seed).collect();
        seeds.sort();
        seeds.dedup();
        assert_eq!(seeds.len(), 3, "round {round}: one seed per miner");
    }
    let mut bodies = handler.bodies.lock().unwrap().clone();
    assert_eq!(bodies.len(), 6);
    bodies.sort();
    bodies.dedup();
    assert_eq!(
        bodies.len(),
        6,
        "no two miners, and no two rounds, saw the same challenge"
    );
    for h in handles {
        h.shutdown().await;
    }
}

/// The bounded load test of the issue, at the scale of a test: a real miner process, 1,000 idle
/// connections and a request flood while a permit-holding validator runs rounds. The figures
/// (latency, memory) are reported by `neuron bench attack`; this asserts the behaviour.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_validator_is_served_while_the_miner_is_under_attack() {
    let opts = AttackOptions {
        rounds: 100,
        images: 16,
        timeout: Duration::from_secs(5),
        ..AttackOptions::default()
    };
    let r = attack::run(&opts, env!("CARGO_BIN_EXE_neuron").as_ref())
        .await
        .unwrap();
    attack::print(&r);
    assert_eq!(r.quiet.success_rate, 1.0, "{:?}", r.quiet.errors);
    assert!(r.attacked.success_rate >= 0.99, "{:?}", r.attacked);
    assert!(r.idle_opened >= 1_000, "the attacker held its connections");
    assert!(r.idle_refused > 0, "the per-address cap refused some");
    assert!(r.flood_sent > 0);
    let refused = &r.miner_health["refused"];
    assert!(
        refused["no_validator_permit"].as_u64().unwrap_or(0) > 0,
        "{refused}"
    );
    assert!(
        refused["bad_signature"].as_u64().unwrap_or(0) > 0,
        "{refused}"
    );
    assert_eq!(r.miner_health["served"].as_u64(), Some(2 * 100 + 1));
}
