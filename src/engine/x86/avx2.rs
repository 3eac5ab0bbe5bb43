//! AVX2: the token's vector types and the `avx2` engine (8-lane
//! SHA-256, two 4-lane Keccak-f\[1600\]) for x86-64 CPUs without SHA-NI.

use std::arch::x86_64::*;

use super::wide::{self, Wide};
use crate::engine::backend::Avx2;
use crate::primitives::keccak::Lane;
use crate::primitives::sha256::Word;

/// Eight 32-bit lanes. The register is private to this module and only a
/// token or another vector makes one: a value proves AVX2.
#[derive(Clone, Copy)]
#[repr(transparent)]
pub(crate) struct U32x8(__m256i);

/// Four 64-bit lanes; made like [`U32x8`], so a value proves AVX2.
#[derive(Clone, Copy)]
#[repr(transparent)]
pub(crate) struct U64x4(__m256i);

impl Avx2 {
    /// Four 64-bit lanes from a register built by a caller with AVX2.
    #[inline(always)]
    pub(crate) fn u64x4(self, v: __m256i) -> U64x4 {
        U64x4(v)
    }
}

impl U64x4 {
    /// The four lanes, lowest first.
    #[inline(always)]
    pub(crate) fn to_array(self) -> [u64; 4] {
        let mut out = [0u64; 4];
        // SAFETY: AVX2, proven by `self`; `out` is 32 writable bytes and
        // storeu needs no alignment.
        unsafe { _mm256_storeu_si256(out.as_mut_ptr().cast(), self.0) };
        out
    }
}

impl Word for U32x8 {
    #[inline(always)]
    fn splat(self, x: u32) -> Self {
        // SAFETY: AVX2, proven by `self`; registers only.
        U32x8(unsafe { _mm256_set1_epi32(x as i32) })
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        // SAFETY: AVX2, proven by `self`; registers only.
        U32x8(unsafe { _mm256_add_epi32(self.0, o.0) })
    }
    #[inline(always)]
    fn xor(self, o: Self) -> Self {
        // SAFETY: AVX2, proven by `self`; registers only.
        U32x8(unsafe { _mm256_xor_si256(self.0, o.0) })
    }
    #[inline(always)]
    fn and(self, o: Self) -> Self {
        // SAFETY: AVX2, proven by `self`; registers only.
        U32x8(unsafe { _mm256_and_si256(self.0, o.0) })
    }
    #[inline(always)]
    fn andnot(self, o: Self) -> Self {
        // SAFETY: AVX2, proven by `self`; registers only.
        U32x8(unsafe { _mm256_andnot_si256(self.0, o.0) })
    }
    #[inline(always)]
    fn rotr(self, n: u32) -> Self {
        // Constant `n` after inlining: LLVM emits immediate shifts.
        // SAFETY: AVX2, proven by `self`; registers only.
        U32x8(unsafe {
            _mm256_or_si256(
                _mm256_srlv_epi32(self.0, _mm256_set1_epi32(n as i32)),
                _mm256_sllv_epi32(self.0, _mm256_set1_epi32(32 - n as i32)),
            )
        })
    }
    #[inline(always)]
    fn shr(self, n: u32) -> Self {
        // SAFETY: AVX2, proven by `self`; registers only.
        U32x8(unsafe { _mm256_srlv_epi32(self.0, _mm256_set1_epi32(n as i32)) })
    }
}

impl Lane for U64x4 {
    #[inline(always)]
    fn splat(self, x: u64) -> Self {
        // SAFETY: AVX2, proven by `self`; registers only.
        U64x4(unsafe { _mm256_set1_epi64x(x as i64) })
    }
    #[inline(always)]
    fn xor(self, o: Self) -> Self {
        // SAFETY: AVX2, proven by `self`; registers only.
        U64x4(unsafe { _mm256_xor_si256(self.0, o.0) })
    }
    #[inline(always)]
    fn andnot(self, o: Self) -> Self {
        // SAFETY: AVX2, proven by `self`; registers only.
        U64x4(unsafe { _mm256_andnot_si256(self.0, o.0) })
    }
    #[inline(always)]
    fn rotl(self, n: u32) -> Self {
        // SAFETY: AVX2, proven by `self`; registers only.
        U64x4(unsafe {
            _mm256_or_si256(
                _mm256_sllv_epi64(self.0, _mm256_set1_epi64x(n as i64)),
                _mm256_srlv_epi64(self.0, _mm256_set1_epi64x(64 - n as i64)),
            )
        })
    }
}

/// Writes four nonces' seals (Keccak output lanes, one vector per lane
/// index, one element per nonce) into `out[0..4]`.
#[inline(always)]
pub(crate) fn store_seals(seal_lanes: [U64x4; 4], out: &mut [[u64; 4]]) {
    for (i, v) in seal_lanes.into_iter().enumerate() {
        for (j, x) in v.to_array().into_iter().enumerate() {
            out[j][i] = x;
        }
    }
}

wide::kernel!(Avx2, "avx2", "avx2", 8);

impl Wide for Avx2 {
    type W = U32x8;
    type L = U64x4;

    #[inline(always)]
    fn splat(self, x: u32) -> U32x8 {
        // SAFETY: AVX2, proven by the token; registers only.
        U32x8(unsafe { _mm256_set1_epi32(x as i32) })
    }

    #[inline(always)]
    fn per_lane(self, base: u64, f: impl Fn(u64) -> u32) -> U32x8 {
        let w: [u32; 8] = std::array::from_fn(|i| f(base.wrapping_add(i as u64)));
        // SAFETY: AVX2, proven by the token; `w` is 32 readable bytes and
        // loadu needs no alignment.
        U32x8(unsafe { _mm256_loadu_si256(w.as_ptr().cast()) })
    }

    #[inline(always)]
    fn keccak_inputs(h: [U32x8; 8]) -> ([U64x4; 4], [U64x4; 4]) {
        // SAFETY: AVX2, proven by the vectors `h`; registers only.
        unsafe {
            let bswap = _mm256_setr_epi8(
                3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12, 3, 2, 1, 0, 7, 6, 5, 4, 11,
                10, 9, 8, 15, 14, 13, 12,
            );
            let h = h.map(|v| _mm256_shuffle_epi8(v.0, bswap));
            let mut lo = [U64x4(_mm256_setzero_si256()); 4];
            let mut hi = lo;
            for i in 0..4 {
                // unpack: 64-bit elements for nonces (0, 1, 4, 5) and (2, 3, 6, 7)
                let a = _mm256_unpacklo_epi32(h[2 * i], h[2 * i + 1]);
                let b = _mm256_unpackhi_epi32(h[2 * i], h[2 * i + 1]);
                lo[i] = U64x4(_mm256_permute2x128_si256::<0x20>(a, b));
                hi[i] = U64x4(_mm256_permute2x128_si256::<0x31>(a, b));
            }
            (lo, hi)
        }
    }

    #[inline(always)]
    fn store_seals(seal_lanes: [U64x4; 4], out: &mut [[u64; 4]]) {
        store_seals(seal_lanes, out);
    }

    #[inline(always)]
    fn store_keys(lane: U64x4, out: &mut [u64]) {
        out[..4].copy_from_slice(&lane.to_array());
    }
}
