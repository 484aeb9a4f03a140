//! The local network's processes: the node and the neurons, each a real child process with its
//! own log file, stopped (SIGTERM, then SIGKILL) when the localnet ends. Each one's command line
//! is recorded, so the localnet can restart it (the node) and a user can restart one by hand.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// A child process, where it logs and how it was started.
pub struct Proc {
    pub name: String,
    pub child: Child,
    pub log: PathBuf,
    /// Program and arguments.
    command: Vec<String>,
    /// Environment variables set on top of the localnet's own.
    env: BTreeMap<String, String>,
    /// Its exit was already reported.
    reported: bool,
}

/// A child, as `<dir>/processes.json` lists it: to stop, inspect or restart one by hand
/// (`env` set on top of the caller's environment, then `command`, output appended to `log`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ProcInfo {
    pub name: String,
    pub pid: u32,
    pub log: PathBuf,
    pub command: Vec<String>,
    pub env: BTreeMap<String, String>,
}

fn command_line(cmd: &Command) -> (Vec<String>, BTreeMap<String, String>) {
    let text = |s: &std::ffi::OsStr| s.to_string_lossy().into_owned();
    let mut argv = vec![text(cmd.get_program())];
    argv.extend(cmd.get_args().map(text));
    let env = cmd
        .get_envs()
        .filter_map(|(k, v)| Some((text(k), text(v?))))
        .collect();
    (argv, env)
}

/// Every child of the localnet; dropping it stops them all, neurons before the node.
#[derive(Default)]
pub struct Children {
    procs: Vec<Proc>,
}

impl Children {
    /// Starts `cmd` with stdout and stderr appended to `log`.
    pub fn spawn(&mut self, name: &str, mut cmd: Command, log: &Path) -> Result<&mut Proc> {
        if let Some(d) = log.parent() {
            std::fs::create_dir_all(d)?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .with_context(|| format!("opening {}", log.display()))?;
        // Children die with the localnet even if it is killed without a chance to stop them.
        #[cfg(target_os = "linux")]
        unsafe {
            use std::os::unix::process::CommandExt;
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        let (command, env) = command_line(&cmd);
        let child = cmd
            .stdout(Stdio::from(file.try_clone()?))
            .stderr(Stdio::from(file))
            .stdin(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {name}"))?;
        self.procs.push(Proc {
            name: name.to_string(),
            child,
            log: log.to_path_buf(),
            command,
            env,
            reported: false,
        });
        Ok(self.procs.last_mut().expect("just pushed"))
    }

    /// Starts the child called `name` again with its recorded command (after it exited).
    pub fn restart(&mut self, name: &str) -> Result<()> {
        let i = self
            .procs
            .iter()
            .position(|p| p.name == name)
            .with_context(|| format!("no child called {name}"))?;
        let old = self.procs.remove(i);
        let mut cmd = Command::new(&old.command[0]);
        cmd.args(&old.command[1..]).envs(&old.env);
        self.spawn(name, cmd, &old.log)?;
        // Keep the original order: neurons stop before the node.
        let p = self.procs.pop().expect("just spawned");
        self.procs.insert(i, p);
        Ok(())
    }

    /// Writes `<dir>/processes.json`.
    pub fn write_list(&self, dir: &Path) -> Result<()> {
        crate::fsutil::write_atomic(
            &dir.join("processes.json"),
            &serde_json::to_vec_pretty(&self.list())?,
        )
    }

    /// A child that exited since the last call (name, status, log), each reported once.
    pub fn exited(&mut self) -> Option<(String, String, PathBuf)> {
        for p in &mut self.procs {
            if p.reported {
                continue;
            }
            if let Ok(Some(status)) = p.child.try_wait() {
                p.reported = true;
                return Some((p.name.clone(), status.to_string(), p.log.clone()));
            }
        }
        None
    }

    /// Every child with its pid and log.
    pub fn list(&self) -> Vec<ProcInfo> {
        self.procs
            .iter()
            .map(|p| ProcInfo {
                name: p.name.clone(),
                pid: p.child.id(),
                log: p.log.clone(),
                command: p.command.clone(),
                env: p.env.clone(),
            })
            .collect()
    }

    /// Stops every child: SIGTERM, a grace period, then SIGKILL. Latest started first.
    pub fn stop_all(&mut self) {
        for p in self.procs.iter().rev() {
            #[cfg(unix)]
            unsafe {
                libc::kill(p.child.id() as i32, libc::SIGTERM);
            }
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        for p in self.procs.iter_mut().rev() {
            while Instant::now() < deadline {
                if let Ok(Some(_)) = p.child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = p.child.kill();
            let _ = p.child.wait();
        }
        self.procs.clear();
    }
}

impl Drop for Children {
    fn drop(&mut self) {
        self.stop_all();
    }
}

/// Waits until the log at `log` has a line starting with `prefix` (a neuron's readiness line);
/// returns that line.
pub fn wait_for_line(log: &Path, prefix: &str, timeout: Duration) -> Result<String> {
    let started = Instant::now();
    loop {
        if let Ok(f) = std::fs::File::open(log) {
            for line in BufReader::new(f).lines().map_while(Result::ok) {
                if let Some(pos) = line.find(prefix) {
                    return Ok(line[pos..].to_string());
                }
            }
        }
        if started.elapsed() > timeout {
            bail!(
                "no `{prefix}` line in {} after {timeout:?}; see that log",
                log.display()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}
