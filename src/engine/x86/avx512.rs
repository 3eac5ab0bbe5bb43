//! AVX-512: the token's vector types and the `avx512` engine (16-lane
//! SHA-256, two 8-lane Keccak-f\[1600\]) on 512-bit registers, with native
//! rotates (`vprord`, `vprolq`) and three-input logic (`vpternlog`, formed
//! by LLVM from the xor/and-not).

use std::arch::x86_64::*;

use super::wide::{self, Wide};
use crate::engine::backend::Avx512;
use crate::primitives::keccak::Lane;
use crate::primitives::sha256::Word;

/// Sixteen 32-bit lanes. The register is private to this module and only a
/// token or another vector makes one: a value proves AVX-512F.
#[derive(Clone, Copy)]
#[repr(transparent)]
pub(crate) struct U32x16(__m512i);

/// Eight 64-bit lanes; made like [`U32x16`], so a value proves AVX-512F.
#[derive(Clone, Copy)]
#[repr(transparent)]
pub(crate) struct U64x8(__m512i);

impl Word for U32x16 {
    #[inline(always)]
    fn splat(self, x: u32) -> Self {
        // SAFETY: AVX-512F, proven by `self`; registers only.
        U32x16(unsafe { _mm512_set1_epi32(x as i32) })
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        // SAFETY: AVX-512F, proven by `self`; registers only.
        U32x16(unsafe { _mm512_add_epi32(self.0, o.0) })
    }
    #[inline(always)]
    fn xor(self, o: Self) -> Self {
        // SAFETY: AVX-512F, proven by `self`; registers only.
        U32x16(unsafe { _mm512_xor_si512(self.0, o.0) })
    }
    #[inline(always)]
    fn and(self, o: Self) -> Self {
        // SAFETY: AVX-512F, proven by `self`; registers only.
        U32x16(unsafe { _mm512_and_si512(self.0, o.0) })
    }
    #[inline(always)]
    fn andnot(self, o: Self) -> Self {
        // SAFETY: AVX-512F, proven by `self`; registers only.
        U32x16(unsafe { _mm512_andnot_si512(self.0, o.0) })
    }
    #[inline(always)]
    fn rotr(self, n: u32) -> Self {
        // SAFETY: AVX-512F, proven by `self`; registers only.
        U32x16(unsafe { _mm512_rorv_epi32(self.0, _mm512_set1_epi32(n as i32)) })
    }
    #[inline(always)]
    fn shr(self, n: u32) -> Self {
        // SAFETY: AVX-512F, proven by `self`; registers only.
        U32x16(unsafe { _mm512_srlv_epi32(self.0, _mm512_set1_epi32(n as i32)) })
    }
}

impl Lane for U64x8 {
    #[inline(always)]
    fn splat(self, x: u64) -> Self {
        // SAFETY: AVX-512F, proven by `self`; registers only.
        U64x8(unsafe { _mm512_set1_epi64(x as i64) })
    }
    #[inline(always)]
    fn xor(self, o: Self) -> Self {
        // SAFETY: AVX-512F, proven by `self`; registers only.
        U64x8(unsafe { _mm512_xor_si512(self.0, o.0) })
    }
    #[inline(always)]
    fn andnot(self, o: Self) -> Self {
        // SAFETY: AVX-512F, proven by `self`; registers only.
        U64x8(unsafe { _mm512_andnot_si512(self.0, o.0) })
    }
    #[inline(always)]
    fn rotl(self, n: u32) -> Self {
        // SAFETY: AVX-512F, proven by `self`; registers only.
        U64x8(unsafe { _mm512_rolv_epi64(self.0, _mm512_set1_epi64(n as i64)) })
    }
}

wide::kernel!(Avx512, "avx512f", "avx512", 16);

impl Wide for Avx512 {
    type W = U32x16;
    type L = U64x8;

    #[inline(always)]
    fn splat(self, x: u32) -> U32x16 {
        // SAFETY: AVX-512F, proven by the token; registers only.
        U32x16(unsafe { _mm512_set1_epi32(x as i32) })
    }

    #[inline(always)]
    fn per_lane(self, base: u64, f: impl Fn(u64) -> u32) -> U32x16 {
        let w: [u32; 16] = std::array::from_fn(|i| f(base.wrapping_add(i as u64)));
        // SAFETY: AVX-512F, proven by the token; `w` is 64 readable bytes
        // and loadu needs no alignment.
        U32x16(unsafe { _mm512_loadu_si512(w.as_ptr().cast()) })
    }

    #[inline(always)]
    fn keccak_inputs(h: [U32x16; 8]) -> ([U64x8; 4], [U64x8; 4]) {
        // SAFETY: AVX-512F, proven by the vectors `h`; registers only.
        unsafe {
            let mut lo = [U64x8(_mm512_setzero_si512()); 4];
            let mut hi = lo;
            // Byte swap of each 32-bit word by rotations (AVX-512F has no byte shuffle).
            let bswap = |v: __m512i| {
                let r8 = _mm512_rolv_epi32(v, _mm512_set1_epi32(8));
                let r24 = _mm512_rolv_epi32(v, _mm512_set1_epi32(24));
                // bytes 0 and 2 from rotl 8, bytes 1 and 3 from rotl 24 (0xca: a ? b : c)
                _mm512_ternarylogic_epi32::<0xca>(_mm512_set1_epi32(0x00ff_00ff), r8, r24)
            };
            // Interleave words a (even) and b (odd): 64-bit elements (a_j, b_j).
            let idx_lo = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
            let idx_hi =
                _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
            for i in 0..4 {
                let a = bswap(h[2 * i].0);
                let b = bswap(h[2 * i + 1].0);
                lo[i] = U64x8(_mm512_permutex2var_epi32(a, idx_lo, b));
                hi[i] = U64x8(_mm512_permutex2var_epi32(a, idx_hi, b));
            }
            (lo, hi)
        }
    }

    #[inline(always)]
    fn store_seals(seal_lanes: [U64x8; 4], out: &mut [[u64; 4]]) {
        for (i, v) in seal_lanes.into_iter().enumerate() {
            let mut lanes = [0u64; 8];
            // SAFETY: AVX-512F, proven by `v`; `lanes` is 64 writable bytes
            // and storeu needs no alignment.
            unsafe { _mm512_storeu_si512(lanes.as_mut_ptr().cast(), v.0) };
            for (j, x) in lanes.into_iter().enumerate() {
                out[j][i] = x;
            }
        }
    }

    #[inline(always)]
    fn store_keys(lane: U64x8, out: &mut [u64]) {
        let out = &mut out[..8];
        // SAFETY: AVX-512F, proven by `lane`; `out` is 64 writable bytes
        // (bounds checked above) and storeu needs no alignment.
        unsafe { _mm512_storeu_si512(out.as_mut_ptr().cast(), lane.0) };
    }
}
