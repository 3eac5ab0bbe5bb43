//! `btpow-bench`: a thin command line over the `btpow` library.

#[macro_use]
mod output;

mod args;
mod challenge_input;
mod compare;
#[cfg(feature = "chain")]
mod event_record;
#[cfg(feature = "chain")]
mod metrics;
#[cfg(feature = "chain")]
mod pairs;
#[cfg(feature = "chain")]
mod passwords;
mod peers;
#[cfg(feature = "chain")]
mod record;
#[cfg(feature = "chain")]
mod register;
#[cfg(feature = "chain")]
mod registering;
mod seal;
mod signals;
mod solve;
mod solve_mode;
#[cfg(feature = "chain")]
mod subnets;
#[cfg(feature = "chain")]
mod terminal;
mod verify;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

/// A command's result: `Ok(true)` all good, `Ok(false)` checks failed (exit 1),
/// `Err` bad input or a failure to run (exit 2).
pub type CmdResult = anyhow::Result<bool>;

fn main() -> ExitCode {
    // Before any thread starts (every thread inherits the mask).
    signals::take();
    // The matches too: which flags the command line gave (solve refuses
    // another mode's by name).
    let parsed = args::Cli::command()
        .try_get_matches()
        .and_then(|matches| Ok((args::Cli::from_arg_matches(&matches)?, matches)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => return args::parse_failure(e),
    };
    if !output::stdout_is_open() {
        errln!("error: standard output is closed; nothing could be reported");
        return ExitCode::from(2);
    }
    let result = match cli.command {
        args::Command::Verify(a) => verify::run(&a),
        args::Command::Seal(a) => seal::run(&a),
        args::Command::Solve(a) => match matches.subcommand() {
            Some((_, given)) => solve::run(*a, given),
            None => unreachable!("clap parsed a subcommand"),
        },
        args::Command::Compare(a) => compare::run(&a),
        #[cfg(feature = "chain")]
        args::Command::Subnets(a) => subnets::run(&a),
        #[cfg(not(feature = "chain"))]
        args::Command::Subnets(_) => Err(anyhow::anyhow!(
            "subnets: this build has no chain client (built without the `chain` feature)"
        )),
        args::Command::Engines => {
            for b in btpow::engine::Backend::ALL {
                // A GPU backend says why not, as the engine would (the
                // devices BTPOW_OPENCL_DEVICES names, say, are not there).
                match b.why_unavailable() {
                    Some(why) => outln!(
                        "{:<12} unavailable here: {}",
                        b.name(),
                        output::printable(&why)
                    ),
                    None if b.is_supported() => {
                        outln!("{:<12} available (needs {})", b.name(), b.needs())
                    }
                    None => outln!("{:<12} unsupported here (needs {})", b.name(), b.needs()),
                }
            }
            #[cfg(feature = "opencl")]
            list_opencl_devices();
            Ok(true)
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            errln!("error: {}", output::anyhow_text(&e));
            ExitCode::from(2)
        }
    }
}

/// The OpenCL devices, as `--opencl --devices P:D` names them.
#[cfg(feature = "opencl")]
fn list_opencl_devices() {
    match btpow::engine::opencl::OpenClGpu::devices() {
        Ok(list) if !list.is_empty() => {
            outln!("opencl devices (platform:device, for --opencl --devices):");
            for d in list {
                let kind = if d.gpu {
                    "GPU"
                } else {
                    "not a GPU: used only when named"
                };
                outln!(
                    "  {}  {} ({}; {kind})",
                    d.id,
                    output::printable(&d.name),
                    output::printable(&d.platform)
                );
            }
        }
        Ok(_) => outln!("opencl devices: none"),
        Err(e) => outln!("opencl devices: none ({})", e.with_causes()),
    }
}
