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
//! The coordinator (the calling thread) also sees the stop flag and the
//! deadline within a few milliseconds, swaps in a new job when
//! [`Control::swap`] is called (the chain's next block), keeps the rate
//! statistics, and re-checks every solution with the reference engine
//! before returning it.
//!
//! The workers are plain scoped threads rather than a rayon pool: chunks
//! must be taken in index order from one counter (that is what makes the
//! answer the first in the order), a swap must reach every worker between
//! two chunks, and a stop must end them within a chunk. A parallel iterator
//! owns neither its order nor its cancellation that way.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::engine::{reference, Engine, Order, SearchError, Solution};
use crate::job::Job;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
/// Why a solve failed.
pub enum SolveError {
    /// An engine bug: never shown to the user as a solution.
    #[error("engine {engine} reported nonce {nonce}, which the reference rejects")]
    InvalidSolution {
        /// The engine.
        engine: &'static str,
        /// The nonce it reported.
        nonce: u64,
    },
    /// No chunk size.
    #[error("nonce chunks must hold at least one nonce")]
    ZeroChunk,
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
    pub chunk: u64,
    /// Give up after this long.
    pub max_time: Option<Duration>,
    /// How often `progress` is called.
    pub progress_every: Duration,
    /// The order nonces are searched in.
    pub order: Order,
    /// Search at most this many indices of the order from the start (the
    /// solve ends [`Outcome::Exhausted`] after them); `None`: up to 2^64-1.
    pub limit: Option<u64>,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            threads: thread::available_parallelism().map_or(1, |n| n.get()),
            chunk: 1 << 15,
            max_time: None,
            progress_every: Duration::from_millis(250),
            order: Order::Sequential,
            limit: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
/// How a solve ended.
pub enum Outcome {
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
pub struct RateStats {
    samples: Vec<f64>,
    /// Nonces per second, EWMA.
    pub ewma: f64,
    /// Nonces per second since the start.
    pub perpetual: f64,
}

impl RateStats {
    /// Samples in the EWMA window.
    pub const SAMPLES: usize = 10;
    /// The weight of each older sample relative to the next.
    pub const ALPHA: f64 = 0.8;

    /// Adds one sample: `hashes` nonces in `dt`, and `total` in `elapsed`.
    pub fn update(&mut self, hashes: u64, dt: Duration, total: u64, elapsed: Duration) {
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

/// The chance that at least one of `tried` random nonces meets
/// `difficulty`: each meets with probability about 1/d, so 1 - e^(-tried/d).
pub fn chance_of_solution(tried: f64, difficulty: crate::Difficulty) -> f64 {
    1.0 - (-tried / difficulty.get() as f64).exp()
}

/// How a solve went, or is going (for `progress`).
#[derive(Clone, Debug)]
pub struct Report {
    /// How it ended (a running report says `Stopped`).
    pub outcome: Outcome,
    /// Nonces hashed, over all jobs.
    pub hashes: u64,
    /// Time since the start.
    pub elapsed: Duration,
    /// The rates.
    pub rates: RateStats,
    /// The generation of the job being solved.
    pub generation: u64,
}

impl Report {
    /// The perpetual rate (nonces per second).
    pub fn rate(&self) -> f64 {
        self.hashes as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Steers a running solve from another thread: swap the job, or stop.
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

    /// Ends the solve with [`Outcome::Stopped`] within milliseconds.
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
    /// A worker's engine failed; the worker has ended.
    Failed(SearchError),
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
    chunk: u64,
    chunks: Chunks,
}

/// Chunk indices `0..=last` handed out in order to any number of threads.
/// A hit in chunk `k` lowers `last` to `k`: no chunk above the lowest hit
/// is started, and every chunk below it is, so the first valid nonce is
/// found whatever the thread count. (`last` is inclusive so that 2^64
/// chunks of one nonce still fit.) The solver's and the miner's walk.
pub(crate) struct Chunks {
    next: AtomicU64,
    last: AtomicU64,
}

impl Chunks {
    /// Chunks `0..=last`.
    pub(crate) fn new(last: u64) -> Self {
        Chunks {
            next: AtomicU64::new(0),
            last: AtomicU64::new(last),
        }
    }

    /// The next chunk, or None when none is left below the lowest hit.
    pub(crate) fn take(&self) -> Option<u64> {
        let k = self.next.fetch_add(1, Ordering::Relaxed);
        (k <= self.last()).then_some(k)
    }

    /// Chunk `k` held a hit.
    pub(crate) fn hit(&self, k: u64) {
        self.last.fetch_min(k, Ordering::SeqCst);
    }

    /// The last chunk that will be started: the lowest hit, or the end.
    pub(crate) fn last(&self) -> u64 {
        self.last.load(Ordering::SeqCst)
    }

    /// No further chunk is started (a failure ends the search): `last`
    /// drops to 0 and `next` moves past every chunk, so not even chunk 0
    /// starts if nobody had taken it yet.
    pub(crate) fn close(&self) {
        self.last.store(0, Ordering::SeqCst);
        self.next.store(u64::MAX / 2, Ordering::Relaxed);
    }
}

impl Epoch {
    /// Indices `[start, start + limit)` of `order` from `start_nonce`, cut
    /// at 2^64-1; `limit` is at least 1.
    fn new(generation: u64, job: Job, start_nonce: u64, options: &SolveOptions) -> Self {
        let start = options.order.index(start_nonce);
        let limit = options.limit.map_or(1u128 << 64, |n| u128::from(n.max(1)));
        let end = (u128::from(start) + limit).min(1u128 << 64);
        let last = ((end - 1 - u128::from(start)) / u128::from(options.chunk)) as u64;
        Epoch {
            generation,
            job,
            order: options.order,
            start,
            end,
            chunk: options.chunk,
            chunks: Chunks::new(last),
        }
    }

    /// Chunk `k` as (first index, count); it never passes the end.
    fn range(&self, k: u64) -> (u64, u64) {
        let first = u128::from(self.start) + u128::from(k) * u128::from(self.chunk);
        let count = u128::from(self.chunk).min(self.end - first);
        (first as u64, count as u64)
    }
}

/// A solver over one engine.
pub struct Solver {
    engine: Arc<dyn Engine>,
    options: SolveOptions,
    tx: Sender<Msg>,
    rx: Mutex<Receiver<Msg>>,
    stop: Arc<AtomicBool>,
}

impl Solver {
    /// A solver running `engine` with `options`.
    pub fn new(engine: Arc<dyn Engine>, options: SolveOptions) -> Self {
        let (tx, rx) = mpsc::channel();
        Solver {
            engine,
            options,
            tx,
            rx: Mutex::new(rx),
            stop: Arc::new(AtomicBool::new(false)),
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

    /// A handle to swap jobs or stop, usable from any thread.
    pub fn control(&self) -> Control {
        Control {
            tx: self.tx.clone(),
            stop: self.stop.clone(),
        }
    }

    /// Searches `job` from nonce `start` until a solution, a stop, the
    /// deadline or 2^64-1; `progress` sees a running report now and then.
    pub fn solve(
        &self,
        job: Job,
        start: u64,
        mut progress: impl FnMut(&Report),
    ) -> Result<Report, SolveError> {
        if self.options.chunk == 0 {
            return Err(SolveError::ZeroChunk);
        }
        if self.options.limit == Some(0) {
            let outcome = Outcome::Exhausted;
            let rates = RateStats::default();
            return Ok(Report {
                outcome,
                hashes: 0,
                elapsed: Duration::ZERO,
                rates,
                generation: 0,
            });
        }
        let rx = self.rx.lock().unwrap_or_else(|e| e.into_inner());
        while rx.try_recv().is_ok() {} // nothing stale from an earlier solve
        self.stop.store(false, Ordering::SeqCst);

        let first = Epoch::new(0, job, start, &self.options);
        let current = Mutex::new(Arc::new(first));
        let quit = AtomicBool::new(false);
        let began = Instant::now();
        thread::scope(|scope| {
            let workers: Vec<_> = (0..self.options.threads.max(1))
                .map(|_| {
                    let tx = self.tx.clone();
                    let (current, quit, engine) = (&current, &quit, self.engine.as_ref());
                    scope.spawn(move || worker(engine, current, quit, tx))
                })
                .collect();
            let result = self.coordinate(&rx, &current, began, &mut progress);
            quit.store(true, Ordering::SeqCst);
            // Idle workers wait parked: wake them to see `quit` now, so a
            // short solve (a miner's batch) ends when its last chunk does.
            for w in &workers {
                w.thread().unpark();
            }
            result
        })
    }

    fn coordinate(
        &self,
        rx: &Receiver<Msg>,
        current: &Mutex<Arc<Epoch>>,
        began: Instant,
        progress: &mut impl FnMut(&Report),
    ) -> Result<Report, SolveError> {
        let mut epoch = current.lock().unwrap().clone();
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
            match rx.recv_timeout(Duration::from_millis(5)) {
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
                                    engine: self.engine.name(),
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
                    let next = Epoch::new(epoch.generation + 1, *job, start, &self.options);
                    epoch = Arc::new(next);
                    *current.lock().unwrap() = epoch.clone();
                    (done, low, best) = (BTreeSet::new(), 0, None);
                }
                Ok(Msg::Failed(e)) => return Err(SolveError::Engine(e)),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => unreachable!("the solver holds a sender"),
            }
            let g = epoch.generation;
            if let Some((k, solution)) = best {
                if low > k {
                    let outcome = Outcome::Found {
                        solution,
                        generation: g,
                    };
                    return Ok(report(outcome, hashes, &rates, g));
                }
            } else if low > epoch.chunks.last() {
                return Ok(report(Outcome::Exhausted, hashes, &rates, g));
            }
            if self.stop.load(Ordering::SeqCst) {
                return Ok(report(Outcome::Stopped, hashes, &rates, g));
            }
            if self.options.max_time.is_some_and(|t| began.elapsed() >= t) {
                return Ok(report(Outcome::TimedOut, hashes, &rates, g));
            }
            let now = Instant::now();
            if now - last_tick >= self.options.progress_every {
                rates.update(hashes - last_hashes, now - last_tick, hashes, now - began);
                (last_hashes, last_tick) = (hashes, now);
                progress(&report(Outcome::Stopped, hashes, &rates, g));
            }
        }
    }
}

fn worker(engine: &dyn Engine, current: &Mutex<Arc<Epoch>>, quit: &AtomicBool, tx: Sender<Msg>) {
    while !quit.load(Ordering::Relaxed) {
        let epoch = current.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let Some(index) = epoch.chunks.take() else {
            // Nothing left below the lowest hit: wait for the answer or a
            // new job (the coordinator unparks idle workers when it ends).
            thread::park_timeout(Duration::from_millis(1));
            continue;
        };
        let (first, count) = epoch.range(index);
        let found = match engine.search_in(&epoch.job, epoch.order, first, count) {
            Ok(found) => found,
            Err(e) => {
                // The coordinator ends the solve with it; nothing waits on
                // this worker's chunk.
                let _ = tx.send(Msg::Failed(e));
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
        if tx.send(msg).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::challenge::{Challenge, LegacyChallenge};
    use crate::engine::reference::Reference;
    use crate::target::{Difficulty, Rule};

    fn job(d: u64, seed: u8) -> Job {
        let c = Challenge::Legacy(LegacyChallenge::new([seed; 32], [2; 32]));
        Job::new(&c, Rule::Python, Difficulty::new(d).unwrap()).unwrap()
    }

    fn solver(threads: usize, chunk: u64) -> Solver {
        let options = SolveOptions {
            threads,
            chunk,
            ..SolveOptions::default()
        };
        Solver::new(Arc::new(Reference), options)
    }

    #[test]
    fn the_high_bytes_order_is_deterministic_too() {
        use crate::challenge::V1Challenge;
        let c = Challenge::V1(V1Challenge::new(3, [4; 32], [5; 32], [6; 32]));
        let job = Job::new(&c, Rule::V1, Difficulty::new(300).unwrap()).unwrap();
        // Start near the end of a column so the search crosses into the next.
        let start = Order::HighBytes.nonce((7 << 24) | 0xff_ff00);
        let want = Reference
            .search_in(
                &job,
                Order::HighBytes,
                Order::HighBytes.index(start),
                1 << 20,
            )
            .unwrap()
            .unwrap();
        for threads in [1, 3] {
            let options = SolveOptions {
                threads,
                chunk: 50,
                order: Order::HighBytes,
                ..SolveOptions::default()
            };
            let r = Solver::new(Arc::new(Reference), options)
                .solve(job.clone(), start, |_| {})
                .unwrap();
            assert_eq!(
                r.outcome,
                Outcome::Found {
                    solution: want,
                    generation: 0
                }
            );
        }
    }

    #[test]
    fn a_limit_bounds_the_search() {
        let job = job(300, 4);
        for (start, limit) in [(5u64, 2000u64), (u64::MAX - 50, 1000), (0, 1), (9, 0)] {
            let count = u128::from(limit).min((1u128 << 64) - u128::from(start)) as u64;
            let want = Reference.search(&job, start, count).unwrap();
            for (threads, chunk) in [(1, 64), (3, 7)] {
                let options = SolveOptions {
                    threads,
                    chunk,
                    limit: Some(limit),
                    ..SolveOptions::default()
                };
                let r = Solver::new(Arc::new(Reference), options)
                    .solve(job.clone(), start, |_| {})
                    .unwrap();
                let got = match r.outcome {
                    Outcome::Found { solution, .. } => Some(solution),
                    Outcome::Exhausted => None,
                    other => panic!("{other:?}"),
                };
                assert_eq!(got, want, "start {start}, limit {limit}, threads {threads}");
                if want.is_none() {
                    assert_eq!(r.hashes, count, "every nonce of the range, no more");
                }
            }
        }
    }

    #[test]
    fn the_answer_is_the_lowest_nonce_whatever_the_threads() {
        let job = job(500, 1);
        let want = Reference.search(&job, 5, 1 << 20).unwrap().unwrap();
        for threads in [1, 2, 3, 8] {
            for chunk in [1, 7, 64] {
                let r = solver(threads, chunk)
                    .solve(job.clone(), 5, |_| {})
                    .unwrap();
                assert_eq!(
                    r.outcome,
                    Outcome::Found {
                        solution: want,
                        generation: 0
                    },
                    "{threads} threads, chunk {chunk}"
                );
            }
        }
    }

    #[test]
    fn ends_at_the_top_of_the_nonce_space() {
        let r = solver(2, 8)
            .solve(job(u64::MAX, 1), u64::MAX - 20, |_| {})
            .unwrap();
        assert_eq!(r.outcome, Outcome::Exhausted);
        assert_eq!(r.hashes, 21);
    }

    #[test]
    fn stop_and_deadline_are_seen_quickly() {
        let s = solver(2, 64);
        let control = s.control();
        let t = Instant::now();
        let stopper = thread::spawn(move || {
            thread::sleep(Duration::from_millis(50));
            control.stop();
        });
        let r = s.solve(job(u64::MAX, 1), 0, |_| {}).unwrap();
        stopper.join().unwrap();
        assert_eq!(r.outcome, Outcome::Stopped);
        assert!(t.elapsed() < Duration::from_secs(5));

        let options = SolveOptions {
            threads: 2,
            max_time: Some(Duration::from_millis(30)),
            ..SolveOptions::default()
        };
        let r = Solver::new(Arc::new(Reference), options)
            .solve(job(u64::MAX, 1), 0, |_| {})
            .unwrap();
        assert_eq!(r.outcome, Outcome::TimedOut);
    }

    #[test]
    fn a_swapped_job_is_solved_instead() {
        let s = solver(2, 64);
        let control = s.control();
        let next = job(1000, 9);
        let want = Reference.search(&next, 0, 1 << 24).unwrap().unwrap();
        let mut swapped = false;
        let r = s
            .solve(job(u64::MAX, 1), 0, |_| {
                if !swapped {
                    control.swap(next.clone(), 0);
                    swapped = true;
                }
            })
            .unwrap();
        assert_eq!(
            r.outcome,
            Outcome::Found {
                solution: want,
                generation: 1
            }
        );
    }

    #[test]
    fn chunks_of_one_nonce_from_zero_cover_the_whole_space() {
        // 2^64 chunks: once truncated to 0, which ended the solve at once.
        let job = job(500, 1);
        let want = Reference.search(&job, 0, 1 << 20).unwrap().unwrap();
        let r = solver(2, 1).solve(job, 0, |_| {}).unwrap();
        assert_eq!(
            r.outcome,
            Outcome::Found {
                solution: want,
                generation: 0
            }
        );
    }

    /// An engine whose device fails after a few chunks.
    struct Failing(AtomicU64);

    impl Engine for Failing {
        fn name(&self) -> &'static str {
            "failing"
        }
        fn seal(&self, job: &Job, nonce: u64) -> Result<[u8; 32], SearchError> {
            Reference.seal(job, nonce)
        }
        fn search(
            &self,
            job: &Job,
            start: u64,
            count: u64,
        ) -> Result<Option<Solution>, SearchError> {
            if self.0.fetch_add(1, Ordering::SeqCst) >= 3 {
                return Err(SearchError::Device {
                    engine: "failing",
                    message: "context destroyed".into(),
                });
            }
            Reference.search(job, start, count)
        }
    }

    #[test]
    fn a_failing_engine_ends_the_solve_with_its_error() {
        let options = SolveOptions {
            threads: 3,
            chunk: 16,
            ..SolveOptions::default()
        };
        let s = Solver::new(Arc::new(Failing(AtomicU64::new(0))), options);
        let t = Instant::now();
        let r = s.solve(job(u64::MAX, 1), 0, |_| {});
        assert!(
            matches!(r, Err(SolveError::Engine(SearchError::Device { .. }))),
            "{r:?}"
        );
        assert!(t.elapsed() < Duration::from_secs(5), "no hang");
    }

    #[test]
    fn chunks_are_taken_in_order_up_to_the_lowest_hit() {
        let chunks = Chunks::new(9);
        assert_eq!((chunks.take(), chunks.take()), (Some(0), Some(1)));
        chunks.hit(4);
        chunks.hit(6); // a higher hit does not raise the limit
        assert_eq!(chunks.last(), 4);
        assert_eq!(
            (chunks.take(), chunks.take(), chunks.take()),
            (Some(2), Some(3), Some(4))
        );
        assert_eq!(chunks.take(), None);
        let failed = Chunks::new(u64::MAX);
        failed.close();
        assert_eq!(failed.take(), None);
    }

    #[test]
    fn ewma_weights_the_newest_sample_most() {
        let mut r = RateStats::default();
        let s = Duration::from_secs(1);
        r.update(100, s, 100, s);
        assert_eq!(r.ewma, 100.0);
        r.update(200, s, 300, 2 * s);
        assert!((r.ewma - (200.0 + 0.8 * 100.0) / 1.8).abs() < 1e-9);
        assert_eq!(r.perpetual, 150.0);
        for _ in 0..20 {
            r.update(50, s, 0, s);
        }
        assert!((r.ewma - 50.0).abs() < 1e-9, "old samples leave the window");
    }
}
