//! The scripted node the registrar's tests run against: a [`World`] the
//! tests set up and change from the event stream (the chain moves while the
//! registrar solves), a [`Scripted`] node over it, runtime 475's pool and
//! dispatch modelled in `judge_v1`, and the helpers that run a registrar on
//! it.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use subxt_signer::sr25519::Keypair;

use super::*;
use crate::chain::error::ChainError;
use crate::chain::model::{RuntimeFacts, SubnetFacts};
use crate::chain::retry::Backoff;
use crate::engine::reference::Reference;
use crate::solver::SolveOptions;
use crate::wallet::Signer;
use crate::{Challenge, Job, Rule, V1Challenge};
pub(in crate::chain) fn block(n: u64) -> Head {
    let mut hash = [0u8; 32];
    hash[..8].copy_from_slice(&n.to_le_bytes());
    hash[31] = 0xb0;
    Head { number: n, hash }
}

/// What `submit` does next.
pub(super) enum Submit {
    /// Included with success: the hotkey gets uid 7.
    Include,
    /// Never answers: the status of the submission never comes.
    Hang,
    /// Fails with this error; `other_registers`: someone else's
    /// registration lands meanwhile (uid 9).
    Fail(fn() -> SubmitError, bool),
    /// Its status lost; `Some((k, ok))`: in the block `k` after the head,
    /// with success (uid 7) or failed (another's registration first: uid
    /// 9); `None`: in no block, and another's registration lands (uid 9).
    Lost(Option<(u64, bool)>),
}

pub(super) struct World {
    pub(super) head: Head,
    pub(super) state: SubnetState,
    /// Requests that fail as a lost connection, from now on.
    pub(super) lose: u32,
    /// Every request fails as a lost connection, and so does reconnecting.
    pub(super) gone: bool,
    pub(super) submits: VecDeque<Submit>,
    pub(super) submitted: Vec<Registration>,
    pub(super) reconnects: u32,
    /// Event names in order (progress left out).
    pub(super) log: Vec<String>,
    /// Counters the hooks use.
    pub(super) solved: u32,
    pub(super) progress: u32,
    /// Runtime 475 (v1): `pow_register`, the pool judging each submission
    /// as `check_pow_registration` does, the difficulty decaying each block
    /// and bumped by each registration. Otherwise spec 218 (legacy).
    pub(super) v1: bool,
    /// `BurnIncreaseMult` (U64F64 bits).
    pub(super) mult: u128,
    /// The heads at which submissions arrived.
    pub(super) submitted_at: Vec<u64>,
    /// Extrinsics in blocks: (block, hash, succeeded).
    pub(super) in_blocks: Vec<(u64, [u8; 32], bool)>,
    /// Reading a block's extrinsics fails.
    pub(super) blocks_unreadable: bool,
}

impl World {
    pub(super) fn new(difficulty: u64) -> Arc<Mutex<World>> {
        Arc::new(Mutex::new(World {
            head: block(100),
            state: SubnetState {
                subnet: SubnetFacts {
                    difficulty: Some(difficulty),
                    pow_allowed: Some(true),
                    max_registrations_per_block: Some(3),
                    ..SubnetFacts::default()
                },
                ..SubnetState::default()
            },
            lose: 0,
            gone: false,
            submits: VecDeque::new(),
            submitted: Vec::new(),
            reconnects: 0,
            log: Vec::new(),
            solved: 0,
            progress: 0,
            v1: false,
            mult: (1u128 << 64) + (1u128 << 62), // 1.25
            submitted_at: Vec::new(),
            in_blocks: Vec::new(),
            blocks_unreadable: false,
        }))
    }

    /// Runtime 475 with the difficulty decaying with `half_life`.
    pub(super) fn v1(difficulty: u64, half_life: u16) -> Arc<Mutex<World>> {
        let world = World::new(difficulty);
        {
            let mut w = world.lock().unwrap();
            w.v1 = true;
            w.state.subnet.min_difficulty = Some(1);
            w.state.subnet.max_difficulty = Some(u64::MAX >> 2);
            w.state.subnet.half_life = Some(u64::from(half_life));
        }
        world
    }

    pub(super) fn advance(&mut self, blocks: u64) {
        self.head = block(self.head.number + blocks);
        if self.v1 {
            // Each block's on_initialize: the decay, and a fresh count.
            if let Some(decay) = self.state.decay() {
                self.state.subnet.difficulty = Some(decay.stored_after(blocks));
            }
            self.state.subnet.registrations_this_block = Some(0);
        }
    }

    /// Runtime 475's pool and dispatch for a `pow_register` signed by
    /// `signer`, in `check_pow_registration`'s order; a refusal is the
    /// pool's (it runs the same checks before admission).
    pub(super) fn judge_v1(
        &mut self,
        r: &Registration,
        signer: [u8; 32],
    ) -> Result<[u8; 32], SubmitError> {
        let Registration::V1 {
            netuid,
            work_block,
            nonce,
            work,
            hotkey,
        } = *r
        else {
            return Err(SubmitError::Dispatch {
                pallet: "SubtensorModule".into(),
                name: "CallNotInThisRuntime".into(),
            });
        };
        // As runtime 475's pool words every one of these: BadRequest.
        let refuse = |_why: &str| {
            Err(SubmitError::Pool {
                message: "Invalid Transaction: \"Custom error: 255\"".into(),
                meaning: None,
            })
        };
        let s = &self.state;
        if netuid == 0
            || s.uid.is_some()
            || !s.pow_allowed()
            || s.max_allowed_uids() == Some(0)
            || s.registrations_this_block() >= s.max_registrations_per_block()
        {
            return refuse("root, registered, off, no slots, or full");
        }
        if rules::v1_window(work_block, self.head.number, s.last_pow_block).is_err() {
            return refuse("InvalidWorkBlock");
        }
        let d = difficulty_of(Scheme::V1, s);
        let c = Challenge::V1(V1Challenge::new(
            netuid,
            block(work_block).hash,
            hotkey,
            signer,
        ));
        let job = Job::new(&c, Rule::V1, d).unwrap();
        let seal = crate::engine::reference::seal(&job, nonce);
        if seal != work {
            return refuse("InvalidSeal");
        }
        if !job.target().meets(&seal) {
            return refuse("InvalidDifficulty");
        }
        match admission::check(Scheme::V1, netuid, &hotkey, &signer, s) {
            // The one of these 475's pool words by its own code.
            Err(Inadmissible::NotOwner { .. }) => {
                return Err(SubmitError::Pool {
                    message: "Invalid Transaction: \"Custom error: 25\"".into(),
                    meaning: None,
                })
            }
            Err(_) => return refuse("system account or hotkey cap"),
            Ok(()) => {}
        }
        let bumped = s.decay().map(|d| d.bumped(self.mult));
        self.state.uid = Some(7);
        self.state.last_pow_block = Some(work_block);
        *self.state.subnet.registrations_this_block.get_or_insert(0) += 1;
        if let Some(b) = bumped {
            self.state.subnet.difficulty = Some(b);
        }
        Ok([0xcc; 32])
    }
}

/// The hash of this run's `n`th extrinsic.
pub(super) fn this_runs_extrinsic(n: usize) -> [u8; 32] {
    [u8::try_from(n).unwrap(); 32]
}

pub(super) struct Scripted(pub(super) Arc<Mutex<World>>);

impl Scripted {
    pub(super) fn request(&self) -> Result<std::sync::MutexGuard<'_, World>, ChainError> {
        let mut w = self.0.lock().unwrap();
        if w.gone || w.lose > 0 {
            w.lose = w.lose.saturating_sub(1);
            return Err(ChainError::Disconnected {
                what: "scripted",
                source: "connection reset by the script".into(),
            });
        }
        Ok(w)
    }
}

impl Node for Scripted {
    fn endpoint(&self) -> &str {
        "ws://scripted"
    }
    async fn head(&mut self) -> Result<Head, ChainError> {
        Ok(self.request()?.head)
    }
    async fn block(&mut self, number: u64) -> Result<Head, ChainError> {
        drop(self.request()?);
        Ok(block(number))
    }
    async fn runtime_facts(&mut self, _: &Head) -> Result<RuntimeFacts, ChainError> {
        let v1 = self.request()?.v1;
        Ok(RuntimeFacts {
            spec_version: if v1 { 475 } else { 218 },
            // 475 keeps a 6-argument `register` (it burns): v1 all the same.
            has_pow_register: v1,
            register_args: Some(6),
        })
    }
    async fn subnet_state(
        &mut self,
        _: &Head,
        _: u16,
        _: &[u8; 32],
        _: Option<&[u8; 32]>,
    ) -> Result<SubnetState, ChainError> {
        Ok(self.request()?.state.clone())
    }
    async fn submit(
        &mut self,
        registration: &Registration,
        signer: &Keypair,
    ) -> Result<[u8; 32], SubmitError> {
        let answer = {
            let mut w = self.request()?;
            w.submitted.push(registration.clone());
            let at = w.head.number;
            w.submitted_at.push(at);
            let hash = this_runs_extrinsic(w.submitted.len());
            match w.submits.pop_front().unwrap_or(Submit::Include) {
                Submit::Hang => None,
                Submit::Include if w.v1 => {
                    let answer = w.judge_v1(registration, signer.public_key().0);
                    w.in_blocks.push((at + 1, hash, answer.is_ok()));
                    Some(answer)
                }
                Submit::Include => {
                    w.state.uid = Some(7);
                    w.in_blocks.push((at + 1, hash, true));
                    Some(Ok([0xcc; 32]))
                }
                Submit::Lost(landed) => {
                    w.state.uid = Some(if landed.is_some_and(|(_, ok)| ok) {
                        7
                    } else {
                        9
                    });
                    if let Some((k, ok)) = landed {
                        w.in_blocks.push((at + k, hash, ok));
                    }
                    Some(Err(SubmitError::Unknown(ChainError::Node {
                        what: "the transaction status",
                        source: "invalid type: map, expected unit".into(),
                    })))
                }
                Submit::Fail(error, other_registers) => {
                    if other_registers {
                        w.state.uid = Some(9);
                    }
                    Some(Err(error()))
                }
            }
        };
        match answer {
            Some(answer) => answer,
            None => std::future::pending().await,
        }
    }
    fn last_extrinsic(&self) -> Option<[u8; 32]> {
        let n = self.0.lock().unwrap().submitted.len();
        (n > 0).then(|| this_runs_extrinsic(n))
    }
    async fn extrinsic_in(
        &mut self,
        number: u64,
        hashes: &[[u8; 32]],
    ) -> Result<Option<bool>, ChainError> {
        let w = self.request()?;
        if w.blocks_unreadable {
            return Err(ChainError::Missing {
                what: "the block's extrinsics",
                why: "unreadable by the script".into(),
            });
        }
        Ok(w.in_blocks
            .iter()
            .find(|(b, h, _)| *b == number && hashes.contains(h))
            .map(|(_, _, ok)| *ok))
    }
    async fn reconnect(&mut self) -> Result<(), ChainError> {
        let mut w = self.0.lock().unwrap();
        w.reconnects += 1;
        if w.gone {
            return Err(ChainError::Connect {
                url: "ws://scripted".into(),
                source: "refused".into(),
            });
        }
        Ok(())
    }
}

pub(super) type Hook = Box<dyn Fn(&Event<'_>, &mut World) + Send + Sync>;

/// Records events and lets a test change the chain as they come.
pub(super) struct Recorder {
    pub(super) world: Arc<Mutex<World>>,
    pub(super) hook: Hook,
}

impl Events for Recorder {
    fn event(&self, event: &Event<'_>) {
        let mut w = self.world.lock().unwrap();
        let name = match event {
            Event::Challenge { .. } => "challenge",
            Event::Progress { .. } => {
                w.progress += 1;
                ""
            }
            Event::Waiting(_) => "waiting",
            Event::Solved { .. } => {
                w.solved += 1;
                "solved"
            }
            Event::Stale { .. } => "stale",
            Event::SubmittingAnyway { .. } => "submitting-anyway",
            Event::Submitted { .. } => "submitted",
            Event::Included { .. } => "included",
            Event::Refused { .. } => "refused",
            Event::Diagnosed { .. } => "diagnosed",
            Event::Reconnecting { .. } => "reconnecting",
            Event::Reconnected { .. } => "reconnected",
        };
        if !name.is_empty() {
            w.log.push(name.to_string());
        }
        (self.hook)(event, &mut w);
    }
}

/// The reference engine on one thread, in small chunks, reporting often.
pub(in crate::chain) fn test_solver() -> Arc<Solver> {
    Arc::new(Solver::new(
        Arc::new(Reference),
        SolveOptions {
            threads: 1,
            chunk: std::num::NonZeroU64::new(64).unwrap(),
            progress_every: Duration::from_millis(5),
            ..SolveOptions::default()
        },
    ))
}

pub(in crate::chain) fn fast_options() -> Options {
    Options {
        poll: Duration::from_millis(10),
        backoff: Backoff {
            first: Duration::from_millis(5),
            max: Duration::from_millis(20),
            give_up: Duration::from_millis(300),
        },
        ..Options::default()
    }
}

pub(super) fn keys() -> Keys {
    Keys {
        hotkey: [1; 32],
        coldkey: [2; 32],
        signer: crate::wallet::keypair_from_uri(Signer::Coldkey, "//Alice").unwrap(),
    }
}

/// v1 keys: the coldkey signs, and the seal binds it.
pub(super) fn v1_keys() -> Keys {
    let signer = crate::wallet::keypair_from_uri(Signer::Coldkey, "//Alice").unwrap();
    Keys {
        hotkey: [1; 32],
        coldkey: signer.public_key().0,
        signer,
    }
}

/// Runs a legacy (spec 218) registration on `world`, calling `hook` on
/// every event.
pub(super) fn run(
    world: &Arc<Mutex<World>>,
    options: Options,
    stop: Stop,
    hook: impl Fn(&Event<'_>, &mut World) + Send + Sync + 'static,
) -> Result<RegisterOutcome, RegisterError> {
    run_with(world, keys(), options, stop, hook)
}

/// Runs a registration on `world` (legacy or v1, as the world's runtime
/// says) with `keys`.
pub(super) fn run_with(
    world: &Arc<Mutex<World>>,
    keys: Keys,
    options: Options,
    stop: Stop,
    hook: impl Fn(&Event<'_>, &mut World) + Send + Sync + 'static,
) -> Result<RegisterOutcome, RegisterError> {
    run_on(world, 1, keys, options, stop, hook)
}

/// [`run_with`] on subnet `netuid`.
pub(super) fn run_on(
    world: &Arc<Mutex<World>>,
    netuid: u16,
    keys: Keys,
    options: Options,
    stop: Stop,
    hook: impl Fn(&Event<'_>, &mut World) + Send + Sync + 'static,
) -> Result<RegisterOutcome, RegisterError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut node = Scripted(world.clone());
        let plan = Plan::read(&mut node, netuid, None, None, None, true).await?;
        let want = match world.lock().unwrap().v1 {
            true => (Scheme::V1, Rule::V1, Signer::Coldkey),
            false => (Scheme::Legacy, Rule::ChainBe, Signer::Hotkey),
        };
        assert_eq!((plan.scheme, plan.rule, plan.signer), want);
        let solver = test_solver();
        let events = Arc::new(Recorder {
            world: world.clone(),
            hook: Box::new(hook),
        });
        let mut r = Registrar::new(node, plan, keys, options, solver, events, stop);
        r.run(async |_| true).await
    })
}

/// A hook: the chain makes its next block after each refusal, as a real
/// chain would.
pub(super) fn next_block_after_a_refusal(e: &Event<'_>, w: &mut World) {
    if matches!(e, Event::Refused { .. }) {
        w.advance(1);
    }
}

pub(super) fn log(world: &Arc<Mutex<World>>) -> Vec<String> {
    world.lock().unwrap().log.clone()
}

pub(super) fn work_blocks(world: &Arc<Mutex<World>>) -> Vec<u64> {
    work_blocks_of(&world.lock().unwrap())
}

/// The work blocks of the submissions, in order.
pub(super) fn work_blocks_of(w: &World) -> Vec<u64> {
    w.submitted
        .iter()
        .map(|r| match r {
            Registration::Legacy { block_number, .. } => *block_number,
            Registration::V1 { work_block, .. } => *work_block,
        })
        .collect()
}
