//! The AVX2 engine: 8-lane SHA-256 (one nonce per 32-bit lane) and two
//! 4-lane Keccak-f[1600] — for x86-64 CPUs without SHA-NI.

use std::arch::x86_64::*;

use super::{store_seals, U32x8, U64x4};
use crate::engine::batch::{Batched, Kernel};
use crate::engine::primitives::keccak::{keccak256_32, Lane};
use crate::engine::primitives::sha256::{compress, Word, IV};
use crate::engine::roofline::{Kind, PrimitiveLoop};
use crate::job::{
    legacy_nonce_words, v1_block2_nonce_words, v1_block3_nonce_word, v1_high_word, Job,
    MessageWords,
};

pub struct Avx2Kernel(());

impl Avx2Kernel {
    /// `None` unless this CPU has AVX2.
    pub fn new() -> Option<Self> {
        is_x86_feature_detected!("avx2").then_some(Avx2Kernel(()))
    }
}

/// Eight per-lane words `f(base + i)`.
#[inline(always)]
fn per_lane(base: u64, f: impl Fn(u64) -> u32) -> U32x8 {
    let w: [u32; 8] = std::array::from_fn(|i| f(base.wrapping_add(i as u64)));
    // SAFETY: `w` is 32 readable bytes; loadu has no alignment requirement.
    U32x8(unsafe { _mm256_loadu_si256(w.as_ptr().cast()) })
}

/// The SHA-256 states of nonces `base..base+8`, lane i = nonce base+i.
#[inline(always)]
fn sha_states(words: &MessageWords, base: u64) -> [U32x8; 8] {
    match words {
        MessageWords::Legacy { block } => {
            let mut w = block.map(U32x8::splat);
            w[0] = per_lane(base, |n| legacy_nonce_words(n).0);
            w[1] = per_lane(base, |n| legacy_nonce_words(n).1);
            let mut st = IV.map(U32x8::splat);
            compress(&mut st, w);
            st
        }
        MessageWords::V1 {
            midstate,
            block2,
            block3,
        } => {
            let mut w2 = block2.map(U32x8::splat);
            w2[14] = per_lane(base, |n| block2[14] | v1_block2_nonce_words(n).0);
            w2[15] = per_lane(base, |n| v1_block2_nonce_words(n).1);
            let mut w3 = block3.map(U32x8::splat);
            w3[0] = per_lane(base, |n| block3[0] | v1_block3_nonce_word(n));
            let mut st = midstate.map(U32x8::splat);
            compress(&mut st, w2);
            compress(&mut st, w3);
            st
        }
    }
}

/// Keccak input lanes for nonces (0..4) and (4..8): byte-swap each digest
/// word and pair words (2i, 2i+1) into 64-bit lane i.
#[inline(always)]
fn keccak_inputs(h: [U32x8; 8]) -> ([U64x4; 4], [U64x4; 4]) {
    // SAFETY: AVX2 is present (module docs of x86).
    unsafe {
        let bswap = _mm256_setr_epi8(
            3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10,
            9, 8, 15, 14, 13, 12,
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

#[target_feature(enable = "avx2")]
fn seals8(words: &MessageWords, base: u64, out: &mut [[u64; 4]]) {
    let (lo, hi) = keccak_inputs(sha_states(words, base));
    store_seals(keccak256_32(lo), &mut out[..4]);
    store_seals(keccak256_32(hi), &mut out[4..8]);
}

#[target_feature(enable = "avx2")]
fn seals8_high(midstate: &[u32; 8], block3: &[u32; 16], hi_base: u32, out: &mut [[u64; 4]]) {
    let mut w = block3.map(U32x8::splat);
    w[0] = per_lane(u64::from(hi_base), |hi| block3[0] | v1_high_word(hi as u32));
    let mut st = midstate.map(U32x8::splat);
    compress(&mut st, w);
    let (lo, hi) = keccak_inputs(st);
    store_seals(keccak256_32(lo), &mut out[..4]);
    store_seals(keccak256_32(hi), &mut out[4..8]);
}

impl Kernel for Avx2Kernel {
    const NAME: &'static str = "avx2";
    const LANES: usize = 8;

    fn seals(&self, job: &Job, base: u64, out: &mut [[u64; 4]]) {
        // SAFETY: an Avx2Kernel exists only where AVX2 was detected (`new`).
        unsafe { seals8(job.words(), base, out) }
    }

    fn seals_high(
        &self,
        midstate: &[u32; 8],
        block3: &[u32; 16],
        hi_base: u32,
        out: &mut [[u64; 4]],
    ) {
        // SAFETY: an Avx2Kernel exists only where AVX2 was detected (`new`).
        unsafe { seals8_high(midstate, block3, hi_base, out) }
    }
}

/// The AVX2 engine, if this CPU has AVX2.
pub fn engine() -> Option<Batched<Avx2Kernel>> {
    Avx2Kernel::new().map(Batched)
}

#[target_feature(enable = "avx2")]
fn sha256_loop(n: u64) -> [u32; 8] {
    let mut st = IV.map(U32x8::splat);
    let mut w = [U32x8::splat(7); 16];
    for _ in 0..n {
        w[0] = st[7];
        compress(&mut st, w);
    }
    let mut out = [0u32; 8];
    // SAFETY: `out` is 32 writable bytes; storeu has no alignment requirement.
    unsafe { _mm256_storeu_si256(out.as_mut_ptr().cast(), st[0].0) };
    out
}

#[target_feature(enable = "avx2")]
fn keccak_loop(n: u64) -> [u64; 4] {
    let mut a = [U64x4::splat(7); 25];
    for _ in 0..n {
        crate::engine::primitives::keccak::keccak_f(&mut a);
    }
    super::lanes64(a[0])
}

/// Timing loops for the roofline and the benches, if this CPU has AVX2.
pub(crate) fn primitive_loops() -> Vec<PrimitiveLoop> {
    fn sha(n: u64) {
        // SAFETY: listed only after AVX2 was detected (below).
        std::hint::black_box(unsafe { sha256_loop(n) });
    }
    fn kec(n: u64) {
        // SAFETY: as above.
        std::hint::black_box(unsafe { keccak_loop(n) });
    }
    if Avx2Kernel::new().is_none() {
        return Vec::new();
    }
    vec![
        PrimitiveLoop {
            kind: Kind::Sha256,
            name: "avx2 (8 lanes)",
            items: 8,
            run: sha,
        },
        PrimitiveLoop {
            kind: Kind::Keccak,
            name: "avx2 (4 lanes)",
            items: 4,
            run: kec,
        },
    ]
}
