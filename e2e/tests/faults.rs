//! Faults in a running network:
//! - a miner killed with SIGKILL stops being reached, its incentive falls to about zero, and on
//!   a full subnet the next registration takes its UID; a validator that copies the last
//!   epoch's consensus instead of scoring lags behind that change and earns less than an
//!   honest validator with the same stake;
//! - a validator killed and started again from its command line resumes its scores and keeps
//!   setting weights; the node killed and started again on its database loses nothing, the
//!   neurons reconnect and epochs resume.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A process the test started itself, killed when the test ends.
struct Owned(Child);

impl Drop for Owned {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_killed_miner_falls_to_about_zero_and_its_uid_goes_to_the_next_registration() {
    let dir = e2e::RunDir::new("miner-killed");
    let port = e2e::free_port();
    let mut net = e2e::spawn_localnet(
        &dir,
        port,
        &[
            "--fresh",
            "--tempos",
            "30",
            "--tempo",
            "10",
            "--block-ms",
            "500",
            // A weight copier staked like validator1, a full subnet (the owner's UID 0 and the
            // localnet's six neurons), immunity over after three epochs, validators that react within a few
            // rounds.
            "--copier",
            "--max-uids",
            "7",
            "--immunity-period",
            "30",
            "--validator-alpha",
            "0.3",
        ],
    )
    .unwrap();
    let mut f = e2e::Follow::new(&dir, net.stdout.take().unwrap());
    // Let the network settle: the miners earn for a few epochs first.
    f.until_epoch(4);
    let fair_uid = f.row("fair").uid.expect("the fair miner has a UID");
    let before = f.row("fair").incentive;
    assert!(
        before > 0.2,
        "the fair miner did not earn before the kill: {:?}",
        f.rows
    );
    e2e::kill9(e2e::localnet_pid(&dir, "miner fair").unwrap());
    let killed_at = f.epoch;
    // Its validators' scores decay round by round until it is about zero and the weakest.
    loop {
        assert!(f.next_epoch(), "the localnet ended early");
        let (fair, weak) = (f.row("fair").incentive, f.row("weak").incentive);
        if fair < 0.05 && fair < weak {
            println!(
                "epoch {}: the killed miner's incentive fell from {before:.4} to {fair:.4} in {} epochs (weak {weak:.4})",
                f.epoch,
                f.epoch - killed_at
            );
            break;
        }
        assert!(
            f.epoch < 25,
            "the killed miner still earns {fair:.4} at epoch {} (weak {weak:.4})",
            f.epoch
        );
    }
    // A newcomer (dev accounts with native funds, registering by work) takes its UID.
    let reg = e2e::neuron_cli(
        &dir,
        port,
        &[
            "subnet",
            "register",
            "--netuid",
            "1",
            "--pow",
            "--threads",
            "1",
            "--wallet",
            "//Bob",
            "--hotkey",
            "//Charlie",
            "--json",
        ],
    )
    .unwrap();
    let reg: serde_json::Value = serde_json::from_str(&reg).unwrap();
    println!("the newcomer registered: {reg}");
    assert_eq!(
        reg["uid"].as_u64(),
        Some(u64::from(fair_uid)),
        "the newcomer did not take the dead miner's UID {fair_uid}: {reg}"
    );
    // Proof of work can outlast an epoch, so the next table may predate the registration.
    for _ in 0..2 {
        assert!(f.next_epoch(), "the localnet ended early");
        if f.row("fair").uid.is_none() {
            break;
        }
    }
    assert_eq!(
        f.row("fair").uid,
        None,
        "the dead miner's hotkey is still in the metagraph two epochs after its UID was taken"
    );
    f.drain();
    let status = net.wait().unwrap();
    assert!(
        status.success(),
        "the localnet did not survive: see {}",
        dir.path.display()
    );
    let s = e2e::summary(&dir).unwrap();
    assert!(
        e2e::incentive(&s, "strong") > 0.5,
        "the live miners stopped earning: {s}"
    );
    let earned = |name: &str| e2e::earned_rao(&s, name) as f64;
    let ratio = earned("copier") / earned("validator1");
    println!(
        "the consensus copier earned {:.3} TAO, the honest validator1 with the same stake {:.3} TAO (ratio {ratio:.3})",
        earned("copier") / 1e9,
        earned("validator1") / 1e9
    );
    // Measured 0.655 and 0.659 when the copier's permit came a round after the honest
    // validators' (nothing to copy before the first consensus, so its bonds start later),
    // and 0.932 in a run where it set weights from the same round as they did (the deployment
    // takes one block more since the ledger's epoch code is uploaded, which can shift the
    // first epoch against stake maturity): then only its lag remains, one epoch behind the consensus (it keeps
    // weight on the dead miner one epoch longer). Copying the consensus pays less, but Yuma
    // alone does not make it pay much less; commit-reveal subnets are the remedy.
    assert!(
        ratio < 0.97,
        "copying the consensus paid about as well as scoring (ratio {ratio:.3}): {s}"
    );
    dir.passed();
}

/// The block numbers of the weights a validator log reports as set.
fn weights_blocks(log: &str) -> Vec<u64> {
    log.lines()
        .filter_map(|l| l.split("chain: weights set in block ").nth(1))
        .filter_map(|rest| {
            rest.split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse()
                .ok()
        })
        .collect()
}

#[test]
fn a_restarted_validator_and_a_restarted_node_carry_on() {
    let dir = e2e::RunDir::new("restarts");
    let port = e2e::free_port();
    let mut net = e2e::spawn_localnet(
        &dir,
        port,
        &[
            "--fresh",
            "--tempos",
            "12",
            "--tempo",
            "10",
            "--block-ms",
            "500",
        ],
    )
    .unwrap();
    let mut f = e2e::Follow::new(&dir, net.stdout.take().unwrap());
    f.until_epoch(3);

    // The validator: SIGKILL, then its own command line from processes.json again.
    let v = e2e::localnet_process(&dir, "validator 0").unwrap();
    e2e::kill9(v["pid"].as_u64().unwrap() as u32);
    std::thread::sleep(Duration::from_secs(1));
    let argv: Vec<String> = v["command"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    let log_path = dir.path.join("validator0-restarted.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..])
        .stdout(Stdio::from(log.try_clone().unwrap()))
        .stderr(Stdio::from(log));
    for (k, val) in v["env"].as_object().unwrap() {
        cmd.env(k, val.as_str().unwrap());
    }
    let _validator = Owned(cmd.spawn().unwrap());
    let started = Instant::now();
    let resumed = loop {
        let text = std::fs::read_to_string(&log_path).unwrap_or_default();
        if let Some(line) = text.lines().find(|l| l.contains("resumed validator state")) {
            break line.to_string();
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the restarted validator did not resume its state: {text}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    println!("restarted validator 0: {resumed}");

    // The node: SIGKILL; the localnet starts it again on its database.
    f.until_epoch(6);
    let before_kill = f.rows.clone();
    let block_before = f.block;
    e2e::kill9(e2e::localnet_pid(&dir, "node").unwrap());
    f.until_epoch(7);
    assert!(
        f.block > block_before,
        "blocks did not continue after the node restart: epoch 6 at block {block_before}, epoch 7 at {}",
        f.block
    );
    let block_after = f.block;
    f.drain();
    let status = net.wait().unwrap();
    assert!(
        status.success(),
        "the localnet did not survive: see {}",
        dir.path.display()
    );
    let s = e2e::summary(&dir).unwrap();
    println!("summary: {s}");
    assert_eq!(s["epochs"], 12, "epochs did not resume: {s}");
    assert_eq!(s["node_restarts"], 1, "{s}");
    // Nothing on chain was lost: same UIDs, and nobody's earnings went backwards.
    for r in &before_kill {
        let end = e2e::neuron(&s, &r.name);
        assert_eq!(
            end["uid"].as_u64(),
            r.uid.map(u64::from),
            "{} changed UID",
            r.name
        );
        let earned = e2e::rao(&end["earned_rao"]) as f64 / 1e9;
        assert!(
            earned + 1e-9 >= r.earned_tao,
            "{} had {} TAO before the node restart, {earned} after",
            r.name,
            r.earned_tao
        );
    }
    // The restarted validator's weights kept landing after the node came back, and count.
    let text = std::fs::read_to_string(&log_path).unwrap();
    let blocks = weights_blocks(&text);
    assert!(
        blocks.iter().any(|&b| b > block_after),
        "the restarted validator set no weights after the node restart (block {block_after}): {blocks:?}"
    );
    let v0 = e2e::neuron(&s, "validator0");
    assert!(
        v0["validator_trust"].as_f64().unwrap() > 0.9 && v0["dividends"].as_f64().unwrap() > 0.3,
        "the restarted validator's weights do not count: {v0}"
    );
    assert!(
        e2e::incentive(&s, "strong") > e2e::incentive(&s, "weak"),
        "the validators no longer tell the miners apart: {s}"
    );
    dir.passed();
}
