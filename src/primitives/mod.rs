//! SHA-256 compression and Keccak-f\[1600\], each written once over a lane
//! type: `u32`/`u64` for the portable engine, SIMD vectors for the x86
//! engines (every lane an independent nonce). Everything is `#[inline(always)]`
//! so that, inlined into a `#[target_feature]` function, the loops unroll and
//! the rotation counts fold into immediates.

pub(crate) mod keccak;
pub(crate) mod sha256;
