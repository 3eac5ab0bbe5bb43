//! A job: one challenge with everything that is constant per challenge
//! worked out once, plus its target. Engines read only this; they know
//! nothing of chains, wallets or schemes' history.

use crate::challenge::{v1::PREFIX_LEN, Challenge, Scheme};
use crate::target::{Difficulty, Rule, Target};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum JobError {
    #[error("rule {rule} belongs to the {rule_scheme} scheme, not {scheme}")]
    RuleScheme {
        rule: Rule,
        rule_scheme: Scheme,
        scheme: Scheme,
    },
}

/// The per-challenge constant bytes, by scheme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobData {
    /// SHA-256 input = `le64(nonce) || block_and_hotkey_hash` (40 bytes, one block).
    Legacy { block_and_hotkey_hash: [u8; 32] },
    /// SHA-256 input = `prefix || le64(nonce)` (131 bytes, three blocks).
    V1 { prefix: [u8; PREFIX_LEN] },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    data: JobData,
    target: Target,
}

impl Job {
    /// A job for `challenge` under `rule` (which must be of the challenge's scheme).
    pub fn new(challenge: &Challenge, rule: Rule, difficulty: Difficulty) -> Result<Job, JobError> {
        let data = match challenge {
            Challenge::Legacy(c) => JobData::Legacy {
                block_and_hotkey_hash: c.block_and_hotkey_hash(),
            },
            Challenge::V1(c) => JobData::V1 { prefix: c.prefix() },
        };
        Job::from_data(data, rule, difficulty)
    }

    /// A job from the bytes directly, e.g. a legacy `block_and_hotkey_hash`.
    pub fn from_data(data: JobData, rule: Rule, difficulty: Difficulty) -> Result<Job, JobError> {
        let scheme = match data {
            JobData::Legacy { .. } => Scheme::Legacy,
            JobData::V1 { .. } => Scheme::V1,
        };
        if rule.scheme() != scheme {
            return Err(JobError::RuleScheme {
                rule,
                rule_scheme: rule.scheme(),
                scheme,
            });
        }
        Ok(Job {
            data,
            target: Target::new(rule, difficulty),
        })
    }

    pub fn data(&self) -> &JobData {
        &self.data
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    pub fn scheme(&self) -> Scheme {
        self.target.rule().scheme()
    }
}
