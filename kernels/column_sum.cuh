#pragma once
// Layout shared by the backward-step kernels: a block of COLS_PER_BLOCK columns x ROW_GROUPS row groups.
// Thread (x, y) walks rows y, y + ROW_GROUPS, ... of column blockIdx.x * COLS_PER_BLOCK + x, so every warp
// touches 32 consecutive floats; the partial column sums are then added in a fixed tree order, so the bias
// update is deterministic.
#include "layout.cuh"
// Their 1024 threads, declared with __launch_bounds__ so the compiler stays within 64 registers a thread
// (without it, sm_75 code of output_step used exactly 64 and hidden_step 61: one change from not launching).
#define STEP_THREADS (COLS_PER_BLOCK * ROW_GROUPS)

// Sum of one float per thread over the block's row groups, returned to row group 0 of each column.
__device__ float column_sum(float v) {
    __shared__ float partial[ROW_GROUPS][COLS_PER_BLOCK + 1];
    partial[threadIdx.y][threadIdx.x] = v;
    __syncthreads();
    for (int s = ROW_GROUPS / 2; s > 0; s >>= 1) {
        if (threadIdx.y < s) {
            partial[threadIdx.y][threadIdx.x] += partial[threadIdx.y + s][threadIdx.x];
        }
        __syncthreads();
    }
    return partial[0][threadIdx.x];
}
