//! The `yuma-epoch` binary and the JSON snapshot decoder (feature `cli`): the example
//! snapshot, exit code 2 with a one-line error naming the field, and a bounded proptest-driven
//! fuzz of the decoder (random and mutated JSON never panics).
#![cfg(feature = "cli")]

use std::io::Write;
use std::process::{Command, Stdio};

use proptest::prelude::*;
use yuma::snapshot::{decode_snapshot, run_snapshot_json, Snapshot};
use yuma::EpochOutput;

const EXAMPLE: &str = include_str!("../examples/snapshot.json");
const EXAMPLE_OUT: &str = include_str!("../examples/snapshot.out.json");

fn run_bin(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_yuma-epoch"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn yuma-epoch");
    // The binary may exit before reading (bad arguments): ignore a broken pipe.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn binary_runs_the_example_snapshot() {
    let (code, stdout, stderr) = run_bin(&[], EXAMPLE);
    assert_eq!(code, 0, "stderr: {stderr}");
    assert!(stderr.is_empty());
    assert_eq!(
        stdout.trim_end(),
        EXAMPLE_OUT.trim_end(),
        "README/example output is stale"
    );
    let out: EpochOutput = serde_json::from_str(&stdout).unwrap();
    // §8.2 derived example (sim Case 11, epoch 0, classic).
    let c: Vec<u16> = out.neurons[3..].iter().map(|x| x.consensus).collect();
    assert_eq!(c, [39320, 26213]);
    let d: Vec<u16> = out.neurons[..3].iter().map(|x| x.dividends).collect();
    assert_eq!(d, [26358, 37655, 1521]);
    let ve: Vec<u64> = out.neurons[..3]
        .iter()
        .map(|x| x.validator_emission)
        .collect();
    assert_eq!(ve, [201_101_712, 287_289_476, 11_608_810]);
    let se: Vec<u64> = out.neurons[3..].iter().map(|x| x.server_emission).collect();
    assert_eq!(se, [265_595_268, 234_404_731]);
    // Same as the library.
    let snap: Snapshot = serde_json::from_str(EXAMPLE).unwrap();
    assert_eq!(snap.run(), out);
    // --pretty is the same document.
    let (code, pretty, _) = run_bin(&["--pretty"], EXAMPLE);
    assert_eq!(code, 0);
    assert_eq!(serde_json::from_str::<EpochOutput>(&pretty).unwrap(), out);
}

#[test]
fn binary_rejects_bad_input_with_exit_2_and_one_line() {
    let cases: &[(String, &str)] = &[
        ("not json".into(), "line 1"),
        ("{\"block\": 1}".into(), "emission"),
        (
            EXAMPLE.replace("\"kappa\": 32767", "\"kappa\": 70000"),
            "params.kappa",
        ),
        (EXAMPLE.replace("\"kappa\": 32767,", ""), "kappa"),
        (
            EXAMPLE.replace("\"stake\": 2000000000", "\"stake\": -2"),
            "neurons[2].stake",
        ),
        (
            EXAMPLE.replace("[[3, 65535], [4, 41899]]", "[[3, 65535], [4]]"),
            "neurons[2].weights[1]",
        ),
        (
            EXAMPLE.replace("\"yuma3\": false", "\"yuma3\": 0"),
            "params.yuma3",
        ),
        (
            EXAMPLE.replace("\"yuma3\": false", "\"yuma3\": false, \"rho\": 10"),
            "rho",
        ),
        (format!("{EXAMPLE} trailing"), "trailing"),
    ];
    for (input, field) in cases {
        let (code, stdout, stderr) = run_bin(&[], input);
        assert_eq!(code, 2, "input {input:?}");
        assert!(stdout.is_empty());
        assert_eq!(
            stderr.trim_end().lines().count(),
            1,
            "stderr must be one line: {stderr:?}"
        );
        assert!(
            stderr.contains(field),
            "stderr {stderr:?} should name {field}"
        );
    }
    let (code, _, stderr) = run_bin(&["--frobnicate"], EXAMPLE);
    assert_eq!(code, 2);
    assert_eq!(stderr.lines().count(), 1);
}

#[test]
fn binary_help_explains_the_schema() {
    let (code, stdout, _) = run_bin(&["--help"], "");
    assert_eq!(code, 0);
    for needle in [
        "bonds_reset_block",
        "alpha_sigmoid_steepness",
        "pruning_score",
        "EXIT CODES",
        "stdin",
    ] {
        assert!(stdout.contains(needle), "--help lacks {needle}");
    }
}

#[test]
fn decoder_round_trips() {
    let snap = decode_snapshot(EXAMPLE).unwrap();
    let again = decode_snapshot(&serde_json::to_string(&snap).unwrap()).unwrap();
    assert_eq!(snap, again);
    let empty = run_snapshot_json(
        &EXAMPLE.replace(
            &EXAMPLE[EXAMPLE.find("\"neurons\"").unwrap()..],
            "\"neurons\": []}",
        ),
        false,
    );
    assert_eq!(empty.unwrap(), "{\"neurons\":[]}");
}

/// One mutation of a JSON text.
#[derive(Clone, Debug)]
enum Mutation {
    Delete(usize, usize),
    Insert(usize, String),
    Replace(usize, usize, String),
    DuplicateNeuron,
}

fn apply(text: &str, m: &Mutation) -> String {
    let b = text.as_bytes();
    let clamp = |i: usize| i.min(b.len());
    let mut v = b.to_vec();
    match m {
        Mutation::Delete(a, len) => {
            let a = clamp(*a);
            let e = clamp(a + len);
            v.drain(a..e);
        }
        Mutation::Insert(a, s) => {
            let a = clamp(*a);
            v.splice(a..a, s.bytes());
        }
        Mutation::Replace(a, len, s) => {
            let a = clamp(*a);
            let e = clamp(a + len);
            v.splice(a..e, s.bytes());
        }
        Mutation::DuplicateNeuron => {
            return text.replacen("\"neurons\": [", "\"neurons\": [{ \"stake\": 1, \"last_update\": 9, \"registered_at\": 0, \"validator_permit\": true, \"weights\": [[0, 1], [0, 2], [9, 9], [1, 0]], \"bonds\": [[1, 65535]] },", 1);
        }
    }
    String::from_utf8_lossy(&v).into_owned()
}

fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("0".to_string()),
        Just("-1".to_string()),
        Just("65536".to_string()),
        Just("18446744073709551616".to_string()),
        Just("1e3".to_string()),
        Just("true".to_string()),
        Just("null".to_string()),
        Just("\"x\"".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just(",".to_string()),
        Just(":".to_string()),
        Just("[[0, 0]]".to_string()),
        any::<u64>().prop_map(|x| x.to_string()),
        "[ -~]{0,8}",
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let pos = 0..EXAMPLE.len() + 4;
    prop_oneof![
        (pos.clone(), 0_usize..12).prop_map(|(a, l)| Mutation::Delete(a, l)),
        (pos.clone(), token()).prop_map(|(a, s)| Mutation::Insert(a, s)),
        (pos, 0_usize..6, token()).prop_map(|(a, l, s)| Mutation::Replace(a, l, s)),
        Just(Mutation::DuplicateNeuron),
    ]
}

fn check_decoder(text: &str) -> Result<(), TestCaseError> {
    match run_snapshot_json(text, false) {
        Ok(json) => {
            let out: EpochOutput =
                serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let snap = decode_snapshot(text).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(out.neurons.len(), snap.neurons.len());
        }
        Err(e) => {
            let line = e.to_string();
            prop_assert!(!line.contains('\n') && !line.is_empty());
            prop_assert!(line.starts_with("invalid snapshot at `"));
        }
    }
    Ok(())
}

fn cases(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(cases(256))]

    /// Mutated example snapshots: valid output or the one-line error, never a panic.
    #[test]
    fn fuzz_mutated_snapshots(ms in prop::collection::vec(mutation(), 1..4)) {
        let mut text = EXAMPLE.to_string();
        for m in &ms {
            text = apply(&text, m);
        }
        check_decoder(&text)?;
    }

    /// Arbitrary strings (and arbitrary bytes, lossily decoded).
    #[test]
    fn fuzz_random_text(s in "\\PC{0,200}", bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        check_decoder(&s)?;
        check_decoder(&String::from_utf8_lossy(&bytes))?;
    }
}
