//! `neuron train`: supervised training of the CNN on freshly generated digit batches with burn
//! autodiff and Adam, then a held-out evaluation on seeds never used for training.

use std::sync::mpsc;
use std::time::Instant;

use anyhow::Result;
use burn::module::Module;
use burn::nn::loss::CrossEntropyLoss;
use burn::optim::{AdamConfig, GradientsParams};
use burn::prelude::*;
use indicatif::{ProgressBar, ProgressStyle};

use crate::model::{Backend, Classifier, DigitCnn, ModelMeta, ModelSize, images_tensor};
use crate::task::digits::{Batch, generate_batch, rng::mix_seed};

const TRAIN_DOMAIN: u64 = 0x0074_7261_696e;
const EVAL_DOMAIN: u64 = 0x0000_6576_616c;

/// Training hyperparameters.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    pub size: ModelSize,
    pub steps: usize,
    pub batch: usize,
    pub seed: u64,
    pub lr: f64,
    pub backend: Backend,
    /// Images in the held-out evaluation.
    pub eval_images: usize,
    /// Draw a progress bar on stderr.
    pub progress: bool,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            size: ModelSize::Medium,
            steps: 600,
            batch: 64,
            seed: 1,
            lr: 3e-3,
            backend: Backend::Flex,
            eval_images: 2048,
            progress: false,
        }
    }
}

/// Outcome of a training run.
#[derive(Debug, Clone)]
pub struct TrainReport {
    pub final_loss: f64,
    pub train_accuracy: f64,
    pub heldout_accuracy: f64,
    pub seconds: f64,
    pub meta: ModelMeta,
}

/// Held-out batch `index` for a training seed: disjoint from every training batch's seed stream.
pub fn heldout_batch(seed: u64, index: u64, count: usize) -> Batch {
    generate_batch(mix_seed(seed, EVAL_DOMAIN, index), count)
}

/// Trains a model. With `steps == 0` returns the untrained initialisation (a useful baseline).
pub fn train(opts: &TrainOptions) -> Result<(Classifier, TrainReport)> {
    let started = Instant::now();
    let device = opts.backend.device()?;
    let ad = device.clone().autodiff();
    ad.seed(opts.seed);
    let mut model = DigitCnn::new(opts.size, &ad);
    let mut optim = AdamConfig::new().init();
    let loss_fn = CrossEntropyLoss::new(None, &ad);

    // Batches are rendered on a producer thread while the model trains on the current one.
    let (tx, rx) = mpsc::sync_channel::<Batch>(4);
    let (seed, batch, steps) = (opts.seed, opts.batch, opts.steps);
    let producer = std::thread::spawn(move || {
        for step in 0..steps {
            if tx
                .send(generate_batch(
                    mix_seed(seed, TRAIN_DOMAIN, step as u64),
                    batch,
                ))
                .is_err()
            {
                break;
            }
        }
    });

    let bar = if opts.progress && steps > 0 {
        let b = ProgressBar::new(steps as u64);
        b.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} steps  {msg}  ({eta} left)",
            )
            .expect("valid template"),
        );
        b
    } else {
        ProgressBar::hidden()
    };

    let (mut ema_loss, mut ema_acc) = (f64::NAN, f64::NAN);
    for step in 0..steps {
        let data = rx.recv().expect("batch producer ended early");
        let images = images_tensor(&data.pixels, &ad);
        let labels: Vec<i64> = data.labels.iter().map(|&l| i64::from(l)).collect();
        let targets = Tensor::<1, Int>::from_data(TensorData::new(labels, [data.len()]), &ad);
        let logits = model.forward(images);
        let loss = loss_fn.forward(logits.clone(), targets.clone());
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        // Linear decay to 10% of the base rate: large steps first, fine-tuning at the end.
        let lr = opts.lr * (1.0 - 0.9 * step as f64 / steps as f64);
        model = optim.step(lr, model, grads);

        if step % 10 == 0 || step + 1 == steps {
            let loss_v = f64::from(loss.into_scalar::<f32>());
            let pred = logits.argmax(1).reshape([data.len()]);
            let correct: i64 = pred.equal(targets).int().sum().into_scalar::<i64>();
            let acc = correct as f64 / data.len() as f64;
            let k = 0.2;
            ema_loss = if ema_loss.is_nan() {
                loss_v
            } else {
                (1.0 - k) * ema_loss + k * loss_v
            };
            ema_acc = if ema_acc.is_nan() {
                acc
            } else {
                (1.0 - k) * ema_acc + k * acc
            };
            bar.set_message(format!("loss {ema_loss:.3}  acc {:.1}%", ema_acc * 100.0));
            tracing::debug!(step, loss = loss_v, acc, "train step");
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    drop(rx);
    let _ = producer.join();

    let classifier = Classifier::new(model.valid().to_device(&device), opts.size, device);
    let heldout_accuracy = evaluate(&classifier, opts.seed, opts.eval_images);
    let meta = ModelMeta {
        size: opts.size,
        steps,
        batch,
        seed,
        lr: opts.lr,
        heldout_accuracy,
        heldout_images: opts.eval_images,
    };
    let report = TrainReport {
        final_loss: ema_loss,
        train_accuracy: ema_acc,
        heldout_accuracy,
        seconds: started.elapsed().as_secs_f64(),
        meta,
    };
    Ok((classifier, report))
}

/// Accuracy on `images` held-out images of `seed`'s evaluation stream (chunks of 256).
pub fn evaluate(classifier: &Classifier, seed: u64, images: usize) -> f64 {
    let chunk = 256;
    let mut correct = 0f64;
    let mut done = 0usize;
    let mut index = 0u64;
    while done < images {
        let n = chunk.min(images - done);
        let b = heldout_batch(seed, index, n);
        correct += classifier.accuracy(&b.pixels, &b.labels, chunk) * n as f64;
        done += n;
        index += 1;
    }
    correct / images.max(1) as f64
}
