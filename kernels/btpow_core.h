/*
 * btpow's hash core for the GPU kernels, written once for every target: the
 * CUDA kernels (NVRTC), the OpenCL kernels (the platform's compiler; on
 * PoCL in CI) and host C (the `cuda-core` engine, which checks the
 * arithmetic against the golden vectors on machines without a GPU).
 *
 * Word-oriented SHA-256 and Keccak-f[1600]; the per-job constants come from
 * the host (legacy message words; v1 midstates and block templates); the
 * acceptance test is the early reject on one 64-bit output word, with the
 * full 256-bit compare only on a tie. Everything mirrors src/job.rs.
 */
#ifndef BTPOW_CORE_H
#define BTPOW_CORE_H

/* BTPOW_PARAMS: where the per-job constants live (OpenCL C 1.2 has no
 * generic address space: they are in global memory there). */
#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define BTPOW_HD __host__ __device__ __forceinline__ static
#define BTPOW_CONST __device__ __constant__ static const
#define BTPOW_UNROLL _Pragma("unroll")
#define BTPOW_NO_UNROLL _Pragma("unroll 1")
#define BTPOW_UNROLL_2 _Pragma("unroll 2")
#define BTPOW_PARAMS const btpow_params*
typedef unsigned int uint32_t;
typedef unsigned long long uint64_t;
#elif defined(__OPENCL_VERSION__)
#define BTPOW_HD static inline
#define BTPOW_CONST __constant
#define BTPOW_UNROLL
#define BTPOW_NO_UNROLL
#define BTPOW_UNROLL_2
#define BTPOW_PARAMS __global const btpow_params*
typedef uint uint32_t;
typedef ulong uint64_t;
#else
#include <stdint.h>
#define BTPOW_HD static inline
#define BTPOW_CONST static const
#define BTPOW_UNROLL
#define BTPOW_NO_UNROLL
#define BTPOW_UNROLL_2
#define BTPOW_PARAMS const btpow_params*
#endif

/* The per-job constants, filled by the host (layout shared with Rust). */
typedef struct {
    uint32_t block_a[16];  /* legacy: the block (W0, W1 = 0); v1: block 2 template */
    uint32_t block_b[16];  /* v1: block 3 template */
    uint32_t mid[8];       /* v1: state after block 1 (sequential) or blocks 1-2 (high-bytes) */
    uint64_t threshold[4]; /* the rule's threshold, most significant limb first */
    uint32_t big_endian;   /* 1: the rule reads the seal big-endian (early word: lane 0) */
    uint32_t pad;
} btpow_params;

BTPOW_CONST uint32_t BTPOW_K[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
    0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
    0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
    0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
    0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
    0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
    0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u};

BTPOW_CONST uint32_t BTPOW_IV[8] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                                   0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};

BTPOW_HD uint32_t btpow_rotr32(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
BTPOW_HD uint64_t btpow_rotl64(uint64_t x, int n) { return (x << n) | (x >> (64 - n)); }
BTPOW_HD uint32_t btpow_bswap32(uint32_t x) {
#if defined(__CUDA_ARCH__)
    return __byte_perm(x, 0, 0x0123); /* one PRMT */
#else
    return (x >> 24) | ((x >> 8) & 0xff00u) | ((x << 8) & 0xff0000u) | (x << 24);
#endif
}
BTPOW_HD uint64_t btpow_bswap64(uint64_t x) {
    return ((uint64_t)btpow_bswap32((uint32_t)x) << 32) | btpow_bswap32((uint32_t)(x >> 32));
}

/* One SHA-256 compression of `block` into `s` (FIPS 180-4 6.2.2). */
BTPOW_HD void btpow_sha256_compress(uint32_t s[8], const uint32_t block[16]) {
    uint32_t w[16];
BTPOW_UNROLL
    for (int i = 0; i < 16; i++) w[i] = block[i];
    uint32_t a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7];
BTPOW_UNROLL
    for (int i = 0; i < 64; i++) {
        if (i >= 16) {
            const uint32_t w15 = w[(i + 1) & 15], w2 = w[(i + 14) & 15];
            const uint32_t s0 = btpow_rotr32(w15, 7) ^ btpow_rotr32(w15, 18) ^ (w15 >> 3);
            const uint32_t s1 = btpow_rotr32(w2, 17) ^ btpow_rotr32(w2, 19) ^ (w2 >> 10);
            w[i & 15] += s0 + w[(i + 9) & 15] + s1;
        }
        const uint32_t t1 = h + (btpow_rotr32(e, 6) ^ btpow_rotr32(e, 11) ^ btpow_rotr32(e, 25)) +
                            ((e & f) ^ (~e & g)) + BTPOW_K[i] + w[i & 15];
        const uint32_t t2 = (btpow_rotr32(a, 2) ^ btpow_rotr32(a, 13) ^ btpow_rotr32(a, 22)) +
                            ((a & b) ^ (c & (a ^ b)));
        h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    s[0] += a; s[1] += b; s[2] += c; s[3] += d; s[4] += e; s[5] += f; s[6] += g; s[7] += h;
}

BTPOW_CONST uint64_t BTPOW_RC[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL};

/* One Keccak-f[1600] round, unrolled: literal indices and rotations. */
BTPOW_HD void btpow_keccak_round(uint64_t a[25], uint64_t rc) {
    const uint64_t c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20];
    const uint64_t c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21];
    const uint64_t c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22];
    const uint64_t c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23];
    const uint64_t c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24];
    const uint64_t d0 = c4 ^ btpow_rotl64(c1, 1);
    const uint64_t d1 = c0 ^ btpow_rotl64(c2, 1);
    const uint64_t d2 = c1 ^ btpow_rotl64(c3, 1);
    const uint64_t d3 = c2 ^ btpow_rotl64(c4, 1);
    const uint64_t d4 = c3 ^ btpow_rotl64(c0, 1);
    const uint64_t b0 = a[0] ^ d0;
    const uint64_t b1 = btpow_rotl64(a[6] ^ d1, 44);
    const uint64_t b2 = btpow_rotl64(a[12] ^ d2, 43);
    const uint64_t b3 = btpow_rotl64(a[18] ^ d3, 21);
    const uint64_t b4 = btpow_rotl64(a[24] ^ d4, 14);
    const uint64_t b5 = btpow_rotl64(a[3] ^ d3, 28);
    const uint64_t b6 = btpow_rotl64(a[9] ^ d4, 20);
    const uint64_t b7 = btpow_rotl64(a[10] ^ d0, 3);
    const uint64_t b8 = btpow_rotl64(a[16] ^ d1, 45);
    const uint64_t b9 = btpow_rotl64(a[22] ^ d2, 61);
    const uint64_t b10 = btpow_rotl64(a[1] ^ d1, 1);
    const uint64_t b11 = btpow_rotl64(a[7] ^ d2, 6);
    const uint64_t b12 = btpow_rotl64(a[13] ^ d3, 25);
    const uint64_t b13 = btpow_rotl64(a[19] ^ d4, 8);
    const uint64_t b14 = btpow_rotl64(a[20] ^ d0, 18);
    const uint64_t b15 = btpow_rotl64(a[4] ^ d4, 27);
    const uint64_t b16 = btpow_rotl64(a[5] ^ d0, 36);
    const uint64_t b17 = btpow_rotl64(a[11] ^ d1, 10);
    const uint64_t b18 = btpow_rotl64(a[17] ^ d2, 15);
    const uint64_t b19 = btpow_rotl64(a[23] ^ d3, 56);
    const uint64_t b20 = btpow_rotl64(a[2] ^ d2, 62);
    const uint64_t b21 = btpow_rotl64(a[8] ^ d3, 55);
    const uint64_t b22 = btpow_rotl64(a[14] ^ d4, 39);
    const uint64_t b23 = btpow_rotl64(a[15] ^ d0, 41);
    const uint64_t b24 = btpow_rotl64(a[21] ^ d1, 2);
    a[0] = b0 ^ (~b1 & b2);
    a[1] = b1 ^ (~b2 & b3);
    a[2] = b2 ^ (~b3 & b4);
    a[3] = b3 ^ (~b4 & b0);
    a[4] = b4 ^ (~b0 & b1);
    a[5] = b5 ^ (~b6 & b7);
    a[6] = b6 ^ (~b7 & b8);
    a[7] = b7 ^ (~b8 & b9);
    a[8] = b8 ^ (~b9 & b5);
    a[9] = b9 ^ (~b5 & b6);
    a[10] = b10 ^ (~b11 & b12);
    a[11] = b11 ^ (~b12 & b13);
    a[12] = b12 ^ (~b13 & b14);
    a[13] = b13 ^ (~b14 & b10);
    a[14] = b14 ^ (~b10 & b11);
    a[15] = b15 ^ (~b16 & b17);
    a[16] = b16 ^ (~b17 & b18);
    a[17] = b17 ^ (~b18 & b19);
    a[18] = b18 ^ (~b19 & b15);
    a[19] = b19 ^ (~b15 & b16);
    a[20] = b20 ^ (~b21 & b22);
    a[21] = b21 ^ (~b22 & b23);
    a[22] = b22 ^ (~b23 & b24);
    a[23] = b23 ^ (~b24 & b20);
    a[24] = b24 ^ (~b20 & b21);
    a[0] ^= rc;
}

/* Keccak-256's state after absorbing the 32-byte SHA-256 digest in `s`
 * (big-endian words), padded: lanes 0..3 the digest, 4 and 16 the padding. */
BTPOW_HD void btpow_keccak_absorb(const uint32_t s[8], uint64_t a[25]) {
BTPOW_UNROLL
    for (int i = 0; i < 25; i++) a[i] = 0;
BTPOW_UNROLL
    for (int i = 0; i < 4; i++)
        a[i] = (uint64_t)btpow_bswap32(s[2 * i]) | ((uint64_t)btpow_bswap32(s[2 * i + 1]) << 32);
    a[4] = 0x01;
    a[16] = 0x8000000000000000ULL;
}

/* Keccak-256 of the 32-byte SHA-256 digest in `s` (big-endian words), into
 * the four output lanes `out` (the seal as little-endian u64s). */
BTPOW_HD void btpow_keccak_digest(const uint32_t s[8], uint64_t out[4]) {
    uint64_t a[25];
    btpow_keccak_absorb(s, a);
BTPOW_NO_UNROLL
    for (int r = 0; r < 24; r++) btpow_keccak_round(a, BTPOW_RC[r]);
BTPOW_UNROLL
    for (int i = 0; i < 4; i++) out[i] = a[i];
}

/* The rule's early word of the Keccak-256 of `s` (the seal's top 64 bits as
 * the rule reads them: lane 0 byte-swapped big-endian, lane 3 little-endian)
 * with no more work than it needs: the first round peeled, so the constant
 * zero lanes fold away, and of the last round only the lanes 0 and 3. */
BTPOW_HD uint64_t btpow_keccak_early(const uint32_t s[8], uint32_t big_endian) {
    uint64_t a[25];
    btpow_keccak_absorb(s, a);
    btpow_keccak_round(a, BTPOW_RC[0]);
BTPOW_UNROLL_2
    for (int r = 1; r < 23; r++) btpow_keccak_round(a, BTPOW_RC[r]);
    const uint64_t c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20];
    const uint64_t c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21];
    const uint64_t c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22];
    const uint64_t c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23];
    const uint64_t c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24];
    const uint64_t b0 = a[0] ^ c4 ^ btpow_rotl64(c1, 1);
    const uint64_t b1 = btpow_rotl64(a[6] ^ c0 ^ btpow_rotl64(c2, 1), 44);
    const uint64_t b2 = btpow_rotl64(a[12] ^ c1 ^ btpow_rotl64(c3, 1), 43);
    const uint64_t b3 = btpow_rotl64(a[18] ^ c2 ^ btpow_rotl64(c4, 1), 21);
    const uint64_t b4 = btpow_rotl64(a[24] ^ c3 ^ btpow_rotl64(c0, 1), 14);
    if (big_endian) return btpow_bswap64(b0 ^ (~b1 & b2) ^ BTPOW_RC[23]);
    return b3 ^ (~b4 & b0);
}

/* legacy: the SHA-256 of `nonce`; block = le64(nonce) || block_and_hotkey_hash, padded. */
BTPOW_HD void btpow_legacy_sha(BTPOW_PARAMS p, uint64_t nonce, uint32_t s[8]) {
    uint32_t b[16];
BTPOW_UNROLL
    for (int i = 0; i < 16; i++) b[i] = p->block_a[i];
    b[0] = btpow_bswap32((uint32_t)nonce);
    b[1] = btpow_bswap32((uint32_t)(nonce >> 32));
BTPOW_UNROLL
    for (int i = 0; i < 8; i++) s[i] = BTPOW_IV[i];
    btpow_sha256_compress(s, b);
}

/* v1, sequential order: blocks 2 and 3 from the midstate after block 1. */
BTPOW_HD void btpow_v1_sha(BTPOW_PARAMS p, uint64_t nonce, uint32_t s[8]) {
    uint32_t b[16];
BTPOW_UNROLL
    for (int i = 0; i < 8; i++) s[i] = p->mid[i];
BTPOW_UNROLL
    for (int i = 0; i < 16; i++) b[i] = p->block_a[i];
    b[14] |= (uint32_t)(nonce & 0xff);
    b[15] = btpow_bswap32((uint32_t)(nonce >> 8));
    btpow_sha256_compress(s, b);
BTPOW_UNROLL
    for (int i = 0; i < 16; i++) b[i] = p->block_b[i];
    b[0] |= btpow_bswap32((uint32_t)(nonce >> 40));
    btpow_sha256_compress(s, b);
}

/* v1, high-bytes order: block 3 only, `mid` = the state after blocks 1-2 of
 * the column; `hi` = the nonce's top 24 bits. */
BTPOW_HD void btpow_v1_sha_high(BTPOW_PARAMS p, uint32_t hi, uint32_t s[8]) {
    uint32_t b[16];
BTPOW_UNROLL
    for (int i = 0; i < 8; i++) s[i] = p->mid[i];
BTPOW_UNROLL
    for (int i = 0; i < 16; i++) b[i] = p->block_b[i];
    b[0] |= btpow_bswap32(hi & 0xffffffu);
    btpow_sha256_compress(s, b);
}

/* The rule: early reject on the seal's top 64 bits, full compare on a tie. */
BTPOW_HD int btpow_meets(BTPOW_PARAMS p, const uint64_t out[4]) {
    uint64_t v[4];
    if (p->big_endian) {
BTPOW_UNROLL
        for (int i = 0; i < 4; i++) v[i] = btpow_bswap64(out[i]);
    } else {
BTPOW_UNROLL
        for (int i = 0; i < 4; i++) v[i] = out[3 - i];
    }
    if (v[0] != p->threshold[0]) return v[0] < p->threshold[0];
BTPOW_UNROLL
    for (int i = 1; i < 4; i++)
        if (v[i] != p->threshold[i]) return v[i] < p->threshold[i];
    return 1; /* equal to the threshold: accepted (s <= threshold) */
}

/* Which order a search walks: index = nonce, or v1's high-bytes order. */
#define BTPOW_LEGACY 0
#define BTPOW_V1_SEQUENTIAL 1
#define BTPOW_V1_HIGH 2

/* The seal of the nonce at `offset` in a launch over `base` (the kernels'
 * per-thread work). For BTPOW_V1_HIGH, `base` is the column's first hi. */
BTPOW_HD void btpow_sha_at(BTPOW_PARAMS p, int kind, uint64_t base, uint64_t offset, uint32_t s[8]) {
    if (kind == BTPOW_LEGACY) {
        btpow_legacy_sha(p, base + offset, s);
    } else if (kind == BTPOW_V1_SEQUENTIAL) {
        btpow_v1_sha(p, base + offset, s);
    } else {
        btpow_v1_sha_high(p, (uint32_t)(base + offset), s);
    }
}

BTPOW_HD void btpow_seal_at(BTPOW_PARAMS p, int kind, uint64_t base, uint64_t offset,
                            uint64_t out[4]) {
    uint32_t s[8];
    btpow_sha_at(p, kind, base, offset, s);
    btpow_keccak_digest(s, out);
}

/* Whether the nonce at `offset` may meet the target: its early word against
 * the threshold's top limb (the search's test for every nonce; a nonce that
 * passes is then checked in full with btpow_seal_at and btpow_meets). */
BTPOW_HD int btpow_may_meet(BTPOW_PARAMS p, int kind, uint64_t base, uint64_t offset) {
    uint32_t s[8];
    btpow_sha_at(p, kind, base, offset, s);
    return btpow_keccak_early(s, p->big_endian) <= p->threshold[0];
}

#endif /* BTPOW_CORE_H */
