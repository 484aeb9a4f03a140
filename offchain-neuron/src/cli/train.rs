//! `neuron train` and `neuron sample`: the subnet's model and task, offline.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use crate::model::{Backend, ModelSize, save_model};
use crate::train::{TrainOptions, train};

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Where to write the weights (burnpack). A JSON sidecar `<out>.json` records how they were trained.
    #[arg(long)]
    pub out: PathBuf,
    /// Model width: small, medium or large.
    #[arg(long, value_enum, default_value_t = ModelSize::Medium)]
    pub size: ModelSize,
    /// Optimiser steps (0 saves the untrained initialisation).
    #[arg(long, default_value_t = 600)]
    pub steps: usize,
    /// Images per step.
    #[arg(long, default_value_t = 64)]
    pub batch: usize,
    /// Seed of the initial weights and of the training data stream.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Adam learning rate (decays linearly to 10% of this).
    #[arg(long, default_value_t = 3e-3)]
    pub lr: f64,
    /// Backend to train on.
    #[arg(long, value_enum, default_value_t = Backend::Flex)]
    pub device: Backend,
    /// Held-out images (from seeds never used in training) for the reported accuracy.
    #[arg(long, default_value_t = 2048)]
    pub eval_images: usize,
}

pub fn cmd_train(a: TrainArgs) -> Result<()> {
    if a.batch == 0 {
        bail!("--batch must be at least 1");
    }
    let opts = TrainOptions {
        size: a.size,
        steps: a.steps,
        batch: a.batch,
        seed: a.seed,
        lr: a.lr,
        backend: a.device,
        eval_images: a.eval_images,
        progress: true,
    };
    eprintln!(
        "training a {} CNN for {} steps of {} images on {}",
        a.size, a.steps, a.batch, a.device
    );
    let (classifier, report) = train(&opts)?;
    save_model(classifier.model(), &report.meta, &a.out)?;
    println!(
        "saved {} ({} model, {} steps, {:.1} s): held-out accuracy {:.2}% on {} fresh images; last train loss {:.3}",
        a.out.display(),
        a.size,
        a.steps,
        report.seconds,
        report.heldout_accuracy * 100.0,
        a.eval_images,
        report.final_loss
    );
    Ok(())
}
