#pragma once
// The single-block reductions' block: REDUCE_THREADS threads, declared to the compiler with __launch_bounds__
// so it keeps them within the registers a block of 1024 may have on every GPU (64 each).
#include "layout.cuh"

// Sum of one double per thread over a whole block (blockDim.x a power of two, at most REDUCE_THREADS),
// returned to thread 0. Used by the single-block reductions: one block, fixed order, deterministic sums.
__device__ double block_sum(double v) {
    __shared__ double partial[REDUCE_THREADS];
    partial[threadIdx.x] = v;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) {
            partial[threadIdx.x] += partial[threadIdx.x + s];
        }
        __syncthreads();
    }
    return partial[0];
}
