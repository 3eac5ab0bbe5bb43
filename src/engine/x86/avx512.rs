//! The AVX-512 engine: 16-lane SHA-256 and two 8-lane Keccak-f[1600] on
//! 512-bit registers, with native rotates (`vprord`, `vprolq`) and
//! three-input logic (`vpternlog`, formed by LLVM from the xor/and-not).
//!
//! Safety: as for AVX2 (see the module docs of `x86`): the vector types are
//! only built inside `#[target_feature(enable = "avx512f")]` functions, run
//! only after AVX-512F was detected.

use std::arch::x86_64::*;

use crate::engine::batch::{Batched, Kernel};
use crate::engine::primitives::keccak::{keccak256_32, keccak_f, Lane};
use crate::engine::primitives::sha256::{compress, Word, IV};
use crate::engine::roofline::{Kind, PrimitiveLoop};
use crate::job::{
    legacy_nonce_words, v1_block2_nonce_words, v1_block3_nonce_word, v1_high_word, Job,
    MessageWords,
};

/// Sixteen 32-bit lanes.
#[derive(Clone, Copy)]
#[repr(transparent)]
pub(crate) struct U32x16(__m512i);

/// Eight 64-bit lanes.
#[derive(Clone, Copy)]
#[repr(transparent)]
pub(crate) struct U64x8(__m512i);

impl Word for U32x16 {
    #[inline(always)]
    fn splat(x: u32) -> Self {
        // SAFETY: AVX-512F is present wherever these types exist (module docs).
        U32x16(unsafe { _mm512_set1_epi32(x as i32) })
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        // SAFETY: as above.
        U32x16(unsafe { _mm512_add_epi32(self.0, o.0) })
    }
    #[inline(always)]
    fn xor(self, o: Self) -> Self {
        // SAFETY: as above.
        U32x16(unsafe { _mm512_xor_si512(self.0, o.0) })
    }
    #[inline(always)]
    fn and(self, o: Self) -> Self {
        // SAFETY: as above.
        U32x16(unsafe { _mm512_and_si512(self.0, o.0) })
    }
    #[inline(always)]
    fn andnot(self, o: Self) -> Self {
        // SAFETY: as above.
        U32x16(unsafe { _mm512_andnot_si512(self.0, o.0) })
    }
    #[inline(always)]
    fn rotr(self, n: u32) -> Self {
        // SAFETY: as above.
        U32x16(unsafe { _mm512_rorv_epi32(self.0, _mm512_set1_epi32(n as i32)) })
    }
    #[inline(always)]
    fn shr(self, n: u32) -> Self {
        // SAFETY: as above.
        U32x16(unsafe { _mm512_srlv_epi32(self.0, _mm512_set1_epi32(n as i32)) })
    }
}

impl Lane for U64x8 {
    #[inline(always)]
    fn splat(x: u64) -> Self {
        // SAFETY: AVX-512F is present wherever these types exist (module docs).
        U64x8(unsafe { _mm512_set1_epi64(x as i64) })
    }
    #[inline(always)]
    fn xor(self, o: Self) -> Self {
        // SAFETY: as above.
        U64x8(unsafe { _mm512_xor_si512(self.0, o.0) })
    }
    #[inline(always)]
    fn andnot(self, o: Self) -> Self {
        // SAFETY: as above.
        U64x8(unsafe { _mm512_andnot_si512(self.0, o.0) })
    }
    #[inline(always)]
    fn rotl(self, n: u32) -> Self {
        // SAFETY: as above.
        U64x8(unsafe { _mm512_rolv_epi64(self.0, _mm512_set1_epi64(n as i64)) })
    }
}

pub struct Avx512Kernel(());

impl Avx512Kernel {
    /// `None` unless this CPU has AVX-512F.
    pub fn new() -> Option<Self> {
        is_x86_feature_detected!("avx512f").then_some(Avx512Kernel(()))
    }
}

/// Sixteen per-lane words `f(base + i)`.
#[inline(always)]
fn per_lane(base: u64, f: impl Fn(u64) -> u32) -> U32x16 {
    let w: [u32; 16] = std::array::from_fn(|i| f(base.wrapping_add(i as u64)));
    // SAFETY: `w` is 64 readable bytes; loadu has no alignment requirement.
    U32x16(unsafe { _mm512_loadu_si512(w.as_ptr().cast()) })
}

#[inline(always)]
fn sha_states(words: &MessageWords, base: u64) -> [U32x16; 8] {
    match words {
        MessageWords::Legacy { block } => {
            let mut w = block.map(U32x16::splat);
            w[0] = per_lane(base, |n| legacy_nonce_words(n).0);
            w[1] = per_lane(base, |n| legacy_nonce_words(n).1);
            let mut st = IV.map(U32x16::splat);
            compress(&mut st, w);
            st
        }
        MessageWords::V1 {
            midstate,
            block2,
            block3,
        } => {
            let mut w2 = block2.map(U32x16::splat);
            w2[14] = per_lane(base, |n| block2[14] | v1_block2_nonce_words(n).0);
            w2[15] = per_lane(base, |n| v1_block2_nonce_words(n).1);
            let mut w3 = block3.map(U32x16::splat);
            w3[0] = per_lane(base, |n| block3[0] | v1_block3_nonce_word(n));
            let mut st = midstate.map(U32x16::splat);
            compress(&mut st, w2);
            compress(&mut st, w3);
            st
        }
    }
}

/// Keccak input lanes for nonces 0..8 and 8..16: each digest word
/// byte-swapped, words (2i, 2i+1) paired into 64-bit lane i.
#[inline(always)]
fn keccak_inputs(h: [U32x16; 8]) -> ([U64x8; 4], [U64x8; 4]) {
    // SAFETY: AVX-512F is present (module docs).
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
        // SAFETY: `lanes` is 64 writable bytes; storeu has no alignment requirement.
        unsafe { _mm512_storeu_si512(lanes.as_mut_ptr().cast(), v.0) };
        for (j, x) in lanes.into_iter().enumerate() {
            out[j][i] = x;
        }
    }
}

#[target_feature(enable = "avx512f")]
fn seals16(words: &MessageWords, base: u64, out: &mut [[u64; 4]]) {
    let (lo, hi) = keccak_inputs(sha_states(words, base));
    store_seals(keccak256_32(lo), &mut out[..8]);
    store_seals(keccak256_32(hi), &mut out[8..16]);
}

#[target_feature(enable = "avx512f")]
fn seals16_high(midstate: &[u32; 8], block3: &[u32; 16], hi_base: u32, out: &mut [[u64; 4]]) {
    let mut w = block3.map(U32x16::splat);
    w[0] = per_lane(u64::from(hi_base), |hi| block3[0] | v1_high_word(hi as u32));
    let mut st = midstate.map(U32x16::splat);
    compress(&mut st, w);
    let (lo, hi) = keccak_inputs(st);
    store_seals(keccak256_32(lo), &mut out[..8]);
    store_seals(keccak256_32(hi), &mut out[8..16]);
}

impl Kernel for Avx512Kernel {
    const NAME: &'static str = "avx512";
    const LANES: usize = 16;

    fn seals(&self, job: &Job, base: u64, out: &mut [[u64; 4]]) {
        // SAFETY: an Avx512Kernel exists only where AVX-512F was detected (`new`).
        unsafe { seals16(job.words(), base, out) }
    }

    fn seals_high(
        &self,
        midstate: &[u32; 8],
        block3: &[u32; 16],
        hi_base: u32,
        out: &mut [[u64; 4]],
    ) {
        // SAFETY: an Avx512Kernel exists only where AVX-512F was detected (`new`).
        unsafe { seals16_high(midstate, block3, hi_base, out) }
    }
}

/// The AVX-512 engine, if this CPU has AVX-512F.
pub fn engine() -> Option<Batched<Avx512Kernel>> {
    Avx512Kernel::new().map(Batched)
}

#[target_feature(enable = "avx512f")]
fn sha256_loop(n: u64) -> u32 {
    let mut st = IV.map(U32x16::splat);
    let mut w = [U32x16::splat(7); 16];
    for _ in 0..n {
        w[0] = st[7];
        compress(&mut st, w);
    }
    _mm512_cvtsi512_si32(st[0].0) as u32
}

#[target_feature(enable = "avx512f")]
fn keccak_loop(n: u64) -> u64 {
    let mut a = [U64x8::splat(7); 25];
    for _ in 0..n {
        keccak_f(&mut a);
    }
    _mm512_cvtsi512_si32(a[0].0) as u64
}

/// Timing loops for the roofline and the benches, if this CPU has AVX-512F.
pub(crate) fn primitive_loops() -> Vec<PrimitiveLoop> {
    fn sha(n: u64) {
        // SAFETY: listed only after AVX-512F was detected (below).
        std::hint::black_box(unsafe { sha256_loop(n) });
    }
    fn kec(n: u64) {
        // SAFETY: as above.
        std::hint::black_box(unsafe { keccak_loop(n) });
    }
    if Avx512Kernel::new().is_none() {
        return Vec::new();
    }
    vec![
        PrimitiveLoop {
            kind: Kind::Sha256,
            name: "avx512 (16 lanes)",
            items: 16,
            run: sha,
        },
        PrimitiveLoop {
            kind: Kind::Keccak,
            name: "avx512 (8 lanes)",
            items: 8,
            run: kec,
        },
    ]
}
