//! The reference engine: the schemes' definitions written as plainly as
//! possible on top of the `sha2` and `sha3` crates. It is the oracle: every
//! other engine must return exactly what it returns, and every solution any
//! engine reports is re-checked here before it is shown or submitted.

use super::{check_range, Engine, SearchError, Solution};
use crate::hash::{keccak256, sha256};
use crate::job::{Job, JobData};

#[derive(Clone, Copy, Debug, Default)]
/// The reference engine.
pub struct Reference;

/// The seal of `nonce` under `job`, by definition.
pub fn seal(job: &Job, nonce: u64) -> [u8; 32] {
    match job.data() {
        JobData::Legacy {
            block_and_hotkey_hash,
        } => {
            let mut msg = [0u8; 40];
            msg[..8].copy_from_slice(&nonce.to_le_bytes());
            msg[8..].copy_from_slice(block_and_hotkey_hash);
            keccak256(&sha256(&msg))
        }
        JobData::V1 { prefix } => {
            let mut msg = [0u8; 131];
            msg[..123].copy_from_slice(prefix);
            msg[123..].copy_from_slice(&nonce.to_le_bytes());
            keccak256(&sha256(&msg))
        }
    }
}

/// Whether `solution` is a valid solution of `job`: its seal is the nonce's
/// seal and meets the target. The last word on every reported solution.
pub(crate) fn is_valid(job: &Job, solution: &Solution) -> bool {
    let seal = seal(job, solution.nonce);
    seal == solution.seal && job.target().meets(&seal)
}

impl Engine for Reference {
    fn name(&self) -> &'static str {
        "reference"
    }

    fn seal(&self, job: &Job, nonce: u64) -> Result<[u8; 32], SearchError> {
        Ok(seal(job, nonce))
    }

    fn search(&self, job: &Job, start: u64, count: u64) -> Result<Option<Solution>, SearchError> {
        check_range(start, count)?;
        let target = job.target();
        for i in 0..count {
            let nonce = start + i;
            let seal = seal(job, nonce);
            if target.meets(&seal) {
                return Ok(Some(Solution { nonce, seal }));
            }
        }
        Ok(None)
    }
}
