//! End to end with real processes: two `neuron miner` processes serving models of different
//! quality, and a `neuron validator` process. The better model must end with the higher score
//! and the higher u16 weight; a restarted validator resumes its state.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};

mod support;

use support::Procs;

const NEURON: &str = env!("CARGO_BIN_EXE_neuron");

fn neuron(args: &[&str]) -> std::process::Output {
    let out = Command::new(NEURON)
        .args(args)
        .output()
        .expect("run neuron");
    assert!(
        out.status.success(),
        "neuron {args:?} failed:\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Starts a miner on a free port and waits for its readiness line.
fn start_miner(procs: &mut Procs, model: &Path, hotkey: &str, peers: &Path) -> SocketAddr {
    let mut child = Command::new(NEURON)
        .args(["miner", "--model"])
        .arg(model)
        .args(["--hotkey", hotkey, "--peers"])
        .arg(peers)
        .args(["--port", "0"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn miner");
    let stdout = child.stdout.take().unwrap();
    procs.0.push(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let addr = line
        .strip_prefix("axon listening on http://")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("unexpected miner output: {line:?}"));
    addr.parse().unwrap()
}

fn peers_add(file: &Path, uid: &str, hotkey: &str, extra: &[&str]) {
    let mut args = vec![
        "peers",
        "add",
        "--file",
        file.to_str().unwrap(),
        "--uid",
        uid,
        "--hotkey",
        hotkey,
    ];
    args.extend_from_slice(extra);
    neuron(&args);
}

#[test]
fn better_model_earns_higher_score_and_weight() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name);
    let (good, bad, peers) = (p("good.bpk"), p("bad.bpk"), p("peers.json"));

    let out = neuron(&[
        "train",
        "--out",
        good.to_str().unwrap(),
        "--size",
        "medium",
        "--steps",
        "250",
        "--batch",
        "32",
        "--eval-images",
        "256",
        "--seed",
        "5",
    ]);
    eprintln!("{}", String::from_utf8_lossy(&out.stdout));
    let out = neuron(&[
        "train",
        "--out",
        bad.to_str().unwrap(),
        "--size",
        "small",
        "--steps",
        "3",
        "--batch",
        "8",
        "--eval-images",
        "256",
        "--seed",
        "6",
    ]);
    eprintln!("{}", String::from_utf8_lossy(&out.stdout));

    peers_add(&peers, "0", "//Alice", &["--stake-tao", "1000", "--permit"]);
    peers_add(&peers, "1", "//Bob", &[]);
    peers_add(&peers, "2", "//Charlie", &[]);

    let mut procs = Procs(Vec::new());
    let good_addr = start_miner(&mut procs, &good, "//Bob", &peers);
    let bad_addr = start_miner(&mut procs, &bad, "//Charlie", &peers);
    // The public health probe says nothing about the miner's machine (no local paths).
    let health = http_get(good_addr, "/health");
    assert!(health.contains("\"served\""), "{health}");
    assert!(
        !health.contains(dir.path().to_str().unwrap()) && !health.contains("peers.json"),
        "{health}"
    );
    peers_add(&peers, "1", "//Bob", &["--axon", &good_addr.to_string()]);
    peers_add(&peers, "2", "//Charlie", &["--axon", &bad_addr.to_string()]);

    let (state, report) = (p("state.json"), p("weights.json"));
    let validator = |rounds: &str| {
        neuron(&[
            "validator",
            "--hotkey",
            "//Alice",
            "--peers",
            peers.to_str().unwrap(),
            "--rounds",
            rounds,
            "--interval-secs",
            "0",
            "--timeout-ms",
            "5000",
            "--images",
            "64",
            "--alpha",
            "0.3",
            "--state",
            state.to_str().unwrap(),
            "--json",
            report.to_str().unwrap(),
        ])
    };
    let out = validator("3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}");
    assert!(stdout.contains("weights (uid:u16)"));

    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(r["step"], 3);
    let scores: Vec<f64> = serde_json::from_value(r["scores"].clone()).unwrap();
    let weights: Vec<(u16, u16)> = serde_json::from_value(r["weights"].clone()).unwrap();
    let w = |uid: u16| {
        weights
            .iter()
            .find(|(u, _)| *u == uid)
            .map_or(0, |(_, w)| *w)
    };
    assert!(
        scores[1] > scores[2] + 0.2,
        "good {} vs bad {}",
        scores[1],
        scores[2]
    );
    assert_eq!(
        w(1),
        u16::MAX,
        "the best miner gets the max-upscaled weight: {weights:?}"
    );
    assert!(w(1) > w(2), "{weights:?}");
    assert_eq!(w(0), 0, "the validator itself is not a miner: {weights:?}");
    for m in r["results"].as_array().unwrap() {
        assert!(m["error"].is_null(), "{m}");
    }

    // Restart: the validator resumes from its saved state (step continues at 4).
    validator("1");
    let st: serde_json::Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert_eq!(st["step"], 4);
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(r["step"], 4);
}

/// A plain HTTP/1.1 GET over a std socket; returns the whole response.
fn http_get(addr: SocketAddr, path: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

fn neuron_fails(args: &[&str]) -> String {
    let out = Command::new(NEURON).args(args).output().unwrap();
    assert!(!out.status.success(), "neuron {args:?} should fail");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn secrets_stay_off_the_command_line_and_out_of_messages() {
    let phrase = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
    // A mnemonic as a process argument is refused, and never repeated back.
    for args in [
        &[
            "miner", "--model", "m.bpk", "--peers", "p.json", "--hotkey", phrase,
        ][..],
        &["validator", "--peers", "p.json", "--hotkey", phrase],
        &["key", "inspect", phrase],
    ] {
        let text = neuron_fails(args);
        assert!(
            text.contains("refusing a secret key on the command line"),
            "{text}"
        );
        assert!(text.contains("--hotkey-file"), "names the fix: {text}");
        assert!(!text.contains("curtain"), "echoed the mnemonic: {text}");
    }
    // A mistyped address in `peers add` is not echoed either (it may be a pasted mnemonic).
    let dir = tempfile::tempdir().unwrap();
    let peers = dir.path().join("peers.json");
    let text = neuron_fails(&[
        "peers",
        "add",
        "--file",
        peers.to_str().unwrap(),
        "--uid",
        "1",
        "--hotkey",
        phrase,
    ]);
    assert!(text.contains("SS58") && !text.contains("curtain"), "{text}");
    // A key file others can read is refused; at 0600 it works.
    let file = dir.path().join("hotkey");
    std::fs::write(&file, format!("{phrase}\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let text = neuron_fails(&["key", "inspect", "--file", file.to_str().unwrap()]);
    assert!(
        text.contains("chmod 600") && !text.contains("curtain"),
        "{text}"
    );
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = neuron(&["key", "inspect", "--file", file.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("ss58:"));
    // Dev URIs remain fine on the command line.
    let out = neuron(&["key", "inspect", "//Alice"]);
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY")
    );
}

#[test]
fn help_teaches_each_command() {
    for cmd in [
        &["--help"][..],
        &["train", "--help"],
        &["miner", "--help"],
        &["validator", "--help"],
        &["bench", "miner", "--help"],
        &["bench", "attack", "--help"],
    ] {
        let out = neuron(cmd);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("Example") || text.contains("Quick start"),
            "{cmd:?} has no example:\n{text}"
        );
    }
    let out = Command::new(NEURON)
        .args([
            "miner",
            "--model",
            "/nonexistent.bpk",
            "--hotkey",
            "//Bob",
            "--peers",
            "/nonexistent.json",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("peers file") && err.contains("neuron peers add"),
        "{err}"
    );
}
