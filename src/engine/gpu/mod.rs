//! The GPU engines, together: CUDA (`cuda.rs`), OpenCL (`opencl.rs`) and
//! `cuda-core`, the kernels' hash core built for the CPU (`host.rs`), over
//! the per-job constants they all read (laid out as `btpow_params` in
//! `kernels/btpow_core.h`) and the rest of the [`Engine`](crate::engine::Engine)
//! contract they share. [`open`] is the one place the command line, the
//! solver, the backends and Python open GPUs.

#[cfg(feature = "cuda")]
pub mod cuda;
pub(crate) mod host;
mod open;
#[cfg(feature = "opencl")]
pub mod opencl;

pub use open::{open, Gpus, OpenError};
pub(crate) use open::{
    open_forced_cuda, open_forced_opencl, why_no_forced_cuda, why_no_forced_opencl,
};

use crate::engine::{check_range, reference, SearchError, Solution};
use crate::job::message::{lanes_to_seal, MessageWords};
use crate::job::Job;
use crate::target::ByteOrder;

/// An error's message with every source below it, on one line (a GPU
/// engine's errors, for a front end that shows one line).
pub(crate) fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

/// The NVRTC source: the hash core, then the kernels.
#[cfg(feature = "cuda")]
pub(crate) const KERNEL_SOURCE: &str = concat!(
    include_str!("../../../kernels/btpow_core.h"),
    "\n",
    include_str!("../../../kernels/btpow_kernels.cu")
);

/// What a launch walks (`BTPOW_LEGACY`, … in `btpow_core.h`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub(crate) enum SearchKind {
    /// Legacy nonces, sequential.
    Legacy = 0,
    /// v1 nonces, sequential (blocks 2 and 3).
    V1Sequential = 1,
    /// One column of v1's high-bytes order: `mid` is that column's midstate.
    V1High = 2,
}

/// `btpow_params`, byte for byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub(crate) struct Params {
    /// Legacy: the block's words; v1: block 2's.
    pub(crate) block_a: [u32; 16],
    /// v1: block 3's words.
    pub(crate) block_b: [u32; 16],
    /// v1: the midstate (after block 1, or blocks 1 and 2 for a column).
    pub(crate) mid: [u32; 8],
    /// The target's threshold, as four little-endian u64s of its value.
    pub(crate) threshold: [u64; 4],
    /// 1 if the rule reads the seal big-endian.
    pub(crate) big_endian: u32,
    /// Padding to 8 bytes.
    pub(crate) pad: u32,
}

impl Params {
    /// The constants of `job` for sequential launches, and their kind.
    pub(crate) fn new(job: &Job) -> (Params, SearchKind) {
        let mut p = Params {
            block_a: [0; 16],
            block_b: [0; 16],
            mid: [0; 8],
            threshold: job.target().threshold().limbs(),
            big_endian: u32::from(job.target().rule().byte_order() == ByteOrder::Big),
            pad: 0,
        };
        let kind = match job.words() {
            MessageWords::Legacy { block } => {
                p.block_a = *block;
                SearchKind::Legacy
            }
            MessageWords::V1 {
                midstate,
                block2,
                block3,
            } => {
                p.mid = *midstate;
                p.block_a = *block2;
                p.block_b = *block3;
                SearchKind::V1Sequential
            }
        };
        (p, kind)
    }

    /// The bytes of `btpow_params` as a device with little-endian words
    /// reads them (every GPU and CPU btpow runs on).
    #[cfg_attr(not(feature = "opencl"), allow(dead_code))]
    pub(crate) fn bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(std::mem::size_of::<Params>());
        for w in self.block_a.iter().chain(&self.block_b).chain(&self.mid) {
            b.extend_from_slice(&w.to_le_bytes());
        }
        for l in &self.threshold {
            b.extend_from_slice(&l.to_le_bytes());
        }
        b.extend_from_slice(&self.big_endian.to_le_bytes());
        b.extend_from_slice(&self.pad.to_le_bytes());
        debug_assert_eq!(b.len(), std::mem::size_of::<Params>());
        b
    }

    /// The constants for one column of v1's high-bytes order.
    pub(crate) fn v1_column(job: &Job, low: u64) -> Params {
        let (mut p, _) = Params::new(job);
        let (mid, block3) = job.v1_column(low);
        p.mid = mid;
        p.block_b = block3;
        p
    }
}

/// What a GPU engine does on its devices (CUDA, OpenCL): the rest of the
/// [`Engine`](crate::engine::Engine) contract is the same for both, in the
/// functions below.
#[cfg_attr(not(any(feature = "cuda", feature = "opencl")), allow(dead_code))]
pub(crate) trait Launch {
    /// The seal lanes of `nonce` (for [`SearchKind::V1High`], of top bits
    /// `nonce` in `p`'s column), on a free device.
    fn seal_lanes(&self, p: &Params, kind: SearchKind, nonce: u64)
        -> Result<[u64; 4], SearchError>;

    /// The first offset in `[0, count)` from `base` whose seal meets, on a
    /// free device.
    fn first_hit(
        &self,
        p: &Params,
        kind: SearchKind,
        base: u64,
        count: u64,
    ) -> Result<Option<u64>, SearchError>;
}

/// Runs `f` on the first device no other thread is using (or waits for the
/// first one): a solver with one thread per device keeps all of them busy.
/// `devices` is never empty (opening refuses an empty list).
#[cfg_attr(not(any(feature = "cuda", feature = "opencl")), allow(dead_code))]
pub(crate) fn on_a_free_device<D, T>(
    devices: &[std::sync::Mutex<D>],
    f: impl FnOnce(&D) -> T,
) -> T {
    for d in devices {
        if let Ok(d) = d.try_lock() {
            return f(&d);
        }
    }
    let d = devices[0].lock().unwrap_or_else(|e| e.into_inner());
    f(&d)
}

/// [`Engine::seal`](crate::engine::Engine::seal) on a GPU.
#[cfg_attr(not(any(feature = "cuda", feature = "opencl")), allow(dead_code))]
pub(crate) fn seal(gpu: &impl Launch, job: &Job, nonce: u64) -> Result<[u8; 32], SearchError> {
    let (p, kind) = Params::new(job);
    Ok(lanes_to_seal(&gpu.seal_lanes(&p, kind, nonce)?))
}

/// [`Engine::search`](crate::engine::Engine::search) on a GPU: the seal of
/// the nonce the device found is the reference's (the solver checks it
/// again).
#[cfg_attr(not(any(feature = "cuda", feature = "opencl")), allow(dead_code))]
pub(crate) fn search(
    gpu: &impl Launch,
    job: &Job,
    start: u64,
    count: u64,
) -> Result<Option<Solution>, SearchError> {
    check_range(start, count)?;
    let (p, kind) = Params::new(job);
    Ok(gpu.first_hit(&p, kind, start, count)?.map(|offset| {
        let nonce = start + offset;
        Solution {
            nonce,
            seal: reference::seal(job, nonce),
        }
    }))
}

/// [`Engine::search_column`](crate::engine::Engine::search_column) on a GPU.
#[cfg_attr(not(any(feature = "cuda", feature = "opencl")), allow(dead_code))]
pub(crate) fn search_column(
    gpu: &impl Launch,
    job: &Job,
    low: u64,
    hi_first: u64,
    n: u64,
) -> Result<Option<(u64, [u8; 32])>, SearchError> {
    let p = Params::v1_column(job, low);
    Ok(gpu
        .first_hit(&p, SearchKind::V1High, hi_first, n)?
        .map(|offset| {
            let nonce = ((hi_first + offset) << 40) | low;
            (offset, reference::seal(job, nonce))
        }))
}
