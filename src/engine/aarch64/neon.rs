//! Keccak lanes on NEON: two 64-bit lanes per register, one per state.
//! [`U64x2`] uses plain NEON; [`U64x2Sha3`] the SHA3 instructions for the
//! fused forms of a round.

use std::arch::aarch64::*;

use crate::engine::backend::{Sha2, Sha3};
use crate::primitives::keccak::Lane;

/// Two 64-bit lanes on plain NEON. The register is private to this module
/// and only a token or another vector makes one: a value proves NEON.
#[derive(Clone, Copy)]
#[repr(transparent)]
pub(crate) struct U64x2(uint64x2_t);

/// Two 64-bit lanes whose fused round forms use the SHA3 instructions; a
/// value proves SHA3.
#[derive(Clone, Copy)]
#[repr(transparent)]
pub(crate) struct U64x2Sha3(uint64x2_t);

impl Sha2 {
    /// Two NEON lanes `[lo, hi]`.
    #[inline(always)]
    pub(crate) fn u64x2(self, v: uint64x2_t) -> U64x2 {
        U64x2(v)
    }
}

impl Sha3 {
    /// Two SHA3 lanes `[lo, hi]`.
    #[inline(always)]
    pub(crate) fn u64x2(self, v: uint64x2_t) -> U64x2Sha3 {
        U64x2Sha3(v)
    }
}

/// The register of a lane vector.
pub(crate) trait Register: Lane {
    /// The vector from a register (the token was shown for `self`'s type).
    fn with(self, v: uint64x2_t) -> Self;
    /// The register.
    fn get(self) -> uint64x2_t;
}

impl Register for U64x2 {
    #[inline(always)]
    fn with(self, v: uint64x2_t) -> Self {
        U64x2(v)
    }
    #[inline(always)]
    fn get(self) -> uint64x2_t {
        self.0
    }
}

impl Register for U64x2Sha3 {
    #[inline(always)]
    fn with(self, v: uint64x2_t) -> Self {
        U64x2Sha3(v)
    }
    #[inline(always)]
    fn get(self) -> uint64x2_t {
        self.0
    }
}

#[inline(always)]
fn rotl(x: uint64x2_t, n: u32) -> uint64x2_t {
    // Shifts by a vector count (negative: right); after inlining `n` is a
    // constant and these become immediate shifts.
    // SAFETY: NEON, proven by the vector the caller holds; registers only.
    unsafe {
        vorrq_u64(
            vshlq_u64(x, vdupq_n_s64(i64::from(n))),
            vshlq_u64(x, vdupq_n_s64(i64::from(n) - 64)),
        )
    }
}

impl Lane for U64x2 {
    #[inline(always)]
    fn splat(self, x: u64) -> Self {
        // SAFETY: NEON, proven by `self`; registers only.
        U64x2(unsafe { vdupq_n_u64(x) })
    }
    #[inline(always)]
    fn xor(self, o: Self) -> Self {
        // SAFETY: NEON, proven by `self`; registers only.
        U64x2(unsafe { veorq_u64(self.0, o.0) })
    }
    #[inline(always)]
    fn andnot(self, o: Self) -> Self {
        // BIC: o & !self.
        // SAFETY: NEON, proven by `self`; registers only.
        U64x2(unsafe { vbicq_u64(o.0, self.0) })
    }
    #[inline(always)]
    fn rotl(self, n: u32) -> Self {
        U64x2(rotl(self.0, n))
    }
}

// The SHA3 instructions, compiled for SHA3 (and inlined into the engine's
// entry points, which have it); the `U64x2Sha3` methods that call them hold
// the proof.

/// `EOR3`: `a ^ b ^ c`.
#[inline]
#[target_feature(enable = "sha3")]
fn eor3(a: uint64x2_t, b: uint64x2_t, c: uint64x2_t) -> uint64x2_t {
    veor3q_u64(a, b, c)
}

/// `RAX1`: `a ^ rotl(b, 1)`.
#[inline]
#[target_feature(enable = "sha3")]
fn rax1(a: uint64x2_t, b: uint64x2_t) -> uint64x2_t {
    vrax1q_u64(a, b)
}

/// `BCAX`: `a ^ (b & !c)`.
#[inline]
#[target_feature(enable = "sha3")]
fn bcax(a: uint64x2_t, b: uint64x2_t, c: uint64x2_t) -> uint64x2_t {
    vbcaxq_u64(a, b, c)
}

/// `XAR`: `rotr(a ^ b, 64 - n)` = `rotl(a ^ b, n)`, for the rotation counts
/// of ρ (the immediate must be a constant).
#[inline]
#[target_feature(enable = "sha3")]
fn xar(a: uint64x2_t, b: uint64x2_t, n: u32) -> uint64x2_t {
    macro_rules! by_count {
        ($($n:literal),*) => {
            match n {
                $($n => vxarq_u64::<{ 64 - $n }>(a, b),)*
                _ => rotl(veorq_u64(a, b), n),
            }
        };
    }
    by_count!(
        1, 2, 3, 6, 8, 10, 14, 15, 18, 20, 21, 25, 27, 28, 36, 39, 41, 43, 44, 45, 55, 56, 61, 62
    )
}

impl Lane for U64x2Sha3 {
    #[inline(always)]
    fn splat(self, x: u64) -> Self {
        // SAFETY: NEON, proven by `self`; registers only.
        U64x2Sha3(unsafe { vdupq_n_u64(x) })
    }
    #[inline(always)]
    fn xor(self, o: Self) -> Self {
        // SAFETY: NEON, proven by `self`; registers only.
        U64x2Sha3(unsafe { veorq_u64(self.0, o.0) })
    }
    #[inline(always)]
    fn andnot(self, o: Self) -> Self {
        // SAFETY: NEON, proven by `self`; registers only.
        U64x2Sha3(unsafe { vbicq_u64(o.0, self.0) })
    }
    #[inline(always)]
    fn rotl(self, n: u32) -> Self {
        U64x2Sha3(rotl(self.0, n))
    }
    #[inline(always)]
    fn xor3(self, b: Self, c: Self) -> Self {
        // SAFETY: SHA3, proven by `self`; registers only.
        U64x2Sha3(unsafe { eor3(self.0, b.0, c.0) })
    }
    #[inline(always)]
    fn xor_rotl1(self, o: Self) -> Self {
        // SAFETY: SHA3, proven by `self`; registers only.
        U64x2Sha3(unsafe { rax1(self.0, o.0) })
    }
    #[inline(always)]
    fn xor_rotl(self, o: Self, n: u32) -> Self {
        // SAFETY: SHA3, proven by `self`; registers only.
        U64x2Sha3(unsafe { xar(self.0, o.0, n) })
    }
    #[inline(always)]
    fn xor_andnot(self, b: Self, c: Self) -> Self {
        // self ^ (c & !b).
        // SAFETY: SHA3, proven by `self`; registers only.
        U64x2Sha3(unsafe { bcax(self.0, c.0, b.0) })
    }
}
