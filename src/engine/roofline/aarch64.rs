//! The aarch64 primitives' timing loops, each entered through its feature
//! token as the engines enter their kernels.

use std::arch::aarch64::*;
use std::hint::black_box;

use super::{PrimitiveKind, PrimitiveLoop};
use crate::engine::aarch64::armv8;
use crate::engine::aarch64::neon::Register;
use crate::engine::backend::{Cpu, Sha2, Sha3};
use crate::primitives::keccak::keccak_f;
use crate::primitives::sha256::IV;

/// Every aarch64 primitive timing loop this CPU runs.
pub(super) fn loops(cpu: &Cpu) -> Vec<PrimitiveLoop> {
    let mut loops = Vec::new();
    if cpu.sha2.is_some() {
        loops.push(PrimitiveLoop {
            kind: PrimitiveKind::Sha256,
            name: "sha2 instructions (4 interleaved)",
            items: armv8::N,
            run: sha2_sha256,
        });
        loops.push(PrimitiveLoop {
            kind: PrimitiveKind::Keccak,
            name: "neon (2 lanes)",
            items: 2,
            run: neon_keccak,
        });
    }
    if cpu.sha3.is_some() {
        loops.push(PrimitiveLoop {
            kind: PrimitiveKind::Keccak,
            name: "neon+sha3 (2 lanes)",
            items: 2,
            run: sha3_keccak,
        });
    }
    loops
}

/// `n` dependent compressions of four interleaved states.
#[target_feature(enable = "neon,sha2")]
fn sha2_chain(t: Sha2, n: u64) -> u32 {
    let mut states = [armv8::to_state(t, &IV); armv8::N];
    let mut blocks = [[7u32; 16]; armv8::N];
    for _ in 0..n {
        armv8::compress_n(t, &mut states, &blocks);
        for (b, s) in blocks.iter_mut().zip(&states) {
            b[0] = vgetq_lane_u32::<0>(s.abcd);
        }
    }
    blocks[0][0]
}

fn sha2_sha256(n: u64) {
    if let Some(t) = Cpu::get().sha2 {
        // SAFETY: NEON and SHA2, proven by the token; registers only.
        black_box(unsafe { sha2_chain(t, n) });
    }
}

/// `n` dependent permutations of two states.
#[inline(always)]
fn keccak_loop<L: Register>(proto: L, n: u64) {
    let mut a = [proto.splat(7); 25];
    for _ in 0..n {
        keccak_f(&mut a);
    }
    black_box(a.map(Register::get));
}

/// The Keccak loop of a flavour, compiled for its features.
macro_rules! keccak_entry {
    ($name:ident, $token:ty, $field:ident, $feature:literal) => {
        fn $name(n: u64) {
            #[target_feature(enable = $feature)]
            fn enter(t: $token, n: u64) {
                keccak_loop(t.u64x2(vdupq_n_u64(0)), n);
            }
            if let Some(t) = Cpu::get().$field {
                // SAFETY: the features, proven by the token; registers only.
                unsafe { enter(t, n) }
            }
        }
    };
}

keccak_entry!(neon_keccak, Sha2, sha2, "neon,sha2");
keccak_entry!(sha3_keccak, Sha3, sha3, "neon,sha2,sha3");
