//! Faults: a miner killed with SIGKILL in the middle of a run stops being reached, its score
//! decays round after round and its incentive falls to about zero while the others carry on.

use std::io::{BufRead, BufReader};

#[test]
fn a_killed_miner_falls_to_about_zero_incentive() {
    let dir = e2e::RunDir::new("miner-killed");
    let mut net = e2e::spawn_localnet(
        &dir,
        e2e::free_port(),
        &[
            "--fresh",
            "--tempos",
            "40",
            "--tempo",
            "10",
            "--block-ms",
            "500",
        ],
    )
    .unwrap();
    let stdout = net.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    // Let the network settle: the miners earn for a few epochs first.
    for line in lines.by_ref() {
        if line.unwrap().starts_with("epoch 5 (") {
            break;
        }
    }
    let pid = e2e::localnet_pid(&dir, "miner fair").unwrap();
    let killed = std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success(), "could not kill the fair miner ({pid})");
    for _ in lines.by_ref() {}
    let status = net.wait().unwrap();
    assert!(
        status.success(),
        "the localnet did not survive a miner's death: see {}",
        dir.path.display()
    );
    let s = e2e::summary(&dir).unwrap();
    let inc = |name: &str| e2e::incentive(&s, name);
    println!(
        "after the kill: incentive fair {:.4}, strong {:.4}, weak {:.4}",
        inc("fair"),
        inc("strong"),
        inc("weak")
    );
    assert!(inc("fair") < 0.05, "the killed miner still earns: {s}");
    assert!(inc("strong") > 0.5, "the live miners stopped earning: {s}");
    dir.passed();
}
