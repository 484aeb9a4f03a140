//! `neuron bench attack`: a bounded load test of a real `neuron miner` process on loopback.
//!
//! A permit-holding validator (//Alice) runs rounds against the miner (//Bob), first quietly,
//! then while an attacker
//! - holds `idle` silent TCP connections, spread over `attack_addresses` loopback source
//!   addresses (127.0.0.2, 127.0.0.3, ...), reopening each one the miner closes;
//! - floods signed 64-image requests as fast as `flood_clients` connections allow, from another
//!   loopback address: half signed by a registered but unstaked hotkey (//Mallory), half
//!   claiming the validator's hotkey with Mallory's signature (these cost the miner a body read
//!   and a signature check).
//!
//! Everything targets 127.0.0.0/8 and stops by itself after the rounds. The report compares the
//! validator's success rate and round latency in the two phases and gives the miner's memory.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use reqwest::header::HeaderValue;
use serde::Serialize;

use crate::dendrite::Dendrite;
use crate::model::{Backend, Classifier, ModelMeta, ModelSize, save_model};
use crate::peers::{PeerInfo, PeersFile, StaticPeerDirectory};
use crate::task::digits::{DigitsChallenge, DigitsTask, generate_batch};
use crate::validator::{Validator, ValidatorConfig};
use crate::wire::message::{HDR_SIGNER, HDR_TIMEOUT_MS};
use crate::wire::{Envelope, Hotkey, Purpose, new_nonce, now_ms};

/// What to throw at the miner.
#[derive(Debug, Clone)]
pub struct AttackOptions {
    /// Silent connections held open during the attack phase.
    pub idle: usize,
    /// Loopback source addresses the idle connections are spread over.
    pub attack_addresses: u8,
    /// Concurrent flooding connections.
    pub flood_clients: usize,
    /// Validator rounds per phase.
    pub rounds: usize,
    /// Images per challenge.
    pub images: usize,
    /// The validator's deadline per round.
    pub timeout: Duration,
    /// Weights to serve (default: an untrained medium CNN; speed does not depend on values).
    pub model: Option<PathBuf>,
}

impl Default for AttackOptions {
    fn default() -> Self {
        Self {
            idle: 1_000,
            attack_addresses: 10,
            flood_clients: 16,
            rounds: 200,
            images: 64,
            timeout: Duration::from_secs(2),
            model: None,
        }
    }
}

/// The validator's view of one phase.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseReport {
    pub rounds: usize,
    pub answered: usize,
    pub success_rate: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Errors seen, by message, with counts.
    pub errors: BTreeMap<String, usize>,
}

/// Outcome of the load test.
#[derive(Debug, Clone, Serialize)]
pub struct AttackReport {
    pub quiet: PhaseReport,
    pub attacked: PhaseReport,
    /// Idle connections the attacker opened (including reopenings).
    pub idle_opened: u64,
    /// Of those, answered at once with 503 connection_limit.
    pub idle_refused: u64,
    pub flood_sent: u64,
    /// Flood responses by HTTP status ("error" for transport failures).
    pub flood_statuses: BTreeMap<String, u64>,
    /// The miner's /health at the end of the attack.
    pub miner_health: serde_json::Value,
    pub miner_rss_kib: u64,
    pub miner_peak_rss_kib: u64,
}

/// Kills the miner process when dropped.
struct MinerProcess(Child);

impl Drop for MinerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn loopback(last: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))
}

/// `VmRSS` and `VmHWM` of a process, in KiB (0 where /proc is unavailable).
fn memory_kib(pid: u32) -> (u64, u64) {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn spawn_miner(neuron: &Path, model: &Path, peers: &Path) -> Result<(MinerProcess, SocketAddr)> {
    let mut child = Command::new(neuron)
        .args(["miner", "--hotkey", "//Bob", "--port", "0", "--model"])
        .arg(model)
        .arg("--peers")
        .arg(peers)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("starting {}", neuron.display()))?;
    let stdout = child.stdout.take().context("miner stdout")?;
    let proc = MinerProcess(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let addr = line
        .strip_prefix("axon listening on http://")
        .and_then(|rest| rest.split_whitespace().next())
        .ok_or_else(|| anyhow!("unexpected miner output: {line:?}"))?
        .parse()?;
    Ok((proc, addr))
}

/// Holds one silent connection at a time from `source`, reopening it whenever the miner
/// closes it, until `stop`.
async fn hold_idle(
    source: IpAddr,
    miner: SocketAddr,
    stop: Arc<AtomicBool>,
    opened: Arc<AtomicU64>,
    refused: Arc<AtomicU64>,
) {
    use tokio::io::AsyncReadExt;
    while !stop.load(Ordering::Relaxed) {
        let Ok(sock) = tokio::net::TcpSocket::new_v4() else {
            return;
        };
        if sock.bind(SocketAddr::new(source, 0)).is_err() {
            return;
        }
        let Ok(mut stream) = sock.connect(miner).await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        opened.fetch_add(1, Ordering::Relaxed);
        let mut buf = [0u8; 512];
        loop {
            let read = tokio::time::timeout(Duration::from_millis(200), stream.read(&mut buf));
            match read.await {
                Err(_) if stop.load(Ordering::Relaxed) => return,
                Err(_) => continue,
                Ok(Ok(n)) if n > 0 => {
                    if buf[..n].starts_with(b"HTTP/1.1 503") {
                        refused.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Ok(_) => break,
            }
        }
        // Closed by the miner (idle deadline or refusal): come back shortly.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Sends signed requests back to back until `stop`, counting response statuses.
async fn flood(
    client: reqwest::Client,
    url: String,
    body: bytes::Bytes,
    (mallory, victim, miner): (Hotkey, Hotkey, Hotkey),
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicU64>,
) -> BTreeMap<String, u64> {
    let mut statuses = BTreeMap::new();
    let mut i = 0u64;
    while !stop.load(Ordering::Relaxed) {
        i += 1;
        let env = Envelope::sign(
            &mallory,
            Purpose::request("digits"),
            miner.account(),
            &body,
            new_nonce(),
            now_ms(),
        );
        let mut h = crate::dendrite::request_headers(&env);
        if i % 2 == 0 {
            // Claims the validator's identity; only the signature check can tell.
            let claimed = HeaderValue::from_str(&victim.account().to_ss58()).expect("ASCII");
            h.insert(HDR_SIGNER, claimed);
        }
        h.insert(HDR_TIMEOUT_MS, HeaderValue::from(2_000u64));
        sent.fetch_add(1, Ordering::Relaxed);
        let key = match client.post(&url).headers(h).body(body.clone()).send().await {
            Ok(r) => {
                let s = r.status().as_u16().to_string();
                let _ = r.bytes().await;
                s
            }
            Err(_) => "error".to_string(),
        };
        *statuses.entry(key).or_default() += 1;
    }
    statuses
}

fn phase_report(mut lat: Vec<f64>, errors: BTreeMap<String, usize>, rounds: usize) -> PhaseReport {
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        if lat.is_empty() {
            return f64::NAN;
        }
        let i = ((lat.len() as f64 * p).ceil() as usize).clamp(1, lat.len()) - 1;
        lat[i]
    };
    PhaseReport {
        rounds,
        answered: lat.len(),
        success_rate: lat.len() as f64 / rounds.max(1) as f64,
        p50_ms: pct(0.5),
        p99_ms: pct(0.99),
        errors,
    }
}

async fn validator_phase(v: &mut Validator<DigitsTask>, rounds: usize) -> Result<PhaseReport> {
    let mut lat = Vec::with_capacity(rounds);
    let mut errors = BTreeMap::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let r = v.run_round().await?;
        let took = t.elapsed().as_secs_f64() * 1e3;
        match r.results.first().and_then(|m| m.error.clone()) {
            None if !r.results.is_empty() => lat.push(took),
            None => *errors.entry("miner not queried".into()).or_default() += 1,
            Some(e) => *errors.entry(e).or_default() += 1,
        }
    }
    Ok(phase_report(lat, errors, rounds))
}

/// Runs the load test against a `neuron miner` started from the executable `neuron`.
pub async fn run(opts: &AttackOptions, neuron: &Path) -> Result<AttackReport> {
    crate::axon::conn::raise_fd_limit()?;
    let (alice, bob, mallory) = (
        Hotkey::from_uri("//Alice")?,
        Hotkey::from_uri("//Bob")?,
        Hotkey::from_uri("//Mallory")?,
    );
    let dir = tempfile_dir()?;
    let model = match &opts.model {
        Some(p) => p.clone(),
        None => {
            let p = dir.join("untrained.bpk");
            let c = Classifier::untrained(ModelSize::Medium, Backend::Flex.device()?, 1);
            let meta = ModelMeta {
                size: ModelSize::Medium,
                steps: 0,
                batch: 0,
                seed: 1,
                lr: 0.0,
                heldout_accuracy: 0.1,
                heldout_images: 0,
            };
            save_model(c.model(), &meta, &p)?;
            p
        }
    };
    let peer = |uid, k: &Hotkey, stake_rao, permit| PeerInfo {
        uid,
        hotkey: k.account(),
        stake_rao,
        validator_permit: permit,
        axon: None,
    };
    let mut peers = vec![
        peer(0, &alice, 1_000_000_000_000, true),
        peer(1, &bob, 0, false),
        peer(2, &mallory, 0, false),
    ];
    let peers_path = dir.join("peers.json");
    PeersFile::new(peers.clone()).write(&peers_path)?;
    let (mut miner, addr) = spawn_miner(neuron, &model, &peers_path)?;
    peers[1].axon = Some(addr);
    let directory = Arc::new(StaticPeerDirectory::new(peers)?);
    let cfg = ValidatorConfig {
        sample_size: 1,
        timeout: opts.timeout,
        ..ValidatorConfig::default()
    };
    let task = DigitsTask {
        images: opts.images,
    };
    let mut v = Validator::new(task, Dendrite::new(alice.clone()), directory, cfg)?;
    v.run_round().await?; // warm-up
    let quiet = validator_phase(&mut v, opts.rounds).await?;

    let stop = Arc::new(AtomicBool::new(false));
    let (opened, refused, sent) = (
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
    );
    let addresses = opts.attack_addresses.clamp(1, 200);
    let mut idle = Vec::with_capacity(opts.idle);
    for i in 0..opts.idle {
        let source = loopback(2 + (i % usize::from(addresses)) as u8);
        idle.push(tokio::spawn(hold_idle(
            source,
            addr,
            stop.clone(),
            opened.clone(),
            refused.clone(),
        )));
    }
    let body = bytes::Bytes::from(serde_json::to_vec(&DigitsChallenge::from_pixels(
        &generate_batch(3, opts.images).pixels,
    ))?);
    let client = reqwest::Client::builder()
        .no_proxy()
        .local_address(loopback(2 + addresses))
        .timeout(Duration::from_secs(5))
        .build()?;
    let url = format!("http://{addr}/digits");
    let mut floods = Vec::new();
    for _ in 0..opts.flood_clients {
        let keys = (mallory.clone(), alice.clone(), bob.clone());
        floods.push(tokio::spawn(flood(
            client.clone(),
            url.clone(),
            body.clone(),
            keys,
            stop.clone(),
            sent.clone(),
        )));
    }
    // Let the idle connections pile up before measuring.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let attacked = validator_phase(&mut v, opts.rounds).await?;
    let miner_health: serde_json::Value = reqwest::Client::builder()
        .no_proxy()
        .build()?
        .get(format!("http://{addr}/health"))
        .send()
        .await?
        .json()
        .await?;
    stop.store(true, Ordering::Relaxed);
    let mut flood_statuses = BTreeMap::new();
    for f in floods {
        for (k, n) in f.await? {
            *flood_statuses.entry(k).or_default() += n;
        }
    }
    for h in idle {
        let _ = h.await;
    }
    let (rss, peak) = memory_kib(miner.0.id());
    let _ = miner.0.kill();
    let _ = std::fs::remove_dir_all(&dir);
    Ok(AttackReport {
        quiet,
        attacked,
        idle_opened: opened.load(Ordering::Relaxed),
        idle_refused: refused.load(Ordering::Relaxed),
        flood_sent: sent.load(Ordering::Relaxed),
        flood_statuses,
        miner_health,
        miner_rss_kib: rss,
        miner_peak_rss_kib: peak,
    })
}

fn tempfile_dir() -> Result<PathBuf> {
    let dir =
        std::env::temp_dir().join(format!("neuron-attack-{}-{}", std::process::id(), now_ms()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Prints the report as a table.
pub fn print(r: &AttackReport) {
    for (name, p) in [("quiet", &r.quiet), ("under attack", &r.attacked)] {
        println!(
            "{name:<13} {}/{} answered ({:.2}%), round p50 {:.2} ms, p99 {:.2} ms{}",
            p.answered,
            p.rounds,
            p.success_rate * 100.0,
            p.p50_ms,
            p.p99_ms,
            if p.errors.is_empty() {
                String::new()
            } else {
                format!(", errors {:?}", p.errors)
            }
        );
    }
    println!(
        "attacker: {} idle connections opened ({} refused at once), {} flood requests {:?}",
        r.idle_opened, r.idle_refused, r.flood_sent, r.flood_statuses
    );
    println!(
        "miner: RSS {:.1} MiB at the end (peak {:.1} MiB); connections {}; refused {}",
        r.miner_rss_kib as f64 / 1024.0,
        r.miner_peak_rss_kib as f64 / 1024.0,
        r.miner_health["connections"],
        r.miner_health["refused"]
    );
}
