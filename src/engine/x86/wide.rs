//! What the `avx2` and `avx512` engines share: SHA-256 with one nonce per
//! 32-bit lane, then two Keccak-f\[1600\] of half as many 64-bit lanes, written
//! once over the [`Wide`] token of each width. Each token is its engine's
//! [`Kernel`] ([`kernel`]): `Batched<Avx2>` is the `avx2` engine.

use crate::engine::batch::Kernel;
use crate::job::message::{
    legacy_nonce_words, v1_block2_nonce_words, v1_block3_nonce_word, v1_high_word, MessageWords,
};
use crate::primitives::keccak::{keccak256_32, keccak256_32_lane, Lane};
use crate::primitives::sha256::{compress, Word, IV};

/// A SIMD width, named by its feature token: a value is proof of the
/// feature. The token is the width's [`Kernel`] too (see [`kernel`]).
pub(crate) trait Wide: Kernel + Copy + 'static {
    /// `LANES` 32-bit lanes.
    type W: Word;
    /// `LANES / 2` 64-bit lanes.
    type L: Lane;

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
}

/// The [`Kernel`] of a width, implemented by its token: each method enters
/// the shared code below through a `#[target_feature(enable = $feature)]`
/// function, one `unsafe` call each, justified by the token.
macro_rules! kernel {
    ($token:ty, $feature:literal, $name:literal, $lanes:literal) => {
        impl $crate::engine::batch::Kernel for $token {
            const NAME: &'static str = $name;
            const LANES: usize = $lanes;

            fn seals(&self, job: &$crate::job::Job, base: u64, out: &mut [[u64; 4]]) {
                #[target_feature(enable = $feature)]
                fn enter(
                    t: $token,
                    words: &$crate::job::message::MessageWords,
                    base: u64,
                    out: &mut [[u64; 4]],
                ) {
                    super::wide::keccak_into::<$token>(
                        super::wide::sha_states(t, words, base),
                        out,
                    );
                }
                // SAFETY: the feature, proven by the token (`self`); `out`
                // holds LANES seals (the Kernel contract).
                unsafe { enter(*self, job.words(), base, out) }
            }

            fn seals_high(
                &self,
                midstate: &[u32; 8],
                block3: &[u32; 16],
                hi_base: u32,
                out: &mut [[u64; 4]],
            ) {
                #[target_feature(enable = $feature)]
                fn enter(t: $token, m: &[u32; 8], b3: &[u32; 16], hi: u32, out: &mut [[u64; 4]]) {
                    super::wide::keccak_into::<$token>(super::wide::high_states(t, m, b3, hi), out);
                }
                // SAFETY: the feature, proven by the token (`self`); `out`
                // holds LANES seals (the Kernel contract).
                unsafe { enter(*self, midstate, block3, hi_base, out) }
            }

            fn top_words(&self, job: &$crate::job::Job, base: u64, lane: usize, out: &mut [u64]) {
                #[target_feature(enable = $feature)]
                fn enter(
                    t: $token,
                    words: &$crate::job::message::MessageWords,
                    base: u64,
                    lane: usize,
                    out: &mut [u64],
                ) {
                    super::wide::top_words_into::<$token>(
                        super::wide::sha_states(t, words, base),
                        lane,
                        out,
                    );
                }
                // SAFETY: the feature, proven by the token (`self`); `out`
                // holds LANES top words (the Kernel contract).
                unsafe { enter(*self, job.words(), base, lane, out) }
            }

            fn top_words_high(
                &self,
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
                    super::wide::top_words_into::<$token>(
                        super::wide::high_states(t, m, b3, hi),
                        lane,
                        out,
                    );
                }
                // SAFETY: the feature, proven by the token (`self`); `out`
                // holds LANES top words (the Kernel contract).
                unsafe { enter(*self, midstate, block3, hi_base, lane, out) }
            }
        }
    };
}
pub(super) use kernel;

/// The SHA-256 states of nonces `base..base+LANES`, lane i = nonce base+i.
#[inline(always)]
pub(super) fn sha_states<T: Wide>(t: T, words: &MessageWords, base: u64) -> [T::W; 8] {
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
pub(super) fn keccak_into<T: Wide>(digests: [T::W; 8], out: &mut [[u64; 4]]) {
    let (lo, hi) = T::keccak_inputs(digests);
    let half = T::LANES / 2;
    T::store_seals(keccak256_32(lo), &mut out[..half]);
    T::store_seals(keccak256_32(hi), &mut out[half..T::LANES]);
}

/// v1 in the midstate order: the states after block 3 alone for `LANES`
/// top-bit values.
#[inline(always)]
pub(super) fn high_states<T: Wide>(
    t: T,
    midstate: &[u32; 8],
    block3: &[u32; 16],
    hi_base: u32,
) -> [T::W; 8] {
    let mut w = block3.map(|x| t.splat(x));
    w[0] = t.per_lane(u64::from(hi_base), |hi| block3[0] | v1_high_word(hi as u32));
    let mut st = midstate.map(|x| t.splat(x));
    compress(&mut st, w);
    st
}

/// Output lane `lane` of the seals, into `out[..LANES]`.
#[inline(always)]
pub(super) fn top_words_into<T: Wide>(digests: [T::W; 8], lane: usize, out: &mut [u64]) {
    let (lo, hi) = T::keccak_inputs(digests);
    let half = T::LANES / 2;
    T::store_keys(keccak256_32_lane(lo, lane), &mut out[..half]);
    T::store_keys(keccak256_32_lane(hi, lane), &mut out[half..T::LANES]);
}
