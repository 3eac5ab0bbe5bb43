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

/* The full check of a nonce that passed the early test (rare: about one in
 * 2^64 / threshold): out of line, so the search loop's registers are not
 * sized for a second, full Keccak. */
__device__ __noinline__ int btpow_full_check(const btpow_params* __restrict__ p, int kind, uint64_t base,
                                             uint64_t i) {
    uint64_t out[4];
    btpow_seal_at(p, kind, base, i, out);
    return btpow_meets(p, out);
}

template <int KIND>
__device__ __forceinline__ void btpow_search(const btpow_params* __restrict__ p, uint64_t base,
                                             uint64_t count, unsigned long long* best) {
    const uint64_t stride = (uint64_t)gridDim.x * blockDim.x;
    /* Legacy: the job's constants copied once per thread, so the work that
     * depends on them alone (the message schedule's constant terms) leaves
     * the loop. (For v1 the same copy costs 30-70 registers and occupancy.) */
    const btpow_params local = *p;
    const btpow_params* job = KIND == BTPOW_LEGACY ? &local : p;
    for (uint64_t i = (uint64_t)blockIdx.x * blockDim.x + threadIdx.x; i < count; i += stride) {
        if (i > *(volatile unsigned long long*)best) return;
        if (btpow_may_meet(job, KIND, base, i) && btpow_full_check(p, KIND, base, i))
            atomicMin(best, (unsigned long long)i);
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
