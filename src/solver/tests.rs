//! The solver against the reference: the first valid nonce whatever the
//! threads and chunks, stops, swaps, deadlines, limits and failures.

use std::num::NonZeroU64;
use std::sync::atomic::AtomicU64;
use std::thread;

use super::*;
use crate::challenge::{Challenge, LegacyChallenge};
use crate::engine::reference::Reference;
use crate::target::{Difficulty, Rule};

fn job(d: u64, seed: u8) -> Job {
    let c = Challenge::Legacy(LegacyChallenge::new([seed; 32], [2; 32]));
    Job::new(&c, Rule::Python, Difficulty::new(d).unwrap()).unwrap()
}

fn nz(n: u64) -> NonZeroU64 {
    NonZeroU64::new(n).unwrap()
}

fn solver(threads: usize, chunk: u64) -> Solver {
    let options = SolveOptions {
        threads,
        chunk: nz(chunk),
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
            chunk: nz(50),
            order: Order::HighBytes,
            ..SolveOptions::default()
        };
        let r = Solver::new(Arc::new(Reference), options)
            .solve(job.clone(), start, |_| {})
            .unwrap();
        assert_eq!(
            r.outcome,
            SolveOutcome::Found {
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
                chunk: nz(chunk),
                limit: Some(limit),
                ..SolveOptions::default()
            };
            let r = Solver::new(Arc::new(Reference), options)
                .solve(job.clone(), start, |_| {})
                .unwrap();
            let got = match r.outcome {
                SolveOutcome::Found { solution, .. } => Some(solution),
                SolveOutcome::Exhausted => None,
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
                SolveOutcome::Found {
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
    assert_eq!(r.outcome, SolveOutcome::Exhausted);
    assert_eq!(r.hashes, 21);
}

#[test]
fn stop_and_deadline_are_seen_quickly() {
    let s = solver(2, 64);
    let run = s.start(job(u64::MAX, 1), 0).unwrap();
    let control = run.control();
    let t = Instant::now();
    let stopper = thread::spawn(move || {
        thread::sleep(Duration::from_millis(50));
        control.stop();
    });
    let r = run.join(|_| {}).unwrap();
    stopper.join().unwrap();
    assert_eq!(r.outcome, SolveOutcome::Stopped);
    assert!(t.elapsed() < Duration::from_secs(5));

    let options = SolveOptions {
        threads: 2,
        max_time: Some(Duration::from_millis(30)),
        ..SolveOptions::default()
    };
    let r = Solver::new(Arc::new(Reference), options)
        .solve(job(u64::MAX, 1), 0, |_| {})
        .unwrap();
    assert_eq!(r.outcome, SolveOutcome::TimedOut);
}

#[test]
fn a_stop_or_a_swap_sent_before_the_run_is_joined_is_not_lost() {
    let s = solver(2, 64);
    // A stop sent at once, before anyone coordinates: the run ends with it.
    for _ in 0..20 {
        let run = s.start(job(u64::MAX, 1), 0).unwrap();
        run.control().stop();
        let t = Instant::now();
        assert_eq!(run.join(|_| {}).unwrap().outcome, SolveOutcome::Stopped);
        assert!(t.elapsed() < Duration::from_secs(2));
    }
    // The next run of the same solver is not stopped by the last one's stop.
    let easy = job(50, 3);
    let want = Reference.search(&easy, 0, 1 << 20).unwrap().unwrap();
    let r = s.solve(easy.clone(), 0, |_| {}).unwrap();
    assert_eq!(
        r.outcome,
        SolveOutcome::Found {
            solution: want,
            generation: 0
        }
    );
    // A swap sent before the join is applied.
    let run = s.start(job(u64::MAX, 1), 0).unwrap();
    run.control().swap(easy, 0);
    assert_eq!(
        run.join(|_| {}).unwrap().outcome,
        SolveOutcome::Found {
            solution: want,
            generation: 1
        }
    );
}

#[test]
fn a_swapped_job_is_solved_instead() {
    let s = solver(2, 64);
    let run = s.start(job(u64::MAX, 1), 0).unwrap();
    let control = run.control();
    let next = job(1000, 9);
    let want = Reference.search(&next, 0, 1 << 24).unwrap().unwrap();
    let mut swapped = false;
    let r = run
        .join(|_| {
            if !swapped {
                control.swap(next.clone(), 0);
                swapped = true;
            }
        })
        .unwrap();
    assert_eq!(
        r.outcome,
        SolveOutcome::Found {
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
        SolveOutcome::Found {
            solution: want,
            generation: 0
        }
    );
}

/// An engine that fails after three chunks: its device errs, or (a bug)
/// it panics in a worker thread.
struct Faulty {
    searches: AtomicU64,
    panics: bool,
}

impl Engine for Faulty {
    fn name(&self) -> &'static str {
        "faulty"
    }
    fn seal(&self, job: &Job, nonce: u64) -> Result<[u8; 32], SearchError> {
        Reference.seal(job, nonce)
    }
    fn search(&self, job: &Job, start: u64, count: u64) -> Result<Option<Solution>, SearchError> {
        if self.searches.fetch_add(1, Ordering::SeqCst) >= 3 {
            if self.panics {
                panic!("an engine bug");
            }
            return Err(SearchError::Device {
                engine: "faulty",
                message: "context destroyed".into(),
            });
        }
        Reference.search(job, start, count)
    }
}

#[test]
fn a_failing_or_panicking_engine_ends_the_solve_with_its_error() {
    for panics in [false, true] {
        let options = SolveOptions {
            threads: 3,
            chunk: nz(16),
            ..SolveOptions::default()
        };
        let engine = Faulty {
            searches: AtomicU64::new(0),
            panics,
        };
        let s = Solver::new(Arc::new(engine), options);
        let t = Instant::now();
        let r = s.solve(job(u64::MAX, 1), 0, |_| {});
        assert!(
            matches!(r, Err(SolveError::Engine(SearchError::Device { .. }))),
            "panics {panics}: {r:?}"
        );
        assert!(t.elapsed() < Duration::from_secs(5), "no hang");
    }
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

#[test]
fn a_run_outliving_its_solver_or_dropped_unjoined_ends_its_work() {
    // Dropped without a join: the next run of the same solver goes on.
    let s = solver(2, 64);
    drop(s.start(job(u64::MAX, 1), 0).unwrap());
    let easy = job(50, 3);
    let want = Reference.search(&easy, 0, 1 << 20).unwrap().unwrap();
    let r = s.solve(easy, 0, |_| {}).unwrap();
    assert_eq!(
        r.outcome,
        SolveOutcome::Found {
            solution: want,
            generation: 0
        }
    );
    // The solver dropped while a run is alive: the drop does not wait for
    // a search of the whole nonce space.
    let s = solver(2, 64);
    let run = s.start(job(u64::MAX, 1), 0).unwrap();
    let t = Instant::now();
    drop(s);
    assert!(t.elapsed() < Duration::from_secs(5));
    drop(run);
}
