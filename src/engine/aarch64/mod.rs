//! aarch64 backends on the ARMv8 crypto extensions: SHA-256 on the SHA2
//! instructions (four nonces interleaved), Keccak-f\[1600\] on NEON, two
//! states per register: with the SHA3 instructions (`armv8-sha3`: EOR3,
//! RAX1, XAR, BCAX) or with plain NEON where they are missing
//! (`armv8-sha2`).
//!
//! # Safety model, as on x86
//! - Each feature set has a token ([`Sha2`], [`Sha3`]) whose only
//!   constructor, `detect`, checks the CPU at run time.
//! - The Keccak lane types ([`neon::U64x2`], [`neon::U64x2Sha3`]) keep their
//!   register private and are made only through a token or from another
//!   vector, so a value proves its feature.
//! - Everything that hashes runs inside a `#[target_feature]` function,
//!   entered once per batch from the engine through its token.

pub(crate) mod armv8;
pub(crate) mod neon;

/// Proof that this CPU has NEON and the SHA2 instructions: made only by
/// [`Sha2::detect`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sha2(());

/// Proof that this CPU has NEON, SHA2 and the SHA3 instructions: made only
/// by [`Sha3::detect`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sha3(());

impl Sha2 {
    /// The token, if this CPU has NEON and SHA2.
    pub(crate) fn detect() -> Option<Self> {
        (std::arch::is_aarch64_feature_detected!("neon")
            && std::arch::is_aarch64_feature_detected!("sha2"))
        .then_some(Sha2(()))
    }
}

impl Sha3 {
    /// The token, if this CPU has NEON, SHA2 and SHA3.
    pub(crate) fn detect() -> Option<Self> {
        (Sha2::detect().is_some() && std::arch::is_aarch64_feature_detected!("sha3"))
            .then_some(Sha3(()))
    }

    /// SHA3 implies SHA2.
    pub(crate) fn sha2(self) -> Sha2 {
        Sha2(())
    }
}

/// Every aarch64 primitive timing loop this CPU runs.
pub(crate) fn primitive_loops() -> Vec<super::roofline::PrimitiveLoop> {
    armv8::primitive_loops()
}
