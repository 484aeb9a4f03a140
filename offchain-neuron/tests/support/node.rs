//! A substrate-contracts-node per test with the suite deployed by `scripts/deploy.sh`, and
//! the `neuron` binary run against it.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const NEURON: &str = env!("CARGO_BIN_EXE_neuron");
pub const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
pub const PASSWORD: &str = "correct horse battery";

/// A dev node on a free port; killed when dropped.
pub struct Node {
    child: Option<Child>,
    pub port: u16,
    base: PathBuf,
    log: PathBuf,
}

impl Node {
    pub fn start(dir: &Path) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut n = Node {
            child: None,
            port,
            base: dir.join("node"),
            log: dir.join("node.log"),
        };
        n.spawn();
        n
    }

    pub fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let child = Command::new(
            std::env::var("CONTRACTS_NODE").unwrap_or_else(|_| "substrate-contracts-node".into()),
        )
        .args(["--dev", "--rpc-port", &self.port.to_string(), "--base-path"])
        .arg(&self.base)
        .stdout(Stdio::from(log.try_clone().unwrap()))
        .stderr(Stdio::from(log))
        .spawn()
        .expect("substrate-contracts-node is not installed: run scripts/setup.sh");
        self.child = Some(child);
        let t0 = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                t0.elapsed() < Duration::from_secs(60),
                "node did not open its RPC port; see {}",
                self.log.display()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.stop();
    }
}

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Deploys the suite (a 100,000 TAO dev premine for Alice, local settings, genesis subnet).
pub fn deploy(node: &Node, dir: &Path) -> PathBuf {
    let out = dir.join("deployment.json");
    let status = Command::new(repo().join("scripts/deploy.sh"))
        .args(["--url", &node.url(), "--local", "--skip-build", "--out"])
        .arg(&out)
        .args(["--dev-genesis", &format!("{ALICE}=100000")])
        .stdout(Stdio::null())
        .status()
        .expect("run scripts/deploy.sh");
    assert!(
        status.success(),
        "scripts/deploy.sh failed (are the bundles built? scripts/build-contracts.sh)"
    );
    out
}

pub struct Env {
    pub home: PathBuf,
    pub deployment: PathBuf,
}

impl Env {
    /// A fresh node with the suite deployed, and an environment for commands on it.
    pub fn on_new_node(dir: &Path) -> (Node, Env) {
        let node = Node::start(dir);
        let env = Env {
            home: dir.join("home"),
            deployment: deploy(&node, dir),
        };
        (node, env)
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(NEURON);
        c.args(args)
            .env("BT_HOME", &self.home)
            .env("BT_DEPLOYMENT", &self.deployment)
            .env("BT_WALLET_PASSWORD", PASSWORD)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null());
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("run neuron")
    }

    /// Runs a command that must succeed.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "neuron {args:?} failed:\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    pub fn json(&self, args: &[&str]) -> Value {
        let mut a = args.to_vec();
        a.push("--json");
        let text = self.ok(&a);
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("neuron {args:?} printed no JSON ({e}): {text}"))
    }

    /// Runs a command that must fail; returns its error text.
    pub fn refused(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(
            !out.status.success(),
            "neuron {args:?} should have been refused; stdout: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        err
    }
}

/// Seals `n` blocks (a dev node makes a block per transaction): remarks signed by Alice.
pub fn advance(node: &Node, n: usize) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let rpc = offchain_neuron::chain::Rpc::connect(&node.url(), Duration::from_secs(30))
            .await
            .unwrap();
        let alice = subxt_signer::sr25519::dev::alice();
        for _ in 0..n {
            rpc.remark(&alice).await.unwrap();
        }
    });
}

pub fn rao(v: &Value) -> u128 {
    v.as_str()
        .unwrap_or_else(|| panic!("not a RAO string: {v}"))
        .parse()
        .unwrap()
}

pub const TAO: u128 = 1_000_000_000;

/// The address after `label` in a command's text output.
pub fn address_after(text: &str, label: &str) -> String {
    let rest = &text[text
        .find(label)
        .unwrap_or_else(|| panic!("no `{label}` in {text}"))
        + label.len()..];
    rest.split_whitespace()
        .next()
        .unwrap()
        .trim_end_matches(':')
        .to_string()
}
