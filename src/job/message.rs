//! The SHA-256 message of a job as 32-bit words, and the helpers every
//! engine shares to place a nonce in it, to carry the digest into Keccak and
//! to reject a seal on its top 64 bits. Crate-private: the layout is the
//! engines' business, not a library user's.

use super::JobData;
use crate::primitives::sha256::{compress, IV};
use crate::target::{ByteOrder, Target};

/// The SHA-256 message as 32-bit big-endian words, with everything that does
/// not depend on the nonce filled in once per job (the nonce's words are 0
/// here; the `*_nonce_*` functions give them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum MessageWords {
    /// The one block: W0, W1 = the nonce (zero here); W2..W9 =
    /// block_and_hotkey_hash; W10 = 0x80000000 (padding); W15 = 320 (the
    /// length in bits).
    Legacy {
        /// The block.
        block: [u32; 16],
    },
    /// `midstate`: the state after block 1 (prefix bytes 0..64), constant.
    /// `block2`: prefix bytes 64..123, then nonce bytes 0..5 (the low byte
    /// of W14, all of W15). `block3`: nonce bytes 5..8, the padding, the
    /// length (1048 bits).
    V1 {
        /// The SHA-256 state after block 1.
        midstate: [u32; 8],
        /// Block 2, the nonce's low bytes zero.
        block2: [u32; 16],
        /// Block 3, the nonce's high bytes zero.
        block3: [u32; 16],
    },
}

/// Legacy W0, W1 for `nonce` (its little-endian bytes read big-endian).
#[inline(always)]
pub(crate) fn legacy_nonce_words(nonce: u64) -> (u32, u32) {
    (
        (nonce as u32).swap_bytes(),
        ((nonce >> 32) as u32).swap_bytes(),
    )
}

/// v1 block 2: the bits of W14 and W15 that `nonce` sets (OR into W14; W15).
#[inline(always)]
pub(crate) fn v1_block2_nonce_words(nonce: u64) -> (u32, u32) {
    ((nonce & 0xff) as u32, ((nonce >> 8) as u32).swap_bytes())
}

/// v1 block 3: the bits of W0 that `nonce` sets (OR into W0).
#[inline(always)]
pub(crate) fn v1_block3_nonce_word(nonce: u64) -> u32 {
    ((nonce >> 40) as u32).swap_bytes()
}

/// v1 block 3 in the midstate order: the bits of W0 set by the nonce's top
/// 24 bits `hi` (`nonce >> 40`); the same as [`v1_block3_nonce_word`].
#[inline(always)]
pub(crate) fn v1_high_word(hi: u32) -> u32 {
    (hi & 0xff_ffff).swap_bytes()
}

/// The legacy block of `nonce`: the job's `block` with W0 and W1 set.
#[inline(always)]
pub(crate) fn legacy_block(block: &[u32; 16], nonce: u64) -> [u32; 16] {
    let mut b = *block;
    (b[0], b[1]) = legacy_nonce_words(nonce);
    b
}

/// v1 block 2 of `nonce`: the job's `block2` with the nonce's low bytes.
#[inline(always)]
pub(crate) fn v1_block2(block2: &[u32; 16], nonce: u64) -> [u32; 16] {
    let mut b = *block2;
    let (w14, w15) = v1_block2_nonce_words(nonce);
    b[14] |= w14;
    b[15] = w15;
    b
}

/// v1 block 3 of `nonce`: the job's `block3` with the nonce's high bytes.
#[inline(always)]
pub(crate) fn v1_block3(block3: &[u32; 16], nonce: u64) -> [u32; 16] {
    let mut b = *block3;
    b[0] |= v1_block3_nonce_word(nonce);
    b
}

/// v1 block 3 for top bits `hi` (the midstate order's column walk).
#[inline(always)]
pub(crate) fn v1_high_block3(block3: &[u32; 16], hi: u32) -> [u32; 16] {
    let mut b = *block3;
    b[0] |= v1_high_word(hi);
    b
}

/// The final SHA-256 states of nonces `base..base+N` (wrapping), for an
/// engine that compresses N independent blocks at once: `state` loads a
/// chaining value into its register form, `compress` runs one block per
/// state. Legacy is one block from the IV, v1 two from the prefix midstate.
#[inline(always)]
pub(crate) fn final_states<S: Copy, const N: usize>(
    words: &MessageWords,
    base: u64,
    state: impl Fn(&[u32; 8]) -> S,
    mut compress: impl FnMut(&mut [S; N], &[[u32; 16]; N]),
) -> [S; N] {
    let nonce = |j: usize| base.wrapping_add(j as u64);
    match words {
        MessageWords::Legacy { block } => {
            let mut states = [state(&IV); N];
            compress(
                &mut states,
                &std::array::from_fn(|j| legacy_block(block, nonce(j))),
            );
            states
        }
        MessageWords::V1 {
            midstate,
            block2,
            block3,
        } => {
            let mut states = [state(midstate); N];
            compress(
                &mut states,
                &std::array::from_fn(|j| v1_block2(block2, nonce(j))),
            );
            compress(
                &mut states,
                &std::array::from_fn(|j| v1_block3(block3, nonce(j))),
            );
            states
        }
    }
}

/// [`final_states`] for v1 in the midstate order: top-bit values
/// `hi_base..hi_base+N` (wrapping), one block from `midstate`.
#[inline(always)]
pub(crate) fn final_states_high<S: Copy, const N: usize>(
    midstate: &[u32; 8],
    block3: &[u32; 16],
    hi_base: u32,
    state: impl Fn(&[u32; 8]) -> S,
    compress: impl FnOnce(&mut [S; N], &[[u32; 16]; N]),
) -> [S; N] {
    let mut states = [state(midstate); N];
    let blocks = std::array::from_fn(|j| v1_high_block3(block3, hi_base.wrapping_add(j as u32)));
    compress(&mut states, &blocks);
    states
}

/// The Keccak input lanes (little-endian u64s of the digest bytes) from the
/// SHA-256 state words (big-endian u32s).
#[inline(always)]
pub(crate) fn digest_to_lanes(h: &[u32; 8]) -> [u64; 4] {
    std::array::from_fn(|i| {
        u64::from(h[2 * i].swap_bytes()) | (u64::from(h[2 * i + 1].swap_bytes()) << 32)
    })
}

/// The seal bytes from the Keccak output lanes.
#[inline(always)]
pub(crate) fn lanes_to_seal(lanes: &[u64; 4]) -> [u8; 32] {
    let mut seal = [0u8; 32];
    for (chunk, lane) in seal.chunks_exact_mut(8).zip(lanes) {
        chunk.copy_from_slice(&lane.to_le_bytes());
    }
    seal
}

/// Early reject: the 64 most significant bits of the seal (as the rule reads
/// it) sit in one output lane; a seal whose top word exceeds the threshold's
/// top word fails, one below passes, and only a tie needs all 256 bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct EarlyReject {
    /// Output lane holding the top bits: 0 for big-endian rules, 3 for little-endian.
    pub(crate) lane: usize,
    /// Big-endian rules read lane 0's bytes in reverse.
    pub(crate) byte_swap: bool,
    /// The threshold's top 64 bits.
    pub(crate) limit: u64,
}

impl EarlyReject {
    pub(crate) fn new(target: &Target) -> Self {
        let top = target.threshold().limbs()[0];
        match target.rule().byte_order() {
            ByteOrder::Big => EarlyReject {
                lane: 0,
                byte_swap: true,
                limit: top,
            },
            ByteOrder::Little => EarlyReject {
                lane: 3,
                byte_swap: false,
                limit: top,
            },
        }
    }

    /// The seal's top 64 bits as the rule reads them.
    #[cfg(test)]
    pub(crate) fn top_word(&self, lanes: &[u64; 4]) -> u64 {
        self.top_word_of(lanes[self.lane])
    }

    /// [`EarlyReject::top_word`] from output lane `self.lane` alone.
    #[inline(always)]
    pub(crate) fn top_word_of(&self, v: u64) -> u64 {
        if self.byte_swap {
            v.swap_bytes()
        } else {
            v
        }
    }
}

fn be_words<const N: usize>(bytes: &[u8]) -> [u32; N] {
    std::array::from_fn(|i| u32::from_be_bytes(bytes[4 * i..4 * i + 4].try_into().unwrap()))
}

impl MessageWords {
    pub(crate) fn new(data: &JobData) -> Self {
        match data {
            JobData::Legacy {
                block_and_hotkey_hash,
            } => {
                let mut block = [0u32; 16];
                block[2..10].copy_from_slice(&be_words::<8>(block_and_hotkey_hash));
                block[10] = 0x8000_0000;
                block[15] = 40 * 8;
                MessageWords::Legacy { block }
            }
            JobData::V1 { prefix } => {
                let mut midstate = IV;
                compress(&mut midstate, be_words::<16>(&prefix[..64]));
                let mut tail = [0u8; 64];
                tail[..59].copy_from_slice(&prefix[64..]);
                let block2 = be_words::<16>(&tail);
                let mut block3 = [0u32; 16];
                block3[0] = 0x80;
                block3[15] = 131 * 8;
                MessageWords::V1 {
                    midstate,
                    block2,
                    block3,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::challenge::{Challenge, LegacyChallenge, V1Challenge};
    use crate::job::Job;
    use crate::primitives::keccak::keccak256_32;
    use crate::target::{Difficulty, Rule};

    /// The word-level message, compressed by hand, gives the reference seal.
    #[test]
    fn message_words_rebuild_the_seal() {
        let legacy = Challenge::Legacy(LegacyChallenge::new([3; 32], [9; 32]));
        let v1 = Challenge::V1(V1Challenge::new(258, [3; 32], [9; 32], [27; 32]));
        for (c, rule) in [(legacy, Rule::Python), (v1, Rule::V1)] {
            let job = Job::new(&c, rule, Difficulty::MIN).unwrap();
            for nonce in [0, 1, 0x0123_4567_89ab_cdef, u64::MAX] {
                let state = crate::engine::portable::sha_state(job.words(), nonce);
                let seal = lanes_to_seal(&keccak256_32(digest_to_lanes(&state)));
                assert_eq!(seal, crate::seal(&job, nonce), "{rule} {nonce}");
            }
        }
    }

    #[test]
    fn early_reject_reads_the_top_bits() {
        let c = Challenge::Legacy(LegacyChallenge::new([0; 32], [0; 32]));
        for rule in Rule::LEGACY {
            let job = Job::new(&c, rule, Difficulty::new(12345).unwrap()).unwrap();
            let seal: [u8; 32] = std::array::from_fn(|i| (i * 37 + 5) as u8);
            let lanes: [u64; 4] = std::array::from_fn(|i| {
                u64::from_le_bytes(seal[8 * i..8 * i + 8].try_into().unwrap())
            });
            let top = job.target().seal_value(&seal).limbs()[0];
            assert_eq!(job.early_reject().top_word(&lanes), top, "{rule}");
        }
    }
}
