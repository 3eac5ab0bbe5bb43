//! Registering several (hotkey, subnet) pairs in one run: one connection,
//! one solver, one [`Registrar`] after another, in the order of
//! [`cheapest_first`].
//!
//! Before the first turn every pair is read once: a pair already
//! registered is reported and skipped, so running the same pairs again
//! resumes with no local state. Before each turn the chain is read again
//! (another process, or the subnet's decay and bumps, may have moved it)
//! and the cheapest pair left goes next. A pair the runtime refuses
//! (another coldkey owns the hotkey, the subnet is closed, …) ends with
//! its error and the run goes on with the others; what no pair can get
//! past (the node gone, the runtime not registrable, the solver broken, a
//! declined confirmation) ends the run, as do a stop and the deadline,
//! and the pairs not reached are reported as left.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::difficulty::Decay;
use super::error::RegisterError;
use super::events::{Event, Events, RegisterOutcome, Registrant, WaitReason};
use super::model::{Head, Plan, SubnetState};
use super::node::Node;
use super::options::Options;
use super::registrar::Registrar;
use super::retry::{Exit, Link, Stop};
use super::rules::difficulty_of;
use super::schedule::{cheapest_first, SubnetNow, Turn};
use crate::solver::Solver;
use crate::wallet::Keys;
use crate::{Difficulty, Scheme};

#[cfg(test)]
mod tests;

/// Seconds a block takes, for the schedule's prediction.
const BLOCK_SECONDS: f64 = 12.0;

/// One (hotkey, subnet) pair to register.
#[derive(Debug)]
pub struct Pair {
    /// The subnet.
    pub netuid: u16,
    /// The hotkey, its coldkey and the key that signs.
    pub keys: Keys,
}

/// A pair's name in events: its subnet and hotkey.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PairId {
    /// The subnet.
    pub netuid: u16,
    /// The hotkey.
    pub hotkey: [u8; 32],
}

impl Pair {
    /// Its name in events.
    pub fn id(&self) -> PairId {
        PairId {
            netuid: self.netuid,
            hotkey: self.keys.hotkey,
        }
    }
}

/// How a pair ended.
#[derive(Debug)]
#[non_exhaustive]
pub enum PairEnd {
    /// The hotkey has this uid on the subnet.
    Registered {
        /// Its uid.
        uid: u16,
        /// Whose submission it was ([`Registrant::Before`]: registered
        /// before this run, or by another process before its turn).
        by: Registrant,
    },
    /// A dry run: solved for `block`, not submitted.
    Solved {
        /// The work block.
        block: u64,
    },
    /// The runtime refuses it, or its registration failed: the run went on.
    Failed(RegisterError),
    /// Not registered: the run was stopped, ran out of time, or ended on
    /// another pair's error first.
    Left,
}

/// What became of one pair.
#[derive(Debug)]
pub struct PairReport {
    /// The pair.
    pub pair: PairId,
    /// How it ended.
    pub end: PairEnd,
    /// The best block when it ended (`None`: never reached).
    pub block: Option<u64>,
    /// Time spent on its turn.
    pub spent: Duration,
    /// Nonces hashed on its turn.
    pub hashes: u64,
}

impl PairReport {
    /// Registered (by anyone), or solved in a dry run.
    pub fn done(&self) -> bool {
        matches!(
            self.end,
            PairEnd::Registered { .. } | PairEnd::Solved { .. }
        )
    }
}

/// How a run of several pairs ended: every pair's report, in the order
/// the pairs ended, and the error that ended the run early, if one did.
#[derive(Debug)]
pub struct Ended {
    /// Every pair, once.
    pub reports: Vec<PairReport>,
    /// What ended the run before its pairs did (the node gone, …); the
    /// pairs not reached are [`PairEnd::Left`].
    pub error: Option<RegisterError>,
}

/// Where a run of several pairs reports: each registrar's events, named by
/// pair, and the run's own milestones. Called from the solver's thread too.
pub trait PairEvents: Send + Sync {
    /// One of `pair`'s registrar's events; `None`: the run's own (a
    /// reconnection while reading the pairs between turns).
    fn event(&self, pair: Option<PairId>, event: &Event<'_>);
    /// The order predicted now for the pairs left (`turns[i].pair` indexes
    /// `pairs`), at `rate` nonces/s (`None`: not measured yet).
    fn schedule(&self, pairs: &[PairId], turns: &[Turn], rate: Option<f64>);
    /// `pair`'s turn begins, its subnet at `difficulty`.
    fn turn(&self, pair: PairId, difficulty: Difficulty);
    /// A pair ended (one already registered is reported before any turn).
    fn ended(&self, report: &PairReport);
}

/// One pair's registrar's events: named by the pair, its nonces counted.
struct Tally {
    pair: PairId,
    to: Arc<dyn PairEvents>,
    /// Nonces of the solves that ended.
    done: AtomicU64,
    /// Nonces of the solve in progress, as last reported.
    running: AtomicU64,
    /// The last report's rate over its whole solve (f64 bits; 0: none).
    rate: AtomicU64,
}

impl Tally {
    fn hashes(&self) -> u64 {
        self.done.load(Ordering::Relaxed) + self.running.load(Ordering::Relaxed)
    }

    /// Nonces per second while solving, as the solver last reported.
    fn rate(&self) -> Option<f64> {
        let rate = f64::from_bits(self.rate.load(Ordering::Relaxed));
        (rate > 0.0).then_some(rate)
    }
}

impl Events for Tally {
    fn event(&self, event: &Event<'_>) {
        match event {
            // A solve begins (a new block mid-solve is the same solve).
            Event::Challenge {
                new_block: false, ..
            } => {
                let last = self.running.swap(0, Ordering::Relaxed);
                self.done.fetch_add(last, Ordering::Relaxed);
            }
            Event::Progress { report, .. } => {
                self.running.store(report.hashes, Ordering::Relaxed);
                let rate = report.overall_rate();
                if rate.is_finite() && rate > 0.0 {
                    self.rate.store(rate.to_bits(), Ordering::Relaxed);
                }
            }
            Event::Solved { hashes, .. } => {
                self.running.store(0, Ordering::Relaxed);
                self.done.fetch_add(*hashes, Ordering::Relaxed);
            }
            _ => {}
        }
        self.to.event(Some(self.pair), event);
    }
}

/// The subnet as the schedule sees it, from its state now.
fn subnet_now(scheme: Scheme, state: &SubnetState) -> SubnetNow {
    // Runtime 475 (a `BurnHalfLife` item): a half-life of 0 still clamps
    // and bumps.
    let decay = state.half_life().map(|half_life| Decay {
        stored: state.difficulty(),
        min: state.subnet.min_difficulty.unwrap_or(1),
        max: state.subnet.max_difficulty.unwrap_or(u64::MAX),
        half_life,
    });
    SubnetNow {
        netuid: state.subnet.netuid,
        difficulty: difficulty_of(scheme, state).get(),
        decay,
        bump: decay.and(state.subnet.increase_mult),
        open: !state.missing && state.pow_allowed(),
    }
}

/// Registers every pair not yet registered, cheapest first.
pub struct Campaign<N: Node> {
    node: N,
    plan: Plan,
    pairs: Vec<Pair>,
    options: Options,
    solver: Arc<Solver>,
    events: Arc<dyn PairEvents>,
    stop: Stop,
}

impl<N: Node> Campaign<N> {
    /// A run over `node` registering `pairs` under `plan` (its scheme,
    /// rule and signer; its subnet is each pair's), solving with `solver`.
    pub fn new(
        node: N,
        plan: Plan,
        pairs: Vec<Pair>,
        options: Options,
        solver: Arc<Solver>,
        events: Arc<dyn PairEvents>,
        stop: Stop,
    ) -> Self {
        Campaign {
            node,
            plan,
            pairs,
            options,
            solver,
            events,
            stop,
        }
    }

    /// Runs every pair to its end; `confirm` is asked (with the pair and
    /// its difficulty) before each solve, as [`Registrar::run`] asks.
    pub async fn run(mut self, confirm: impl AsyncFn(PairId, Difficulty) -> bool) -> Ended {
        let deadline = self
            .options
            .max_time
            .and_then(|t| Instant::now().checked_add(t));
        let mut reports = Vec::new();
        let mut left: Vec<Pair> = std::mem::take(&mut self.pairs);
        let mut first = true;
        let mut rate: Option<f64> = None;
        while !left.is_empty() {
            // Read every pair left, and say at once those registered.
            let read = match self.read(&left, deadline).await {
                Ok(read) => read,
                Err(exit) => return self.end(reports, left, None, failure(exit)),
            };
            let (head, states) = read;
            let mut keep = Vec::new();
            let mut keep_states = Vec::new();
            for (pair, state) in left.into_iter().zip(states) {
                match state.uid {
                    Some(uid) => {
                        let report = PairReport {
                            pair: pair.id(),
                            end: PairEnd::Registered {
                                uid,
                                by: Registrant::Before,
                            },
                            block: Some(head.number),
                            spent: Duration::ZERO,
                            hashes: 0,
                        };
                        self.events.ended(&report);
                        reports.push(report);
                    }
                    None => {
                        keep.push(pair);
                        keep_states.push(state);
                    }
                }
            }
            left = keep;
            if left.is_empty() {
                break;
            }
            let turns = self.order(&left, &keep_states, rate);
            let ids: Vec<PairId> = left.iter().map(Pair::id).collect();
            if first || rate.is_some() {
                self.events.schedule(&ids, &turns, rate);
                first = false;
            }
            // Watch mode: no pair ready now. One block, and all are read
            // again (another pair may be ready first).
            let first_state = &keep_states[turns[0].pair];
            // (A subnet that does not exist is the registrar's to refuse.)
            if self.options.wait_for.is_some()
                && turns[0].in_blocks != Some(0)
                && !first_state.missing
            {
                let now = match first_state.pow_allowed() {
                    true => Some(difficulty_of(self.plan.scheme, first_state)),
                    false => None,
                };
                if let Err(exit) = self
                    .wait_a_block(&head, ids[turns[0].pair], now, &turns[0], deadline)
                    .await
                {
                    return self.end(reports, left, Some(head.number), failure(exit));
                }
                continue;
            }
            let pair = left.remove(turns[0].pair);
            let state = keep_states.remove(turns[0].pair);
            let started = Instant::now();
            let (outcome, tally) = self.turn(&pair, &state, deadline, &confirm).await;
            let (spent, hashes) = (started.elapsed(), tally.hashes());
            rate = tally.rate().or(rate);
            let block = self.head_now(deadline).await;
            let report = |end| PairReport {
                pair: pair.id(),
                end,
                block,
                spent,
                hashes,
            };
            let ended = match outcome {
                Ok(RegisterOutcome::Registered { uid, by }) => {
                    report(PairEnd::Registered { uid, by })
                }
                Ok(RegisterOutcome::Solved { block, .. }) => report(PairEnd::Solved { block }),
                Err(e) if !ends_the_run(&e) => report(PairEnd::Failed(e)),
                // Stopped, out of time, or an error no pair gets past: this
                // pair and the rest are left.
                ending => {
                    let r = report(PairEnd::Left);
                    self.events.ended(&r);
                    reports.push(r);
                    return self.end(reports, left, block, ending.err());
                }
            };
            self.events.ended(&ended);
            reports.push(ended);
        }
        Ended {
            reports,
            error: None,
        }
    }

    /// The pairs `left` reported as left, and the run's end.
    fn end(
        &self,
        mut reports: Vec<PairReport>,
        left: Vec<Pair>,
        block: Option<u64>,
        error: Option<RegisterError>,
    ) -> Ended {
        for pair in left {
            let r = PairReport {
                pair: pair.id(),
                end: PairEnd::Left,
                block,
                spent: Duration::ZERO,
                hashes: 0,
            };
            self.events.ended(&r);
            reports.push(r);
        }
        Ended { reports, error }
    }

    /// The node behind the retrying link, for the run's own reads between
    /// turns (their events unnamed).
    fn link(&mut self, deadline: Option<Instant>) -> Link<&mut N> {
        Link::new(
            &mut self.node,
            Arc::new(Unnamed(self.events.clone())),
            self.stop.clone(),
            deadline,
            self.options.backoff,
            self.options.poll,
        )
    }

    /// The head and each pair's state at it, through the retrying link.
    async fn read(
        &mut self,
        pairs: &[Pair],
        deadline: Option<Instant>,
    ) -> Result<(Head, Vec<SubnetState>), Exit> {
        let scheme = self.plan.scheme;
        let mut link = self.link(deadline);
        if let Some(outcome) = link.interruption() {
            return Err(Exit::Done(outcome));
        }
        let head = link.call(async |n: &mut &mut N| n.head().await).await?;
        let mut states = Vec::with_capacity(pairs.len());
        for pair in pairs {
            let (netuid, hotkey) = (pair.netuid, pair.keys.hotkey);
            let coldkey = (scheme == Scheme::V1).then_some(pair.keys.coldkey);
            let mut state = link
                .call(async |n: &mut &mut N| {
                    n.subnet_state(&head, netuid, &hotkey, coldkey.as_ref())
                        .await
                })
                .await?;
            state.subnet.netuid = netuid;
            states.push(state);
        }
        Ok((head, states))
    }

    /// The best block, if the node says before a stop or the deadline (for
    /// a report).
    async fn head_now(&mut self, deadline: Option<Instant>) -> Option<u64> {
        if self.stop.is_stopped() || deadline.is_some_and(|d| Instant::now() >= d) {
            return None;
        }
        tokio::select! {
            head = self.node.head() => head.ok().map(|h| h.number),
            _ = self.stop.interrupted(deadline) => None,
        }
    }

    /// Watch mode with no pair ready: says why for the pair ready first
    /// (its subnet's `difficulty`, or `None` when it is closed), and waits
    /// for the next block.
    async fn wait_a_block(
        &mut self,
        head: &Head,
        pair: PairId,
        difficulty: Option<Difficulty>,
        turn: &Turn,
        deadline: Option<Instant>,
    ) -> Result<(), Exit> {
        let Some(max) = self.options.wait_for else {
            return Ok(());
        };
        // `None`: the subnet takes no proof of work now.
        let why = match difficulty {
            Some(difficulty) => WaitReason::DifficultyAbove {
                block: head.number,
                difficulty,
                max,
                reached_at: turn.in_blocks.map(|b| head.number.saturating_add(b)),
            },
            None => WaitReason::PowDisabled { block: head.number },
        };
        self.events.event(Some(pair), &Event::Waiting(why));
        self.link(deadline).next_block(head).await
    }

    /// The order for the pairs `left`, whose states are `states`.
    fn order(&self, left: &[Pair], states: &[SubnetState], rate: Option<f64>) -> Vec<Turn> {
        let mut subnets: Vec<SubnetNow> = Vec::new();
        for state in states {
            if !subnets.iter().any(|s| s.netuid == state.subnet.netuid) {
                subnets.push(subnet_now(self.plan.scheme, state));
            }
        }
        let netuids: Vec<u16> = left.iter().map(|p| p.netuid).collect();
        // A solve is expected to take `difficulty` nonces.
        let blocks_for = |difficulty: u64| match rate {
            Some(rate) if rate > 0.0 => (difficulty as f64 / rate / BLOCK_SECONDS).ceil() as u64,
            _ => 1,
        };
        let max = self.options.wait_for.map(Difficulty::get);
        cheapest_first(&subnets, &netuids, blocks_for, max)
    }

    /// One pair's turn: its registrar, run to its end.
    async fn turn(
        &mut self,
        pair: &Pair,
        state: &SubnetState,
        deadline: Option<Instant>,
        confirm: &impl AsyncFn(PairId, Difficulty) -> bool,
    ) -> (Result<RegisterOutcome, RegisterError>, Arc<Tally>) {
        let id = pair.id();
        self.events.turn(id, difficulty_of(self.plan.scheme, state));
        let tally = Arc::new(Tally {
            pair: id,
            to: self.events.clone(),
            done: AtomicU64::new(0),
            running: AtomicU64::new(0),
            rate: AtomicU64::new(0),
        });
        let mut options = self.options.clone();
        options.max_time = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let plan = Plan {
            netuid: pair.netuid,
            ..self.plan
        };
        let keys = pair.keys.clone();
        let mut registrar = Registrar::new(
            &mut self.node,
            plan,
            keys,
            options,
            self.solver.clone(),
            tally.clone(),
            self.stop.clone(),
        );
        let outcome = registrar
            .run(async |difficulty| confirm(id, difficulty).await)
            .await;
        (outcome, tally)
    }
}

/// The error a step left the run with, if it failed (a stop or the
/// deadline is no error).
fn failure(exit: Exit) -> Option<RegisterError> {
    match exit {
        Exit::Fail(e) => Some(e),
        _ => None,
    }
}

/// Whether `error` ends the whole run, not only its pair: no other pair
/// can get past it.
fn ends_the_run(error: &RegisterError) -> bool {
    matches!(
        error,
        RegisterError::Refusal(_)
            | RegisterError::Chain(_)
            | RegisterError::Gone { .. }
            | RegisterError::SolverCrashed
            | RegisterError::Solve(_)
            | RegisterError::NotConfirmed
    )
}

/// Events of the run's own reads (reconnecting), relayed unnamed.
struct Unnamed(Arc<dyn PairEvents>);

impl Events for Unnamed {
    fn event(&self, event: &Event<'_>) {
        self.0.event(None, event);
    }
}
