//! Every command-line argument of `btpow-bench`, in one place.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use btpow::engine::Order;
use btpow::solver::Request;
use btpow::{Rule, Scheme};
use clap::{Args, Parser, Subcommand};

/// A duration given in seconds, checked by the library's one rule
/// ([`btpow::solver::Request::seconds`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Seconds(pub Duration);

/// The one value parser for durations.
pub fn seconds(s: &str) -> Result<Seconds, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number of seconds"))?;
    Request::seconds(v).map(Seconds).map_err(|e| e.to_string())
}

/// The unsigned integer types flags take, with their largest value.
pub trait Whole: FromStr {
    /// The largest value, for "out of range" messages.
    const MAX_TEXT: &'static str;
}

macro_rules! whole_types {
    ($($t:ty = $max:literal),*) => {$(
        impl Whole for $t {
            const MAX_TEXT: &'static str = $max;
        }
    )*};
}
whole_types!(
    u16 = "65535",
    u64 = "18446744073709551615",
    usize = "18446744073709551615"
);

/// A whole number that must not be negative (clap would otherwise take
/// `-1` for a flag and say "unexpected argument"); one too large says the
/// range.
pub fn whole<T: Whole>(s: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    let t = s.trim();
    if t.starts_with('-') {
        return Err("must not be negative".into());
    }
    t.parse().map_err(|e: T::Err| {
        if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
            format!("out of range: 0 to {}", T::MAX_TEXT)
        } else {
            e.to_string()
        }
    })
}

/// One device of `--devices`, checked for what is wrong with it whatever
/// the engine: a negative number (which clap would otherwise take for a
/// flag and call an unexpected argument) or a flag where the value belongs.
/// `--cuda` and `--opencl` read the rest.
pub fn device(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.starts_with("--") {
        return Err(
            "a flag where a device belongs: --devices takes a list, such as 0:0,1:0 \
             for --opencl or 0,1 for --cuda"
                .into(),
        );
    }
    if t.starts_with('-') {
        return Err(
            "a device is never negative: --devices takes platform:device for --opencl \
             (such as 0:0) or an ordinal for --cuda (such as 0), as `btpow-bench engines` lists them"
                .into(),
        );
    }
    Ok(s.to_string())
}

/// Ends the process for a command line clap refused: help and version as
/// clap prints them; an error with every control character of the user's
/// values escaped (a flag value must not move the cursor or recolour the
/// terminal), exit 2.
pub fn parse_failure(e: clap::Error) -> std::process::ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            std::process::ExitCode::from(e.exit_code() as u8)
        }
        _ => {
            // `ansi()`: the user's bytes as given (plain `Display` strips
            // escape sequences, leaving other control characters).
            let text = e.render().ansi().to_string();
            crate::output::err_part(format_args!("{}", crate::output::printable(&text)));
            std::process::ExitCode::from(2)
        }
    }
}

/// The environment variable that names the engine when `--engine` does not.
pub const ENGINE_VAR: &str = "BTPOW_ENGINE";

/// The engine `BTPOW_ENGINE` names, if it is set and not empty.
pub fn engine_var() -> anyhow::Result<Option<String>> {
    match std::env::var(ENGINE_VAR) {
        Ok(name) if name.trim().is_empty() => Ok(None),
        Ok(name) => Ok(Some(name)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => anyhow::bail!(
            "{ENGINE_VAR} (set in the environment) is not UTF-8 text; it names an engine \
             (`btpow-bench engines` lists them)"
        ),
    }
}

/// The engine `--engine` names, or else `BTPOW_ENGINE`, with the
/// variable's name when it came from there (for messages).
pub fn named_engine(
    flag: &Option<String>,
) -> anyhow::Result<Option<(String, Option<&'static str>)>> {
    Ok(match flag {
        Some(name) => Some((name.clone(), None)),
        None => engine_var()?.map(|name| (name, Some(ENGINE_VAR))),
    })
}

/// `--devices` says which GPUs `--cuda` or `--opencl` solves on: alone,
/// it is refused.
pub fn devices_need_gpu(devices: &[String], gpu: Option<&str>) -> anyhow::Result<()> {
    if !devices.is_empty() && gpu.is_none() {
        anyhow::bail!(
            "--devices needs --cuda or --opencl: it names the GPUs they solve on (without them \
             the CPU solves)"
        );
    }
    Ok(())
}

/// A worker-thread count: at least 1, at most 16 per core (the library's
/// [`btpow::solver::Request::threads`]).
pub fn threads(s: &str) -> Result<usize, String> {
    Request::threads(whole(s)?).map_err(|e| e.to_string())
}

#[derive(Parser, Debug)]
#[command(
    name = "btpow-bench",
    version,
    // Plain text, no styles at all: then every control character in an
    // error is the user's, shown escaped (`parse_failure`). (`Never` alone
    // still renders clap's own styles as escape codes.)
    color = clap::ColorChoice::Never,
    styles = clap::builder::Styles::plain(),
    about = "Solve, verify and benchmark Bittensor's registration proof-of-work"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check golden vectors (a CSV file or a directory of them) with every engine
    Verify(VerifyArgs),
    /// Print the seal of one nonce and every rule's verdict
    Seal(SealArgs),
    /// Find a valid nonce for a challenge
    Solve(Box<SolveArgs>),
    /// Every engine (and optionally the Python peers) on the same challenge
    /// for the same time, with ratios and the per-core roofline
    Compare(CompareArgs),
    /// List the engines of this build and whether this machine can run them
    Engines,
    /// Every subnet of a chain: which take proof-of-work registration now,
    /// at what difficulty, how long a solution takes on this machine, what
    /// burning costs instead, and the registration limits
    Subnets(SubnetsArgs),
}

#[derive(Args, Debug)]
pub struct SubnetsArgs {
    /// A subtensor node's websocket (ws://… or wss://…)
    #[arg(long, value_name = "URL")]
    pub endpoint: String,
    /// One subnet
    #[arg(long, value_name = "U16", value_parser = whole::<u16>, allow_hyphen_values = true)]
    pub netuid: Option<u16>,
    /// Only subnets that take proof-of-work registration now
    #[arg(long)]
    pub only_open: bool,
    /// Nonces per second to estimate with, from 1 to 1e15, instead of
    /// measuring this machine's engine for a second
    #[arg(long, value_name = "N", value_parser = rate, allow_hyphen_values = true)]
    pub rate: Option<f64>,
    /// The engine whose rate is measured (default: the fastest this CPU
    /// supports, as for solve; `btpow-bench engines` lists them) [env: BTPOW_ENGINE]
    #[arg(long, value_name = "NAME")]
    pub engine: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Seconds to wait for the connection and for any one node request [default: 20]
    #[arg(long, value_name = "SECONDS", value_parser = seconds, allow_hyphen_values = true)]
    pub rpc_timeout: Option<Seconds>,
}

/// The rates `subnets --rate` takes, in nonces per second: from one a
/// second to 10^15 (about a hundred thousand of today's fastest GPUs).
/// Outside it an estimate means nothing, and the times computed from it
/// (up to 2^64 ÷ the rate) could not be printed sanely.
pub const RATES: std::ops::RangeInclusive<f64> = 1.0..=1e15;

/// A rate in nonces per second, within [`RATES`].
fn rate(s: &str) -> Result<f64, String> {
    let range = format!(
        "from {} to {:e} nonces per second",
        RATES.start(),
        RATES.end()
    );
    match s.trim().parse::<f64>() {
        Ok(v) if RATES.contains(&v) => Ok(v),
        Ok(v) if v.is_nan() => Err(format!("not a number; must be {range}")),
        Ok(v) if v <= 0.0 => Err(format!("must be above 0, {range}")),
        Ok(_) => Err(format!("must be {range}")),
        Err(_) => Err(format!("not a number; must be {range}")),
    }
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventFormat {
    Text,
    Json,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Json,
}

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// One scheme (default: both)
    #[arg(long, value_name = "legacy|v1")]
    pub scheme: Option<Scheme>,
    /// Worker threads per engine; a list (1,2) measures each, with the
    /// speed-up over the first (default: every core)
    #[arg(long, value_name = "N[,N…]", value_delimiter = ',', value_parser = threads, allow_hyphen_values = true)]
    pub threads: Vec<usize>,
    /// Nonce order (default: sequential for legacy, high-bytes for v1)
    #[arg(long, value_name = "sequential|high-bytes")]
    pub order: Option<Order>,
    /// Seconds each engine runs (its rate: the best of five equal windows)
    #[arg(long, default_value = "3", value_name = "S", value_parser = seconds, allow_hyphen_values = true)]
    pub seconds: Seconds,
    /// Engines to run, comma-separated (default: every engine this CPU supports)
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub engines: Vec<String>,
    /// Run the CUDA engine on every GPU (one thread per device), beside the
    /// reference; no GPU: a one-line refusal, exit 2
    #[arg(long, group = "gpu")]
    pub cuda: bool,
    /// Run the OpenCL engine on every OpenCL GPU (one thread per device),
    /// beside the reference; other devices (PoCL's CPU) only with --devices
    #[arg(long, group = "gpu")]
    pub opencl: bool,
    /// Devices, comma-separated: ordinals for --cuda; platform:device for
    /// --opencl, as `btpow-bench engines` lists them (default: every GPU)
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = device, allow_hyphen_values = true)]
    pub devices: Vec<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also run the Python peers in the same run: pow.py (legacy) and
    /// bittensor-core's pow_mine_cpu (v1), from the vectors' environments
    #[arg(long)]
    pub peers: bool,
    /// Seconds a peer may run beyond --seconds (its Python start-up and
    /// imports) before it is stopped, with whatever it started, and named
    /// as timed out; the other rows are still shown, and the exit is 2
    #[arg(long, default_value = "60", value_name = "S", value_parser = seconds, allow_hyphen_values = true)]
    pub peer_grace: Seconds,
    /// Where the peers' Python environments are (made by vectors/setup)
    #[arg(
        long,
        value_name = "DIR",
        env = "BTPOW_PEERS_VENV",
        default_value = "vectors/.venv"
    )]
    pub peers_venv: PathBuf,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// A vector file, or a directory whose *.csv files are all checked
    #[arg(long, value_name = "PATH")]
    pub vectors: PathBuf,
    /// Check only these engines (default: every engine this machine
    /// supports) [env: BTPOW_ENGINE]
    #[arg(long = "engine", value_name = "NAME", value_delimiter = ',')]
    pub engines: Vec<String>,
    /// Print every failing row, not just the first ten
    #[arg(long)]
    pub all_failures: bool,
}

/// The public inputs of a challenge. Accounts are SS58 addresses or 32-byte hex.
#[derive(Args, Debug, Clone)]
pub struct ChallengeArgs {
    /// legacy: pow.py / `register`; v1: `pow_register`
    #[arg(long, value_name = "legacy|v1")]
    pub scheme: Option<Scheme>,
    #[command(flatten)]
    pub parts: ChallengeParts,
    /// The subnet (v1 challenges); with --endpoint, one or more (1,5): every
    /// hotkey is registered on each
    #[arg(long, value_name = "U16[,U16…]", value_delimiter = ',', value_parser = whole::<u16>, allow_hyphen_values = true)]
    pub netuid: Vec<u16>,
}

/// The parts of a challenge a chain gives itself (its block, the wallet's
/// keys): given only offline.
#[derive(Args, Debug, Clone)]
pub struct ChallengeParts {
    /// The block hash the work is for (32 bytes hex)
    #[arg(long, value_name = "HEX")]
    pub block_hash: Option<String>,
    /// The hotkey being registered (SS58 or hex)
    #[arg(long, value_name = "ACCOUNT")]
    pub hotkey: Option<String>,
    /// v1 only: the coldkey that will sign `pow_register` (SS58 or hex)
    #[arg(long, value_name = "ACCOUNT")]
    pub coldkey: Option<String>,
}

#[derive(Args, Debug)]
pub struct SealArgs {
    #[command(flatten)]
    pub challenge: ChallengeArgs,
    /// The nonce (decimal)
    #[arg(long, value_parser = whole::<u64>, allow_hyphen_values = true)]
    pub nonce: u64,
    /// Judge the seal against this difficulty
    #[arg(long, default_value_t = 1, value_parser = whole::<u64>, allow_hyphen_values = true)]
    pub difficulty: u64,
}

/// `solve`'s flags, both modes' ([`crate::solve_mode`] keeps each mode's
/// own).
#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("mode").required(true).args(["offline", "endpoint"])))]
pub struct SolveArgs {
    /// Solve a given challenge without a chain; with no challenge given, an
    /// embedded sample
    #[arg(long)]
    pub offline: bool,
    /// Register on a chain: a subtensor node's websocket (ws://… or wss://…)
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    #[command(flatten)]
    pub challenge: ChallengeArgs,
    #[command(flatten)]
    pub search: OfflineArgs,
    /// Acceptance rule (default: the runtime's, or python for an offline legacy challenge)
    #[arg(long, value_name = "python|chain-be|chain-le|v1")]
    pub rule: Option<Rule>,
    /// Give up after this many seconds
    #[arg(long, value_name = "SECONDS", value_parser = seconds, allow_hyphen_values = true)]
    pub max_time: Option<Seconds>,
    #[command(flatten)]
    pub run: RunArgs,
    #[command(flatten)]
    pub wallet: WalletArgs,
    #[command(flatten)]
    pub chain: ChainArgs,
}

/// The search offline: on a chain the difficulty is the subnet's and the
/// start is random.
#[derive(Args, Debug, Clone)]
pub struct OfflineArgs {
    /// Difficulty (offline; default: the sample's when solving the sample)
    #[arg(long, value_parser = whole::<u64>, allow_hyphen_values = true)]
    pub difficulty: Option<u64>,
    /// First nonce to try (offline, default 0; on a chain the start is random)
    #[arg(long, value_parser = whole::<u64>, allow_hyphen_values = true)]
    pub start: Option<u64>,
}

/// Keys, the btcli way. Defaults are applied where they are used, so that
/// a flag given where it means nothing (offline) can be refused.
#[derive(Args, Debug, Clone)]
#[cfg_attr(not(feature = "chain"), allow(dead_code))]
pub struct WalletArgs {
    /// Wallet name [default: default]
    #[arg(long = "wallet.name", value_name = "NAME")]
    pub wallet_name: Option<String>,
    /// Hotkey name within the wallet, or several (a,b,c), each registered
    /// on every --netuid [default: default]
    #[arg(
        long = "wallet.hotkey",
        value_name = "NAME[,NAME…]",
        value_delimiter = ','
    )]
    pub wallet_hotkey: Vec<String>,
    /// Where wallets live [default: ~/.bittensor/wallets]
    #[arg(long = "wallet.path", value_name = "DIR")]
    pub wallet_path: Option<String>,
    /// Test chains: the hotkey from a secret URI (//Alice, a mnemonic) instead of the wallet;
    /// given again, another hotkey
    #[arg(long, value_name = "URI")]
    pub hotkey_uri: Vec<String>,
    /// Test chains: the coldkey from a secret URI instead of the wallet
    #[arg(long, value_name = "URI")]
    pub coldkey_uri: Option<String>,
    /// Allow the public development keys (//Alice, the dev phrase) on
    /// finney or the public testnet: anyone can sign for those keys and
    /// take what they hold
    #[arg(long)]
    pub allow_dev_keys_anyone_can_sign: bool,
}

/// Registering on a chain. (A build without the chain client still
/// parses these, to refuse them by name.)
#[derive(Args, Debug, Clone)]
#[cfg_attr(not(feature = "chain"), allow(dead_code))]
pub struct ChainArgs {
    /// Solve, but do not submit
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for confirmation (asked only when stdin is a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// text: a live panel on a terminal; json: one JSON event per line on stdout
    #[arg(long, value_enum, default_value_t = EventFormat::Text)]
    pub format: EventFormat,
    /// Seconds to wait for the connection and for any one node request [default: 20]
    #[arg(long, value_name = "SECONDS", value_parser = seconds, allow_hyphen_values = true)]
    pub rpc_timeout: Option<Seconds>,
    /// Serve the run's Prometheus metrics at http://ADDR/metrics while it lasts (ADDR: an IP and a port, 127.0.0.1:9184)
    #[arg(long, value_name = "ADDR")]
    pub metrics: Option<String>,
    /// Watch mode: wait, block by block, until the subnet allows
    /// proof-of-work registration, its interval has room (legacy runtimes)
    /// and its difficulty is at most --max-difficulty, then solve and
    /// register
    #[arg(long)]
    pub wait: bool,
    /// With --wait: the highest difficulty worth solving
    #[arg(long, value_name = "D", value_parser = whole::<u64>, allow_hyphen_values = true)]
    pub max_difficulty: Option<u64>,
    /// Seconds a lost connection is retried (with backoff) before the node
    /// counts as gone [default: 60]
    #[arg(long, value_name = "SECONDS", value_parser = seconds, allow_hyphen_values = true)]
    pub reconnect_for: Option<Seconds>,
    /// Show the connection's errors in full (the RPC client's chain of causes)
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Testing: solve for this (past) block instead of the head
    #[arg(long, hide = true, value_name = "BLOCK", value_parser = whole::<u64>, allow_hyphen_values = true)]
    pub work_block: Option<u64>,
    /// Testing: submit even when the pre-checks refuse, to see the chain's answer
    #[arg(long, hide = true)]
    pub no_precheck: bool,
    /// Testing: sign with this key instead of the one the scheme requires
    #[cfg(feature = "chain")]
    #[arg(long, hide = true, value_name = "hotkey|coldkey")]
    pub signer: Option<btpow::chain::Signer>,
}

/// How to run engines: which one, and on how many threads.
#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// The engine (default: the fastest this CPU supports; `btpow-bench
    /// engines` lists them) [env: BTPOW_ENGINE]
    #[arg(long, value_name = "NAME")]
    pub engine: Option<String>,
    /// Worker threads (default: every core; with --cuda or --opencl, one per device)
    #[arg(long, value_name = "N", value_parser = threads, allow_hyphen_values = true)]
    pub threads: Option<usize>,
    /// Solve on the GPUs with the CUDA engine
    #[arg(long, group = "gpu")]
    pub cuda: bool,
    /// Solve with the OpenCL engine: every OpenCL GPU (AMD, Intel, Apple,
    /// NVIDIA), or the devices --devices names (PoCL's CPU device, say)
    #[arg(long, group = "gpu")]
    pub opencl: bool,
    /// Devices, comma-separated: ordinals for --cuda; platform:device for
    /// --opencl, as `btpow-bench engines` lists them (default: every GPU)
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = device, allow_hyphen_values = true)]
    pub devices: Vec<String>,
    /// Nonce order: sequential (the lowest valid nonce), or high-bytes (v1's
    /// midstate order, one compression per nonce; the default for v1)
    #[arg(long, value_name = "sequential|high-bytes")]
    pub order: Option<Order>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_validated_once() {
        assert_eq!(seconds("1.5"), Ok(Seconds(Duration::from_millis(1500))));
        assert_eq!(seconds("-1").unwrap_err(), "must not be negative");
        assert!(seconds("0").is_err());
        assert!(seconds("nan").is_err());
        assert!(seconds("inf").unwrap_err().contains("too long"));
        assert_eq!(
            seconds("1e300").unwrap_err(),
            "1e300 s is too long (at most 1e9 s)"
        );
        // The largest accepted value leaves every deadline computable.
        let Seconds(d) = seconds("1e9").unwrap();
        assert!(std::time::Instant::now().checked_add(d).is_some());
        assert!(d.checked_mul(4).is_some());
    }

    #[test]
    fn rates_are_within_a_sane_range() {
        assert_eq!(rate("1"), Ok(1.0));
        assert_eq!(rate("4e7"), Ok(4e7));
        assert_eq!(rate(" 1e15 "), Ok(1e15));
        for bad in ["0.5", "1e-300", "1e-320", "1e300", "1.1e15", "inf"] {
            assert_eq!(
                rate(bad).unwrap_err(),
                "must be from 1 to 1e15 nonces per second",
                "{bad}"
            );
        }
        for bad in ["0", "-0", "-1", "-inf"] {
            assert_eq!(
                rate(bad).unwrap_err(),
                "must be above 0, from 1 to 1e15 nonces per second",
                "{bad}"
            );
        }
        for bad in ["nan", "NaN", "fast", ""] {
            assert_eq!(
                rate(bad).unwrap_err(),
                "not a number; must be from 1 to 1e15 nonces per second",
                "{bad}"
            );
        }
    }

    #[test]
    fn counts_are_whole_and_not_negative() {
        assert_eq!(whole::<u64>("-1").unwrap_err(), "must not be negative");
        assert_eq!(whole::<u64>("18446744073709551615"), Ok(u64::MAX));
        assert!(whole::<u64>("18446744073709551616").is_err());
        assert_eq!(threads("0").unwrap_err(), "must be at least 1");
        assert!(threads("100000").unwrap_err().contains("16 per core"));
        assert_eq!(threads("1"), Ok(1));
        assert_eq!(
            whole::<u16>("65536").unwrap_err(),
            "out of range: 0 to 65535"
        );
        assert_eq!(
            whole::<u64>("99999999999999999999").unwrap_err(),
            "out of range: 0 to 18446744073709551615"
        );
        assert!(whole::<u16>("1x").unwrap_err().contains("invalid digit"));
    }
}
