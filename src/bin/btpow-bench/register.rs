//! `btpow-bench solve --endpoint`: the terminal side of registering. The
//! decisions are the library's (`btpow::chain`: `Registrar` and its events); this file
//! prints its events (a status line, or JSON lines), asks for the password
//! and the confirmation, and maps the outcome to an exit code.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use btpow::account::ss58_encode;
use btpow::chain::{
    Chain, Event, Events, Options, Plan, RegisterError, RegisterOutcome, Registrant, Registrar,
    Registration, Signer, Stop, SubmitError, WaitReason,
};
use btpow::engine::Order;
use btpow::hex::encode;
use btpow::solver::Solver;
use btpow::wallet::{KeySource, Keys, PasswordSource, WalletError, WalletPaths};
use btpow::Difficulty;
use zeroize::Zeroizing;

use crate::args::{EventFormat, SolveArgs};
use crate::output::out;
use crate::record::{self, Record};
use crate::CmdResult;

pub fn run(args: &SolveArgs, endpoint: &str) -> CmdResult {
    // Argument and wallet errors come before any connection.
    let netuid = args
        .challenge
        .netuid
        .context("--netuid is required with --endpoint")?;
    btpow::chain::check_endpoint(endpoint).map_err(|e| anyhow::anyhow!("--endpoint {e}"))?;
    let wait_for = wait_for(args)?;
    let signer = known_signer(args)?;
    let source = key_source(args);
    source.check().map_err(flag_words)?;
    if let Some(signer) = signer {
        source
            .check_signer(signer, &Passwords)
            .map_err(flag_words)?;
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
    let result = runtime.block_on(register(args, endpoint, netuid, wait_for, source, setup));
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
fn wait_for(args: &SolveArgs) -> anyhow::Result<Option<Difficulty>> {
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
fn known_signer(args: &SolveArgs) -> anyhow::Result<Option<Signer>> {
    if let (Some(scheme), Some(rule)) = (args.challenge.scheme, args.rule) {
        rule.check_scheme(scheme)?;
    }
    // Legacy `register` is signed by the hotkey, v1 `pow_register` by the
    // coldkey.
    let required =
        args.challenge
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

fn key_source(args: &SolveArgs) -> KeySource {
    let w = &args.wallet;
    KeySource {
        paths: WalletPaths::new(
            w.wallet_path.as_deref().unwrap_or("~/.bittensor/wallets"),
            w.wallet_name.as_deref().unwrap_or("default"),
            w.wallet_hotkey.as_deref().unwrap_or("default"),
        ),
        hotkey_uri: w.hotkey_uri.clone(),
        coldkey_uri: w.coldkey_uri.clone(),
    }
}

/// Milestones and progress, as a status line or as JSON lines.
struct Printer {
    json: bool,
    verbose: bool,
    /// The spinner, started with the first progress report: every prompt
    /// (password, confirmation) comes before it, so none is drawn over.
    bar: OnceLock<indicatif::ProgressBar>,
}

impl Printer {
    fn new(format: EventFormat, verbose: bool) -> Self {
        Printer {
            json: format == EventFormat::Json,
            verbose,
            bar: OnceLock::new(),
        }
    }

    /// The spinner on a terminal (text only), started on first use.
    fn bar(&self) -> Option<&indicatif::ProgressBar> {
        if self.json || !std::io::stderr().is_terminal() {
            return None;
        }
        Some(self.bar.get_or_init(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg}") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        }))
    }

    /// A milestone: its JSON event, or its line of text (above the
    /// spinner, when there is one). Progress is the spinner's message.
    fn say(&self, record: Record) {
        if self.json {
            out(format_args!("{}", record.json()));
        } else if let Record::Progress { .. } = record {
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

fn hash_hex(h: &[u8; 32]) -> String {
    format!("0x{}", encode(h))
}

impl Events for Printer {
    fn event(&self, event: &Event<'_>) {
        self.say(record(event, self.verbose));
    }
}

/// The record of one event.
fn record(event: &Event<'_>, verbose: bool) -> Record {
    match event {
        Event::Challenge {
            block,
            difficulty,
            new_block,
        } => Record::Challenge {
            block: block.number,
            block_hash: hash_hex(&block.hash),
            difficulty: difficulty.get(),
            new_block: *new_block,
        },
        Event::Progress {
            report,
            block,
            difficulty,
            on_block,
        } => {
            let rate = report.recent_rate().max(1.0);
            Record::Progress {
                ewma_nonces_per_sec: report.recent_rate(),
                perpetual_nonces_per_sec: report.overall_rate(),
                nonces: report.hashes,
                block: block.number,
                block_hash: hash_hex(&block.hash),
                difficulty: difficulty.get(),
                expected_seconds: difficulty.get() as f64 / rate,
                chance_so_far: difficulty.chance_within(rate * on_block.as_secs_f64()),
            }
        }
        Event::Waiting(WaitReason::SubnetFull {
            block,
            registrations,
            limit,
        }) => Record::SubnetFull {
            block: *block,
            // No block frees a limit of 0: only its change ends the wait.
            reason: if *limit == 0 {
                "the subnet takes no registrations (MaxRegistrationsPerBlock is 0)"
            } else {
                "subnet full for this block"
            },
            registrations_this_block: *registrations,
            max_registrations_per_block: *limit,
            frees_at_block: (*limit > 0).then(|| block.saturating_add(1)),
        },
        Event::Waiting(WaitReason::IntervalFull {
            block,
            registrations,
            limit,
            resets_at,
        }) => Record::IntervalFull {
            block: *block,
            reason: if *limit == 0 {
                "the subnet takes no registrations (TargetRegistrationsPerInterval is 0)"
            } else {
                "registrations this interval used up"
            },
            registrations_this_interval: *registrations,
            max_registrations_per_interval: *limit,
            resets_at_block: *resets_at,
        },
        Event::Waiting(WaitReason::PowDisabled { block }) => Record::PowDisabled {
            block: *block,
            reason: "proof-of-work registration disabled",
        },
        Event::Waiting(WaitReason::DifficultyAbove {
            block,
            difficulty,
            max,
            reached_at,
        }) => Record::DifficultyAbove {
            block: *block,
            reason: "difficulty above --max-difficulty",
            difficulty: difficulty.get(),
            max_difficulty: max.get(),
            reached_at_block: *reached_at,
        },
        Event::Waiting(WaitReason::WorkBlockAfter { block, last, until }) => {
            Record::WorkBlockAfter {
                block: *block,
                reason:
                    "the hotkey's last proof-of-work registration used this block or a later one",
                last_pow_registration_block: *last,
                until_block: *until,
            }
        }
        Event::Waiting(WaitReason::Decay {
            block,
            until,
            difficulty,
            now,
        }) => Record::Decay {
            block: *block,
            reason: "the seal meets the difficulty of a later block",
            difficulty: now.get(),
            until_block: *until,
            difficulty_then: difficulty.get(),
        },
        Event::Solved {
            block,
            solution,
            hashes,
            rate,
        } => Record::Solved {
            block: block.number,
            nonce: solution.nonce,
            seal: hash_hex(&solution.seal),
            verified_by_reference: true,
            hashes: *hashes,
            rate: *rate,
        },
        Event::Stale { reason } => Record::Stale {
            reason: reason.clone(),
        },
        Event::SubmittingAnyway { refusal } => Record::Precheck {
            refusal: refusal.to_string(),
        },
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
            Record::Submitted {
                call: registration.call_name(),
                block,
                nonce,
            }
        }
        Event::Included { block_hash } => Record::Included {
            block_hash: hash_hex(block_hash),
        },
        Event::Refused { error } => Record::Refused {
            error: crate::output::error_text(*error),
            chain_error: error.chain_error_name().unwrap_or("").to_string(),
            kind: submit_kind(error),
            node_said: match error {
                SubmitError::Pool { message, .. } => Some(message.clone()),
                _ => None,
            },
        },
        Event::Diagnosed { cause } => Record::Diagnosed {
            cause: cause.to_string(),
            next_block_cures: cause.next_block_cures(),
        },
        Event::Reconnecting { error, delay } => Record::Reconnecting {
            error: crate::output::full_error_text(*error),
            delay_seconds: delay.as_secs_f64(),
            verbose,
        },
        Event::Reconnected { after } => Record::Reconnected {
            after_seconds: after.as_secs_f64(),
        },
        // An event newer than this tool: shown as the library words it.
        other => Record::Event {
            debug: format!("{other:?}"),
        },
    }
}

fn submit_kind(e: &SubmitError) -> &'static str {
    match e {
        SubmitError::Dispatch { .. } => "dispatch",
        SubmitError::Pool { .. } => "pool",
        SubmitError::Build(_) => "build",
        SubmitError::Unknown(_) => record::STATUS_UNKNOWN,
        SubmitError::Chain(_) => "connection",
        _ => "other",
    }
}

/// The coldkey's password, when not asked for on the terminal.
const PASSWORD_VAR: &str = "BTPOW_COLDKEY_PASSWORD";

/// The coldkey's password from `BTPOW_COLDKEY_PASSWORD`, else asked on the
/// terminal; a hotkey's (btcli writes hotkeys unencrypted) only asked.
struct Passwords;

/// `key`'s password from the value of `BTPOW_COLDKEY_PASSWORD` (`None`
/// for a hotkey: the variable is the coldkey's only).
fn password_from_var(
    key: Signer,
    value: Option<std::ffi::OsString>,
) -> Option<Result<Zeroizing<String>, String>> {
    use std::os::unix::ffi::OsStringExt;
    if key != Signer::Coldkey {
        return None;
    }
    let bytes = Zeroizing::new(value?.into_vec());
    Some(match std::str::from_utf8(&bytes) {
        Ok(p) => Ok(Zeroizing::new(p.to_string())),
        Err(_) => Err(format!(
            "{PASSWORD_VAR} is set, but not to UTF-8 text, so it cannot be this coldkey's \
             password (btcli encrypts with the password as UTF-8 text); set it to the password \
             as text, or unset it to be asked on a terminal"
        )),
    })
}

impl PasswordSource for Passwords {
    fn can_give(&self, key: Signer) -> Result<bool, String> {
        match password_from_var(key, std::env::var_os(PASSWORD_VAR)) {
            Some(p) => p.map(|_| true),
            None => Ok(std::io::stdin().is_terminal()),
        }
    }

    fn password(&self, path: &Path, key: Signer) -> Result<Option<Zeroizing<String>>, String> {
        if let Some(p) = password_from_var(key, std::env::var_os(PASSWORD_VAR)) {
            return p.map(Some);
        }
        if !std::io::stdin().is_terminal() {
            return Ok(None);
        }
        let shown = crate::output::printable(&path.display().to_string());
        rpassword::prompt_password(format!("password for the {key} {shown}: "))
            .map(|p| Some(Zeroizing::new(p)))
            .map_err(|e| format!("the password typed cannot be read ({e})"))
    }
}

/// The engine and the solver's options.
type Setup = (Arc<dyn btpow::Engine>, btpow::solver::SolveOptions);

async fn register(
    args: &SolveArgs,
    url: &str,
    netuid: u16,
    wait_for: Option<Difficulty>,
    source: KeySource,
    setup: Setup,
) -> CmdResult {
    if args.chain.verbose {
        crate::output::set_verbose();
    }
    let printer = Arc::new(Printer::new(args.chain.format, args.chain.verbose));
    let result = register_inner(args, url, netuid, wait_for, source, setup, printer.clone()).await;
    printer.finish();
    // Text: main prints the error on stderr. JSON: also an event on stdout.
    if let (Err(e), true) = (&result, printer.json) {
        printer.say(Record::Error {
            error: crate::output::anyhow_text(e),
        });
    }
    result
}

/// Sets `stop` on SIGINT (Ctrl-C), SIGTERM (systemd, Docker, Kubernetes)
/// or SIGHUP (the terminal gone), from now on (see `signals`).
pub fn stop_on_signals(stop: &Stop) {
    let stop = stop.clone();
    crate::signals::on_stop(move || stop.stop());
}

async fn register_inner(
    args: &SolveArgs,
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
    let timeout = args
        .chain
        .rpc_timeout
        .map_or(Duration::from_secs(20), |s| s.0);
    let dev_keys_allowed = args.wallet.allow_dev_keys_anyone_can_sign;
    let dev_uris = source.clone();
    let connect = Chain::connect_checked(url, timeout, move |genesis| {
        refuse_dev_keys(genesis, &dev_uris, dev_keys_allowed)
    });
    let mut chain = tokio::select! {
        c = connect => c?,
        o = stop.interrupted(deadline) => return ended(&printer, o),
    };
    let precheck = !args.chain.no_precheck;
    let plan = tokio::select! {
        p = Plan::read(
            &mut chain,
            netuid,
            args.challenge.scheme,
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

    let (engine, mut solve_options) = setup;
    solve_options.order = args.run.order.unwrap_or(Order::fastest(plan.scheme));
    let solver = Arc::new(Solver::new(engine, solve_options));
    let mut options = Options {
        work_block: args.chain.work_block,
        precheck,
        dry_run: args.chain.dry_run,
        max_time: deadline.map(|d| d.saturating_duration_since(Instant::now())),
        // Forcing what the runtime decides is for seeing its answer.
        explore: args.chain.signer.is_some()
            || args.rule.is_some()
            || args.challenge.scheme.is_some(),
        ..Options::default()
    };
    if let Some(s) = args.chain.reconnect_for {
        options.backoff.give_up = s.0;
    }
    options.wait_for = wait_for;
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

/// A registration error with the tool's advice where a flag would have
/// waited for what the run refused without waiting.
fn with_advice(e: RegisterError) -> anyhow::Error {
    let advice = match &e {
        RegisterError::IntervalFull {
            resets_at: Some(_), ..
        }
        | RegisterError::WorkBlockTooEarly { .. } => "; --wait waits for it",
        RegisterError::NoRegistrations { .. } => " (--wait waits for it to change)",
        _ => return e.into(),
    };
    anyhow::anyhow!("{e}{advice}")
}

/// A run ended by `--max-time` or a stop signal: said, exit 1.
fn ended(printer: &Printer, outcome: RegisterOutcome) -> CmdResult {
    match outcome {
        RegisterOutcome::TimedOut => printer.say(Record::Timeout),
        _ => printer.say(Record::Stopped),
    }
    Ok(false)
}

/// A wallet error in the tool's words: a secret URI named by its flag.
fn flag_words(e: WalletError) -> anyhow::Error {
    match e {
        WalletError::BadUri { .. } | WalletError::EmptyUri { .. } => {
            anyhow::anyhow!(e.message(|key| format!("--{key}-uri")))
        }
        other => other.into(),
    }
}

/// Keys anyone can derive (`//Alice`, the dev phrase) are refused on the
/// public networks unless the user says, by the flag's name, that they know.
fn refuse_dev_keys(genesis: &[u8; 32], source: &KeySource, allowed: bool) -> Result<(), String> {
    let Some(network) = btpow::chain::Chain::public_network(genesis) else {
        return Ok(());
    };
    let uris = [
        ("--hotkey-uri", &source.hotkey_uri),
        ("--coldkey-uri", &source.coldkey_uri),
    ];
    for (flag, uri) in uris {
        if !allowed && uri.as_deref().is_some_and(KeySource::is_dev_uri) {
            return Err(format!(
                "{flag} is a public development key and this node is {network}: anyone can sign \
                 for that key and take what it holds; use a wallet (or, knowing that, pass \
                 --allow-dev-keys-anyone-can-sign)"
            ));
        }
    }
    Ok(())
}

/// The keys, the signer's secret decrypted (asking for its password, if it
/// must), on a blocking thread: a stop or the deadline ends the wait, and
/// a terminal left without echo by the password prompt is restored.
async fn load_keys(
    source: KeySource,
    signer: Signer,
    stop: &Stop,
    deadline: Option<Instant>,
) -> Result<Result<Keys, WalletError>, RegisterOutcome> {
    let saved = crate::terminal::Saved::now();
    let task = tokio::task::spawn_blocking(move || source.load(signer, &Passwords));
    tokio::select! {
        keys = task => Ok(keys.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))),
        o = stop.interrupted(deadline) => {
            if let Some(saved) = saved {
                saved.restore();
                crate::output::err_part(format_args!("\n"));
            }
            Err(o)
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn both(event: &Event<'_>) -> (String, String) {
        let r = record(event, false);
        (r.json(), r.to_string())
    }

    #[test]
    fn a_per_block_limit_of_0_is_waited_on_in_the_same_words_in_json_and_text() {
        let (json, text) = both(&Event::Waiting(WaitReason::SubnetFull {
            block: 10,
            registrations: 0,
            limit: 0,
        }));
        assert_eq!(
            json,
            r#"{"block":10,"event":"waiting","frees_at_block":null,"max_registrations_per_block":0,"reason":"the subnet takes no registrations (MaxRegistrationsPerBlock is 0)","registrations_this_block":0}"#
        );
        assert!(text.contains("takes no registrations (MaxRegistrationsPerBlock is 0)"));
        assert!(!text.contains("frees"), "{text}");
        let (json, _) = both(&Event::Waiting(WaitReason::SubnetFull {
            block: 10,
            registrations: 2,
            limit: 2,
        }));
        assert!(json.contains(r#""frees_at_block":11"#), "{json}");
        assert!(
            json.contains(r#""reason":"subnet full for this block""#),
            "{json}"
        );
    }

    #[test]
    fn waiting_for_a_work_block_after_the_last_pow_registration() {
        let (json, text) = both(&Event::Waiting(WaitReason::WorkBlockAfter {
            block: 50,
            last: 50,
            until: 51,
        }));
        assert!(json.contains(r#""event":"waiting""#), "{json}");
        assert!(
            json.contains(r#""last_pow_registration_block":50"#),
            "{json}"
        );
        assert!(json.contains(r#""until_block":51"#), "{json}");
        assert_eq!(
            text,
            "block 50: this hotkey last registered by proof of work with work block 50 \
             (LastPowRegistrationBlock), and the runtime takes its work only from block 51 on; \
             waiting for it"
        );
    }

    #[test]
    fn what_a_flag_would_wait_for_is_advised_with_the_flag() {
        let full = |resets_at| RegisterError::IntervalFull {
            netuid: 1,
            head: 100,
            registrations: 6,
            limit: 6,
            resets_at,
        };
        let advised = with_advice(full(Some(110))).to_string();
        assert!(
            advised.ends_with("12 s blocks); --wait waits for it"),
            "{advised}"
        );
        // No reset block: nothing to wait for.
        assert!(!with_advice(full(None)).to_string().contains("--wait"));
        let none = with_advice(RegisterError::NoRegistrations {
            netuid: 1,
            limit: "MaxRegistrationsPerBlock",
        })
        .to_string();
        assert!(
            none.ends_with("no block frees that (--wait waits for it to change)"),
            "{none}"
        );
        let early = with_advice(RegisterError::WorkBlockTooEarly {
            head: 100,
            last: 101,
            first: 102,
        })
        .to_string();
        assert!(
            early.ends_with("(InvalidWorkBlock); --wait waits for it"),
            "{early}"
        );
    }

    #[test]
    fn the_password_variable_is_the_coldkeys_and_must_be_text() {
        use std::os::unix::ffi::OsStringExt;
        let text = || Some(std::ffi::OsString::from("pass word"));
        let p = password_from_var(Signer::Coldkey, text()).unwrap().unwrap();
        assert_eq!(p.as_str(), "pass word");
        // A hotkey's password never comes from the coldkey's variable.
        assert!(password_from_var(Signer::Hotkey, text()).is_none());
        assert!(password_from_var(Signer::Coldkey, None).is_none());
        let bytes = std::ffi::OsString::from_vec(b"sesame\xffopen".to_vec());
        let e = password_from_var(Signer::Coldkey, Some(bytes))
            .unwrap()
            .unwrap_err();
        assert!(
            e.starts_with("BTPOW_COLDKEY_PASSWORD is set, but not to UTF-8 text"),
            "{e}"
        );
        assert!(!e.contains("sesame") && !e.contains("open"), "{e}");
    }
}
