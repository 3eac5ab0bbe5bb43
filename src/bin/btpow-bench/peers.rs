//! The peers `compare --peers` measures in the same run: the Python
//! reference solver (bittensor 9.12.2's pow.py, one process, as the SDK runs
//! it) and bittensor-core's native v1 miner (`pow_mine_cpu`, one Python
//! thread per worker, as SDK 11 runs it). They run in the pinned
//! environments `vectors/setup` makes, on the same challenge as the engines.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use btpow::Scheme;

/// Prints nonces per second of pow.py's `_solve_for_nonce_block` for `argv[1]` seconds.
const LEGACY: &str = r#"
import sys, time
from bittensor.utils.registration.pow import _hash_block_with_hotkey, _solve_for_nonce_block
seconds = float(sys.argv[1])
bh = _hash_block_with_hotkey(bytes([0x5c]) * 32, bytes([0xd4]) * 32)
limit, d, step, n = 2**256 - 1, 2**64 - 1, 10_000, 0
t0 = time.perf_counter()
while time.perf_counter() - t0 < seconds:
    assert _solve_for_nonce_block(n, n + step, bh, d, limit, 0) is None
    n += step
print(n / (time.perf_counter() - t0))
"#;

/// Prints nonces per second of `pow_mine_cpu` on `argv[2]` threads for `argv[1]` seconds.
const V1: &str = r#"
import sys, time
from concurrent.futures import ThreadPoolExecutor
import bittensor_core
seconds, threads = float(sys.argv[1]), int(sys.argv[2])
prefix = (b"subtensor-pow-register-v1" + (1).to_bytes(2, "little")
          + bytes([0x5c]) * 32 + bytes([0xd4]) * 32 + bytes([0x8e]) * 32)
batch = 1 << 18
def work(i):
    n, start = 0, i << 48
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        assert bittensor_core.pow_mine_cpu(prefix, 2**64 - 1, start + n, batch) is None
        n += batch
    return n
t0 = time.perf_counter()
with ThreadPoolExecutor(threads) as pool:
    total = sum(pool.map(work, range(threads)))
print(total / (time.perf_counter() - t0))
"#;

pub struct Peer {
    pub name: &'static str,
    pub threads: usize,
    pub rate: f64,
}

/// The peer of `scheme`: its name, the environment it runs in, its script,
/// and its thread count (`threads` asked for).
fn peer_of(scheme: Scheme, threads: usize) -> (&'static str, &'static str, &'static str, usize) {
    match scheme {
        // pow.py only ever runs one solver process (num_processes = min(1, cpus)).
        Scheme::Legacy => ("legacy", "pow.py (bittensor 9.12.2)", LEGACY, 1),
        Scheme::V1 => ("v1", "bittensor-core 0.1.5 pow_mine_cpu", V1, threads),
    }
}

/// The peer's name, as its row and its errors give it.
pub fn name(scheme: Scheme) -> &'static str {
    peer_of(scheme, 1).1
}

/// The threads the peer runs on when `threads` are asked for.
pub fn threads(scheme: Scheme, threads: usize) -> usize {
    peer_of(scheme, threads).3
}

/// The Python that runs `scheme`'s peer, if its environment is there. A
/// missing environment is an error: `--peers` asked for a comparison, and
/// a table without the peer would read as if it had been made. Checked
/// before anything is measured.
pub fn python(scheme: Scheme, venvs: &Path) -> Result<PathBuf> {
    let (env, name, _, _) = peer_of(scheme, 1);
    let python = venvs.join(env).join("bin").join("python");
    if !python.exists() {
        bail!(
            "--peers: {name} cannot be measured: {} is missing (run vectors/setup, or point --peers-venv at its environments)",
            crate::output::printable(&python.display().to_string())
        );
    }
    Ok(python)
}

/// The peer for `scheme`, measured for `seconds` on `threads` threads.
/// Its time limit is its measuring time and `grace` more (the Python
/// start-up and imports take seconds): past it, the peer and every process
/// it started are killed, and the error says which peer it was.
pub fn measure(
    scheme: Scheme,
    venvs: &Path,
    seconds: Duration,
    threads: usize,
    grace: Duration,
) -> Result<Peer> {
    let (_, name, script, threads) = peer_of(scheme, threads);
    let python = python(scheme, venvs)?;
    let mut command = Command::new(&python);
    command
        .arg("-c")
        .arg(script)
        .arg(seconds.as_secs_f64().to_string())
        .arg(threads.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Its own process group, so that whatever it starts is stopped with
    // it (a wrapper script's child would otherwise keep its output open,
    // and compare waiting for it, after the peer itself was killed).
    command.process_group(0);
    let child = command
        .spawn()
        .with_context(|| format!("running {}", python.display()))?;
    let limit = seconds.saturating_add(grace);
    let (ok, stdout, stderr) = wait_limited(child, limit)
        .with_context(|| format!("peer {name}"))?
        .with_context(|| {
            format!(
                "peer {name} on {} did not finish within {} s; stopped it",
                plural(threads, "thread"),
                limit.as_secs_f64()
            )
        })?;
    if !ok {
        bail!(
            "peer {name} failed: {}",
            crate::output::printable(String::from_utf8_lossy(&stderr).trim())
        );
    }
    let text = String::from_utf8_lossy(&stdout);
    let rate: f64 = text
        .trim()
        .parse()
        .ok()
        .filter(|r: &f64| r.is_finite() && *r > 0.0)
        .with_context(|| {
            format!(
                "peer {name} printed {:?}, not a rate",
                crate::output::printable(text.trim())
            )
        })?;
    Ok(Peer {
        name,
        threads,
        rate,
    })
}

fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// The peer running now, if any: a stop signal kills it ([`kill_running`]),
/// so that no Python process outlives `compare`. Whoever reaps the child
/// holds it (under the lock, or taken out of it), so no pid or group is
/// signalled after it was reaped (and perhaps reused).
static RUNNING: Mutex<Option<Child>> = Mutex::new(None);

fn running() -> std::sync::MutexGuard<'static, Option<Child>> {
    RUNNING.lock().unwrap_or_else(|e| e.into_inner())
}

/// Kills `child`'s process group (the peer and whatever it started; the
/// group's id is the peer's pid), then the peer itself, and reaps it.
/// Called only while the peer is not yet reaped: its pid, and so the
/// group's id, cannot have been reused.
fn kill(child: &mut Child) {
    if let Ok(group) = libc::pid_t::try_from(child.id()) {
        // SAFETY: kill(2) with a negative pid signals that process group;
        // it has no memory effects.
        unsafe { libc::kill(-group, libc::SIGKILL) };
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Whether `child` has exited, without reaping it: its pid stays reserved
/// until [`kill`] has signalled its group.
#[cfg(target_os = "linux")]
fn exited(child: &mut Child) -> std::io::Result<bool> {
    // SAFETY: a zeroed siginfo_t is valid; waitid(2) writes into it and
    // touches no other memory. WNOWAIT leaves the child to be reaped.
    unsafe {
        let mut info: libc::siginfo_t = std::mem::zeroed();
        let flags = libc::WEXITED | libc::WNOHANG | libc::WNOWAIT;
        if libc::waitid(libc::P_PID, child.id(), &mut info, flags) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(info.si_pid() != 0)
    }
}

/// Whether `child` has exited (elsewhere: reaped at once).
#[cfg(not(target_os = "linux"))]
fn exited(child: &mut Child) -> std::io::Result<bool> {
    Ok(child.try_wait()?.is_some())
}

/// Kills the peer process running now, and every process it started, if
/// any (the caller is about to exit).
pub fn kill_running() {
    // Taken out: the waiting loop then sees no peer, and signals nothing.
    let taken = running().take();
    if let Some(mut child) = taken {
        kill(&mut child);
    }
}

/// A finished peer: whether it succeeded, its stdout and its stderr.
type Finished = (bool, Vec<u8>, Vec<u8>);

/// How long the output is waited for once the peer has exited and its
/// group was killed: only a process that left the group can hold it open.
const OUTPUT_WAIT: Duration = Duration::from_secs(2);

/// Waits for `child` at most `limit`, reading its output meanwhile:
/// `Some(Finished)`, or `None` when it was killed for running too long.
/// Either way the peer's process group is killed before the peer is
/// reaped, so nothing it started outlives it, and no wait here is longer
/// than `limit` and [`OUTPUT_WAIT`].
fn wait_limited(mut child: Child, limit: Duration) -> Result<Option<Finished>> {
    let (tx, rx) = mpsc::channel();
    let drain = |index: usize, pipe: Option<Box<dyn Read + Send>>| {
        let tx = tx.clone();
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                // A peer prints one number, or a traceback: 1 MiB is plenty.
                let _ = p.by_ref().take(1 << 20).read_to_end(&mut buf);
            }
            let _ = tx.send((index, buf));
        });
    };
    drain(0, child.stdout.take().map(|p| Box::new(p) as _));
    drain(1, child.stderr.take().map(|p| Box::new(p) as _));
    drop(tx);
    *running() = Some(child);
    let started = Instant::now();
    let status = loop {
        {
            let mut guard = running();
            let Some(child) = guard.as_mut() else {
                // Killed by a stop signal, whose thread says "stopped" and
                // ends the process (exit 1): nothing here may say more,
                // nor end it first with another outcome.
                drop(guard);
                loop {
                    std::thread::park();
                }
            };
            let finished = exited(child);
            let timed_out = started.elapsed() >= limit;
            match finished {
                Ok(true) => {
                    // Whatever it started goes too (elsewhere the peer
                    // is reaped already, and its group's id not safe to
                    // signal).
                    #[cfg(target_os = "linux")]
                    kill(child);
                    let status = child.wait();
                    *guard = None;
                    break Some(status?);
                }
                Ok(false) if !timed_out => {}
                Ok(false) | Err(_) => {
                    kill(child);
                    *guard = None;
                    finished?;
                    break None;
                }
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let Some(status) = status else {
        return Ok(None);
    };
    let mut output = [Vec::new(), Vec::new()];
    let until = Instant::now() + OUTPUT_WAIT;
    for _ in 0..output.len() {
        match rx.recv_timeout(until.saturating_duration_since(Instant::now())) {
            Ok((index, buf)) => output[index] = buf,
            Err(_) => break,
        }
    }
    let [stdout, stderr] = output;
    Ok(Some((status.success(), stdout, stderr)))
}
