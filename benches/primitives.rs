//! Every SHA-256 compression and Keccak-f[1600] implementation this machine
//! runs, per message or state: the numbers behind the roofline.
//! `cargo bench --bench primitives`

use std::hint::black_box;

use btpow::engine::roofline::{PrimitiveKind, PrimitiveLoop};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// Calls per measured iteration.
const CALLS: u64 = 256;

fn primitives(c: &mut Criterion) {
    for kind in [PrimitiveKind::Sha256, PrimitiveKind::Keccak] {
        let name = match kind {
            PrimitiveKind::Sha256 => "sha256-compress",
            PrimitiveKind::Keccak => "keccak-f1600",
        };
        let mut group = c.benchmark_group(name);
        for l in PrimitiveLoop::all().into_iter().filter(|l| l.kind == kind) {
            group.throughput(Throughput::Elements(CALLS * l.items as u64));
            group.bench_function(l.name, |b| b.iter(|| (l.run)(black_box(CALLS))));
        }
        group.finish();
    }
}

criterion_group!(benches, primitives);
criterion_main!(benches);
