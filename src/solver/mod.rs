//! The solver: every core searching one job, and the answer still exact.
//!
//! The nonces are walked in an [`Order`] (ascending, or v1's midstate
//! order), as indices from `order.index(start)` up to 2^64-1 cut into fixed
//! chunks: chunk `k` is indices `[first + k·chunk, first + (k+1)·chunk)`. Workers take chunks in
//! order from a shared counter and search each with the engine. A worker
//! that finds a solution in chunk `k` lowers the limit so no chunk above
//! `k` is started; the coordinator answers once every chunk below the
//! lowest hit has been searched. So the answer is the first valid nonce in
//! the order from `start` (with `Order::Sequential`, the lowest valid nonce),
//! whatever the thread count: exactly what one sequential scan would find.
//!
//! A search is a [`Run`]: [`Solver::start`] begins it and returns its
//! handle, whose stop flag and message channel are the run's own, so a stop
//! or a swap sent at any moment after `start` (even before anyone waits)
//! reaches it. [`Run::join`] coordinates on the calling thread: it sees the
//! stop flag and the deadline within a few milliseconds, swaps in a new job
//! when [`Control::swap`] is called (the chain's next block), keeps the
//! rate statistics, and re-checks every solution with the reference engine
//! before returning it.
//!
//! The workers are the solver's own threads (`pool`), kept between runs
//! (the SDK's batches are milliseconds long), rather than a rayon pool:
//! chunks must be taken in index order from one counter (that is what
//! makes the answer the first in the order), a swap must reach every worker
//! between two chunks, and a stop must end them within a chunk. A parallel
//! iterator owns neither its order nor its cancellation that way.
//! bittensor-core's contract (the `miner` module) runs on a solver too.

mod chunks;
mod pool;
mod settings;

pub use settings::{EngineChoice, Request, SettingsError};

use std::collections::BTreeSet;
use std::num::NonZeroU64;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::engine::{reference, Engine, Order, SearchError, Solution};
use crate::job::Job;
use thiserror::Error;

pub(crate) use chunks::Chunks;
use pool::{lock, Pool, Turn, Work};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
/// Why a solve failed.
#[non_exhaustive]
pub enum SolveError {
    /// An engine bug: never shown to the user as a solution.
    #[error("engine {engine} reported nonce {nonce}, which the reference rejects")]
    InvalidSolution {
        /// The engine.
        engine: &'static str,
        /// The nonce it reported.
        nonce: u64,
    },
    /// An engine failed (a device error): the solve ends with it.
    #[error(transparent)]
    Engine(#[from] SearchError),
}

#[derive(Clone, Debug)]
/// How a solver runs.
pub struct SolveOptions {
    /// Worker threads (at least 1).
    pub threads: usize,
    /// Nonces per chunk: small enough that a stop or a new block is seen
    /// within milliseconds, large enough that handing out chunks costs nothing.
    pub chunk: NonZeroU64,
    /// Give up after this long.
    pub max_time: Option<Duration>,
    /// How often `progress` is called.
    pub progress_every: Duration,
    /// The order nonces are searched in.
    pub order: Order,
    /// Search at most this many indices of the order from the start (the
    /// solve ends [`SolveOutcome::Exhausted`] after them); `None`: up to 2^64-1.
    pub limit: Option<u64>,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            threads: Request::all_cores(),
            chunk: NonZeroU64::new(1 << 15).expect("not zero"),
            max_time: None,
            progress_every: Duration::from_millis(250),
            order: Order::Sequential,
            limit: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
/// How a solve ended.
pub enum SolveOutcome {
    /// The first valid nonce in the solver's order from the job's start
    /// (the lowest one in [`Order::Sequential`]); `generation` counts the
    /// jobs swapped in (0 = the first job), so a caller knows which it solves.
    Found {
        /// The solution, verified by the reference.
        solution: Solution,
        /// Which job it solves.
        generation: u64,
    },
    /// Every nonce from `start` to 2^64-1 (or the `limit`) was tried.
    Exhausted,
    /// [`Control::stop`] was called.
    Stopped,
    /// `max_time` passed.
    TimedOut,
}

/// Hash-rate statistics as btcli shows them: an exponentially weighted mean
/// over the last 10 samples (weight 0.8^age, newest first) and the
/// perpetual rate (all nonces over all time). pow.py keeps the same window
/// and alpha but applies the weights oldest-first from a zero-filled
/// window; here the newest sample counts most.
#[derive(Clone, Debug, Default)]
pub(crate) struct RateStats {
    samples: Vec<f64>,
    /// Nonces per second, EWMA.
    pub(crate) ewma: f64,
    /// Nonces per second since the start.
    pub(crate) perpetual: f64,
}

impl RateStats {
    /// Samples in the EWMA window.
    pub(crate) const SAMPLES: usize = 10;
    /// The weight of each older sample relative to the next.
    pub(crate) const ALPHA: f64 = 0.8;

    /// Adds one sample: `hashes` nonces in `dt`, and `total` in `elapsed`.
    pub(crate) fn update(&mut self, hashes: u64, dt: Duration, total: u64, elapsed: Duration) {
        if dt > Duration::ZERO {
            if self.samples.len() == Self::SAMPLES {
                self.samples.remove(0);
            }
            self.samples.push(hashes as f64 / dt.as_secs_f64());
            let (mut num, mut den, mut w) = (0.0, 0.0, 1.0);
            for rate in self.samples.iter().rev() {
                num += w * rate;
                den += w;
                w *= Self::ALPHA;
            }
            self.ewma = num / den;
        }
        if elapsed > Duration::ZERO {
            self.perpetual = total as f64 / elapsed.as_secs_f64();
        }
    }
}

/// How a solve went, or is going (for `progress`).
#[derive(Clone, Debug)]
pub struct Report {
    /// How it ended (a running report says `Stopped`).
    pub outcome: SolveOutcome,
    /// Nonces hashed, over all jobs.
    pub hashes: u64,
    /// Time since the start.
    pub elapsed: Duration,
    /// The rates.
    pub(crate) rates: RateStats,
    /// The generation of the job being solved.
    pub generation: u64,
}

impl Report {
    /// Nonces per second lately: an EWMA over the last 10 progress
    /// samples, the newest weighing most.
    pub fn recent_rate(&self) -> f64 {
        self.rates.ewma
    }

    /// Nonces per second since the start.
    pub fn overall_rate(&self) -> f64 {
        self.rates.perpetual
    }

    /// The perpetual rate (nonces per second).
    pub fn rate(&self) -> f64 {
        self.hashes as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Steers a run from any thread: swap the job, or stop. It belongs to one
/// run, so nothing sent through it can reach another.
#[derive(Clone)]
pub struct Control {
    tx: Sender<Msg>,
    stop: Arc<AtomicBool>,
}

impl Control {
    /// Searches `job` from `start` instead, as soon as the workers finish
    /// their current chunks; results for the old job are dropped.
    pub fn swap(&self, job: Job, start: u64) {
        let _ = self.tx.send(Msg::Swap(Box::new(job), start));
    }

    /// Ends the run with [`SolveOutcome::Stopped`] within milliseconds.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

enum Msg {
    Chunk {
        generation: u64,
        index: u64,
        hashes: u64,
        found: Option<Solution>,
    },
    Swap(Box<Job>, u64),
    /// A worker's engine failed.
    Failed(SearchError),
}

/// How one run walks the nonces.
#[derive(Clone, Copy, Debug)]
struct Walk {
    order: Order,
    chunk: NonZeroU64,
    limit: Option<u64>,
}

/// One job being searched: what workers share.
struct Epoch {
    generation: u64,
    job: Job,
    order: Order,
    /// The first index searched.
    start: u64,
    /// One past the last index searched (at most 2^64).
    end: u128,
    chunk: NonZeroU64,
    chunks: Chunks,
}

impl Epoch {
    /// Indices `[start, start + limit)` of the walk's order from
    /// `start_nonce`, cut at 2^64-1; `limit` is at least 1.
    fn new(generation: u64, job: Job, start_nonce: u64, walk: Walk) -> Self {
        let start = walk.order.index(start_nonce);
        let limit = walk.limit.map_or(1u128 << 64, |n| u128::from(n.max(1)));
        let end = (u128::from(start) + limit).min(1u128 << 64);
        let last = ((end - 1 - u128::from(start)) / u128::from(walk.chunk.get())) as u64;
        Epoch {
            generation,
            job,
            order: walk.order,
            start,
            end,
            chunk: walk.chunk,
            chunks: Chunks::new(last),
        }
    }

    /// Chunk `k` as (first index, count); it never passes the end.
    fn range(&self, k: u64) -> (u64, u64) {
        let first = u128::from(self.start) + u128::from(k) * u128::from(self.chunk.get());
        let count = u128::from(self.chunk.get()).min(self.end - first);
        (first as u64, count as u64)
    }
}

/// What a run's workers share.
struct RunShared {
    engine: Arc<dyn Engine>,
    current: Mutex<Arc<Epoch>>,
    /// The run has ended: workers go back to the pool.
    quit: AtomicBool,
    /// The solver (its pool) is gone: the run's work ends too.
    shutdown: Arc<AtomicBool>,
    tx: Sender<Msg>,
}

impl Work for RunShared {
    fn work(&self) {
        while !self.quit.load(Ordering::Relaxed) && !self.shutdown.load(Ordering::Relaxed) {
            let epoch = lock(&self.current).clone();
            // Nothing left below the lowest hit: back to the pool until
            // the run ends or a new job is published.
            let Some(index) = epoch.chunks.take() else {
                return;
            };
            let (first, count) = epoch.range(index);
            let found = match self.engine.search_in(&epoch.job, epoch.order, first, count) {
                Ok(found) => found,
                Err(e) => {
                    // The coordinator ends the run with it.
                    let _ = self.tx.send(Msg::Failed(e));
                    return;
                }
            };
            if found.is_some() {
                epoch.chunks.hit(index);
            }
            let hashes = found.map_or(count, |s| epoch.order.index(s.nonce) - first + 1);
            let msg = Msg::Chunk {
                generation: epoch.generation,
                index,
                hashes,
                found,
            };
            if self.tx.send(msg).is_err() {
                return;
            }
        }
    }

    fn panicked(&self) {
        let _ = self.tx.send(Msg::Failed(SearchError::Device {
            engine: self.engine.name(),
            message: "the engine panicked in a worker thread".into(),
        }));
    }
}

/// A solver over one engine, with its worker threads.
pub struct Solver {
    engine: Arc<dyn Engine>,
    options: SolveOptions,
    pool: Pool,
}

/// One search in progress; see [`Solver::start`].
pub struct Run {
    shared: Arc<RunShared>,
    rx: Receiver<Msg>,
    stop: Arc<AtomicBool>,
    walk: Walk,
    max_time: Option<Duration>,
    progress_every: Duration,
    /// `limit` 0: nothing to search.
    empty: bool,
    began: Instant,
    turn: Turn,
}

impl Drop for Run {
    fn drop(&mut self) {
        // However the run ends (joined, or dropped), its workers stop.
        self.shared.quit.store(true, Ordering::SeqCst);
    }
}

impl Solver {
    /// A solver running `engine` with `options`; its `options.threads`
    /// workers start now and wait for runs.
    pub fn new(engine: Arc<dyn Engine>, options: SolveOptions) -> Self {
        let pool = Pool::new(options.threads);
        Solver {
            engine,
            options,
            pool,
        }
    }

    /// The engine.
    pub fn engine(&self) -> &dyn Engine {
        self.engine.as_ref()
    }

    /// The options.
    pub fn options(&self) -> &SolveOptions {
        &self.options
    }

    /// Starts searching `job` from nonce `start` (the workers begin at
    /// once) and returns the run's handle. One run uses the solver at a
    /// time: this waits while another run of the same solver is going.
    pub fn start(&self, job: Job, start: u64) -> Result<Run, SolveError> {
        let walk = Walk {
            order: self.options.order,
            chunk: self.options.chunk,
            limit: self.options.limit,
        };
        self.start_walk(job, start, walk)
    }

    /// [`Solver::start`] over `[start, start + count)` in sequential order
    /// in chunks of `chunk` (the miner's batches).
    pub(crate) fn start_range(
        &self,
        job: Job,
        start: u64,
        count: u64,
        chunk: NonZeroU64,
    ) -> Result<Run, SolveError> {
        let walk = Walk {
            order: Order::Sequential,
            chunk,
            limit: Some(count),
        };
        self.start_walk(job, start, walk)
    }

    fn start_walk(&self, job: Job, start: u64, walk: Walk) -> Result<Run, SolveError> {
        let turn = self.pool.acquire();
        let (tx, rx) = mpsc::channel();
        let shared = Arc::new(RunShared {
            engine: self.engine.clone(),
            current: Mutex::new(Arc::new(Epoch::new(0, job, start, walk))),
            quit: AtomicBool::new(false),
            shutdown: self.pool.shutdown_flag(),
            tx,
        });
        let empty = walk.limit == Some(0);
        if !empty {
            turn.publish(shared.clone());
        }
        Ok(Run {
            shared,
            rx,
            stop: Arc::new(AtomicBool::new(false)),
            walk,
            max_time: self.options.max_time,
            progress_every: self.options.progress_every,
            empty,
            began: Instant::now(),
            turn,
        })
    }

    /// Searches `job` from nonce `start` until a solution, a stop, the
    /// deadline or 2^64-1; `progress` sees a running report now and then.
    /// ([`Solver::start`] and [`Run::join`] in one.)
    pub fn solve(
        &self,
        job: Job,
        start: u64,
        progress: impl FnMut(&Report),
    ) -> Result<Report, SolveError> {
        self.start(job, start)?.join(progress)
    }
}

impl Run {
    /// A handle to swap jobs or stop, usable from any thread.
    pub fn control(&self) -> Control {
        Control {
            tx: self.shared.tx.clone(),
            stop: self.stop.clone(),
        }
    }

    /// Stops the run (as [`Control::stop`]).
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    /// Waits for the run's end on the calling thread, which coordinates:
    /// the first valid nonce in the order, a stop, the deadline or the end
    /// of the range; `progress` sees a running report now and then.
    pub fn join(self, mut progress: impl FnMut(&Report)) -> Result<Report, SolveError> {
        if self.empty {
            return Ok(Report {
                outcome: SolveOutcome::Exhausted,
                hashes: 0,
                elapsed: Duration::ZERO,
                rates: RateStats::default(),
                generation: 0,
            });
        }
        self.coordinate(&mut progress)
    }

    fn coordinate(&self, progress: &mut impl FnMut(&Report)) -> Result<Report, SolveError> {
        let began = self.began;
        let mut epoch = lock(&self.shared.current).clone();
        let mut done = BTreeSet::new(); // completed chunks above `low`
        let mut low = 0u64; // every chunk below this is complete
        let mut best: Option<(u64, Solution)> = None;
        let (mut hashes, mut last_hashes) = (0u64, 0u64);
        let mut last_tick = began;
        let mut rates = RateStats::default();
        let report = |outcome, hashes, rates: &RateStats, generation| Report {
            outcome,
            hashes,
            elapsed: began.elapsed(),
            rates: rates.clone(),
            generation,
        };
        loop {
            match self.rx.recv_timeout(Duration::from_millis(5)) {
                Ok(Msg::Chunk {
                    generation,
                    index,
                    hashes: h,
                    found,
                }) => {
                    hashes += h;
                    if generation == epoch.generation {
                        if let Some(solution) = found {
                            if !reference::is_valid(&epoch.job, &solution) {
                                return Err(SolveError::InvalidSolution {
                                    engine: self.shared.engine.name(),
                                    nonce: solution.nonce,
                                });
                            }
                            if best.is_none_or(|(k, _)| index < k) {
                                best = Some((index, solution));
                            }
                        }
                        done.insert(index);
                        while done.remove(&low) {
                            low += 1;
                        }
                    }
                }
                Ok(Msg::Swap(job, start)) => {
                    let next = Epoch::new(epoch.generation + 1, *job, start, self.walk);
                    epoch = Arc::new(next);
                    *lock(&self.shared.current) = epoch.clone();
                    // Workers that had run out of chunks come back for these.
                    self.turn.publish(self.shared.clone());
                    (done, low, best) = (BTreeSet::new(), 0, None);
                }
                Ok(Msg::Failed(e)) => return Err(SolveError::Engine(e)),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => unreachable!("the run holds a sender"),
            }
            let g = epoch.generation;
            if let Some((k, solution)) = best {
                if low > k {
                    let outcome = SolveOutcome::Found {
                        solution,
                        generation: g,
                    };
                    return Ok(report(outcome, hashes, &rates, g));
                }
            } else if low > epoch.chunks.last() {
                return Ok(report(SolveOutcome::Exhausted, hashes, &rates, g));
            }
            if self.stop.load(Ordering::SeqCst) {
                return Ok(report(SolveOutcome::Stopped, hashes, &rates, g));
            }
            if self.max_time.is_some_and(|t| began.elapsed() >= t) {
                return Ok(report(SolveOutcome::TimedOut, hashes, &rates, g));
            }
            let now = Instant::now();
            if now - last_tick >= self.progress_every {
                rates.update(hashes - last_hashes, now - last_tick, hashes, now - began);
                (last_hashes, last_tick) = (hashes, now);
                progress(&report(SolveOutcome::Stopped, hashes, &rates, g));
            }
        }
    }
}

#[cfg(test)]
mod tests;
