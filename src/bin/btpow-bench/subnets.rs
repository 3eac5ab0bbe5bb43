//! `btpow-bench subnets --endpoint URL`: one row per subnet, from the
//! chain's own storage and this machine's measured speed: whether it takes
//! proof-of-work (and burned) registration now, the difficulty, the
//! expected time to a solution, the burn price, the limits, and (where the
//! difficulty decays each block) where it goes if nobody registers.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use btpow::chain::{Chain, Stop, SubnetFacts};
use btpow::engine::{Backend, Engine, Order};
use btpow::solver::{EngineChoice, Request, SolveOptions, Solver};
use btpow::{Challenge, Difficulty, Job, LegacyChallenge, Rule, Scheme, V1Challenge};
use serde::Serialize;

use crate::args::{Format, SubnetsArgs};
use crate::CmdResult;

/// Blocks in 10 minutes and in an hour, at 12 s a block.
const TEN_MINUTES: u64 = 50;
const ONE_HOUR: u64 = 300;

/// One subnet as shown: every field the chain's, or derived from it;
/// `None` (null, `-`): the runtime has no such item.
#[derive(Serialize, Debug)]
struct Row {
    netuid: u16,
    pow_open: Option<bool>,
    burn_open: Option<bool>,
    /// The difficulty a proof of work must meet now.
    difficulty: Option<u64>,
    /// Seconds to a solution at `rate` (the difficulty ÷ the rate).
    expected_seconds: Option<f64>,
    /// The burn price, in TAO.
    burn_tao: Option<f64>,
    registrations_this_block: Option<u64>,
    max_registrations_per_block: Option<u64>,
    neurons: Option<u64>,
    max_neurons: Option<u64>,
    registrations_this_interval: Option<u64>,
    target_registrations_per_interval: Option<u64>,
    interval_resets_at_block: Option<u64>,
    difficulty_in_10_min: Option<u64>,
    difficulty_in_1_hour: Option<u64>,
}

fn row(f: &SubnetFacts, scheme: Option<Scheme>, rate: f64) -> Row {
    let difficulty = scheme.and_then(|s| f.effective_difficulty(s));
    Row {
        netuid: f.netuid,
        pow_open: f.pow_allowed,
        burn_open: f.burn_allowed,
        difficulty,
        expected_seconds: difficulty
            .map(|d| d as f64 / rate)
            .filter(|s| s.is_finite()),
        burn_tao: f.burn.map(|rao| rao as f64 / 1e9),
        registrations_this_block: f.registrations_this_block,
        max_registrations_per_block: f.max_registrations_per_block,
        neurons: f.neurons,
        max_neurons: f.max_neurons,
        registrations_this_interval: f.registrations_this_interval,
        target_registrations_per_interval: f.target_registrations_per_interval,
        interval_resets_at_block: f.interval_resets_at(),
        difficulty_in_10_min: scheme.and_then(|s| f.difficulty_after(s, TEN_MINUTES)),
        difficulty_in_1_hour: scheme.and_then(|s| f.difficulty_after(s, ONE_HOUR)),
    }
}

/// What measured the rate: the engine and its threads.
#[derive(Serialize, Debug)]
struct Measured {
    engine: String,
    threads: usize,
}

/// The engine the rate is measured with, and its options: the one `solve`
/// would run (`--engine`/`BTPOW_ENGINE`, else the fastest this CPU
/// supports) on every core. Settled before connecting, so a bad name, or
/// an engine this machine cannot run, is solve's own error, at once.
fn engine(name: Option<&str>) -> Result<(Arc<dyn Engine>, SolveOptions)> {
    let request = Request {
        engine: name.map_or(EngineChoice::Fastest, |n| EngineChoice::Named(n.into())),
        ..Request::default()
    };
    Ok(request.engine_and_options()?)
}

/// Nonces per second of `engine` on `scheme`'s challenge, over a second
/// (the difficulty unreachable, so it hashes the whole time).
fn measure(engine: Arc<dyn Engine>, options: SolveOptions, scheme: Scheme) -> Result<f64> {
    let (block, hot, cold) = ([0x5c; 32], [0xd4; 32], [0x8e; 32]);
    let job = match scheme {
        Scheme::Legacy => Job::new(
            &Challenge::Legacy(LegacyChallenge::new(block, hot)),
            Rule::ChainLe,
            Difficulty::MAX,
        ),
        Scheme::V1 => Job::new(
            &Challenge::V1(V1Challenge::new(1, block, hot, cold)),
            Rule::V1,
            Difficulty::MAX,
        ),
    }?;
    let options = SolveOptions {
        order: Order::fastest(scheme),
        max_time: Some(Duration::from_secs(1)),
        ..options
    };
    let report = Solver::new(engine, options).solve(job, 0, |_| {})?;
    // Within what --rate takes, so that every time shown is finite.
    Ok(report
        .rate()
        .clamp(*crate::args::RATES.start(), *crate::args::RATES.end()))
}

pub fn run(args: &SubnetsArgs) -> CmdResult {
    btpow::chain::check_endpoint(&args.endpoint).map_err(|e| anyhow::anyhow!("--endpoint {e}"))?;
    // With --rate no engine runs, but a name that is no engine is still
    // refused, not ignored.
    let named = crate::args::named_engine(&args.engine)?;
    let from_env = named.as_ref().and_then(|(_, var)| *var);
    let in_words = |e: anyhow::Error| match from_env {
        Some(var) => anyhow::anyhow!("{var} (set in the environment): {e}"),
        None => e,
    };
    let name = named.map(|(name, _)| name);
    let engine = match (args.rate, name) {
        (Some(_), Some(name)) => {
            Backend::from_name(&name).map_err(|e| in_words(e.into()))?;
            None
        }
        (Some(_), None) => None,
        (None, name) => Some(engine(name.as_deref()).map_err(in_words)?),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let timeout = args.rpc_timeout.map_or(Duration::from_secs(20), |s| s.0);
    // Reading the chain and measuring the rate both end at a stop signal.
    let read = runtime.block_on(async {
        let stop = Stop::default();
        crate::registering::stop_on_signals(&stop);
        let work = async {
            let mut chain = Chain::connect(&args.endpoint, timeout).await?;
            let subnets = chain.subnets(args.netuid).await?;
            if let (Some(n), true) = (args.netuid, subnets.subnets.is_empty()) {
                anyhow::bail!(
                    "subnet {n} does not exist on this chain (NetworksAdded is not true)"
                );
            }
            // The rate, and the engine that measured it (None: --rate).
            let (rate, by) = match (args.rate, engine, subnets.scheme) {
                (Some(r), _, _) => (r, None),
                (None, Some((engine, options)), Some(s)) => {
                    let by = Measured {
                        engine: engine.name().to_string(),
                        threads: options.threads,
                    };
                    let rate = tokio::task::spawn_blocking(move || measure(engine, options, s))
                        .await
                        .context("measuring the rate")??;
                    (rate, Some(by))
                }
                // No proof-of-work registration on this runtime: no time to estimate.
                (None, _, _) => (1.0, None),
            };
            anyhow::Ok((chain.endpoint().to_string(), subnets, rate, by))
        };
        tokio::select! {
            r = work => r.map(Some),
            _ = stop.stopped() => Ok(None),
        }
    });
    runtime.shutdown_background();
    let Some((url, subnets, rate, by)) = read? else {
        errln!("stopped");
        return Ok(false);
    };
    let mut rows: Vec<Row> = subnets
        .subnets
        .iter()
        .map(|f| row(f, subnets.scheme, rate))
        .filter(|r| !args.only_open || r.pow_open == Some(true))
        .collect();
    // By expected time; subnets closed to proof of work after the open ones.
    rows.sort_by(|a, b| {
        let key = |r: &Row| {
            (
                r.pow_open != Some(true),
                r.expected_seconds.unwrap_or(f64::INFINITY),
            )
        };
        let (ka, kb) = (key(a), key(b));
        ka.0.cmp(&kb.0).then(ka.1.total_cmp(&kb.1))
    });
    match args.format {
        Format::Json => outln!(
            "{}",
            serde_json::json!({
                "endpoint": url,
                "block": subnets.head.number,
                "spec_version": subnets.spec_version,
                "scheme": subnets.scheme.map(Scheme::name),
                "nonces_per_sec": subnets.scheme.map(|_| rate),
                "measured_by": by,
                "subnets": rows,
            })
        ),
        Format::Csv => print_csv(&rows)?,
        Format::Table => print_table(&rows, &url, &subnets, rate, by.as_ref()),
    }
    Ok(true)
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or(String::new(), |v| v.to_string())
}

fn print_csv(rows: &[Row]) -> Result<()> {
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record([
        "netuid",
        "pow_open",
        "burn_open",
        "difficulty",
        "expected_seconds",
        "burn_tao",
        "registrations_this_block",
        "max_registrations_per_block",
        "neurons",
        "max_neurons",
        "registrations_this_interval",
        "target_registrations_per_interval",
        "interval_resets_at_block",
        "difficulty_in_10_min",
        "difficulty_in_1_hour",
    ])?;
    for r in rows {
        csv.write_record([
            r.netuid.to_string(),
            opt(r.pow_open),
            opt(r.burn_open),
            opt(r.difficulty),
            opt(r.expected_seconds.map(|s| format!("{s:.1}"))),
            opt(r.burn_tao.map(|t| format!("{t:.9}"))),
            opt(r.registrations_this_block),
            opt(r.max_registrations_per_block),
            opt(r.neurons),
            opt(r.max_neurons),
            opt(r.registrations_this_interval),
            opt(r.target_registrations_per_interval),
            opt(r.interval_resets_at_block),
            opt(r.difficulty_in_10_min),
            opt(r.difficulty_in_1_hour),
        ])?;
    }
    let text = String::from_utf8(csv.into_inner()?)?;
    outln!("{}", text.trim_end_matches('\n'));
    Ok(())
}

/// Seconds in words: "45 s", "12 min", "3.5 h", "2.1 days", "4.2 years",
/// "5.8e11 years" (the longest, 2^64 s at 1 nonce/s).
fn time_words(secs: f64) -> String {
    const YEAR: f64 = 365.25 * 86_400.0;
    match secs {
        s if s < 120.0 => format!("{s:.0} s"),
        s if s < 7200.0 => format!("{:.0} min", s / 60.0),
        s if s < 172_800.0 => format!("{:.1} h", s / 3600.0),
        s if s < 2.0 * YEAR => format!("{:.1} days", s / 86_400.0),
        s if s < 1e4 * YEAR => format!("{:.1} years", s / YEAR),
        s => format!("{:.1e} years", s / YEAR),
    }
}

/// A rate in words: "1.20 G", "44.36 M", "950.0 k", "12".
fn rate_words(rate: f64) -> String {
    match rate {
        r if r >= 1e9 => format!("{:.2} G", r / 1e9),
        r if r >= 1e6 => format!("{:.2} M", r / 1e6),
        r if r >= 1e4 => format!("{:.1} k", r / 1e3),
        r => format!("{r:.0}"),
    }
}

fn print_table(
    rows: &[Row],
    url: &str,
    subnets: &btpow::chain::Subnets,
    rate: f64,
    by: Option<&Measured>,
) {
    outln!(
        "{}: block {}, spec {}, {}",
        crate::output::printable(url),
        subnets.head.number,
        subnets.spec_version,
        match subnets.scheme {
            Some(s) => format!(
                "{s} proof of work; expected times at {} nonces/s ({})",
                rate_words(rate),
                match by {
                    Some(m) => format!("{} on {} threads, measured", m.engine, m.threads),
                    None => "--rate".into(),
                }
            ),
            None => "no proof-of-work registration in this runtime".into(),
        }
    );
    let dash = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    let yes = |v: Option<bool>| dash(v.map(|b| if b { "yes" } else { "no" }.to_string()));
    let of = |a: Option<u64>, b: Option<u64>| {
        dash(match (a, b) {
            (None, None) => None,
            (a, b) => Some(format!(
                "{}/{}",
                dash(a.map(|v| v.to_string())),
                dash(b.map(|v| v.to_string()))
            )),
        })
    };
    outln!(
        "{:>6} {:>4} {:>4} {:>20} {:>10} {:>12} {:>7} {:>11} {:>9} {:>7} {:>20} {:>20}",
        "netuid",
        "pow",
        "burn",
        "difficulty",
        "expected",
        "burn TAO",
        "block",
        "neurons",
        "interval",
        "resets",
        "in 10 min",
        "in 1 hour"
    );
    for r in rows {
        outln!(
            "{:>6} {:>4} {:>4} {:>20} {:>10} {:>12} {:>7} {:>11} {:>9} {:>7} {:>20} {:>20}",
            r.netuid,
            yes(r.pow_open),
            yes(r.burn_open),
            dash(r.difficulty.map(|d| d.to_string())),
            dash(r.expected_seconds.map(time_words)),
            dash(r.burn_tao.map(|t| format!("{t:.4}"))),
            of(r.registrations_this_block, r.max_registrations_per_block),
            of(r.neurons, r.max_neurons),
            of(
                r.registrations_this_interval,
                r.target_registrations_per_interval
            ),
            dash(r.interval_resets_at_block.map(|b| b.to_string())),
            dash(r.difficulty_in_10_min.map(|d| d.to_string())),
            dash(r.difficulty_in_1_hour.map(|d| d.to_string())),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_rates_read_sanely_at_every_accepted_rate() {
        assert_eq!(time_words(45.0), "45 s");
        assert_eq!(time_words(720.0), "12 min");
        assert_eq!(time_words(12_600.0), "3.5 h");
        assert_eq!(time_words(181_440.0), "2.1 days");
        assert_eq!(time_words(4.2 * 365.25 * 86_400.0), "4.2 years");
        // The longest time there can be: u64::MAX at 1 nonce per second.
        let longest = time_words(u64::MAX as f64 / crate::args::RATES.start());
        assert_eq!(longest, "5.8e11 years");
        assert_eq!(rate_words(44_360_000.0), "44.36 M");
        assert_eq!(rate_words(950_000.0), "950.0 k");
        assert_eq!(rate_words(1.0), "1");
        assert_eq!(rate_words(1e15), "1000000.00 G");
    }

    #[test]
    fn every_expected_time_is_finite_and_short_to_print() {
        let mut f = SubnetFacts::default();
        f.difficulty = Some(u64::MAX);
        for rate in [*crate::args::RATES.start(), *crate::args::RATES.end()] {
            let s = row(&f, Some(Scheme::Legacy), rate)
                .expected_seconds
                .expect("a time");
            assert!(s.is_finite() && format!("{s:.1}").len() <= 22, "{s}");
        }
        // A rate outside the range (never taken) gives no time, not an
        // infinite one (JSON would print null, CSV "inf").
        assert_eq!(row(&f, Some(Scheme::Legacy), 1e-320).expected_seconds, None);
    }
}
