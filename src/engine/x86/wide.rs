//! What the `avx2` and `avx512` engines share: SHA-256 with one nonce per
//! 32-bit lane, then two Keccak-f\[1600\] of half as many 64-bit lanes, written
//! once over the [`Wide`] token of each width.

use std::hint::black_box;

use crate::engine::batch::{Batched, Kernel};
use crate::engine::message::{
    legacy_nonce_words, v1_block2_nonce_words, v1_block3_nonce_word, v1_high_word, MessageWords,
};
use crate::engine::primitives::keccak::{keccak256_32, keccak256_32_lane, keccak_f, Lane};
use crate::engine::primitives::sha256::{compress, Word, IV};
use crate::engine::roofline::{PrimitiveKind, PrimitiveLoop};
use crate::job::Job;

/// A SIMD width, named by its feature token: a value is proof of the feature.
pub(crate) trait Wide: Copy + Send + Sync + 'static {
    /// The engine's name.
    const NAME: &'static str;
    /// Nonces per batch: 32-bit lanes of [`Wide::W`].
    const LANES: usize;
    /// The primitive loops' names in the roofline.
    const SHA_LOOP: &'static str;
    /// See [`Wide::SHA_LOOP`].
    const KECCAK_LOOP: &'static str;
    /// `LANES` 32-bit lanes.
    type W: Word;
    /// `LANES / 2` 64-bit lanes.
    type L: Lane;

    /// The token, if this CPU has the feature.
    fn detect() -> Option<Self>;
    /// `x` in every 32-bit lane.
    fn splat(self, x: u32) -> Self::W;
    /// Lane `i` = `f(base + i)`.
    fn per_lane(self, base: u64, f: impl Fn(u64) -> u32) -> Self::W;
    /// Keccak input lanes of the digests (each word byte-swapped, words
    /// (2i, 2i+1) paired into lane i), for the first and second half of the
    /// nonces.
    fn keccak_inputs(h: [Self::W; 8]) -> ([Self::L; 4], [Self::L; 4]);
    /// Writes the seals of `LANES / 2` nonces (Keccak output lanes, one
    /// vector per lane index) into `out`.
    fn store_seals(seal_lanes: [Self::L; 4], out: &mut [[u64; 4]]);
    /// Writes one output lane of `LANES / 2` nonces into `out`.
    fn store_keys(lane: Self::L, out: &mut [u64]);

    /// [`seals`], compiled for the feature.
    fn seals(self, words: &MessageWords, base: u64, out: &mut [[u64; 4]]);
    /// [`seals_high`], compiled for the feature.
    fn seals_high(
        self,
        midstate: &[u32; 8],
        block3: &[u32; 16],
        hi_base: u32,
        out: &mut [[u64; 4]],
    );
    /// [`top_words`], compiled for the feature.
    fn top_words(self, words: &MessageWords, base: u64, lane: usize, out: &mut [u64]);
    /// [`top_words_high`], compiled for the feature.
    fn top_words_high(
        self,
        midstate: &[u32; 8],
        block3: &[u32; 16],
        hi_base: u32,
        lane: usize,
        out: &mut [u64],
    );
    /// [`sha256_loop`], compiled for the feature.
    fn sha256_loop(self, n: u64);
    /// [`keccak_loop`], compiled for the feature.
    fn keccak_loop(self, n: u64);
}

/// The [`Wide`] methods that enter the shared code through a
/// `#[target_feature(enable = $feature)]` function: one `unsafe` call each,
/// justified by the token.
macro_rules! entry_points {
    ($feature:literal, $token:ty) => {
        fn seals(self, words: &MessageWords, base: u64, out: &mut [[u64; 4]]) {
            #[target_feature(enable = $feature)]
            fn enter(t: $token, words: &MessageWords, base: u64, out: &mut [[u64; 4]]) {
                super::wide::seals(t, words, base, out);
            }
            // SAFETY: the feature, proven by the token (`self`); `out`
            // holds LANES seals (the Kernel contract).
            unsafe { enter(self, words, base, out) }
        }

        fn seals_high(
            self,
            midstate: &[u32; 8],
            block3: &[u32; 16],
            hi_base: u32,
            out: &mut [[u64; 4]],
        ) {
            #[target_feature(enable = $feature)]
            fn enter(t: $token, m: &[u32; 8], b3: &[u32; 16], hi: u32, out: &mut [[u64; 4]]) {
                super::wide::seals_high(t, m, b3, hi, out);
            }
            // SAFETY: the feature, proven by the token (`self`); `out`
            // holds LANES seals (the Kernel contract).
            unsafe { enter(self, midstate, block3, hi_base, out) }
        }

        fn top_words(self, words: &MessageWords, base: u64, lane: usize, out: &mut [u64]) {
            #[target_feature(enable = $feature)]
            fn enter(t: $token, words: &MessageWords, base: u64, lane: usize, out: &mut [u64]) {
                super::wide::top_words(t, words, base, lane, out);
            }
            // SAFETY: the feature, proven by the token (`self`); `out`
            // holds LANES top_words (the Kernel contract).
            unsafe { enter(self, words, base, lane, out) }
        }

        fn top_words_high(
            self,
            midstate: &[u32; 8],
            block3: &[u32; 16],
            hi_base: u32,
            lane: usize,
            out: &mut [u64],
        ) {
            #[target_feature(enable = $feature)]
            fn enter(
                t: $token,
                m: &[u32; 8],
                b3: &[u32; 16],
                hi: u32,
                lane: usize,
                out: &mut [u64],
            ) {
                super::wide::top_words_high(t, m, b3, hi, lane, out);
            }
            // SAFETY: the feature, proven by the token (`self`); `out`
            // holds LANES top_words (the Kernel contract).
            unsafe { enter(self, midstate, block3, hi_base, lane, out) }
        }

        fn sha256_loop(self, n: u64) {
            #[target_feature(enable = $feature)]
            fn enter(t: $token, n: u64) {
                super::wide::sha256_loop(t, n);
            }
            // SAFETY: the feature, proven by the token (`self`); registers only.
            unsafe { enter(self, n) }
        }

        fn keccak_loop(self, n: u64) {
            #[target_feature(enable = $feature)]
            fn enter(t: $token, n: u64) {
                super::wide::keccak_loop(t, n);
            }
            // SAFETY: the feature, proven by the token (`self`); registers only.
            unsafe { enter(self, n) }
        }
    };
}
pub(super) use entry_points;

/// The SHA-256 states of nonces `base..base+LANES`, lane i = nonce base+i.
#[inline(always)]
fn sha_states<T: Wide>(t: T, words: &MessageWords, base: u64) -> [T::W; 8] {
    match words {
        MessageWords::Legacy { block } => {
            let mut w = block.map(|x| t.splat(x));
            w[0] = t.per_lane(base, |n| legacy_nonce_words(n).0);
            w[1] = t.per_lane(base, |n| legacy_nonce_words(n).1);
            let mut st = IV.map(|x| t.splat(x));
            compress(&mut st, w);
            st
        }
        MessageWords::V1 {
            midstate,
            block2,
            block3,
        } => {
            let mut w2 = block2.map(|x| t.splat(x));
            w2[14] = t.per_lane(base, |n| block2[14] | v1_block2_nonce_words(n).0);
            w2[15] = t.per_lane(base, |n| v1_block2_nonce_words(n).1);
            let mut w3 = block3.map(|x| t.splat(x));
            w3[0] = t.per_lane(base, |n| block3[0] | v1_block3_nonce_word(n));
            let mut st = midstate.map(|x| t.splat(x));
            compress(&mut st, w2);
            compress(&mut st, w3);
            st
        }
    }
}

/// Keccak of the digests, seals into `out[..LANES]`.
#[inline(always)]
fn keccak_into<T: Wide>(digests: [T::W; 8], out: &mut [[u64; 4]]) {
    let (lo, hi) = T::keccak_inputs(digests);
    let half = T::LANES / 2;
    T::store_seals(keccak256_32(lo), &mut out[..half]);
    T::store_seals(keccak256_32(hi), &mut out[half..T::LANES]);
}

/// The seals of nonces `base, base+1, …`, `LANES` of them.
#[inline(always)]
pub(super) fn seals<T: Wide>(t: T, words: &MessageWords, base: u64, out: &mut [[u64; 4]]) {
    keccak_into::<T>(sha_states(t, words, base), out);
}

/// v1 in the midstate order: the states after block 3 alone for `LANES`
/// top-bit values.
#[inline(always)]
fn high_states<T: Wide>(t: T, midstate: &[u32; 8], block3: &[u32; 16], hi_base: u32) -> [T::W; 8] {
    let mut w = block3.map(|x| t.splat(x));
    w[0] = t.per_lane(u64::from(hi_base), |hi| block3[0] | v1_high_word(hi as u32));
    let mut st = midstate.map(|x| t.splat(x));
    compress(&mut st, w);
    st
}

/// v1 in the midstate order: the seals of `LANES` top-bit values.
#[inline(always)]
pub(super) fn seals_high<T: Wide>(
    t: T,
    midstate: &[u32; 8],
    block3: &[u32; 16],
    hi_base: u32,
    out: &mut [[u64; 4]],
) {
    keccak_into::<T>(high_states(t, midstate, block3, hi_base), out);
}

/// Output lane `lane` of the seals, into `out[..LANES]`.
#[inline(always)]
fn top_words_into<T: Wide>(digests: [T::W; 8], lane: usize, out: &mut [u64]) {
    let (lo, hi) = T::keccak_inputs(digests);
    let half = T::LANES / 2;
    T::store_keys(keccak256_32_lane(lo, lane), &mut out[..half]);
    T::store_keys(keccak256_32_lane(hi, lane), &mut out[half..T::LANES]);
}

/// Output lane `lane` of the seals of nonces `base, base+1, …`.
#[inline(always)]
pub(super) fn top_words<T: Wide>(
    t: T,
    words: &MessageWords,
    base: u64,
    lane: usize,
    out: &mut [u64],
) {
    top_words_into::<T>(sha_states(t, words, base), lane, out);
}

/// Output lane `lane` of [`seals_high`]'s seals.
#[inline(always)]
pub(super) fn top_words_high<T: Wide>(
    t: T,
    midstate: &[u32; 8],
    block3: &[u32; 16],
    hi_base: u32,
    lane: usize,
    out: &mut [u64],
) {
    top_words_into::<T>(high_states(t, midstate, block3, hi_base), lane, out);
}

/// `n` dependent compressions, for the roofline.
#[inline(always)]
pub(super) fn sha256_loop<T: Wide>(t: T, n: u64) {
    let mut st = IV.map(|x| t.splat(x));
    let mut w = [t.splat(7); 16];
    for _ in 0..n {
        w[0] = st[7];
        compress(&mut st, w);
    }
    black_box(st);
}

/// `n` dependent permutations, for the roofline.
#[inline(always)]
pub(super) fn keccak_loop<T: Wide>(t: T, n: u64) {
    let (lanes, _) = T::keccak_inputs([t.splat(7); 8]);
    let mut state = [lanes[0]; 25];
    for _ in 0..n {
        keccak_f(&mut state);
    }
    black_box(state);
}

/// The batch kernel of a width.
pub(crate) struct WideKernel<T: Wide>(T);

impl<T: Wide> Kernel for WideKernel<T> {
    const NAME: &'static str = T::NAME;
    const LANES: usize = T::LANES;

    fn seals(&self, job: &Job, base: u64, out: &mut [[u64; 4]]) {
        self.0.seals(job.words(), base, out);
    }

    fn seals_high(
        &self,
        midstate: &[u32; 8],
        block3: &[u32; 16],
        hi_base: u32,
        out: &mut [[u64; 4]],
    ) {
        self.0.seals_high(midstate, block3, hi_base, out);
    }

    fn top_words(&self, job: &Job, base: u64, lane: usize, out: &mut [u64]) {
        self.0.top_words(job.words(), base, lane, out);
    }

    fn top_words_high(
        &self,
        midstate: &[u32; 8],
        block3: &[u32; 16],
        hi_base: u32,
        lane: usize,
        out: &mut [u64],
    ) {
        self.0.top_words_high(midstate, block3, hi_base, lane, out);
    }
}

/// The engine of a width, if this CPU has its feature.
pub(super) fn engine<T: Wide>() -> Option<Batched<WideKernel<T>>> {
    T::detect().map(|t| Batched(WideKernel(t)))
}

/// Timing loops for the roofline and the benches, if this CPU has the feature.
pub(super) fn primitive_loops<T: Wide>() -> Vec<PrimitiveLoop> {
    fn sha<T: Wide>(n: u64) {
        if let Some(t) = T::detect() {
            t.sha256_loop(n);
        }
    }
    fn kec<T: Wide>(n: u64) {
        if let Some(t) = T::detect() {
            t.keccak_loop(n);
        }
    }
    if T::detect().is_none() {
        return Vec::new();
    }
    vec![
        PrimitiveLoop {
            kind: PrimitiveKind::Sha256,
            name: T::SHA_LOOP,
            items: T::LANES,
            run: sha::<T>,
        },
        PrimitiveLoop {
            kind: PrimitiveKind::Keccak,
            name: T::KECCAK_LOOP,
            items: T::LANES / 2,
            run: kec::<T>,
        },
    ]
}
