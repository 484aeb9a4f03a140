//! Turning one answer into one round score, and the per-UID moving average.
//!
//! round score = (accuracy + 0.01 * (1 - min(loss / ln 10, 1))) * (1 - latency_penalty)
//!   * accuracy dominates; the log-loss term (relative to a uniform guess, ln 10) only breaks
//!     near-ties (it is worth less than one image in 64);
//!   * latency_penalty = 0.1 * clamp((latency - grace) / (deadline - grace), 0, 1): answering at
//!     the deadline costs 10%; answering within `grace` costs nothing;
//!   * no answer, a refusal, a bad signature or an unscorable response scores 0.
//!
//! EMA: score[uid] = alpha * round + (1 - alpha) * score[uid], only for UIDs queried this round.
//! When the hotkey at a UID changes (deregistered and replaced), its score restarts at 0.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::task::Quality;
use crate::wire::AccountId;

/// Scoring knobs.
#[derive(Debug, Clone, Copy)]
pub struct ScoreParams {
    /// Latency that costs nothing.
    pub grace: Duration,
    /// The request deadline (latency at which the full penalty applies).
    pub deadline: Duration,
    /// Largest fraction of the score latency can take away.
    pub max_latency_penalty: f64,
    /// Weight of the log-loss tie-break.
    pub loss_weight: f64,
}

impl ScoreParams {
    pub fn new(deadline: Duration) -> Self {
        Self {
            grace: deadline / 10,
            deadline,
            max_latency_penalty: 0.1,
            loss_weight: 0.01,
        }
    }
}

/// Round score of one answer; `None` quality means no usable answer.
pub fn round_score(quality: Option<Quality>, latency: Duration, p: &ScoreParams) -> f64 {
    let Some(q) = quality else { return 0.0 };
    let uniform_loss = 10f64.ln();
    let base = q.accuracy.clamp(0.0, 1.0)
        + p.loss_weight * (1.0 - (q.loss / uniform_loss).clamp(0.0, 1.0));
    let span = p.deadline.saturating_sub(p.grace).as_secs_f64().max(1e-9);
    let late = (latency.saturating_sub(p.grace).as_secs_f64() / span).clamp(0.0, 1.0);
    base * (1.0 - p.max_latency_penalty * late)
}

/// Per-UID moving averages plus the hotkey each average belongs to.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ScoreBook {
    pub scores: Vec<f64>,
    pub hotkeys: Vec<Option<AccountId>>,
}

impl ScoreBook {
    /// Aligns with the current subnet: resizes to `n` UIDs and zeroes the score of every UID
    /// whose hotkey changed. Returns the UIDs that were reset.
    pub fn sync(&mut self, current: &[Option<AccountId>]) -> Vec<u16> {
        let n = current.len();
        self.scores.resize(n, 0.0);
        self.hotkeys.resize(n, None);
        let mut reset = Vec::new();
        for (uid, hk) in current.iter().enumerate() {
            if self.hotkeys[uid] != *hk {
                if self.hotkeys[uid].is_some() {
                    reset.push(uid as u16);
                }
                self.scores[uid] = 0.0;
                self.hotkeys[uid] = *hk;
            }
        }
        reset
    }

    /// EMA update of one UID (ignored if the UID is out of range).
    pub fn update(&mut self, uid: u16, round: f64, alpha: f64) {
        if let Some(s) = self.scores.get_mut(usize::from(uid)) {
            let r = if round.is_finite() { round } else { 0.0 };
            *s = alpha * r + (1.0 - alpha) * *s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accuracy_dominates_loss_breaks_ties_latency_penalises() {
        let p = ScoreParams::new(Duration::from_secs(10));
        let q = |accuracy, loss| Some(Quality { accuracy, loss });
        let fast = Duration::from_millis(100);
        assert!(round_score(q(0.9, 2.0), fast, &p) > round_score(q(0.88, 0.0), fast, &p));
        assert!(round_score(q(0.9, 0.2), fast, &p) > round_score(q(0.9, 0.5), fast, &p));
        let slow = round_score(q(0.9, 0.2), Duration::from_secs(10), &p);
        let quick = round_score(q(0.9, 0.2), fast, &p);
        assert!((slow / quick - 0.9).abs() < 1e-9);
        assert_eq!(round_score(None, fast, &p), 0.0);
        assert_eq!(round_score(q(0.0, 100.0), fast, &p), 0.0);
    }

    #[test]
    fn ema_and_reset_on_hotkey_change() {
        let a = AccountId([1; 32]);
        let b = AccountId([2; 32]);
        let mut book = ScoreBook::default();
        assert!(book.sync(&[Some(a), None]).is_empty());
        book.update(0, 1.0, 0.5);
        book.update(0, 1.0, 0.5);
        assert!((book.scores[0] - 0.75).abs() < 1e-12);
        book.update(7, 1.0, 0.5); // out of range: ignored
        assert_eq!(book.sync(&[Some(a), None, None]), Vec::<u16>::new());
        assert!((book.scores[0] - 0.75).abs() < 1e-12);
        assert_eq!(book.sync(&[Some(b), None, None]), vec![0]);
        assert_eq!(book.scores[0], 0.0);
        assert_eq!(book.sync(&[Some(b)]).len(), 0);
        assert_eq!(book.scores.len(), 1);
    }
}
