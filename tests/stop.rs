//! A stop signal (SIGINT, SIGTERM, SIGHUP) ends every run of `btpow-bench`
//! cleanly, on every engine: its `stopped` line or event and exit 1, never
//! the signal's default action; a command that has nothing to stop still
//! ends by the signal. With a GPU runtime loaded too: PoCL compiles its
//! kernels with LLVM, which installs handlers of its own for these
//! signals. The OpenCL checks run where `BTPOW_OPENCL_DEVICES` names a
//! device (`scripts/opencl-check` names PoCL's) and are skipped, said so,
//! elsewhere.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

mod support;

use support::signal;

const SIGNALS: [(libc::c_int, &str); 3] = [
    (libc::SIGINT, "SIGINT"),
    (libc::SIGTERM, "SIGTERM"),
    (libc::SIGHUP, "SIGHUP"),
];

/// The tool, the stop signals at their default actions whatever this test
/// inherited (a shell's background job starts with SIGINT ignored, and so
/// would the tool), its output piped.
fn bin() -> Command {
    use std::os::unix::process::CommandExt;
    let mut c = support::bin();
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    // SAFETY: FFI: signal(2) is async-signal-safe, in the child before exec.
    unsafe {
        c.pre_exec(|| {
            for (s, _) in SIGNALS {
                libc::signal(s, libc::SIG_DFL);
            }
            Ok(())
        });
    }
    c
}

fn spawn(args: &[&str]) -> Child {
    bin().args(args).spawn().expect("binary runs")
}

/// How the child ended: its exit code, or the signal that ended it.
#[derive(Debug, PartialEq, Eq)]
enum End {
    Code(i32),
    Signal(i32),
}

/// Waits for `child`, at most `limit`: how it ended and its output.
fn finish(child: Child, limit: Duration) -> (End, String, String) {
    use std::os::unix::process::ExitStatusExt;
    let (status, out, err) = support::wait(child, limit);
    let end = match (status.code(), status.signal()) {
        (Some(c), _) => End::Code(c),
        (None, Some(s)) => End::Signal(s),
        (None, None) => unreachable!("a process ends by a code or a signal"),
    };
    (end, out, err)
}

/// Reads the child's stdout on a thread, line by line, into a channel.
fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits (at most `limit`) for a line that starts with `prefix`: the lines
/// up to it.
fn wait_for_line(lines: &mpsc::Receiver<String>, prefix: &str, limit: Duration) -> String {
    let mut seen = String::new();
    let until = Instant::now() + limit;
    loop {
        let left = until.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => {
                seen.push_str(&line);
                seen.push('\n');
                if line.starts_with(prefix) {
                    return seen;
                }
            }
            Err(_) => panic!("no line starting {prefix:?}; stdout was:\n{seen}"),
        }
    }
}

/// A TCP port that accepts connections and never says a word; each
/// accepted connection is announced on the channel.
fn silent_server() -> (String, mpsc::Receiver<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
            if tx.send(()).is_err() {
                break;
            }
        }
    });
    (url, rx)
}

/// The OpenCL device `BTPOW_OPENCL_DEVICES` names first, or `None` (said:
/// the OpenCL checks are skipped).
fn opencl_device(test: &str) -> Option<String> {
    let named = std::env::var("BTPOW_OPENCL_DEVICES").unwrap_or_default();
    let first = named.split(',').map(str::trim).find(|d| !d.is_empty());
    if first.is_none() {
        eprintln!("{test}: skipped (BTPOW_OPENCL_DEVICES names no OpenCL device; scripts/opencl-check runs it on PoCL)");
    }
    first.map(str::to_string)
}

/// The stop signals' bits in a `/proc/.../status` mask (`SigBlk:` and co).
#[cfg(target_os = "linux")]
fn has_stop_signals(mask_hex: &str) -> bool {
    let mask = u64::from_str_radix(mask_hex.trim(), 16).unwrap();
    SIGNALS
        .iter()
        .all(|&(s, _)| mask & (1u64 << (s as u32 - 1)) != 0)
}

/// Whether every thread of `pid` blocks the stop signals, except the one
/// thread that takes them with sigwait (which unblocks them while it
/// waits): then no handler, a GPU runtime's or any other, is ever run for
/// them. `Err` names a thread that does not.
#[cfg(target_os = "linux")]
fn stop_signals_blocked_in_every_thread(pid: u32) -> Result<(), String> {
    let mut waiting = 0;
    let mut threads = 0;
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).unwrap() {
        let dir = task.unwrap().path();
        let Ok(status) = std::fs::read_to_string(dir.join("status")) else {
            continue; // a thread that ended meanwhile
        };
        let name = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
        let blocked = status
            .lines()
            .find_map(|l| l.strip_prefix("SigBlk:"))
            .unwrap_or("0");
        threads += 1;
        if name.trim() == "stop signals" {
            waiting += 1;
        } else if !has_stop_signals(blocked) {
            return Err(format!(
                "thread {} ({}) does not block the stop signals: SigBlk {}",
                dir.display(),
                name.trim(),
                blocked.trim()
            ));
        }
    }
    if waiting != 1 {
        return Err(format!("{waiting} threads take the stop signals, not one"));
    }
    if threads <= 2 {
        return Err(format!("only {threads} threads: the engine is not running"));
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn stop_signals_blocked_in_every_thread(_: u32) -> Result<(), String> {
    Ok(())
}

#[test]
fn a_stop_signal_ends_a_run_on_a_chain_with_opencl() {
    let Some(device) = opencl_device("a_stop_signal_ends_a_run_on_a_chain_with_opencl") else {
        return;
    };
    let cache = support::temp_dir("chain");
    for (sig, name) in SIGNALS {
        let (url, connected) = silent_server();
        let mut c = bin();
        c.env("XDG_CACHE_HOME", &cache).args([
            "solve",
            "--endpoint",
            &url,
            "--netuid",
            "1",
            "--yes",
            "--format",
            "json",
            "--hotkey-uri",
            "//Alice",
            "--coldkey-uri",
            "//Bob",
            "--opencl",
            "--devices",
            &device,
        ]);
        let child = c.spawn().expect("binary runs");
        // Connecting (the engine opened, its kernels compiled by PoCL).
        connected
            .recv_timeout(Duration::from_secs(120))
            .expect("it connects");
        std::thread::sleep(Duration::from_millis(200));
        let blocked = stop_signals_blocked_in_every_thread(child.id());
        let t = Instant::now();
        signal(&child, sig);
        let (end, out, err) = finish(child, Duration::from_secs(10));
        assert_eq!(end, End::Code(1), "{name}: {out}\n{err}");
        assert!(out.contains(r#""event":"stopped""#), "{name}: {out}\n{err}");
        assert!(
            t.elapsed() < Duration::from_secs(2),
            "{name}: took {:?}",
            t.elapsed()
        );
        blocked.unwrap();
    }
}

#[test]
fn a_stop_signal_ends_an_offline_solve_with_opencl() {
    let Some(device) = opencl_device("a_stop_signal_ends_an_offline_solve_with_opencl") else {
        return;
    };
    let cache = support::temp_dir("offline");
    for (sig, name) in SIGNALS {
        let mut c = bin();
        c.env("XDG_CACHE_HOME", &cache).args([
            "solve",
            "--offline",
            "--difficulty",
            "18446744073709551615",
            "--opencl",
            "--devices",
            &device,
        ]);
        let mut child = c.spawn().expect("binary runs");
        let lines = lines_of(&mut child);
        let head = wait_for_line(&lines, "engine ", Duration::from_secs(120));
        // Solving: the first launches (where PoCL compiles lazily) done.
        std::thread::sleep(Duration::from_millis(1500));
        let blocked = stop_signals_blocked_in_every_thread(child.id());
        signal(&child, sig);
        let (end, _, err) = finish(child, Duration::from_secs(10));
        let out = head + &lines.try_iter().collect::<Vec<_>>().join("\n");
        assert_eq!(end, End::Code(1), "{name}: {out}\n{err}");
        assert!(
            out.lines().any(|l| l.starts_with("stopped (")),
            "{name}: {out}\n{err}"
        );
        blocked.unwrap();
    }
}

#[test]
fn a_stop_signal_ends_compare_with_opencl() {
    let Some(device) = opencl_device("a_stop_signal_ends_compare_with_opencl") else {
        return;
    };
    let cache = support::temp_dir("compare");
    let mut c = bin();
    c.env("XDG_CACHE_HOME", &cache).args([
        "compare",
        "--opencl",
        "--devices",
        &device,
        "--scheme",
        "legacy",
        "--seconds",
        "30",
    ]);
    let child = c.spawn().expect("binary runs");
    std::thread::sleep(Duration::from_millis(4000));
    signal(&child, libc::SIGTERM);
    let (end, out, err) = finish(child, Duration::from_secs(10));
    assert_eq!(end, End::Code(1), "{out}\n{err}");
    assert!(err.lines().any(|l| l == "stopped"), "{out}\n{err}");
}

#[test]
fn a_command_with_nothing_to_stop_still_ends_by_the_signal() {
    // verify has no stopped line: a stop signal ends it as the signal's
    // default action does, at once (not after its seconds of work).
    let vectors = concat!(env!("CARGO_MANIFEST_DIR"), "/vectors");
    for (sig, name) in SIGNALS {
        // Every CPU engine through the golden vectors: seconds of work.
        let child = bin()
            .env_remove("BTPOW_OPENCL_DEVICES")
            .args(["verify", "--vectors", vectors])
            .spawn()
            .expect("binary runs");
        std::thread::sleep(Duration::from_millis(200));
        let t = Instant::now();
        signal(&child, sig);
        let (end, out, err) = finish(child, Duration::from_secs(30));
        assert_eq!(end, End::Signal(sig), "{name}: {out}\n{err}");
        assert!(
            t.elapsed() < Duration::from_secs(2),
            "{name}: took {:?}",
            t.elapsed()
        );
    }
}

#[test]
fn a_negative_device_is_named_as_such() {
    for (engine, device) in [
        ("--opencl", "-1:0"),
        ("--cuda", "-1"),
        ("--opencl", "0:0,-1:0"),
    ] {
        let child = spawn(&["solve", "--offline", engine, "--devices", device]);
        let (end, out, err) = finish(child, Duration::from_secs(10));
        assert_eq!(end, End::Code(2), "{engine} {device}: {out}\n{err}");
        assert!(
            err.contains("a device is never negative"),
            "{engine} {device}: {err}"
        );
        assert!(!err.contains("unexpected argument"), "{err}");
    }
    // A flag where the device belongs is named, not taken for a device.
    let child = spawn(&["solve", "--offline", "--opencl", "--devices", "--offline"]);
    let (end, _, err) = finish(child, Duration::from_secs(10));
    assert_eq!(end, End::Code(2), "{err}");
    assert!(err.contains("a flag where a device belongs"), "{err}");
}
