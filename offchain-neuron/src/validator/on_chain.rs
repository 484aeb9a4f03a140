//! The validator on the chain: after a round, set the weights (or commit them and reveal due
//! commits) when the rate limit allows, and optionally run the subnet's due epoch.

use std::time::Instant;

use anyhow::Result;
use bt_interfaces::Hyperparams;
use serde::Serialize;

use super::weights::WeightParams;
use crate::chain::commits::{CommitStore, commit, reveal_due};
use crate::chain::{CallError, Chain};
use crate::wire::Hotkey;

/// What happened to one round's weights on the chain.
#[derive(Debug, Clone, Serialize)]
pub struct Submission {
    /// `set`, `committed`, `skipped` or `refused`.
    pub outcome: &'static str,
    pub block: Option<u32>,
    /// Milliseconds from the end of the round to inclusion.
    pub latency_ms: Option<u64>,
    pub note: String,
}

pub struct OnChain {
    pub chain: Chain,
    pub netuid: u16,
    pub uid: u16,
    pub hotkey: Hotkey,
    pub commits: CommitStore,
    /// Also run the subnet's epoch when it is due.
    pub keeper: bool,
}

impl OnChain {
    pub async fn hyperparams(&self) -> Result<Hyperparams> {
        self.chain
            .read(&self.chain.registry().hyperparams(self.netuid))
            .await?
            .ok_or_else(|| anyhow::anyhow!("subnet {} no longer exists", self.netuid))
    }

    /// A weight copier's weights: the consensus the last epoch recorded, as if it were this
    /// validator's own scores (its own UID left out), through the same weight pipeline.
    pub async fn copied_consensus(&self, params: WeightParams) -> Result<Vec<(u16, u16)>> {
        let m = self.chain.metagraph(self.netuid).await?;
        let n = m
            .neurons
            .iter()
            .map(|e| usize::from(e.uid) + 1)
            .max()
            .unwrap_or(0);
        let mut scores = vec![0.0; n];
        for e in m.neurons.iter().filter(|e| e.uid != self.uid) {
            scores[usize::from(e.uid)] = f64::from(e.consensus);
        }
        let (uids, values) = super::weights::scores_to_weights(&scores, params);
        Ok(uids.into_iter().zip(values).collect())
    }

    pub fn weight_params(h: &Hyperparams) -> WeightParams {
        WeightParams {
            min_allowed_weights: h.min_allowed_weights,
            max_weight_limit: h.max_weights_limit,
        }
    }

    /// Sends `weights` if the rate limit allows (commit-reveal subnets: reveals what is due,
    /// then commits).
    pub async fn submit(&self, weights: &[(u16, u16)], round_end: Instant) -> Result<Submission> {
        let h = self.hyperparams().await?;
        let now = self.chain.block().await?;
        if h.commit_reveal_enabled {
            let reveals = reveal_due(&self.chain, &self.hotkey, &self.commits, self.netuid).await?;
            for r in reveals.revealed {
                tracing::info!("revealed the weights committed in block {}", r.committed_at);
            }
        }
        if weights.is_empty() {
            return Ok(skipped("no miner has a score yet".into()));
        }
        let last = self
            .chain
            .read(&self.chain.ledger().weights(self.netuid, self.uid))
            .await?
            .map(|(at, _)| at);
        if let Some(at) = last {
            let next = at.saturating_add(h.weights_rate_limit);
            if now < next && !h.commit_reveal_enabled {
                return Ok(skipped(format!("rate limit, {} blocks left", next - now)));
            }
        }
        let (uids, values): (Vec<u16>, Vec<u16>) = weights.iter().copied().unzip();
        if h.commit_reveal_enabled {
            return Ok(
                match commit(
                    &self.chain,
                    &self.hotkey,
                    &self.commits,
                    self.netuid,
                    uids,
                    values,
                    h.weights_version_key,
                )
                .await
                {
                    Ok(p) => Submission {
                        outcome: "committed",
                        block: Some(p.committed_at),
                        latency_ms: Some(round_end.elapsed().as_millis() as u64),
                        note: format!("commit 0x{}", p.hash),
                    },
                    Err(e) => refused(e),
                },
            );
        }
        let msg = self
            .chain
            .ledger()
            .set_weights(self.netuid, uids, values, h.weights_version_key);
        Ok(
            match self.chain.send("weights", self.hotkey.pair(), &msg).await {
                Ok(inc) => Submission {
                    outcome: "set",
                    block: Some(inc.block),
                    latency_ms: Some(round_end.elapsed().as_millis() as u64),
                    note: String::new(),
                },
                Err(e) => refused(e.into()),
            },
        )
    }

    /// Runs the subnet's epoch if it is due (any account may; this hotkey pays).
    pub async fn keep(&self) -> Result<()> {
        if !self.keeper {
            return Ok(());
        }
        let left = self
            .chain
            .read(&self.chain.ledger().blocks_until_next_epoch(self.netuid))
            .await?;
        if left != Ok(0) {
            return Ok(());
        }
        match self
            .chain
            .send(
                "the epoch",
                self.hotkey.pair(),
                &self.chain.ledger().run_epoch(self.netuid),
            )
            .await
        {
            Ok(inc) => tracing::info!(
                "ran the epoch of subnet {} in block {}: {} RAO paid",
                self.netuid,
                inc.block,
                inc.value.paid
            ),
            Err(CallError::Refused { refusal, .. }) => {
                tracing::debug!("epoch not run: {}", refusal.reason)
            }
            Err(e) => tracing::warn!("epoch call failed: {e}"),
        }
        Ok(())
    }
}

fn skipped(note: String) -> Submission {
    Submission {
        outcome: "skipped",
        block: None,
        latency_ms: None,
        note,
    }
}

fn refused(e: anyhow::Error) -> Submission {
    Submission {
        outcome: "refused",
        block: None,
        latency_ms: None,
        note: format!("{e:#}"),
    }
}
