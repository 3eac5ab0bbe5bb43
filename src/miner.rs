//! The Bittensor SDK's miner contract on btpow's engines.
//!
//! bittensor 11.3.0 mines `pow_register` proofs by calling bittensor-core's
//! `pow_mine_cpu(prefix, difficulty, start, attempts)` (and
//! `PowGpuMiner.mine`, the same arguments) over batches of 100,000 nonces:
//! it checks the 123-byte v1 prefix, then returns the FIRST nonce of
//! `start, start+1, …, start+attempts-1` (counted modulo 2^64: a batch that
//! passes 2^64-1 goes on from 0) whose seal meets `difficulty`, with that
//! seal. [`Miner`] keeps that contract exactly (the same checks in the same
//! order, the same messages, the same answer for every input) and runs it on
//! any engine over as many threads as it is given; the Python module's
//! `pow_mine_cpu` is this with the fastest CPU engine on every core.
//!
//! It runs on a [`Solver`]: a batch is one run over `[start, start +
//! attempts)` in sequential order, on the solver's worker threads, which
//! are kept between batches (the SDK calls batch after batch, each only
//! milliseconds long). Batches from several callers at once take turns.

use std::num::NonZeroU64;
use std::sync::Arc;

use thiserror::Error;

use crate::challenge::v1::PREFIX_LEN;
use crate::engine::{Engine, Solution};
use crate::job::{Job, JobData};
use crate::solver::{SolveError, SolveOptions, SolveOutcome, Solver};
use crate::target::{Difficulty, Rule};
use crate::V1Challenge;

/// Why a batch is refused or failed. The messages of the argument checks
/// are bittensor-core 0.1.5's, word for word (callers may match on them).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum MinerError {
    /// Not 123 bytes, or not opened by the v1 domain tag.
    #[error("expected the 123-byte subnet registration challenge prefix")]
    Prefix,
    /// netuid 0: the root network takes no PoW registrations.
    #[error("PoW registration is unavailable on root")]
    Root,
    /// 0 attempts, or more than [`Miner::MAX_ATTEMPTS`].
    #[error("PoW batch must contain 1..1048576 attempts")]
    Attempts,
    /// Difficulty 0.
    #[error("PoW difficulty must be positive")]
    Difficulty,
    /// The engine failed (a device error) or reported a seal the reference
    /// rejects: no answer is given.
    #[error(transparent)]
    Solve(#[from] SolveError),
}

/// One engine on some threads, answering batches. Batches from several
/// callers at once take turns (each uses every thread).
pub struct Miner {
    solver: Solver,
}

impl Miner {
    /// The most nonces one batch may hold (bittensor-core's bound).
    pub const MAX_ATTEMPTS: u64 = 1 << 20;

    /// A v1 prefix as the SDK's `registration_prefix` makes it, checked as
    /// bittensor-core checks it: 123 bytes, the domain tag, netuid not 0.
    pub fn check_prefix(prefix: &[u8]) -> Result<[u8; PREFIX_LEN], MinerError> {
        let prefix: [u8; PREFIX_LEN] = prefix.try_into().map_err(|_| MinerError::Prefix)?;
        if !prefix.starts_with(V1Challenge::DOMAIN) {
            return Err(MinerError::Prefix);
        }
        if prefix[25..27] == [0, 0] {
            return Err(MinerError::Root);
        }
        Ok(prefix)
    }

    /// Checks a batch size against bittensor-core's bound.
    pub fn check_attempts(attempts: u64) -> Result<(), MinerError> {
        if (1..=Self::MAX_ATTEMPTS).contains(&attempts) {
            Ok(())
        } else {
            Err(MinerError::Attempts)
        }
    }

    /// `engine` on `threads` worker threads (at least 1), started now and
    /// kept until the miner is dropped.
    pub fn new(engine: Arc<dyn Engine>, threads: usize) -> Self {
        let options = SolveOptions {
            threads: threads.max(1),
            ..SolveOptions::default()
        };
        Miner {
            solver: Solver::new(engine, options),
        }
    }

    /// The engine.
    pub fn engine(&self) -> &dyn Engine {
        self.solver.engine()
    }

    /// The worker threads.
    pub fn threads(&self) -> usize {
        self.solver.options().threads
    }

    /// bittensor-core's `pow_mine_cpu(prefix, difficulty, start, attempts)`:
    /// checks the arguments (prefix, then attempts, then difficulty, as it
    /// does), then the first valid nonce of the batch in sequential order,
    /// modulo 2^64, verified by the reference.
    pub fn mine(
        &self,
        prefix: &[u8],
        difficulty: u64,
        start: u64,
        attempts: u64,
    ) -> Result<Option<Solution>, MinerError> {
        let prefix = Self::check_prefix(prefix)?;
        Self::check_attempts(attempts)?;
        self.mine_unbounded(prefix, difficulty, start, attempts)
    }

    /// [`Miner::mine`] for a prefix already checked, without the bound on `attempts` (a GPU miner's batch
    /// is one bound per device); 0 attempts find nothing.
    pub fn mine_unbounded(
        &self,
        prefix: [u8; PREFIX_LEN],
        difficulty: u64,
        start: u64,
        attempts: u64,
    ) -> Result<Option<Solution>, MinerError> {
        let difficulty = Difficulty::new(difficulty).map_err(|_| MinerError::Difficulty)?;
        let job = Job::from_data(JobData::V1 { prefix }, Rule::V1, difficulty)
            .expect("the v1 rule is the v1 scheme's");
        // The batch as at most two ranges that do not wrap: from `start` to
        // 2^64-1, then on from 0.
        let before_wrap = (u64::MAX - start).saturating_add(1).min(attempts);
        let first = self.first_valid(&job, start, before_wrap)?;
        if first.is_some() || before_wrap == attempts {
            return Ok(first);
        }
        self.first_valid(&job, 0, attempts - before_wrap)
    }

    /// The first valid nonce of `[start, start + count)` (not wrapping).
    fn first_valid(
        &self,
        job: &Job,
        start: u64,
        count: u64,
    ) -> Result<Option<Solution>, MinerError> {
        if count == 0 {
            return Ok(None);
        }
        // Enough chunks that every thread has many (a batch is small, and a
        // thread that starts late must not leave the others a long tail),
        // none so small that handing them out costs more than hashing them.
        let per_thread = count.div_ceil(self.threads() as u64 * 16);
        let chunk = per_thread.clamp(1 << 10, self.engine().preferred_chunk().get().max(1 << 10));
        let chunk = NonZeroU64::new(chunk).expect("at least 1 << 10");
        let report = self
            .solver
            .start_range(job.clone(), start, count, chunk)?
            .join(|_| {})?;
        match report.outcome {
            // Verified by the reference in the run.
            SolveOutcome::Found { solution, .. } => Ok(Some(solution)),
            SolveOutcome::Exhausted => Ok(None),
            // A batch has no deadline and no stop.
            SolveOutcome::Stopped | SolveOutcome::TimedOut => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::thread;

    use super::*;
    use crate::challenge::V1Challenge;
    use crate::engine::reference::{self, Reference};

    fn prefix(netuid: u16, seed: u8) -> [u8; PREFIX_LEN] {
        V1Challenge::new(netuid, [seed; 32], [2; 32], [3; 32]).prefix()
    }

    /// The contract, one nonce at a time with the reference.
    fn oracle(prefix: [u8; PREFIX_LEN], d: u64, start: u64, attempts: u64) -> Option<Solution> {
        let job = Job::from_data(
            JobData::V1 { prefix },
            Rule::V1,
            Difficulty::new(d).unwrap(),
        )
        .unwrap();
        (0..attempts)
            .map(|i| start.wrapping_add(i))
            .map(|nonce| Solution {
                nonce,
                seal: reference::seal(&job, nonce),
            })
            .find(|s| job.target().meets(&s.seal))
    }

    #[test]
    fn arguments_are_checked_in_bittensor_cores_order() {
        let m = Miner::new(Arc::new(Reference), 1);
        let good = prefix(1, 0);
        assert_eq!(m.mine(&good[..122], 0, 0, 0), Err(MinerError::Prefix));
        let mut untagged = good;
        untagged[0] = b'S';
        assert_eq!(m.mine(&untagged, 1, 0, 1), Err(MinerError::Prefix));
        assert_eq!(m.mine(&prefix(0, 0), 0, 0, 0), Err(MinerError::Root));
        assert_eq!(m.mine(&good, 0, 0, 0), Err(MinerError::Attempts));
        assert_eq!(
            m.mine(&good, 1, 0, Miner::MAX_ATTEMPTS + 1),
            Err(MinerError::Attempts)
        );
        assert_eq!(m.mine(&good, 0, 0, 1), Err(MinerError::Difficulty));
        assert!(m.mine(&good, 1, 0, Miner::MAX_ATTEMPTS).unwrap().is_some());
    }

    #[test]
    fn a_miner_answers_batch_after_batch_and_from_several_callers() {
        let m = Arc::new(Miner::new(Arc::new(Reference), 3));
        let p = prefix(2, 9);
        let callers: Vec<_> = (0..3u64)
            .map(|c| {
                let m = m.clone();
                thread::spawn(move || {
                    for i in 0..20u64 {
                        let start = (c * 1000 + i) * 777;
                        assert_eq!(
                            m.mine(&p, 300, start, 2000).unwrap(),
                            oracle(p, 300, start, 2000)
                        );
                    }
                })
            })
            .collect();
        for c in callers {
            c.join().unwrap();
        }
    }

    #[test]
    fn the_first_valid_nonce_modulo_2_64() {
        for threads in [1, 3] {
            let m = Miner::new(Arc::new(Reference), threads);
            for (seed, d, start, attempts) in [
                (1, 50, 0, 5000),
                (2, 3, u64::MAX - 3, 20),
                (3, 2000, u64::MAX - 100, 3000),
                (4, 1 << 40, 17, 2000),
                (5, u64::MAX, u64::MAX, 1),
            ] {
                let p = prefix(7, seed);
                assert_eq!(
                    m.mine(&p, d, start, attempts).unwrap(),
                    oracle(p, d, start, attempts),
                    "seed {seed}, d {d}, start {start}, attempts {attempts}, threads {threads}"
                );
            }
        }
    }
}
