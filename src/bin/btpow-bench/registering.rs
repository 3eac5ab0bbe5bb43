//! What both registration front ends share (`register`: one hotkey on
//! one subnet; `pairs`: several): the solver and the registrar's options
//! from the arguments, the stop signals, the keys and their passwords, the
//! tool's words for the library's errors, and the live line.

use std::sync::Arc;
use std::time::{Duration, Instant};

use btpow::chain::{
    Chain, ChainError, Options, Plan, RegisterError, RegisterOutcome, Signer, Stop,
};
use btpow::engine::Order;
use btpow::solver::Solver;
use btpow::wallet::{KeySource, Keys, WalletError};
use btpow::Difficulty;

use crate::passwords::Passwords;
use crate::solve_mode::ChainSolve;

/// The engine and the solver's options.
pub type Setup = (Arc<dyn btpow::Engine>, btpow::solver::SolveOptions);

/// Sets `stop` on SIGINT (Ctrl-C), SIGTERM (systemd, Docker, Kubernetes)
/// or SIGHUP (the terminal gone), from now on (see `signals`).
pub fn stop_on_signals(stop: &Stop) {
    let stop = stop.clone();
    crate::signals::on_stop(move || stop.stop());
}

/// The solver (its nonce order the scheme's, unless `--order` says) and
/// how the registrar runs, from the arguments.
pub fn solver_and_options(
    args: &ChainSolve,
    plan: &Plan,
    setup: Setup,
    deadline: Option<Instant>,
    wait_for: Option<Difficulty>,
) -> (Arc<Solver>, Options) {
    let (engine, mut solve_options) = setup;
    solve_options.order = args.run.order.unwrap_or(Order::fastest(plan.scheme));
    let solver = Arc::new(Solver::new(engine, solve_options));
    let mut options = Options {
        work_block: args.chain.work_block,
        precheck: !args.chain.no_precheck,
        dry_run: args.chain.dry_run,
        max_time: deadline.map(|d| d.saturating_duration_since(Instant::now())),
        // Forcing what the runtime decides is for seeing its answer.
        explore: args.chain.signer.is_some() || args.rule.is_some() || args.scheme.is_some(),
        wait_for,
        ..Options::default()
    };
    if let Some(s) = args.chain.reconnect_for {
        options.backoff.give_up = s.0;
    }
    (solver, options)
}

/// A spinner for the live line, drawn on stderr.
pub fn spinner() -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new_spinner();
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg}") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// The tool's advice for a registration error where a flag would have
/// waited for what the run refused without waiting ("" for none).
pub fn advice(e: &RegisterError) -> &'static str {
    match e {
        RegisterError::IntervalFull {
            resets_at: Some(_), ..
        }
        | RegisterError::WorkBlockTooEarly { .. } => "; --wait waits for it",
        RegisterError::NoRegistrations { .. } => " (--wait waits for it to change)",
        _ => "",
    }
}

/// A registration error with the tool's advice (see [`advice`]).
pub fn with_advice(e: RegisterError) -> anyhow::Error {
    match advice(&e) {
        "" => e.into(),
        advice => anyhow::anyhow!("{e}{advice}"),
    }
}

/// A wallet error in the tool's words: a secret URI named by its flag.
pub fn flag_words(e: WalletError) -> anyhow::Error {
    match e {
        WalletError::BadUri { .. } | WalletError::EmptyUri { .. } => {
            anyhow::anyhow!(e.message(|key| format!("--{key}-uri")))
        }
        other => other.into(),
    }
}

/// Connects to `url` within `--rpc-timeout`, refusing the public
/// development keys among `sources` on the public networks (see
/// [`refuse_dev_keys`]).
pub async fn connect(
    args: &ChainSolve,
    url: &str,
    sources: &[KeySource],
) -> Result<Chain, ChainError> {
    let timeout = args
        .chain
        .rpc_timeout
        .map_or(Duration::from_secs(20), |s| s.0);
    let allowed = args.wallet.allow_dev_keys_anyone_can_sign;
    Chain::connect_checked(url, timeout, |genesis| {
        sources
            .iter()
            .try_for_each(|s| refuse_dev_keys(genesis, s, allowed))
    })
    .await
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
pub async fn load_keys(
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
