use btpow::engine::primitives::{keccak, sha256};
use std::hint::black_box;
use std::time::Instant;
fn main() {
    let n = 2_000_000u64;
    let mut a = [0u64; 25];
    let t = Instant::now();
    for i in 0..n {
        a[0] ^= i;
        keccak::keccak_f(black_box(&mut a));
    }
    println!(
        "generic keccak u64: {:.1} ns",
        t.elapsed().as_nanos() as f64 / n as f64
    );
    let t = Instant::now();
    for i in 0..n {
        a[0] ^= i;
        keccak_crate(black_box(&mut a));
    }
    println!(
        "keccak crate f1600: {:.1} ns",
        t.elapsed().as_nanos() as f64 / n as f64
    );
    let mut st = sha256::IV;
    let t = Instant::now();
    for i in 0..n {
        let mut w = [0u32; 16];
        w[0] = i as u32;
        sha256::compress(black_box(&mut st), black_box(w));
    }
    println!(
        "generic sha u32: {:.1} ns {:?}",
        t.elapsed().as_nanos() as f64 / n as f64,
        st[0]
    );
}
fn keccak_crate(a: &mut [u64; 25]) {
    sha3_keccak(a)
}
#[inline(never)]
fn sha3_keccak(a: &mut [u64; 25]) {
    keccak_f1600(a)
}
use ::keccak::f1600 as keccak_f1600;
