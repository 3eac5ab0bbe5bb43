//! `btpow-bench solve --endpoint` with several hotkeys or subnets: every
//! (hotkey, subnet) pair in one run (the library's `Campaign`, cheapest
//! first), one line per pair as it ends, a live line for the pair being
//! solved, and a summary table at the end. JSON events carry the pair
//! (`hotkey`, `netuid`) on every event of its turn.
//!
//! Exit: 0 when every pair is registered (by this run or before), 1 when
//! stopped or out of time with pairs left, 2 when a pair failed or the run
//! ended on an error.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use btpow::account::ss58_encode;
use btpow::chain::{
    Campaign, Event, Pair, PairEnd, PairEvents, PairId, PairReport, Plan, Registrant, Signer, Stop,
    Turn,
};
use btpow::wallet::{KeySource, Keys};
use btpow::Difficulty;
use serde_json::{json, Value};

use crate::args::EventFormat;
use crate::metrics::Metrics;
use crate::output::out;
use crate::record::{registered_result, Record};
use crate::registering::{
    advice, connect, flag_words, load_keys, solver_and_options, spinner, stop_on_signals,
    with_advice, Setup,
};
use crate::solve_mode::{first_repeated, ChainSolve};
use crate::CmdResult;

/// Registers every hotkey of `sources` on every subnet of `args.netuids`.
pub async fn register(
    args: &ChainSolve,
    url: &str,
    wait_for: Option<Difficulty>,
    sources: Vec<KeySource>,
    setup: Setup,
) -> CmdResult {
    if args.chain.verbose {
        crate::output::set_verbose();
    }
    // Every hotkey's public key, before connecting (no password needed).
    let mut hotkeys = Vec::with_capacity(sources.len());
    for source in &sources {
        hotkeys.push(source.hotkey().map_err(flag_words)?);
    }
    if let Some(twice) = first_repeated(&hotkeys) {
        anyhow::bail!(
            "hotkey {} is given twice (two names or URIs for one key)",
            ss58_encode(twice)
        );
    }
    let metrics = match &args.chain.metrics {
        Some(addr) => {
            let metrics = Arc::new(Metrics::new());
            crate::metrics::serve(addr, metrics.clone())?;
            Some(metrics)
        }
        None => None,
    };
    let ids: Vec<PairId> = hotkeys
        .iter()
        .flat_map(|&hotkey| {
            args.netuids
                .iter()
                .map(move |&netuid| PairId { netuid, hotkey })
        })
        .collect();
    let printer = Arc::new(PairPrinter::new(args, metrics, ids.len()));
    let result = run(args, url, wait_for, sources, setup, &ids, printer.clone()).await;
    printer.finish();
    if let Err(e) = &result {
        if printer.json {
            printer.json_line(json!({"event": "error", "error": crate::output::anyhow_text(e)}));
        }
    }
    result
}

async fn run(
    args: &ChainSolve,
    url: &str,
    wait_for: Option<Difficulty>,
    sources: Vec<KeySource>,
    setup: Setup,
    ids: &[PairId],
    printer: Arc<PairPrinter>,
) -> CmdResult {
    // --max-time counts from here, and covers every state.
    let deadline = args.max_time.and_then(|t| Instant::now().checked_add(t.0));
    let stop = Stop::default();
    stop_on_signals(&stop);
    // Before any pair's turn: every pair is left.
    let none_done = |printer: &PairPrinter| {
        let reports: Vec<PairReport> = ids.iter().map(|&pair| left(pair)).collect();
        printer.summary(&reports);
        ended(printer, &stop)
    };
    let mut chain = tokio::select! {
        c = connect(args, url, &sources) => c?,
        _ = stop.interrupted(deadline) => return none_done(&printer),
    };
    let precheck = !args.chain.no_precheck;
    let plan = tokio::select! {
        p = Plan::read(
            &mut chain,
            args.netuids[0],
            args.scheme,
            args.rule,
            args.chain.signer,
            precheck,
        ) => p?,
        _ = stop.interrupted(deadline) => return none_done(&printer),
    };
    // The signer's secret: one coldkey for every hotkey (v1), or each
    // hotkey's own (legacy).
    let mut keys: Vec<Keys> = Vec::with_capacity(sources.len());
    for source in sources {
        let same_coldkey = match (plan.signer, keys.first()) {
            (Signer::Coldkey, Some(first)) => {
                first.for_hotkey(source.hotkey().map_err(flag_words)?)
            }
            _ => None,
        };
        let loaded = match same_coldkey {
            Some(k) => k,
            None => match load_keys(source, plan.signer, &stop, deadline).await {
                Ok(k) => k.map_err(flag_words)?,
                Err(_) => return none_done(&printer),
            },
        };
        keys.push(loaded);
    }
    printer.connected(chain.endpoint(), &plan, &keys, &args.netuids);
    let pairs: Vec<Pair> = keys
        .iter()
        .flat_map(|k| {
            args.netuids.iter().map(|&netuid| Pair {
                netuid,
                keys: k.clone(),
            })
        })
        .collect();

    let (solver, options) = solver_and_options(args, &plan, setup, deadline, wait_for);
    let ask = std::io::stdin().is_terminal() && !args.chain.yes && !args.chain.dry_run;
    let count = pairs.len();
    let asked = AtomicBool::new(false);
    // Asked once, for the whole run, at the first pair's turn.
    let confirm = async |pair: PairId, difficulty: Difficulty| {
        if !ask || asked.swap(true, Ordering::SeqCst) {
            return true;
        }
        tokio::task::spawn_blocking(move || confirm(count, pair, difficulty))
            .await
            .unwrap_or(false)
    };
    let campaign = Campaign::new(
        chain,
        plan,
        pairs,
        options,
        solver,
        printer.clone(),
        stop.clone(),
    );
    let btpow::chain::Ended { reports, error } = campaign.run(confirm).await;
    printer.summary(&reports);
    if let Some(e) = error {
        return Err(with_advice(e));
    }
    let failed: Vec<String> = reports
        .iter()
        .filter_map(|r| match &r.end {
            PairEnd::Failed(e) => Some(format!(
                "hotkey {} on subnet {}: {}",
                ss58_encode(&r.pair.hotkey),
                r.pair.netuid,
                with_advice_text(e)
            )),
            _ => None,
        })
        .collect();
    if !failed.is_empty() {
        anyhow::bail!(
            "{} of {} pairs not registered: {}",
            failed.len(),
            reports.len(),
            failed.join("; ")
        );
    }
    if reports.iter().all(PairReport::done) {
        return Ok(true);
    }
    ended(&printer, &stop)
}

/// A pair's registration error, with the tool's advice.
fn with_advice_text(e: &btpow::chain::RegisterError) -> String {
    format!("{e}{}", advice(e))
}

/// Pairs left at a stop or at `--max-time`: said, exit 1.
fn ended(printer: &PairPrinter, stop: &Stop) -> CmdResult {
    printer.say_end(match stop.is_stopped() {
        true => Record::Stopped,
        false => Record::Timeout,
    });
    Ok(false)
}

fn left(pair: PairId) -> PairReport {
    PairReport {
        pair,
        end: PairEnd::Left,
        block: None,
        spent: Duration::ZERO,
        hashes: 0,
    }
}

/// Asks on the terminal, once for the run; anything but yes declines.
fn confirm(count: usize, first: PairId, difficulty: Difficulty) -> bool {
    crate::output::err_part(format_args!(
        "register {count} (hotkey, subnet) pairs by proof of work, the first hotkey {} on \
         subnet {} (difficulty {difficulty})? [y/N] ",
        ss58_encode(&first.hotkey),
        first.netuid
    ));
    let mut answer = String::new();
    if std::io::stdin().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim(), "y" | "Y" | "yes")
}

/// How a pair ended, as its JSON `result` and `--metrics` label.
fn result(end: &PairEnd) -> &'static str {
    match end {
        PairEnd::Registered { by, .. } => registered_result(*by),
        PairEnd::Solved { .. } => "dry_run",
        PairEnd::Failed(_) => "failed",
        _ => "left",
    }
}

/// How a pair ended, in words.
fn outcome_words(end: &PairEnd) -> String {
    match end {
        PairEnd::Registered { uid, by } => match by {
            Registrant::Us => format!("registered, uid {uid}, by this run"),
            Registrant::Another => format!("registered, uid {uid}, by another submission"),
            Registrant::Before => format!("already registered, uid {uid}"),
            _ => format!("registered, uid {uid} (this run's status lost: ours or another's)"),
        },
        PairEnd::Solved { block } => format!("solved for block {block} (--dry-run)"),
        PairEnd::Failed(e) => format!("not registered: {}", with_advice_text(e)),
        _ => "left: no uid seen by this run".into(),
    }
}

fn pair_json(r: &PairReport) -> Value {
    let mut v = json!({
        "hotkey": ss58_encode(&r.pair.hotkey),
        "netuid": r.pair.netuid,
        "result": result(&r.end),
        "block": r.block,
        "seconds": r.spent.as_secs_f64(),
        "nonces": r.hashes,
    });
    match &r.end {
        PairEnd::Registered { uid, .. } => v["uid"] = json!(uid),
        PairEnd::Solved { block } => v["work_block"] = json!(block),
        PairEnd::Failed(e) => v["error"] = json!(with_advice_text(e)),
        _ => {}
    }
    v
}

/// The run's output: JSON lines, or lines of text and a live line.
struct PairPrinter {
    json: bool,
    verbose: bool,
    bar: OnceLock<indicatif::ProgressBar>,
    metrics: Option<Arc<Metrics>>,
    /// The pair on its turn, and its place in the run.
    current: Mutex<Option<(PairId, usize)>>,
    count: usize,
    /// How many turns the order at the start has.
    turns_total: Mutex<Option<usize>>,
    /// The first subnet: where the run's own events (a reconnection) count.
    first_netuid: u16,
}

impl PairPrinter {
    fn new(args: &ChainSolve, metrics: Option<Arc<Metrics>>, count: usize) -> Self {
        PairPrinter {
            json: args.chain.format == EventFormat::Json,
            verbose: args.chain.verbose,
            bar: OnceLock::new(),
            metrics,
            current: Mutex::new(None),
            count,
            turns_total: Mutex::new(None),
            first_netuid: args.netuids[0],
        }
    }

    fn bar(&self) -> Option<&indicatif::ProgressBar> {
        if self.json || !std::io::stderr().is_terminal() {
            return None;
        }
        Some(self.bar.get_or_init(spinner))
    }

    fn json_line(&self, value: Value) {
        out(format_args!("{value}"));
    }

    /// A line of text, above the live line when there is one.
    fn line(&self, text: &str) {
        match self.bar.get() {
            Some(bar) => bar.println(text),
            None => out(format_args!("{text}")),
        }
    }

    fn finish(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }

    fn say_end(&self, record: Record) {
        match self.json {
            true => out(format_args!("{}", record.json())),
            false => self.line(&record.to_string()),
        }
    }

    fn connected(&self, url: &str, plan: &Plan, keys: &[Keys], netuids: &[u16]) {
        let coldkey = keys
            .first()
            .map(|k| ss58_encode(&k.coldkey))
            .unwrap_or_default();
        if self.json {
            let pairs: Vec<Value> = keys
                .iter()
                .flat_map(|k| {
                    netuids
                        .iter()
                        .map(move |n| json!({"hotkey": ss58_encode(&k.hotkey), "netuid": n}))
                })
                .collect();
            self.json_line(json!({
                "event": "connected",
                "block": plan.head.number,
                "spec_version": plan.spec_version,
                "scheme": plan.scheme.name(),
                "rule": plan.rule.name(),
                "coldkey": coldkey,
                "signer": plan.signer.name(),
                "pairs": pairs,
            }));
            return;
        }
        let subnets: Vec<String> = netuids.iter().map(u16::to_string).collect();
        self.line(&format!(
            "connected to {}: block {}, spec {}, {} scheme, rule {}; coldkey {coldkey}, signing \
             with the {}; {} hotkeys on subnets {}: {} pairs",
            crate::output::printable(url),
            plan.head.number,
            plan.spec_version,
            plan.scheme.name(),
            plan.rule.name(),
            plan.signer.name(),
            keys.len(),
            subnets.join(", "),
            self.count
        ));
    }

    /// The summary: a table of every pair (text), or one JSON event.
    fn summary(&self, reports: &[PairReport]) {
        let count = |f: fn(&PairReport) -> bool| reports.iter().filter(|r| f(r)).count();
        let done = count(PairReport::done);
        let failed = count(|r| matches!(r.end, PairEnd::Failed(_)));
        let left = reports.len() - done - failed;
        if self.json {
            let pairs: Vec<Value> = reports.iter().map(pair_json).collect();
            self.json_line(json!({
                "event": "summary",
                "registered": done,
                "failed": failed,
                "left": left,
                "pairs": pairs,
            }));
            return;
        }
        self.finish();
        let mut table = format!(
            "{:<48}  {:>6}  {:>9}  {:>8}  {:>14}  {}\n",
            "hotkey", "subnet", "block", "seconds", "nonces", "outcome"
        );
        for r in reports {
            table.push_str(&format!(
                "{:<48}  {:>6}  {:>9}  {:>8.1}  {:>14}  {}\n",
                ss58_encode(&r.pair.hotkey),
                r.pair.netuid,
                r.block.map_or("-".into(), |b| b.to_string()),
                r.spent.as_secs_f64(),
                r.hashes,
                outcome_words(&r.end)
            ));
        }
        table.push_str(&format!(
            "{done} of {} pairs registered, {failed} failed, {left} left",
            reports.len()
        ));
        out(format_args!("{table}"));
    }

    /// The pair on its turn, as text: `[k/n] hotkey … on subnet N`.
    fn pair_words(&self, pair: PairId) -> String {
        let place = match *self.current.lock().unwrap_or_else(|e| e.into_inner()) {
            Some((p, k)) if p == pair => {
                let total = *self.turns_total.lock().unwrap_or_else(|e| e.into_inner());
                format!("[{k}/{}] ", total.unwrap_or(self.count).max(k))
            }
            _ => String::new(),
        };
        format!(
            "{place}hotkey {} on subnet {}",
            ss58_encode(&pair.hotkey),
            pair.netuid
        )
    }
}

impl PairEvents for PairPrinter {
    fn event(&self, pair: Option<PairId>, event: &Event<'_>) {
        if let Some(metrics) = &self.metrics {
            metrics.observe(pair.map_or(self.first_netuid, |p| p.netuid), event);
        }
        let record = Record::Chain {
            event,
            verbose: self.verbose,
        };
        if self.json {
            let mut value: Value = serde_json::from_str(&record.json()).unwrap_or(Value::Null);
            if let (Some(pair), Value::Object(map)) = (pair, &mut value) {
                map.insert("hotkey".into(), ss58_encode(&pair.hotkey).into());
                map.insert("netuid".into(), pair.netuid.into());
            }
            self.json_line(value);
            return;
        }
        let text = match pair {
            Some(pair) => format!("{}: {record}", self.pair_words(pair)),
            None => record.to_string(),
        };
        // On a terminal the pair's progress is its live line, and so are
        // its milestones once the line is there (lines with --verbose);
        // in a log, lines. The live line starts with the first progress:
        // every prompt (password, confirmation) comes before it.
        if record.is_progress() {
            if let Some(bar) = self.bar() {
                bar.set_message(text);
            }
            return;
        }
        match self.bar.get() {
            Some(bar) if !self.verbose => bar.set_message(text),
            _ => self.line(&text),
        }
    }

    fn schedule(&self, pairs: &[PairId], turns: &[Turn], rate: Option<f64>) {
        // The first: the order at the start (text says only that one).
        let first = {
            let mut total = self.turns_total.lock().unwrap_or_else(|e| e.into_inner());
            let first = total.is_none();
            if first {
                *total = Some(turns.len());
            }
            first
        };
        let when = |t: &Turn| match t.in_blocks {
            Some(0) => "now".to_string(),
            Some(1) => "in about 1 block".to_string(),
            Some(b) => format!("in about {b} blocks"),
            None => "not predicted to open (closed, or above --max-difficulty)".into(),
        };
        if self.json {
            let order: Vec<Value> = turns
                .iter()
                .map(|t| {
                    json!({
                        "hotkey": ss58_encode(&pairs[t.pair].hotkey),
                        "netuid": t.netuid,
                        "difficulty": t.difficulty,
                        "in_blocks": t.in_blocks,
                    })
                })
                .collect();
            self.json_line(json!({"event": "schedule", "order": order, "nonces_per_sec": rate}));
            return;
        }
        if !first {
            return;
        }
        let mut text =
            String::from("order, cheapest first by the difficulty predicted for each turn:");
        for (k, t) in turns.iter().enumerate() {
            text.push_str(&format!(
                "\n  {}. hotkey {} on subnet {}: difficulty {} {}",
                k + 1,
                ss58_encode(&pairs[t.pair].hotkey),
                t.netuid,
                t.difficulty,
                when(t)
            ));
        }
        self.line(&text);
    }

    fn turn(&self, pair: PairId, difficulty: Difficulty) {
        {
            // The turn after the last one.
            let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
            let k = current.map_or(0, |(_, k)| k) + 1;
            *current = Some((pair, k));
        }
        if self.json {
            self.json_line(json!({
                "event": "turn",
                "hotkey": ss58_encode(&pair.hotkey),
                "netuid": pair.netuid,
                "difficulty": difficulty.get(),
            }));
            return;
        }
        let text = format!("{}: difficulty {difficulty}", self.pair_words(pair));
        match self.bar.get() {
            Some(bar) => bar.set_message(text),
            None => self.line(&text),
        }
    }

    fn ended(&self, report: &PairReport) {
        if let Some(metrics) = &self.metrics {
            metrics.ended(report.pair.netuid, result(&report.end));
        }
        if self.json {
            let mut v = pair_json(report);
            v["event"] = "pair-ended".into();
            self.json_line(v);
            return;
        }
        let mut text = format!(
            "hotkey {} on subnet {}: {}",
            ss58_encode(&report.pair.hotkey),
            report.pair.netuid,
            outcome_words(&report.end)
        );
        if report.hashes > 0 || !report.spent.is_zero() {
            text.push_str(&format!(
                " ({:.1} s, {} nonces{})",
                report.spent.as_secs_f64(),
                report.hashes,
                report
                    .block
                    .map_or(String::new(), |b| format!(", block {b}"))
            ));
        }
        self.line(&text);
    }
}
