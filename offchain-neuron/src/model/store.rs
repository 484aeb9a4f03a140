//! Burnpack (`.bpk`) weights on disk, written atomically, plus a small JSON sidecar
//! (`<file>.json`) describing how the weights were trained.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::{Bytes, Device};
use serde::{Deserialize, Serialize};

use super::{Classifier, DigitCnn, ModelSize};
use crate::fsutil::write_atomic;

/// Largest weights file a neuron loads (the large CNN is under 1 MiB).
const MAX_MODEL_BYTES: u64 = 64 << 20;

/// Training facts stored next to the weights.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ModelMeta {
    pub size: ModelSize,
    pub steps: usize,
    pub batch: usize,
    pub seed: u64,
    pub lr: f64,
    /// Accuracy on images from seeds never used in training.
    pub heldout_accuracy: f64,
    pub heldout_images: usize,
}

fn meta_path(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(".json");
    PathBuf::from(p)
}

/// The metadata sidecar of the weights at `path`, if it is there and readable.
pub fn load_meta(path: &Path) -> Option<ModelMeta> {
    std::fs::read(meta_path(path))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
}

/// Saves the weights (burnpack) and the metadata sidecar, each via temp file + rename, so a
/// crash never leaves a half-written model where a miner would load it.
pub fn save_model(model: &DigitCnn, meta: &ModelMeta, path: &Path) -> Result<()> {
    let bytes = model
        .clone()
        .into_record()
        .into_bytes()
        .map_err(|e| anyhow!("cannot serialise the model to burnpack: {e:?}"))?;
    write_atomic(path, &bytes).with_context(|| format!("writing weights to {}", path.display()))?;
    let json = serde_json::to_vec_pretty(meta)?;
    write_atomic(&meta_path(path), &json)
        .with_context(|| format!("writing {}", meta_path(path).display()))?;
    Ok(())
}

/// Loads weights saved by `neuron train`. The architecture size is read from the sidecar when
/// present, otherwise inferred by trying each size (burnpack validates tensor shapes).
pub fn load_model(path: &Path, device: Device) -> Result<(Classifier, Option<ModelMeta>)> {
    let len = std::fs::metadata(path)
        .with_context(|| {
            format!(
                "cannot read model file {}; train one with `neuron train --out {}`",
                path.display(),
                path.display()
            )
        })?
        .len();
    if len > MAX_MODEL_BYTES {
        anyhow::bail!(
            "{} is {len} bytes, more than the {MAX_MODEL_BYTES}-byte limit",
            path.display()
        );
    }
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let meta = load_meta(path);
    let sizes: Vec<ModelSize> = match &meta {
        Some(m) => vec![m.size],
        None => ModelSize::ALL.to_vec(),
    };
    let mut errors = Vec::new();
    for size in sizes {
        let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(bytes.clone()))
            .map_err(|e| anyhow!("{} is not a burnpack file: {e:?}", path.display()))?;
        match DigitCnn::new(size, &device).try_load_record(record) {
            Ok(model) => return Ok((Classifier::new(model, size, device), meta)),
            Err(e) => errors.push(format!("{size}: {e:?}")),
        }
    }
    Err(anyhow!(
        "{} does not hold weights of a known CNN size ({}); retrain it with `neuron train`",
        path.display(),
        errors.join("; ")
    ))
}
