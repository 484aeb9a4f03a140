//! `yuma-epoch`: read one JSON subnet snapshot on stdin, run one Yuma epoch, write the result
//! JSON on stdout. Bad JSON or a schema violation: one line on stderr naming the field, exit 2.

use std::io::{Read, Write};
use std::process::ExitCode;

const HELP: &str = "\
yuma-epoch — run one Yuma consensus epoch (subtensor fixed-point semantics) on a snapshot

USAGE:
    yuma-epoch [--pretty] < snapshot.json > result.json

Reads ONE JSON snapshot on stdin and writes the result as JSON on stdout.

INPUT (every field required, unknown fields rejected; u16 proportions use 65535 = 1.0):
  { \"block\": u64, \"emission\": u64, \"bonds_reset_block\": u64,
    \"params\": { \"kappa\": u16, \"bonds_penalty\": u16, \"bonds_moving_average\": u64,
                \"activity_cutoff\": u64, \"max_allowed_validators\": u16, \"stake_threshold\": u64,
                \"yuma3\": bool, \"liquid_alpha\": bool, \"alpha_low\": u16, \"alpha_high\": u16,
                \"alpha_sigmoid_steepness\": i16 },
    \"neurons\": [ { \"stake\": u64, \"last_update\": u64, \"registered_at\": u64,
                   \"validator_permit\": bool,          (permit held BEFORE this epoch)
                   \"weights\": [[uid, value_u16], ...], (as stored: row max-upscaled)
                   \"bonds\":   [[uid, value_u16], ...] } ] }
  The UID of a neuron is its index. Bonds on a UID j with registered_at >= bonds_reset_block
  are dropped (subtensor passes the previous epoch block + 1).

OUTPUT (one entry per input neuron, same order):
  { \"neurons\": [ { \"active\": bool, \"stake_weight\": u16, \"consensus\": u16, \"incentive\": u16,
                   \"dividends\": u16, \"validator_trust\": u16, \"server_emission\": u64,
                   \"validator_emission\": u64, \"emission\": u64, \"validator_permit\": bool,
                   \"bonds\": [[uid, value_u16], ...], \"pruning_score\": u16 } ] }
  validator_permit is the NEW permit; bonds is the new bond row (empty without it).

OPTIONS:
    --pretty     indent the output
    -h, --help   print this help

EXIT CODES: 0 ok; 2 bad JSON, schema violation or bad arguments (one line on stderr); 1 I/O error.
";

fn main() -> ExitCode {
    let mut pretty = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "-h" | "--help" => {
                print!("{HELP}");
                return ExitCode::SUCCESS;
            }
            "--pretty" => pretty = true,
            other => {
                eprintln!("yuma-epoch: unknown argument `{other}` (try --help)");
                return ExitCode::from(2);
            }
        }
    }
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("yuma-epoch: cannot read stdin: {e}");
        return ExitCode::from(if e.kind() == std::io::ErrorKind::InvalidData {
            2
        } else {
            1
        });
    }
    match yuma::snapshot::run_snapshot_json(&input, pretty) {
        Ok(json) => {
            let mut stdout = std::io::stdout().lock();
            if writeln!(stdout, "{json}")
                .and_then(|()| stdout.flush())
                .is_err()
            {
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("yuma-epoch: {e}");
            ExitCode::from(2)
        }
    }
}
