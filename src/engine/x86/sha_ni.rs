//! The SHA-NI engine: SHA-256 on the SHA extensions, four nonces
//! interleaved to hide `sha256rnds2` latency, then one 4-lane AVX2
//! Keccak-f\[1600\] for all four. The [`ShaNi`] token is the kernel:
//! `Batched<ShaNi>` is the `sha-ni` engine.

use std::arch::x86_64::*;

use super::avx2::{store_seals, U64x4};
use crate::engine::backend::ShaNi;
use crate::engine::batch::Kernel;
use crate::job::message::{final_states, final_states_high, MessageWords};
use crate::job::Job;
use crate::primitives::keccak::{keccak256_32, keccak256_32_lane};
use crate::primitives::sha256::K;

/// Nonces in flight together.
pub(crate) const N: usize = 4;

/// A SHA-256 state in the SHA-NI register layout.
#[derive(Clone, Copy)]
pub(crate) struct State {
    pub(crate) abef: __m128i,
    pub(crate) cdgh: __m128i,
}

// Every function below is compiled for (and callable without `unsafe` only
// from code compiled for) the features the `ShaNi` token proves.

#[inline]
#[target_feature(enable = "sha,sse4.1,avx2")]
pub(crate) fn to_state(h: &[u32; 8]) -> State {
    let dcba = _mm_setr_epi32(h[0] as i32, h[1] as i32, h[2] as i32, h[3] as i32);
    let hgfe = _mm_setr_epi32(h[4] as i32, h[5] as i32, h[6] as i32, h[7] as i32);
    let cdab = _mm_shuffle_epi32::<0xb1>(dcba);
    let efgh = _mm_shuffle_epi32::<0x1b>(hgfe);
    State {
        abef: _mm_alignr_epi8::<8>(cdab, efgh),
        cdgh: _mm_blend_epi16::<0xf0>(efgh, cdab),
    }
}

/// Keccak input lanes (0, 1) and (2, 3) of a final state: the digest bytes
/// (each state word big-endian) read as little-endian u64s.
#[inline]
#[target_feature(enable = "sha,sse4.1,avx2")]
fn digest_lanes(s: State) -> (__m128i, __m128i) {
    let feba = _mm_shuffle_epi32::<0x1b>(s.abef);
    let dchg = _mm_shuffle_epi32::<0xb1>(s.cdgh);
    let dcba = _mm_blend_epi16::<0xf0>(feba, dchg);
    let hgfe = _mm_alignr_epi8::<8>(dchg, feba);
    let bswap = _mm_setr_epi8(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
    (_mm_shuffle_epi8(dcba, bswap), _mm_shuffle_epi8(hgfe, bswap))
}

/// W[4i..4i+4] as a vector, lowest lane first.
#[inline]
#[target_feature(enable = "sha,sse4.1,avx2")]
fn quad(w: &[u32; 16], i: usize) -> __m128i {
    _mm_setr_epi32(
        w[4 * i] as i32,
        w[4 * i + 1] as i32,
        w[4 * i + 2] as i32,
        w[4 * i + 3] as i32,
    )
}

/// One compression of each of the N blocks into its state, interleaved.
#[inline]
#[target_feature(enable = "sha,sse4.1,avx2")]
pub(crate) fn compress_n(states: &mut [State; N], blocks: &[[u32; 16]; N]) {
    let saved = *states;
    let mut w = [[_mm_setzero_si128(); 4]; N];
    for (wj, block) in w.iter_mut().zip(blocks) {
        for (i, q) in wj.iter_mut().enumerate() {
            *q = quad(block, i);
        }
    }
    for q in 0..16 {
        let k = _mm_setr_epi32(
            K[4 * q] as i32,
            K[4 * q + 1] as i32,
            K[4 * q + 2] as i32,
            K[4 * q + 3] as i32,
        );
        for j in 0..N {
            let s = &mut states[j];
            let wj = &mut w[j];
            if q >= 4 {
                // W[4q..4q+4] from the previous 16 words, in place of W[4q-16..].
                let t = _mm_sha256msg1_epu32(wj[q % 4], wj[(q + 1) % 4]);
                let t = _mm_add_epi32(t, _mm_alignr_epi8::<4>(wj[(q + 3) % 4], wj[(q + 2) % 4]));
                wj[q % 4] = _mm_sha256msg2_epu32(t, wj[(q + 3) % 4]);
            }
            let wk = _mm_add_epi32(wj[q % 4], k);
            s.cdgh = _mm_sha256rnds2_epu32(s.cdgh, s.abef, wk);
            s.abef = _mm_sha256rnds2_epu32(s.abef, s.cdgh, _mm_shuffle_epi32::<0x0e>(wk));
        }
    }
    for (s, o) in states.iter_mut().zip(saved) {
        s.abef = _mm_add_epi32(s.abef, o.abef);
        s.cdgh = _mm_add_epi32(s.cdgh, o.cdgh);
    }
}

/// The final SHA-256 states of nonces `base..base+4`.
#[inline]
#[target_feature(enable = "sha,sse4.1,avx2")]
fn states4(words: &MessageWords, base: u64) -> [State; N] {
    final_states(words, base, |h| to_state(h), |s, b| compress_n(s, b))
}

#[target_feature(enable = "sha,sse4.1,avx2")]
fn seals4(t: ShaNi, words: &MessageWords, base: u64, out: &mut [[u64; 4]]) {
    store_seals(keccak256_32(keccak_input(t, states4(words, base))), out);
}

#[target_feature(enable = "sha,sse4.1,avx2")]
fn top_words4(t: ShaNi, words: &MessageWords, base: u64, lane: usize, out: &mut [u64]) {
    let key = keccak256_32_lane(keccak_input(t, states4(words, base)), lane);
    out[..N].copy_from_slice(&key.to_array());
}

/// The Keccak input lanes of four final SHA-256 states, one nonce per lane.
#[inline]
#[target_feature(enable = "sha,sse4.1,avx2")]
fn keccak_input(t: ShaNi, states: [State; N]) -> [U64x4; 4] {
    let mut d = [(_mm_setzero_si128(), _mm_setzero_si128()); N];
    for (dj, s) in d.iter_mut().zip(states) {
        *dj = digest_lanes(s);
    }
    let pair = |a: __m128i, b: __m128i| -> U64x4 { t.avx2().u64x4(_mm256_set_m128i(b, a)) };
    [
        pair(
            _mm_unpacklo_epi64(d[0].0, d[1].0),
            _mm_unpacklo_epi64(d[2].0, d[3].0),
        ),
        pair(
            _mm_unpackhi_epi64(d[0].0, d[1].0),
            _mm_unpackhi_epi64(d[2].0, d[3].0),
        ),
        pair(
            _mm_unpacklo_epi64(d[0].1, d[1].1),
            _mm_unpacklo_epi64(d[2].1, d[3].1),
        ),
        pair(
            _mm_unpackhi_epi64(d[0].1, d[1].1),
            _mm_unpackhi_epi64(d[2].1, d[3].1),
        ),
    ]
}

/// v1 in the midstate order: the final states of four top-bit values.
#[inline]
#[target_feature(enable = "sha,sse4.1,avx2")]
fn states4_high(midstate: &[u32; 8], block3: &[u32; 16], hi_base: u32) -> [State; N] {
    final_states_high(
        midstate,
        block3,
        hi_base,
        |h| to_state(h),
        |s, b| compress_n(s, b),
    )
}

#[target_feature(enable = "sha,sse4.1,avx2")]
fn seals4_high(
    t: ShaNi,
    midstate: &[u32; 8],
    block3: &[u32; 16],
    hi_base: u32,
    out: &mut [[u64; 4]],
) {
    let states = states4_high(midstate, block3, hi_base);
    store_seals(keccak256_32(keccak_input(t, states)), out);
}

#[target_feature(enable = "sha,sse4.1,avx2")]
fn top_words4_high(
    t: ShaNi,
    midstate: &[u32; 8],
    block3: &[u32; 16],
    hi_base: u32,
    lane: usize,
    out: &mut [u64],
) {
    let states = states4_high(midstate, block3, hi_base);
    let key = keccak256_32_lane(keccak_input(t, states), lane);
    out[..N].copy_from_slice(&key.to_array());
}

impl Kernel for ShaNi {
    const NAME: &'static str = "sha-ni";
    const LANES: usize = N;

    fn seals(&self, job: &Job, base: u64, out: &mut [[u64; 4]]) {
        // SAFETY: SHA-NI, SSE4.1 and AVX2, proven by the ShaNi token; `out`
        // holds LANES seals (Kernel).
        unsafe { seals4(*self, job.words(), base, out) }
    }

    fn seals_high(
        &self,
        midstate: &[u32; 8],
        block3: &[u32; 16],
        hi_base: u32,
        out: &mut [[u64; 4]],
    ) {
        // SAFETY: SHA-NI, SSE4.1 and AVX2, proven by the ShaNi token; `out`
        // holds LANES seals (Kernel).
        unsafe { seals4_high(*self, midstate, block3, hi_base, out) }
    }

    fn top_words(&self, job: &Job, base: u64, lane: usize, out: &mut [u64]) {
        // SAFETY: SHA-NI, SSE4.1 and AVX2, proven by the ShaNi token; `out`
        // holds LANES top_words (Kernel).
        unsafe { top_words4(*self, job.words(), base, lane, out) }
    }

    fn top_words_high(
        &self,
        midstate: &[u32; 8],
        block3: &[u32; 16],
        hi_base: u32,
        lane: usize,
        out: &mut [u64],
    ) {
        // SAFETY: SHA-NI, SSE4.1 and AVX2, proven by the ShaNi token; `out`
        // holds LANES top_words (Kernel).
        unsafe { top_words4_high(*self, midstate, block3, hi_base, lane, out) }
    }
}
