//! The portable engine: scalar, allocation-free, word-oriented, on any CPU.
//! Per-job message words, the v1 midstate after block 1, and early reject
//! on one output word.

use super::batch::Kernel;
use crate::job::message::{
    digest_to_lanes, legacy_block, v1_block2, v1_block3, v1_high_block3, MessageWords,
};
use crate::job::Job;
use crate::primitives::keccak::{keccak256_32, keccak256_32_lane};
use crate::primitives::sha256::{compress, IV};

/// The portable kernel: scalar, word-oriented, one nonce at a time.
pub(crate) struct PortableKernel;

/// The SHA-256 state of `nonce`'s message, word by word.
#[inline(always)]
pub(crate) fn sha_state(words: &MessageWords, nonce: u64) -> [u32; 8] {
    match words {
        MessageWords::Legacy { block } => {
            let mut st = IV;
            compress(&mut st, legacy_block(block, nonce));
            st
        }
        MessageWords::V1 {
            midstate,
            block2,
            block3,
        } => {
            let mut st = *midstate;
            compress(&mut st, v1_block2(block2, nonce));
            compress(&mut st, v1_block3(block3, nonce));
            st
        }
    }
}

impl Kernel for PortableKernel {
    const NAME: &'static str = "portable";
    const LANES: usize = 1;

    fn seals(&self, job: &Job, base: u64, out: &mut [[u64; 4]]) {
        let words = job.words();
        for (i, lanes) in out.iter_mut().enumerate() {
            let st = sha_state(words, base.wrapping_add(i as u64));
            *lanes = keccak256_32(digest_to_lanes(&st));
        }
    }

    fn seals_high(
        &self,
        midstate: &[u32; 8],
        block3: &[u32; 16],
        hi_base: u32,
        out: &mut [[u64; 4]],
    ) {
        for (i, lanes) in out.iter_mut().enumerate() {
            let st = Self::high_state(midstate, block3, hi_base.wrapping_add(i as u32));
            *lanes = keccak256_32(digest_to_lanes(&st));
        }
    }

    fn top_words(&self, job: &Job, base: u64, lane: usize, out: &mut [u64]) {
        let words = job.words();
        for (i, key) in out.iter_mut().enumerate() {
            let st = sha_state(words, base.wrapping_add(i as u64));
            *key = keccak256_32_lane(digest_to_lanes(&st), lane);
        }
    }

    fn top_words_high(
        &self,
        midstate: &[u32; 8],
        block3: &[u32; 16],
        hi_base: u32,
        lane: usize,
        out: &mut [u64],
    ) {
        for (i, key) in out.iter_mut().enumerate() {
            let st = Self::high_state(midstate, block3, hi_base.wrapping_add(i as u32));
            *key = keccak256_32_lane(digest_to_lanes(&st), lane);
        }
    }
}

impl PortableKernel {
    /// v1 in the midstate order: the state after block 3 for top bits `hi`.
    #[inline(always)]
    fn high_state(midstate: &[u32; 8], block3: &[u32; 16], hi: u32) -> [u32; 8] {
        let mut st = *midstate;
        compress(&mut st, v1_high_block3(block3, hi));
        st
    }
}
