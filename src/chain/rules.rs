//! What the runtime decides, decided here first: which scheme and rule a
//! runtime uses, whether a work block is still inside its window, and who
//! must sign; the plan of a run, the job for a block, the extrinsic for a
//! seal, and what to do with a seal or a refusal. Pure functions, so every
//! branch is unit-tested without a chain.

use thiserror::Error;

use super::difficulty::Decay;
use super::model::{required_signer, Head, Plan, Registration, RuntimeFacts, SubnetState};
use crate::challenge::Scheme;
use crate::engine::Solution;
use crate::target::{effective_difficulty, Rule};
use crate::wallet::Keys;
use crate::wallet::Signer;
use crate::{Challenge, Difficulty, Job, LegacyChallenge, V1Challenge};

/// The last spec whose `register` checks the proof of work (opentensor
/// subtensor v3.3.14-401 moved `register` to burning).
pub(super) const LAST_POW_REGISTER_SPEC: u32 = 396;
/// The last spec that read the legacy seal big-endian.
pub(super) const LAST_BIG_ENDIAN_SPEC: u32 = 282;
/// Legacy `register`: a work block is accepted while `now - work_block <
/// WINDOW` (now = the block the extrinsic executes in: the head + 1).
pub(super) const WINDOW: u64 = 3;
/// `pow_register` (runtime 475's `POW_MAX_WORK_AGE_BLOCKS`): a work block
/// is accepted while `now - work_block <= V1_MAX_WORK_AGE`.
pub(super) const V1_MAX_WORK_AGE: u64 = 5;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
/// Why a runtime cannot be registered on by proof of work, or the
/// arguments contradict it.
#[non_exhaustive]
pub enum Refusal {
    #[error(
        "this runtime (spec {0}) registers by burning TAO: its `register` ignores the proof of work, \
         so solving would be in vain; use burned registration (`btcli subnets register`)"
    )]
    /// `register` burns TAO from this spec on.
    BurnOnly(u32),
    #[error("this runtime (spec {0}) has no proof-of-work registration call (neither `pow_register` nor a 6-argument `register`)")]
    /// Neither registration call is in the metadata.
    NoPowCall(u32),
    /// `--rule` of another scheme than the one registering.
    #[error(transparent)]
    RuleScheme(#[from] crate::target::SchemeMismatch),
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
}

/// The scheme and rule a runtime checks, optionally overridden by the user.
pub(super) fn detect(
    facts: &RuntimeFacts,
    scheme: Option<Scheme>,
    rule: Option<Rule>,
) -> Result<(Scheme, Rule), Refusal> {
    let detected = if facts.has_pow_register {
        Ok((Scheme::V1, Rule::V1))
    } else if facts.register_args == Some(6) && facts.spec_version <= LAST_POW_REGISTER_SPEC {
        let rule = if facts.spec_version <= LAST_BIG_ENDIAN_SPEC {
            Rule::ChainBe
        } else {
            Rule::ChainLe
        };
        Ok((Scheme::Legacy, rule))
    } else if facts.register_args.is_some() {
        Err(Refusal::BurnOnly(facts.spec_version))
    } else {
        Err(Refusal::NoPowCall(facts.spec_version))
    };
    // An explicit --scheme overrides the runtime (and any refusal).
    let (scheme, default_rule) = match scheme {
        None => detected?,
        Some(Scheme::V1) => (Scheme::V1, Rule::V1),
        Some(Scheme::Legacy) => match detected {
            Ok((Scheme::Legacy, r)) => (Scheme::Legacy, r),
            _ => (Scheme::Legacy, Rule::ChainLe),
        },
    };
    match rule {
        None => Ok((scheme, default_rule)),
        Some(r) => {
            r.check_scheme(scheme)?;
            Ok((scheme, r))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
/// Why the runtime would refuse a work block.
#[non_exhaustive]
pub enum WindowError {
    #[error("work block {work} is ahead of the chain (head {head})")]
    /// The work block is after the block the extrinsic would run in.
    Future {
        /// The work block.
        work: u64,
        /// The head.
        head: u64,
    },
    #[error("work block {work} is stale: the extrinsic would run in block {now}, and the runtime takes work at most {max_age} blocks old")]
    /// The work block is out of the window.
    Stale {
        /// The work block.
        work: u64,
        /// The block the extrinsic would run in (the head + 1).
        now: u128,
        /// The oldest work the runtime takes, in blocks.
        max_age: u64,
    },
    #[error("this hotkey already registered by proof of work at block {last}; the work block must be later")]
    /// v1: the hotkey registered by proof of work at or after the work block.
    NotAfterLast {
        /// The work block.
        work: u64,
        /// `LastPowRegistrationBlock` of the hotkey.
        last: u64,
    },
}

/// subtensor `register`: `block_number <= now` and `now - block_number < 3`,
/// with `now` = head + 1 (the block the extrinsic lands in).
pub(super) fn legacy_window(work_block: u64, head: u64) -> Result<(), WindowError> {
    // In u128: a node may report any head, u64::MAX included.
    let (work, now) = (u128::from(work_block), u128::from(head) + 1);
    if work > now {
        return Err(WindowError::Future {
            work: work_block,
            head,
        });
    }
    if now - work >= u128::from(WINDOW) {
        return Err(WindowError::Stale {
            work: work_block,
            now,
            max_age: WINDOW - 1,
        });
    }
    Ok(())
}

/// `pow_register` (runtime 475's `check_pow_registration`): `work_block <
/// now`, `now - work_block <= 5`, and `LastPowRegistrationBlock[hotkey] <
/// work_block`, with `now` = head + 1.
pub(super) fn v1_window(
    work_block: u64,
    head: u64,
    last_pow: Option<u64>,
) -> Result<(), WindowError> {
    let (work, now) = (u128::from(work_block), u128::from(head) + 1);
    if work >= now {
        return Err(WindowError::Future {
            work: work_block,
            head,
        });
    }
    if now - work > u128::from(V1_MAX_WORK_AGE) {
        return Err(WindowError::Stale {
            work: work_block,
            now,
            max_age: V1_MAX_WORK_AGE,
        });
    }
    match last_pow {
        Some(last) if last >= work_block => Err(WindowError::NotAfterLast {
            work: work_block,
            last,
        }),
        _ => Ok(()),
    }
}

impl Plan {
    /// The plan for a runtime with `facts` at `head`: `scheme`, `rule` and
    /// `signer` override what the runtime says (a signer the scheme does
    /// not accept is refused unless `precheck` is off).
    pub(crate) fn decide(
        facts: &RuntimeFacts,
        head: Head,
        netuid: u16,
        scheme: Option<Scheme>,
        rule: Option<Rule>,
        signer: Option<Signer>,
        precheck: bool,
    ) -> Result<Plan, Refusal> {
        let (scheme, rule) = detect(facts, scheme, rule)?;
        let required = required_signer(scheme);
        let given = signer.unwrap_or(required);
        if given != required && precheck {
            return Err(Refusal::WrongSigner {
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
}

/// The difficulty the runtime checks: legacy reads `Difficulty`; v1 clamps
/// it into [MinDifficulty, MaxDifficulty] as the SDK does.
pub(crate) fn difficulty_of(scheme: Scheme, s: &SubnetState) -> Difficulty {
    match scheme {
        Scheme::Legacy => Difficulty::new(s.difficulty()).unwrap_or(Difficulty::MIN),
        Scheme::V1 => effective_difficulty(
            Some(s.difficulty()),
            s.subnet.min_difficulty,
            s.subnet.max_difficulty,
        ),
    }
}

/// The job for `head`'s block hash, the plan's scheme and rule, and `difficulty`.
pub(crate) fn job_for(plan: &Plan, keys: &Keys, head: &Head, difficulty: Difficulty) -> Job {
    let challenge = match plan.scheme {
        Scheme::Legacy => Challenge::Legacy(LegacyChallenge::new(head.hash, keys.hotkey)),
        Scheme::V1 => Challenge::V1(V1Challenge::new(
            plan.netuid,
            head.hash,
            keys.hotkey,
            keys.coldkey,
        )),
    };
    // The plan's rule was checked against its scheme when it was made.
    Job::new(&challenge, plan.rule, difficulty).expect("a plan's rule is of its scheme")
}

/// The registration extrinsic for a solution found for `work`.
pub(crate) fn registration(
    plan: &Plan,
    keys: &Keys,
    work: &Head,
    solution: &Solution,
) -> Registration {
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

/// The interval's registrations are used up: `registrations` of at most
/// `limit`, until block `resets_at` (when the runtime keeps one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct IntervalFull {
    pub registrations: u64,
    pub limit: u64,
    pub resets_at: Option<u64>,
}

/// Legacy `register` (and its pool extension) refuses a registration while
/// `RegistrationsThisInterval >= TargetRegistrationsPerInterval * 3`
/// (`TooManyRegistrationsThisInterval`; u16 arithmetic, saturating). The
/// count returns to zero in the `on_initialize` of the block at which the
/// interval resets, so the state of the head says when it is free again.
/// Runtime 475's `pow_register` has no such check.
pub(crate) fn interval_full(scheme: Scheme, s: &SubnetState, head: u64) -> Option<IntervalFull> {
    if scheme != Scheme::Legacy {
        return None;
    }
    let target = s.subnet.target_registrations_per_interval?;
    let limit = target.saturating_mul(3).min(u64::from(u16::MAX));
    let registrations = s.subnet.registrations_this_interval?;
    (registrations >= limit).then(|| IntervalFull {
        registrations,
        limit,
        // A reset already due happens in the next block's on_initialize;
        // none frees a limit of 0.
        resets_at: s
            .subnet
            .interval_resets_at()
            .filter(|_| limit > 0)
            .map(|at| at.max(head.saturating_add(1))),
    })
}

/// What to do with a seal found for an earlier block, at the head now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Submit it now.
    Submit,
    /// v1: the runtime takes it at `block`, whose decayed difficulty it
    /// meets, inside the window.
    Wait {
        /// The head to submit at.
        block: u64,
        /// The difficulty then.
        difficulty: Difficulty,
    },
    /// The runtime would refuse it; `window` is set when the window is why.
    Stale {
        /// Why, in words.
        reason: String,
        /// The window's refusal, if that is the reason.
        window: Option<WindowError>,
    },
}

/// The runtime's window and difficulty checks for a seal of block `work`
/// solved for `solved_for`, at head `head` whose state asks `difficulty`
/// (with `decay` on runtimes whose difficulty decays each block, and the
/// hotkey's last proof-of-work block `last_pow` for v1). `meets(d)` says
/// whether the seal meets difficulty `d`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn verdict(
    scheme: Scheme,
    work: u64,
    head: u64,
    last_pow: Option<u64>,
    solved_for: Difficulty,
    difficulty: Difficulty,
    decay: Option<Decay>,
    mut meets: impl FnMut(Difficulty) -> bool,
) -> Verdict {
    let window_at = |head: u64| match scheme {
        Scheme::Legacy => legacy_window(work, head),
        Scheme::V1 => v1_window(work, head, last_pow),
    };
    if let Err(why) = window_at(head) {
        return Verdict::Stale {
            reason: why.to_string(),
            window: Some(why),
        };
    }
    // A seal solved for `d` meets any difficulty up to `d` (each rule's
    // threshold only grows as the difficulty falls).
    if difficulty <= solved_for || meets(difficulty) {
        return Verdict::Submit;
    }
    // v1 on a decaying runtime: the first later block, still inside the
    // window, whose difficulty the seal meets.
    if let (Scheme::V1, Some(decay)) = (scheme, decay) {
        for k in 1..=V1_MAX_WORK_AGE {
            let Some(later_head) = head.checked_add(k) else {
                break;
            };
            if window_at(later_head).is_err() {
                break;
            }
            let later = Difficulty::new(decay.after(k)).unwrap_or(Difficulty::MIN);
            if meets(later) {
                return Verdict::Wait {
                    block: later_head,
                    difficulty: later,
                };
            }
        }
    }
    Verdict::Stale {
        reason: format!(
            "the difficulty is now {difficulty} (was {solved_for}), and the seal misses it"
        ),
        window: None,
    }
}

/// Whether a registration the runtime dispatched and refused with error
/// `name` is worth another block: a lost race (the next pass reads who
/// registered), a lost window, a full block or a risen difficulty. When
/// the user forces a rule, scheme, signer or work block, only the lost race
/// goes on.
pub(crate) fn dispatch_error_goes_on(name: &str, forced: bool) -> bool {
    match name {
        "HotKeyAlreadyRegisteredInSubNet" => true,
        "InvalidWorkBlock"
        | "TooManyRegistrationsThisBlock"
        | "TooManyRegistrationsThisInterval"
        | "InvalidDifficulty"
        | "InvalidSeal" => !forced,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::model::SubnetFacts;

    #[test]
    fn the_interval_limit_as_legacy_register_checks_it() {
        let state = |n: u64, target: u64, resets: Option<u64>| SubnetState {
            subnet: SubnetFacts {
                registrations_this_interval: Some(n),
                target_registrations_per_interval: Some(target),
                last_adjustment_block: resets,
                adjustment_interval: Some(0),
                ..SubnetFacts::default()
            },
            ..SubnetState::default()
        };
        let full = |n, limit, resets_at| {
            Some(IntervalFull {
                registrations: n,
                limit,
                resets_at,
            })
        };
        // RegistrationsThisInterval < 3 × target, or refused.
        assert_eq!(
            interval_full(Scheme::Legacy, &state(5, 2, Some(9)), 1),
            None
        );
        assert_eq!(
            interval_full(Scheme::Legacy, &state(6, 2, Some(9)), 1),
            full(6, 6, Some(9))
        );
        // u16 arithmetic: 3 × 30000 saturates at 65535.
        assert_eq!(
            interval_full(Scheme::Legacy, &state(65_534, 30_000, None), 1),
            None
        );
        assert_eq!(
            interval_full(Scheme::Legacy, &state(65_535, 30_000, None), 1),
            full(65_535, 65_535, None)
        );
        // Target 0: nothing is taken, and no reset changes that.
        assert_eq!(
            interval_full(Scheme::Legacy, &state(0, 0, Some(9)), 1),
            full(0, 0, None)
        );
        // A reset already due happens in the next block.
        assert_eq!(
            interval_full(Scheme::Legacy, &state(6, 2, Some(50)), 70),
            full(6, 6, Some(71))
        );
        // Runtime 475's pow_register has no interval limit; a runtime
        // without the items has none either.
        assert_eq!(interval_full(Scheme::V1, &state(6, 2, Some(9)), 1), None);
        assert_eq!(
            interval_full(Scheme::Legacy, &SubnetState::default(), 1),
            None
        );
    }

    fn facts(spec: u32, pow_register: bool, register_args: Option<usize>) -> RuntimeFacts {
        RuntimeFacts {
            spec_version: spec,
            has_pow_register: pow_register,
            register_args,
        }
    }

    #[test]
    fn scheme_and_rule_from_the_runtime() {
        assert_eq!(
            detect(&facts(218, false, Some(6)), None, None),
            Ok((Scheme::Legacy, Rule::ChainBe))
        );
        assert_eq!(
            detect(&facts(282, false, Some(6)), None, None),
            Ok((Scheme::Legacy, Rule::ChainBe))
        );
        assert_eq!(
            detect(&facts(283, false, Some(6)), None, None),
            Ok((Scheme::Legacy, Rule::ChainLe))
        );
        assert_eq!(
            detect(&facts(396, false, Some(6)), None, None),
            Ok((Scheme::Legacy, Rule::ChainLe))
        );
        assert_eq!(
            detect(&facts(397, false, Some(6)), None, None),
            Err(Refusal::BurnOnly(397))
        );
        assert_eq!(
            detect(&facts(200, false, Some(4)), None, None),
            Err(Refusal::BurnOnly(200))
        );
        assert_eq!(
            detect(&facts(400, true, Some(6)), None, None),
            Ok((Scheme::V1, Rule::V1))
        );
        assert_eq!(
            detect(&facts(400, false, None), None, None),
            Err(Refusal::NoPowCall(400))
        );
    }

    #[test]
    fn overrides() {
        let f = facts(218, false, Some(6));
        assert_eq!(
            detect(&f, None, Some(Rule::Python)),
            Ok((Scheme::Legacy, Rule::Python))
        );
        assert_eq!(
            detect(&f, None, Some(Rule::V1)),
            Err(Refusal::RuleScheme(crate::target::SchemeMismatch {
                rule: Rule::V1,
                scheme: Scheme::Legacy
            }))
        );
        assert_eq!(
            detect(&f, Some(Scheme::V1), None),
            Ok((Scheme::V1, Rule::V1))
        );
        // Forcing legacy on a burn-only runtime is the user's call.
        let burn = facts(400, false, Some(6));
        assert_eq!(
            detect(&burn, Some(Scheme::Legacy), None),
            Ok((Scheme::Legacy, Rule::ChainLe))
        );
    }

    #[test]
    fn legacy_window_is_the_runtimes() {
        // head 100: the extrinsic runs in block 101; accepted 99..=101.
        assert_eq!(legacy_window(100, 100), Ok(()));
        assert_eq!(legacy_window(99, 100), Ok(()));
        assert_eq!(legacy_window(101, 100), Ok(()));
        assert!(matches!(
            legacy_window(98, 100),
            Err(WindowError::Stale {
                work: 98,
                now: 101,
                max_age: 2
            })
        ));
        assert!(matches!(
            legacy_window(102, 100),
            Err(WindowError::Future { .. })
        ));
        // A node reporting the last possible block: no overflow.
        assert_eq!(legacy_window(u64::MAX, u64::MAX), Ok(()));
        assert!(legacy_window(u64::MAX - 2, u64::MAX).is_err());
        assert_eq!(v1_window(u64::MAX - 1, u64::MAX, None), Ok(()));
        assert!(v1_window(u64::MAX, u64::MAX, None).is_ok());
    }

    #[test]
    fn v1_window_is_the_runtimes() {
        // head 100: the extrinsic runs in block 101; work 96..=100 accepted
        // (at most 5 blocks old), 101 is not before it.
        assert_eq!(v1_window(100, 100, None), Ok(()));
        assert_eq!(v1_window(99, 100, Some(98)), Ok(()));
        assert_eq!(v1_window(96, 100, None), Ok(()), "5 blocks old");
        assert!(matches!(
            v1_window(101, 100, None),
            Err(WindowError::Future { .. })
        ));
        assert_eq!(
            v1_window(95, 100, None),
            Err(WindowError::Stale {
                work: 95,
                now: 101,
                max_age: 5
            }),
            "6 blocks old"
        );
        assert!(matches!(
            v1_window(100, 100, Some(100)),
            Err(WindowError::NotAfterLast { .. })
        ));
        assert!(matches!(
            v1_window(100, 100, Some(150)),
            Err(WindowError::NotAfterLast { .. })
        ));
    }

    #[test]
    fn signers_and_calls() {
        assert_eq!(required_signer(Scheme::Legacy), Signer::Hotkey);
        assert_eq!(required_signer(Scheme::V1), Signer::Coldkey);
        let v1 = Registration::V1 {
            netuid: 1,
            work_block: 5,
            nonce: 7,
            work: [1; 32],
            hotkey: [2; 32],
        };
        assert_eq!(
            (v1.call_name(), v1.signer()),
            ("pow_register", Signer::Coldkey)
        );
        let legacy = Registration::Legacy {
            netuid: 1,
            block_number: 5,
            nonce: 7,
            work: [1; 32],
            hotkey: [2; 32],
            coldkey: [3; 32],
        };
        assert_eq!(
            (legacy.call_name(), legacy.signer()),
            ("register", Signer::Hotkey)
        );
    }

    /// The submit verdict, one row per branch: the scheme, the work block,
    /// the head, the last proof-of-work block, the difficulty now (the seal
    /// was solved for 50), whether it decays, the largest difficulty the
    /// seal meets, and the verdict.
    #[test]
    fn the_submit_verdict_table() {
        #[derive(Debug, PartialEq)]
        enum Want {
            Submit,
            StaleWindow,
            StaleDifficulty,
            WaitFor(u64),
        }
        use Scheme::{Legacy, V1};
        use Want::*;
        const DECAY: Decay = Decay {
            stored: 1_000_000,
            min: 1,
            max: u64::MAX,
            half_life: 2,
        };
        type Row = (Scheme, u64, u64, Option<u64>, u64, bool, u64, Want);
        let rows: [Row; 10] = [
            (Legacy, 100, 101, None, 50, false, 50, Submit),
            (Legacy, 100, 103, None, 50, false, 50, StaleWindow),
            (Legacy, 100, 101, None, 80, false, 60, StaleDifficulty),
            (Legacy, 100, 101, None, 80, false, 90, Submit),
            (V1, 100, 104, None, 50, false, 50, Submit),
            (V1, 100, 105, None, 50, false, 50, StaleWindow),
            (V1, 100, 101, Some(100), 50, false, 50, StaleWindow),
            (
                V1,
                100,
                101,
                None,
                1_000_000,
                false,
                600_000,
                StaleDifficulty,
            ),
            (V1, 100, 101, None, 1_000_000, true, 600_000, WaitFor(103)),
            (V1, 100, 101, None, 1_000_000, true, 10, StaleDifficulty),
        ];
        let d = |v: u64| Difficulty::new(v).unwrap();
        for (scheme, work, head, last, now, decays, best, want) in rows {
            let decay = decays.then_some(DECAY);
            let got = verdict(scheme, work, head, last, d(50), d(now), decay, |x| {
                x.get() <= best
            });
            let row = format!("{scheme} work {work} head {head} last {last:?} now {now}");
            match (&got, &want) {
                (Verdict::Submit, Submit) => {}
                (
                    Verdict::Stale {
                        window: Some(_), ..
                    },
                    StaleWindow,
                ) => {}
                (Verdict::Stale { window: None, .. }, StaleDifficulty) => {}
                (Verdict::Wait { block, difficulty }, WaitFor(at)) => {
                    assert_eq!(*block, *at, "{row}");
                    assert_eq!(difficulty.get(), DECAY.after(at - head), "{row}");
                }
                _ => panic!("{row}: {got:?}, want {want:?}"),
            }
        }
        // The decay row really needs a later block: one block is not
        // enough to fall under 600 000 at half-life 2 from 1 000 000, two
        // are.
        assert!(DECAY.after(1) > 600_000 && DECAY.after(2) <= 600_000);
    }

    #[test]
    fn dispatch_errors_that_a_later_block_cures() {
        let table = [
            ("HotKeyAlreadyRegisteredInSubNet", true, true),
            ("InvalidWorkBlock", true, false),
            ("TooManyRegistrationsThisBlock", true, false),
            ("TooManyRegistrationsThisInterval", true, false),
            ("InvalidDifficulty", true, false),
            ("InvalidSeal", true, false),
            ("TransactorAccountShouldBeHotKey", false, false),
            ("SubNetworkDoesNotExist", false, false),
        ];
        for (name, unforced, forced) in table {
            assert_eq!(dispatch_error_goes_on(name, false), unforced, "{name}");
            assert_eq!(dispatch_error_goes_on(name, true), forced, "{name} forced");
        }
    }
}
