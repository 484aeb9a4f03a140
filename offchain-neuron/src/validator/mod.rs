//! The validator: one round = sample miners, a fresh challenge *per miner* from OS randomness
//! (so no miner can copy another's answer or relay its challenge to a stronger miner for the
//! same images), concurrent signed queries under a hard deadline, scoring, EMA per UID, weight
//! pipeline, state saved.
//!
//! Memory is bounded: per-UID vectors have at most 65,536 entries (UIDs are u16), one round's
//! answers are dropped after scoring, and responses are size-capped by the dendrite.

pub mod on_chain;
pub mod scoring;
pub mod state;
pub mod weights;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use rand::seq::SliceRandom;
use rand::{RngCore, SeedableRng};
use serde::Serialize;

use crate::dendrite::Dendrite;
use crate::peers::{PeerDirectory, PeerInfo};
use crate::task::Task;
use crate::wire::AccountId;
use scoring::{ScoreParams, round_score};
use state::ValidatorState;
use weights::{WeightParams, scores_to_weights};

/// Validator settings.
#[derive(Debug, Clone)]
pub struct ValidatorConfig {
    /// Miners queried per round (all serving miners when there are fewer).
    pub sample_size: usize,
    /// Hard deadline of one round's queries.
    pub timeout: Duration,
    /// EMA coefficient of a new round score.
    pub alpha: f64,
    pub weights: WeightParams,
    /// Peers with a validator permit and more stake than this (RAO) are not queried as miners.
    pub vpermit_rao_limit: u64,
    /// Where the state is persisted (None: in memory only).
    pub state_path: Option<PathBuf>,
}

impl Default for ValidatorConfig {
    fn default() -> Self {
        Self {
            sample_size: 64,
            timeout: Duration::from_secs(12),
            alpha: 0.1,
            weights: WeightParams::default(),
            vpermit_rao_limit: 4096 * 1_000_000_000,
            state_path: None,
        }
    }
}

/// What happened to one miner in a round.
#[derive(Debug, Clone, Serialize)]
pub struct MinerResult {
    pub uid: u16,
    pub hotkey: AccountId,
    /// Seed of this miner's challenge (revealed after the round, so anyone can re-derive it).
    pub seed: u64,
    pub accuracy: Option<f64>,
    pub loss: Option<f64>,
    pub latency_ms: u64,
    pub round_score: f64,
    pub ema: f64,
    pub error: Option<String>,
}

/// Outcome of one round.
#[derive(Debug, Clone, Serialize)]
pub struct RoundReport {
    pub step: u64,
    pub queried: usize,
    pub duration_ms: u64,
    pub results: Vec<MinerResult>,
    /// UIDs whose score restarted because a new hotkey took the UID.
    pub reset_uids: Vec<u16>,
    /// EMA score of every UID (index = UID).
    pub scores: Vec<f64>,
    /// What `set_weights` would submit: (uid, u16 weight) after the A4 pipeline.
    pub weights: Vec<(u16, u16)>,
}

pub struct Validator<T: Task> {
    task: Arc<T>,
    dendrite: Dendrite,
    directory: Arc<dyn PeerDirectory>,
    cfg: ValidatorConfig,
    state: ValidatorState,
}

impl<T: Task> Validator<T> {
    /// Creates a validator, reloading persisted state if `cfg.state_path` exists.
    pub fn new(
        task: T,
        dendrite: Dendrite,
        directory: Arc<dyn PeerDirectory>,
        cfg: ValidatorConfig,
    ) -> Result<Self> {
        let state = match &cfg.state_path {
            Some(p) => ValidatorState::load_or_new(p)?,
            None => ValidatorState::new(),
        };
        Ok(Self {
            task: Arc::new(task),
            dendrite,
            directory,
            cfg,
            state,
        })
    }

    /// The subnet's weight limits changed (read from the chain each round).
    pub fn set_weight_params(&mut self, p: WeightParams) {
        self.cfg.weights = p;
    }

    pub fn weight_params(&self) -> WeightParams {
        self.cfg.weights
    }

    pub fn state(&self) -> &ValidatorState {
        &self.state
    }

    /// Miners eligible for querying: serving an axon, not ourselves, not a big validator.
    pub fn eligible(&self, peers: &[PeerInfo]) -> Vec<PeerInfo> {
        let me = self.dendrite.hotkey().account();
        peers
            .iter()
            .filter(|p| p.axon.is_some() && p.hotkey != me)
            .filter(|p| !(p.validator_permit && p.stake_rao > self.cfg.vpermit_rao_limit))
            .cloned()
            .collect()
    }

    /// Generates each miner's challenge from its seed, in parallel off the async runtime.
    async fn challenges(
        &self,
        sample: &[PeerInfo],
        seeds: &[u64],
    ) -> Result<(Vec<(PeerInfo, bytes::Bytes)>, Vec<T::Truth>)> {
        use rayon::prelude::*;
        let task = self.task.clone();
        let seeds = seeds.to_vec();
        let made = tokio::task::spawn_blocking(move || {
            seeds
                .par_iter()
                .map(|&seed| {
                    let (challenge, truth) = task.generate(seed);
                    serde_json::to_vec(&challenge).map(|b| (bytes::Bytes::from(b), truth))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .await??;
        let (bodies, truths): (Vec<_>, Vec<_>) = made.into_iter().unzip();
        Ok((sample.iter().cloned().zip(bodies).collect(), truths))
    }

    /// Runs one round.
    pub async fn run_round(&mut self) -> Result<RoundReport> {
        let started = Instant::now();
        let peers = self.directory.snapshot();
        let current: Vec<Option<AccountId>> = (0..peers.n())
            .map(|uid| peers.by_uid(uid as u16).map(|p| p.hotkey))
            .collect();
        let reset_uids = self.state.book.sync(&current);

        let mut rng = rand::rngs::StdRng::from_rng(rand::rngs::OsRng)?;
        let mut sample = self.eligible(peers.peers());
        sample.shuffle(&mut rng);
        sample.truncate(self.cfg.sample_size);
        sample.sort_by_key(|p| p.uid);

        // One unpredictable seed per miner: nobody (this validator included, before now) knows
        // any miner's images, and no two miners get the same ones.
        let seeds: Vec<u64> = sample
            .iter()
            .map(|_| rand::rngs::OsRng.next_u64())
            .collect();
        let (jobs, truths) = self.challenges(&sample, &seeds).await?;
        let answers = self
            .dendrite
            .query_each(&jobs, self.task.name(), self.cfg.timeout)
            .await;
        drop(jobs);

        let params = ScoreParams::new(self.cfg.timeout);
        let mut results = Vec::with_capacity(answers.len());
        for ((a, truth), seed) in answers.into_iter().zip(&truths).zip(seeds) {
            let (quality, error) = match a.result {
                Ok(bytes) => match serde_json::from_slice::<T::Response>(&bytes) {
                    Ok(resp) => match self.task.score(truth, &resp) {
                        Ok(q) => (Some(q), None),
                        Err(e) => (None, Some(format!("unscorable response: {e}"))),
                    },
                    Err(e) => (
                        None,
                        Some(format!("response is not valid JSON for the task: {e}")),
                    ),
                },
                Err(e) => (None, Some(e.to_string())),
            };
            let score = round_score(quality, a.latency, &params);
            self.state.book.update(a.uid, score, self.cfg.alpha);
            let ema = self
                .state
                .book
                .scores
                .get(usize::from(a.uid))
                .copied()
                .unwrap_or(0.0);
            if let Some(e) = &error {
                tracing::info!(uid = a.uid, hotkey = %a.hotkey, "no score this round: {e}");
            }
            results.push(MinerResult {
                uid: a.uid,
                hotkey: a.hotkey,
                seed,
                accuracy: quality.map(|q| q.accuracy),
                loss: quality.map(|q| q.loss),
                latency_ms: a.latency.as_millis() as u64,
                round_score: score,
                ema,
                error,
            });
        }

        let (uids, vals) = scores_to_weights(&self.state.book.scores, self.cfg.weights);
        self.state.step += 1;
        if let Some(p) = &self.cfg.state_path {
            self.state.save(p)?;
        }
        Ok(RoundReport {
            step: self.state.step,
            queried: sample.len(),
            duration_ms: started.elapsed().as_millis() as u64,
            results,
            reset_uids,
            scores: self.state.book.scores.clone(),
            weights: uids.into_iter().zip(vals).collect(),
        })
    }
}
