//! Validator state on disk: step, per-UID scores and the hotkeys they belong to. Written
//! atomically after every round (temp file + fsync + rename), so a crash or restart loses at
//! most the round in progress.

use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use super::scoring::ScoreBook;
use crate::fsutil::write_atomic;

const VERSION: u32 = 1;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ValidatorState {
    pub version: u32,
    /// Rounds completed.
    pub step: u64,
    #[serde(flatten)]
    pub book: ScoreBook,
}

impl ValidatorState {
    pub fn new() -> Self {
        Self {
            version: VERSION,
            ..Default::default()
        }
    }

    /// Loads `path`, or starts fresh if it does not exist.
    pub fn load_or_new(path: &Path) -> Result<Self> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::new()),
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("reading validator state {}", path.display()));
            }
        };
        let st: Self = serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "validator state {} is corrupt; move it aside to start from zero scores",
                path.display()
            )
        })?;
        if st.version != VERSION {
            bail!(
                "validator state {} has version {}, this neuron reads {VERSION}",
                path.display(),
                st.version
            );
        }
        if st.book.scores.len() != st.book.hotkeys.len()
            || st.book.scores.len() > usize::from(u16::MAX) + 1
        {
            bail!(
                "validator state {} is inconsistent (scores and hotkeys differ in length)",
                path.display()
            );
        }
        Ok(st)
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        write_atomic(path, &serde_json::to_vec(self)?)
            .with_context(|| format!("saving validator state {}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::AccountId;

    #[test]
    fn round_trip_and_corruption_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("state.json");
        assert_eq!(
            ValidatorState::load_or_new(&p).unwrap(),
            ValidatorState::new()
        );
        let mut st = ValidatorState::new();
        st.step = 12;
        st.book.sync(&[Some(AccountId([3; 32])), None]);
        st.book.update(0, 0.8, 0.1);
        st.save(&p).unwrap();
        assert_eq!(ValidatorState::load_or_new(&p).unwrap(), st);
        std::fs::write(&p, b"{ not json").unwrap();
        let e = ValidatorState::load_or_new(&p).unwrap_err();
        assert!(format!("{e:#}").contains("move it aside"));
    }
}
