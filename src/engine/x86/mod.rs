//! x86-64 backends: `sha-ni` (SHA-NI + AVX2 Keccak), `avx2` and `avx512`
//! (many lanes of both primitives).
//!
//! # Safety model, enforced by the compiler
//! - Each feature set has a token ([`Avx2`], [`Avx512`], [`ShaNi`]) whose
//!   only constructor, `detect`, checks the CPU at run time.
//! - The vector types (`U32x8`, `U64x4`, `U32x16`, `U64x8`) keep their
//!   register private to their module and are made only through a token or
//!   from another vector, so a vector value proves its feature. Their
//!   lane operations (the generic SHA-256 and Keccak primitives run on them)
//!   rely on that proof.
//! - Everything that hashes runs inside a `#[target_feature]` function (a
//!   safe one: calling it without the feature takes `unsafe`), entered once
//!   per batch from the engine through its token.

pub(crate) mod avx2;
pub(crate) mod avx512;
pub(crate) mod sha_ni;
mod wide;

pub(crate) use avx2::Avx2;
pub(crate) use avx512::Avx512;
pub(crate) use sha_ni::ShaNi;

/// Every x86 primitive timing loop this CPU runs.
pub(crate) fn primitive_loops() -> Vec<super::roofline::PrimitiveLoop> {
    let mut loops = wide::primitive_loops::<Avx2>();
    loops.extend(sha_ni::primitive_loops());
    loops.extend(wide::primitive_loops::<Avx512>());
    loops
}
