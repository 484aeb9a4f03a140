//! The task generator and the burn model: determinism, training beats no training by a wide
//! margin on fresh seeds, weights survive save/load, and wgpu agrees with flex.

use std::sync::OnceLock;

use offchain_neuron::model::{
    Backend, Classifier, ModelMeta, ModelSize, argmax, load_model, save_model,
};
use offchain_neuron::task::digits::generate_batch;
use offchain_neuron::train::{TrainOptions, evaluate, train};

/// One short training run shared by the tests of this file.
fn trained() -> &'static (Classifier, ModelMeta) {
    static MODEL: OnceLock<(Classifier, ModelMeta)> = OnceLock::new();
    MODEL.get_or_init(|| {
        let opts = TrainOptions {
            size: ModelSize::Medium,
            steps: 250,
            batch: 32,
            seed: 11,
            eval_images: 512,
            ..TrainOptions::default()
        };
        let (c, report) = train(&opts).unwrap();
        eprintln!(
            "trained medium CNN: {} steps in {:.1} s, held-out accuracy {:.3}",
            opts.steps, report.seconds, report.heldout_accuracy
        );
        (c, report.meta)
    })
}

#[test]
fn generator_is_deterministic_per_seed() {
    assert_eq!(generate_batch(123, 50), generate_batch(123, 50));
    assert_ne!(
        generate_batch(123, 50).pixels,
        generate_batch(124, 50).pixels
    );
}

#[test]
fn training_beats_untrained_by_a_wide_margin_on_fresh_seeds() {
    let (model, meta) = trained();
    let untrained = Classifier::untrained(ModelSize::Medium, Backend::Flex.device().unwrap(), 11);
    // Seeds never used in training (a different evaluation stream than the one in `train`).
    let fresh_seed = 0xF00D_u64;
    let acc_trained = evaluate(model, fresh_seed, 1024);
    let acc_untrained = evaluate(&untrained, fresh_seed, 1024);
    eprintln!("fresh-seed accuracy: trained {acc_trained:.3}, untrained {acc_untrained:.3}");
    assert!(
        acc_untrained < 0.3,
        "untrained should be near chance (0.1): {acc_untrained}"
    );
    assert!(acc_trained > 0.8, "trained accuracy too low: {acc_trained}");
    assert!(acc_trained - acc_untrained > 0.5);
    assert!((meta.heldout_accuracy - acc_trained).abs() < 0.1);
}

#[test]
fn weights_round_trip_through_burnpack() {
    let (model, meta) = trained();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.bpk");
    save_model(model.model(), meta, &path).unwrap();
    let (loaded, loaded_meta) = load_model(&path, Backend::Flex.device().unwrap()).unwrap();
    assert_eq!(loaded_meta.as_ref(), Some(meta));
    assert_eq!(loaded.size(), ModelSize::Medium);
    let b = generate_batch(5, 32);
    assert_eq!(model.predict(&b.pixels), loaded.predict(&b.pixels));
    // Without the sidecar the size is inferred from the tensor shapes.
    std::fs::remove_file(dir.path().join("m.bpk.json")).unwrap();
    let (inferred, none) = load_model(&path, Backend::Flex.device().unwrap()).unwrap();
    assert!(none.is_none());
    assert_eq!(inferred.size(), ModelSize::Medium);
    // Garbage is refused with an explanation.
    std::fs::write(&path, b"not a model").unwrap();
    let err = format!(
        "{:#}",
        load_model(&path, Backend::Flex.device().unwrap()).unwrap_err()
    );
    assert!(
        err.contains("burnpack") || err.contains("neuron train"),
        "{err}"
    );
}

#[cfg(feature = "wgpu")]
#[test]
fn wgpu_gives_the_same_predictions_as_flex() {
    let (model, meta) = trained();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.bpk");
    save_model(model.model(), meta, &path).unwrap();
    let (flex, _) = load_model(&path, Backend::Flex.device().unwrap()).unwrap();
    let (gpu, _) = load_model(&path, Backend::WgpuCpu.device().unwrap()).unwrap();
    let b = generate_batch(77, 128);
    let (pf, pg) = (flex.predict(&b.pixels), gpu.predict(&b.pixels));
    assert_eq!(pf.len(), pg.len());
    let mut max_diff = 0f32;
    let mut argmax_mismatch = 0;
    for (a, g) in pf.iter().zip(&pg) {
        for (x, y) in a.iter().zip(g) {
            max_diff = max_diff.max((x - y).abs());
        }
        if argmax(a) != argmax(g) {
            argmax_mismatch += 1;
        }
    }
    eprintln!(
        "flex vs wgpu (lavapipe): max |dp| = {max_diff:e}, argmax mismatches {argmax_mismatch}/128"
    );
    assert!(max_diff < 1e-4, "max probability difference {max_diff}");
    assert_eq!(argmax_mismatch, 0);
}

#[test]
fn other_sizes_train_too() {
    let opts = TrainOptions {
        size: ModelSize::Small,
        steps: 150,
        batch: 32,
        seed: 3,
        eval_images: 256,
        ..TrainOptions::default()
    };
    let (c, report) = train(&opts).unwrap();
    assert_eq!(c.size(), ModelSize::Small);
    assert!(
        report.heldout_accuracy > 0.4,
        "150 steps should clearly beat chance: {}",
        report.heldout_accuracy
    );
}
