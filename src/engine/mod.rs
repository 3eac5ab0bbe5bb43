//! Engines: the code that hashes nonces. Every engine implements one
//! contract, [`Engine::search`], and is held to the [`reference`](mod@reference) engine.
//!
//! # The search contract
//! `search(job, start, count)` examines the nonces `start, start+1, …,
//! start+count-1` in order and returns the FIRST one whose seal meets the
//! job's target, with that seal; `None` if there is none (or `count == 0`).
//! These are the semantics of pow.py's `_solve_for_nonce_block` and of
//! bittensor-core's `pow_mine_cpu`.
//!
//! Nonces are `u64` and the range never wraps: a range whose last nonce
//! would be past `2^64-1` (`start + count > 2^64`) is refused with
//! [`RangeError`]. (pow.py would raise `OverflowError` on such a nonce.)
//!
//! # The layout
//! - `backend.rs`: the [`Backend`]s, the CPU's feature tokens (detected
//!   once) and the one match from a backend to its engine.
//! - `batch.rs`: the search loop of the CPU engines (`batch::Kernel`
//!   hashes a batch of nonces; `Batched` makes it an [`Engine`]).
//! - `x86/`, `aarch64/`, `portable.rs`: the kernels. A feature token is its
//!   engine's kernel: `Batched<Avx2>` is the `avx2` engine.
//! - `reference.rs`: the oracle every engine is held to.
//! - `gpu/`: the CUDA, OpenCL and `cuda-core` engines and [`gpu::open`],
//!   where every front end opens GPUs.
//! - `roofline/` (feature `tools`): the primitives' timing loops; it
//!   imports the backends, never the other way round.
//!
//! The message layout and the early reject belong to the [job](crate::job);
//! the SHA-256 and Keccak-f primitives, written once over a lane type, sit
//! below both (`src/primitives/`).
//!
//! # From a worker to `compress`
//! A solver worker reaches the SHA-256 compression in six calls (the
//! `avx2` engine, v1 in the high-bytes order; the others alike):
//! 1. the worker's loop (`solver/mod.rs`) calls [`Engine::search_in`];
//! 2. `search_in` walks the columns and calls `Batched::search_column`
//!    (`batch.rs`), which loops over batches of `LANES` nonces;
//! 3. it calls `<Avx2 as Kernel>::top_words_high` (written once for both
//!    widths by `wide::kernel!`, in `x86/wide.rs`);
//! 4. that enters `#[target_feature(enable = "avx2")]` code through the
//!    token, with the crate's one kind of `unsafe` call: `enter`;
//! 5. `enter` calls `wide::high_states` (inlined);
//! 6. which calls `compress` (`primitives/sha256.rs`, inlined).
//!
//! In the sequential order step 2 is `Batched::search` and steps 3 and 5
//! are `top_words` and `wide::sha_states`. `avx512` is the same code at
//! 16 lanes. `sha-ni` and the ARMv8 engines implement `batch::Kernel` on
//! their tokens too; from their `#[target_feature]` function (step 4) the
//! shared `job::message::final_states*` runs their interleaved
//! `compress_n` through a closure: two calls more.

#[cfg(target_arch = "aarch64")]
mod aarch64;
mod backend;
pub(crate) mod batch;
pub mod gpu;
pub(crate) mod portable;
pub mod reference;
#[cfg(feature = "tools")]
pub mod roofline;
#[cfg(target_arch = "x86_64")]
mod x86;

use std::num::NonZeroU64;

pub use backend::{Backend, EngineError};
#[cfg(feature = "cuda")]
pub use gpu::cuda;
#[cfg(feature = "opencl")]
pub use gpu::opencl;

use crate::job::message::MessageWords;
use crate::job::Job;
use thiserror::Error;

/// A nonce and its seal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Solution {
    /// The nonce.
    pub nonce: u64,
    /// Its seal.
    pub seal: [u8; 32],
}

/// A range of nonces no engine searches.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RangeError {
    /// The range's last nonce would be past 2^64-1.
    #[error(
        "nonce range [{start}, {start} + {count}) passes 2^64-1; nonces are 64-bit and ranges do not wrap"
    )]
    PastU64Max {
        /// The first nonce.
        start: u64,
        /// The nonces asked for.
        count: u64,
    },
}

impl RangeError {
    /// Refuses a range whose last nonce would exceed `u64::MAX`.
    pub fn check(start: u64, count: u64) -> Result<(), RangeError> {
        if count == 0 || start.checked_add(count - 1).is_some() {
            Ok(())
        } else {
            Err(RangeError::PastU64Max { start, count })
        }
    }
}

/// Why a search or a seal failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SearchError {
    /// The range itself is refused.
    #[error(transparent)]
    Range(#[from] RangeError),
    /// The engine's device failed (a GPU launch, a lost context): the
    /// search did not happen, and no answer may be read from it.
    #[error("engine {engine} failed: {message}")]
    Device {
        /// The engine.
        engine: &'static str,
        /// The device's error.
        message: String,
    },
}

/// Refuses a range whose last nonce would exceed `u64::MAX`.
pub(crate) fn check_range(start: u64, count: u64) -> Result<(), RangeError> {
    RangeError::check(start, count)
}

/// The order a search walks the nonce space in. A search over indices
/// `[start, start + count)` examines `order.nonce(i)` for each index in turn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Order {
    /// Index = nonce: the first hit is the lowest valid nonce.
    #[default]
    Sequential,
    /// v1's midstate order: index `i` is nonce `i.rotate_left(40)`, so
    /// consecutive indices vary the nonce's top 3 bytes (message block 3)
    /// while its low 5 bytes (and blocks 1 and 2) stay fixed for 2^24 nonces:
    /// one SHA-256 compression per nonce instead of two. Within each column
    /// of 2^24 nonces sharing their low 40 bits the first hit is the lowest.
    HighBytes,
}

impl Order {
    #[inline]
    /// The nonce at `index` of this order.
    pub fn nonce(self, index: u64) -> u64 {
        match self {
            Order::Sequential => index,
            Order::HighBytes => index.rotate_left(40),
        }
    }

    #[inline]
    /// The index of `nonce` in this order.
    pub fn index(self, nonce: u64) -> u64 {
        match self {
            Order::Sequential => nonce,
            Order::HighBytes => nonce.rotate_right(40),
        }
    }

    /// `sequential` or `high-bytes`.
    pub fn name(self) -> &'static str {
        match self {
            Order::Sequential => "sequential",
            Order::HighBytes => "high-bytes",
        }
    }

    /// The fastest order for a scheme: the midstate order for v1.
    pub fn fastest(scheme: crate::Scheme) -> Order {
        match scheme {
            crate::Scheme::Legacy => Order::Sequential,
            crate::Scheme::V1 => Order::HighBytes,
        }
    }
}

impl std::str::FromStr for Order {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Order::Sequential, Order::HighBytes]
            .into_iter()
            .find(|o| o.name() == s)
            .ok_or_else(|| format!("unknown order {s:?}: expected sequential or high-bytes"))
    }
}

/// A hashing engine. Every engine answers exactly as the [`reference`](mod@reference) does
/// (the tests hold each to it); they differ only in speed and in what they
/// need from the machine. CPU engines fail only on a refused range; a
/// device engine may also fail with [`SearchError::Device`].
pub trait Engine: Send + Sync {
    /// The name `--engine` selects it by.
    fn name(&self) -> &'static str;

    /// The seal of one nonce, computed by this engine's own code path.
    fn seal(&self, job: &Job, nonce: u64) -> Result<[u8; 32], SearchError>;

    /// The first valid nonce in `[start, start + count)`; see the module docs.
    fn search(&self, job: &Job, start: u64, count: u64) -> Result<Option<Solution>, SearchError>;

    /// A device engine's own bound: the nonces per second its devices could
    /// reach on `scheme` in `order` if a nonce cost only its hashing, from
    /// its SHA-256 compression and Keccak-f\[1600\] timed alone on the
    /// devices. `None` for a CPU engine (the roofline module measures those).
    fn device_bound(
        &self,
        scheme: crate::Scheme,
        order: Order,
    ) -> Option<Result<f64, SearchError>> {
        let _ = (scheme, order);
        None
    }

    /// Nonces per `search` call that keep this engine busy while a solver
    /// still sees a stop within milliseconds (CPU) or a launch (GPU).
    fn preferred_chunk(&self) -> NonZeroU64 {
        NonZeroU64::new(1 << 15).expect("not zero")
    }

    /// v1 in the high-bytes order, one column: the first valid nonce among
    /// `(hi << 40) | low` for `hi` in `[hi_first, hi_first + n)` (all within
    /// 24 bits), as its offset from `hi_first` with its seal. Engines with a
    /// per-column midstate override this; the default searches one nonce
    /// at a time.
    fn search_column(
        &self,
        job: &Job,
        low: u64,
        hi_first: u64,
        n: u64,
    ) -> Result<Option<(u64, [u8; 32])>, SearchError> {
        for offset in 0..n {
            if let Some(s) = self.search(job, ((hi_first + offset) << 40) | low, 1)? {
                return Ok(Some((offset, s.seal)));
            }
        }
        Ok(None)
    }

    /// [`Engine::search`] over indices in `order`: the first valid nonce
    /// among `order.nonce(i)` for `i` in `[start, start + count)`. v1 in the
    /// high-bytes order walks column by column ([`Engine::search_column`]).
    fn search_in(
        &self,
        job: &Job,
        order: Order,
        start: u64,
        count: u64,
    ) -> Result<Option<Solution>, SearchError> {
        let v1 = matches!(job.words(), MessageWords::V1 { .. });
        match order {
            Order::Sequential => self.search(job, start, count),
            Order::HighBytes if v1 => {
                // One column (2^24 nonces sharing their low 40 bits) at a time.
                check_range(start, count)?;
                let (mut index, mut left) = (start, count);
                while left > 0 {
                    let low = index >> 24;
                    let hi_first = index & 0xff_ffff;
                    let in_column = left.min((1 << 24) - hi_first);
                    if let Some((offset, seal)) =
                        self.search_column(job, low, hi_first, in_column)?
                    {
                        return Ok(Some(Solution {
                            nonce: ((hi_first + offset) << 40) | low,
                            seal,
                        }));
                    }
                    left -= in_column;
                    index = index.wrapping_add(in_column);
                }
                Ok(None)
            }
            Order::HighBytes => search_each(self, job, order, start, count),
        }
    }
}

/// `search_in` one nonce at a time with the engine's own `search`: legacy
/// jobs in the high-bytes order (which has no midstate to gain for them).
fn search_each<E: Engine + ?Sized>(
    engine: &E,
    job: &Job,
    order: Order,
    start: u64,
    count: u64,
) -> Result<Option<Solution>, SearchError> {
    check_range(start, count)?;
    for i in 0..count {
        let found = engine.search(job, order.nonce(start + i), 1)?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert!(check_range(0, 0).is_ok());
        assert!(check_range(u64::MAX, 0).is_ok());
        assert!(check_range(u64::MAX, 1).is_ok());
        assert!(check_range(u64::MAX - 9, 10).is_ok());
        assert!(check_range(u64::MAX - 9, 11).is_err());
        assert!(check_range(1, u64::MAX).is_ok());
        assert!(check_range(2, u64::MAX).is_err());
    }
}
