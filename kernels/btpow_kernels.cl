/*
 * btpow's OpenCL kernels. Compiled at run time by the platform's compiler,
 * with btpow_core.h prepended (the host does the concatenation; no include
 * paths): the same hash core as the CUDA kernels and the `cuda-core` engine.
 *
 * One launch searches the offsets [0, count) from `base` (count < 2^32) in
 * a work-item-stride loop; the lowest offset whose seal meets the target is
 * kept with atomic_min in `best`, which the host resets to ~0 before every
 * launch, so the result is the first valid nonce of the range, exactly as
 * the reference engine's search. 32-bit atomics are core OpenCL C, so the
 * kernels need no extension on any vendor's device. Work-items stop early
 * once a lower hit is known.
 */

__kernel void btpow_search(__global const btpow_params* p, int kind, ulong base, uint count,
                           volatile __global uint* best) {
    const uint stride = (uint)get_global_size(0);
    for (uint i = (uint)get_global_id(0); i < count; i += stride) {
        if (i > *best) return;
        if (btpow_may_meet(p, kind, base, i)) {
            ulong out[4];
            btpow_seal_at(p, kind, base, i, out);
            if (btpow_meets(p, out)) atomic_min(best, i);
        }
        if (i > 0xffffffffu - stride) return; /* the next i would wrap */
    }
}

/* The seal of one nonce (`kind` as in btpow_core.h), for checking a device
 * against the golden vectors. */
__kernel void btpow_seal(__global const btpow_params* p, int kind, ulong base,
                         __global ulong* out) {
    if (get_global_id(0) != 0) return;
    ulong lanes[4];
    btpow_seal_at(p, kind, base, 0, lanes);
    for (int i = 0; i < 4; i++) out[i] = lanes[i];
}

/* The roofline on the device: `n` dependent SHA-256 compressions per
 * work-item, the state written out so none is optimised away. */
__kernel void btpow_roofline_sha256(uint n, __global uint* sink) {
    uint32_t s[8], w[16];
    for (int i = 0; i < 8; i++) s[i] = BTPOW_IV[i] ^ (uint)get_global_id(0);
    for (int i = 0; i < 16; i++) w[i] = 7u;
    for (uint k = 0; k < n; k++) {
        w[0] = s[7];
        btpow_sha256_compress(s, w);
    }
    sink[get_global_id(0)] = s[0];
}

/* `n` dependent Keccak-f[1600] permutations per work-item. */
__kernel void btpow_roofline_keccak(uint n, __global ulong* sink) {
    ulong a[25];
    for (int i = 0; i < 25; i++) a[i] = 7ul ^ get_global_id(0);
    for (uint k = 0; k < n; k++) {
        for (int r = 0; r < 24; r++) btpow_keccak_round(a, BTPOW_RC[r]);
    }
    sink[get_global_id(0)] = a[0];
}
