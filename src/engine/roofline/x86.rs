//! The x86-64 primitives' timing loops, each entered through its feature
//! token as the engines enter their kernels.

use std::arch::x86_64::_mm_cvtsi128_si32;
use std::hint::black_box;

use super::{PrimitiveKind, PrimitiveLoop};
use crate::engine::backend::{Avx2, Avx512, Cpu, ShaNi};
use crate::engine::x86::sha_ni;
use crate::engine::x86::wide::Wide;
use crate::primitives::keccak::keccak_f;
use crate::primitives::sha256::{compress, IV};

/// Every x86 primitive timing loop this CPU runs.
pub(super) fn loops(cpu: &Cpu) -> Vec<PrimitiveLoop> {
    let mut loops = Vec::new();
    if cpu.avx2.is_some() {
        loops.extend(wide(
            "avx2 (8 lanes)",
            "avx2 (4 lanes)",
            8,
            avx2_sha256,
            avx2_keccak,
        ));
    }
    if cpu.sha_ni.is_some() {
        loops.push(PrimitiveLoop {
            kind: PrimitiveKind::Sha256,
            name: "sha-ni (4 interleaved)",
            items: sha_ni::N,
            run: sha_ni_sha256,
        });
    }
    if cpu.avx512.is_some() {
        loops.extend(wide(
            "avx512 (16 lanes)",
            "avx512 (8 lanes)",
            16,
            avx512_sha256,
            avx512_keccak,
        ));
    }
    loops
}

/// The SHA-256 loop of a width (`lanes` nonces) and its Keccak loop (half
/// as many states).
fn wide(
    sha: &'static str,
    keccak: &'static str,
    lanes: usize,
    sha_run: fn(u64),
    keccak_run: fn(u64),
) -> [PrimitiveLoop; 2] {
    [
        PrimitiveLoop {
            kind: PrimitiveKind::Sha256,
            name: sha,
            items: lanes,
            run: sha_run,
        },
        PrimitiveLoop {
            kind: PrimitiveKind::Keccak,
            name: keccak,
            items: lanes / 2,
            run: keccak_run,
        },
    ]
}

/// `n` dependent compressions.
#[inline(always)]
fn sha256_loop<T: Wide>(t: T, n: u64) {
    let mut st = IV.map(|x| t.splat(x));
    let mut w = [t.splat(7); 16];
    for _ in 0..n {
        w[0] = st[7];
        compress(&mut st, w);
    }
    black_box(st);
}

/// `n` dependent permutations.
#[inline(always)]
fn keccak_loop<T: Wide>(t: T, n: u64) {
    let (lanes, _) = T::keccak_inputs([t.splat(7); 8]);
    let mut state = [lanes[0]; 25];
    for _ in 0..n {
        keccak_f(&mut state);
    }
    black_box(state);
}

/// A timing loop of a width, compiled for its feature.
macro_rules! wide_loop {
    ($name:ident, $run:ident, $token:ty, $field:ident, $feature:literal) => {
        fn $name(n: u64) {
            #[target_feature(enable = $feature)]
            fn enter(t: $token, n: u64) {
                $run(t, n);
            }
            if let Some(t) = Cpu::get().$field {
                // SAFETY: the feature, proven by the token; registers only.
                unsafe { enter(t, n) }
            }
        }
    };
}

wide_loop!(avx2_sha256, sha256_loop, Avx2, avx2, "avx2");
wide_loop!(avx2_keccak, keccak_loop, Avx2, avx2, "avx2");
wide_loop!(avx512_sha256, sha256_loop, Avx512, avx512, "avx512f");
wide_loop!(avx512_keccak, keccak_loop, Avx512, avx512, "avx512f");

/// `n` dependent compressions of four interleaved states.
#[target_feature(enable = "sha,sse4.1,avx2")]
fn sha_ni_chain(_: ShaNi, n: u64) -> u32 {
    let mut states = [sha_ni::to_state(&IV); sha_ni::N];
    let mut blocks = [[7u32; 16]; sha_ni::N];
    for _ in 0..n {
        sha_ni::compress_n(&mut states, &blocks);
        for (b, s) in blocks.iter_mut().zip(&states) {
            b[0] = _mm_cvtsi128_si32(s.abef) as u32;
            b[1] = _mm_cvtsi128_si32(s.cdgh) as u32;
        }
    }
    blocks[0][0]
}

fn sha_ni_sha256(n: u64) {
    if let Some(t) = Cpu::get().sha_ni {
        // SAFETY: SHA-NI, SSE4.1 and AVX2, proven by the token; registers only.
        black_box(unsafe { sha_ni_chain(t, n) });
    }
}
