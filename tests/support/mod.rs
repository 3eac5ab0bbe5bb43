//! What the test binaries share: for the command-line tests, `btpow-bench`
//! with a clean environment, its exit code and output, and a child process
//! waited for within a bound; for the engine tests, the engines under test
//! (`engines`).

// Each test binary uses its own part of this.
#![allow(dead_code)]

pub mod engines;

use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// No node listens here: an error about the connection says "cannot
/// reach", so one that does not came before connecting.
pub const NOWHERE: &str = "ws://127.0.0.1:1";

/// Public development keys, by URI.
pub const KEYS: [&str; 4] = ["--hotkey-uri", "//Alice", "--coldkey-uri", "//Bob"];

/// The tool, with none of the variables that change what it does taken
/// from the test's environment, and no standard input.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_btpow-bench"));
    c.env_remove("BTPOW_ENGINE")
        .env_remove("BTPOW_COLDKEY_PASSWORD")
        .env_remove("BTPOW_COLDKEY_PASSWORD_FILE")
        .env_remove("BTPOW_PEERS_VENV")
        .stdin(Stdio::null());
    c
}

/// `command` run to its end: its exit code, stdout and stderr.
pub fn output(command: &mut Command) -> (i32, String, String) {
    let out = command.output().expect("binary runs");
    (
        out.status.code().expect("exited, not killed"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The tool run with `args`: its exit code, stdout and stderr.
pub fn run(args: &[&str]) -> (i32, String, String) {
    output(bin().args(args))
}

/// `command` started with its output piped.
pub fn start(command: &mut Command) -> Child {
    command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs")
}

/// The tool started with `args`, its output piped.
pub fn spawn(args: &[&str]) -> Child {
    start(bin().args(args))
}

/// Waits for `child`, at most `limit` (then kills it and fails), reading
/// whichever of its pipes are still there meanwhile (a full pipe must not
/// stall it): how it ended, its stdout and stderr.
pub fn wait(mut child: Child, limit: Duration) -> (ExitStatus, String, String) {
    let pipe = |p: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(mut p) = p {
                let mut bytes = Vec::new();
                let _ = p.read_to_end(&mut bytes);
                s = String::from_utf8_lossy(&bytes).into_owned();
            }
            s
        })
    };
    let out = pipe(child.stdout.take().map(|p| Box::new(p) as _));
    let err = pipe(child.stderr.take().map(|p| Box::new(p) as _));
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (status, out.join().unwrap(), err.join().unwrap())
}

/// [`wait`], for a child that must exit (not be killed by a signal): its
/// exit code and output.
pub fn finish(child: Child, limit: Duration) -> (i32, String, String) {
    let (status, out, err) = wait(child, limit);
    (status.code().expect("exited, not killed"), out, err)
}

/// Sends `sig` to `child`.
pub fn signal(child: &Child, sig: libc::c_int) {
    // SAFETY: FFI: kill(2) on our own child's pid, not yet reaped; no memory.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, sig) }, 0);
}

/// A fresh, empty directory for `name`, under the system's temporary one
/// (one per test process).
pub fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("btpow-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}
