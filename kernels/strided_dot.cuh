#pragma once
#include "memory_hints.cuh"
// sum_p a[p * aStride] * b[p * bStride] for p < n, in order: the small products the layer steps fold in. The
// loads go DOT_BATCH at a time, all issued before the first is used, so a long dot (over a minibatch's rows)
// waits on memory once a batch rather than once every few elements; a batch small enough to keep the step
// kernels within the 64 registers their 1024 threads allow.
#define DOT_BATCH 8
__device__ float strided_dot(const float* a, int aStride, const float* b, int bStride, int n) {
    float sum = 0.0f;
    for (int p0 = 0; p0 < n; p0 += DOT_BATCH) {
        float x[DOT_BATCH], y[DOT_BATCH];
        UNROLL
        for (int u = 0; u < DOT_BATCH; u++) {
            bool in = p0 + u < n;
            x[u] = in ? a[(long)(p0 + u) * aStride] : 0.0f;
            y[u] = in ? b[(long)(p0 + u) * bStride] : 0.0f;
        }
        UNROLL
        for (int u = 0; u < DOT_BATCH && p0 + u < n; u++) {
            sum += x[u] * y[u];
        }
    }
    return sum;
}
