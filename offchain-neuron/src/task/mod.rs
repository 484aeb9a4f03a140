//! Subnet tasks: what a validator asks, what the right answer is, and how an answer is scored.
//!
//! A subnet brings its own task by implementing [`Task`]; the validator, the dendrite and the
//! scoring pipeline only use this trait. The digits task is the first implementation.

pub mod digits;

use serde::{Serialize, de::DeserializeOwned};

/// Quality of one response, independent of latency.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quality {
    /// Main metric in [0, 1], higher is better (digits: accuracy).
    pub accuracy: f64,
    /// Tie-break metric, lower is better, >= 0 (digits: mean log-loss in nats).
    pub loss: f64,
}

/// Why a response cannot be scored (it then scores 0).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InvalidResponse {
    #[error("expected {expected} answers, got {got}")]
    WrongCount { expected: usize, got: usize },
    #[error("answer {index} is malformed: {reason}")]
    Malformed { index: usize, reason: String },
}

/// A subnet task: generates a challenge and its ground truth from a seed and scores responses.
pub trait Task: Send + Sync + 'static {
    /// What the validator sends to miners (the request body, as JSON).
    type Challenge: Serialize + DeserializeOwned + Send + Sync + Clone + 'static;
    /// What only the validator knows (never sent).
    type Truth: Send + Sync + 'static;
    /// What a miner answers (the response body, as JSON).
    type Response: Serialize + DeserializeOwned + Send + 'static;

    /// Route name on the axon: requests go to `POST /{name}`.
    fn name(&self) -> &'static str;

    /// A fresh challenge and its truth. Deterministic: the same seed gives the same challenge on
    /// every machine (so any validator or auditor can reproduce a round from its seed).
    fn generate(&self, seed: u64) -> (Self::Challenge, Self::Truth);

    /// Scores a response against the truth.
    fn score(
        &self,
        truth: &Self::Truth,
        response: &Self::Response,
    ) -> Result<Quality, InvalidResponse>;
}
