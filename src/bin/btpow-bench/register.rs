//! `btpow-bench solve --endpoint`: the terminal side of registering. The
//! decisions are the library's (`btpow::chain`: `Registrar` and its events); this file
//! prints its events (a status line, or JSON lines: `record`), loads
//! the keys (their passwords: `passwords`), asks for the confirmation, and
//! maps the outcome to an exit code.

use std::io::IsTerminal;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use anyhow::Context;
use btpow::account::ss58_encode;
use btpow::chain::{Event, Events, Plan, RegisterOutcome, Registrant, Registrar, Signer, Stop};
use btpow::engine::Order;
use btpow::wallet::{KeySource, Keys, WalletPaths};
use btpow::Difficulty;

use crate::args::EventFormat;
use crate::metrics::Metrics;
use crate::output::out;
use crate::passwords::Passwords;
use crate::record::Record;
use crate::registering::{
    connect, flag_words, load_keys, solver_and_options, spinner, stop_on_signals, with_advice,
    Setup,
};
use crate::solve_mode::{first_repeated, ChainSolve};
use crate::CmdResult;

pub fn run(args: &ChainSolve) -> CmdResult {
    // Argument and wallet errors come before any connection.
    let endpoint = args.endpoint.as_str();
    btpow::chain::check_endpoint(endpoint).map_err(|e| anyhow::anyhow!("--endpoint {e}"))?;
    let wait_for = wait_for(args)?;
    let signer = known_signer(args)?;
    let sources = key_sources(args)?;
    for (i, source) in sources.iter().enumerate() {
        source.check().map_err(flag_words)?;
        // One coldkey signs for every hotkey: its file is checked once.
        match signer {
            Some(Signer::Coldkey) if i > 0 => {}
            Some(signer) => source
                .check_signer(signer, &Passwords)
                .map_err(flag_words)?,
            None => {}
        }
    }
    // The engine too (its order is the scheme's, set once the runtime says
    // which).
    let setup = args.run.solver_setup(Order::Sequential)?;
    let terminal = crate::terminal::Saved::now();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let result = match (&sources[..], &args.netuids[..]) {
        ([source], &[netuid]) => runtime.block_on(register(
            args,
            endpoint,
            netuid,
            wait_for,
            source.clone(),
            setup,
        )),
        _ => runtime.block_on(crate::pairs::register(
            args, endpoint, wait_for, sources, setup,
        )),
    };
    // Nothing left running may hold the exit up (a prompt still waiting
    // for a line on a blocking thread, a request in flight).
    runtime.shutdown_background();
    // A password prompt cut short may have turned echo off after the
    // restore on the way out: the terminal as it was at the start, again.
    if let Some(saved) = terminal {
        saved.restore();
    }
    result
}

/// Watch mode's difficulty bound: `--max-difficulty` (at least 1, and only
/// with `--wait`), or any difficulty.
fn wait_for(args: &ChainSolve) -> anyhow::Result<Option<Difficulty>> {
    let c = &args.chain;
    match (c.wait, c.max_difficulty) {
        (false, None) => Ok(None),
        (false, Some(_)) => anyhow::bail!(
            "--max-difficulty needs --wait: it is the highest difficulty watch mode waits for"
        ),
        (true, None) => Ok(Some(Difficulty::MAX)),
        (true, Some(d)) => Difficulty::new(d).map(Some).map_err(|_| {
            anyhow::anyhow!(
                "--max-difficulty {d}: a difficulty is at least 1 (1 is the easiest; watch mode \
                 waits until the subnet's difficulty is at most this)"
            )
        }),
    }
}

/// The key that will sign, when the arguments say it before the runtime
/// is read: the scheme's signer when `--scheme` or `--rule` names the
/// scheme (a rule of another scheme than `--scheme` is refused here);
/// `--signer` when the run will sign with it whatever the runtime (its
/// pre-check off, or the scheme's own signer).
fn known_signer(args: &ChainSolve) -> anyhow::Result<Option<Signer>> {
    if let (Some(scheme), Some(rule)) = (args.scheme, args.rule) {
        rule.check_scheme(scheme)?;
    }
    // Legacy `register` is signed by the hotkey, v1 `pow_register` by the
    // coldkey.
    let required = args
        .scheme
        .or(args.rule.map(|r| r.scheme()))
        .map(|scheme| match scheme {
            btpow::Scheme::Legacy => Signer::Hotkey,
            btpow::Scheme::V1 => Signer::Coldkey,
        });
    Ok(match args.chain.signer {
        None => required,
        Some(given) if args.chain.no_precheck || required == Some(given) => Some(given),
        // Refused by the pre-check, or not known until the runtime says.
        Some(_) => None,
    })
}

/// Each hotkey's keys, in the order given: `--hotkey-uri` (each time it
/// is given), or else each `--wallet.hotkey` name (`default` if none).
fn key_sources(args: &ChainSolve) -> anyhow::Result<Vec<KeySource>> {
    let w = &args.wallet;
    let source = |hotkey: &str, hotkey_uri: Option<String>| KeySource {
        paths: WalletPaths::new(
            w.wallet_path.as_deref().unwrap_or("~/.bittensor/wallets"),
            w.wallet_name.as_deref().unwrap_or("default"),
            hotkey,
        ),
        hotkey_uri,
        coldkey_uri: w.coldkey_uri.clone(),
    };
    if !w.hotkey_uri.is_empty() {
        if first_repeated(&w.hotkey_uri).is_some() {
            // The URI is a secret: not repeated back.
            anyhow::bail!("--hotkey-uri is given the same URI twice");
        }
        let name = w.wallet_hotkey.first().map_or("default", String::as_str);
        return Ok(w
            .hotkey_uri
            .iter()
            .map(|uri| source(name, Some(uri.clone())))
            .collect());
    }
    if let Some(twice) = first_repeated(&w.wallet_hotkey) {
        anyhow::bail!("--wallet.hotkey names hotkey {twice:?} twice");
    }
    if w.wallet_hotkey.iter().any(|n| n.trim().is_empty()) {
        anyhow::bail!("--wallet.hotkey: a hotkey name is empty (names are separated by commas)");
    }
    Ok(match w.wallet_hotkey.is_empty() {
        true => vec![source("default", None)],
        false => w.wallet_hotkey.iter().map(|n| source(n, None)).collect(),
    })
}

/// Milestones and progress, as a status line or as JSON lines.
struct Printer {
    json: bool,
    verbose: bool,
    /// The spinner, started with the first progress report: every prompt
    /// (password, confirmation) comes before it, so none is drawn over.
    bar: OnceLock<indicatif::ProgressBar>,
    /// `--metrics`: the subnet's metrics, updated from every record.
    metrics: Option<(Arc<Metrics>, u16)>,
}

impl Printer {
    fn new(format: EventFormat, verbose: bool, metrics: Option<(Arc<Metrics>, u16)>) -> Self {
        Printer {
            json: format == EventFormat::Json,
            verbose,
            bar: OnceLock::new(),
            metrics,
        }
    }

    /// The spinner on a terminal (text only), started on first use.
    fn bar(&self) -> Option<&indicatif::ProgressBar> {
        if self.json || !std::io::stderr().is_terminal() {
            return None;
        }
        Some(self.bar.get_or_init(spinner))
    }

    /// A milestone: its JSON event, or its line of text (above the
    /// spinner, when there is one). Progress is the spinner's message.
    fn say(&self, record: Record) {
        if let Some((metrics, netuid)) = &self.metrics {
            match &record {
                Record::Chain { event, .. } => metrics.observe(*netuid, event),
                other => {
                    if let Some(result) = other.end_result() {
                        metrics.ended(*netuid, result);
                    }
                }
            }
        }
        if self.json {
            out(format_args!("{}", record.json()));
        } else if record.is_progress() {
            if let Some(bar) = self.bar() {
                bar.set_message(record.to_string());
            }
        } else if let Some(bar) = self.bar.get() {
            bar.println(record.to_string());
        } else {
            out(format_args!("{record}"));
        }
    }

    fn finish(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }
}

impl Events for Printer {
    fn event(&self, event: &Event<'_>) {
        self.say(Record::Chain {
            event,
            verbose: self.verbose,
        });
    }
}

async fn register(
    args: &ChainSolve,
    url: &str,
    netuid: u16,
    wait_for: Option<Difficulty>,
    source: KeySource,
    setup: Setup,
) -> CmdResult {
    if args.chain.verbose {
        crate::output::set_verbose();
    }
    // Served before connecting: an address that cannot be listened on
    // ends the run before anything else.
    let metrics = match &args.chain.metrics {
        Some(addr) => {
            let metrics = Arc::new(Metrics::new());
            crate::metrics::serve(addr, metrics.clone())?;
            Some((metrics, netuid))
        }
        None => None,
    };
    let printer = Arc::new(Printer::new(
        args.chain.format,
        args.chain.verbose,
        metrics.clone(),
    ));
    let result = register_inner(args, url, netuid, wait_for, source, setup, printer.clone()).await;
    printer.finish();
    if let Err(e) = &result {
        // Text: main prints the error on stderr. JSON: also an event on stdout.
        if printer.json {
            printer.say(Record::Error {
                error: crate::output::anyhow_text(e),
            });
        } else if let Some((metrics, netuid)) = &metrics {
            metrics.ended(*netuid, "error");
        }
    }
    result
}

async fn register_inner(
    args: &ChainSolve,
    url: &str,
    netuid: u16,
    wait_for: Option<Difficulty>,
    source: KeySource,
    setup: Setup,
    printer: Arc<Printer>,
) -> CmdResult {
    // --max-time counts from here, and covers every state: connecting,
    // reading the wallet, prompting, solving, waiting for inclusion.
    let deadline = args.max_time.and_then(|t| Instant::now().checked_add(t.0));
    let stop = Stop::default();
    stop_on_signals(&stop);
    let mut chain = tokio::select! {
        c = connect(args, url, std::slice::from_ref(&source)) => c?,
        o = stop.interrupted(deadline) => return ended(&printer, o),
    };
    let precheck = !args.chain.no_precheck;
    let plan = tokio::select! {
        p = Plan::read(
            &mut chain,
            netuid,
            args.scheme,
            args.rule,
            args.chain.signer,
            precheck,
        ) => p?,
        o = stop.interrupted(deadline) => return ended(&printer, o),
    };
    let keys = match load_keys(source, plan.signer, &stop, deadline).await {
        Ok(keys) => keys.map_err(flag_words)?,
        Err(o) => return ended(&printer, o),
    };
    say_connected(&printer, chain.endpoint(), &plan, &keys);

    let (solver, options) = solver_and_options(args, &plan, setup, deadline, wait_for);
    let hotkey = ss58_encode(&keys.hotkey);
    let ask = std::io::stdin().is_terminal() && !args.chain.yes && !args.chain.dry_run;
    // On a blocking thread, so that a stop or the deadline ends the wait.
    let confirm = async move |difficulty: Difficulty| {
        !ask || tokio::task::spawn_blocking(move || confirm(&hotkey, netuid, difficulty))
            .await
            .unwrap_or(false)
    };
    let mut registrar = Registrar::new(chain, plan, keys, options, solver, printer.clone(), stop);
    let outcome = registrar.run(confirm).await.map_err(with_advice)?;
    Ok(match outcome {
        RegisterOutcome::Registered { uid, by } => {
            printer.say(Record::Registered {
                netuid,
                uid,
                already: by == Registrant::Before,
                by,
            });
            true
        }
        RegisterOutcome::Solved { .. } => {
            printer.say(Record::DryRun);
            true
        }
        RegisterOutcome::TimedOut | RegisterOutcome::Stopped => return ended(&printer, outcome),
        other => {
            printer.say(Record::Event {
                debug: format!("{other:?}"),
            });
            false
        }
    })
}

/// A run ended by `--max-time` or a stop signal: said, exit 1.
fn ended(printer: &Printer, outcome: RegisterOutcome) -> CmdResult {
    match outcome {
        RegisterOutcome::TimedOut => printer.say(Record::Timeout),
        _ => printer.say(Record::Stopped),
    }
    Ok(false)
}

fn say_connected(printer: &Printer, url: &str, plan: &Plan, keys: &Keys) {
    printer.say(Record::Connected {
        block: plan.head.number,
        spec_version: plan.spec_version,
        scheme: plan.scheme.name(),
        rule: plan.rule.name(),
        netuid: plan.netuid,
        hotkey: ss58_encode(&keys.hotkey),
        coldkey: ss58_encode(&keys.coldkey),
        signer: plan.signer.name(),
        url: url.to_string(),
    });
}

/// Asks on the terminal; anything but yes declines.
fn confirm(hotkey: &str, netuid: u16, difficulty: Difficulty) -> bool {
    crate::output::err_part(format_args!(
        "register hotkey {hotkey} on subnet {netuid} by proof of work (difficulty {difficulty})? [y/N] "
    ));
    let mut answer = String::new();
    if std::io::stdin().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim(), "y" | "Y" | "yes")
}
