//! `btpow-bench solve --endpoint`: register a hotkey by proof of work.
//!
//! Read the head and the subnet; solve for the head on every core; on each
//! new block swap in the new challenge (and difficulty); when a seal is
//! found, check the window exactly as the runtime will, submit it signed by
//! the right key, wait for inclusion, and confirm the uid. A stale seal or a
//! lost race just means: go on with the next block. Stops with exit 0 once
//! the hotkey is registered, whoever registered it.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use btpow::chain::rules::{self, Registration, Signer};
use btpow::chain::{Chain, ChainError, Head, SubmitError, SubnetState};
use btpow::engine::Order;
use btpow::hex::encode;
use btpow::solver::{Outcome, Report, Solver};
use btpow::target::effective_difficulty;
use btpow::wallet::{self, PasswordSource, WalletPaths};
use btpow::{Challenge, Difficulty, Job, LegacyChallenge, Rule, Scheme, V1Challenge};
use serde_json::json;
use subxt_signer::sr25519::Keypair;
use zeroize::Zeroizing;

use crate::args::{EventFormat, SolveArgs};
use crate::CmdResult;

/// How often the head is polled while solving.
const POLL: Duration = Duration::from_millis(500);

pub fn run(args: &SolveArgs, endpoint: &str) -> CmdResult {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(register(args, endpoint))
}

/// Milestones and progress, as a panel or as JSON lines.
struct Events {
    json: bool,
    bar: Option<indicatif::ProgressBar>,
}

impl Events {
    fn new(format: EventFormat) -> Self {
        let json = format == EventFormat::Json;
        let bar = (!json && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {msg}").expect("valid template"),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Events { json, bar }
    }

    /// A milestone: a line of text, or a JSON event.
    fn say(&self, event: &str, text: String, fields: serde_json::Value) {
        if self.json {
            let mut obj = fields;
            obj["event"] = json!(event);
            println!("{obj}");
            let _ = std::io::stdout().flush();
        } else if let Some(bar) = &self.bar {
            bar.println(text);
        } else {
            println!("{text}");
        }
    }

    /// The live status: btcli's panel as one line; JSON: a progress event.
    fn progress(&self, r: &Report, attempt: &Attempt, seconds_on_block: f64) {
        let rate = r.rates.ewma.max(1.0);
        let expected = attempt.difficulty as f64 / rate;
        // Chance of at least one solution among the nonces tried for this block.
        let tried = rate * seconds_on_block;
        let chance = 1.0 - (-tried / attempt.difficulty as f64).exp();
        if self.json {
            let ev = json!({
                "event": "progress",
                "ewma_nonces_per_sec": r.rates.ewma,
                "perpetual_nonces_per_sec": r.rates.perpetual,
                "nonces": r.hashes,
                "block": attempt.head.number,
                "block_hash": format!("0x{}", encode(&attempt.head.hash)),
                "difficulty": attempt.difficulty,
                "expected_seconds": expected,
                "chance_so_far": chance,
            });
            println!("{ev}");
        } else if let Some(bar) = &self.bar {
            bar.set_message(format!(
                "block {} 0x{}…  difficulty {}  {:.2} M nonces/s (EWMA; {:.2} M/s overall)  \
                 expected {:.1} s  chance so far {:.0}%",
                attempt.head.number,
                &encode(&attempt.head.hash)[..8],
                attempt.difficulty,
                r.rates.ewma / 1e6,
                r.rates.perpetual / 1e6,
                expected,
                chance * 100.0
            ));
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// One challenge the solver has been given.
#[derive(Clone, Copy, Debug)]
struct Attempt {
    head: Head,
    difficulty: u64,
    started: Instant,
}

/// The keys: the hotkey's and coldkey's public halves, and the signer.
struct Keys {
    hotkey: [u8; 32],
    coldkey: [u8; 32],
    signer: Keypair,
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
        rpassword::prompt_password(format!("password for {}: ", path.display()))
            .ok()
            .map(Zeroizing::new)
    }
}

fn load_keys(args: &SolveArgs, signer: Signer) -> Result<Keys> {
    let w = &args.wallet;
    let paths = WalletPaths::new(&w.wallet_path, &w.wallet_name, &w.wallet_hotkey);
    let hot_pair = |need: bool| -> Result<Option<Keypair>> {
        Ok(match &w.hotkey_uri {
            Some(uri) => Some(wallet::keypair_from_uri("--hotkey-uri", uri)?),
            None if need => Some(wallet::read_keypair(&paths.hotkey(), &Passwords)?),
            None => None,
        })
    };
    let cold_pair = |need: bool| -> Result<Option<Keypair>> {
        Ok(match &w.coldkey_uri {
            Some(uri) => Some(wallet::keypair_from_uri("--coldkey-uri", uri)?),
            None if need => Some(wallet::read_keypair(&paths.coldkey(), &Passwords)?),
            None => None,
        })
    };
    let (hot, cold) = (
        hot_pair(signer == Signer::Hotkey)?,
        cold_pair(signer == Signer::Coldkey)?,
    );
    let hotkey = match &hot {
        Some(p) => p.public_key().0,
        None => wallet::read_public(&paths.hotkey()).or_else(|_| {
            let public = paths
                .hotkey()
                .with_file_name(format!("{}pub.txt", w.wallet_hotkey));
            wallet::read_public(&public)
        })?,
    };
    let coldkey = match &cold {
        Some(p) => p.public_key().0,
        None => wallet::read_public(&paths.coldkeypub())?,
    };
    let signer = match signer {
        Signer::Hotkey => hot,
        Signer::Coldkey => cold,
    }
    .expect("the signing key was loaded");
    Ok(Keys {
        hotkey,
        coldkey,
        signer,
    })
}

fn parse_signer(s: &str) -> Result<Signer> {
    match s {
        "hotkey" => Ok(Signer::Hotkey),
        "coldkey" => Ok(Signer::Coldkey),
        _ => bail!("--signer must be hotkey or coldkey, got {s:?}"),
    }
}

/// A random starting nonce: concurrent miners should not search the same nonces.
fn random_start() -> u64 {
    let mut seed = Vec::new();
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    seed.extend_from_slice(&t.as_nanos().to_le_bytes());
    seed.extend_from_slice(&std::process::id().to_le_bytes());
    let h = btpow::hash::sha256(&seed);
    u64::from_le_bytes(h[..8].try_into().expect("8 bytes"))
}

async fn connect(url: &str, timeout: Duration) -> Result<Chain> {
    Ok(Chain::connect(url, timeout).await?)
}

/// Retries `f` while the connection is down, reconnecting with backoff.
async fn with_reconnect<T>(
    chain: &mut Chain,
    url: &str,
    timeout: Duration,
    events: &Events,
    mut f: impl AsyncFnMut(&Chain) -> Result<T, ChainError>,
) -> Result<T> {
    let mut delay = Duration::from_secs(1);
    let mut failures = 0;
    loop {
        match f(chain).await {
            Ok(v) => return Ok(v),
            Err(e) if e.is_connection() && failures < 8 => {
                failures += 1;
                events.say(
                    "reconnecting",
                    format!("connection lost ({e}); reconnecting in {delay:?}"),
                    json!({"error": e.to_string(), "delay_seconds": delay.as_secs_f64()}),
                );
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(30));
                if let Ok(c) = Chain::connect(url, timeout).await {
                    *chain = c;
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
}

fn job_for(
    scheme: Scheme,
    rule: Rule,
    netuid: u16,
    head: &Head,
    keys: &Keys,
    difficulty: u64,
) -> Result<Job> {
    let challenge = match scheme {
        Scheme::Legacy => Challenge::Legacy(LegacyChallenge::new(head.hash, keys.hotkey)),
        Scheme::V1 => Challenge::V1(V1Challenge::new(
            netuid,
            head.hash,
            keys.hotkey,
            keys.coldkey,
        )),
    };
    Ok(Job::new(&challenge, rule, Difficulty::new(difficulty)?)?)
}

/// The difficulty the runtime checks: legacy reads `Difficulty`; v1 clamps
/// it into [MinDifficulty, MaxDifficulty] as the SDK does.
fn difficulty_of(scheme: Scheme, s: &SubnetState) -> u64 {
    match scheme {
        Scheme::Legacy => s.difficulty.max(1),
        Scheme::V1 => {
            effective_difficulty(Some(s.difficulty), s.min_difficulty, s.max_difficulty).get()
        }
    }
}

async fn register(args: &SolveArgs, url: &str) -> CmdResult {
    let events = Events::new(args.chain.format);
    let result = register_inner(args, url, &events).await;
    events.finish();
    // Text: main prints the error on stderr. JSON: also an event on stdout.
    if let (Err(e), true) = (&result, events.json) {
        events.say("error", String::new(), json!({"error": format!("{e:#}")}));
    }
    result
}

async fn register_inner(args: &SolveArgs, url: &str, events: &Events) -> CmdResult {
    let netuid = args
        .challenge
        .netuid
        .context("--netuid is required with --endpoint")?;
    if args.challenge.block_hash.is_some()
        || args.challenge.hotkey.is_some()
        || args.challenge.coldkey.is_some()
    {
        bail!("--block-hash/--hotkey/--coldkey are for --offline; on a chain the block comes from the node and the keys from the wallet");
    }
    if !(args.chain.rpc_timeout.is_finite() && args.chain.rpc_timeout > 0.0) {
        bail!("--rpc-timeout must be a positive number of seconds");
    }
    let timeout = Duration::from_secs_f64(args.chain.rpc_timeout);
    let deadline = args
        .max_time
        .map(|s| {
            if s.is_finite() && s > 0.0 {
                Ok(Instant::now() + Duration::from_secs_f64(s))
            } else {
                bail!("--max-time must be a positive number of seconds")
            }
        })
        .transpose()?;

    let mut chain = connect(url, timeout).await?;
    let head = chain.head().await?;
    let facts = chain.runtime_facts(&head).await?;
    let (scheme, rule) = rules::detect(&facts, args.challenge.scheme, args.rule)?;
    let required = rules::required_signer(scheme);
    let signer_kind = match &args.chain.signer {
        Some(s) => parse_signer(s)?,
        None => required,
    };
    if signer_kind != required && !args.chain.no_precheck {
        bail!(
            "{scheme} registration must be signed by the {}, not the {} (the chain would answer {})",
            signer_name(required),
            signer_name(signer_kind),
            match scheme {
                Scheme::Legacy => "TransactorAccountShouldBeHotKey",
                Scheme::V1 => "a bad-signer error",
            }
        );
    }
    let keys = load_keys(args, signer_kind)?;
    events.say(
        "connected",
        format!(
            "connected to {url}: block {}, spec {}, {scheme} scheme, rule {rule}; hotkey {}, coldkey {}, signing with the {}",
            head.number,
            facts.spec_version,
            btpow::account::ss58_encode(&keys.hotkey),
            btpow::account::ss58_encode(&keys.coldkey),
            signer_name(signer_kind)
        ),
        json!({
            "block": head.number, "spec_version": facts.spec_version,
            "scheme": scheme.name(), "rule": rule.name(), "netuid": netuid,
            "hotkey": btpow::account::ss58_encode(&keys.hotkey),
            "coldkey": btpow::account::ss58_encode(&keys.coldkey),
            "signer": signer_name(signer_kind),
        }),
    );

    let state = chain.subnet_state(&head, netuid, &keys.hotkey).await?;
    if let Some(uid) = state.uid {
        events.say(
            "registered",
            format!("hotkey already registered on subnet {netuid} (uid {uid}); nothing to do"),
            json!({"netuid": netuid, "uid": uid, "already": true}),
        );
        return Ok(true);
    }
    if !state.pow_allowed {
        bail!("proof-of-work registration is disabled on subnet {netuid} (NetworkPowRegistrationAllowed is false)");
    }
    if std::io::stdin().is_terminal() && !args.chain.yes && !args.chain.dry_run {
        eprint!(
            "register hotkey {} on subnet {netuid} by proof of work (difficulty {})? [y/N] ",
            btpow::account::ss58_encode(&keys.hotkey),
            difficulty_of(scheme, &state)
        );
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            bail!("not confirmed");
        }
    }

    let (engine, options) = args
        .run
        .solver_setup(args.run.order.unwrap_or(Order::fastest(scheme)))?;
    let solver = Arc::new(Solver::new(Arc::from(engine), options));
    let control = solver.control();
    {
        let control = control.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                control.stop();
            }
        });
    }

    loop {
        // A fresh start: the head (or the forced work block) and its state.
        let head = with_reconnect(&mut chain, url, timeout, events, async |c: &Chain| {
            c.head().await
        })
        .await?;
        // Registration and the subnet's switches are read at the head; the
        // difficulty at the block the work is for.
        let state = with_reconnect(&mut chain, url, timeout, events, async |c: &Chain| {
            c.subnet_state(&head, netuid, &keys.hotkey).await
        })
        .await?;
        if let Some(uid) = state.uid {
            events.say(
                "registered",
                format!("hotkey registered on subnet {netuid} (uid {uid})"),
                json!({"netuid": netuid, "uid": uid}),
            );
            return Ok(true);
        }
        if !state.pow_allowed {
            bail!("proof-of-work registration is disabled on subnet {netuid} (NetworkPowRegistrationAllowed is false)");
        }
        let work = match args.chain.work_block {
            Some(n) => {
                with_reconnect(&mut chain, url, timeout, events, async |c: &Chain| {
                    c.block(n).await
                })
                .await?
            }
            None => head,
        };
        let work_state = if work == head {
            state.clone()
        } else {
            with_reconnect(&mut chain, url, timeout, events, async |c: &Chain| {
                c.subnet_state(&work, netuid, &keys.hotkey).await
            })
            .await?
        };
        if state.registrations_this_block >= state.max_registrations_per_block {
            events.say(
                "waiting",
                format!("subnet {netuid} is full for this block; waiting for the next"),
                json!({"block": head.number}),
            );
            tokio::time::sleep(POLL).await;
            continue;
        }
        let first = Attempt {
            head: work,
            difficulty: difficulty_of(scheme, &work_state),
            started: Instant::now(),
        };
        let attempts = Arc::new(Mutex::new(vec![first]));
        events.say(
            "challenge",
            format!(
                "solving for block {} (0x{}) at difficulty {}",
                work.number,
                encode(&work.hash),
                first.difficulty
            ),
            json!({"block": work.number, "block_hash": format!("0x{}", encode(&work.hash)), "difficulty": first.difficulty}),
        );
        let job = job_for(scheme, rule, netuid, &work, &keys, first.difficulty)?;
        let solving = {
            let (solver, attempts) = (solver.clone(), attempts.clone());
            let events_json = events.json;
            let bar = events.bar.clone();
            tokio::task::spawn_blocking(move || {
                let view = Events {
                    json: events_json,
                    bar,
                };
                solver.solve(job, random_start(), |r| {
                    let a = attempts.lock().unwrap()[r.generation as usize];
                    view.progress(r, &a, a.started.elapsed().as_secs_f64());
                })
            })
        };
        tokio::pin!(solving);
        let mut latest = head;
        let mut timed_out = false;
        let report = loop {
            tokio::select! {
                done = &mut solving => break done.context("the solver thread")??,
                _ = tokio::time::sleep(POLL) => {
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        timed_out = true;
                        control.stop();
                        continue;
                    }
                    if args.chain.work_block.is_some() {
                        continue; // a forced work block never changes
                    }
                    let now = with_reconnect(&mut chain, url, timeout, events, async |c: &Chain| c.head().await).await?;
                    if now.number == latest.number && now.hash == latest.hash {
                        continue;
                    }
                    latest = now;
                    let state = with_reconnect(&mut chain, url, timeout, events, async |c: &Chain| {
                        c.subnet_state(&now, netuid, &keys.hotkey).await
                    }).await?;
                    if state.uid.is_some() {
                        control.stop(); // registered meanwhile (by someone): the loop's top says so
                        continue;
                    }
                    let next = Attempt { head: now, difficulty: difficulty_of(scheme, &state), started: Instant::now() };
                    attempts.lock().unwrap().push(next);
                    control.swap(job_for(scheme, rule, netuid, &now, &keys, next.difficulty)?, random_start());
                    events.say(
                        "challenge",
                        format!("new block {} (0x{}), difficulty {}", now.number, encode(&now.hash), next.difficulty),
                        json!({"block": now.number, "block_hash": format!("0x{}", encode(&now.hash)), "difficulty": next.difficulty}),
                    );
                }
            }
        };

        let (solution, attempt) = match report.outcome {
            Outcome::Found {
                solution,
                generation,
            } => (solution, attempts.lock().unwrap()[generation as usize]),
            Outcome::Stopped if timed_out => {
                events.say(
                    "timeout",
                    "no registration within --max-time".into(),
                    json!({}),
                );
                return Ok(false);
            }
            Outcome::TimedOut => {
                events.say(
                    "timeout",
                    "no registration within --max-time".into(),
                    json!({}),
                );
                return Ok(false);
            }
            Outcome::Stopped => {
                // Registered by someone meanwhile, or Ctrl-C: the top of the loop tells which.
                let now = with_reconnect(&mut chain, url, timeout, events, async |c: &Chain| {
                    c.head().await
                })
                .await?;
                let s = with_reconnect(&mut chain, url, timeout, events, async |c: &Chain| {
                    c.subnet_state(&now, netuid, &keys.hotkey).await
                })
                .await?;
                if s.uid.is_some() {
                    continue;
                }
                events.say("stopped", "stopped".into(), json!({}));
                return Ok(false);
            }
            Outcome::Exhausted => bail!("the whole nonce space was searched without a solution"),
        };
        events.say(
            "solved",
            format!(
                "solved block {}: nonce {}, seal 0x{} ({} nonces, {:.2} M/s)",
                attempt.head.number,
                solution.nonce,
                encode(&solution.seal),
                report.hashes,
                report.rate() / 1e6
            ),
            json!({"block": attempt.head.number, "nonce": solution.nonce, "seal": format!("0x{}", encode(&solution.seal)), "verified_by_reference": true}),
        );
        if args.chain.dry_run {
            events.say("dry-run", "--dry-run: not submitted".into(), json!({}));
            return Ok(true);
        }

        // The runtime's own window check, against the newest head.
        let now = with_reconnect(&mut chain, url, timeout, events, async |c: &Chain| {
            c.head().await
        })
        .await?;
        let last_pow = if scheme == Scheme::V1 {
            with_reconnect(&mut chain, url, timeout, events, async |c: &Chain| {
                c.subnet_state(&now, netuid, &keys.hotkey).await
            })
            .await?
            .last_pow_block
        } else {
            None
        };
        let window = match scheme {
            Scheme::Legacy => rules::legacy_window(attempt.head.number, now.number),
            Scheme::V1 => rules::v1_window(attempt.head.number, now.number, last_pow),
        };
        if let Err(why) = window {
            if args.chain.no_precheck {
                events.say(
                    "precheck",
                    format!("pre-check would refuse ({why}); submitting anyway (--no-precheck)"),
                    json!({"refusal": why.to_string()}),
                );
            } else if args.chain.work_block.is_some() {
                bail!("not submitted: {why}");
            } else {
                events.say(
                    "stale",
                    format!("not submitted: {why}; solving the next block"),
                    json!({"reason": why.to_string()}),
                );
                continue;
            }
        }

        let registration = match scheme {
            Scheme::Legacy => Registration::Legacy {
                netuid,
                block_number: attempt.head.number,
                nonce: solution.nonce,
                work: solution.seal,
                hotkey: keys.hotkey,
                coldkey: keys.coldkey,
            },
            Scheme::V1 => Registration::V1 {
                netuid,
                work_block: attempt.head.number,
                nonce: solution.nonce,
                work: solution.seal,
                hotkey: keys.hotkey,
            },
        };
        events.say(
            "submitted",
            format!("submitting {} for block {}", registration.call_name(), attempt.head.number),
            json!({"call": registration.call_name(), "block": attempt.head.number, "nonce": solution.nonce}),
        );
        match chain.submit(&registration, &keys.signer).await {
            Ok(block) => {
                events.say(
                    "included",
                    format!("included in block 0x{}", encode(&block)),
                    json!({"block_hash": format!("0x{}", encode(&block))}),
                );
                // The top of the loop confirms the uid on chain.
            }
            Err(e) => {
                let name = e.chain_error_name().unwrap_or("").to_string();
                events.say(
                    "refused",
                    format!("registration failed: {e}"),
                    json!({"error": e.to_string(), "chain_error": name}),
                );
                match (&e, name.as_str()) {
                    // Lost the window or the race: the next block.
                    (
                        SubmitError::Dispatch(_),
                        "InvalidWorkBlock"
                        | "TooManyRegistrationsThisBlock"
                        | "InvalidDifficulty"
                        | "InvalidSeal",
                    ) if args.chain.work_block.is_none() && !args.chain.no_precheck => {}
                    (SubmitError::Dispatch(_), "HotKeyAlreadyRegisteredInSubNet") => {}
                    (SubmitError::Pool(_), _)
                        if args.chain.work_block.is_none() && !args.chain.no_precheck => {}
                    (SubmitError::Chain(ChainError::Timeout(_)), _) => {}
                    _ => bail!("registration failed: {e}"),
                }
            }
        }
    }
}

fn signer_name(s: Signer) -> &'static str {
    match s {
        Signer::Hotkey => "hotkey",
        Signer::Coldkey => "coldkey",
    }
}
