//! A run of several pairs against a scripted runtime-475 chain of several
//! subnets: each registration judged as the pool judges it (the seal
//! against the subnet's difficulty), included in the next block, whose
//! `on_initialize` decays every subnet's difficulty before the
//! registration bumps its own.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use subxt_signer::sr25519::Keypair;

use super::*;
use crate::chain::error::{ChainError, SubmitError};
use crate::chain::model::{Registration, RuntimeFacts, SubnetFacts};
use crate::chain::registrar::scripted::{block, fast_options, test_solver};
use crate::chain::Inadmissible;
use crate::wallet::Signer;
use crate::{Challenge, Job, Rule, V1Challenge};

/// `BurnIncreaseMult` about 1.26, as runtime 475's default.
const MULT: u128 = 0x1_428F_5C28_F5C2_9000;

#[derive(Default)]
struct Farm {
    head: u64,
    subnets: HashMap<u16, SubnetFacts>,
    uids: HashMap<(u16, [u8; 32]), u16>,
    /// `Owner[hotkey]`, where set.
    owners: HashMap<[u8; 32], [u8; 32]>,
    /// Each registration: (netuid, hotkey, the difficulty it met).
    registered: Vec<(u16, [u8; 32], u64)>,
    submissions: u32,
    /// Every read of the head finds a new block (a chain that moves while
    /// the run waits).
    tick: bool,
}

impl Farm {
    fn subnet(&mut self, netuid: u16, difficulty: u64, half_life: u64) {
        self.subnets.insert(
            netuid,
            SubnetFacts {
                netuid,
                pow_allowed: Some(true),
                difficulty: Some(difficulty),
                min_difficulty: Some(1),
                max_difficulty: Some(u64::MAX >> 2),
                max_registrations_per_block: Some(3),
                registrations_this_block: Some(0),
                half_life: Some(half_life),
                increase_mult: Some(MULT),
                ..SubnetFacts::default()
            },
        );
    }

    fn decay(facts: &SubnetFacts) -> Decay {
        Decay {
            stored: facts.difficulty.unwrap_or_default(),
            min: 1,
            max: u64::MAX >> 2,
            half_life: facts.half_life.unwrap_or(0) as u16,
        }
    }

    /// The next block: every subnet's difficulty decays, counts reset.
    fn advance(&mut self) {
        self.head += 1;
        for facts in self.subnets.values_mut() {
            facts.difficulty = Some(Farm::decay(facts).stored_after(1));
            facts.registrations_this_block = Some(0);
        }
    }
}

struct FarmNode(Arc<Mutex<Farm>>);

impl Node for FarmNode {
    fn endpoint(&self) -> &str {
        "ws://farm"
    }
    async fn head(&mut self) -> Result<Head, ChainError> {
        let mut farm = self.0.lock().unwrap();
        if farm.tick {
            farm.advance();
        }
        Ok(block(farm.head))
    }
    async fn block(&mut self, number: u64) -> Result<Head, ChainError> {
        Ok(block(number))
    }
    async fn runtime_facts(&mut self, _: &Head) -> Result<RuntimeFacts, ChainError> {
        Ok(RuntimeFacts {
            spec_version: 475,
            has_pow_register: true,
            register_args: Some(6),
        })
    }
    async fn subnet_state(
        &mut self,
        _: &Head,
        netuid: u16,
        hotkey: &[u8; 32],
        _: Option<&[u8; 32]>,
    ) -> Result<SubnetState, ChainError> {
        let farm = self.0.lock().unwrap();
        let Some(subnet) = farm.subnets.get(&netuid).cloned() else {
            return Ok(SubnetState {
                missing: true,
                ..SubnetState::default()
            });
        };
        Ok(SubnetState {
            subnet,
            uid: farm.uids.get(&(netuid, *hotkey)).copied(),
            owner: farm.owners.get(hotkey).copied(),
            ..SubnetState::default()
        })
    }
    async fn submit(
        &mut self,
        registration: &Registration,
        signer: &Keypair,
    ) -> Result<[u8; 32], SubmitError> {
        let mut farm = self.0.lock().unwrap();
        farm.submissions += 1;
        let Registration::V1 {
            netuid,
            work_block,
            nonce,
            work,
            hotkey,
        } = *registration
        else {
            panic!("runtime 475 takes pow_register");
        };
        let refused = || SubmitError::Pool {
            message: "Invalid Transaction: \"Custom error: 255\"".into(),
            meaning: None,
        };
        let facts = farm.subnets[&netuid].clone();
        let difficulty = Farm::decay(&facts).effective();
        let challenge = Challenge::V1(V1Challenge::new(
            netuid,
            block(work_block).hash,
            hotkey,
            signer.public_key().0,
        ));
        let job = Job::new(&challenge, Rule::V1, Difficulty::new(difficulty).unwrap()).unwrap();
        let seal = crate::engine::reference::seal(&job, nonce);
        if seal != work || !job.target().meets(&seal) || farm.uids.contains_key(&(netuid, hotkey)) {
            return Err(refused());
        }
        // Included in the next block: its decay first, then the bump.
        farm.advance();
        let uid = u16::try_from(farm.uids.len()).unwrap();
        farm.uids.insert((netuid, hotkey), uid);
        farm.registered.push((netuid, hotkey, difficulty));
        let facts = farm.subnets.get_mut(&netuid).unwrap();
        facts.difficulty = Some(Farm::decay(facts).bumped(MULT));
        Ok([u8::try_from(farm.submissions).unwrap(); 32])
    }
    fn last_extrinsic(&self) -> Option<[u8; 32]> {
        let n = self.0.lock().unwrap().submissions;
        Some([u8::try_from(n).unwrap(); 32])
    }
    async fn extrinsic_in(&mut self, _: u64, _: &[[u8; 32]]) -> Result<Option<bool>, ChainError> {
        Ok(None)
    }
    async fn reconnect(&mut self) -> Result<(), ChainError> {
        Ok(())
    }
}

/// What the run reported, in order.
#[derive(Default)]
struct Log {
    schedule: Vec<(usize, u16, u64)>,
    scheduled_pairs: Vec<PairId>,
    turns: Vec<(PairId, u64)>,
    ended: Vec<(PairId, String)>,
    unnamed: u32,
}

struct Recorder(Mutex<Log>);

impl PairEvents for Recorder {
    fn event(&self, pair: Option<PairId>, _: &Event<'_>) {
        if pair.is_none() {
            self.0.lock().unwrap().unnamed += 1;
        }
    }
    fn schedule(&self, pairs: &[PairId], turns: &[Turn], _: Option<f64>) {
        let mut log = self.0.lock().unwrap();
        // The first: the order predicted at the start.
        if !log.schedule.is_empty() {
            return;
        }
        log.scheduled_pairs = pairs.to_vec();
        log.schedule = turns
            .iter()
            .map(|t| (t.pair, t.netuid, t.difficulty))
            .collect();
    }
    fn turn(&self, pair: PairId, difficulty: Difficulty) {
        self.0.lock().unwrap().turns.push((pair, difficulty.get()));
    }
    fn ended(&self, report: &PairReport) {
        let end = match &report.end {
            PairEnd::Registered { by, .. } => format!("registered {by:?}"),
            PairEnd::Solved { .. } => "solved".into(),
            PairEnd::Failed(e) => format!("failed: {e}"),
            PairEnd::Left => "left".into(),
        };
        self.0.lock().unwrap().ended.push((report.pair, end));
    }
}

/// The coldkey //Alice signing for hotkey `[n; 32]`.
fn keys(n: u8) -> Keys {
    let signer = crate::wallet::keypair_from_uri(Signer::Coldkey, "//Alice").unwrap();
    Keys {
        hotkey: [n; 32],
        coldkey: signer.public_key().0,
        signer,
    }
}

/// Registers hotkeys `hotkeys` on subnets `netuids` (every hotkey on
/// every subnet, hotkey by hotkey) on `farm`.
fn run(
    farm: &Arc<Mutex<Farm>>,
    hotkeys: &[u8],
    netuids: &[u16],
    options: Options,
    stop: Stop,
) -> (Ended, Arc<Recorder>) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let recorder = Arc::new(Recorder(Mutex::new(Log::default())));
    let ran = rt.block_on(async {
        let mut node = FarmNode(farm.clone());
        let plan = Plan::read(&mut node, netuids[0], None, None, None, true)
            .await
            .unwrap();
        let pairs = hotkeys
            .iter()
            .flat_map(|&h| {
                netuids.iter().map(move |&netuid| Pair {
                    netuid,
                    keys: keys(h),
                })
            })
            .collect();
        let solver = test_solver();
        let campaign = Campaign::new(node, plan, pairs, options, solver, recorder.clone(), stop);
        campaign.run(async |_, _| true).await
    });
    (ran, recorder)
}

/// Subnet 1 starts dearer (1000) than subnet 5 (400) but halves every 2
/// blocks; subnet 5 does not decay and each registration raises it 1.26x.
fn two_subnets() -> Arc<Mutex<Farm>> {
    let mut farm = Farm {
        head: 100,
        ..Farm::default()
    };
    farm.subnet(1, 1000, 2);
    farm.subnet(5, 400, 0);
    Arc::new(Mutex::new(farm))
}

#[test]
fn pairs_are_registered_in_the_order_the_runtimes_arithmetic_predicts() {
    let farm = two_subnets();
    let (ran, log) = run(&farm, &[1, 2, 3], &[1, 5], fast_options(), Stop::default());
    let reports = ran.reports;
    assert_eq!(reports.len(), 6);
    assert!(reports.iter().all(PairReport::done), "{reports:?}");
    let log = log.0.lock().unwrap();
    let farm = farm.lock().unwrap();
    // Every pair once, in the order predicted at the start, each at the
    // difficulty predicted for it.
    let predicted: Vec<(u16, [u8; 32], u64)> = log
        .schedule
        .iter()
        .map(|&(i, netuid, d)| (netuid, log.scheduled_pairs[i].hotkey, d))
        .collect();
    let turns: Vec<(u16, [u8; 32], u64)> = log
        .turns
        .iter()
        .map(|(p, d)| (p.netuid, p.hotkey, *d))
        .collect();
    assert_eq!(turns, predicted);
    assert_eq!(farm.registered, predicted);
    assert_eq!(farm.submissions, 6);
    // Cheapest first, and so neither the order given nor the order of
    // the starting difficulties: the subnets interleave.
    let netuids: Vec<u16> = predicted.iter().map(|p| p.0).collect();
    assert_eq!(netuids[0], 5, "{predicted:?}");
    assert!(
        netuids.windows(2).any(|w| w[0] != w[1] && w[0] == 1),
        "{netuids:?}"
    );
}

#[test]
fn a_second_run_finds_every_pair_registered_and_submits_nothing() {
    let farm = two_subnets();
    let (first, _) = run(&farm, &[1, 2], &[1, 5], fast_options(), Stop::default());
    assert!(first.error.is_none());
    assert!(first.reports.iter().all(PairReport::done));
    let (again, log) = run(&farm, &[1, 2], &[1, 5], fast_options(), Stop::default());
    assert!(again.error.is_none());
    let again = again.reports;
    assert_eq!(again.len(), 4);
    for r in &again {
        assert!(
            matches!(
                r.end,
                PairEnd::Registered {
                    by: Registrant::Before,
                    ..
                }
            ),
            "{r:?}"
        );
        assert_eq!(r.hashes, 0);
    }
    assert_eq!(farm.lock().unwrap().submissions, 4);
    assert!(log.0.lock().unwrap().turns.is_empty());
}

#[test]
fn a_refused_pair_ends_with_its_error_and_the_others_are_registered() {
    let farm = two_subnets();
    // Hotkey 2 belongs to another coldkey.
    farm.lock().unwrap().owners.insert([2; 32], [0xee; 32]);
    let (ran, _) = run(&farm, &[1, 2], &[1, 5], fast_options(), Stop::default());
    let reports = ran.reports;
    assert_eq!(reports.len(), 4);
    for r in &reports {
        match (r.pair.hotkey[0], &r.end) {
            (2, PairEnd::Failed(RegisterError::Inadmissible(Inadmissible::NotOwner { .. }))) => {
                assert_eq!(r.hashes, 0, "refused before any hash")
            }
            (1, PairEnd::Registered { .. }) => {}
            _ => panic!("{r:?}"),
        }
    }
    assert_eq!(farm.lock().unwrap().registered.len(), 2);
}

#[test]
fn a_stop_leaves_every_pair_not_yet_registered_reported_as_left() {
    let farm = two_subnets();
    let stop = Stop::default();
    stop.stop();
    let (ran, log) = run(&farm, &[1, 2], &[1, 5], fast_options(), stop);
    let reports = ran.reports;
    assert_eq!(reports.len(), 4);
    assert!(reports.iter().all(|r| matches!(r.end, PairEnd::Left)));
    assert_eq!(log.0.lock().unwrap().ended.len(), 4);
    assert_eq!(farm.lock().unwrap().submissions, 0);
}

#[test]
fn out_of_time_mid_run_leaves_the_rest() {
    let farm = two_subnets();
    // Subnet 5 too dear to solve in the time given; subnet 1 cheap.
    {
        let mut f = farm.lock().unwrap();
        f.subnet(1, 50, 0);
        f.subnet(5, u64::MAX >> 3, 0);
    }
    let options = Options {
        max_time: Some(Duration::from_millis(1500)),
        ..fast_options()
    };
    let (ran, _) = run(&farm, &[1], &[1, 5], options, Stop::default());
    let reports = ran.reports;
    let ends: Vec<(u16, bool)> = reports.iter().map(|r| (r.pair.netuid, r.done())).collect();
    assert_eq!(ends, [(1, true), (5, false)]);
    assert!(matches!(reports[1].end, PairEnd::Left));
    assert!(reports[1].hashes > 0, "it was being solved");
}

#[test]
fn with_a_most_accepted_difficulty_the_ready_pairs_go_first_and_the_others_wait_for_it() {
    // Subnet 1 at 4000 halves every 40 blocks; subnet 5 at 600 does not
    // decay. At most 1000: subnet 5's pairs are ready now, subnet 1's
    // only after about 80 blocks (and again after each bump): the run
    // waits for them, a block at a time.
    let mut farm = Farm {
        head: 100,
        tick: true,
        ..Farm::default()
    };
    farm.subnet(1, 4000, 40);
    farm.subnet(5, 600, 0);
    let farm = Arc::new(Mutex::new(farm));
    let options = Options {
        wait_for: Some(Difficulty::new(1000).unwrap()),
        ..fast_options()
    };
    let (ran, log) = run(&farm, &[1, 2], &[1, 5], options, Stop::default());
    assert!(ran.error.is_none(), "{:?}", ran.error);
    assert!(
        ran.reports.iter().all(PairReport::done),
        "{:?}",
        ran.reports
    );
    let farm = farm.lock().unwrap();
    let order: Vec<u16> = farm.registered.iter().map(|r| r.0).collect();
    assert_eq!(order, [5, 5, 1, 1], "{:?}", farm.registered);
    for &(netuid, _, difficulty) in &farm.registered {
        assert!(difficulty <= 1000, "subnet {netuid} at {difficulty}");
    }
    // The order predicted at the start.
    let log = log.0.lock().unwrap();
    assert_eq!(
        log.schedule.iter().map(|t| t.1).collect::<Vec<_>>(),
        [5, 5, 1, 1]
    );
}
