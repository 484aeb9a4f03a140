//! The digit classifier: two 3x3 conv + ReLU + 2x2 max-pool blocks, then two linear layers.
//!
//! `[N, 1, 28, 28]` grey images in [0, 1] -> `[N, 10]` logits. Three sizes share the
//! architecture and differ in width; miners pick one (or train their own longer) and compete on
//! accuracy.

use burn::nn::{
    Linear, LinearConfig, PaddingConfig2d, Relu,
    conv::{Conv2d, Conv2dConfig},
    pool::{MaxPool2d, MaxPool2dConfig},
};
use burn::prelude::*;
use serde::{Deserialize, Serialize};

use crate::task::digits::{CLASSES, SIDE};

/// Model width preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ModelSize {
    /// 4/8 channels, 32 hidden units (~13k parameters).
    Small,
    /// 8/16 channels, 64 hidden units (~52k parameters). The default.
    Medium,
    /// 16/32 channels, 128 hidden units (~206k parameters).
    Large,
}

impl ModelSize {
    pub const ALL: [ModelSize; 3] = [ModelSize::Small, ModelSize::Medium, ModelSize::Large];

    /// (conv1 channels, conv2 channels, hidden units)
    pub fn widths(self) -> (usize, usize, usize) {
        match self {
            ModelSize::Small => (4, 8, 32),
            ModelSize::Medium => (8, 16, 64),
            ModelSize::Large => (16, 32, 128),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ModelSize::Small => "small",
            ModelSize::Medium => "medium",
            ModelSize::Large => "large",
        }
    }
}

impl std::fmt::Display for ModelSize {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The CNN. Parameters live on the device it was initialised on.
#[derive(Module, Debug)]
pub struct DigitCnn {
    conv1: Conv2d,
    conv2: Conv2d,
    pool: MaxPool2d,
    fc1: Linear,
    fc2: Linear,
    act: Relu,
}

impl DigitCnn {
    /// Fresh, randomly initialised model of the given size on `device`.
    pub fn new(size: ModelSize, device: &Device) -> Self {
        let (c1, c2, hidden) = size.widths();
        let flat = c2 * (SIDE / 4) * (SIDE / 4);
        Self {
            conv1: Conv2dConfig::new([1, c1], [3, 3])
                .with_padding(PaddingConfig2d::Same)
                .init(device),
            conv2: Conv2dConfig::new([c1, c2], [3, 3])
                .with_padding(PaddingConfig2d::Same)
                .init(device),
            pool: MaxPool2dConfig::new([2, 2]).init(),
            fc1: LinearConfig::new(flat, hidden).init(device),
            fc2: LinearConfig::new(hidden, CLASSES).init(device),
            act: Relu::new(),
        }
    }

    /// `[N, 1, 28, 28]` -> `[N, 10]` logits.
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        let x = self
            .pool
            .forward(self.act.forward(self.conv1.forward(images)));
        let x = self.pool.forward(self.act.forward(self.conv2.forward(x)));
        let x: Tensor<2> = x.flatten(1, 3);
        let x = self.act.forward(self.fc1.forward(x));
        self.fc2.forward(x)
    }
}

/// Converts grey bytes (`n * 784`) to a `[n, 1, 28, 28]` float tensor in [0, 1].
pub fn images_tensor(pixels: &[u8], device: &Device) -> Tensor<4> {
    let n = pixels.len() / (SIDE * SIDE);
    let values: Vec<f32> = pixels
        .iter()
        .map(|&p| f32::from(p) * (1.0 / 255.0))
        .collect();
    Tensor::from_data(TensorData::new(values, [n, 1, SIDE, SIDE]), device)
}
