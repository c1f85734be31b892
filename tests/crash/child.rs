//! Runs this test binary again as a child process, for the crash and two-writer tests
//! (issue 9): `current_exe() --exact <test> --ignored --nocapture`, told what to do through
//! environment variables. A reader thread forwards the child's stderr line by line, so the
//! parent can wait for a marker (`hearken-failpoint <name> <N>`) without blocking.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// Generous: a 2-core machine shared with other builds may be slow.
pub const TIMEOUT: Duration = Duration::from_secs(180);

/// A running child test process.
pub struct ChildRun {
    child: Child,
    lines: Receiver<String>,
    /// Everything the child wrote on stderr so far, for failure messages.
    pub stderr: Vec<String>,
    /// When it was started.
    pub started: Instant,
}

/// Starts `<this test binary> --exact <test> --ignored --nocapture` with `envs` set and
/// no failpoint unless `envs` arms one.
pub fn spawn(test: &str, envs: &[(&str, String)]) -> ChildRun {
    let exe = std::env::current_exe().expect("the path of this test binary");
    let mut cmd = Command::new(exe);
    cmd.args([
        "--exact",
        test,
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .env_remove("HEARKEN_FAILPOINT")
    .stdin(Stdio::null())
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let started = Instant::now();
    let mut child = cmd.spawn().expect("start the child test process");
    let stderr = child.stderr.take().expect("piped stderr");
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    ChildRun {
        child,
        lines,
        stderr: Vec::new(),
        started,
    }
}

impl ChildRun {
    /// The child's process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Waits for a stderr line starting with `prefix` and returns it, or `None` once the
    /// child has closed stderr (it exited). Panics after [`TIMEOUT`].
    pub fn wait_for_line(&mut self, prefix: &str) -> Option<String> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let hit = line.starts_with(prefix);
                    self.stderr.push(line.clone());
                    if hit {
                        return Some(line);
                    }
                }
                Err(RecvTimeoutError::Disconnected) => return None,
                Err(RecvTimeoutError::Timeout) => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    panic!(
                        "child {} gave no {prefix:?} line within {TIMEOUT:?}; stderr:\n{}",
                        self.child.id(),
                        self.stderr.join("\n")
                    );
                }
            }
        }
    }

    /// Whether the child is still running.
    pub fn running(&mut self) -> bool {
        self.child.try_wait().expect("poll the child").is_none()
    }

    /// SIGKILLs the child (`Child::kill` on Unix) and reaps it.
    pub fn kill(mut self) -> Vec<String> {
        let _ = self.child.kill();
        self.child.wait().expect("reap the killed child");
        self.stderr.extend(self.lines.try_iter());
        self.stderr
    }

    /// Waits for the child to exit (killing it and panicking after [`TIMEOUT`]).
    pub fn finish(mut self) -> (ExitStatus, Vec<String>, Duration) {
        // Drain stderr until the child closes it, then reap.
        let none = self.wait_for_line("\u{0}never\u{0}");
        debug_assert!(none.is_none());
        let status = self.child.wait().expect("wait for the child");
        (status, self.stderr, self.started.elapsed())
    }

    /// Waits for the child to exit and panics unless it succeeded.
    pub fn expect_success(self, what: &str) -> Duration {
        let id = self.id();
        let (status, stderr, took) = self.finish();
        assert!(
            status.success(),
            "{what}: child {id} failed ({status}); stderr:\n{}",
            stderr.join("\n")
        );
        took
    }
}
