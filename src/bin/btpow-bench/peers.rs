//! The peers `compare --peers` measures in the same run: the Python
//! reference solver (bittensor 9.12.2's pow.py, one process, as the SDK runs
//! it) and bittensor-core's native v1 miner (`pow_mine_cpu`, one Python
//! thread per worker, as SDK 11 runs it). They run in the pinned
//! environments `vectors/setup` makes, on the same challenge as the engines.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
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

/// The peer for `scheme`, measured for `seconds`. A missing environment is
/// an error: `--peers` asked for a comparison, and a table without the
/// peer would read as if it had been made.
/// A peer's time limit is its measuring time and this much more (the
/// Python start-up and imports take seconds).
pub fn measure(
    scheme: Scheme,
    venvs: &Path,
    seconds: Duration,
    threads: usize,
    grace: Duration,
) -> Result<Peer> {
    let (env, name, script, threads) = match scheme {
        // pow.py only ever runs one solver process (num_processes = min(1, cpus)).
        Scheme::Legacy => ("legacy", "pow.py (bittensor 9.12.2)", LEGACY, 1),
        Scheme::V1 => ("v1", "bittensor-core 0.1.5 pow_mine_cpu", V1, threads),
    };
    let python = venvs.join(env).join("bin").join("python");
    if !python.exists() {
        bail!(
            "--peers: {name} cannot be measured: {} is missing (run vectors/setup, or point --peers-venv at its environments)",
            crate::output::printable(&python.display().to_string())
        );
    }
    let child = Command::new(&python)
        .arg("-c")
        .arg(script)
        .arg(seconds.as_secs_f64().to_string())
        .arg(threads.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("running {}", python.display()))?;
    let limit = seconds.saturating_add(grace);
    let (ok, stdout, stderr) = wait_limited(child, limit)
        .with_context(|| format!("peer {name}"))?
        .with_context(|| {
            format!(
                "peer {name} did not finish within {} s; stopped it",
                limit.as_secs_f64()
            )
        })?;
    if !ok {
        bail!(
            "peer {name} failed: {}",
            String::from_utf8_lossy(&stderr).trim()
        );
    }
    let text = String::from_utf8_lossy(&stdout);
    let rate: f64 = text
        .trim()
        .parse()
        .with_context(|| format!("peer {name} printed {text:?}"))?;
    Ok(Peer {
        name,
        threads,
        rate,
    })
}

/// The peer running now, if any: a stop signal kills it ([`kill_running`]),
/// so that no Python process outlives `compare`. The child is reaped under
/// the same lock, so no pid is signalled after it was reaped (and perhaps
/// reused).
static RUNNING: Mutex<Option<Child>> = Mutex::new(None);

fn running() -> std::sync::MutexGuard<'static, Option<Child>> {
    RUNNING.lock().unwrap_or_else(|e| e.into_inner())
}

/// Kills the peer process running now, if any (the caller is about to
/// exit).
pub fn kill_running() {
    if let Some(child) = running().as_mut() {
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// A finished peer: whether it succeeded, its stdout and its stderr.
type Finished = (bool, Vec<u8>, Vec<u8>);

/// Waits for `child` at most `limit`, reading its output meanwhile:
/// `Some(Finished)`, or `None` when it was killed for running too long.
fn wait_limited(mut child: Child, limit: Duration) -> Result<Option<Finished>> {
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                // A peer prints one number, or a traceback: 1 MiB is plenty.
                let _ = p.by_ref().take(1 << 20).read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let err = drain(child.stderr.take().map(|p| Box::new(p) as _));
    *running() = Some(child);
    let started = Instant::now();
    let status = loop {
        {
            let mut guard = running();
            let Some(child) = guard.as_mut() else {
                break None; // killed by a stop signal
            };
            let finished = child.try_wait();
            let timed_out = started.elapsed() >= limit;
            match finished {
                Ok(Some(status)) => {
                    *guard = None;
                    break Some(status);
                }
                Ok(None) if !timed_out => {}
                Ok(None) | Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    *guard = None;
                    finished?;
                    break None;
                }
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let (stdout, stderr) = (
        out.join().unwrap_or_default(),
        err.join().unwrap_or_default(),
    );
    Ok(status.map(|s| (s.success(), stdout, stderr)))
}
