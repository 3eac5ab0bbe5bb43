//! `btpow-bench solve --endpoint`: the terminal side of registering. The
//! decisions are the library's (`btpow::chain::register`); this file
//! prints its events (a status line, or JSON lines), asks for the password
//! and the confirmation, and maps the outcome to an exit code.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use btpow::account::ss58_encode;
use btpow::chain::register::{
    self, Event, Events, Options, Outcome, Plan, Registrant, Stop, WaitReason,
};
use btpow::chain::{Chain, Registration, SubmitError};
use btpow::engine::Order;
use btpow::hex::encode;
use btpow::solver::Solver;
use btpow::wallet::{KeySource, Keys, PasswordSource, WalletPaths};
use btpow::Difficulty;
use serde_json::{json, Value};
use zeroize::Zeroizing;

use crate::args::{EventFormat, SolveArgs};
use crate::output::out;
use crate::CmdResult;

pub fn run(args: &SolveArgs, endpoint: &str) -> CmdResult {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let result = runtime.block_on(register(args, endpoint));
    // Nothing left running may hold the exit up.
    runtime.shutdown_timeout(Duration::from_secs(1));
    result
}

/// Milestones and progress, as a status line or as JSON lines.
struct Printer {
    json: bool,
    bar: Option<indicatif::ProgressBar>,
}

impl Printer {
    fn new(format: EventFormat) -> Self {
        let json = format == EventFormat::Json;
        let bar = (!json && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg}") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Printer { json, bar }
    }

    /// A milestone: a line of text, or a JSON event.
    fn say(&self, event: &str, text: String, fields: Value) {
        if self.json {
            let mut obj = fields;
            obj["event"] = json!(event);
            out(format_args!("{obj}"));
        } else if let Some(bar) = &self.bar {
            bar.println(text);
        } else {
            out(format_args!("{text}"));
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn hash_hex(h: &[u8; 32]) -> String {
    format!("0x{}", encode(h))
}

impl Events for Printer {
    fn event(&self, event: &Event<'_>) {
        match event {
            Event::Challenge {
                block,
                difficulty,
                new_block,
            } => self.say(
                "challenge",
                if *new_block {
                    format!("new block {} ({}), difficulty {difficulty}", block.number, hash_hex(&block.hash))
                } else {
                    format!("solving for block {} ({}) at difficulty {difficulty}", block.number, hash_hex(&block.hash))
                },
                json!({"block": block.number, "block_hash": hash_hex(&block.hash), "difficulty": difficulty.get()}),
            ),
            Event::Progress {
                report,
                block,
                difficulty,
                on_block,
            } => {
                let rate = report.rates.ewma.max(1.0);
                let d = difficulty.get() as f64;
                let expected = d / rate;
                let chance = btpow::solver::chance_of_solution(rate * on_block.as_secs_f64(), *difficulty);
                if self.json {
                    out(format_args!(
                        "{}",
                        json!({
                            "event": "progress",
                            "ewma_nonces_per_sec": report.rates.ewma,
                            "perpetual_nonces_per_sec": report.rates.perpetual,
                            "nonces": report.hashes,
                            "block": block.number,
                            "block_hash": hash_hex(&block.hash),
                            "difficulty": difficulty.get(),
                            "expected_seconds": expected,
                            "chance_so_far": chance,
                        })
                    ));
                } else if let Some(bar) = &self.bar {
                    bar.set_message(format!(
                        "block {} 0x{}…  difficulty {difficulty}  {:.2} M nonces/s (EWMA; {:.2} M/s overall)  \
                         expected {expected:.1} s  chance so far {:.0}%",
                        block.number,
                        &encode(&block.hash)[..8],
                        report.rates.ewma / 1e6,
                        report.rates.perpetual / 1e6,
                        chance * 100.0
                    ));
                }
            }
            Event::Waiting(WaitReason::SubnetFull { block }) => self.say(
                "waiting",
                format!("the subnet is full for block {block}; waiting for the next"),
                json!({"block": block, "reason": "subnet full for this block"}),
            ),
            Event::Waiting(WaitReason::PowDisabled { block }) => self.say(
                "waiting",
                format!("block {block}: proof-of-work registration is off on this subnet; waiting (--wait)"),
                json!({"block": block, "reason": "proof-of-work registration disabled"}),
            ),
            Event::Waiting(WaitReason::DifficultyAbove {
                block,
                difficulty,
                max,
            }) => self.say(
                "waiting",
                format!("block {block}: difficulty {difficulty} is above --max-difficulty {max}; waiting (--wait)"),
                json!({"block": block, "reason": "difficulty above --max-difficulty", "difficulty": difficulty.get(), "max_difficulty": max.get()}),
            ),
            Event::Solved {
                block,
                solution,
                hashes,
                rate,
            } => self.say(
                "solved",
                format!(
                    "solved block {}: nonce {}, seal 0x{} ({hashes} nonces, {:.2} M/s)",
                    block.number,
                    solution.nonce,
                    encode(&solution.seal),
                    rate / 1e6
                ),
                json!({"block": block.number, "nonce": solution.nonce, "seal": hash_hex(&solution.seal), "verified_by_reference": true}),
            ),
            Event::Stale { reason } => self.say(
                "stale",
                format!("not submitted: {reason}"),
                json!({"reason": reason}),
            ),
            Event::SubmittingAnyway { refusal } => self.say(
                "precheck",
                format!("pre-check would refuse ({refusal}); submitting anyway (--no-precheck)"),
                json!({"refusal": refusal.to_string()}),
            ),
            Event::Submitted { registration } => {
                let (block, nonce) = match registration {
                    Registration::Legacy {
                        block_number,
                        nonce,
                        ..
                    } => (*block_number, *nonce),
                    Registration::V1 {
                        work_block, nonce, ..
                    } => (*work_block, *nonce),
                };
                self.say(
                    "submitted",
                    format!("submitting {} for block {block}", registration.call_name()),
                    json!({"call": registration.call_name(), "block": block, "nonce": nonce}),
                )
            }
            Event::Included { block_hash } => self.say(
                "included",
                format!("included in block {}", hash_hex(block_hash)),
                json!({"block_hash": hash_hex(block_hash)}),
            ),
            Event::Refused { error } => {
                let name = error.chain_error_name().unwrap_or("");
                let text = crate::output::error_text(*error);
                self.say(
                    "refused",
                    format!("submission not accepted: {text}"),
                    json!({"error": text, "chain_error": name, "kind": submit_kind(error)}),
                )
            }
            Event::Reconnecting { error, delay } => {
                let text = crate::output::error_text(*error);
                self.say(
                    "reconnecting",
                    format!("connection lost ({text}); reconnecting in {:.1} s", delay.as_secs_f64()),
                    json!({"error": text, "delay_seconds": delay.as_secs_f64()}),
                )
            }
            Event::Reconnected { after } => self.say(
                "reconnected",
                format!("reconnected after {:.1} s", after.as_secs_f64()),
                json!({"after_seconds": after.as_secs_f64()}),
            ),
        }
    }
}

fn submit_kind(e: &SubmitError) -> &'static str {
    match e {
        SubmitError::Dispatch { .. } => "dispatch",
        SubmitError::Pool(_) => "pool",
        SubmitError::Build(_) => "build",
        SubmitError::Unknown(_) => "status-unknown",
        SubmitError::Chain(_) => "connection",
    }
}

/// Passwords from `BTPOW_COLDKEY_PASSWORD`, else asked on the terminal.
struct Passwords;

impl PasswordSource for Passwords {
    fn password(&self, path: &Path) -> Option<Zeroizing<String>> {
        if let Ok(p) = std::env::var("BTPOW_COLDKEY_PASSWORD") {
            return Some(Zeroizing::new(p));
        }
        if !std::io::stdin().is_terminal() {
            return None;
        }
        let shown = crate::output::printable(&path.display().to_string());
        rpassword::prompt_password(format!("password for {shown}: "))
            .ok()
            .map(Zeroizing::new)
    }
}

async fn register(args: &SolveArgs, url: &str) -> CmdResult {
    let printer = Arc::new(Printer::new(args.chain.format));
    let result = register_inner(args, url, printer.clone()).await;
    printer.finish();
    // Text: main prints the error on stderr. JSON: also an event on stdout.
    if let (Err(e), true) = (&result, printer.json) {
        printer.say("error", String::new(), json!({"error": format!("{e:#}")}));
    }
    result
}

async fn register_inner(args: &SolveArgs, url: &str, printer: Arc<Printer>) -> CmdResult {
    let netuid = args
        .challenge
        .netuid
        .context("--netuid is required with --endpoint")?;
    if args.challenge.block_hash.is_some()
        || args.challenge.hotkey.is_some()
        || args.challenge.coldkey.is_some()
    {
        anyhow::bail!("--block-hash/--hotkey/--coldkey are for --offline; on a chain the block comes from the node and the keys from the wallet");
    }
    let stop = Stop::default();
    {
        let stop = stop.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                stop.stop();
            }
        });
    }
    let timeout = args.chain.rpc_timeout.0;
    let mut chain = tokio::select! {
        c = Chain::connect(url, timeout) => c?,
        _ = stop.stopped() => return stopped_outcome(&printer),
    };
    let precheck = !args.chain.no_precheck;
    let plan = register::plan(
        &mut chain,
        netuid,
        args.challenge.scheme,
        args.rule,
        args.chain.signer,
        precheck,
    )
    .await?;
    let keys = KeySource {
        paths: WalletPaths::new(
            &args.wallet.wallet_path,
            &args.wallet.wallet_name,
            &args.wallet.wallet_hotkey,
        ),
        hotkey_uri: args.wallet.hotkey_uri.clone(),
        coldkey_uri: args.wallet.coldkey_uri.clone(),
    }
    .load(plan.signer, &Passwords)?;
    say_connected(&printer, url, &plan, &keys);

    let (engine, solve_options) = args
        .run
        .solver_setup(args.run.order.unwrap_or(Order::fastest(plan.scheme)))?;
    let solver = Arc::new(Solver::new(Arc::from(engine), solve_options));
    let mut options = Options {
        work_block: args.chain.work_block,
        precheck,
        dry_run: args.chain.dry_run,
        max_time: args.max_time.map(|s| s.0),
        // Forcing what the runtime decides is for seeing its answer.
        explore: args.chain.signer.is_some()
            || args.rule.is_some()
            || args.challenge.scheme.is_some(),
        ..Options::default()
    };
    options.backoff.give_up = args.chain.reconnect_for.0;
    if args.chain.wait {
        options.wait_for = Some(match args.chain.max_difficulty {
            Some(d) => Difficulty::new(d).context("--max-difficulty")?,
            None => Difficulty::MAX,
        });
    }
    let hotkey = ss58_encode(&keys.hotkey);
    let ask = std::io::stdin().is_terminal() && !args.chain.yes && !args.chain.dry_run;
    let confirm = |difficulty: Difficulty| !ask || confirm(&hotkey, netuid, difficulty);
    let mut registrar =
        register::Registrar::new(chain, plan, keys, options, solver, printer.clone(), stop);
    let outcome = registrar.run(confirm).await?;
    Ok(match outcome {
        Outcome::Registered { uid, by } => {
            let (text, by_name) = match by {
                Registrant::Before => (
                    format!("hotkey already registered on subnet {netuid} (uid {uid}); nothing to do"),
                    "before",
                ),
                Registrant::Us => (format!("hotkey registered on subnet {netuid} (uid {uid})"), "us"),
                Registrant::Another => (
                    format!("hotkey registered on subnet {netuid} (uid {uid}), by another submission"),
                    "another",
                ),
                Registrant::Unknown => (
                    format!("hotkey registered on subnet {netuid} (uid {uid}); this run's submission lost its status, so it may have been ours or another's"),
                    "unknown",
                ),
            };
            printer.say(
                "registered",
                text,
                json!({"netuid": netuid, "uid": uid, "already": by == Registrant::Before, "by": by_name}),
            );
            true
        }
        Outcome::Solved { .. } => {
            printer.say("dry-run", "--dry-run: not submitted".into(), json!({}));
            true
        }
        Outcome::TimedOut => {
            printer.say(
                "timeout",
                "no registration within --max-time".into(),
                json!({}),
            );
            false
        }
        Outcome::Stopped => return stopped_outcome(&printer),
    })
}

fn stopped_outcome(printer: &Printer) -> CmdResult {
    printer.say("stopped", "stopped".into(), json!({}));
    Ok(false)
}

fn say_connected(printer: &Printer, url: &str, plan: &Plan, keys: &Keys) {
    let (hotkey, coldkey) = (ss58_encode(&keys.hotkey), ss58_encode(&keys.coldkey));
    printer.say(
        "connected",
        format!(
            "connected to {}: block {}, spec {}, {} scheme, rule {}; hotkey {hotkey}, coldkey {coldkey}, signing with the {}",
            crate::output::printable(url),
            plan.head.number,
            plan.spec_version,
            plan.scheme,
            plan.rule,
            plan.signer
        ),
        json!({
            "block": plan.head.number, "spec_version": plan.spec_version,
            "scheme": plan.scheme.name(), "rule": plan.rule.name(), "netuid": plan.netuid,
            "hotkey": hotkey, "coldkey": coldkey, "signer": plan.signer.name(),
        }),
    );
}

/// Asks on the terminal; anything but yes declines.
fn confirm(hotkey: &str, netuid: u16, difficulty: Difficulty) -> bool {
    eprint!("register hotkey {hotkey} on subnet {netuid} by proof of work (difficulty {difficulty})? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if std::io::stdin().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim(), "y" | "Y" | "yes")
}
