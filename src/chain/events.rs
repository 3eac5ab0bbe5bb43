//! What a registration run reports as it goes ([`Event`], to an
//! [`Events`] sink), and how it ends ([`RegisterOutcome`]).

use std::time::Duration;

use super::diagnosis::PoolCause;
use super::error::{ChainError, SubmitError};
use super::model::Registration;
use super::rules::WindowError;
use super::Head;
use crate::engine::Solution;
use crate::solver::Report;
use crate::Difficulty;

/// Who registered the hotkey, as far as this run can tell (serialized
/// as its name in lower case: `"us"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
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
#[non_exhaustive]
pub enum RegisterOutcome {
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
#[non_exhaustive]
pub enum WaitReason {
    /// `RegistrationsThisBlock` reached `MaxRegistrationsPerBlock`: the
    /// next block (whose `on_initialize` zeroes the count) frees it.
    SubnetFull {
        /// The block that is full.
        block: u64,
        /// `RegistrationsThisBlock`.
        registrations: u16,
        /// `MaxRegistrationsPerBlock`.
        limit: u16,
    },
    /// Watch mode, legacy runtimes: the interval's registrations are used
    /// up (`RegistrationsThisInterval` reached 3 ×
    /// `TargetRegistrationsPerInterval`: `TooManyRegistrationsThisInterval`).
    IntervalFull {
        /// The block read.
        block: u64,
        /// `RegistrationsThisInterval`.
        registrations: u64,
        /// The most the runtime takes in an interval.
        limit: u64,
        /// The block at which the interval resets, if the runtime says.
        resets_at: Option<u64>,
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
    /// v1: the hotkey's last proof-of-work registration used a work block
    /// at or after the head; the runtime takes work only from `until` on.
    WorkBlockAfter {
        /// The head now.
        block: u64,
        /// `LastPowRegistrationBlock` of the hotkey.
        last: u64,
        /// The first work block the runtime takes.
        until: u64,
    },
    /// v1: a seal in hand misses the difficulty now, and meets the one a
    /// later block checks (the difficulty decays each block), inside the
    /// work block's window.
    Decay {
        /// The head now.
        block: u64,
        /// The block to submit at.
        until: u64,
        /// The difficulty then.
        difficulty: Difficulty,
        /// The difficulty now.
        now: Difficulty,
    },
}

/// What a registration run reports as it goes.
#[derive(Debug)]
#[non_exhaustive]
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
