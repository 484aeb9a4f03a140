//! `neuron bench`: miner throughput/latency (model only, and over signed HTTP), validator
//! round time, and the miner under attack ([`attack`]). These print figures; they are not
//! pass/fail tests.

pub mod attack;
pub mod chain;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use clap::Subcommand;
use reqwest::header::HeaderValue;

use crate::axon::{self, AxonConfig, CancelToken, Handler, HandlerError};
use crate::dendrite::Dendrite;
use crate::miner::DigitsHandler;
use crate::model::{Backend, Classifier, ModelSize, load_model};
use crate::peers::{PeerInfo, StaticPeerDirectory};
use crate::task::digits::{DigitsChallenge, DigitsResponse, DigitsTask, generate_batch};
use crate::validator::{Validator, ValidatorConfig};
use crate::wire::message::HDR_TIMEOUT_MS;
use crate::wire::{AccountId, Envelope, Hotkey, Purpose, new_nonce, now_ms};

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Model-only and signed-HTTP throughput of one miner (in-process), per batch size.
    #[command(after_help = "Examples:\n  \
        neuron bench miner --device flex --batch 1 --batch 64\n  \
        neuron bench miner --device wgpu-cpu --model model.bpk --seconds 5")]
    Miner {
        /// Backend.
        #[arg(long, value_enum, default_value_t = Backend::Flex)]
        device: Backend,
        /// Weights to serve (default: an untrained CNN of --size; speed does not depend on the values).
        #[arg(long)]
        model: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = ModelSize::Medium)]
        size: ModelSize,
        /// Images per request (repeatable).
        #[arg(long = "batch", default_values_t = vec![1usize, 64])]
        batches: Vec<usize>,
        /// Measurement time per phase.
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
        /// Concurrent HTTP clients.
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
        /// Axon workers.
        #[arg(long, default_value_t = 2)]
        workers: usize,
    },
    /// Load-test an already running server (a `neuron miner`, or the PyTorch reference server).
    #[command(after_help = "Example:\n  \
        neuron bench load --url http://127.0.0.1:8091 --recipient //Bob --hotkey //Alice --batch 64\n\n\
        Requests are signed like a validator's (the signature is ignored by servers that do not \
        check it); responses are checked for status 200 and the right number of answers, not for \
        a signature, so any server can be compared under identical client work.")]
    Load {
        #[arg(long)]
        url: String,
        /// Hotkey (SS58 or URI) the requests are addressed to.
        #[arg(long)]
        recipient: String,
        /// Signing hotkey of the load generator: a development URI such as //Alice.
        #[arg(long, default_value = "//Alice")]
        hotkey: String,
        #[arg(long = "batch", default_values_t = vec![1usize, 64])]
        batches: Vec<usize>,
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
    },
    /// A real `neuron miner` under attack on loopback: 1,000 idle connections and a flood of
    /// unstaked and spoofed requests, while a permit-holding validator runs rounds.
    #[command(after_help = "Example:\n  \
        neuron bench attack --rounds 200 --idle 1000 --json attack.json\n\n\
        Compares the validator's success rate and round latency quiet and under attack, and \
        reports the miner process's memory. Only loopback addresses are used (127.0.0.1 for the \
        validator, 127.0.0.2.. for the attacker); the test stops by itself.")]
    Attack {
        #[arg(long, default_value_t = 1_000)]
        idle: usize,
        /// Loopback source addresses the idle connections are spread over.
        #[arg(long, default_value_t = 10)]
        attack_addresses: u8,
        #[arg(long, default_value_t = 16)]
        flood_clients: usize,
        /// Validator rounds per phase (quiet, then under attack).
        #[arg(long, default_value_t = 200)]
        rounds: usize,
        #[arg(long, default_value_t = 64)]
        images: usize,
        #[arg(long, default_value_t = 2_000)]
        timeout_ms: u64,
        /// Weights to serve (default: an untrained medium CNN).
        #[arg(long)]
        model: Option<PathBuf>,
        /// Also write the report as JSON to this file.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Validator round time over N simulated miners (real axons in this process).
    #[command(
        after_help = "Example:\n  neuron bench validator --miners 64 --rounds 3 --handler model"
    )]
    Validator {
        #[arg(long, default_value_t = 64)]
        miners: usize,
        #[arg(long, default_value_t = 3)]
        rounds: u64,
        /// `model`: every miner runs the medium CNN on flex; `instant`: miners answer without
        /// computing (isolates the validator's own cost).
        #[arg(long, default_value = "model")]
        handler: String,
        #[arg(long, default_value_t = 12_000)]
        timeout_ms: u64,
        #[arg(long, default_value_t = 64)]
        images: usize,
    },
    /// Chain client figures: metagraph sync time and RPC calls, proof-of-work hash rate.
    #[command(subcommand)]
    Chain(chain::ChainBench),
}

/// Latency summary.
#[derive(Debug, Clone)]
pub struct Summary {
    pub requests: usize,
    pub images_per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub errors: usize,
}

fn summarize(mut lat: Vec<Duration>, batch: usize, elapsed: Duration, errors: usize) -> Summary {
    lat.sort();
    let pct = |p: f64| {
        if lat.is_empty() {
            return f64::NAN;
        }
        let i = ((lat.len() as f64 * p).ceil() as usize).clamp(1, lat.len()) - 1;
        lat[i].as_secs_f64() * 1e3
    };
    Summary {
        requests: lat.len(),
        images_per_sec: (lat.len() * batch) as f64 / elapsed.as_secs_f64(),
        p50_ms: pct(0.5),
        p99_ms: pct(0.99),
        errors,
    }
}

fn print_summary(label: &str, batch: usize, s: &Summary) {
    println!(
        "{label:<34} batch {batch:>3}: {:>9.0} images/s  p50 {:>8.2} ms  p99 {:>8.2} ms  ({} requests, {} errors)",
        s.images_per_sec, s.p50_ms, s.p99_ms, s.requests, s.errors
    );
}

/// Forward passes back to back on one thread.
pub fn bench_model(c: &Classifier, batch: usize, seconds: f64) -> Summary {
    let pixels = generate_batch(99, batch).pixels;
    let _ = c.predict(&pixels); // warm-up
    let start = Instant::now();
    let mut lat = Vec::new();
    while start.elapsed().as_secs_f64() < seconds {
        let t = Instant::now();
        let out = c.predict(&pixels);
        assert_eq!(out.len(), batch);
        lat.push(t.elapsed());
    }
    summarize(lat, batch, start.elapsed(), 0)
}

/// Closed-loop HTTP load: `concurrency` clients send signed challenges back to back.
pub async fn bench_http(
    url: &str,
    signer: &Hotkey,
    recipient: AccountId,
    batch: usize,
    seconds: f64,
    concurrency: usize,
) -> Result<Summary> {
    let body = bytes::Bytes::from(serde_json::to_vec(&DigitsChallenge::from_pixels(
        &generate_batch(7, batch).pixels,
    ))?);
    let client = reqwest::Client::builder().no_proxy().build()?;
    let url = format!("{}/digits", url.trim_end_matches('/'));
    let send = move |client: reqwest::Client, url: String, body: bytes::Bytes, signer: Hotkey| async move {
        let env = Envelope::sign(
            &signer,
            Purpose::request("digits"),
            recipient,
            &body,
            new_nonce(),
            now_ms(),
        );
        let mut h = crate::dendrite::request_headers(&env);
        h.insert(HDR_TIMEOUT_MS, HeaderValue::from(30_000u64));
        let r = client
            .post(&url)
            .headers(h)
            .body(body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = r.status();
        let bytes = r.bytes().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!(
                "HTTP {status}: {}",
                String::from_utf8_lossy(&bytes)
            ));
        }
        let resp: DigitsResponse = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
        if resp.probs.len() != batch {
            return Err(format!("{} answers for {batch} images", resp.probs.len()));
        }
        Ok(())
    };
    // Warm-up and reachability check.
    send(client.clone(), url.clone(), body.clone(), signer.clone())
        .await
        .map_err(|e| anyhow::anyhow!("{url}: {e}"))?;
    let start = Instant::now();
    let stop = start + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for _ in 0..concurrency.max(1) {
        let (client, url, body, signer) =
            (client.clone(), url.clone(), body.clone(), signer.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0usize;
            let mut last_error = None;
            while Instant::now() < stop {
                let t = Instant::now();
                match send(client.clone(), url.clone(), body.clone(), signer.clone()).await {
                    Ok(()) => lat.push(t.elapsed()),
                    Err(e) => {
                        errors += 1;
                        last_error = Some(e);
                    }
                }
            }
            (lat, errors, last_error)
        }));
    }
    let mut lat = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e, last) = t.await?;
        lat.extend(l);
        errors += e;
        if let Some(last) = last {
            tracing::warn!("request failed: {last}");
        }
    }
    Ok(summarize(lat, batch, start.elapsed(), errors))
}

/// Answers instantly with a uniform distribution (validator-overhead benchmark).
struct InstantHandler;

impl Handler for InstantHandler {
    fn route(&self) -> &'static str {
        "digits"
    }
    fn max_body_bytes(&self) -> usize {
        DigitsChallenge::max_json_bytes()
    }
    fn handle(&self, body: &[u8], _: &CancelToken) -> Result<Vec<u8>, HandlerError> {
        let c: DigitsChallenge =
            serde_json::from_slice(body).map_err(|e| HandlerError::BadRequest(e.to_string()))?;
        serde_json::to_vec(&DigitsResponse {
            probs: vec![vec![0.1; 10]; c.count],
        })
        .map_err(|e| HandlerError::Internal(e.to_string()))
    }
}

pub async fn run(cmd: BenchCommand, chain_args: &crate::cli::ChainArgs) -> Result<()> {
    match cmd {
        BenchCommand::Chain(c) => chain::run(c, chain_args).await,
        BenchCommand::Miner {
            device,
            model,
            size,
            batches,
            seconds,
            concurrency,
            workers,
        } => {
            let dev = device.device()?;
            let classifier = match &model {
                Some(p) => load_model(p, dev)?.0,
                None => Classifier::untrained(size, dev, 1),
            };
            println!(
                "miner benchmark: {} CNN on {device}, {} cores, RAYON_NUM_THREADS={}",
                classifier.size(),
                std::thread::available_parallelism().map_or(0, |n| n.get()),
                std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "unset".into())
            );
            for &b in &batches {
                let c = classifier.clone();
                let s = tokio::task::spawn_blocking(move || bench_model(&c, b, seconds)).await?;
                print_summary(&format!("{device} model only, sequential calls"), b, &s);
            }
            let validator = Hotkey::from_uri("//Alice")?;
            let miner_key = Hotkey::from_uri("//Bob")?;
            let dir = Arc::new(StaticPeerDirectory::new(vec![PeerInfo {
                uid: 0,
                hotkey: validator.account(),
                stake_rao: 1_000_000_000_000,
                validator_permit: true,
                axon: None,
            }])?);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let handle = axon::serve(
                listener,
                miner_key.clone(),
                AxonConfig {
                    workers,
                    ..AxonConfig::default()
                },
                Arc::new(DigitsHandler::new(classifier, device)),
                dir,
            )?;
            let url = format!("http://{}", handle.addr);
            for &b in &batches {
                let s = bench_http(
                    &url,
                    &validator,
                    miner_key.account(),
                    b,
                    seconds,
                    concurrency,
                )
                .await?;
                print_summary(
                    &format!("{device} signed HTTP, {concurrency} clients"),
                    b,
                    &s,
                );
            }
            handle.shutdown().await;
            Ok(())
        }
        BenchCommand::Load {
            url,
            recipient,
            hotkey,
            batches,
            seconds,
            concurrency,
        } => {
            let signer = crate::cli::dev_uri_only(&hotkey, "--hotkey")?;
            let recipient = match recipient.parse::<AccountId>() {
                Ok(a) => a,
                Err(_) => crate::cli::dev_uri_only(&recipient, "--recipient")?.account(),
            };
            for &b in &batches {
                let s = bench_http(&url, &signer, recipient, b, seconds, concurrency).await?;
                print_summary(&format!("{url}, {concurrency} clients"), b, &s);
            }
            Ok(())
        }
        BenchCommand::Validator {
            miners,
            rounds,
            handler,
            timeout_ms,
            images,
        } => bench_validator(miners, rounds, &handler, timeout_ms, images).await,
        BenchCommand::Attack {
            idle,
            attack_addresses,
            flood_clients,
            rounds,
            images,
            timeout_ms,
            model,
            json,
        } => {
            let opts = attack::AttackOptions {
                idle,
                attack_addresses,
                flood_clients,
                rounds,
                images,
                timeout: Duration::from_millis(timeout_ms),
                model,
            };
            let report = attack::run(&opts, &std::env::current_exe()?).await?;
            attack::print(&report);
            if let Some(path) = json {
                crate::fsutil::write_atomic(&path, &serde_json::to_vec_pretty(&report)?)?;
            }
            Ok(())
        }
    }
}

async fn bench_validator(
    miners: usize,
    rounds: u64,
    handler: &str,
    timeout_ms: u64,
    images: usize,
) -> Result<()> {
    let validator = Hotkey::from_uri("//Alice")?;
    let handler: Arc<dyn Handler> = match handler {
        "model" => Arc::new(DigitsHandler::new(
            Classifier::untrained(ModelSize::Medium, Backend::Flex.device()?, 1),
            Backend::Flex,
        )),
        "instant" => Arc::new(InstantHandler),
        other => bail!("--handler must be `model` or `instant`, got {other:?}"),
    };
    let mut peers = vec![PeerInfo {
        uid: 0,
        hotkey: validator.account(),
        stake_rao: 1_000_000_000_000,
        validator_permit: true,
        axon: None,
    }];
    let mut keys = Vec::new();
    for i in 0..miners {
        let k = Hotkey::from_uri(&format!("//Miner{i}"))?;
        keys.push(k.clone());
        peers.push(PeerInfo {
            uid: (i + 1) as u16,
            hotkey: k.account(),
            stake_rao: 0,
            validator_permit: false,
            axon: None,
        });
    }
    let dir = Arc::new(StaticPeerDirectory::new(peers.clone())?);
    let mut handles = Vec::new();
    for (i, k) in keys.into_iter().enumerate() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr: SocketAddr = listener.local_addr()?;
        peers[i + 1].axon = Some(addr);
        handles.push(axon::serve(
            listener,
            k,
            AxonConfig {
                workers: 1,
                ..AxonConfig::default()
            },
            handler.clone(),
            dir.clone(),
        )?);
    }
    dir.replace(peers)?;
    let cfg = ValidatorConfig {
        sample_size: miners,
        timeout: Duration::from_millis(timeout_ms),
        ..ValidatorConfig::default()
    };
    let mut v = Validator::new(DigitsTask { images }, Dendrite::new(validator), dir, cfg)?;
    let mut times = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let r = v.run_round().await?;
        let took = t.elapsed();
        let answered = r.results.iter().filter(|m| m.error.is_none()).count();
        println!(
            "round {}: {} miners, {answered} answered, {:.0} ms (deadline {timeout_ms} ms)",
            r.step,
            r.queried,
            took.as_secs_f64() * 1e3
        );
        times.push(took);
    }
    times.sort();
    if let (Some(min), Some(max)) = (times.first(), times.last()) {
        println!(
            "validator round over {miners} miners ({images} images each): min {:.0} ms, median {:.0} ms, max {:.0} ms",
            min.as_secs_f64() * 1e3,
            times[times.len() / 2].as_secs_f64() * 1e3,
            max.as_secs_f64() * 1e3
        );
    }
    for h in handles {
        h.shutdown().await;
    }
    Ok(())
}
