//! Proof of Intelligence: three miners whose models differ in accuracy, two staked validators,
//! real processes on a real node for eight epochs. Incentive and TAO earned must follow
//! accuracy, and the best model must earn clearly more: at least 5% more than the second and
//! five times the weakest.

use serde_json::Value;

fn miner<'a>(s: &'a Value, name: &str) -> &'a Value {
    e2e::neuron(s, name)
}

fn earned(n: &Value) -> f64 {
    e2e::rao(&n["earned_rao"]) as f64
}

#[test]
fn a_better_model_earns_more_tao() {
    let dir = e2e::RunDir::new("proof-of-intelligence");
    let s = e2e::localnet(
        &dir,
        &["--tempos", "8", "--tempo", "10", "--block-ms", "500"],
    )
    .unwrap();
    let (weak, fair, strong) = (miner(&s, "weak"), miner(&s, "fair"), miner(&s, "strong"));
    let acc = |n: &Value| n["accuracy"].as_f64().unwrap();
    assert!(
        acc(strong) > acc(fair) && acc(fair) > acc(weak),
        "models are not ordered: {s}"
    );
    let inc = |n: &Value| n["incentive"].as_f64().unwrap();
    assert!(
        inc(strong) > inc(fair) && inc(fair) > inc(weak),
        "incentive does not follow accuracy: {s}"
    );
    assert!(
        earned(strong) > earned(fair) && earned(fair) > earned(weak),
        "TAO earned does not follow accuracy: {s}"
    );
    assert!(
        earned(strong) >= 1.05 * earned(fair),
        "the best model earns less than 5% more than the second: {s}"
    );
    assert!(
        earned(strong) >= 5.0 * earned(weak),
        "the best model earns less than five times the weakest: {s}"
    );
    println!(
        "earned (RAO): strong {} fair {} weak {}; ratio strong/fair {:.2}, strong/weak {:.1}; {} epochs in {:.0} s, first epoch after {:.0} s",
        earned(strong),
        earned(fair),
        earned(weak),
        earned(strong) / earned(fair),
        earned(strong) / earned(weak),
        s["epochs"],
        s["seconds"].as_f64().unwrap_or(0.0),
        s["seconds_to_first_epoch"].as_f64().unwrap_or(0.0)
    );
    dir.passed();
}

/// The same network with commit-reveal on: validators commit each round and reveal an epoch
/// later; the revealed weights count, so incentive still follows accuracy.
#[test]
fn committed_weights_count_once_revealed() {
    let dir = e2e::RunDir::new("commit-reveal");
    let s = e2e::localnet(
        &dir,
        &[
            "--tempos",
            "8",
            "--tempo",
            "10",
            "--block-ms",
            "500",
            "--commit-reveal",
        ],
    )
    .unwrap();
    let (weak, fair, strong) = (miner(&s, "weak"), miner(&s, "fair"), miner(&s, "strong"));
    let inc = |n: &Value| n["incentive"].as_f64().unwrap();
    assert!(inc(strong) > 0.0, "no revealed weights counted: {s}");
    assert!(
        inc(strong) > inc(fair) && inc(fair) > inc(weak),
        "incentive does not follow accuracy: {s}"
    );
    assert!(earned(strong) > earned(weak), "{s}");
    let log = std::fs::read_to_string(dir.path.join("net/logs/validator0.log")).unwrap_or_default();
    assert!(
        log.contains("weights committed"),
        "validator 0 never committed: see {}",
        dir.path.display()
    );
    assert!(
        log.contains("revealed commit"),
        "validator 0 never revealed: see {}",
        dir.path.display()
    );
    dir.passed();
}
