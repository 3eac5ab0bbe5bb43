/* The kernels' hash core built for the CPU: what the `cuda-core` engine
 * runs, so every golden vector and property test checks the GPU code's
 * arithmetic on any machine. The search loop is the kernels' loop, run by
 * one thread: the first offset whose seal meets the target. */
#include "btpow_core.h"

void btpow_host_seal(const btpow_params* p, int kind, uint64_t base, uint64_t offset,
                     uint64_t out[4]) {
    btpow_seal_at(p, kind, base, offset, out);
}

/* The first offset in [0, count) whose seal meets the target, its seal in
 * `out`; UINT64_MAX if none. */
uint64_t btpow_host_search(const btpow_params* p, int kind, uint64_t base, uint64_t count,
                           uint64_t out[4]) {
    for (uint64_t i = 0; i < count; i++) {
        if (!btpow_may_meet(p, kind, base, i)) continue;
        btpow_seal_at(p, kind, base, i, out);
        if (btpow_meets(p, out)) return i;
    }
    return UINT64_MAX;
}
