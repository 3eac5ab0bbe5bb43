//! The solver's worker threads, kept from one run to the next.
//!
//! The SDK mines in batches of 100,000 nonces (milliseconds each), so
//! threads started per batch would cost more than the batch. A pool's
//! workers wait between runs: an idle worker spins for a few milliseconds
//! before it sleeps, since a sleeping thread (on a VM, a halted vCPU) takes
//! long to wake against a batch that short. One run at a time uses the
//! pool ([`Pool::acquire`]); a run's end sends its workers back to waiting.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// What a worker does for a run: take chunks until the run has none left
/// for it (or has ended).
pub(crate) trait Work: Send + Sync {
    /// Works until nothing is left for this worker.
    fn work(&self);
    /// The worker panicked inside [`Work::work`]: the run must fail, not
    /// wait for it.
    fn panicked(&self);
}

/// A lock, whether or not a thread panicked holding it (the data is
/// either untouched or a finished write).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// How long an idle worker spins for the next work before it sleeps.
const SPIN: Duration = Duration::from_millis(3);

struct Shared {
    /// The work published last and its number (0: none yet).
    current: Mutex<(u64, Option<Arc<dyn Work>>)>,
    /// `current`'s number, for spinning without the lock.
    generation: AtomicU64,
    wake: Condvar,
    /// The pool is being dropped: a run still going must end too.
    shutdown: Arc<AtomicBool>,
    /// Whether a run holds the pool.
    busy: Mutex<bool>,
    free: Condvar,
}

/// Worker threads, started once and kept until the pool is dropped.
pub(crate) struct Pool {
    shared: Arc<Shared>,
    workers: Vec<JoinHandle<()>>,
}

/// The pool, held by one run; released when dropped.
pub(crate) struct Turn(Arc<Shared>);

impl Drop for Turn {
    fn drop(&mut self) {
        // The finished work is not kept alive by the pool.
        lock(&self.0.current).1 = None;
        *lock(&self.0.busy) = false;
        self.0.free.notify_one();
    }
}

impl Pool {
    /// `threads` workers (at least 1), waiting.
    pub(crate) fn new(threads: usize) -> Self {
        let shared = Arc::new(Shared {
            current: Mutex::new((0, None)),
            generation: AtomicU64::new(0),
            wake: Condvar::new(),
            shutdown: Arc::new(AtomicBool::new(false)),
            busy: Mutex::new(false),
            free: Condvar::new(),
        });
        let workers = (0..threads.max(1))
            .map(|_| {
                let shared = shared.clone();
                thread::spawn(move || worker(&shared))
            })
            .collect();
        Pool { shared, workers }
    }

    /// Set when the pool is dropped: work must end then, even if its run
    /// (kept by a caller past the solver's life) has not.
    pub(crate) fn shutdown_flag(&self) -> Arc<AtomicBool> {
        self.shared.shutdown.clone()
    }

    /// Waits until no other run holds the pool, and holds it.
    pub(crate) fn acquire(&self) -> Turn {
        let mut busy = lock(&self.shared.busy);
        while *busy {
            busy = self
                .shared
                .free
                .wait(busy)
                .unwrap_or_else(|e| e.into_inner());
        }
        *busy = true;
        Turn(self.shared.clone())
    }
}

impl Turn {
    /// Every worker (idle, or done with the last work) takes up `work`.
    /// Published again, the same work brings back the workers that had
    /// run out of it (a new job swapped in).
    pub(crate) fn publish(&self, work: Arc<dyn Work>) {
        let mut current = lock(&self.0.current);
        current.0 += 1;
        current.1 = Some(work);
        self.0.generation.store(current.0, Ordering::Release);
        self.0.wake.notify_all();
    }
}

fn worker(shared: &Shared) {
    let mut seen = 0u64;
    loop {
        // Spin a while for the next work, then sleep until it comes.
        let idle = Instant::now();
        while shared.generation.load(Ordering::Acquire) == seen
            && !shared.shutdown.load(Ordering::Acquire)
            && idle.elapsed() < SPIN
        {
            for _ in 0..64 {
                std::hint::spin_loop();
            }
        }
        let work = {
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
        if let Some(work) = work {
            // A panicking engine fails the run; nothing may wait for this
            // worker forever.
            let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work.work()));
            if done.is_err() {
                work.panicked();
            }
        }
    }
}

impl Drop for Pool {
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
