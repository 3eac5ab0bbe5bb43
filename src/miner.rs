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
//! A batch is short (100,000 nonces: milliseconds), so a miner keeps its
//! worker threads between batches rather than starting them per batch, and
//! an idle worker spins for a few milliseconds before it sleeps: the SDK
//! calls batch after batch, and a sleeping thread (on a VM, a halted vCPU)
//! takes long to wake against a batch that short. The calling thread works
//! too. Chunks are taken in order from one counter and a chunk above the
//! lowest one with a hit is skipped, so the answer is the first valid nonce
//! whatever the thread count.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use thiserror::Error;

use crate::challenge::v1::{DOMAIN, PREFIX_LEN};
use crate::engine::{reference, Engine, SearchError, Solution};
use crate::job::{Job, JobData};
use crate::solver::{Chunks, SolveError};
use crate::target::{Difficulty, Rule};

/// The most nonces one batch may hold (bittensor-core's bound).
pub const MAX_ATTEMPTS: u64 = 1 << 20;

/// Why a batch is refused or failed. The messages of the argument checks
/// are bittensor-core 0.1.5's, word for word (callers may match on them).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MinerError {
    /// Not 123 bytes, or not opened by the v1 domain tag.
    #[error("expected the 123-byte subnet registration challenge prefix")]
    Prefix,
    /// netuid 0: the root network takes no PoW registrations.
    #[error("PoW registration is unavailable on root")]
    Root,
    /// 0 attempts, or more than [`MAX_ATTEMPTS`].
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

/// A v1 prefix as the SDK's `registration_prefix` makes it, checked as
/// bittensor-core checks it: 123 bytes, the domain tag, netuid not 0.
pub fn check_prefix(prefix: &[u8]) -> Result<[u8; PREFIX_LEN], MinerError> {
    let prefix: [u8; PREFIX_LEN] = prefix.try_into().map_err(|_| MinerError::Prefix)?;
    if !prefix.starts_with(DOMAIN) {
        return Err(MinerError::Prefix);
    }
    if prefix[25..27] == [0, 0] {
        return Err(MinerError::Root);
    }
    Ok(prefix)
}

/// Checks a batch size against bittensor-core's bound.
pub fn check_attempts(attempts: u64) -> Result<(), MinerError> {
    if (1..=MAX_ATTEMPTS).contains(&attempts) {
        Ok(())
    } else {
        Err(MinerError::Attempts)
    }
}

/// One engine on some threads, answering batches. Batches from several
/// callers at once take turns (each uses every thread).
pub struct Miner {
    engine: Arc<dyn Engine>,
    threads: usize,
    shared: Arc<Shared>,
    workers: Vec<JoinHandle<()>>,
    /// One batch at a time.
    turn: Mutex<()>,
}

/// What the caller and the workers share.
struct Shared {
    /// The batch in progress and its number (0: none yet).
    current: Mutex<(u64, Option<Arc<Batch>>)>,
    /// `current`'s number, for spinning without the lock.
    generation: AtomicU64,
    wake: Condvar,
    shutdown: AtomicBool,
}

/// One batch: `count` nonces from `start` (not wrapping) in `chunks` chunks.
struct Batch {
    engine: Arc<dyn Engine>,
    job: Job,
    start: u64,
    count: u64,
    chunk: u64,
    chunks: Chunks,
    found: Mutex<Option<(u64, Solution)>>,
    failed: Mutex<Option<SearchError>>,
    /// Participants (workers and the caller) not yet done with it.
    pending: AtomicUsize,
}

/// A lock, whether or not a thread panicked holding it (the data is
/// either untouched or a finished write).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// How long an idle worker spins for the next batch before it sleeps.
const SPIN: Duration = Duration::from_millis(3);

impl Batch {
    /// Takes chunks until none is left below the lowest hit.
    fn work(&self) {
        while let Some(k) = self.chunks.take() {
            let first = self.start + k * self.chunk;
            let n = self.chunk.min(self.count - k * self.chunk);
            match self.engine.search(&self.job, first, n) {
                Ok(Some(solution)) => {
                    self.chunks.hit(k);
                    let mut found = lock(&self.found);
                    if found.is_none_or(|(j, _)| k < j) {
                        *found = Some((k, solution));
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    *lock(&self.failed) = Some(e);
                    // Everyone stops: the batch has failed.
                    self.chunks.close();
                    return;
                }
            }
        }
    }
}

fn worker(shared: &Shared) {
    let mut seen = 0u64;
    loop {
        // Spin a while for the next batch, then sleep until it comes.
        let idle = Instant::now();
        while shared.generation.load(Ordering::Acquire) == seen
            && !shared.shutdown.load(Ordering::Acquire)
            && idle.elapsed() < SPIN
        {
            for _ in 0..64 {
                std::hint::spin_loop();
            }
        }
        let batch = {
            let mut current = lock(&shared.current);
            while current.0 == seen && !shared.shutdown.load(Ordering::Acquire) {
                current = shared.wake.wait(current).unwrap_or_else(|e| e.into_inner());
            }
            if shared.shutdown.load(Ordering::Acquire) {
                return;
            }
            seen = current.0;
            current.1.clone()
        };
        if let Some(batch) = batch {
            // A panicking engine fails the batch; the caller must not wait
            // for this worker forever.
            let worked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| batch.work()));
            if worked.is_err() {
                let e = SearchError::Device {
                    engine: batch.engine.name(),
                    message: "the engine panicked in a worker thread".into(),
                };
                *lock(&batch.failed) = Some(e);
                batch.chunks.close();
            }
            batch.pending.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

impl Drop for Miner {
    fn drop(&mut self) {
        self.shared.shutdown.store(true, Ordering::Release);
        {
            let _current = lock(&self.shared.current);
            self.shared.wake.notify_all();
        }
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

impl Miner {
    /// `engine` on `threads` threads (at least 1): the caller and
    /// `threads - 1` workers started now and kept until the miner is dropped.
    pub fn new(engine: Arc<dyn Engine>, threads: usize) -> Self {
        let threads = threads.max(1);
        let shared = Arc::new(Shared {
            current: Mutex::new((0, None)),
            generation: AtomicU64::new(0),
            wake: Condvar::new(),
            shutdown: AtomicBool::new(false),
        });
        let workers = (1..threads)
            .map(|_| {
                let shared = shared.clone();
                thread::spawn(move || worker(&shared))
            })
            .collect();
        Miner {
            engine,
            threads,
            shared,
            workers,
            turn: Mutex::new(()),
        }
    }

    /// The engine.
    pub fn engine(&self) -> &dyn Engine {
        self.engine.as_ref()
    }

    /// The worker threads.
    pub fn threads(&self) -> usize {
        self.threads
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
        let prefix = check_prefix(prefix)?;
        check_attempts(attempts)?;
        self.mine_checked(prefix, difficulty, start, attempts)
    }

    /// [`Miner::mine`] without the bound on `attempts` (a GPU miner's batch
    /// is one bound per device); 0 attempts find nothing.
    pub fn mine_checked(
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
        let per_thread = count.div_ceil(self.threads as u64 * 16);
        let chunk = per_thread.clamp(1 << 10, self.engine.preferred_chunk().max(1 << 10));
        let batch = Arc::new(Batch {
            engine: self.engine.clone(),
            job: job.clone(),
            start,
            count,
            chunk,
            chunks: Chunks::new(count.div_ceil(chunk) - 1),
            found: Mutex::new(None),
            failed: Mutex::new(None),
            pending: AtomicUsize::new(self.threads),
        });
        let _turn = lock(&self.turn);
        {
            let mut current = lock(&self.shared.current);
            current.0 += 1;
            current.1 = Some(batch.clone());
            self.shared.generation.store(current.0, Ordering::Release);
            self.shared.wake.notify_all();
        }
        batch.work();
        batch.pending.fetch_sub(1, Ordering::AcqRel);
        // The workers finish their last chunks within a chunk's time.
        let waiting = Instant::now();
        while batch.pending.load(Ordering::Acquire) > 0 {
            if waiting.elapsed() < SPIN {
                std::hint::spin_loop();
            } else {
                thread::sleep(Duration::from_micros(50));
            }
        }
        if let Some(e) = lock(&batch.failed).take() {
            return Err(MinerError::Solve(SolveError::Engine(e)));
        }
        let found = lock(&batch.found).take();
        match found {
            Some((_, solution)) if !reference::is_valid(job, &solution) => {
                Err(MinerError::Solve(SolveError::InvalidSolution {
                    engine: self.engine.name(),
                    nonce: solution.nonce,
                }))
            }
            found => Ok(found.map(|(_, s)| s)),
        }
    }
}

#[cfg(test)]
mod tests {
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
            m.mine(&good, 1, 0, MAX_ATTEMPTS + 1),
            Err(MinerError::Attempts)
        );
        assert_eq!(m.mine(&good, 0, 0, 1), Err(MinerError::Difficulty));
        assert!(m.mine(&good, 1, 0, MAX_ATTEMPTS).unwrap().is_some());
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
