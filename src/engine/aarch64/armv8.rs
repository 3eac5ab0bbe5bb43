//! The ARMv8 engines: SHA-256 on the SHA2 instructions, four nonces
//! interleaved to hide `SHA256H` latency, then two 2-lane Keccak-f\[1600\]
//! on NEON: `armv8-sha3` with the SHA3 instructions, `armv8-sha2` without.

use std::arch::aarch64::*;

use super::neon::Register;
use crate::engine::backend::{Sha2, Sha3};
use crate::engine::batch::Kernel;
use crate::job::message::{final_states, final_states_high, MessageWords};
use crate::job::Job;
use crate::primitives::keccak::{keccak256_32, keccak256_32_lane};
use crate::primitives::sha256::K;

/// Nonces in flight together.
pub(crate) const N: usize = 4;

/// A SHA-256 state as the SHA2 instructions hold it.
#[derive(Clone, Copy)]
pub(crate) struct State {
    pub(crate) abcd: uint32x4_t,
    pub(crate) efgh: uint32x4_t,
}

// The SHA-256 functions are compiled for SHA2 (and inlined into the
// engines' entry points, which have it); the callers show the token.

#[inline]
#[target_feature(enable = "neon,sha2")]
pub(crate) fn to_state(_: Sha2, h: &[u32; 8]) -> State {
    // SAFETY: `h` is 8 readable u32s.
    unsafe {
        State {
            abcd: vld1q_u32(h.as_ptr()),
            efgh: vld1q_u32(h[4..].as_ptr()),
        }
    }
}

/// One compression of each of the N blocks into its state, interleaved.
#[inline]
#[target_feature(enable = "neon,sha2")]
pub(crate) fn compress_n(_: Sha2, states: &mut [State; N], blocks: &[[u32; 16]; N]) {
    // SAFETY: the loads read 4 u32s from arrays of 16 (blocks) and 64 (K)
    // at in-bounds offsets.
    unsafe {
        let saved = *states;
        let mut w = [[vdupq_n_u32(0); 4]; N];
        for (wj, block) in w.iter_mut().zip(blocks) {
            for (i, q) in wj.iter_mut().enumerate() {
                *q = vld1q_u32(block[4 * i..].as_ptr());
            }
        }
        for q in 0..16 {
            let k = vld1q_u32(K[4 * q..].as_ptr());
            for j in 0..N {
                let s = &mut states[j];
                let wj = &mut w[j];
                if q >= 4 {
                    // W[4q..4q+4] from the previous 16 words, in place of W[4q-16..].
                    let t = vsha256su0q_u32(wj[q % 4], wj[(q + 1) % 4]);
                    wj[q % 4] = vsha256su1q_u32(t, wj[(q + 2) % 4], wj[(q + 3) % 4]);
                }
                let wk = vaddq_u32(wj[q % 4], k);
                let abcd = s.abcd;
                s.abcd = vsha256hq_u32(s.abcd, s.efgh, wk);
                s.efgh = vsha256h2q_u32(s.efgh, abcd, wk);
            }
        }
        for (s, o) in states.iter_mut().zip(saved) {
            s.abcd = vaddq_u32(s.abcd, o.abcd);
            s.efgh = vaddq_u32(s.efgh, o.efgh);
        }
    }
}

/// The Keccak inputs of four final SHA-256 states: two calls of two
/// states, one per 64-bit lane.
#[inline(always)]
fn keccak_inputs<L: Register>(proto: L, states: [State; N]) -> [[L; 4]; N / 2] {
    // SAFETY: NEON, proven by `proto`; registers only.
    unsafe {
        // The digest bytes (each state word big-endian) as little-endian u64s:
        // [lane 0, lane 1] and [lane 2, lane 3] of each nonce.
        let lanes = states.map(|s| {
            let lo = vreinterpretq_u64_u8(vrev32q_u8(vreinterpretq_u8_u32(s.abcd)));
            let hi = vreinterpretq_u64_u8(vrev32q_u8(vreinterpretq_u8_u32(s.efgh)));
            (lo, hi)
        });
        std::array::from_fn(|pair| {
            let (a, b) = (lanes[2 * pair], lanes[2 * pair + 1]);
            [
                proto.with(vzip1q_u64(a.0, b.0)),
                proto.with(vzip2q_u64(a.0, b.0)),
                proto.with(vzip1q_u64(a.1, b.1)),
                proto.with(vzip2q_u64(a.1, b.1)),
            ]
        })
    }
}

/// Where a batch's Keccak output goes: whole seals, or one lane of each.
enum Out<'a> {
    Seals(&'a mut [[u64; 4]]),
    Keys(usize, &'a mut [u64]),
}

/// Keccak of four final SHA-256 states into `out`.
#[inline(always)]
fn keccak_into<L: Register>(proto: L, states: [State; N], out: Out<'_>) {
    let inputs = keccak_inputs(proto, states);
    // SAFETY: NEON, proven by `proto`; registers only.
    let halves = |v: uint64x2_t| unsafe { [vgetq_lane_u64::<0>(v), vgetq_lane_u64::<1>(v)] };
    match out {
        Out::Seals(out) => {
            for (pair, input) in inputs.into_iter().enumerate() {
                let seal = keccak256_32(input).map(|l| halves(l.get()));
                out[2 * pair] = seal.map(|h| h[0]);
                out[2 * pair + 1] = seal.map(|h| h[1]);
            }
        }
        Out::Keys(lane, out) => {
            for (pair, input) in inputs.into_iter().enumerate() {
                let key = halves(keccak256_32_lane(input, lane).get());
                out[2 * pair..2 * pair + 2].copy_from_slice(&key);
            }
        }
    }
}

#[inline(always)]
fn seals<L: Register>(t: Sha2, proto: L, words: &MessageWords, base: u64, out: Out<'_>) {
    let states = final_states(
        words,
        base,
        // SAFETY: NEON and SHA2, proven by the token `t`.
        |h| unsafe { to_state(t, h) },
        // SAFETY: as above.
        |s, b| unsafe { compress_n(t, s, b) },
    );
    keccak_into(proto, states, out);
}

#[inline(always)]
fn seals_high<L: Register>(
    t: Sha2,
    proto: L,
    midstate: &[u32; 8],
    block3: &[u32; 16],
    hi_base: u32,
    out: Out<'_>,
) {
    let states = final_states_high(
        midstate,
        block3,
        hi_base,
        // SAFETY: NEON and SHA2, proven by the token `t`.
        |h| unsafe { to_state(t, h) },
        // SAFETY: as above.
        |s, b| unsafe { compress_n(t, s, b) },
    );
    keccak_into(proto, states, out);
}

/// The [`Kernel`] of a Keccak flavour, implemented by its token: each
/// method enters the code above through a `#[target_feature]` function,
/// one `unsafe` call each, justified by the token.
macro_rules! kernel {
    ($token:ty, $feature:literal, $name:literal, $sha2:expr) => {
        impl Kernel for $token {
            const NAME: &'static str = $name;
            const LANES: usize = N;

            fn seals(&self, job: &Job, base: u64, out: &mut [[u64; 4]]) {
                #[target_feature(enable = $feature)]
                fn enter(t: $token, words: &MessageWords, base: u64, out: &mut [[u64; 4]]) {
                    let proto = t.u64x2(vdupq_n_u64(0));
                    seals($sha2(t), proto, words, base, Out::Seals(out));
                }
                // SAFETY: the features, proven by the token (`self`); `out`
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
                    let proto = t.u64x2(vdupq_n_u64(0));
                    seals_high($sha2(t), proto, m, b3, hi, Out::Seals(out));
                }
                // SAFETY: the features, proven by the token (`self`); `out`
                // holds LANES seals (the Kernel contract).
                unsafe { enter(*self, midstate, block3, hi_base, out) }
            }

            fn top_words(&self, job: &Job, base: u64, lane: usize, out: &mut [u64]) {
                #[target_feature(enable = $feature)]
                fn enter(t: $token, words: &MessageWords, base: u64, lane: usize, out: &mut [u64]) {
                    let proto = t.u64x2(vdupq_n_u64(0));
                    seals($sha2(t), proto, words, base, Out::Keys(lane, out));
                }
                // SAFETY: the features, proven by the token (`self`); `out`
                // holds LANES top_words (the Kernel contract).
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
                    let proto = t.u64x2(vdupq_n_u64(0));
                    seals_high($sha2(t), proto, m, b3, hi, Out::Keys(lane, out));
                }
                // SAFETY: the features, proven by the token (`self`); `out`
                // holds LANES top_words (the Kernel contract).
                unsafe { enter(*self, midstate, block3, hi_base, lane, out) }
            }
        }
    };
}

kernel!(Sha3, "neon,sha2,sha3", "armv8-sha3", Sha3::sha2);
kernel!(Sha2, "neon,sha2", "armv8-sha2", std::convert::identity);
