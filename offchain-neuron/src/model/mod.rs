//! The burn model: architecture, backend selection, burnpack load/save and batched inference.

mod cnn;
mod device;
mod store;

pub use cnn::{DigitCnn, ModelSize, images_tensor};
pub use device::Backend;
pub use store::{ModelMeta, load_meta, load_model, save_model};

use burn::prelude::*;
use burn::tensor::activation::softmax;

use crate::task::digits::{CLASSES, PIXELS};

/// An inference-ready model on one device.
#[derive(Debug, Clone)]
pub struct Classifier {
    model: DigitCnn,
    device: Device,
    size: ModelSize,
}

impl Classifier {
    pub fn new(model: DigitCnn, size: ModelSize, device: Device) -> Self {
        Self {
            model: model.valid(),
            device,
            size,
        }
    }

    /// A randomly initialised (untrained) classifier: the baseline any training must beat.
    pub fn untrained(size: ModelSize, device: Device, seed: u64) -> Self {
        device.seed(seed);
        let model = DigitCnn::new(size, &device);
        Self::new(model, size, device)
    }

    pub fn size(&self) -> ModelSize {
        self.size
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    pub fn model(&self) -> &DigitCnn {
        &self.model
    }

    /// Class probabilities for `pixels.len() / 784` images, one forward pass.
    pub fn predict(&self, pixels: &[u8]) -> Vec<[f32; CLASSES]> {
        let n = pixels.len() / PIXELS;
        if n == 0 {
            return Vec::new();
        }
        let logits = self.model.forward(images_tensor(pixels, &self.device));
        let probs = softmax(logits, 1)
            .into_data_as::<f32>()
            .try_into_vec::<f32>()
            .expect("softmax output is f32");
        probs
            .chunks_exact(CLASSES)
            .map(|c| c.try_into().expect("chunk of CLASSES"))
            .collect()
    }

    /// Fraction of `labels` predicted correctly, evaluated in chunks of `chunk` images.
    pub fn accuracy(&self, pixels: &[u8], labels: &[u8], chunk: usize) -> f64 {
        let mut correct = 0usize;
        for (px, lb) in pixels.chunks(chunk * PIXELS).zip(labels.chunks(chunk)) {
            for (p, &l) in self.predict(px).iter().zip(lb) {
                if argmax(p) == usize::from(l) {
                    correct += 1;
                }
            }
        }
        correct as f64 / labels.len().max(1) as f64
    }
}

/// Index of the largest value (first one on ties).
pub fn argmax(row: &[f32]) -> usize {
    row.iter()
        .enumerate()
        .fold(0, |b, (i, &p)| if p > row[b] { i } else { b })
}
