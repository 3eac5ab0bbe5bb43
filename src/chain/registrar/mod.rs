//! Registering a hotkey by proof of work: the state machine.
//!
//! [`Plan::read`] reads the runtime once and decides the scheme, the rule and the
//! signer. A [`Registrar`] then loops until the hotkey is registered: read
//! the head and the subnet; solve for the head on every core; on each new
//! block swap in the new challenge and difficulty; when a seal is found,
//! check the window and the current difficulty exactly as the runtime will,
//! submit it signed by the right key, and confirm the uid on chain. A stale
//! seal or a lost race means: go on with the next block. Whatever a
//! submission's status says, the chain is read again before the attempt is
//! called a failure.
//!
//! It talks to the chain only through [`Node`] and reports progress only
//! through [`Events`], so every branch is unit-tested with a scripted node.
//! A lost connection is retried with backoff (the solver keeps hashing)
//! until [`Backoff::give_up`]; a stop or the deadline ends every state
//! within [`Options::poll`].

use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::admission::{self, Inadmissible};
use super::diagnosis::{PoolCause, Refused};
use super::error::{RegisterError, SubmitError};
use super::events::{Event, Events, RegisterOutcome, Registrant, WaitReason};
use super::model::{Plan, Registration, SubnetState};
use super::node::Node;
use super::options::Options;
use super::retry::{Exit, Link, Step, Stop, StopSolver};
use super::rules::{self, difficulty_of, job_for, registration, Verdict, WindowError};
use super::Head;
use crate::engine::{reference, Solution};
use crate::solver::{Report, SolveOutcome, Solver};
use crate::wallet::Keys;
use crate::{Difficulty, Scheme};

/// A random starting nonce from the operating system's entropy, so that
/// many solvers started at once (containers, coarse clocks) search
/// different nonces.
fn random_start() -> u64 {
    let mut bytes = [0u8; 8];
    match getrandom::getrandom(&mut bytes) {
        Ok(()) => u64::from_le_bytes(bytes),
        // No entropy source at all: any start is as correct as another.
        Err(_) => 0,
    }
}

/// How many blocks after its submission an extrinsic of this run is looked
/// for: beyond its mortality (subxt signs for 32 blocks), with room.
const SEARCH: u64 = 64;

/// One challenge given to the solver.
#[derive(Clone, Copy, Debug)]
struct Attempt {
    head: Head,
    difficulty: Difficulty,
    started: Instant,
}

/// Registers one hotkey on one subnet.
pub struct Registrar<N: Node> {
    link: Link<N>,
    plan: Plan,
    keys: Keys,
    options: Options,
    solver: Arc<Solver>,
    events: Arc<dyn Events>,
    /// What became of this run's last submission.
    last_submission: Option<Registrant>,
    /// This run's extrinsics whose fate the node did not tell, each with
    /// the head it was submitted at.
    unconfirmed: Vec<([u8; 32], u64)>,
    pool_refusals: u32,
}

impl<N: Node> Registrar<N> {
    /// A registrar over `node` for `plan`, solving with `solver`.
    pub fn new(
        node: N,
        plan: Plan,
        keys: Keys,
        options: Options,
        solver: Arc<Solver>,
        events: Arc<dyn Events>,
        stop: Stop,
    ) -> Self {
        let deadline = options.max_time.and_then(|t| Instant::now().checked_add(t));
        let link = Link::new(
            node,
            events.clone(),
            stop,
            deadline,
            options.backoff,
            options.poll,
        );
        Registrar {
            link,
            plan,
            keys,
            options,
            solver,
            events,
            last_submission: None,
            unconfirmed: Vec::new(),
            pool_refusals: 0,
        }
    }

    /// The node, for a caller that wants it back.
    pub fn into_node(self) -> N {
        self.link.node
    }

    /// Registers: asks `confirm` (with the difficulty) once the subnet is
    /// known to accept proof of work and the hotkey is known unregistered,
    /// then solves and submits until the hotkey is registered.
    /// `confirm` may wait for a person: a stop or the deadline ends the
    /// wait.
    pub async fn run(
        &mut self,
        confirm: impl AsyncFnOnce(Difficulty) -> bool,
    ) -> Result<RegisterOutcome, RegisterError> {
        match self.run_inner(confirm).await {
            Ok(outcome) | Err(Exit::Done(outcome)) => Ok(outcome),
            Err(Exit::Fail(e)) => Err(e),
            // Only a pass raises it, and the loop below goes round again.
            Err(Exit::Again) => unreachable!("a changed chain ends only a pass"),
        }
    }

    async fn run_inner(
        &mut self,
        confirm: impl AsyncFnOnce(Difficulty) -> bool,
    ) -> Step<RegisterOutcome> {
        // The runtime's first check, which needs no chain.
        if self.options.precheck && self.plan.netuid == 0 {
            return Err(RegisterError::from(Inadmissible::RootSubnet).into());
        }
        let head = self.link.call(async |n: &mut N| n.head().await).await?;
        let state = self.state(&head).await?;
        if let Some(uid) = state.uid {
            return Ok(RegisterOutcome::Registered {
                uid,
                by: Registrant::Before,
            });
        }
        // No block cures these: watch mode does not wait with them.
        if self.options.wait_for.is_some() {
            self.admissible(&state)?;
        }
        let (head, state) = self.watch(head, state).await?;
        if let Some(uid) = state.uid {
            return Ok(RegisterOutcome::Registered {
                uid,
                by: Registrant::Another,
            });
        }
        if !state.pow_allowed() {
            return Err(self.disabled());
        }
        self.admissible(&state)?;
        self.too_early(&head, &state)?;
        self.interval_open(&head, &state)?;
        let confirmed = tokio::select! {
            yes = confirm(difficulty_of(self.plan.scheme, &state)) => yes,
            outcome = self.link.interrupted() => return Err(Exit::Done(outcome)),
        };
        if !confirmed {
            return Err(RegisterError::NotConfirmed.into());
        }
        loop {
            match self.attempt().await {
                Ok(Some(outcome)) => return Ok(outcome),
                // Registered or limited meanwhile: the next pass reads the chain.
                Ok(None) | Err(Exit::Again) => {}
                Err(exit) => return Err(exit),
            }
        }
    }

    /// One pass: read the chain, solve, check, submit. `None`: go round again.
    async fn attempt(&mut self) -> Step<Option<RegisterOutcome>> {
        let head = self.link.call(async |n: &mut N| n.head().await).await?;
        let state = self.state(&head).await?;
        if state.uid.is_none() && self.options.wait_for.is_some() {
            self.admissible(&state)?;
        }
        let (head, state) = self.watch(head, state).await?;
        if let Some(uid) = state.uid {
            let by = self.find_registrant(&head).await;
            return Ok(Some(RegisterOutcome::Registered { uid, by }));
        }
        if !state.pow_allowed() {
            return Err(self.disabled());
        }
        self.admissible(&state)?;
        if self.block_full(&head, &state).await? || self.work_block_taken(&head, &state).await? {
            return Ok(None);
        }
        self.interval_open(&head, &state)?;
        let (work, work_state) = match self.options.work_block {
            Some(n) if n != head.number => {
                let work = self
                    .link
                    .call(async |node: &mut N| node.block(n).await)
                    .await?;
                let state = self.state(&work).await?;
                (work, state)
            }
            _ => (head, state),
        };
        let (solution, attempt, report) = self.solve(work, &work_state).await?;
        self.events.event(&Event::Solved {
            block: attempt.head,
            solution,
            hashes: report.hashes,
            rate: report.rate(),
        });
        if self.options.dry_run {
            return Ok(Some(RegisterOutcome::Solved {
                block: attempt.head.number,
                solution,
            }));
        }
        let Some(now) = self.still_valid(&attempt, &solution).await? else {
            return Ok(None);
        };
        let registration = registration(&self.plan, &self.keys, &attempt.head, &solution);
        self.submit(&registration, &now).await?;
        Ok(None)
    }

    /// Solves `work` until a solution, swapping in each new head's
    /// challenge; [`Exit::Again`] when the hotkey got registered
    /// meanwhile.
    async fn solve(
        &mut self,
        work: Head,
        work_state: &SubnetState,
    ) -> Step<(Solution, Attempt, Report)> {
        let first = Attempt {
            head: work,
            difficulty: difficulty_of(self.plan.scheme, work_state),
            started: Instant::now(),
        };
        self.events.event(&Event::Challenge {
            block: work,
            difficulty: first.difficulty,
            new_block: false,
        });
        let job = job_for(&self.plan, &self.keys, &work, first.difficulty);
        let attempts = Arc::new(Mutex::new(vec![first]));
        // The run's own handle: a stop sent from here on is never lost.
        let run = self.solver.start(job, random_start())?;
        let control = run.control();
        let _stop_solver = StopSolver(control.clone());
        let mut solving = {
            let (attempts, events) = (attempts.clone(), self.events.clone());
            tokio::task::spawn_blocking(move || {
                run.join(|r| {
                    let a =
                        attempts.lock().unwrap_or_else(|e| e.into_inner())[r.generation as usize];
                    events.event(&Event::Progress {
                        report: r,
                        block: a.head,
                        difficulty: a.difficulty,
                        on_block: a.started.elapsed(),
                    });
                })
            })
        };
        let mut latest = work;
        // Why the solver was stopped, if this side stopped it.
        let mut ending: Option<Exit> = None;
        let report = loop {
            tokio::select! {
                done = &mut solving => break done.map_err(|_| RegisterError::SolverCrashed)??,
                _ = tokio::time::sleep(self.options.poll) => {}
            }
            if ending.is_some() {
                continue; // waiting for the solver to see the stop
            }
            if let Some(outcome) = self.link.interruption() {
                ending = Some(Exit::Done(outcome));
                control.stop();
                continue;
            }
            if self.options.work_block.is_some() {
                continue; // a forced work block never changes
            }
            let now = match self.link.call(async |n: &mut N| n.head().await).await {
                Ok(now) => now,
                Err(exit) => {
                    ending = Some(exit);
                    control.stop();
                    continue;
                }
            };
            if now == latest {
                continue;
            }
            latest = now;
            let state = match self.state(&now).await {
                Ok(s) => s,
                Err(exit) => {
                    ending = Some(exit);
                    control.stop();
                    continue;
                }
            };
            let limited = self.options.precheck
                && rules::interval_full(self.plan.scheme, &state, now.number).is_some();
            if state.uid.is_some() || limited {
                // Registered meanwhile (the next pass says by whom), or the
                // interval filled up (the next pass waits or says so).
                ending = Some(Exit::Again);
                control.stop();
                continue;
            }
            if !state.pow_allowed() {
                ending = Some(self.disabled());
                control.stop();
                continue;
            }
            // The hotkey taken by another coldkey meanwhile, say.
            if let Err(exit) = self.admissible(&state) {
                ending = Some(exit);
                control.stop();
                continue;
            }
            let next = Attempt {
                head: now,
                difficulty: difficulty_of(self.plan.scheme, &state),
                started: Instant::now(),
            };
            let job = job_for(&self.plan, &self.keys, &now, next.difficulty);
            attempts
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(next);
            control.swap(job, random_start());
            self.events.event(&Event::Challenge {
                block: now,
                difficulty: next.difficulty,
                new_block: true,
            });
        };
        // A solve that ends without a solution: its last count (what the
        // solver hashed since its last report), for whoever adds them up.
        if ending.is_some() || !matches!(report.outcome, SolveOutcome::Found { .. }) {
            let a = attempts.lock().unwrap_or_else(|e| e.into_inner())[report.generation as usize];
            self.events.event(&Event::Progress {
                report: &report,
                block: a.head,
                difficulty: a.difficulty,
                on_block: a.started.elapsed(),
            });
        }
        // Whatever the solver found as it was stopped: the run ends, or the
        // hotkey is registered already.
        if let Some(exit) = ending {
            return Err(exit);
        }
        match report.outcome {
            SolveOutcome::Found {
                solution,
                generation,
            } => {
                let attempt =
                    attempts.lock().unwrap_or_else(|e| e.into_inner())[generation as usize];
                Ok((solution, attempt, report))
            }
            SolveOutcome::Exhausted => Err(RegisterError::Exhausted.into()),
            SolveOutcome::Stopped => Err(Exit::Done(RegisterOutcome::Stopped)),
            SolveOutcome::TimedOut => Err(Exit::Done(RegisterOutcome::TimedOut)),
        }
    }

    /// The runtime's window and difficulty checks, against the newest
    /// head: the head to submit at, or `None` (stale: solve the next
    /// block). v1: when the difficulty decays to the seal within the
    /// window, waits for that block.
    async fn still_valid(&mut self, attempt: &Attempt, solution: &Solution) -> Step<Option<Head>> {
        loop {
            let now = self.link.call(async |n: &mut N| n.head().await).await?;
            let state = self.state(&now).await?;
            if state.uid.is_some() {
                return Err(Exit::Again);
            }
            // Say, the hotkey taken by another coldkey since the last block.
            self.admissible(&state)?;
            // The runtime's limits, in its order: this block's, then the
            // interval's. A full block is free at the next, which the seal
            // may still be in time for.
            if self.options.precheck && self.block_full(&now, &state).await? {
                continue;
            }
            if self.options.precheck
                && rules::interval_full(self.plan.scheme, &state, now.number).is_some()
            {
                return Err(Exit::Again);
            }
            // The pool checks the seal against the difficulty of the best
            // block's state when the extrinsic arrives, not when the work
            // block was made.
            let difficulty = difficulty_of(self.plan.scheme, &state);
            let (plan, keys) = (&self.plan, &self.keys);
            let verdict = rules::verdict(
                plan.scheme,
                attempt.head.number,
                now.number,
                state.last_pow_block,
                attempt.difficulty,
                difficulty,
                state.decay(),
                |d| reference::is_valid(&job_for(plan, keys, &attempt.head, d), solution),
            );
            let (reason, window) = match verdict {
                Verdict::Submit => return Ok(Some(now)),
                Verdict::Wait {
                    block,
                    difficulty: then,
                } => {
                    self.events.event(&Event::Waiting(WaitReason::Decay {
                        block: now.number,
                        until: block,
                        difficulty: then,
                        now: difficulty,
                    }));
                    self.link.next_block(&now).await?;
                    continue;
                }
                Verdict::Stale { reason, window } => (reason, window),
            };
            if let Some(refusal) = window {
                if !self.options.precheck {
                    self.events.event(&Event::SubmittingAnyway { refusal });
                    return Ok(Some(now));
                }
                if self.options.work_block.is_some() {
                    return Err(RegisterError::Window(refusal).into());
                }
            }
            self.events.event(&Event::Stale {
                reason: format!("{reason}; solving the next block"),
            });
            return Ok(None);
        }
    }

    /// Submits at `head` and decides from the outcome whether the run goes on.
    async fn submit(&mut self, registration: &Registration, head: &Head) -> Step<()> {
        self.events.event(&Event::Submitted { registration });
        let signer = &self.keys.signer;
        let result = self
            .link
            .once(async |n: &mut N| n.submit(registration, signer).await)
            .await?;
        // A submission whose fate the node did not tell (its status lost,
        // or the connection) may be in a block: `find_registrant` looks for it.
        let fate_unknown = matches!(
            &result,
            Err(SubmitError::Unknown(_)) | Err(SubmitError::Chain(_))
        );
        if let Some(hash) = self.link.node.last_extrinsic().filter(|_| fate_unknown) {
            if !self.unconfirmed.iter().any(|(h, _)| *h == hash) {
                self.unconfirmed.push((hash, head.number));
            }
        }
        let error = match result {
            Ok(block_hash) => {
                self.last_submission = Some(Registrant::Us);
                self.pool_refusals = 0;
                self.events.event(&Event::Included { block_hash });
                return Ok(()); // the next pass confirms the uid on chain
            }
            Err(e) => e,
        };
        self.events.event(&Event::Refused { error: &error });
        // Exploring the chain's answers by hand: every refusal is final.
        let forced =
            self.options.explore || self.options.work_block.is_some() || !self.options.precheck;
        match &error {
            SubmitError::Dispatch { name, .. } if rules::dispatch_error_goes_on(name, forced) => {
                Ok(())
            }
            SubmitError::Dispatch { .. } => Err(RegisterError::Refused(error).into()),
            // The pool's reasons (stale, usurped, dropped, invalid) are
            // words, not types: read the chain again, and give up only
            // when it keeps refusing.
            SubmitError::Pool { .. } => {
                self.pool_refusals += 1;
                // v1: runtime 475's pool runs the registration's own checks
                // and answers only `Invalid(Custom(code))`: the chain, read
                // again, says which check failed and whether a block cures it.
                let cause = match (self.plan.scheme, &error) {
                    (Scheme::V1, SubmitError::Pool { message, .. }) => {
                        Some(self.diagnose(registration, message).await?)
                    }
                    _ => None,
                };
                if let Some(cause) = &cause {
                    self.events.event(&Event::Diagnosed { cause });
                }
                let curable = cause.as_ref().is_none_or(|c| c.next_block_cures());
                if forced || !curable || self.pool_refusals >= self.options.pool_refusals {
                    return Err(match cause {
                        Some(cause) => RegisterError::PoolRefused {
                            cause: Box::new(cause),
                            source: error,
                        },
                        None => RegisterError::Refused(error),
                    }
                    .into());
                }
                self.link.next_block(head).await
            }
            SubmitError::Build(_) => Err(RegisterError::Refused(error).into()),
            // Its status is lost: the chain, read at the next block, tells.
            SubmitError::Unknown(_) => {
                self.last_submission = Some(Registrant::Unknown);
                self.link.next_block(head).await
            }
            SubmitError::Chain(e) if e.is_connection() => {
                // Reconnect through the usual path; the next pass reads the chain.
                self.link
                    .call(async |n: &mut N| n.head().await)
                    .await
                    .map(|_| ())
            }
            SubmitError::Chain(_) => Err(RegisterError::Refused(error).into()),
        }
    }
}

mod gates;
#[cfg(test)]
pub(super) mod scripted;
#[cfg(test)]
mod tests;
