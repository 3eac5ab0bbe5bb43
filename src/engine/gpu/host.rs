//! `cuda-core`: the CUDA kernels' hash core and search loop
//! (`kernels/btpow_core.h`), compiled for the CPU by `build.rs` and called
//! over FFI. Slow (plain scalar C, one nonce at a time), but the very
//! arithmetic the GPU runs: every golden vector and property test holds it
//! to the reference.

use std::os::raw::c_int;

use super::{Params, SearchKind};
use crate::engine::{check_range, Engine, SearchError, Solution};
use crate::job::message::lanes_to_seal;
use crate::job::Job;

extern "C" {
    fn btpow_host_seal(p: *const Params, kind: c_int, base: u64, offset: u64, out: *mut u64);
    fn btpow_host_search(
        p: *const Params,
        kind: c_int,
        base: u64,
        count: u64,
        out: *mut u64,
    ) -> u64;
}

fn seal(p: &Params, kind: SearchKind, base: u64) -> [u64; 4] {
    let mut out = [0u64; 4];
    // SAFETY: `p` points to a live `Params` (repr(C) = btpow_params) and
    // `out` to four writable u64s; the function reads and writes nothing else.
    unsafe { btpow_host_seal(p, kind as c_int, base, 0, out.as_mut_ptr()) };
    out
}

/// The first offset in `[0, count)` from `base` that meets, with its seal lanes.
fn search(p: &Params, kind: SearchKind, base: u64, count: u64) -> Option<(u64, [u64; 4])> {
    let mut out = [0u64; 4];
    // SAFETY: as in `seal`.
    let offset = unsafe { btpow_host_search(p, kind as c_int, base, count, out.as_mut_ptr()) };
    (offset != u64::MAX).then_some((offset, out))
}

/// The `cuda-core` engine: the CUDA kernels' hash core and search loop, compiled for the CPU.
pub(crate) struct CudaCore;

impl Engine for CudaCore {
    fn name(&self) -> &'static str {
        "cuda-core"
    }

    fn seal(&self, job: &Job, nonce: u64) -> Result<[u8; 32], SearchError> {
        let (p, kind) = Params::new(job);
        Ok(lanes_to_seal(&seal(&p, kind, nonce)))
    }

    fn search(&self, job: &Job, start: u64, count: u64) -> Result<Option<Solution>, SearchError> {
        check_range(start, count)?;
        let (p, kind) = Params::new(job);
        Ok(
            search(&p, kind, start, count).map(|(offset, lanes)| Solution {
                nonce: start + offset,
                seal: lanes_to_seal(&lanes),
            }),
        )
    }

    fn search_column(
        &self,
        job: &Job,
        low: u64,
        hi_first: u64,
        n: u64,
    ) -> Result<Option<(u64, [u8; 32])>, SearchError> {
        let p = Params::v1_column(job, low);
        Ok(search(&p, SearchKind::V1High, hi_first, n)
            .map(|(offset, lanes)| (offset, lanes_to_seal(&lanes))))
    }
}
