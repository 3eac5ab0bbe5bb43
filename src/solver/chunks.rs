//! The walk every search takes: chunk indices handed out in order, none
//! started above the lowest chunk with a hit.

use std::sync::atomic::{AtomicU64, Ordering};

/// Chunk indices `0..=last` handed out in order to any number of threads.
/// A hit in chunk `k` lowers `last` to `k`: no chunk above the lowest hit
/// is started, and every chunk below it is, so the first valid nonce is
/// found whatever the thread count. (`last` is inclusive so that 2^64
/// chunks of one nonce still fit.)
///
/// Orderings: `next` is a plain ticket counter (`Relaxed`): all that
/// matters is that each index is handed out once, which any ordering of a
/// `fetch_add` guarantees. `last` is `SeqCst` on both sides, so that a hit
/// recorded by one thread is seen by every `take` that starts after it:
/// a chunk above the hit may still be started by a thread that read `last`
/// just before (it is searched for nothing; the coordinator keeps the
/// lowest hit), but none is started after.
pub(crate) struct Chunks {
    next: AtomicU64,
    last: AtomicU64,
}

impl Chunks {
    /// Chunks `0..=last`.
    pub(crate) fn new(last: u64) -> Self {
        Chunks {
            next: AtomicU64::new(0),
            last: AtomicU64::new(last),
        }
    }

    /// The next chunk, or None when none is left below the lowest hit.
    pub(crate) fn take(&self) -> Option<u64> {
        let k = self.next.fetch_add(1, Ordering::Relaxed);
        (k <= self.last()).then_some(k)
    }

    /// Chunk `k` held a hit.
    pub(crate) fn hit(&self, k: u64) {
        self.last.fetch_min(k, Ordering::SeqCst);
    }

    /// The last chunk that will be started: the lowest hit, or the end.
    pub(crate) fn last(&self) -> u64 {
        self.last.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_taken_in_order_up_to_the_lowest_hit() {
        let chunks = Chunks::new(9);
        assert_eq!((chunks.take(), chunks.take()), (Some(0), Some(1)));
        chunks.hit(4);
        chunks.hit(6); // a higher hit does not raise the limit
        assert_eq!(chunks.last(), 4);
        assert_eq!(
            (chunks.take(), chunks.take(), chunks.take()),
            (Some(2), Some(3), Some(4))
        );
        assert_eq!(chunks.take(), None);
    }
}
