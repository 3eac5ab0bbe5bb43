//! `btpow-bench compare`: every engine on the same challenge for the same
//! time, with the ratio to the reference engine, each engine's share of the
//! per-core roofline, and optionally the Python peers measured in the same run.

use std::num::NonZeroU64;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Result};
use btpow::engine::{self, roofline, Backend, Engine, Order};
use btpow::solver::{SolveOptions, SolveOutcome, Solver};
use btpow::{Challenge, Difficulty, Job, LegacyChallenge, Rule, Scheme, V1Challenge};
use serde::Serialize;

use crate::args::{CompareArgs, Format};
use crate::peers;
use crate::CmdResult;

/// What a row measures: one of btpow's engines, or a peer (another
/// implementation, run as its own process).
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum RowKind {
    Engine,
    Peer,
}

impl RowKind {
    fn name(self) -> &'static str {
        match self {
            RowKind::Engine => "engine",
            RowKind::Peer => "peer",
        }
    }
}

#[derive(Serialize, Debug)]
struct Row {
    scheme: &'static str,
    /// The nonce order engines walk (peers: their own).
    order: &'static str,
    engine: String,
    kind: RowKind,
    threads: usize,
    nonces_per_sec: f64,
    per_thread: f64,
    /// Engines: this engine ÷ the reference engine (same threads).
    ratio_to_reference: Option<f64>,
    /// Engines: this rate ÷ the same engine's at the first `--threads` count.
    speedup_over_first_threads: Option<f64>,
    /// Nonces per second one core could reach with the best primitives here.
    roofline_per_core: f64,
    /// Engines: per-thread rate ÷ roofline_per_core.
    roofline_share: Option<f64>,
    /// Engines: the bound from this engine's own primitives, and its share of it.
    own_roofline_per_core: Option<f64>,
    own_roofline_share: Option<f64>,
    /// Peers: the fastest engine's per-thread rate ÷ the peer's.
    best_engine_over_peer: Option<f64>,
}

/// The challenge every engine and peer hashes (public test values).
/// The maximum difficulty makes a hit practically impossible, so every
/// engine hashes for the whole time.
fn job(scheme: Scheme) -> Job {
    let (block, hot, cold) = ([0x5c; 32], [0xd4; 32], [0x8e; 32]);
    match scheme {
        Scheme::Legacy => {
            let c = Challenge::Legacy(LegacyChallenge::new(block, hot));
            Job::new(&c, Rule::Python, Difficulty::MAX)
        }
        Scheme::V1 => {
            let c = Challenge::V1(V1Challenge::new(1, block, hot, cold));
            Job::new(&c, Rule::V1, Difficulty::MAX)
        }
    }
    .expect("rule matches scheme")
}

/// Windows each engine's time is cut into; its rate is the best window's.
const WINDOWS: u32 = 5;

/// Longer windows tried, each twice the last, while no window finished any
/// work (a loaded machine can starve a short window of its first chunk).
const EXTRA_WINDOWS: u32 = 4;

/// Nonces per second of `engine` on `threads` threads over `seconds`: the
/// best of [`WINDOWS`] equal windows. Other load only ever slows a window
/// down, so the best one is the engine's own speed, measured as the
/// roofline's primitive loops are (the best of their runs).
fn measure(
    engine: Arc<dyn Engine>,
    job: &Job,
    order: Order,
    threads: usize,
    seconds: Duration,
) -> Result<f64> {
    let name = engine.name();
    let chunk = NonZeroU64::new((engine.preferred_chunk().get() / 8).max(1)).expect("at least 1");
    let mut window_time = seconds / WINDOWS;
    let mut best = 0f64;
    for window in 0..u64::from(WINDOWS + EXTRA_WINDOWS) {
        if window >= u64::from(WINDOWS) {
            if best > 0.0 {
                break;
            }
            window_time *= 2;
        }
        let options = SolveOptions {
            threads,
            order,
            max_time: Some(window_time),
            // An eighth of the usual: even the reference finishes many
            // chunks in a short run.
            chunk,
            ..SolveOptions::default()
        };
        let solver = Solver::new(engine.clone(), options);
        // Each window from its own start: no nonce is hashed twice.
        let start = window << 56;
        let report = solver.solve(job.clone(), start, |_| {})?;
        if !matches!(report.outcome, SolveOutcome::TimedOut) {
            bail!("unexpected outcome {:?} while benchmarking", report.outcome);
        }
        best = best.max(report.rate());
    }
    if best == 0.0 {
        bail!(
            "{name} finished no work even in a window of {} s: give --seconds more time",
            window_time.as_secs_f64()
        );
    }
    Ok(best)
}

/// The GPUs `--cuda` or `--opencl` runs on, opened once: one solver
/// thread each.
struct Gpus {
    backend: Backend,
    engine: Arc<dyn Engine>,
    threads: usize,
    /// An OpenCL device that is not a GPU (PoCL's CPU) is among them.
    cpu_device: bool,
}

/// An engine to measure, and the threads it runs on (`--cuda`,
/// `--opencl`: the devices opened once, one thread per device, whatever
/// `--threads` says).
fn open(b: Backend, gpus: Option<&Gpus>, threads: usize) -> Result<(Arc<dyn Engine>, usize)> {
    match gpus {
        Some(g) if g.backend == b => Ok((g.engine.clone(), g.threads)),
        _ => Ok((Arc::from(b.engine()?), threads)),
    }
}

/// Whether `--devices` names an OpenCL device that is not a GPU.
fn opencl_cpu_named(devices: &[String]) -> bool {
    #[cfg(feature = "opencl")]
    {
        let all = btpow::engine::opencl::OpenClGpu::devices().unwrap_or_default();
        devices.iter().any(|d| {
            all.iter()
                .any(|info| info.id.to_string() == d.trim() && !info.gpu)
        })
    }
    #[cfg(not(feature = "opencl"))]
    {
        let _ = devices;
        false
    }
}

pub fn run(args: &CompareArgs) -> CmdResult {
    // A stop signal (Ctrl-C, SIGTERM) ends the run at once, and with it
    // the peer it started, if one is running.
    crate::signals::on_stop(|| {
        peers::kill_running();
        crate::output::err(format_args!("stopped"));
        std::process::exit(1);
    });
    let seconds = args.seconds.0;
    let thread_counts = if args.threads.is_empty() {
        vec![SolveOptions::default().threads]
    } else {
        args.threads.clone()
    };
    crate::args::devices_need_gpu(
        &args.devices,
        crate::solve::gpu_flag(args.cuda, args.opencl),
    )?;
    let gpus = if let Some(flag) = crate::solve::gpu_flag(args.cuda, args.opencl) {
        let backend = if args.cuda {
            Backend::Cuda
        } else {
            Backend::OpenCl
        };
        if !args.engines.is_empty() {
            bail!(
                "{flag} and --engines are exclusive: {flag} runs the {} engine beside the reference",
                backend.name()
            );
        }
        let (engine, threads) = crate::solve::open_gpus(args.cuda, &args.devices)?;
        Some(Gpus {
            backend,
            engine,
            threads,
            cpu_device: backend == Backend::OpenCl && opencl_cpu_named(&args.devices),
        })
    } else {
        None
    };
    let backends: Vec<Backend> = if let Some(g) = &gpus {
        vec![Backend::Reference, g.backend]
    } else if args.engines.is_empty() {
        // The CPU engines: the GPUs only with --cuda or --opencl, on one
        // thread each.
        let mut cpu = engine::Backend::available();
        cpu.retain(|b| !matches!(b, Backend::Cuda | Backend::OpenCl));
        cpu
    } else {
        let mut list = args
            .engines
            .iter()
            .map(|n| Backend::from_name(n))
            .collect::<Result<Vec<_>, _>>()?;
        // The reference is the yardstick of every ratio: measured first,
        // so every engine after it has its ratio, wherever it was listed.
        list.retain(|b| *b != Backend::Reference);
        list.insert(0, Backend::Reference);
        list
    };
    let schemes = match args.scheme {
        Some(s) => vec![s],
        None => vec![Scheme::Legacy, Scheme::V1],
    };
    // A peer's missing environment is found before anything is measured.
    if args.peers {
        for &scheme in &schemes {
            peers::python(scheme, &args.peers_venv)?;
        }
    }

    // The primitive loops run before the engines and again after each round
    // of them; each primitive keeps its best time, and the roofline columns
    // are filled in at the end from that, so a slow spell of the machine
    // during one measurement does not skew the shares.
    let budget = Duration::from_millis(150);
    let mut roof = roofline::Roofline::measure(budget);
    let mut rows = Vec::new();
    // Per row: what its roofline columns are computed from.
    let mut bounds: Vec<(Scheme, Order, Option<Backend>)> = Vec::new();
    // Peers that failed or ran past their time limit: the other rows are
    // still measured and shown, and the run ends with exit 2 naming them.
    let mut failed: Vec<PeerFailure> = Vec::new();
    for scheme in schemes {
        let job = job(scheme);
        let order = args.order.unwrap_or(Order::fastest(scheme));
        let scheme_rows = rows.len();
        for (round, &threads) in thread_counts.iter().enumerate() {
            let mut reference_rate = None;
            let first = rows.len();
            for &b in &backends {
                let (engine, threads) = open(b, gpus.as_ref(), threads)?;
                let rate = measure(engine, &job, order, threads, seconds)?;
                if b == Backend::Reference {
                    reference_rate = Some(rate);
                }
                // The same engine at the first thread count listed.
                let base = rows[scheme_rows..]
                    .iter()
                    .find(|r: &&Row| r.kind == RowKind::Engine && r.engine == b.name())
                    .map(|r| r.nonces_per_sec);
                let per_thread = rate / threads as f64;
                bounds.push((scheme, order, Some(b)));
                rows.push(Row {
                    scheme: scheme.name(),
                    order: order.name(),
                    engine: b.name().to_string(),
                    kind: RowKind::Engine,
                    threads,
                    nonces_per_sec: rate,
                    per_thread,
                    ratio_to_reference: reference_rate.map(|r| rate / r),
                    speedup_over_first_threads: base.map(|b| rate / b),
                    roofline_per_core: 0.0,
                    roofline_share: None,
                    own_roofline_per_core: None,
                    own_roofline_share: None,
                    best_engine_over_peer: None,
                });
            }
            roof.keep_best(&roofline::Roofline::measure(budget));
            let best = rows[first..]
                .iter()
                .map(|r| r.per_thread)
                .fold(0.0, f64::max);
            // pow.py runs one process whatever the machine: measure it once.
            // A peer that failed once is not run again (a hung one would
            // cost its whole time limit again).
            let peer_wanted = args.peers
                && (scheme == Scheme::V1 || round == 0)
                && !failed.iter().any(|f| f.scheme == scheme);
            if peer_wanted {
                match peers::measure(
                    scheme,
                    &args.peers_venv,
                    seconds,
                    threads,
                    args.peer_grace.0,
                ) {
                    Err(e) => failed.push(PeerFailure {
                        scheme,
                        threads: peers::threads(scheme, threads),
                        why: crate::output::anyhow_text(&e),
                    }),
                    Ok(p) => {
                        let per_thread = p.rate / p.threads as f64;
                        bounds.push((scheme, order, None));
                        rows.push(Row {
                            scheme: scheme.name(),
                            order: "sequential",
                            engine: p.name.to_string(),
                            kind: RowKind::Peer,
                            threads: p.threads,
                            nonces_per_sec: p.rate,
                            per_thread,
                            ratio_to_reference: reference_rate.map(|r| p.rate / r),
                            speedup_over_first_threads: None,
                            roofline_per_core: 0.0,
                            roofline_share: None,
                            own_roofline_per_core: None,
                            own_roofline_share: None,
                            best_engine_over_peer: Some(best / per_thread),
                        });
                    }
                }
            }
        }
    }

    for (row, &(scheme, order, backend)) in rows.iter_mut().zip(&bounds) {
        row.roofline_per_core = roof.per_core(scheme, order);
        match (backend, &gpus) {
            // A device engine: its own bound is its devices' primitives,
            // timed on them (per device, as its rate per thread is).
            (Some(b), Some(g)) if b == g.backend => {
                match g.engine.device_bound(scheme, order) {
                    Some(Ok(bound)) => {
                        let own = bound / g.threads as f64;
                        row.own_roofline_per_core = Some(own);
                        row.own_roofline_share = Some(row.per_thread / own);
                    }
                    // The rates stand without it: said, and the column left empty.
                    Some(Err(e)) => errln!("note: no device roofline: {e}"),
                    None => {}
                }
            }
            (Some(b), _) => {
                let own = roof.own(b, scheme, order);
                row.roofline_share = Some(row.per_thread / row.roofline_per_core);
                row.own_roofline_per_core = own;
                row.own_roofline_share = own.map(|o| row.per_thread / o);
            }
            (None, _) => {}
        }
    }

    match args.format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&rows)?),
        Format::Csv => print_csv(&rows)?,
        Format::Table => {
            print_table(&rows, &roof, &failed);
            if let Some(g) = &gpus {
                outln!(
                    "{}: per device; its own bound is its devices' SHA-256 and Keccak-f timed alone on them{}",
                    g.backend.name(),
                    if g.cpu_device {
                        " (a CPU device, PoCL: these are CPU figures)"
                    } else {
                        ""
                    }
                );
                if !g.cpu_device {
                    print_predicted();
                }
            }
        }
    }
    if !failed.is_empty() {
        let text: Vec<&str> = failed.iter().map(|f| f.why.as_str()).collect();
        bail!(
            "{}; {} (the other rows are above)",
            text.join("; "),
            if failed.len() == 1 {
                "its row is missing"
            } else {
                "their rows are missing"
            }
        );
    }
    Ok(true)
}

/// A peer that gave no rate: which, on how many threads, and why.
struct PeerFailure {
    scheme: Scheme,
    threads: usize,
    why: String,
}

fn print_csv(rows: &[Row]) -> Result<()> {
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record([
        "scheme",
        "order",
        "engine",
        "kind",
        "threads",
        "nonces_per_sec",
        "per_thread",
        "ratio_to_reference",
        "speedup_over_first_threads",
        "roofline_per_core",
        "roofline_share",
        "own_roofline_per_core",
        "own_roofline_share",
        "best_engine_over_peer",
    ])?;
    let ratio = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.4}"));
    let rate = |v: f64| format!("{v:.0}");
    for r in rows {
        csv.write_record([
            r.scheme.to_string(),
            r.order.to_string(),
            r.engine.clone(),
            r.kind.name().to_string(),
            r.threads.to_string(),
            rate(r.nonces_per_sec),
            rate(r.per_thread),
            ratio(r.ratio_to_reference),
            ratio(r.speedup_over_first_threads),
            rate(r.roofline_per_core),
            ratio(r.roofline_share),
            r.own_roofline_per_core.map_or(String::new(), rate),
            ratio(r.own_roofline_share),
            ratio(r.best_engine_over_peer),
        ])?;
    }
    let text = String::from_utf8(csv.into_inner()?)?;
    outln!("{}", text.trim_end_matches('\n'));
    Ok(())
}

/// btpow's predicted rates per GPU: issue-bound upper limits from the
/// kernels' SASS (`scripts/gpu-model` writes the file), not measurements.
const PREDICTED: &str = include_str!("../../../kernels/gpu-predicted.tsv");

fn print_predicted() {
    outln!(
        "predicted, not measured (upper limits from the kernels' SASS, scripts/gpu-model): legacy / v1 high-bytes / v1 sequential"
    );
    for line in PREDICTED.lines().filter(|l| !l.starts_with('#')) {
        let fields: Vec<&str> = line.split('\t').collect();
        if let [gpu, arch, _, _, legacy, high, sequential] = fields[..] {
            let r = |s: &str| s.parse::<f64>().map_or_else(|_| s.to_string(), human);
            outln!(
                "  {gpu} ({arch}): {} / {} / {} nonces/s predicted",
                r(legacy),
                r(high),
                r(sequential)
            );
        }
    }
}

fn human(rate: f64) -> String {
    if rate >= 1e6 {
        format!("{:.2} M", rate / 1e6)
    } else {
        format!("{:.1} k", rate / 1e3)
    }
}

fn print_table(rows: &[Row], roof: &roofline::Roofline, failed: &[PeerFailure]) {
    let (sha_name, sha_ns) = roof.best_sha256();
    let (kec_name, kec_ns) = roof.best_keccak();
    outln!(
        "roofline per core: SHA-256 compression {sha_ns:.1} ns ({sha_name}), Keccak-f[1600] {kec_ns:.1} ns ({kec_name})"
    );
    outln!(
        "share: per-thread rate / roofline per core (best primitives here); \
         own: / the bound of the engine's own primitives"
    );
    outln!(
        "{:<7} {:<42} {:>7} {:>10} {:>10} {:>8} {:>7} {:>13} {:>6} {:>10} {:>6} {:>9}",
        "scheme",
        "engine",
        "threads",
        "nonces/s",
        "per thread",
        "vs ref",
        "scaling",
        "roofline/core",
        "share",
        "own bound",
        "own",
        "best/peer"
    );
    let ratio = |v: Option<f64>| v.map_or(String::from("-"), |v| format!("{v:.2}x"));
    let pct = |v: Option<f64>| v.map_or(String::from("-"), |v| format!("{:.0}%", v * 100.0));
    for r in rows {
        let name = if r.kind == RowKind::Peer {
            format!("{} (peer)", r.engine)
        } else if r.order == "sequential" {
            r.engine.clone()
        } else {
            format!("{} ({})", r.engine, r.order)
        };
        outln!(
            "{:<7} {:<42} {:>7} {:>10} {:>10} {:>8} {:>7} {:>13} {:>6} {:>10} {:>6} {:>9}",
            r.scheme,
            name,
            r.threads,
            human(r.nonces_per_sec),
            human(r.per_thread),
            ratio(r.ratio_to_reference),
            ratio(r.speedup_over_first_threads),
            human(r.roofline_per_core),
            pct(r.roofline_share),
            r.own_roofline_per_core.map_or(String::from("-"), human),
            pct(r.own_roofline_share),
            ratio(r.best_engine_over_peer)
        );
    }
    for f in failed {
        outln!(
            "{:<7} {:<42} {:>7} no rate (see the error)",
            f.scheme.name(),
            format!("{} (peer)", peers::name(f.scheme)),
            f.threads,
        );
    }
}

#[cfg(test)]
mod tests {
    /// Every GPU row of the predictions has its seven fields and three rates.
    #[test]
    fn predicted_rows_parse() {
        let rows: Vec<&str> = super::PREDICTED
            .lines()
            .filter(|l| !l.starts_with('#'))
            .collect();
        assert!(rows.len() >= 5);
        for line in rows {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 7, "{line}");
            for rate in &fields[4..] {
                assert!(rate.parse::<f64>().unwrap() > 1e8, "{line}");
            }
        }
    }
}
