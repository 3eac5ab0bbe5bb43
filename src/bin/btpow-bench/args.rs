//! Every command-line argument of `btpow-bench`, in one place.

use std::path::PathBuf;

use btpow::engine::Order;
use btpow::{Rule, Scheme};
use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "btpow-bench",
    version,
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
    #[arg(long, value_name = "N[,N…]", value_delimiter = ',')]
    pub threads: Vec<usize>,
    /// Nonce order (default: sequential for legacy, high-bytes for v1)
    #[arg(long, value_name = "sequential|high-bytes")]
    pub order: Option<Order>,
    /// Seconds each engine runs
    #[arg(long, default_value_t = 3.0, value_name = "S")]
    pub seconds: f64,
    /// Engines to run, comma-separated (default: every engine this CPU supports)
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub engines: Vec<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also run the Python peers in the same run: pow.py (legacy) and
    /// bittensor-core's pow_mine_cpu (v1), from the vectors' environments
    #[arg(long)]
    pub peers: bool,
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
    /// Check only these engines (default: every engine this machine supports)
    #[arg(
        long = "engine",
        value_name = "NAME",
        env = "BTPOW_ENGINE",
        value_delimiter = ','
    )]
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
    /// The block hash the work is for (32 bytes hex)
    #[arg(long, value_name = "HEX")]
    pub block_hash: Option<String>,
    /// The hotkey being registered (SS58 or hex)
    #[arg(long, value_name = "ACCOUNT")]
    pub hotkey: Option<String>,
    /// v1 only: the coldkey that will sign `pow_register` (SS58 or hex)
    #[arg(long, value_name = "ACCOUNT")]
    pub coldkey: Option<String>,
    /// v1 only: the subnet
    #[arg(long, value_name = "U16")]
    pub netuid: Option<u16>,
}

#[derive(Args, Debug)]
pub struct SealArgs {
    #[command(flatten)]
    pub challenge: ChallengeArgs,
    /// The nonce (decimal)
    #[arg(long)]
    pub nonce: u64,
    /// Judge the seal against this difficulty
    #[arg(long, default_value_t = 1)]
    pub difficulty: u64,
}

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
    /// Difficulty (offline; default: the sample's when solving the sample)
    #[arg(long)]
    pub difficulty: Option<u64>,
    /// Acceptance rule (default: the runtime's, or python for an offline legacy challenge)
    #[arg(long, value_name = "python|chain-be|chain-le|v1")]
    pub rule: Option<Rule>,
    /// First nonce to try (offline; on a chain the start is random)
    #[arg(long, default_value_t = 0)]
    pub start: u64,
    /// Give up after this many seconds
    #[arg(long, value_name = "SECONDS")]
    pub max_time: Option<f64>,
    #[command(flatten)]
    pub run: RunArgs,
    #[command(flatten)]
    pub wallet: WalletArgs,
    #[command(flatten)]
    pub chain: ChainArgs,
}

/// Keys, the btcli way.
#[derive(Args, Debug, Clone)]
pub struct WalletArgs {
    /// Wallet name
    #[arg(long = "wallet.name", value_name = "NAME", default_value = "default")]
    pub wallet_name: String,
    /// Hotkey name within the wallet
    #[arg(long = "wallet.hotkey", value_name = "NAME", default_value = "default")]
    pub wallet_hotkey: String,
    /// Where wallets live
    #[arg(
        long = "wallet.path",
        value_name = "DIR",
        default_value = "~/.bittensor/wallets"
    )]
    pub wallet_path: String,
    /// Test chains: the hotkey from a secret URI (//Alice, a mnemonic) instead of the wallet
    #[arg(long, value_name = "URI")]
    pub hotkey_uri: Option<String>,
    /// Test chains: the coldkey from a secret URI instead of the wallet
    #[arg(long, value_name = "URI")]
    pub coldkey_uri: Option<String>,
}

/// Registering on a chain.
#[derive(Args, Debug, Clone)]
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
    /// Seconds to wait for any one node request
    #[arg(long, default_value_t = 20.0, value_name = "SECONDS")]
    pub rpc_timeout: f64,
    /// Testing: solve for this (past) block instead of the head
    #[arg(long, hide = true, value_name = "BLOCK")]
    pub work_block: Option<u64>,
    /// Testing: submit even when the pre-checks refuse, to see the chain's answer
    #[arg(long, hide = true)]
    pub no_precheck: bool,
    /// Testing: sign with this key instead of the one the scheme requires
    #[arg(long, hide = true, value_name = "hotkey|coldkey")]
    pub signer: Option<String>,
}

/// How to run engines: which one, and on how many threads.
#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// The engine (default: the fastest this CPU supports; `btpow-bench engines` lists them)
    #[arg(long, value_name = "NAME", env = "BTPOW_ENGINE")]
    pub engine: Option<String>,
    /// Worker threads (default: every core; with --cuda, one per GPU)
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Solve on the GPUs with the CUDA engine
    #[arg(long)]
    pub cuda: bool,
    /// GPUs for --cuda, comma-separated ordinals (default: all)
    #[arg(long, value_name = "LIST", value_delimiter = ',', requires = "cuda")]
    pub devices: Vec<usize>,
    /// Nonce order: sequential (the lowest valid nonce), or high-bytes (v1's
    /// midstate order, one compression per nonce; the default for v1)
    #[arg(long, value_name = "sequential|high-bytes")]
    pub order: Option<Order>,
}
