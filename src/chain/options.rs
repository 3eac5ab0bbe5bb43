//! How a registration run behaves: what it checks, how long it tries,
//! how often it polls, whether it waits.

use std::time::Duration;

use super::retry::Backoff;
use crate::Difficulty;

/// How a [`Registrar`](super::Registrar) runs.
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
