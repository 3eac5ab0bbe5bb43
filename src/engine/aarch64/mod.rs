//! aarch64 backends on the ARMv8 crypto extensions: SHA-256 on the SHA2
//! instructions (four nonces interleaved), Keccak-f\[1600\] on NEON, two
//! states per register: with the SHA3 instructions (`armv8-sha3`: EOR3,
//! RAX1, XAR, BCAX) or with plain NEON where they are missing
//! (`armv8-sha2`).
//!
//! # Safety model, as on x86
//! - Each feature set has a token (`Sha2`, `Sha3`, in `engine/backend.rs`)
//!   whose only constructor checks the CPU at run time; the token is its
//!   engine's kernel.
//! - The Keccak lane types ([`neon::U64x2`], [`neon::U64x2Sha3`]) keep their
//!   register private and are made only through a token or from another
//!   vector, so a value proves its feature.
//! - Everything that hashes runs inside a `#[target_feature]` function,
//!   entered once per batch from the engine through its token.

pub(crate) mod armv8;
pub(crate) mod neon;
