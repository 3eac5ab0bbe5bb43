/*
 * btpow's CUDA kernels. Compiled at run time by NVRTC, with btpow_core.h
 * prepended (the host does the same concatenation; no include paths).
 *
 * One launch searches the offsets [0, count) from `base` in a grid-stride
 * loop; the lowest offset whose seal meets the target is kept with
 * atomicMin in `best`, which the host resets to ~0 before every launch, so
 * the result is the first valid nonce of the range, exactly as the
 * reference engine's search. Threads stop early once a lower hit is known.
 */

template <int KIND>
__device__ __forceinline__ void btpow_search(const btpow_params* __restrict__ p, uint64_t base,
                                             uint64_t count, unsigned long long* best) {
    const uint64_t stride = (uint64_t)gridDim.x * blockDim.x;
    for (uint64_t i = (uint64_t)blockIdx.x * blockDim.x + threadIdx.x; i < count; i += stride) {
        if (i > *(volatile unsigned long long*)best) return;
        uint64_t out[4];
        btpow_seal_at(p, KIND, base, i, out);
        if (btpow_meets(p, out)) atomicMin(best, (unsigned long long)i);
    }
}

extern "C" __global__ void btpow_search_legacy(const btpow_params* __restrict__ p, uint64_t base,
                                               uint64_t count, unsigned long long* best) {
    btpow_search<BTPOW_LEGACY>(p, base, count, best);
}

extern "C" __global__ void btpow_search_v1(const btpow_params* __restrict__ p, uint64_t base,
                                           uint64_t count, unsigned long long* best) {
    btpow_search<BTPOW_V1_SEQUENTIAL>(p, base, count, best);
}

/* `base` is the first hi (top 24 bits) of one column; p->mid its midstate. */
extern "C" __global__ void btpow_search_v1_high(const btpow_params* __restrict__ p, uint64_t base,
                                                uint64_t count, unsigned long long* best) {
    btpow_search<BTPOW_V1_HIGH>(p, base, count, best);
}

/* The seal of one nonce (`kind` as in btpow_core.h), for checking a device
 * against the golden vectors. */
extern "C" __global__ void btpow_seal(const btpow_params* __restrict__ p, int kind, uint64_t base,
                                      uint64_t* out) {
    if (blockIdx.x == 0 && threadIdx.x == 0) btpow_seal_at(p, kind, base, 0, out);
}
