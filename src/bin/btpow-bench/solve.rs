//! `btpow-bench solve`: its mode chosen (`solve_mode`); `--offline` finds a
//! valid nonce for a given challenge, or for an embedded sample when none
//! is given (`--endpoint` registers: `register`).

use std::io::IsTerminal;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use btpow::engine::gpu::{self, Gpus};
use btpow::engine::{Engine, Order};
use btpow::hex::{decode_array, encode};
use btpow::solver::{EngineChoice, Request, SettingsError};
use btpow::solver::{Report, SolveOptions, SolveOutcome, Solver};
use btpow::{Challenge, Difficulty, Job, LegacyChallenge, Rule, Scheme, V1Challenge};

use crate::args::SolveArgs;
use crate::solve_mode::{OfflineSolve, SolveMode};
use crate::CmdResult;

/// The embedded samples' block hash; hotkey and coldkey are the well-known
/// development accounts Alice and Bob. Public test values only.
const SAMPLE_BLOCK_HASH: &str = "5c0d1176a568c1f92944340dbfed9e9c530ebca703c85910e7164cb7d1c9e47b";
const ALICE: &str = "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";
const BOB: &str = "8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48";
const SAMPLE_NETUID: u16 = 1;
/// About a million nonces expected: seconds on one core with any engine.
const SAMPLE_DIFFICULTY: u64 = 1_000_000;

fn sample(scheme: Scheme) -> Challenge {
    let block_hash = decode_array(SAMPLE_BLOCK_HASH).expect("valid constant");
    let alice = decode_array(ALICE).expect("valid constant");
    let bob = decode_array(BOB).expect("valid constant");
    match scheme {
        Scheme::Legacy => Challenge::Legacy(LegacyChallenge::new(block_hash, alice)),
        Scheme::V1 => Challenge::V1(V1Challenge::new(SAMPLE_NETUID, block_hash, alice, bob)),
    }
}

pub fn run(args: SolveArgs, given: &clap::ArgMatches) -> CmdResult {
    match args.into_mode(given)? {
        SolveMode::Offline(args) => offline(&args),
        #[cfg(feature = "chain")]
        SolveMode::Chain(args) => crate::register::run(&args),
    }
}

fn offline(args: &OfflineSolve) -> CmdResult {
    let (challenge, difficulty, origin) = if args.challenge.any_given() {
        let difficulty = args
            .search
            .difficulty
            .context("--difficulty is required with a given challenge")?;
        (args.challenge.challenge()?, difficulty, "given")
    } else {
        let scheme = args.challenge.scheme.unwrap_or(Scheme::V1);
        let difficulty = args.search.difficulty.unwrap_or(SAMPLE_DIFFICULTY);
        (sample(scheme), difficulty, "embedded sample")
    };
    let rule = args.rule.unwrap_or(Rule::default_for(challenge.scheme()));
    let job_difficulty = Difficulty::new(difficulty)?;
    let job = Job::new(&challenge, rule, job_difficulty)?;
    let order = args.run.order.unwrap_or(Order::fastest(challenge.scheme()));
    let start = args.search.start.unwrap_or(0);
    let (engine, mut options) = args.run.solver_setup(order)?;
    options.max_time = args.max_time.map(|s| s.0);

    outln!("challenge  {origin} ({} scheme)", challenge.scheme());
    describe(&challenge);
    outln!("target     rule {rule}, difficulty {difficulty}");
    outln!(
        "engine     {} on {} threads, {} order from nonce {}",
        engine.name(),
        options.threads,
        order.name(),
        start
    );

    let solver = Solver::new(engine, options);
    let run = solver.start(job, start)?;
    let control = run.control();
    // A stop signal ends the search cleanly: the rate so far is still
    // reported.
    crate::signals::on_stop(move || control.stop());
    let live = std::io::stderr().is_terminal();
    let report = run.join(|r| {
        if live {
            show_progress(r, job_difficulty);
        }
    })?;
    if live {
        crate::output::err_part(format_args!("\r\x1b[2K"));
    }
    let rate = format!(
        "{} nonces in {:.3} s: {:.0} nonces/s",
        report.hashes,
        report.elapsed.as_secs_f64(),
        report.rate()
    );
    match report.outcome {
        SolveOutcome::Found { solution: s, .. } => {
            outln!("nonce      {}", s.nonce);
            outln!("seal       {}", encode(&s.seal));
            outln!("verified   by the reference engine");
            outln!("rate       {rate}");
            Ok(true)
        }
        SolveOutcome::TimedOut => {
            outln!("no solution within --max-time ({rate})");
            Ok(false)
        }
        SolveOutcome::Exhausted => {
            outln!("no solution between nonce {start} and 2^64-1 ({rate})");
            Ok(false)
        }
        SolveOutcome::Stopped => {
            outln!("stopped ({rate})");
            Ok(false)
        }
    }
}

fn describe(challenge: &Challenge) {
    match challenge {
        Challenge::Legacy(c) => {
            outln!("block      {}", encode(&c.block_hash));
            outln!("hotkey     {}", encode(&c.hotkey));
        }
        Challenge::V1(c) => {
            outln!("netuid     {}", c.netuid);
            outln!("block      {}", encode(&c.block_hash));
            outln!("hotkey     {}", encode(&c.hotkey));
            outln!("coldkey    {}", encode(&c.coldkey));
        }
    }
}

/// One status line, rewritten in place: rates, work done, and the chance
/// that a solution would have been found by now.
fn show_progress(r: &Report, difficulty: Difficulty) {
    let chance = difficulty.chance_within(r.hashes as f64);
    crate::output::err_part(format_args!(
        "\r\x1b[2K{:.2} M nonces/s (EWMA), {:.2} M/s overall, {} nonces in {:.1} s, {:.0}% chance by now",
        r.recent_rate() / 1e6,
        r.overall_rate() / 1e6,
        r.hashes,
        r.elapsed.as_secs_f64(),
        100.0 * chance
    ));
}

impl crate::args::RunArgs {
    /// The engine and solver options these arguments ask for: the named
    /// engine or the fastest CPU engine on every core, or with `--cuda` the
    /// GPUs, one solver thread each, with chunks a GPU launch can fill.
    pub fn solver_setup(&self, order: Order) -> Result<(Arc<dyn Engine>, SolveOptions)> {
        let gpu = gpu_flag(self.cuda, self.opencl);
        crate::args::devices_need_gpu(&self.devices, gpu)?;
        // --engine, or else BTPOW_ENGINE: a message names the one given.
        let named = crate::args::named_engine(&self.engine)?;
        let from_env = named.as_ref().and_then(|(_, var)| *var);
        let engine = match (named, gpu) {
            (Some((name, Some(var))), Some(flag)) => bail!(
                "{flag} and {var}={name:?} are exclusive: {var} names a CPU engine; unset it to \
                 solve with {flag}"
            ),
            (Some(_), Some(flag)) => bail!("{flag} and --engine are exclusive"),
            (Some((name, _)), None) => EngineChoice::Named(name),
            (None, Some(_)) => engine_choice(self.cuda, &self.devices)?,
            (None, None) => EngineChoice::Fastest,
        };
        let request = Request {
            engine,
            threads: self.threads,
            max_time: None,
            order,
        };
        let chosen = request.engine_and_options();
        chosen.map_err(|e| match (e, gpu, from_env) {
            (SettingsError::Gpu(m), Some(flag), _) => anyhow::anyhow!("{flag}: {m}"),
            (SettingsError::Engine(e), _, Some(var)) => {
                anyhow::anyhow!("{var} (set in the environment): {e}")
            }
            (e, _, _) => e.into(),
        })
    }
}

/// `--cuda` or `--opencl`, whichever was given.
pub fn gpu_flag(cuda: bool, opencl: bool) -> Option<&'static str> {
    match (cuda, opencl) {
        (true, _) => Some("--cuda"),
        (false, true) => Some("--opencl"),
        (false, false) => None,
    }
}

/// The GPU engine `--cuda` (ordinals) or `--opencl` (platform:device)
/// asks for, on the devices `--devices` names.
fn engine_choice(cuda: bool, devices: &[String]) -> Result<EngineChoice> {
    if cuda {
        let ordinals = devices
            .iter()
            .map(|d| {
                crate::args::whole::<usize>(d).map_err(|e| anyhow::anyhow!("--devices {d:?}: {e}"))
            })
            .collect::<Result<_>>()?;
        return Ok(EngineChoice::Gpus(ordinals));
    }
    #[cfg(feature = "opencl")]
    {
        use btpow::engine::opencl::{OpenClError, OpenClGpu};
        let named: Vec<_> = devices
            .iter()
            .map(|d| d.parse().map_err(|e| anyhow::anyhow!("--devices: {e}")))
            .collect::<Result<_>>()?;
        // The devices the engine will take, chosen before it opens them: a
        // choice that fails is said in this command's words.
        if let Err(e) = OpenClGpu::select(&named) {
            let advice = match &e {
                OpenClError::NoGpu { others } if !others.is_empty() => {
                    "; name one with --devices P:D (`btpow-bench engines` lists them)"
                }
                OpenClError::BadDevice { .. } => " (`btpow-bench engines` lists them)",
                _ => "",
            };
            bail!("--opencl: {}{advice}", e.with_causes());
        }
        Ok(EngineChoice::OpenCl(named))
    }
    #[cfg(not(feature = "opencl"))]
    bail!("--opencl: this build has no OpenCL support (built without the `opencl` feature)")
}

/// The GPUs `--cuda` or `--opencl` runs on (`--devices`, or every GPU),
/// and one solver thread for each.
pub fn open_gpus(cuda: bool, devices: &[String]) -> Result<(Arc<dyn Engine>, usize)> {
    let flag = gpu_flag(cuda, !cuda).unwrap_or("--cuda");
    let gpus = match engine_choice(cuda, devices)? {
        EngineChoice::Gpus(ordinals) => Gpus::Cuda(ordinals),
        #[cfg(feature = "opencl")]
        EngineChoice::OpenCl(named) => Gpus::OpenCl(named),
        _ => unreachable!("engine_choice gives a GPU engine"),
    };
    let (engine, count) =
        gpu::open(&gpus).map_err(|e| anyhow::anyhow!("{flag}: {}", e.with_causes()))?;
    Ok((engine.into(), count))
}
