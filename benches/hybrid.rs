//! Would an engine that runs SHA-256 on SHA-NI and Keccak on AVX-512 lanes,
//! interleaved in one instruction stream, beat the `avx512` engine? Each
//! iteration is the work of eight nonces: eight SHA-256 compressions (two
//! groups of four, interleaved as the `sha-ni` engine does) and one 8-lane
//! AVX-512 Keccak-f[1600].
//!
//! - `sha-ni x8`: the compressions alone, with the upper halves of the
//!   vector registers clean (how the `sha-ni` engine runs them).
//! - `sha-ni x8, upper state dirty`: the same after a 512-bit instruction,
//!   as they would run beside AVX-512 code. SHA-NI has only legacy SSE
//!   encodings, and SSE instructions pay for a dirty upper state.
//! - `avx512 keccak x1`: the permutation alone.
//! - `hybrid`: both, the compressions spread over the 24 rounds.
//!
//! A hybrid wins only if `hybrid` is below the sum of the first and third.
//! `cargo bench --bench hybrid` (needs SHA-NI and AVX-512F; elsewhere it
//! says so and measures nothing).

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;
    use std::hint::black_box;

    use btpow::engine::primitives::keccak::{self, Lane, RC};
    use btpow::engine::primitives::sha256::K;
    use btpow::engine::x86::avx512::{Avx512, U64x8};
    use criterion::{Criterion, Throughput};

    /// Four SHA-256 states in the SHA-NI layout and their message words.
    #[derive(Clone, Copy)]
    struct Four {
        abef: [__m128i; 4],
        cdgh: [__m128i; 4],
        w: [[__m128i; 4]; 4],
    }

    #[target_feature(enable = "sha,sse4.1")]
    fn four(seed: i32) -> Four {
        Four {
            abef: [_mm_set1_epi32(seed); 4],
            cdgh: [_mm_set1_epi32(seed + 1); 4],
            w: [[_mm_set1_epi32(7); 4]; 4],
        }
    }

    /// Rounds 4q..4q+4 of the four compressions. Q is a constant so that
    /// every message word stays in a register.
    #[inline]
    #[target_feature(enable = "sha,sse4.1")]
    fn step<const Q: usize>(f: &mut Four) {
        let k = _mm_setr_epi32(
            K[4 * Q] as i32,
            K[4 * Q + 1] as i32,
            K[4 * Q + 2] as i32,
            K[4 * Q + 3] as i32,
        );
        for j in 0..4 {
            let w = &mut f.w[j];
            if Q >= 4 {
                let t = _mm_sha256msg1_epu32(w[Q % 4], w[(Q + 1) % 4]);
                let t = _mm_add_epi32(t, _mm_alignr_epi8::<4>(w[(Q + 3) % 4], w[(Q + 2) % 4]));
                w[Q % 4] = _mm_sha256msg2_epu32(t, w[(Q + 3) % 4]);
            }
            let wk = _mm_add_epi32(w[Q % 4], k);
            f.cdgh[j] = _mm_sha256rnds2_epu32(f.cdgh[j], f.abef[j], wk);
            f.abef[j] = _mm_sha256rnds2_epu32(f.abef[j], f.cdgh[j], _mm_shuffle_epi32::<0x0e>(wk));
        }
    }

    /// The end of one compression of each of the four, begun from `from`:
    /// the feed-forward, and the next message made to depend on the result.
    #[inline]
    #[target_feature(enable = "sha,sse4.1")]
    fn finish(f: &mut Four, from: &Four) {
        for j in 0..4 {
            f.abef[j] = _mm_add_epi32(f.abef[j], from.abef[j]);
            f.cdgh[j] = _mm_add_epi32(f.cdgh[j], from.cdgh[j]);
            f.w[j][0] = _mm_xor_si128(f.w[j][0], f.abef[j]);
        }
    }

    /// The 16 steps of one compression of each of the four, and [`finish`].
    macro_rules! compress {
        ($f:expr) => {{
            let from = $f;
            step::<0>(&mut $f);
            step::<1>(&mut $f);
            step::<2>(&mut $f);
            step::<3>(&mut $f);
            step::<4>(&mut $f);
            step::<5>(&mut $f);
            step::<6>(&mut $f);
            step::<7>(&mut $f);
            step::<8>(&mut $f);
            step::<9>(&mut $f);
            step::<10>(&mut $f);
            step::<11>(&mut $f);
            step::<12>(&mut $f);
            step::<13>(&mut $f);
            step::<14>(&mut $f);
            step::<15>(&mut $f);
            finish(&mut $f, &from);
        }};
    }

    /// Every state of both groups, folded (so none is optimised away).
    #[target_feature(enable = "sha,sse4.1")]
    fn fold(a: &Four, b: &Four) -> __m128i {
        let mut x = _mm_setzero_si128();
        for f in [a, b] {
            for j in 0..4 {
                x = _mm_xor_si128(x, _mm_xor_si128(f.abef[j], f.cdgh[j]));
            }
        }
        x
    }

    #[target_feature(enable = "sha,sse4.1")]
    fn sha_ni(n: u64) -> __m128i {
        let (mut a, mut b) = (four(1), four(2));
        for _ in 0..n {
            compress!(a);
            compress!(b);
        }
        fold(&a, &b)
    }

    #[target_feature(enable = "sha,sse4.1,avx512f")]
    fn sha_ni_dirty(n: u64) -> __m128i {
        let (mut a, mut b) = (four(1), four(2));
        let mut z = _mm512_set1_epi64(3);
        for _ in 0..n {
            // One 512-bit op per iteration keeps the upper state dirty.
            z = _mm512_add_epi64(z, _mm512_castsi128_si512(a.abef[0]));
            compress!(a);
            compress!(b);
        }
        _mm_xor_si128(fold(&a, &b), _mm512_castsi512_si128(z))
    }

    #[target_feature(enable = "avx512f")]
    fn keccak(t: Avx512, n: u64) -> [U64x8; 25] {
        let mut s = [t.u64x8(_mm512_set1_epi64(3)); 25];
        for _ in 0..n {
            keccak::keccak_f(&mut s);
        }
        s
    }

    /// Keccak round `r` of the library's permutation.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn round(s: &mut [U64x8; 25], r: usize) {
        keccak::round(s, RC[r]);
    }

    #[target_feature(enable = "sha,sse4.1,avx512f")]
    fn hybrid(t: Avx512, n: u64) -> (__m128i, [U64x8; 25]) {
        let (mut a, mut b) = (four(1), four(2));
        let mut s = [t.u64x8(_mm512_set1_epi64(3)); 25];
        for _ in 0..n {
            // Two groups x 16 steps over 24 rounds: two steps in each of
            // the first eight rounds, one in each of the others.
            let (from_a, from_b) = (a, b);
            macro_rules! r {
                ($r:expr; $($g:ident $q:literal),*) => {
                    $(step::<$q>(&mut $g);)*
                    round(&mut s, $r);
                };
            }
            r!(0; a 0, a 1);
            r!(1; a 2, a 3);
            r!(2; a 4, a 5);
            r!(3; a 6, a 7);
            r!(4; a 8, a 9);
            r!(5; a 10, a 11);
            r!(6; a 12, a 13);
            r!(7; a 14, a 15);
            r!(8; b 0);
            r!(9; b 1);
            r!(10; b 2);
            r!(11; b 3);
            r!(12; b 4);
            r!(13; b 5);
            r!(14; b 6);
            r!(15; b 7);
            r!(16; b 8);
            r!(17; b 9);
            r!(18; b 10);
            r!(19; b 11);
            r!(20; b 12);
            r!(21; b 13);
            r!(22; b 14);
            r!(23; b 15);
            finish(&mut a, &from_a);
            finish(&mut b, &from_b);
            // The next permutation reads this one's digests, as an
            // engine's would.
            s[1] = s[1].xor(t.u64x8(_mm512_castsi128_si512(a.abef[0])));
        }
        (fold(&a, &b), s)
    }

    /// Iterations (eight nonces each) per measured call.
    const CALLS: u64 = 64;

    pub fn hybrid_bench(c: &mut Criterion) {
        let sha = is_x86_feature_detected!("sha") && is_x86_feature_detected!("sse4.1");
        let Some(t) = Avx512::detect().filter(|_| sha) else {
            println!("hybrid: this CPU lacks SHA-NI or AVX-512F; nothing to measure");
            return;
        };
        let mut group = c.benchmark_group("hybrid");
        group.throughput(Throughput::Elements(CALLS * 8));
        // SAFETY (the four blocks below): SHA-NI, SSE4.1 and AVX-512F,
        // detected above; the functions touch registers and their own
        // locals only.
        group.bench_function("sha-ni x8", |b| {
            // SAFETY: see above.
            b.iter(|| black_box(unsafe { sha_ni(black_box(CALLS)) }))
        });
        group.bench_function("sha-ni x8, upper state dirty", |b| {
            // SAFETY: see above.
            b.iter(|| black_box(unsafe { sha_ni_dirty(black_box(CALLS)) }))
        });
        group.bench_function("avx512 keccak x1", |b| {
            // SAFETY: see above.
            b.iter(|| black_box(unsafe { keccak(t, black_box(CALLS)) }))
        });
        group.bench_function("hybrid", |b| {
            // SAFETY: see above.
            b.iter(|| black_box(unsafe { hybrid(t, black_box(CALLS)) }))
        });
        group.finish();
    }
}

#[cfg(target_arch = "x86_64")]
criterion::criterion_group!(benches, x86::hybrid_bench);
#[cfg(target_arch = "x86_64")]
criterion::criterion_main!(benches);

#[cfg(not(target_arch = "x86_64"))]
fn main() {
    println!("hybrid: x86-64 only; nothing to measure");
}
