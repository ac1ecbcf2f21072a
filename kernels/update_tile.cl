// The tile sums that step_updates (whole_steps.cl) and optimize_layer (optimize.cl) step weights by, compiled
// before them: a work-group of UPDATE_HALF x UPDATE_HALF items takes an UPDATE_TILE x UPDATE_TILE tile of a
// layer's weights (UPDATE_TILE a build option), each item 2 x 2 of them, half a tile apart, the rows staged
// STAGED_ROWS at a time in local memory: each row makes four multiply-adds from two local loads of a and two of
// d. An item issues its loads of a round before it uses the first. CUDA's twin: update_tile.cuh.
#define STAGED_ROWS (4 * UPDATE_TILE)
#define UPDATE_HALF (UPDATE_TILE / 2)
#define STAGED_STRIDE (UPDATE_HALF * UPDATE_HALF / UPDATE_TILE)
#define STAGED_PER_ITEM (STAGED_ROWS / STAGED_STRIDE)
// sum_r in[r][i] * d[r][j] over the rows, for the item's 2 x 2 of the UPDATE_TILE x UPDATE_TILE tile at (i0, j0)
// of a layer of ins inputs and outs outputs: i = i0 + ti + u * UPDATE_HALF, j = j0 + tj + v * UPDATE_HALF, and
// i == ins the bias's row, whose input is 1; returned as (u, v) = (0, 0), (0, 1), (1, 0), (1, 1) in x, y, z, w
// (SUM_AT), not written through a pointer to an array, which would put the array in private memory. Every item
// of the work-group calls it.
#define SUM_AT(sum, u, v) ((u) == 0 ? ((v) == 0 ? (sum).x : (sum).y) : ((v) == 0 ? (sum).z : (sum).w))
float4 tile_sums(__global const float* in, __global const float* d, int rows, int ins, int outs, int i0, int j0,
                 __local float as[STAGED_ROWS][UPDATE_TILE], __local float ds[STAGED_ROWS][UPDATE_TILE]) {
    int tj = get_local_id(0), ti = get_local_id(1), item = ti * UPDATE_HALF + tj;
    // an item stages column c of the tile's inputs (input ic, or the bias's 1 at ic == ins) and of its deltas
    // (output jc): rows q0, q0 + STAGED_STRIDE, ... of each round's
    int c = item % UPDATE_TILE, q0 = item / UPDATE_TILE, ic = i0 + c, jc = j0 + c;
    __global const float* input = in + min(ic, ins - 1);
    __global const float* delta = d + min(jc, outs - 1);
    float s00 = 0.0f, s01 = 0.0f, s10 = 0.0f, s11 = 0.0f;
    for (int r0 = 0; r0 < rows; r0 += STAGED_ROWS) {
        float av[STAGED_PER_ITEM], dv[STAGED_PER_ITEM];
#pragma unroll
        for (int u = 0; u < STAGED_PER_ITEM; u++) {
            // every item loads (from a row and column clamped into the arrays), then keeps what it needs: the
            // loads go out unconditionally, not each behind a branch
            int r = r0 + q0 + u * STAGED_STRIDE;
            long row = min(r, rows - 1);
            float x = input[row * ins], y = delta[row * outs];
            av[u] = r >= rows || ic > ins ? 0.0f : ic == ins ? 1.0f : x;
            dv[u] = r < rows && jc < outs ? y : 0.0f;
        }
#pragma unroll
        for (int u = 0; u < STAGED_PER_ITEM; u++) {
            as[q0 + u * STAGED_STRIDE][c] = av[u];
            ds[q0 + u * STAGED_STRIDE][c] = dv[u];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        int n = min(STAGED_ROWS, rows - r0);
        for (int q = 0; q < n; q++) {
            float a0 = as[q][ti], a1 = as[q][ti + UPDATE_HALF], v0 = ds[q][tj], v1 = ds[q][tj + UPDATE_HALF];
            s00 += a0 * v0;
            s01 += a0 * v1;
            s10 += a1 * v0;
            s11 += a1 * v1;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    return (float4)(s00, s01, s10, s11);
}

