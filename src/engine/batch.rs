//! The search loop every fast engine shares: hash `LANES` consecutive nonces
//! at a time with a kernel, early-reject on one output word, and confirm the
//! rare candidate with a full 256-bit compare of the kernel's own seal.

use super::{check_range, Engine, RangeError, Solution};
use crate::job::{lanes_to_seal, Job};

/// The most lanes any kernel has.
pub const MAX_LANES: usize = 16;

/// A backend's hashing core.
pub trait Kernel: Send + Sync {
    const NAME: &'static str;
    /// Nonces per call; at most [`MAX_LANES`].
    const LANES: usize;
    /// The Keccak output lanes (the seal as four little-endian u64s) of
    /// nonces `base, base+1, …` (wrapping past 2^64-1), `LANES` of them.
    fn seals(&self, job: &Job, base: u64, out: &mut [[u64; 4]]);
}

/// An [`Engine`] made of a [`Kernel`].
pub struct Batched<K>(pub K);

impl<K: Kernel> Engine for Batched<K> {
    fn name(&self) -> &'static str {
        K::NAME
    }

    fn seal(&self, job: &Job, nonce: u64) -> [u8; 32] {
        let mut out = [[0u64; 4]; MAX_LANES];
        self.0.seals(job, nonce, &mut out[..K::LANES]);
        lanes_to_seal(&out[0])
    }

    fn search(&self, job: &Job, start: u64, count: u64) -> Result<Option<Solution>, RangeError> {
        check_range(start, count)?;
        let early = *job.early_reject();
        let target = job.target();
        let mut out = [[0u64; 4]; MAX_LANES];
        let out = &mut out[..K::LANES];
        let mut done = 0u64;
        while done < count {
            let base = start + done;
            self.0.seals(job, base, out);
            let n = (count - done).min(K::LANES as u64) as usize;
            for (i, lanes) in out[..n].iter().enumerate() {
                if early.key(lanes) <= early.top {
                    let seal = lanes_to_seal(lanes);
                    if target.meets(&seal) {
                        return Ok(Some(Solution {
                            nonce: base + i as u64,
                            seal,
                        }));
                    }
                }
            }
            done += n as u64;
        }
        Ok(None)
    }
}
