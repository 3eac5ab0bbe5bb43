//! The search loop every fast engine shares: hash `LANES` consecutive nonces
//! at a time with a kernel, computing only the one output word the early
//! reject reads, and confirm the rare candidate with a full 256-bit compare
//! of the kernel's own full seal.

use super::{check_range, Engine, SearchError, Solution};
use crate::job::message::lanes_to_seal;
use crate::job::Job;

/// The most lanes any kernel has.
pub(crate) const MAX_LANES: usize = 16;

/// A backend's hashing core, implemented by its feature token (the
/// portable kernel needs none): each method enters the backend's
/// `#[target_feature]` code once per batch.
pub(crate) trait Kernel: Send + Sync {
    const NAME: &'static str;
    /// Nonces per call; at most [`MAX_LANES`].
    const LANES: usize;
    /// The Keccak output lanes (the seal as four little-endian u64s) of
    /// nonces `base, base+1, …` (wrapping past 2^64-1), `LANES` of them.
    fn seals(&self, job: &Job, base: u64, out: &mut [[u64; 4]]);

    /// v1 in the midstate order: the seals of nonces `(hi << 40) | low` for
    /// `hi = hi_base, hi_base+1, …` (wrapping within 24 bits), given the SHA-256
    /// state after blocks 1 and 2 for that `low`, and block 3's constant words.
    fn seals_high(
        &self,
        midstate: &[u32; 8],
        block3: &[u32; 16],
        hi_base: u32,
        out: &mut [[u64; 4]],
    );

    /// Output lane `lane` (0 or 3: the early-reject word) of each of
    /// [`Kernel::seals`]'s seals. Kernels compute that lane alone.
    fn top_words(&self, job: &Job, base: u64, lane: usize, out: &mut [u64]) {
        let mut seals = [[0u64; 4]; MAX_LANES];
        self.seals(job, base, &mut seals[..Self::LANES]);
        for (o, s) in out.iter_mut().zip(&seals) {
            *o = s[lane];
        }
    }

    /// [`Kernel::top_words`] for [`Kernel::seals_high`].
    fn top_words_high(
        &self,
        midstate: &[u32; 8],
        block3: &[u32; 16],
        hi_base: u32,
        lane: usize,
        out: &mut [u64],
    ) {
        let mut seals = [[0u64; 4]; MAX_LANES];
        self.seals_high(midstate, block3, hi_base, &mut seals[..Self::LANES]);
        for (o, s) in out.iter_mut().zip(&seals) {
            *o = s[lane];
        }
    }
}

/// An [`Engine`] made of a [`Kernel`].
pub(crate) struct Batched<K>(pub(crate) K);

impl<K: Kernel> Engine for Batched<K> {
    fn name(&self) -> &'static str {
        K::NAME
    }

    fn seal(&self, job: &Job, nonce: u64) -> Result<[u8; 32], SearchError> {
        let mut out = [[0u64; 4]; MAX_LANES];
        self.0.seals(job, nonce, &mut out[..K::LANES]);
        Ok(lanes_to_seal(&out[0]))
    }

    fn search(&self, job: &Job, start: u64, count: u64) -> Result<Option<Solution>, SearchError> {
        check_range(start, count)?;
        let early = *job.early_reject();
        let target = job.target();
        let mut top_words = [0u64; MAX_LANES];
        let top_words = &mut top_words[..K::LANES];
        let mut done = 0u64;
        while done < count {
            let base = start + done;
            self.0.top_words(job, base, early.lane, top_words);
            let n = (count - done).min(K::LANES as u64) as usize;
            for (i, &key) in top_words[..n].iter().enumerate() {
                if early.top_word_of(key) <= early.limit {
                    // A candidate: its whole seal, by the same kernel.
                    let nonce = base + i as u64;
                    let seal = self.seal(job, nonce)?;
                    if target.meets(&seal) {
                        return Ok(Some(Solution { nonce, seal }));
                    }
                }
            }
            done += n as u64;
        }
        Ok(None)
    }

    fn search_column(
        &self,
        job: &Job,
        low: u64,
        hi_first: u64,
        n: u64,
    ) -> Result<Option<(u64, [u8; 32])>, SearchError> {
        let early = *job.early_reject();
        let target = job.target();
        let mut top_words = [0u64; MAX_LANES];
        let top_words = &mut top_words[..K::LANES];
        let (midstate, block3) = job.v1_column(low);
        let mut done = 0u64;
        while done < n {
            let hi_base = (hi_first + done) as u32;
            self.0
                .top_words_high(&midstate, &block3, hi_base, early.lane, top_words);
            let lanes_here = (n - done).min(K::LANES as u64) as usize;
            for (i, &key) in top_words[..lanes_here].iter().enumerate() {
                if early.top_word_of(key) <= early.limit {
                    let mut seals = [[0u64; 4]; MAX_LANES];
                    let hi = hi_base.wrapping_add(i as u32);
                    self.0
                        .seals_high(&midstate, &block3, hi, &mut seals[..K::LANES]);
                    let seal = lanes_to_seal(&seals[0]);
                    if target.meets(&seal) {
                        return Ok(Some((done + i as u64, seal)));
                    }
                }
            }
            done += lanes_here as u64;
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::challenge::{Challenge, LegacyChallenge};
    use crate::target::{Difficulty, Rule};

    /// A kernel that "hashes" nonce n to lanes chosen by the test.
    struct Fake(Vec<[u64; 4]>);

    impl Kernel for Fake {
        const NAME: &'static str = "fake";
        const LANES: usize = 4;
        fn seals(&self, _: &Job, base: u64, out: &mut [[u64; 4]]) {
            for (i, o) in out.iter_mut().enumerate() {
                *o = self.0[(base as usize + i) % self.0.len()];
            }
        }
        fn seals_high(&self, _: &[u32; 8], _: &[u32; 16], _: u32, _: &mut [[u64; 4]]) {
            unreachable!("legacy only")
        }
    }

    /// Seals whose top word ties the threshold's are decided by all 256 bits.
    #[test]
    fn ties_on_the_top_word_get_the_full_compare() {
        let c = Challenge::Legacy(LegacyChallenge::new([0; 32], [0; 32]));
        for rule in [Rule::ChainBe, Rule::ChainLe] {
            let job = Job::new(&c, rule, Difficulty::new(3).unwrap()).unwrap();
            let threshold = job.target().threshold().to_be_bytes();
            // The threshold itself as a seal in the rule's byte order (meets),
            // and the same plus one in the lowest byte (fails; same top word).
            let mut at = threshold;
            if rule == Rule::ChainLe {
                at.reverse();
            }
            let mut above = job
                .target()
                .threshold()
                .checked_inc()
                .unwrap()
                .to_be_bytes();
            if rule == Rule::ChainLe {
                above.reverse();
            }
            let lanes = |s: [u8; 32]| -> [u64; 4] {
                std::array::from_fn(|i| u64::from_le_bytes(s[8 * i..8 * i + 8].try_into().unwrap()))
            };
            assert_eq!(
                job.early_reject().top_word(&lanes(at)),
                job.early_reject().limit
            );
            assert_eq!(
                job.early_reject().top_word(&lanes(above)),
                job.early_reject().limit
            );
            let engine = Batched(Fake(vec![
                lanes(above),
                lanes(above),
                lanes(at),
                lanes(above),
            ]));
            let found = engine.search(&job, 0, 8).unwrap().unwrap();
            assert_eq!((found.nonce, found.seal), (2, at), "{rule}");
            assert_eq!(engine.search(&job, 3, 3).unwrap(), None, "{rule}");
        }
    }
}
