//! Shared by the integration tests.
#![allow(dead_code)]

pub mod node;

use std::process::Child;

/// Kills the child processes a test started when it ends (pass or fail).
pub struct Procs(pub Vec<Child>);

impl Drop for Procs {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
