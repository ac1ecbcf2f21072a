#pragma once
#include "memory_hints.cuh"
// sum_p a[p * aStride] * b[p * bStride] for p < n in CHAINS interleaved chains (p % CHAINS; the last
// n % CHAINS elements in the first), added pairwise at the end: with more chains a long dot waits on fewer
// multiply-adds in sequence. The loads go DOT_BATCH at a time, all issued before the first is used, so a long
// dot (over a minibatch's rows, or a layer's units) waits on memory once a batch rather than once every few
// elements; a batch small enough to keep the step kernels within the 64 registers their 1024 threads allow
// (LOADS, where a kernel has more registers).
#define DOT_BATCH 8
template <int CHAINS, int LOADS = DOT_BATCH>
__device__ float chained_dot(const float* a, int aStride, const float* b, int bStride, int n) {
    static_assert(CHAINS == 1 || CHAINS == 4, "one chain, or four added as (0 + 1) + (2 + 3)");
    static_assert(LOADS % CHAINS == 0, "a batch of whole rounds of the chains");
    float s[CHAINS] = {};
    int whole = n - n % CHAINS;
    for (int p0 = 0; p0 < n; p0 += LOADS) {
        float x[LOADS], y[LOADS];
        UNROLL
        for (int u = 0; u < LOADS; u++) {
            bool in = p0 + u < n;
            x[u] = in ? a[(long)(p0 + u) * aStride] : 0.0f;
            y[u] = in ? b[(long)(p0 + u) * bStride] : 0.0f;
        }
        UNROLL
        for (int u = 0; u < LOADS && p0 + u < n; u++) {
            if (p0 + u >= whole) {
                s[0] += x[u] * y[u];
            } else {
                s[u % CHAINS] += x[u] * y[u];  // u % CHAINS is a constant once the loop is unrolled
            }
        }
    }
    if constexpr (CHAINS == 4) {
        return (s[0] + s[1]) + (s[2] + s[3]);
    } else {
        return s[0];
    }
}

// The small products the layer steps fold in, in order.
__device__ float strided_dot(const float* a, int aStride, const float* b, int bStride, int n) {
    return chained_dot<1>(a, aStride, b, bStride, n);
}
