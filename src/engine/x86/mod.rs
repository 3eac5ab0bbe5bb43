//! x86-64 backends: `sha-ni` (SHA-NI + AVX2 Keccak), `avx2` and `avx512`
//! (many lanes of both primitives).
//!
//! # Safety model, enforced by the compiler
//! - Each feature set has a token (`Avx2`, `Avx512`, `ShaNi`, in
//!   `engine/backend.rs`) whose only constructor checks the CPU at run
//!   time; the token is its engine's kernel.
//! - The vector types (`U32x8`, `U64x4`, `U32x16`, `U64x8`) keep their
//!   register private to their module and are made only through a token or
//!   from another vector, so a vector value proves its feature. Their
//!   lane operations (the generic SHA-256 and Keccak primitives run on them)
//!   rely on that proof.
//! - Everything that hashes runs inside a `#[target_feature]` function (a
//!   safe one: calling it without the feature takes `unsafe`), entered once
//!   per batch from the engine through its token: the kernel's methods
//!   (`wide::kernel!` for the widths, `impl Kernel for ShaNi`).

pub(crate) mod avx2;
pub(crate) mod avx512;
pub(crate) mod sha_ni;
pub(crate) mod wide;
