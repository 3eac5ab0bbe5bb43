//! x86-64 backends. The vector types here implement the generic SHA-256 and
//! Keccak lanes with AVX2 intrinsics.
//!
//! Safety model (as in BLAKE3's x86 backends): these types are private to
//! this module and only ever built and used inside functions compiled with
//! `#[target_feature(enable = "avx2")]`, which are only called after
//! [`super::Backend::is_supported`] has confirmed AVX2 at run time. Every
//! `unsafe` block below relies on that.

pub mod avx2;
pub mod avx512;
pub mod sha_ni;

use std::arch::x86_64::*;

use super::primitives::keccak::Lane;
use super::primitives::sha256::Word;

/// Eight 32-bit lanes.
#[derive(Clone, Copy)]
#[repr(transparent)]
pub(crate) struct U32x8(pub __m256i);

/// Four 64-bit lanes.
#[derive(Clone, Copy)]
#[repr(transparent)]
pub(crate) struct U64x4(pub __m256i);

impl Word for U32x8 {
    #[inline(always)]
    fn splat(x: u32) -> Self {
        // SAFETY: AVX2 is present wherever these types exist (module docs).
        U32x8(unsafe { _mm256_set1_epi32(x as i32) })
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        // SAFETY: as above.
        U32x8(unsafe { _mm256_add_epi32(self.0, o.0) })
    }
    #[inline(always)]
    fn xor(self, o: Self) -> Self {
        // SAFETY: as above.
        U32x8(unsafe { _mm256_xor_si256(self.0, o.0) })
    }
    #[inline(always)]
    fn and(self, o: Self) -> Self {
        // SAFETY: as above.
        U32x8(unsafe { _mm256_and_si256(self.0, o.0) })
    }
    #[inline(always)]
    fn andnot(self, o: Self) -> Self {
        // SAFETY: as above.
        U32x8(unsafe { _mm256_andnot_si256(self.0, o.0) })
    }
    #[inline(always)]
    fn rotr(self, n: u32) -> Self {
        // Constant `n` after inlining: LLVM emits immediate shifts.
        // SAFETY: as above.
        U32x8(unsafe {
            _mm256_or_si256(
                _mm256_srlv_epi32(self.0, _mm256_set1_epi32(n as i32)),
                _mm256_sllv_epi32(self.0, _mm256_set1_epi32(32 - n as i32)),
            )
        })
    }
    #[inline(always)]
    fn shr(self, n: u32) -> Self {
        // SAFETY: as above.
        U32x8(unsafe { _mm256_srlv_epi32(self.0, _mm256_set1_epi32(n as i32)) })
    }
}

impl Lane for U64x4 {
    #[inline(always)]
    fn splat(x: u64) -> Self {
        // SAFETY: AVX2 is present wherever these types exist (module docs).
        U64x4(unsafe { _mm256_set1_epi64x(x as i64) })
    }
    #[inline(always)]
    fn xor(self, o: Self) -> Self {
        // SAFETY: as above.
        U64x4(unsafe { _mm256_xor_si256(self.0, o.0) })
    }
    #[inline(always)]
    fn andnot(self, o: Self) -> Self {
        // SAFETY: as above.
        U64x4(unsafe { _mm256_andnot_si256(self.0, o.0) })
    }
    #[inline(always)]
    fn rotl(self, n: u32) -> Self {
        // SAFETY: as above.
        U64x4(unsafe {
            _mm256_or_si256(
                _mm256_sllv_epi64(self.0, _mm256_set1_epi64x(n as i64)),
                _mm256_srlv_epi64(self.0, _mm256_set1_epi64x(64 - n as i64)),
            )
        })
    }
}

/// Every x86 primitive timing loop this CPU runs.
pub(crate) fn primitive_loops() -> Vec<super::roofline::PrimitiveLoop> {
    let mut loops = avx2::primitive_loops();
    loops.extend(sha_ni::primitive_loops());
    loops.extend(avx512::primitive_loops());
    loops
}

/// The four 64-bit lanes of a vector.
#[inline(always)]
pub(crate) fn lanes64(v: U64x4) -> [u64; 4] {
    let mut out = [0u64; 4];
    // SAFETY: `out` is 32 writable bytes; storeu has no alignment requirement.
    unsafe { _mm256_storeu_si256(out.as_mut_ptr().cast(), v.0) };
    out
}

/// Writes four nonces' seals (Keccak output lanes, one vector per lane
/// index, one element per nonce) into `out[0..4]`.
#[inline(always)]
pub(crate) fn store_seals(seal_lanes: [U64x4; 4], out: &mut [[u64; 4]]) {
    for (i, v) in seal_lanes.into_iter().enumerate() {
        for (j, x) in lanes64(v).into_iter().enumerate() {
            out[j][i] = x;
        }
    }
}
