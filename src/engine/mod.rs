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

#[cfg(target_arch = "aarch64")]
mod aarch64;
pub(crate) mod batch;
pub mod gpu;
pub(crate) mod message;
mod portable;
pub(crate) mod primitives;
pub mod reference;
#[cfg(feature = "tools")]
pub mod roofline;
// Without the tools the loops stay compiled (the engines' own timing loops
// name their types) and unused.
#[cfg(not(feature = "tools"))]
#[allow(dead_code, unreachable_pub)]
mod roofline;
#[cfg(target_arch = "x86_64")]
mod x86;

use std::num::NonZeroU64;

#[cfg(feature = "cuda")]
pub use gpu::cuda;
#[cfg(feature = "opencl")]
pub use gpu::opencl;

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
        let v1 = matches!(job.words(), message::MessageWords::V1 { .. });
        match order {
            Order::Sequential => self.search(job, start, count),
            Order::HighBytes if v1 => search_columns(start, count, |low, hi_first, n| {
                self.search_column(job, low, hi_first, n)
            }),
            Order::HighBytes => search_each(self, job, order, start, count),
        }
    }
}

/// Walks indices `[start, start + count)` of the high-bytes order one
/// column at a time: `search(low, hi_first, n)` searches the `n` nonces of
/// column `low` (the nonce's low 40 bits) from top bits `hi_first`, and
/// returns the offset of its first hit with the seal.
fn search_columns(
    start: u64,
    count: u64,
    mut search: impl FnMut(u64, u64, u64) -> Result<Option<(u64, [u8; 32])>, SearchError>,
) -> Result<Option<Solution>, SearchError> {
    check_range(start, count)?;
    let (mut index, mut left) = (start, count);
    while left > 0 {
        let low = index >> 24;
        let hi_first = index & 0xff_ffff;
        let in_column = left.min((1 << 24) - hi_first);
        if let Some((offset, seal)) = search(low, hi_first, in_column)? {
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

#[derive(Debug, Clone, PartialEq, Eq, Error)]
/// Why an engine cannot be had.
#[non_exhaustive]
pub enum EngineError {
    #[error("unknown engine {name:?}; engines: {known}")]
    /// No engine has this name.
    Unknown {
        /// The name given.
        name: String,
        /// The names there are.
        known: String,
    },
    #[error("engine {name:?} needs {needs}, which this CPU lacks")]
    /// This CPU lacks what the engine needs.
    Unsupported {
        /// The engine.
        name: String,
        /// What it needs.
        needs: &'static str,
    },
    #[error("engine {name:?} is unavailable: {why}")]
    /// The engine cannot run here (no GPU, no driver, a build without it).
    Unavailable {
        /// The engine.
        name: String,
        /// Why.
        why: String,
    },
}

/// One backend this build knows, whether or not this machine can run it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Backend {
    /// `sha2` + `sha3` crates, byte-oriented, one nonce at a time: the oracle.
    Reference,
    /// Scalar, word-oriented, per-job constants, early reject; any CPU.
    Portable,
    /// x86-64: SHA-256 on SHA-NI (4 nonces interleaved) + 4-lane AVX2 Keccak.
    ShaNi,
    /// x86-64 without SHA-NI: 8-lane AVX2 SHA-256 + 4-lane AVX2 Keccak.
    Avx2,
    /// x86-64 with AVX-512F: 16-lane SHA-256 + 8-lane Keccak, native rotates.
    Avx512,
    /// aarch64 with SHA2 and SHA3: SHA-256 on the SHA2 instructions (4
    /// nonces interleaved) + 2-lane NEON Keccak on the SHA3 instructions.
    Armv8Sha3,
    /// aarch64 with SHA2, without SHA3: the same SHA-256 + plain-NEON Keccak.
    Armv8Sha2,
    /// The CUDA kernels' hash core and search loop, compiled for the CPU:
    /// the GPU's arithmetic, checkable anywhere (slow, scalar).
    CudaCore,
    /// The CUDA kernels on every GPU (driver and NVRTC loaded at run time).
    Cuda,
    /// The same hash core as OpenCL kernels, on every OpenCL GPU (AMD,
    /// Intel, Apple, NVIDIA), or on the devices `BTPOW_OPENCL_DEVICES`
    /// names (`P:D,…`; the PoCL CPU device, say); the loader is opened at
    /// run time.
    OpenCl,
}

impl Backend {
    /// Every backend of this build.
    pub const ALL: [Backend; 10] = [
        Backend::Reference,
        Backend::Portable,
        Backend::ShaNi,
        Backend::Avx2,
        Backend::Avx512,
        Backend::Armv8Sha3,
        Backend::Armv8Sha2,
        Backend::CudaCore,
        Backend::Cuda,
        Backend::OpenCl,
    ];

    /// Every backend this machine supports, reference first.
    pub fn available() -> Vec<Backend> {
        Backend::ALL
            .into_iter()
            .filter(|b| b.is_supported())
            .collect()
    }

    /// The fastest backend this machine runs, detected once.
    pub fn detect() -> Backend {
        static BEST: std::sync::OnceLock<Backend> = std::sync::OnceLock::new();
        *BEST.get_or_init(|| {
            [
                Backend::Avx512,
                Backend::ShaNi,
                Backend::Avx2,
                Backend::Armv8Sha3,
                Backend::Armv8Sha2,
            ]
            .into_iter()
            .find(|b| b.is_supported())
            .unwrap_or(Backend::Portable)
        })
    }

    /// The name `--engine` takes.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Reference => "reference",
            Backend::Portable => "portable",
            Backend::ShaNi => "sha-ni",
            Backend::Avx2 => "avx2",
            Backend::Avx512 => "avx512",
            Backend::Armv8Sha3 => "armv8-sha3",
            Backend::Armv8Sha2 => "armv8-sha2",
            Backend::CudaCore => "cuda-core",
            Backend::Cuda => "cuda",
            Backend::OpenCl => "opencl",
        }
    }

    /// What the backend needs from the CPU, for messages.
    pub fn needs(self) -> &'static str {
        match self {
            Backend::Reference | Backend::Portable | Backend::CudaCore => "nothing",
            Backend::ShaNi => "x86-64 with SHA-NI, SSE4.1 and AVX2",
            Backend::Avx2 => "x86-64 with AVX2",
            Backend::Avx512 => "x86-64 with AVX-512F",
            Backend::Armv8Sha3 => "aarch64 with the SHA2 and SHA3 instructions",
            Backend::Armv8Sha2 => "aarch64 with the SHA2 instructions",
            Backend::Cuda => "an NVIDIA GPU with its driver and NVRTC",
            Backend::OpenCl => {
                "an OpenCL GPU with its driver (or a device named by BTPOW_OPENCL_DEVICES)"
            }
        }
    }

    /// Why a GPU backend cannot run here, in words: what
    /// [`engine`](Backend::engine) would say (`None` for a GPU backend that
    /// can run, and for the CPU backends, whose [`needs`](Backend::needs)
    /// says it).
    pub fn why_unavailable(self) -> Option<String> {
        match self {
            Backend::OpenCl => gpu::why_no_forced_opencl(),
            Backend::Cuda => gpu::why_no_forced_cuda(),
            _ => None,
        }
    }

    /// Whether this machine can run it (checked at run time).
    pub fn is_supported(self) -> bool {
        if matches!(self, Backend::Cuda | Backend::OpenCl) {
            return self.why_unavailable().is_none();
        }
        #[cfg(target_arch = "x86_64")]
        {
            match self {
                Backend::Reference | Backend::Portable | Backend::CudaCore => true,
                Backend::ShaNi => x86::ShaNi::detect().is_some(),
                Backend::Avx2 => x86::Avx2::detect().is_some(),
                Backend::Avx512 => x86::Avx512::detect().is_some(),
                Backend::Armv8Sha3 | Backend::Armv8Sha2 => false,
                Backend::Cuda | Backend::OpenCl => unreachable!("handled above"),
            }
        }
        #[cfg(target_arch = "aarch64")]
        {
            match self {
                Backend::Reference | Backend::Portable | Backend::CudaCore => true,
                Backend::Armv8Sha3 => aarch64::Sha3::detect().is_some(),
                Backend::Armv8Sha2 => aarch64::Sha2::detect().is_some(),
                Backend::ShaNi | Backend::Avx2 | Backend::Avx512 => false,
                Backend::Cuda | Backend::OpenCl => unreachable!("handled above"),
            }
        }
        #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
        {
            matches!(
                self,
                Backend::Reference | Backend::Portable | Backend::CudaCore
            )
        }
    }

    /// The backend called `name`.
    pub fn from_name(name: &str) -> Result<Backend, EngineError> {
        Backend::ALL
            .into_iter()
            .find(|b| b.name() == name)
            .ok_or_else(|| EngineError::Unknown {
                name: name.to_string(),
                known: Backend::ALL.map(Backend::name).join(", "),
            })
    }

    /// An instance of this backend, if the CPU supports it.
    pub fn engine(self) -> Result<Box<dyn Engine>, EngineError> {
        let forced_gpu = match self {
            Backend::Cuda => Some(gpu::open_forced_cuda()),
            Backend::OpenCl => Some(gpu::open_forced_opencl()),
            _ => None,
        };
        if let Some(opened) = forced_gpu {
            return opened.map_err(|why| EngineError::Unavailable {
                name: self.name().into(),
                why,
            });
        }
        if !self.is_supported() {
            return Err(EngineError::Unsupported {
                name: self.name().to_string(),
                needs: self.needs(),
            });
        }
        let unsupported = || EngineError::Unsupported {
            name: self.name().to_string(),
            needs: self.needs(),
        };
        Ok(match self {
            Backend::Reference => Box::new(reference::Reference),
            Backend::Portable => Box::new(portable::engine()),
            Backend::CudaCore => Box::new(gpu::host::CudaCore),
            Backend::Cuda | Backend::OpenCl => unreachable!("handled above"),
            #[cfg(target_arch = "x86_64")]
            Backend::ShaNi => Box::new(x86::sha_ni::engine().ok_or_else(unsupported)?),
            #[cfg(target_arch = "x86_64")]
            Backend::Avx2 => Box::new(x86::avx2::engine().ok_or_else(unsupported)?),
            #[cfg(target_arch = "x86_64")]
            Backend::Avx512 => Box::new(x86::avx512::engine().ok_or_else(unsupported)?),
            #[cfg(not(target_arch = "x86_64"))]
            Backend::ShaNi | Backend::Avx2 | Backend::Avx512 => return Err(unsupported()),
            #[cfg(target_arch = "aarch64")]
            Backend::Armv8Sha3 => {
                Box::new(aarch64::armv8::engine::<aarch64::Sha3>().ok_or_else(unsupported)?)
            }
            #[cfg(target_arch = "aarch64")]
            Backend::Armv8Sha2 => {
                Box::new(aarch64::armv8::engine::<aarch64::Sha2>().ok_or_else(unsupported)?)
            }
            #[cfg(not(target_arch = "aarch64"))]
            Backend::Armv8Sha3 | Backend::Armv8Sha2 => return Err(unsupported()),
        })
    }
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

    #[test]
    fn names() {
        assert_eq!(Backend::from_name("reference"), Ok(Backend::Reference));
        assert!(matches!(
            Backend::from_name("gpu"),
            Err(EngineError::Unknown { .. })
        ));
    }
}
