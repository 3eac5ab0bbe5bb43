//! Driving an engine over nonce ranges until a solution, a stop, a deadline
//! or the end of the nonce space; every solution is re-checked by the
//! reference before it is returned.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::engine::{reference, Engine, Solution};
use crate::job::Job;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SolveError {
    /// An engine bug: never shown to the user as a solution.
    #[error("engine {engine} reported nonce {nonce}, which the reference rejects")]
    InvalidSolution { engine: &'static str, nonce: u64 },
}

#[derive(Clone, Debug)]
pub struct SolveOptions {
    /// The first nonce tried.
    pub start: u64,
    /// Nonces per `search` call; the stop flag and deadline are seen between calls.
    pub chunk: u64,
    /// Give up after this long.
    pub max_time: Option<Duration>,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            start: 0,
            chunk: 1 << 16,
            max_time: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Found(Solution),
    /// Every nonce from `start` to `2^64-1` was tried.
    Exhausted,
    Stopped,
    TimedOut,
}

/// How a solve went.
#[derive(Clone, Copy, Debug)]
pub struct Report {
    pub outcome: Outcome,
    /// Nonces hashed.
    pub hashes: u64,
    pub elapsed: Duration,
}

impl Report {
    pub fn rate(&self) -> f64 {
        self.hashes as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Searches `[start, 2^64)` in order on the calling thread, so the solution
/// found is the lowest valid nonce from `start`. `progress` sees the running
/// report after every chunk.
pub fn solve(
    engine: &dyn Engine,
    job: &Job,
    options: &SolveOptions,
    stop: &AtomicBool,
    mut progress: impl FnMut(&Report),
) -> Result<Report, SolveError> {
    let began = Instant::now();
    let chunk = options.chunk.max(1);
    let mut next = Some(options.start);
    let mut hashes = 0u64;
    let report = |outcome, hashes| Report {
        outcome,
        hashes,
        elapsed: began.elapsed(),
    };
    while let Some(start) = next {
        if stop.load(Ordering::Relaxed) {
            return Ok(report(Outcome::Stopped, hashes));
        }
        if options.max_time.is_some_and(|t| began.elapsed() >= t) {
            return Ok(report(Outcome::TimedOut, hashes));
        }
        // The last chunk ends exactly at 2^64-1.
        let count = chunk.min(u64::MAX - start).max(1);
        let found = engine
            .search(job, start, count)
            .expect("chunks never pass 2^64-1");
        if let Some(solution) = found {
            if !reference::is_valid(job, &solution) {
                return Err(SolveError::InvalidSolution {
                    engine: engine.name(),
                    nonce: solution.nonce,
                });
            }
            hashes += solution.nonce - start + 1;
            return Ok(report(Outcome::Found(solution), hashes));
        }
        hashes += count;
        next = start.checked_add(count);
        progress(&report(Outcome::Stopped, hashes));
    }
    Ok(report(Outcome::Exhausted, hashes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::challenge::{Challenge, LegacyChallenge};
    use crate::engine::reference::Reference;
    use crate::target::{Difficulty, Rule};

    fn job(d: u64) -> Job {
        let c = Challenge::Legacy(LegacyChallenge::new([1; 32], [2; 32]));
        Job::new(&c, Rule::Python, Difficulty::new(d).unwrap()).unwrap()
    }

    #[test]
    fn finds_the_lowest_valid_nonce_across_chunks() {
        let job = job(300);
        let options = SolveOptions {
            start: 5,
            chunk: 7,
            max_time: None,
        };
        let r = solve(&Reference, &job, &options, &AtomicBool::new(false), |_| {}).unwrap();
        let Outcome::Found(s) = r.outcome else {
            panic!("{:?}", r.outcome)
        };
        let scan = Reference.search(&job, 5, s.nonce - 5 + 1).unwrap().unwrap();
        assert_eq!(scan, s);
        assert_eq!(r.hashes, s.nonce - 5 + 1);
    }

    #[test]
    fn ends_at_the_top_of_the_nonce_space() {
        let options = SolveOptions {
            start: u64::MAX - 20,
            chunk: 8,
            max_time: None,
        };
        let r = solve(
            &Reference,
            &job(u64::MAX),
            &options,
            &AtomicBool::new(false),
            |_| {},
        )
        .unwrap();
        assert_eq!(r.outcome, Outcome::Exhausted);
        assert_eq!(r.hashes, 21);
    }

    #[test]
    fn stop_flag_is_seen() {
        let r = solve(
            &Reference,
            &job(u64::MAX),
            &SolveOptions::default(),
            &AtomicBool::new(true),
            |_| {},
        )
        .unwrap();
        assert_eq!(r.outcome, Outcome::Stopped);
    }
}
