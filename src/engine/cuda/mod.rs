//! The CUDA engine's shared parts: the kernels' source (`kernels/`), the
//! per-job constants they read (laid out as `btpow_params` in
//! `kernels/btpow_core.h`), and the host build of their hash core
//! (`cuda-core`), which holds the kernels' arithmetic to the reference on
//! machines without a GPU.

#[cfg(feature = "cuda")]
mod gpu;
pub(crate) mod host;

#[cfg(feature = "cuda")]
pub use gpu::{CudaError, CudaGpu};

use crate::engine::message::MessageWords;
use crate::job::Job;
use crate::target::ByteOrder;

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

    /// The constants for one column of v1's high-bytes order.
    pub(crate) fn v1_column(job: &Job, low: u64) -> Params {
        let (mut p, _) = Params::new(job);
        let (mid, block3) = job.v1_column(low);
        p.mid = mid;
        p.block_b = block3;
        p
    }
}
