#pragma once
#include "layout.cuh"
// The tile sums that optimize_layer (optimize.cu) steps weights by: a block of UPDATE_HALF x UPDATE_HALF
// threads takes an UPDATE_TILE x UPDATE_TILE tile of a layer's weights, each thread 2 x 2 of them, half a tile
// apart, the rows staged STAGED_ROWS at a time in shared memory: each row makes four multiply-adds from two
// shared loads of a and two of d. A thread issues its loads of a round before it uses the first. OpenCL's
// twin: update_tile.cl.
#define STAGED_ROWS (4 * UPDATE_TILE)
#define UPDATE_HALF (UPDATE_TILE / 2)
#define STAGED_STRIDE (UPDATE_HALF * UPDATE_HALF / UPDATE_TILE)
#define STAGED_PER_ITEM (STAGED_ROWS / STAGED_STRIDE)

// sum[u][v] = sum_r in[r][i] * d[r][j] over the rows, for the thread's 2 x 2 of the tile at (i0, j0) of a layer
// of ins inputs and outs outputs: i = i0 + threadIdx.y + u * UPDATE_HALF, j = j0 + threadIdx.x + v *
// UPDATE_HALF, and i == ins the bias's row, whose input is 1. Every thread of the block calls it.
__device__ inline void tile_sums(const float* in, const float* d, int rows, int ins, int outs, int i0, int j0,
                                 float (*as)[UPDATE_TILE], float (*ds)[UPDATE_TILE], float sum[2][2]) {
    int tj = threadIdx.x, ti = threadIdx.y, item = ti * UPDATE_HALF + tj;
    // a thread stages column c of the tile's inputs (input ic, or the bias's 1 at ic == ins) and of its deltas
    // (output jc): rows q0, q0 + STAGED_STRIDE, ... of each round's
    int c = item % UPDATE_TILE, q0 = item / UPDATE_TILE, ic = i0 + c, jc = j0 + c;
    const float* input = in + min(ic, ins - 1);
    const float* delta = d + min(jc, outs - 1);
    for (int u = 0; u < 2; u++) {
        sum[u][0] = sum[u][1] = 0.0f;
    }
    for (int r0 = 0; r0 < rows; r0 += STAGED_ROWS) {
        float av[STAGED_PER_ITEM], dv[STAGED_PER_ITEM];
        for (int u = 0; u < STAGED_PER_ITEM; u++) {
            // every thread loads (from a row and column clamped into the arrays), then keeps what it needs
            int r = r0 + q0 + u * STAGED_STRIDE;
            long row = min(r, rows - 1);
            float x = input[row * ins], y = delta[row * outs];
            av[u] = r >= rows || ic > ins ? 0.0f : ic == ins ? 1.0f : x;
            dv[u] = r < rows && jc < outs ? y : 0.0f;
        }
        for (int u = 0; u < STAGED_PER_ITEM; u++) {
            as[q0 + u * STAGED_STRIDE][c] = av[u];
            ds[q0 + u * STAGED_STRIDE][c] = dv[u];
        }
        __syncthreads();
        int n = min(STAGED_ROWS, rows - r0);
        for (int q = 0; q < n; q++) {
            float a0 = as[q][ti], a1 = as[q][ti + UPDATE_HALF], v0 = ds[q][tj], v1 = ds[q][tj + UPDATE_HALF];
            sum[0][0] += a0 * v0;
            sum[0][1] += a0 * v1;
            sum[1][0] += a1 * v0;
            sum[1][1] += a1 * v1;
        }
        __syncthreads();
    }
}
