//! Harness for the whole-network tests in `tests/`: runs the `neuron` binary (built by
//! `cargo build --release -p offchain-neuron` in the same target directory) as real processes
//! against a real node, and keeps every log of a failed run.

use std::io::{BufRead, BufReader, Lines, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{ChildStdout, Command};

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// The repository root (scripts/, contract bundles).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("repo")
        .to_path_buf()
}

/// The `neuron` binary next to this test's own target directory (or `$NEURON_BIN`).
pub fn neuron_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("NEURON_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("test executable");
    // target/<profile>/deps/<test> -> target/<profile>/neuron
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .expect("target dir")
        .join("neuron");
    assert!(
        bin.is_file(),
        "{} is missing: build it first (cargo build --release -p offchain-neuron; scripts/test-e2e.sh does)",
        bin.display()
    );
    bin
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A run's working directory under the target directory; removed when the run passed, kept
/// (and named in the failure) when it did not.
pub struct RunDir {
    pub path: PathBuf,
    keep: bool,
}

impl RunDir {
    pub fn new(name: &str) -> Self {
        let exe = std::env::current_exe().expect("test executable");
        let base = exe
            .parent()
            .and_then(Path::parent)
            .expect("target dir")
            .join("e2e-runs");
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let path = base.join(format!("{name}-{stamp}"));
        std::fs::create_dir_all(&path).expect("run dir");
        Self { path, keep: true }
    }

    /// The run passed: its logs may go.
    pub fn passed(mut self) {
        self.keep = false;
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        if self.keep {
            eprintln!("e2e: logs of this run are kept in {}", self.path.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Where trained models are cached between runs (training is the slow part of a first run).
pub fn models_cache() -> PathBuf {
    let base = std::env::var_os("BT_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/bittensor-ink")))
        .unwrap_or_else(|| PathBuf::from("/tmp/bittensor-ink"));
    base.join("models")
}

/// Runs `neuron localnet` on a fresh chain to completion with `args`; returns its summary.
pub fn localnet(dir: &RunDir, args: &[&str]) -> Result<Value> {
    let mut all = vec!["--fresh"];
    all.extend_from_slice(args);
    localnet_on(dir, free_port(), &all)
}

fn localnet_cmd(dir: &RunDir, port: u16, args: &[&str]) -> Command {
    let mut c = Command::new(neuron_bin());
    c.arg("localnet")
        .arg("--dir")
        .arg(dir.path.join("net"))
        .arg("--models-dir")
        .arg(models_cache())
        .args(["--port", &port.to_string(), "--json"])
        .arg(dir.path.join("summary.json"))
        .args(args)
        .env("BT_ROOT", repo())
        .env("RUST_LOG", "info");
    c
}

/// Starts `neuron localnet` in the background (stdout piped, stderr to a file in `dir`).
pub fn spawn_localnet(dir: &RunDir, port: u16, args: &[&str]) -> Result<std::process::Child> {
    let err = std::fs::File::create(dir.path.join("localnet.stderr"))?;
    Ok(localnet_cmd(dir, port, args)
        .stdout(std::process::Stdio::piped())
        .stderr(err)
        .spawn()?)
}

/// One of a running localnet's processes, as its processes.json lists it.
pub fn localnet_process(dir: &RunDir, name: &str) -> Result<Value> {
    let text = std::fs::read_to_string(dir.path.join("net/processes.json"))?;
    let list: Value = serde_json::from_str(&text)?;
    list.as_array()
        .and_then(|l| l.iter().find(|p| p["name"] == name))
        .cloned()
        .with_context(|| format!("no process {name} in processes.json"))
}

/// The pid of one of a running localnet's processes.
pub fn localnet_pid(dir: &RunDir, name: &str) -> Result<u32> {
    localnet_process(dir, name)?["pid"]
        .as_u64()
        .map(|p| p as u32)
        .with_context(|| format!("process {name} has no pid"))
}

/// SIGKILLs a process.
pub fn kill9(pid: u32) {
    let killed = Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .expect("running kill");
    assert!(killed.success(), "could not kill {pid}");
}

/// Runs the `neuron` CLI against a running localnet's chain; returns stdout, or the failure
/// with stderr.
pub fn neuron_cli(dir: &RunDir, port: u16, args: &[&str]) -> Result<String> {
    let out = Command::new(neuron_bin())
        .args(args)
        .env("BT_DEPLOYMENT", dir.path.join("net/deployment.json"))
        .env("BT_URL", format!("ws://127.0.0.1:{port}"))
        .env("BT_HOME", dir.path.join("cli-home"))
        .output()
        .context("running neuron")?;
    if !out.status.success() {
        bail!(
            "neuron {} failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// One row of an epoch table the localnet printed.
#[derive(Debug, Clone)]
pub struct Row {
    pub name: String,
    pub uid: Option<u16>,
    pub incentive: f64,
    pub dividends: f64,
    pub vtrust: f64,
    pub earned_tao: f64,
}

impl Row {
    /// `  strong  miner  2  98.7%  0.5371  0.0000  0.0000  42.27 TAO  23.2%`
    fn parse(line: &str) -> Option<Row> {
        let t: Vec<&str> = line.split_whitespace().collect();
        if t.len() != 10 || t[8] != "TAO" {
            return None;
        }
        Some(Row {
            name: t[0].to_string(),
            uid: t[2].parse().ok(),
            incentive: t[4].parse().ok()?,
            dividends: t[5].parse().ok()?,
            vtrust: t[6].parse().ok()?,
            earned_tao: t[7].parse().ok()?,
        })
    }
}

/// Follows a running localnet's stdout epoch table by epoch table (and keeps a copy of it in
/// the run directory).
pub struct Follow {
    lines: Lines<BufReader<ChildStdout>>,
    copy: std::fs::File,
    /// The last epoch seen, its block and its rows.
    pub epoch: u64,
    pub block: u64,
    pub rows: Vec<Row>,
}

impl Follow {
    pub fn new(dir: &RunDir, stdout: ChildStdout) -> Self {
        Self {
            lines: BufReader::new(stdout).lines(),
            copy: std::fs::File::create(dir.path.join("localnet.stdout")).expect("stdout copy"),
            epoch: 0,
            block: 0,
            rows: Vec::new(),
        }
    }

    fn line(&mut self) -> Option<String> {
        let line = self.lines.next()?.ok()?;
        let _ = writeln!(self.copy, "{line}");
        Some(line)
    }

    /// Reads up to the next epoch's table; false when the localnet ended.
    pub fn next_epoch(&mut self) -> bool {
        while let Some(line) = self.line() {
            // `epoch 5 (block 123)`
            let Some(rest) = line.strip_prefix("epoch ") else {
                continue;
            };
            let mut parts = rest.split(" (block ");
            let (Some(epoch), Some(block)) = (parts.next(), parts.next()) else {
                continue;
            };
            self.epoch = epoch.parse().unwrap_or(self.epoch);
            self.block = block.trim_end_matches(')').parse().unwrap_or(self.block);
            self.rows.clear();
            while let Some(row) = self.line() {
                if row.trim().is_empty() {
                    break;
                }
                if let Some(r) = Row::parse(&row) {
                    self.rows.push(r);
                }
            }
            return true;
        }
        false
    }

    /// Reads tables until epoch `n`; panics if the localnet ends first.
    pub fn until_epoch(&mut self, n: u64) {
        while self.epoch < n {
            assert!(self.next_epoch(), "the localnet ended before epoch {n}");
        }
    }

    /// A neuron's row in the last table.
    pub fn row(&self, name: &str) -> &Row {
        self.rows
            .iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("no row {name} in epoch {}: {:?}", self.epoch, self.rows))
    }

    /// Reads the rest of the output (until the localnet exits).
    pub fn drain(&mut self) {
        while self.line().is_some() {}
    }
}

/// The summary a finished localnet wrote.
pub fn summary(dir: &RunDir) -> Result<Value> {
    let text = std::fs::read_to_string(dir.path.join("summary.json"))
        .context("reading the localnet summary")?;
    Ok(serde_json::from_str(&text)?)
}

/// Runs `neuron localnet` in `dir` (continuing its chain unless `args` has `--fresh`) on
/// `port`; returns its JSON summary.
pub fn localnet_on(dir: &RunDir, port: u16, args: &[&str]) -> Result<Value> {
    let summary = dir.path.join("summary.json");
    let _ = std::fs::remove_file(&summary);
    let out = localnet_cmd(dir, port, args)
        .output()
        .context("running neuron localnet")?;
    std::fs::write(dir.path.join("localnet.stdout"), &out.stdout)?;
    std::fs::write(dir.path.join("localnet.stderr"), &out.stderr)?;
    if !out.status.success() {
        bail!(
            "neuron localnet failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .rev()
                .take(20)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    let text = std::fs::read_to_string(&summary).context("reading the localnet summary")?;
    Ok(serde_json::from_str(&text)?)
}

/// One neuron's entry in a localnet summary, by name (`strong`, `validator0`, ...).
pub fn neuron<'a>(summary: &'a Value, name: &str) -> &'a Value {
    summary["neurons"]
        .as_array()
        .and_then(|l| l.iter().find(|n| n["name"] == name))
        .unwrap_or_else(|| panic!("no neuron {name} in {summary}"))
}

/// A RAO amount of a summary (written as a decimal string: it can exceed 2^53).
pub fn rao(v: &Value) -> u128 {
    v.as_str()
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("not a RAO amount: {v}"))
}

/// The RAO a neuron earned over the run, by name.
pub fn earned_rao(summary: &Value, name: &str) -> u128 {
    rao(&neuron(summary, name)["earned_rao"])
}

/// A neuron's final incentive in a summary.
pub fn incentive(summary: &Value, name: &str) -> f64 {
    neuron(summary, name)["incentive"].as_f64().unwrap_or(0.0)
}
