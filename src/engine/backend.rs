//! Which engines this machine runs, decided in one place, as BLAKE3's
//! `platform.rs` does: the CPU is asked once ([`Cpu::get`]) for the
//! feature tokens, and [`Backend::engine`] is one match from a backend to
//! its engine. Every hashing call of a CPU engine is entered through a
//! token made here, so no other file asks the CPU what it has.
//!
//! # The tokens
//! A token ([`Avx2`], [`Avx512`], [`ShaNi`], [`Sha2`], [`Sha3`]) is proof
//! that this CPU has a feature set: its field is private to this file and
//! [`Cpu::detect`] makes it only after the run-time check. Each token is
//! its engine's [`Kernel`](super::batch::Kernel) (the `unsafe` entry into
//! `#[target_feature]` code sits beside the token's vector types, justified
//! by the token), so `Batched<Avx2>` is the `avx2` engine.

use std::sync::OnceLock;

use thiserror::Error;

use super::batch::Batched;
use super::gpu;
use super::gpu::host::CudaCore;
use super::portable::PortableKernel;
use super::reference::Reference;
use super::Engine;

/// Proof that this CPU has AVX2: made only by [`Cpu::detect`].
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy, Debug)]
pub(crate) struct Avx2(());

/// Proof that this CPU has SHA-NI, SSE4.1 and AVX2: made only by
/// [`Cpu::detect`].
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy, Debug)]
pub(crate) struct ShaNi {
    avx2: Avx2,
}

#[cfg(target_arch = "x86_64")]
impl ShaNi {
    /// SHA-NI's engine needs AVX2 too (its Keccak).
    #[inline(always)]
    pub(crate) fn avx2(self) -> Avx2 {
        self.avx2
    }
}

/// Proof that this CPU has AVX-512F: made only by [`Cpu::detect`].
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy, Debug)]
pub(crate) struct Avx512(());

/// Proof that this CPU has NEON and the SHA2 instructions: made only by
/// [`Cpu::detect`].
#[cfg(target_arch = "aarch64")]
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sha2(());

/// Proof that this CPU has NEON, SHA2 and the SHA3 instructions: made only
/// by [`Cpu::detect`].
#[cfg(target_arch = "aarch64")]
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sha3 {
    sha2: Sha2,
}

#[cfg(target_arch = "aarch64")]
impl Sha3 {
    /// The SHA3 engines run their SHA-256 on the SHA2 instructions.
    #[inline(always)]
    pub(crate) fn sha2(self) -> Sha2 {
        self.sha2
    }
}

/// The feature tokens this CPU has, detected once.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cpu {
    /// AVX2.
    #[cfg(target_arch = "x86_64")]
    pub(crate) avx2: Option<Avx2>,
    /// AVX-512F.
    #[cfg(target_arch = "x86_64")]
    pub(crate) avx512: Option<Avx512>,
    /// SHA-NI, SSE4.1 and AVX2.
    #[cfg(target_arch = "x86_64")]
    pub(crate) sha_ni: Option<ShaNi>,
    /// NEON and SHA2.
    #[cfg(target_arch = "aarch64")]
    pub(crate) sha2: Option<Sha2>,
    /// NEON, SHA2 and SHA3.
    #[cfg(target_arch = "aarch64")]
    pub(crate) sha3: Option<Sha3>,
}

impl Cpu {
    /// This CPU's tokens, detected on the first call.
    pub(crate) fn get() -> &'static Cpu {
        static CPU: OnceLock<Cpu> = OnceLock::new();
        CPU.get_or_init(Cpu::detect)
    }

    /// Asks the CPU, once per feature: the only constructor of the tokens.
    #[cfg(target_arch = "x86_64")]
    fn detect() -> Cpu {
        let avx2 = is_x86_feature_detected!("avx2").then_some(Avx2(()));
        let sha = is_x86_feature_detected!("sha") && is_x86_feature_detected!("sse4.1");
        Cpu {
            avx2,
            avx512: is_x86_feature_detected!("avx512f").then_some(Avx512(())),
            sha_ni: avx2.filter(|_| sha).map(|avx2| ShaNi { avx2 }),
        }
    }

    /// Asks the CPU, once per feature: the only constructor of the tokens.
    #[cfg(target_arch = "aarch64")]
    fn detect() -> Cpu {
        let sha2 = (std::arch::is_aarch64_feature_detected!("neon")
            && std::arch::is_aarch64_feature_detected!("sha2"))
        .then_some(Sha2(()));
        let sha3 = std::arch::is_aarch64_feature_detected!("sha3");
        Cpu {
            sha2,
            sha3: sha2.filter(|_| sha3).map(|sha2| Sha3 { sha2 }),
        }
    }

    /// No SIMD backend on this architecture.
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    fn detect() -> Cpu {
        Cpu {}
    }
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

    /// The fastest backend this machine runs.
    pub fn detect() -> Backend {
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
        #[cfg_attr(
            not(any(target_arch = "x86_64", target_arch = "aarch64")),
            allow(unused_variables)
        )]
        let cpu = Cpu::get();
        match self {
            Backend::Reference | Backend::Portable | Backend::CudaCore => true,
            Backend::Cuda | Backend::OpenCl => self.why_unavailable().is_none(),
            #[cfg(target_arch = "x86_64")]
            Backend::ShaNi => cpu.sha_ni.is_some(),
            #[cfg(target_arch = "x86_64")]
            Backend::Avx2 => cpu.avx2.is_some(),
            #[cfg(target_arch = "x86_64")]
            Backend::Avx512 => cpu.avx512.is_some(),
            #[cfg(target_arch = "aarch64")]
            Backend::Armv8Sha3 => cpu.sha3.is_some(),
            #[cfg(target_arch = "aarch64")]
            Backend::Armv8Sha2 => cpu.sha2.is_some(),
            #[allow(unreachable_patterns)]
            _ => false,
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

    /// An instance of this backend, if this machine runs it: the one match
    /// from a backend to its engine (a GPU backend opens its devices here,
    /// through [`gpu::open`]).
    pub fn engine(self) -> Result<Box<dyn Engine>, EngineError> {
        #[cfg_attr(
            not(any(target_arch = "x86_64", target_arch = "aarch64")),
            allow(unused_variables)
        )]
        let cpu = Cpu::get();
        let unsupported = || EngineError::Unsupported {
            name: self.name().to_string(),
            needs: self.needs(),
        };
        let unavailable = |why: String| EngineError::Unavailable {
            name: self.name().into(),
            why,
        };
        Ok(match self {
            Backend::Reference => Box::new(Reference),
            Backend::Portable => Box::new(Batched(PortableKernel)),
            Backend::CudaCore => Box::new(CudaCore),
            Backend::Cuda => gpu::open_forced_cuda().map_err(unavailable)?,
            Backend::OpenCl => gpu::open_forced_opencl().map_err(unavailable)?,
            #[cfg(target_arch = "x86_64")]
            Backend::ShaNi => Box::new(Batched(cpu.sha_ni.ok_or_else(unsupported)?)),
            #[cfg(target_arch = "x86_64")]
            Backend::Avx2 => Box::new(Batched(cpu.avx2.ok_or_else(unsupported)?)),
            #[cfg(target_arch = "x86_64")]
            Backend::Avx512 => Box::new(Batched(cpu.avx512.ok_or_else(unsupported)?)),
            #[cfg(target_arch = "aarch64")]
            Backend::Armv8Sha3 => Box::new(Batched(cpu.sha3.ok_or_else(unsupported)?)),
            #[cfg(target_arch = "aarch64")]
            Backend::Armv8Sha2 => Box::new(Batched(cpu.sha2.ok_or_else(unsupported)?)),
            #[allow(unreachable_patterns)]
            _ => return Err(unsupported()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(Backend::from_name("reference"), Ok(Backend::Reference));
        assert!(matches!(
            Backend::from_name("gpu"),
            Err(EngineError::Unknown { .. })
        ));
    }
}
