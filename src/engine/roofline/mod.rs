//! The per-core roofline: what one core could do if a nonce cost nothing
//! but its hashing, with the fastest primitives measured here. One legacy
//! nonce is one SHA-256 compression and one Keccak-f\[1600\]; one v1 nonce is
//! two compressions (blocks 2 and 3; block 1 is the job's midstate) and one
//! permutation in sequential order, one compression (block 3) in the
//! midstate order. Each primitive is timed in a tight loop, every candidate
//! implementation on this machine (ours and the `sha2`/`keccak` crates'),
//! and the cheapest of each kind sets the roofline. The SIMD loops
//! (`x86.rs`, `aarch64.rs`) enter their features through the tokens of
//! `engine/backend.rs`, as the engines do; no engine depends on this module.

#[cfg(target_arch = "aarch64")]
mod aarch64;
#[cfg(target_arch = "x86_64")]
mod x86;

use std::hint::black_box;
use std::time::{Duration, Instant};

use super::{Backend, Order};
use crate::challenge::Scheme;
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
use crate::engine::backend::Cpu;
use crate::primitives::{keccak, sha256};

/// One measured primitive implementation.
#[derive(Clone, Debug)]
pub(crate) struct Primitive {
    /// The implementation.
    pub(crate) name: &'static str,
    /// Nanoseconds per message (SHA-256 compression) or per state (Keccak-f).
    pub(crate) ns: f64,
}

#[derive(Clone, Debug)]
/// Every primitive implementation measured on this machine.
pub struct Roofline {
    /// SHA-256 compressions.
    sha256: Vec<Primitive>,
    /// Keccak-f\[1600\] permutations.
    keccak: Vec<Primitive>,
}

/// SHA-256 compressions per nonce: v1 needs blocks 2 and 3 in sequential
/// order, block 3 alone in the midstate order.
pub(crate) fn compressions(scheme: Scheme, order: Order) -> f64 {
    match (scheme, order) {
        (Scheme::Legacy, _) | (Scheme::V1, Order::HighBytes) => 1.0,
        (Scheme::V1, Order::Sequential) => 2.0,
    }
}

fn cheapest(list: &[Primitive]) -> &Primitive {
    list.iter()
        .min_by(|a, b| a.ns.total_cmp(&b.ns))
        .expect("the portable primitives are always measured")
}

impl Roofline {
    /// Times every SHA-256 and Keccak-f implementation this machine runs,
    /// spending about `budget` on each.
    pub fn measure(budget: Duration) -> Roofline {
        let (mut sha256, mut keccak) = (Vec::new(), Vec::new());
        for l in PrimitiveLoop::all() {
            let measured = Primitive {
                name: l.name,
                ns: time_per_item(budget, l.items, l.run),
            };
            match l.kind {
                PrimitiveKind::Sha256 => sha256.push(measured),
                PrimitiveKind::Keccak => keccak.push(measured),
            }
        }
        Roofline { sha256, keccak }
    }

    /// Keeps, per primitive, the faster of this measurement and `other`
    /// (the same primitives measured again later in a run): load from
    /// elsewhere only slows a loop down.
    pub fn keep_best(&mut self, other: &Roofline) {
        for (mine, theirs) in [
            (&mut self.sha256, &other.sha256),
            (&mut self.keccak, &other.keccak),
        ] {
            for p in mine.iter_mut() {
                if let Some(o) = theirs.iter().find(|o| o.name == p.name) {
                    p.ns = p.ns.min(o.ns);
                }
            }
        }
    }

    /// The cheapest SHA-256 compression.
    /// (its name, nanoseconds per message).
    pub fn best_sha256(&self) -> (&'static str, f64) {
        let p = cheapest(&self.sha256);
        (p.name, p.ns)
    }

    /// The cheapest permutation.
    /// (its name, nanoseconds per state).
    pub fn best_keccak(&self) -> (&'static str, f64) {
        let p = cheapest(&self.keccak);
        (p.name, p.ns)
    }

    /// Nonces per second one core could reach on `scheme` in `order`.
    pub fn per_core(&self, scheme: Scheme, order: Order) -> f64 {
        1e9 / (self.best_sha256().1 * compressions(scheme, order) + self.best_keccak().1)
    }

    /// The same bound for `backend`'s own primitives: how close the engine
    /// gets to what its SHA-256 and Keccak could do on their own.
    pub fn own(&self, backend: Backend, scheme: Scheme, order: Order) -> Option<f64> {
        let (sha_name, keccak_name) = own_primitives(backend);
        let sha = self.sha256.iter().find(|p| p.name == sha_name)?;
        let kec = self.keccak.iter().find(|p| p.name == keccak_name)?;
        Some(1e9 / (sha.ns * compressions(scheme, order) + kec.ns))
    }
}

/// The primitives each backend is built on (names as measured here).
fn own_primitives(backend: Backend) -> (&'static str, &'static str) {
    match backend {
        Backend::Reference => ("sha2 crate", "keccak crate"),
        Backend::Portable | Backend::CudaCore => ("portable", "portable"),
        // A GPU has no CPU roofline; no primitive of that name is measured.
        Backend::Cuda => ("cuda", "cuda"),
        Backend::OpenCl => ("opencl", "opencl"),
        Backend::ShaNi => ("sha-ni (4 interleaved)", "avx2 (4 lanes)"),
        Backend::Avx2 => ("avx2 (8 lanes)", "avx2 (4 lanes)"),
        Backend::Avx512 => ("avx512 (16 lanes)", "avx512 (8 lanes)"),
        Backend::Armv8Sha3 => ("sha2 instructions (4 interleaved)", "neon+sha3 (2 lanes)"),
        Backend::Armv8Sha2 => ("sha2 instructions (4 interleaved)", "neon (2 lanes)"),
    }
}

/// Nanoseconds per item of `f`, which processes `items` per call: calls are
/// repeated until `budget` has passed, and the best of three runs is kept.
fn time_per_item(budget: Duration, items: usize, mut f: impl FnMut(u64)) -> f64 {
    let mut iters = 64u64;
    loop {
        let t = Instant::now();
        // black_box: the loops are pure functions of the count; an opaque
        // count keeps repeated calls from being merged.
        f(black_box(iters));
        if t.elapsed() >= budget / 8 || iters >= 1 << 30 {
            break;
        }
        iters *= 2;
    }
    (0..3)
        .map(|_| {
            let t = Instant::now();
            f(black_box(iters));
            t.elapsed().as_nanos() as f64 / (iters as f64 * items as f64)
        })
        .fold(f64::INFINITY, f64::min)
}

/// Which primitive a loop measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrimitiveKind {
    /// One SHA-256 compression of one 64-byte block.
    Sha256,
    /// One Keccak-f\[1600\] permutation of one state.
    Keccak,
}

/// A timing loop for one primitive implementation: `run(n)` performs `n`
/// calls, each on `items` independent messages or states (the lanes).
#[derive(Clone, Copy)]
pub struct PrimitiveLoop {
    /// Which primitive.
    pub kind: PrimitiveKind,
    /// The implementation's name.
    pub name: &'static str,
    /// Messages or states per call of `run`.
    pub items: usize,
    /// Runs the primitive `n` times over.
    pub run: fn(u64),
}

impl PrimitiveLoop {
    /// Every primitive implementation this machine runs.
    pub fn all() -> Vec<PrimitiveLoop> {
        let p = |kind, name, items, run| PrimitiveLoop {
            kind,
            name,
            items,
            run,
        };
        #[allow(unused_mut)]
        let mut loops = vec![
            p(
                PrimitiveKind::Sha256,
                "portable",
                1,
                portable_sha256 as fn(u64),
            ),
            p(PrimitiveKind::Sha256, "sha2 crate", 1, crate_sha256),
            p(PrimitiveKind::Keccak, "portable", 1, portable_keccak),
            p(PrimitiveKind::Keccak, "keccak crate", 1, crate_keccak),
        ];
        #[cfg(target_arch = "x86_64")]
        loops.extend(x86::loops(Cpu::get()));
        #[cfg(target_arch = "aarch64")]
        loops.extend(aarch64::loops(Cpu::get()));
        loops
    }
}

fn portable_sha256(n: u64) {
    let mut st = sha256::IV;
    let mut w = [7u32; 16];
    for _ in 0..n {
        w[0] = st[7];
        sha256::compress(&mut st, w);
    }
    black_box(st);
}

fn crate_sha256(n: u64) {
    let mut st = sha256::IV;
    let mut block = [7u8; 64];
    for _ in 0..n {
        block[..4].copy_from_slice(&st[7].to_le_bytes());
        sha2::compress256(
            &mut st,
            &[*sha2::digest::generic_array::GenericArray::from_slice(
                &block,
            )],
        );
    }
    black_box(st);
}

fn portable_keccak(n: u64) {
    let mut a = [7u64; 25];
    for _ in 0..n {
        keccak::keccak_f(&mut a);
    }
    black_box(a);
}

fn crate_keccak(n: u64) {
    let mut a = [7u64; 25];
    for _ in 0..n {
        ::keccak::f1600(&mut a);
    }
    black_box(a);
}
