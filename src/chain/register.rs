//! Registering a hotkey by proof of work: the state machine.
//!
//! [`plan`] reads the runtime once and decides the scheme, the rule and the
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

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use subxt_signer::sr25519::Keypair;
use thiserror::Error;

use super::error::{ChainError, SubmitError};
use super::rules::{self, Refusal, Registration, RuntimeFacts, Signer, WindowError};
use super::{Head, SubnetState};
use crate::engine::{reference, Solution};
use crate::job::JobError;
use crate::solver::{Outcome as SolveOutcome, Report, SolveError, Solver};
use crate::target::effective_difficulty;
use crate::wallet::Keys;
use crate::{Challenge, Difficulty, Job, LegacyChallenge, Rule, Scheme, V1Challenge};

/// What the registration needs from a node. [`super::Chain`] is the real
/// one; tests script their own.
// Used only through generics, never as `dyn` and never across threads, so
// the futures need no `Send` bound.
#[allow(async_fn_in_trait)]
pub trait Node {
    /// The endpoint, for messages: credentials redacted.
    fn endpoint(&self) -> &str;
    /// The best block.
    async fn head(&mut self) -> Result<Head, ChainError>;
    /// Block `number` of the best chain.
    async fn block(&mut self, number: u64) -> Result<Head, ChainError>;
    /// What the runtime's metadata says about the registration calls.
    async fn runtime_facts(&mut self, at: &Head) -> Result<RuntimeFacts, ChainError>;
    /// The subnet's registration state for `hotkey`, at `at`.
    async fn subnet_state(
        &mut self,
        at: &Head,
        netuid: u16,
        hotkey: &[u8; 32],
    ) -> Result<SubnetState, ChainError>;
    /// Signs and submits `registration` and waits until it is in a block.
    async fn submit(
        &mut self,
        registration: &Registration,
        signer: &Keypair,
    ) -> Result<[u8; 32], SubmitError>;
    /// Opens a new connection in place of a lost one.
    async fn reconnect(&mut self) -> Result<(), ChainError>;
}

/// Why a registration ended without one.
#[derive(Debug, Error)]
pub enum RegisterError {
    /// The runtime cannot be registered on by proof of work, or the
    /// arguments contradict it.
    #[error(transparent)]
    Refusal(#[from] Refusal),
    /// The subnet does not exist on this chain.
    #[error("subnet {netuid} does not exist on this chain (NetworksAdded is false)")]
    NoSubnet {
        /// The subnet.
        netuid: u16,
    },
    /// The subnet does not allow proof-of-work registration.
    #[error("proof-of-work registration is disabled on subnet {netuid} (NetworkPowRegistrationAllowed is false)")]
    Disabled {
        /// The subnet.
        netuid: u16,
    },
    /// Signing with a key the scheme does not accept.
    #[error("{scheme} registration must be signed by the {required}, not the {given} (the chain would answer {chain_error})")]
    WrongSigner {
        /// The scheme.
        scheme: Scheme,
        /// Who must sign.
        required: Signer,
        /// Who was asked to.
        given: Signer,
        /// What the chain would say.
        chain_error: &'static str,
    },
    /// The user said no at the confirmation.
    #[error("not confirmed")]
    NotConfirmed,
    /// A forced work block (testing) that the window refuses.
    #[error("not submitted: {0}")]
    Window(#[from] WindowError),
    /// The chain refused the registration in a way no next block cures.
    #[error("registration failed")]
    Refused(#[source] SubmitError),
    /// v1: the pool refused the registration, for this cause (read from the
    /// chain after the refusal), and no next block cures it.
    #[error("refused before inclusion: {cause}")]
    PoolRefused {
        /// What the chain says is wrong.
        cause: Box<PoolCause>,
        /// The pool's answer.
        #[source]
        source: SubmitError,
    },
    /// A request the node answered with an error.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The connection stayed lost past [`Backoff::give_up`].
    #[error("the node at {endpoint} is gone: no connection for {} s", .after.as_secs())]
    Gone {
        /// The endpoint.
        endpoint: String,
        /// How long it was tried.
        after: Duration,
        /// The last failure.
        #[source]
        last: ChainError,
    },
    /// The solver's thread ended without an answer (a panic in an engine).
    #[error("the solver stopped unexpectedly")]
    SolverCrashed,
    /// A job could not be built (never for a detected scheme and rule).
    #[error(transparent)]
    Job(#[from] JobError),
    /// The solver failed (an engine error, or a seal the reference rejects).
    #[error(transparent)]
    Solve(#[from] SolveError),
    /// Every nonce from the start to 2^64-1 was searched.
    #[error("the whole nonce space was searched without a solution")]
    Exhausted,
}

/// The scheme, rule and signer for one runtime and subnet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The subnet.
    pub netuid: u16,
    /// The scheme the runtime checks (or the one forced).
    pub scheme: Scheme,
    /// The rule the runtime checks (or the one forced).
    pub rule: Rule,
    /// The key that signs.
    pub signer: Signer,
    /// The runtime's spec version.
    pub spec_version: u32,
    /// The best block when the plan was made.
    pub head: Head,
}

/// Reads the runtime and decides the scheme, rule and signer; `scheme`,
/// `rule` and `signer` override what the runtime says (a signer the
/// scheme does not accept is refused unless `precheck` is off).
pub async fn plan<N: Node>(
    node: &mut N,
    netuid: u16,
    scheme: Option<Scheme>,
    rule: Option<Rule>,
    signer: Option<Signer>,
    precheck: bool,
) -> Result<Plan, RegisterError> {
    let head = node.head().await?;
    let facts = node.runtime_facts(&head).await?;
    let (scheme, rule) = rules::detect(&facts, scheme, rule)?;
    let required = rules::required_signer(scheme);
    let given = signer.unwrap_or(required);
    if given != required && precheck {
        return Err(RegisterError::WrongSigner {
            scheme,
            required,
            given,
            chain_error: match scheme {
                Scheme::Legacy => "TransactorAccountShouldBeHotKey",
                Scheme::V1 => "a bad-signer error",
            },
        });
    }
    Ok(Plan {
        netuid,
        scheme,
        rule,
        signer: given,
        spec_version: facts.spec_version,
        head,
    })
}

/// The difficulty the runtime checks: legacy reads `Difficulty`; v1 clamps
/// it into [MinDifficulty, MaxDifficulty] as the SDK does.
pub fn difficulty_of(scheme: Scheme, s: &SubnetState) -> Difficulty {
    match scheme {
        Scheme::Legacy => Difficulty::new(s.difficulty).unwrap_or(Difficulty::MIN),
        Scheme::V1 => effective_difficulty(Some(s.difficulty), s.min_difficulty, s.max_difficulty),
    }
}

/// The job for `head`'s block hash, the plan's scheme and rule, and `difficulty`.
pub fn job_for(
    plan: &Plan,
    keys: &Keys,
    head: &Head,
    difficulty: Difficulty,
) -> Result<Job, JobError> {
    let challenge = match plan.scheme {
        Scheme::Legacy => Challenge::Legacy(LegacyChallenge::new(head.hash, keys.hotkey)),
        Scheme::V1 => Challenge::V1(V1Challenge::new(
            plan.netuid,
            head.hash,
            keys.hotkey,
            keys.coldkey,
        )),
    };
    Job::new(&challenge, plan.rule, difficulty)
}

/// The registration extrinsic for a solution found for `work`.
pub fn registration(plan: &Plan, keys: &Keys, work: &Head, solution: &Solution) -> Registration {
    match plan.scheme {
        Scheme::Legacy => Registration::Legacy {
            netuid: plan.netuid,
            block_number: work.number,
            nonce: solution.nonce,
            work: solution.seal,
            hotkey: keys.hotkey,
            coldkey: keys.coldkey,
        },
        Scheme::V1 => Registration::V1 {
            netuid: plan.netuid,
            work_block: work.number,
            nonce: solution.nonce,
            work: solution.seal,
            hotkey: keys.hotkey,
        },
    }
}

/// A random starting nonce from the operating system's entropy, so that
/// many solvers started at once (containers, coarse clocks) search
/// different nonces.
pub fn random_start() -> u64 {
    let mut bytes = [0u8; 8];
    match getrandom::getrandom(&mut bytes) {
        Ok(()) => u64::from_le_bytes(bytes),
        // No entropy source at all: any start is as correct as another.
        Err(_) => 0,
    }
}

/// How far ahead watch mode predicts the difficulty's decay: a year of
/// 12-second blocks.
const WATCH_HORIZON: u64 = 365 * 24 * 300;

/// Retrying a lost connection: waits `first`, doubling up to `max`, and
/// gives up when the connection has been lost for `give_up`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// The first wait.
    pub first: Duration,
    /// The longest wait.
    pub max: Duration,
    /// How long a lost connection is retried before the node counts as gone.
    pub give_up: Duration,
}

impl Default for Backoff {
    /// 1, 2, 4, 8, 8, … s; gone after 60 s.
    fn default() -> Self {
        Backoff {
            first: Duration::from_secs(1),
            max: Duration::from_secs(8),
            give_up: Duration::from_secs(60),
        }
    }
}

/// How a [`Registrar`] runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// Testing: solve for this block instead of the head (never changes).
    pub work_block: Option<u64>,
    /// Check the window and difficulty before submitting (off: submit anyway,
    /// to see the chain's answer).
    pub precheck: bool,
    /// Solve, but do not submit.
    pub dry_run: bool,
    /// Give up after this long.
    pub max_time: Option<Duration>,
    /// How often the head is polled while solving.
    pub poll: Duration,
    /// Reconnecting.
    pub backoff: Backoff,
    /// Pool refusals in a row after which the refusal counts as final.
    pub pool_refusals: u32,
    /// Watch mode: instead of refusing, wait (block by block) until the
    /// subnet allows proof-of-work registration and its difficulty is at
    /// most this.
    pub wait_for: Option<Difficulty>,
    /// Exploring the chain's answers (a forced rule, scheme or signer):
    /// every refusal is final, none is retried on the next block. Implied
    /// by `work_block` and by `precheck` off.
    pub explore: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            work_block: None,
            precheck: true,
            dry_run: false,
            max_time: None,
            poll: Duration::from_millis(500),
            backoff: Backoff::default(),
            pool_refusals: 3,
            wait_for: None,
            explore: false,
        }
    }
}

/// Who registered the hotkey, as far as this run can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Registrant {
    /// It was registered before this run began.
    Before,
    /// This run's submission, included with success.
    Us,
    /// Another submission (a lost race).
    Another,
    /// This run submitted, but its status was lost: it may have been either.
    Unknown,
}

/// How a registration run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The hotkey has this uid on the subnet.
    Registered {
        /// Its uid.
        uid: u16,
        /// Whose submission it was.
        by: Registrant,
    },
    /// `--dry-run`: solved for `block`, not submitted.
    Solved {
        /// The work block.
        block: u64,
        /// The solution, verified by the reference.
        solution: Solution,
    },
    /// `max_time` passed.
    TimedOut,
    /// Stopped (Ctrl-C).
    Stopped,
}

/// Why the registrar is waiting instead of solving.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitReason {
    /// `RegistrationsThisBlock` reached `MaxRegistrationsPerBlock`.
    SubnetFull {
        /// The block that is full.
        block: u64,
    },
    /// Watch mode: `NetworkPowRegistrationAllowed` is false.
    PowDisabled {
        /// The block read.
        block: u64,
    },
    /// Watch mode: the difficulty is above the most the user accepts.
    DifficultyAbove {
        /// The block read.
        block: u64,
        /// The subnet's difficulty.
        difficulty: Difficulty,
        /// The most accepted.
        max: Difficulty,
        /// On a runtime whose difficulty decays each block (475): the
        /// first block whose difficulty is at most `max` if nobody
        /// registers meanwhile (`None`: never, at this decay).
        reached_at: Option<u64>,
    },
    /// v1: a seal in hand misses the difficulty now, and meets the one a
    /// later block checks (the difficulty decays each block), inside the
    /// work block's window.
    Decay {
        /// The head now.
        block: u64,
        /// The block to submit at, and its difficulty.
        until: WaitUntil,
    },
}

/// Why runtime 475's pool refused a `pow_register`, as the chain read
/// after the refusal explains it (the pool itself says only
/// `Invalid(Custom(code))`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PoolCause {
    /// `SubnetNotExists` (custom code 3 on runtime 475).
    NoSubnet,
    /// `NonAssociatedColdKey` (custom code 25 on runtime 475): the hotkey
    /// belongs to another coldkey.
    NotOwner,
    /// The hotkey is registered now (a lost race).
    AlreadyRegistered,
    /// Proof-of-work registration is off on the subnet.
    Disabled,
    /// The block's registrations are used up.
    BlockFull,
    /// The work block is out of the window, or not after the hotkey's last
    /// proof-of-work registration.
    Window(WindowError),
    /// The seal is not the one the runtime computes: it binds the coldkey
    /// that signs.
    Seal {
        /// The signer's public key.
        signer: [u8; 32],
        /// The coldkey the seal was made for.
        coldkey: [u8; 32],
    },
    /// The seal misses the difficulty the pool checks now.
    Difficulty(Difficulty),
    /// The work block's hash on the best chain is not the one solved for.
    WorkBlockReplaced(u64),
    /// None of the above: every check passes on the chain as it is now.
    Unknown,
}

impl PoolCause {
    /// Whether solving or submitting at a later block can cure it.
    pub fn next_block_cures(&self) -> bool {
        !matches!(
            self,
            PoolCause::Disabled
                | PoolCause::Seal { .. }
                | PoolCause::NoSubnet
                | PoolCause::NotOwner
        )
    }
}

impl std::fmt::Display for PoolCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::account::ss58_encode;
        match self {
            PoolCause::NoSubnet => f.write_str("the subnet does not exist (SubnetNotExists)"),
            PoolCause::NotOwner => f.write_str(
                "the hotkey belongs to another coldkey (NonAssociatedColdKey); no block cures that",
            ),
            PoolCause::AlreadyRegistered => f.write_str("the hotkey is registered now"),
            PoolCause::Disabled => {
                f.write_str("proof-of-work registration is off on the subnet; no block cures that")
            }
            PoolCause::BlockFull => {
                f.write_str("this block's registrations are used up; the next block may take it")
            }
            PoolCause::Window(why) => write!(f, "{why}; a seal for a newer block cures that"),
            PoolCause::Seal { signer, coldkey } => write!(
                f,
                "the seal binds coldkey {}, but the extrinsic is signed by {}; no block cures that",
                ss58_encode(coldkey),
                ss58_encode(signer)
            ),
            PoolCause::Difficulty(d) => write!(
                f,
                "the seal misses the difficulty the pool checks now ({d}); a new seal, or the decay of later blocks, cures that"
            ),
            PoolCause::WorkBlockReplaced(n) => write!(
                f,
                "block {n} was replaced on the best chain after it was solved for; a seal for a newer block cures that"
            ),
            PoolCause::Unknown => f.write_str(
                "every check passes on the chain as it is now (the chain moved, or the node refused it for another reason)",
            ),
        }
    }
}

/// A later block and the difficulty it checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitUntil {
    /// The head to wait for.
    pub block: u64,
    /// The difficulty then.
    pub difficulty: Difficulty,
    /// The difficulty now.
    pub now: Difficulty,
}

/// What a registration run reports as it goes.
#[derive(Debug)]
pub enum Event<'a> {
    /// Solving for a block (first, or a new head).
    Challenge {
        /// The work block.
        block: Head,
        /// Its difficulty.
        difficulty: Difficulty,
        /// Whether it replaces an earlier block's challenge mid-solve.
        new_block: bool,
    },
    /// The solver's rates, now and then.
    Progress {
        /// The solver's report.
        report: &'a Report,
        /// The block being solved.
        block: Head,
        /// Its difficulty.
        difficulty: Difficulty,
        /// Time spent on this block.
        on_block: Duration,
    },
    /// Not solving, and why.
    Waiting(WaitReason),
    /// A solution (already verified by the reference).
    Solved {
        /// The work block.
        block: Head,
        /// The solution.
        solution: Solution,
        /// Nonces hashed over the whole solve.
        hashes: u64,
        /// Nonces per second.
        rate: f64,
    },
    /// A solution the runtime would refuse now; solving the next block.
    Stale {
        /// Why.
        reason: String,
    },
    /// The pre-check refuses, and `precheck` is off: submitting anyway.
    SubmittingAnyway {
        /// What the pre-check says.
        refusal: WindowError,
    },
    /// Submitting.
    Submitted {
        /// The extrinsic.
        registration: &'a Registration,
    },
    /// In a block, with success.
    Included {
        /// That block's hash.
        block_hash: [u8; 32],
    },
    /// A submission that did not succeed; what follows says whether the run goes on.
    Refused {
        /// Why.
        error: &'a SubmitError,
    },
    /// v1: why the pool refused the last submission, read from the chain.
    Diagnosed {
        /// The cause.
        cause: &'a PoolCause,
    },
    /// The connection is lost; retrying after `delay`.
    Reconnecting {
        /// The failure.
        error: &'a ChainError,
        /// The wait before the next try.
        delay: Duration,
    },
    /// The connection is back.
    Reconnected {
        /// How long it was lost.
        after: Duration,
    },
}

/// Where events go. Called from the solver's thread too.
pub trait Events: Send + Sync {
    /// One event.
    fn event(&self, event: &Event<'_>);
}

/// A stop request, set from anywhere (a Ctrl-C handler).
#[derive(Clone, Debug, Default)]
pub struct Stop(Arc<AtomicBool>);

impl Stop {
    /// Asks the run to end with [`Outcome::Stopped`].
    pub fn stop(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether a stop was asked for.
    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// Resolves once a stop is asked for (checked every 20 ms).
    pub async fn stopped(&self) {
        while !self.is_stopped() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Ends the run early: with an outcome, or an error.
enum Halt {
    Done(Outcome),
    Fail(RegisterError),
}

impl<E: Into<RegisterError>> From<E> for Halt {
    fn from(e: E) -> Self {
        Halt::Fail(e.into())
    }
}

type Step<T> = Result<T, Halt>;

/// What to do with a seal found for an earlier block.
enum Verdict {
    /// Submit it at this head.
    Submit(Head),
    /// Wait: the runtime would take it at a later block.
    Wait {
        /// The head now.
        now: Head,
        /// Until when.
        until: WaitUntil,
    },
    /// The runtime would refuse it: solve the next block.
    Stale,
}

/// A seal solved for `d` meets any difficulty up to `d` (each rule's
/// threshold only grows as the difficulty falls).
fn d_at_most(solved_for: Difficulty, now: Difficulty) -> bool {
    now <= solved_for
}

/// Why the registrar stopped its solver.
enum Ending {
    /// The hotkey got registered meanwhile.
    Registered,
    /// The run ends.
    Halt(Halt),
}

/// One challenge given to the solver.
#[derive(Clone, Copy, Debug)]
struct Attempt {
    head: Head,
    difficulty: Difficulty,
    started: Instant,
}

/// Stops the solver when dropped, so that no early return leaves it hashing.
struct StopSolver(crate::solver::Control);

impl Drop for StopSolver {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// Registers one hotkey on one subnet.
pub struct Registrar<N: Node> {
    node: N,
    plan: Plan,
    keys: Keys,
    options: Options,
    solver: Arc<Solver>,
    events: Arc<dyn Events>,
    stop: Stop,
    deadline: Option<Instant>,
    /// What became of this run's last submission.
    last_submission: Option<Registrant>,
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
        Registrar {
            node,
            plan,
            keys,
            options,
            solver,
            events,
            stop,
            deadline,
            last_submission: None,
            pool_refusals: 0,
        }
    }

    /// The node, for a caller that wants it back.
    pub fn into_node(self) -> N {
        self.node
    }

    /// Registers: asks `confirm` (with the difficulty) once the subnet is
    /// known to accept proof of work and the hotkey is known unregistered,
    /// then solves and submits until the hotkey is registered.
    /// `confirm` may wait for a person: a stop or the deadline ends the
    /// wait.
    pub async fn run(
        &mut self,
        confirm: impl AsyncFnOnce(Difficulty) -> bool,
    ) -> Result<Outcome, RegisterError> {
        match self.run_inner(confirm).await {
            Ok(outcome) | Err(Halt::Done(outcome)) => Ok(outcome),
            Err(Halt::Fail(e)) => Err(e),
        }
    }

    async fn run_inner(&mut self, confirm: impl AsyncFnOnce(Difficulty) -> bool) -> Step<Outcome> {
        let head = self.call(async |n: &mut N| n.head().await).await?;
        let state = self.state(&head).await?;
        if let Some(uid) = state.uid {
            return Ok(Outcome::Registered {
                uid,
                by: Registrant::Before,
            });
        }
        let state = self.watch(head, state).await?;
        if let Some(uid) = state.uid {
            return Ok(Outcome::Registered {
                uid,
                by: Registrant::Another,
            });
        }
        if !state.pow_allowed {
            return Err(self.disabled());
        }
        let confirmed = tokio::select! {
            yes = confirm(difficulty_of(self.plan.scheme, &state)) => yes,
            outcome = interrupted(&self.stop, self.deadline) => return Err(Halt::Done(outcome)),
        };
        if !confirmed {
            return Err(RegisterError::NotConfirmed.into());
        }
        loop {
            if let Some(outcome) = self.attempt().await? {
                return Ok(outcome);
            }
        }
    }

    /// One pass: read the chain, solve, check, submit. `None`: go round again.
    async fn attempt(&mut self) -> Step<Option<Outcome>> {
        let head = self.call(async |n: &mut N| n.head().await).await?;
        let state = self.state(&head).await?;
        let state = self.watch(head, state).await?;
        if let Some(uid) = state.uid {
            let by = self.last_submission.unwrap_or(Registrant::Another);
            return Ok(Some(Outcome::Registered { uid, by }));
        }
        if !state.pow_allowed {
            return Err(self.disabled());
        }
        if state.registrations_this_block >= state.max_registrations_per_block {
            self.events.event(&Event::Waiting(WaitReason::SubnetFull {
                block: head.number,
            }));
            self.next_block(&head).await?;
            return Ok(None);
        }
        let (work, work_state) = match self.options.work_block {
            Some(n) if n != head.number => {
                let work = self.call(async |node: &mut N| node.block(n).await).await?;
                let state = self.state(&work).await?;
                (work, state)
            }
            _ => (head, state),
        };
        let Some((solution, attempt, report)) = self.solve(work, &work_state).await? else {
            return Ok(None); // registered meanwhile: the next pass says by whom
        };
        self.events.event(&Event::Solved {
            block: attempt.head,
            solution,
            hashes: report.hashes,
            rate: report.rate(),
        });
        if self.options.dry_run {
            return Ok(Some(Outcome::Solved {
                block: attempt.head.number,
                solution,
            }));
        }
        let now = loop {
            match self.still_valid(&attempt, &solution).await? {
                Verdict::Submit(now) => break now,
                Verdict::Stale => return Ok(None),
                // v1: the seal meets the difficulty a later block checks,
                // inside the window: wait for that block.
                Verdict::Wait { now, until } => {
                    self.events.event(&Event::Waiting(WaitReason::Decay {
                        block: now.number,
                        until,
                    }));
                    self.next_block(&now).await?;
                }
            }
        };
        let registration = registration(&self.plan, &self.keys, &attempt.head, &solution);
        self.submit(&registration, &now).await?;
        Ok(None)
    }

    /// Solves `work` until a solution, swapping in each new head's
    /// challenge. `None` when the hotkey got registered meanwhile.
    async fn solve(
        &mut self,
        work: Head,
        work_state: &SubnetState,
    ) -> Step<Option<(Solution, Attempt, Report)>> {
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
        let job = job_for(&self.plan, &self.keys, &work, first.difficulty)?;
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
        let mut ending: Option<Ending> = None;
        let report = loop {
            tokio::select! {
                done = &mut solving => break done.map_err(|_| RegisterError::SolverCrashed)??,
                _ = tokio::time::sleep(self.options.poll) => {}
            }
            if ending.is_some() {
                continue; // waiting for the solver to see the stop
            }
            if let Some(outcome) = self.interruption() {
                ending = Some(Ending::Halt(Halt::Done(outcome)));
                control.stop();
                continue;
            }
            if self.options.work_block.is_some() {
                continue; // a forced work block never changes
            }
            let now = match self.call(async |n: &mut N| n.head().await).await {
                Ok(now) => now,
                Err(halt) => {
                    ending = Some(Ending::Halt(halt));
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
                Err(halt) => {
                    ending = Some(Ending::Halt(halt));
                    control.stop();
                    continue;
                }
            };
            if state.uid.is_some() {
                // Registered meanwhile (by someone): the next pass says so.
                ending = Some(Ending::Registered);
                control.stop();
                continue;
            }
            if !state.pow_allowed {
                ending = Some(Ending::Halt(self.disabled()));
                control.stop();
                continue;
            }
            let next = Attempt {
                head: now,
                difficulty: difficulty_of(self.plan.scheme, &state),
                started: Instant::now(),
            };
            let job = job_for(&self.plan, &self.keys, &now, next.difficulty)?;
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
        // Whatever the solver found as it was stopped: the run ends, or the
        // hotkey is registered already.
        match ending {
            Some(Ending::Registered) => return Ok(None),
            Some(Ending::Halt(halt)) => return Err(halt),
            None => {}
        }
        match report.outcome {
            SolveOutcome::Found {
                solution,
                generation,
            } => {
                let attempt =
                    attempts.lock().unwrap_or_else(|e| e.into_inner())[generation as usize];
                Ok(Some((solution, attempt, report)))
            }
            SolveOutcome::Exhausted => Err(RegisterError::Exhausted.into()),
            SolveOutcome::Stopped => Err(Halt::Done(Outcome::Stopped)),
            SolveOutcome::TimedOut => Err(Halt::Done(Outcome::TimedOut)),
        }
    }

    /// The runtime's window and difficulty checks, against the newest head:
    /// submit now, wait (v1: the difficulty decays to the seal within the
    /// window), or stale (solve the next block).
    async fn still_valid(&mut self, attempt: &Attempt, solution: &Solution) -> Step<Verdict> {
        let now = self.call(async |n: &mut N| n.head().await).await?;
        let state = self.state(&now).await?;
        let window_at = |head: u64| match self.plan.scheme {
            Scheme::Legacy => rules::legacy_window(attempt.head.number, head),
            Scheme::V1 => rules::v1_window(attempt.head.number, head, state.last_pow_block),
        };
        let window = window_at(now.number);
        // The pool checks the seal against the difficulty of the best
        // block's state when the extrinsic arrives, not when the work block
        // was made.
        let difficulty = difficulty_of(self.plan.scheme, &state);
        let meets = |d: Difficulty| -> Result<bool, JobError> {
            if d == attempt.difficulty {
                return Ok(true);
            }
            let job = job_for(&self.plan, &self.keys, &attempt.head, d)?;
            Ok(reference::is_valid(&job, solution))
        };
        let meets_now = d_at_most(attempt.difficulty, difficulty) || meets(difficulty)?;
        let refusal = match &window {
            Err(why) => Some((why.to_string(), Some(why.clone()))),
            Ok(()) if !meets_now => {
                // v1 on a decaying runtime: the first later block, still
                // inside the window, whose difficulty the seal meets.
                if let (Scheme::V1, Some(decay)) = (self.plan.scheme, state.decay()) {
                    for k in 1..=rules::V1_MAX_WORK_AGE {
                        let Some(head) = now.number.checked_add(k) else {
                            break;
                        };
                        if window_at(head).is_err() {
                            break;
                        }
                        let later = Difficulty::new(decay.after(k)).unwrap_or(Difficulty::MIN);
                        if meets(later)? {
                            return Ok(Verdict::Wait {
                                now,
                                until: WaitUntil {
                                    block: head,
                                    difficulty: later,
                                    now: difficulty,
                                },
                            });
                        }
                    }
                }
                Some((
                    format!(
                        "the difficulty is now {difficulty} (was {}), and the seal misses it",
                        attempt.difficulty
                    ),
                    None,
                ))
            }
            Ok(()) => None,
        };
        let Some((reason, window_error)) = refusal else {
            return Ok(Verdict::Submit(now));
        };
        if !self.options.precheck {
            if let Some(refusal) = window_error {
                self.events.event(&Event::SubmittingAnyway { refusal });
                return Ok(Verdict::Submit(now));
            }
        }
        if self.options.work_block.is_some() {
            if let Some(why) = window_error {
                return Err(RegisterError::Window(why).into());
            }
        }
        self.events.event(&Event::Stale {
            reason: format!("{reason}; solving the next block"),
        });
        Ok(Verdict::Stale)
    }

    /// Submits at `head` and decides from the outcome whether the run goes on.
    async fn submit(&mut self, registration: &Registration, head: &Head) -> Step<()> {
        self.events.event(&Event::Submitted { registration });
        let signer = &self.keys.signer;
        let result = tokio::select! {
            r = self.node.submit(registration, signer) => r,
            outcome = interrupted(&self.stop, self.deadline) => return Err(Halt::Done(outcome)),
        };
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
            SubmitError::Dispatch { name, .. } => match name.as_str() {
                // Lost the race: the next pass reads who registered it.
                "HotKeyAlreadyRegisteredInSubNet" => Ok(()),
                // Lost the window, or the block's registrations, or the
                // difficulty rose: the next block.
                "InvalidWorkBlock"
                | "TooManyRegistrationsThisBlock"
                | "InvalidDifficulty"
                | "InvalidSeal"
                    if !forced =>
                {
                    Ok(())
                }
                _ => Err(RegisterError::Refused(error).into()),
            },
            // The pool's reasons (stale, usurped, dropped, invalid) are
            // words, not types: read the chain again, and give up only
            // when it keeps refusing.
            SubmitError::Pool(_) => {
                self.pool_refusals += 1;
                // v1: runtime 475's pool runs the registration's own checks
                // and answers only `Invalid(Custom(code))`: the chain, read
                // again, says which check failed and whether a block cures it.
                let cause = match (self.plan.scheme, &error) {
                    (Scheme::V1, SubmitError::Pool(message)) => {
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
                self.next_block(head).await
            }
            SubmitError::Build(_) => Err(RegisterError::Refused(error).into()),
            // Its status is lost: the chain, read at the next block, tells.
            SubmitError::Unknown(_) => {
                self.last_submission = Some(Registrant::Unknown);
                self.next_block(head).await
            }
            SubmitError::Chain(e) if e.is_connection() => {
                // Reconnect through the usual path; the next pass reads the chain.
                self.call(async |n: &mut N| n.head().await)
                    .await
                    .map(|_| ())
            }
            SubmitError::Chain(_) => Err(RegisterError::Refused(error).into()),
        }
    }

    /// Why runtime 475's pool would refuse `registration` (a v1 one), read
    /// from the chain now: the checks of `check_pow_registration`, in its
    /// order, on the state of the best block.
    async fn diagnose(&mut self, registration: &Registration, message: &str) -> Step<PoolCause> {
        // The two refusals 475's pool names by their own code.
        match rules::pool_custom_code(message) {
            Some(3) => return Ok(PoolCause::NoSubnet),
            Some(25) => return Ok(PoolCause::NotOwner),
            _ => {}
        }
        let Registration::V1 {
            netuid,
            work_block,
            nonce,
            work,
            hotkey,
        } = *registration
        else {
            return Ok(PoolCause::Unknown);
        };
        let head = self.call(async |n: &mut N| n.head().await).await?;
        let state = self.state(&head).await?;
        if !state.pow_allowed {
            return Ok(PoolCause::Disabled);
        }
        if state.uid.is_some() {
            return Ok(PoolCause::AlreadyRegistered);
        }
        if state.registrations_this_block >= state.max_registrations_per_block {
            return Ok(PoolCause::BlockFull);
        }
        if let Err(why) = rules::v1_window(work_block, head.number, state.last_pow_block) {
            return Ok(PoolCause::Window(why));
        }
        // The seal as the runtime computes it: from the work block's hash
        // and the coldkey that signed.
        let signer = self.keys.signer.public_key().0;
        let work_head = self
            .call(async |n: &mut N| n.block(work_block).await)
            .await?;
        let challenge = Challenge::V1(V1Challenge::new(netuid, work_head.hash, hotkey, signer));
        let d = difficulty_of(self.plan.scheme, &state);
        let job = Job::new(&challenge, Rule::V1, d)?;
        let seal = reference::seal(&job, nonce);
        if seal != work {
            // Signed by the coldkey the seal binds: the work block's hash
            // changed under it (a reorganisation), which a new seal cures.
            if signer == self.keys.coldkey {
                return Ok(PoolCause::WorkBlockReplaced(work_block));
            }
            return Ok(PoolCause::Seal {
                signer,
                coldkey: self.keys.coldkey,
            });
        }
        if !job.target().meets(&seal) {
            return Ok(PoolCause::Difficulty(d));
        }
        Ok(PoolCause::Unknown)
    }

    /// Watch mode: waits block by block while the subnet refuses proof of
    /// work or asks more than `wait_for`, saying why; returns the state that
    /// ends the wait (or, without watch mode, `state` as it is).
    async fn watch(&mut self, mut head: Head, mut state: SubnetState) -> Step<SubnetState> {
        let Some(max) = self.options.wait_for else {
            return Ok(state);
        };
        loop {
            let difficulty = difficulty_of(self.plan.scheme, &state);
            let reason = if state.uid.is_some() {
                return Ok(state);
            } else if !state.pow_allowed {
                WaitReason::PowDisabled { block: head.number }
            } else if difficulty > max {
                let reached_at = match (self.plan.scheme, state.decay()) {
                    (Scheme::V1, Some(decay)) => decay
                        .blocks_until(max.get(), WATCH_HORIZON)
                        .and_then(|k| head.number.checked_add(k)),
                    _ => None,
                };
                WaitReason::DifficultyAbove {
                    block: head.number,
                    difficulty,
                    max,
                    reached_at,
                }
            } else {
                return Ok(state);
            };
            self.events.event(&Event::Waiting(reason));
            self.next_block(&head).await?;
            head = self.call(async |n: &mut N| n.head().await).await?;
            state = self.state(&head).await?;
        }
    }

    /// Waits until the head moves past `head`.
    async fn next_block(&mut self, head: &Head) -> Step<()> {
        loop {
            self.pause(self.options.poll).await?;
            let now = self.call(async |n: &mut N| n.head().await).await?;
            if now.number > head.number || (now.number == head.number && now.hash != head.hash) {
                return Ok(());
            }
        }
    }

    /// The subnet's state at `at`; a subnet that does not exist ends the
    /// run (no block will make it, so watch mode does not wait for one).
    async fn state(&mut self, at: &Head) -> Step<SubnetState> {
        let (netuid, hotkey) = (self.plan.netuid, self.keys.hotkey);
        let state = self
            .call(async |n: &mut N| n.subnet_state(at, netuid, &hotkey).await)
            .await?;
        if state.missing {
            return Err(RegisterError::NoSubnet { netuid }.into());
        }
        Ok(state)
    }

    fn disabled(&self) -> Halt {
        RegisterError::Disabled {
            netuid: self.plan.netuid,
        }
        .into()
    }

    /// A stop or the deadline, if either has come.
    fn interruption(&self) -> Option<Outcome> {
        if self.stop.is_stopped() {
            Some(Outcome::Stopped)
        } else if self.deadline.is_some_and(|d| Instant::now() >= d) {
            Some(Outcome::TimedOut)
        } else {
            None
        }
    }

    /// Sleeps `d`, or less if a stop or the deadline comes first.
    async fn pause(&self, d: Duration) -> Step<()> {
        tokio::select! {
            _ = tokio::time::sleep(d) => Ok(()),
            outcome = interrupted(&self.stop, self.deadline) => Err(Halt::Done(outcome)),
        }
    }

    /// One node request, retried through reconnects with backoff while the
    /// connection is lost, and cut short by a stop or the deadline.
    async fn call<T, F>(&mut self, mut request: F) -> Step<T>
    where
        F: AsyncFnMut(&mut N) -> Result<T, ChainError>,
    {
        let mut lost: Option<Instant> = None;
        let mut delay = self.options.backoff.first;
        loop {
            let result = tokio::select! {
                r = request(&mut self.node) => r,
                outcome = interrupted(&self.stop, self.deadline) => return Err(Halt::Done(outcome)),
            };
            let error = match result {
                Ok(value) => {
                    if let Some(since) = lost {
                        self.events.event(&Event::Reconnected {
                            after: since.elapsed(),
                        });
                    }
                    return Ok(value);
                }
                Err(e) if e.is_connection() => e,
                Err(e) => return Err(e.into()),
            };
            let since = *lost.get_or_insert_with(Instant::now);
            let after = since.elapsed();
            if after >= self.options.backoff.give_up {
                return Err(RegisterError::Gone {
                    endpoint: self.node.endpoint().to_string(),
                    after,
                    last: error,
                }
                .into());
            }
            let delay_now = delay.min(self.options.backoff.give_up - after);
            self.events.event(&Event::Reconnecting {
                error: &error,
                delay: delay_now,
            });
            self.pause(delay_now).await?;
            delay = (delay.saturating_mul(2)).min(self.options.backoff.max);
            // A failed reconnect shows as the next request's failure.
            tokio::select! {
                _ = self.node.reconnect() => {}
                outcome = interrupted(&self.stop, self.deadline) => return Err(Halt::Done(outcome)),
            }
        }
    }
}

/// Resolves when a stop is asked for or the deadline passes.
pub async fn interrupted(stop: &Stop, deadline: Option<Instant>) -> Outcome {
    let Some(deadline) = deadline else {
        stop.stopped().await;
        return Outcome::Stopped;
    };
    tokio::select! {
        _ = stop.stopped() => Outcome::Stopped,
        _ = tokio::time::sleep_until(deadline.into()) => Outcome::TimedOut,
    }
}

#[cfg(test)]
#[path = "register_tests.rs"]
mod tests;
