//! `solve`'s two modes, each with its own arguments: `--offline` solves a
//! given challenge (or the embedded sample), `--endpoint` registers on a
//! chain. A flag of the other mode is refused, named as clap knows it,
//! rather than silently ignored.

use anyhow::{bail, Result};
use btpow::Rule;
use clap::parser::ValueSource;
use clap::{ArgMatches, Args};

use crate::args::{
    ChainArgs, ChallengeArgs, ChallengeParts, EventFormat, OfflineArgs, RunArgs, Seconds,
    SolveArgs, WalletArgs,
};

/// What `solve` was asked to do.
pub enum SolveMode {
    /// `--offline`.
    Offline(Box<OfflineSolve>),
    /// `--endpoint`.
    #[cfg(feature = "chain")]
    Chain(Box<ChainSolve>),
}

/// `solve --offline`: the challenge and the search.
pub struct OfflineSolve {
    /// The challenge, if one is given (the sample's scheme otherwise).
    pub challenge: ChallengeArgs,
    /// The difficulty and the first nonce.
    pub search: OfflineArgs,
    pub rule: Option<Rule>,
    pub max_time: Option<Seconds>,
    pub run: RunArgs,
}

/// `solve --endpoint`: the node, the subnet, the keys and how to register.
#[cfg(feature = "chain")]
pub struct ChainSolve {
    pub endpoint: String,
    /// Every subnet, in the order given (at least one, none twice).
    pub netuids: Vec<u16>,
    /// A forced scheme (testing); the runtime's otherwise.
    pub scheme: Option<btpow::Scheme>,
    pub rule: Option<Rule>,
    pub max_time: Option<Seconds>,
    pub run: RunArgs,
    pub wallet: WalletArgs,
    pub chain: ChainArgs,
}

impl SolveArgs {
    /// The mode these arguments ask for, with only its own flags; `given`
    /// is what clap parsed for `solve` (which flags the command line gave).
    pub fn into_mode(self, given: &ArgMatches) -> Result<SolveMode> {
        let mut flags = SolveArgs::augment_args(clap::Command::new("solve"));
        flags.build();
        let Some(endpoint) = self.endpoint else {
            if self.chain.format == EventFormat::Json {
                bail!(
                    "--format json is for registering on a chain (--endpoint); --offline prints \
                     the solution as text"
                );
            }
            let chain_only = [ChainArgs::group_id(), WalletArgs::group_id()];
            if let Some(flag) = first_given(&flags, given, &chain_only) {
                bail!(
                    "{flag} is for registering on a chain (--endpoint); --offline solves the \
                     challenge given with --block-hash, --hotkey, --coldkey and --netuid"
                );
            }
            return Ok(SolveMode::Offline(Box::new(OfflineSolve {
                challenge: self.challenge,
                search: self.search,
                rule: self.rule,
                max_time: self.max_time,
                run: self.run,
            })));
        };
        // There the block, the difficulty and the keys come from the node
        // and the wallet, and the start is random.
        let offline_only = [ChallengeParts::group_id(), OfflineArgs::group_id()];
        if let Some(flag) = first_given(&flags, given, &offline_only) {
            bail!(
                "{flag} is for --offline; on a chain the block and its difficulty come from the \
                 node, the keys from the wallet (--wallet.*, --hotkey-uri, --coldkey-uri), and \
                 the start is random"
            );
        }
        #[cfg(not(feature = "chain"))]
        {
            let _ = endpoint;
            bail!(
                "this build has no chain support (built without the `chain` feature); \
                 --endpoint cannot be used"
            );
        }
        #[cfg(feature = "chain")]
        {
            let netuids = self.challenge.netuid;
            if netuids.is_empty() {
                bail!("--netuid is required with --endpoint");
            }
            if let Some(twice) = first_repeated(&netuids) {
                bail!("--netuid names subnet {twice} twice");
            }
            Ok(SolveMode::Chain(Box::new(ChainSolve {
                endpoint,
                netuids,
                scheme: self.challenge.scheme,
                rule: self.rule,
                max_time: self.max_time,
                run: self.run,
                wallet: self.wallet,
                chain: self.chain,
            })))
        }
    }
}

/// The first value that `values` holds twice.
#[cfg(feature = "chain")]
pub fn first_repeated<T: PartialEq>(values: &[T]) -> Option<&T> {
    values
        .iter()
        .enumerate()
        .find(|&(i, v)| values[..i].contains(v))
        .map(|(_, v)| v)
}

/// The first flag of `groups` (clap's groups of the argument structs, in
/// the order `solve --help` lists them) that the command line gave, as
/// `--name`. A flag given its default value (`--format text`) asks for
/// nothing another mode lacks, and does not count.
fn first_given(
    flags: &clap::Command,
    given: &ArgMatches,
    groups: &[Option<clap::Id>],
) -> Option<String> {
    let wanted = |g: &&clap::ArgGroup| groups.iter().flatten().any(|id| id == g.get_id());
    flags
        .get_groups()
        .filter(wanted)
        .flat_map(|g| g.get_args())
        .filter_map(|id| flags.get_arguments().find(|a| a.get_id() == id))
        .find(|arg| {
            let id = arg.get_id().as_str();
            let from_command_line = given.value_source(id) == Some(ValueSource::CommandLine);
            let default = arg.get_default_values();
            let as_default = given
                .get_raw(id)
                .is_some_and(|raw| raw.eq(default.iter().map(|d| d.as_os_str())));
            from_command_line && !as_default
        })
        .map(|arg| format!("--{}", arg.get_long().unwrap_or(arg.get_id().as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, FromArgMatches};

    /// The mode of `solve ARGS`, or its refusal in words.
    fn mode(args: &[&str]) -> Result<SolveMode, String> {
        let line = ["btpow-bench", "solve"].iter().chain(args);
        let matches = crate::args::Cli::command()
            .try_get_matches_from(line)
            .map_err(|e| e.to_string())?;
        let cli = crate::args::Cli::from_arg_matches(&matches).map_err(|e| e.to_string())?;
        let (crate::args::Command::Solve(args), Some((_, given))) =
            (cli.command, matches.subcommand())
        else {
            return Err("not solve".into());
        };
        args.into_mode(given).map_err(|e| e.to_string())
    }

    fn refusal(args: &[&str]) -> String {
        match mode(args) {
            Ok(_) => panic!("{args:?} accepted"),
            Err(e) => e,
        }
    }

    #[test]
    fn each_mode_refuses_the_others_flags_by_their_names() {
        assert!(matches!(mode(&["--offline"]), Ok(SolveMode::Offline(_))));
        // A chain flag given its default asks for nothing.
        assert!(matches!(
            mode(&["--offline", "--format", "text"]),
            Ok(SolveMode::Offline(_))
        ));
        for (flag, named) in [
            ("-y", "--yes"),
            (
                "--allow-dev-keys-anyone-can-sign",
                "--allow-dev-keys-anyone-can-sign",
            ),
            ("--no-precheck", "--no-precheck"),
        ] {
            let e = refusal(&["--offline", flag]);
            assert!(
                e.starts_with(&format!("{named} is for registering on a chain")),
                "{e}"
            );
        }
        let e = refusal(&["--offline", "--format", "json"]);
        assert!(
            e.starts_with("--format json is for registering on a chain"),
            "{e}"
        );
        let chain = ["--endpoint", "ws://127.0.0.1:9", "--netuid", "1"];
        for (flag, value) in [("--block-hash", "00"), ("--coldkey", "x"), ("--start", "1")] {
            let e = refusal(&[&chain[..], &[flag, value]].concat());
            assert!(e.starts_with(&format!("{flag} is for --offline;")), "{e}");
        }
        #[cfg(feature = "chain")]
        {
            assert!(matches!(mode(&chain), Ok(SolveMode::Chain(c)) if c.netuids == [1]));
            let e = refusal(&chain[..2]);
            assert_eq!(e, "--netuid is required with --endpoint");
        }
    }
}
