//! The default subnet task: classify procedurally rendered 28x28 digit images.
//!
//! A batch is a pure function of its seed (see [`generate_batch`]); validators draw the seed
//! from OS randomness each round, so miners cannot know the images in advance and must
//! generalise. Miners answer ten class probabilities per image.

mod glyphs;
mod render;
pub mod rng;

use base64::Engine;
use serde::{Deserialize, Serialize};

pub use render::{PIXELS, SIDE};

use super::{InvalidResponse, Quality, Task};

/// Number of classes.
pub const CLASSES: usize = 10;
/// Largest batch a challenge may carry (a miner refuses more).
pub const MAX_CHALLENGE_IMAGES: usize = 1024;

/// A batch of images with labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// `count * PIXELS` bytes, row-major, one image after the other; 0 = black, 255 = ink.
    pub pixels: Vec<u8>,
    pub labels: Vec<u8>,
}

impl Batch {
    pub fn len(&self) -> usize {
        self.labels.len()
    }
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
    /// Pixels of image `i`.
    pub fn image(&self, i: usize) -> &[u8] {
        &self.pixels[i * PIXELS..(i + 1) * PIXELS]
    }
}

/// Renders `count` labelled images from `seed`. Image `i` depends only on (seed, i).
pub fn generate_batch(seed: u64, count: usize) -> Batch {
    let mut pixels = vec![0u8; count * PIXELS];
    let mut labels = Vec::with_capacity(count);
    for (i, out) in pixels.chunks_exact_mut(PIXELS).enumerate() {
        let mut rng = rng::SampleRng::for_sample(seed, i as u64);
        labels.push(render::render_sample(&mut rng, out));
    }
    Batch { pixels, labels }
}

/// Request body of the digits task (`POST /digits`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DigitsChallenge {
    pub width: usize,
    pub height: usize,
    pub count: usize,
    /// Base64 (standard alphabet) of `count * width * height` grey bytes.
    pub pixels: String,
}

impl DigitsChallenge {
    /// Length of the largest valid challenge as JSON (MAX_CHALLENGE_IMAGES images): the
    /// base64 payload plus room for the other fields. About 1.07 MB.
    pub fn max_json_bytes() -> usize {
        (MAX_CHALLENGE_IMAGES * PIXELS).div_ceil(3) * 4 + 256
    }

    pub fn from_pixels(pixels: &[u8]) -> Self {
        Self {
            width: SIDE,
            height: SIDE,
            count: pixels.len() / PIXELS,
            pixels: base64::engine::general_purpose::STANDARD.encode(pixels),
        }
    }

    /// Decodes and checks the pixel payload. The error says what is wrong with the request.
    pub fn decode(&self) -> Result<Vec<u8>, String> {
        if self.width != SIDE || self.height != SIDE {
            return Err(format!(
                "images must be {SIDE}x{SIDE}, got {}x{}",
                self.width, self.height
            ));
        }
        if self.count == 0 || self.count > MAX_CHALLENGE_IMAGES {
            return Err(format!(
                "count must be in 1..={MAX_CHALLENGE_IMAGES}, got {}",
                self.count
            ));
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(self.pixels.as_bytes())
            .map_err(|e| format!("pixels are not valid base64: {e}"))?;
        if bytes.len() != self.count * PIXELS {
            return Err(format!(
                "pixels hold {} bytes, expected count*{PIXELS} = {}",
                bytes.len(),
                self.count * PIXELS
            ));
        }
        Ok(bytes)
    }
}

/// Response body of the digits task: one probability row (10 values) per image.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DigitsResponse {
    pub probs: Vec<Vec<f32>>,
}

/// The digits task: `images` per challenge.
#[derive(Debug, Clone)]
pub struct DigitsTask {
    pub images: usize,
}

impl Default for DigitsTask {
    fn default() -> Self {
        Self { images: 64 }
    }
}

/// Probability floor used in the log-loss, so one confident mistake costs at most ln(1e4).
const MIN_PROB: f64 = 1e-4;

impl Task for DigitsTask {
    type Challenge = DigitsChallenge;
    type Truth = Vec<u8>;
    type Response = DigitsResponse;

    fn name(&self) -> &'static str {
        "digits"
    }

    fn generate(&self, seed: u64) -> (DigitsChallenge, Vec<u8>) {
        let batch = generate_batch(seed, self.images);
        (DigitsChallenge::from_pixels(&batch.pixels), batch.labels)
    }

    fn score(
        &self,
        truth: &Vec<u8>,
        response: &DigitsResponse,
    ) -> Result<Quality, InvalidResponse> {
        if response.probs.len() != truth.len() {
            return Err(InvalidResponse::WrongCount {
                expected: truth.len(),
                got: response.probs.len(),
            });
        }
        let mut correct = 0usize;
        let mut loss = 0f64;
        for (index, (row, &label)) in response.probs.iter().zip(truth).enumerate() {
            if row.len() != CLASSES {
                return Err(InvalidResponse::Malformed {
                    index,
                    reason: format!("expected {CLASSES} probabilities, got {}", row.len()),
                });
            }
            if row.iter().any(|p| !p.is_finite() || *p < 0.0) {
                return Err(InvalidResponse::Malformed {
                    index,
                    reason: "probabilities must be finite and >= 0".into(),
                });
            }
            let sum: f64 = row.iter().map(|&p| f64::from(p)).sum();
            if !(0.99..=1.01).contains(&sum) {
                return Err(InvalidResponse::Malformed {
                    index,
                    reason: format!("probabilities must sum to 1 (+-0.01), got {sum:.4}"),
                });
            }
            // argmax, lowest class on ties (so a uniform answer is not rewarded by luck)
            let best = row
                .iter()
                .enumerate()
                .fold(0, |b, (i, &p)| if p > row[b] { i } else { b });
            if best == usize::from(label) {
                correct += 1;
            }
            let p = (f64::from(row[usize::from(label)]) / sum).max(MIN_PROB);
            loss -= p.ln();
        }
        let n = truth.len().max(1) as f64;
        Ok(Quality {
            accuracy: correct as f64 / n,
            loss: loss / n,
        })
    }
}

/// Renders an image as ASCII art (for `neuron task sample` and debugging).
pub fn ascii(image: &[u8]) -> String {
    const RAMP: &[u8] = b" .:-=+*#%@";
    let mut s = String::with_capacity(PIXELS * 2 + SIDE);
    for row in image.chunks(SIDE) {
        for &p in row {
            let c = RAMP[usize::from(p) * (RAMP.len() - 1) / 255] as char;
            s.push(c);
            s.push(c);
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    #[test]
    fn same_seed_same_bytes_different_seed_differs() {
        let a = generate_batch(42, 32);
        let b = generate_batch(42, 32);
        let c = generate_batch(43, 32);
        assert_eq!(a, b);
        assert_ne!(a.pixels, c.pixels);
        // prefix property
        let d = generate_batch(42, 8);
        assert_eq!(&a.pixels[..8 * PIXELS], &d.pixels[..]);
        assert_eq!(&a.labels[..8], &d.labels[..]);
    }

    #[test]
    fn all_classes_appear_and_images_have_ink() {
        let b = generate_batch(1, 400);
        for digit in 0..10u8 {
            assert!(b.labels.contains(&digit), "digit {digit} never drawn");
        }
        for i in 0..b.len() {
            let ink = b.image(i).iter().filter(|&&p| p > 100).count();
            assert!(
                ink >= 10,
                "image {i} (label {}) has almost no ink: {ink}",
                b.labels[i]
            );
        }
    }

    /// Golden value: the batch of seed 2024 must be identical on every machine and build. If
    /// this fails after an intentional generator change, that change is a new task version:
    /// update the constant and say so in the changelog (validators and miners must agree).
    #[test]
    fn generator_output_is_pinned() {
        let b = generate_batch(2024, 64);
        let mut h = Sha256::new();
        h.update(&b.pixels);
        h.update(&b.labels);
        assert_eq!(hex::encode(h.finalize()), GOLDEN_2024_64);
    }
    const GOLDEN_2024_64: &str = "e92bacf5e43bc11e9eeff924fee5ddee945ffe4f7fcf91518fb0e23457d3ff7e";

    #[test]
    fn scoring_rewards_correct_answers_and_rejects_garbage() {
        let task = DigitsTask { images: 4 };
        let truth = vec![1u8, 2, 3, 4];
        let onehot = |k: usize| {
            let mut v = vec![0.0f32; 10];
            v[k] = 1.0;
            v
        };
        let perfect = DigitsResponse {
            probs: (1..=4).map(onehot).collect(),
        };
        let q = task.score(&truth, &perfect).unwrap();
        assert_eq!(q.accuracy, 1.0);
        assert!(q.loss < 1e-9);
        let half = DigitsResponse {
            probs: vec![onehot(1), onehot(2), onehot(0), onehot(0)],
        };
        let q2 = task.score(&truth, &half).unwrap();
        assert_eq!(q2.accuracy, 0.5);
        assert!(q2.loss > q.loss);
        let uniform = DigitsResponse {
            probs: vec![vec![0.1; 10]; 4],
        };
        let qu = task.score(&truth, &uniform).unwrap();
        assert_eq!(
            qu.accuracy, 0.0,
            "ties resolve to class 0, which is not a label here"
        );
        assert!((qu.loss - 10f64.ln()).abs() < 1e-5);
        assert!(matches!(
            task.score(
                &truth,
                &DigitsResponse {
                    probs: vec![onehot(1)]
                }
            ),
            Err(InvalidResponse::WrongCount { .. })
        ));
        let mut nan = perfect.clone();
        nan.probs[2][0] = f32::NAN;
        assert!(matches!(
            task.score(&truth, &nan),
            Err(InvalidResponse::Malformed { index: 2, .. })
        ));
        let mut unnormalised = perfect.clone();
        unnormalised.probs[0] = vec![1.0; 10];
        assert!(task.score(&truth, &unnormalised).is_err());
    }

    #[test]
    fn challenge_round_trips_and_checks_shape() {
        let task = DigitsTask { images: 3 };
        let (ch, _) = task.generate(9);
        assert_eq!(ch.decode().unwrap(), generate_batch(9, 3).pixels);
        let mut bad = ch.clone();
        bad.count = 4;
        assert!(bad.decode().unwrap_err().contains("expected count"));
        let mut bad = ch;
        bad.width = 10;
        assert!(bad.decode().is_err());
    }

    #[test]
    fn largest_challenge_fits_its_declared_bound() {
        let c = DigitsChallenge::from_pixels(&vec![255u8; MAX_CHALLENGE_IMAGES * PIXELS]);
        let json = serde_json::to_vec(&c).unwrap();
        assert!(json.len() <= DigitsChallenge::max_json_bytes());
        assert!(DigitsChallenge::max_json_bytes() - json.len() < 512);
    }
}
