//! Nonces per second of each engine this machine supports, per scheme and
//! nonce order, on one thread. `cargo bench --bench engines`

use std::hint::black_box;

use btpow::engine::{self, Order};
use btpow::{Challenge, Difficulty, Job, LegacyChallenge, Rule, V1Challenge};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// Nonces per measured `search` call; the maximum difficulty makes every
/// nonce a miss, so each call hashes all of them.
const BATCH: u64 = 1 << 12;

fn jobs() -> [(&'static str, Job); 2] {
    let legacy = Challenge::Legacy(LegacyChallenge::new([0x5c; 32], [0xd4; 32]));
    let v1 = Challenge::V1(V1Challenge::new(1, [0x5c; 32], [0xd4; 32], [0x8e; 32]));
    [
        (
            "legacy",
            Job::new(&legacy, Rule::Python, Difficulty::MAX).unwrap(),
        ),
        ("v1", Job::new(&v1, Rule::V1, Difficulty::MAX).unwrap()),
    ]
}

fn search(c: &mut Criterion) {
    for (scheme, job) in jobs() {
        let orders: &[Order] = if scheme == "v1" {
            &[Order::Sequential, Order::HighBytes]
        } else {
            &[Order::Sequential]
        };
        for &order in orders {
            let mut group = c.benchmark_group(format!("search/{scheme}/{}", order.name()));
            group.throughput(Throughput::Elements(BATCH));
            for backend in engine::Backend::available() {
                let e = backend.engine().unwrap();
                let mut start = 0u64;
                group.bench_function(backend.name(), |b| {
                    b.iter(|| {
                        let r = e.search_in(black_box(&job), order, start, BATCH).unwrap();
                        start = start.wrapping_add(BATCH) % (1 << 62);
                        r
                    })
                });
            }
            group.finish();
        }
    }
}

criterion_group!(benches, search);
criterion_main!(benches);
