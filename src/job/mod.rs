//! A job: one challenge with everything that is constant per challenge
//! worked out once, plus its target. Engines read only this; they know
//! nothing of chains, wallets or schemes' history.

pub(crate) mod message;

use crate::challenge::{v1::PREFIX_LEN, Challenge, Scheme};
use crate::primitives::sha256::compress;
use crate::target::{Difficulty, Rule, SchemeMismatch, Target};
use message::{v1_block2, EarlyReject, MessageWords};

/// The per-challenge constant bytes, by scheme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobData {
    /// The legacy scheme: SHA-256 input = `le64(nonce) ||
    /// block_and_hotkey_hash` (40 bytes, one block).
    Legacy {
        /// `keccak256(block_hash || hotkey)`.
        block_and_hotkey_hash: [u8; 32],
    },
    /// The v1 scheme: SHA-256 input = `prefix || le64(nonce)` (131 bytes,
    /// three blocks).
    V1 {
        /// The 123-byte prefix.
        prefix: [u8; PREFIX_LEN],
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
/// A challenge and a target, with the per-challenge constants every engine reads.
pub struct Job {
    data: JobData,
    target: Target,
    words: MessageWords,
    early: EarlyReject,
}

impl Job {
    /// A job for `challenge` under `rule` (which must be of the challenge's scheme).
    pub fn new(
        challenge: &Challenge,
        rule: Rule,
        difficulty: Difficulty,
    ) -> Result<Job, SchemeMismatch> {
        let data = match challenge {
            Challenge::Legacy(c) => JobData::Legacy {
                block_and_hotkey_hash: c.block_and_hotkey_hash(),
            },
            Challenge::V1(c) => JobData::V1 { prefix: c.prefix() },
        };
        Job::from_data(data, rule, difficulty)
    }

    /// A job from the bytes directly, e.g. a legacy `block_and_hotkey_hash`.
    pub fn from_data(
        data: JobData,
        rule: Rule,
        difficulty: Difficulty,
    ) -> Result<Job, SchemeMismatch> {
        let scheme = match data {
            JobData::Legacy { .. } => Scheme::Legacy,
            JobData::V1 { .. } => Scheme::V1,
        };
        rule.check_scheme(scheme)?;
        let target = Target::new(rule, difficulty);
        Ok(Job {
            words: MessageWords::new(&data),
            early: EarlyReject::new(&target),
            data,
            target,
        })
    }

    /// The challenge's bytes.
    pub fn data(&self) -> &JobData {
        &self.data
    }

    /// The target.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.target.rule().scheme()
    }

    /// The SHA-256 message words.
    pub(crate) fn words(&self) -> &MessageWords {
        &self.words
    }

    /// The early-reject word and bound.
    pub(crate) fn early_reject(&self) -> &EarlyReject {
        &self.early
    }

    /// v1, the high-bytes order: the SHA-256 state after blocks 1 and 2 for
    /// the nonces whose low 40 bits are `low`, and block 3's constant words.
    /// Panics on a legacy job (the order is v1's).
    pub(crate) fn v1_column(&self, low: u64) -> ([u32; 8], [u32; 16]) {
        let MessageWords::V1 {
            midstate,
            block2,
            block3,
        } = &self.words
        else {
            panic!("the high-bytes order is for v1 jobs")
        };
        let mut state = *midstate;
        compress(&mut state, v1_block2(block2, low));
        (state, *block3)
    }
}
