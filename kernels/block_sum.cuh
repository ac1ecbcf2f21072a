#pragma once
// Sum of one double per thread over a whole block (blockDim.x a power of two, at most 1024), returned
// to thread 0. Used by the single-block reductions: one block, fixed order, deterministic sums.
__device__ double block_sum(double v) {
    __shared__ double partial[1024];
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
