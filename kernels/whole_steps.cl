// Whole SGD steps of a network of up to three layers, what CUDA's train_steps does in one cooperative
// launch, in two launches a step: OpenCL has no grid-wide barrier. step_rows takes a work-group per example
// through its forward pass and its deltas, the row's values in local memory, and writes its activations
// and deltas out; step_updates then steps every weight and bias from them. Where `slices` > 0, the first
// layer's product x * w0 came before (the layer ops' GEMM, three launches a step; or step_tiles, below, which
// also takes the updates: two), left in z1 as that many slices of k (batch x s1 each, added here in slice
// order, as gemm_reduce would): each work-group then starts from its row of it instead of reading all of w0,
// which a wide first layer makes the larger part of a step. Layer l (l < layers) has
// weights w_l (s_l x s_l+1) and bias b_l; a_l+1 and d_l+1 are its activations and deltas (batch rows).
// Build options: ROW_THREADS (step_rows's items at most), ROW_FLOATS (its local floats for the row's
// values), UPDATE_TILE (step_updates's work-groups of UPDATE_TILE x UPDATE_TILE weights). From the helpers
// compiled before it: activate and derivative (activation.cl), softmax_row_local (softmax_row.cl), tile_sums
// (update_tile.cl).
// Each item issues a batch of its global loads (ROW_BATCH in a product, STAGED_ROWS rows of a tile's inputs
// and deltas in the updates) before it uses the first, so a step waits on memory once a batch, not once a few
// elements; the sums' terms add in the same order whatever the batch.
// CPU twin: DeviceNet.trainStep through the layer ops (ParityTest.wholeStepsDoWhatTheLayerStepsDo).
#define ROW_BATCH 12

// out[o] = sum_k v[k] * m[k * ks + o * os] for o < outs, k < n, by every item of the work-group: each
// output's terms split among `parts` items (a power of two), whose sums then add up in a fixed tree.
// Neighbouring items read neighbouring weights: along o where os is 1 (a layer's forward product), else
// along k (the product through the weights above a layer). Out is valid in every item on return.
void row_product(__local const float* v, int n, __global const float* m, int ks, int os, int outs,
                 __local float* out, __local float* partial) {
    int items = get_local_size(0), t = get_local_id(0);
    barrier(CLK_LOCAL_MEM_FENCE);  // v may have just been written by other items
    for (int o0 = 0; o0 < outs; o0 += items) {
        int width = min(items, outs - o0), parts = 1;
        while (parts * 2 * width <= items) {
            parts *= 2;
        }
        int o = os == 1 ? t % width : t / parts, p = os == 1 ? t / width : t % parts;
        if (t < parts * width) {
            __global const float* column = m + (long)(o0 + o) * os;
            float sum = 0.0f;
            for (int k0 = p; k0 < n; k0 += ROW_BATCH * parts) {
                float w[ROW_BATCH];
#pragma unroll
                for (int u = 0; u < ROW_BATCH; u++) {
                    int k = k0 + u * parts;
                    w[u] = k < n ? column[(long)k * ks] : 0.0f;
                }
#pragma unroll
                for (int u = 0; u < ROW_BATCH; u++) {
                    if (k0 + u * parts < n) {
                        sum += v[k0 + u * parts] * w[u];
                    }
                }
            }
            partial[o * parts + p] = sum;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int s = parts / 2; s > 0; s >>= 1) {
            if (t < s * width) {
                int i = (t / s) * parts + t % s;
                partial[i] += partial[i + s];
            }
            barrier(CLK_LOCAL_MEM_FENCE);
        }
        if (t < width) {
            out[o0 + t] = partial[t * parts];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}

// Copies n floats between local and global memory, by every item (no barrier).
void row_out(__local const float* from, __global float* to, int n) {
    for (int i = get_local_id(0); i < n; i += get_local_size(0)) {
        to[i] = from[i];
    }
}

// Element i of four, by selection. The layers' buffers and widths are picked from the kernels' arguments this
// way (the macros below, in terms of those arguments), never indexed in an array: such an array lives in an
// item's private memory, which a GPU keeps in memory behind its L1 (local memory on NVIDIA's), so each use would
// be a load that the loads it addresses wait on.
#define PICK(i, v0, v1, v2, v3) ((i) == 0 ? (v0) : (i) == 1 ? (v1) : (i) == 2 ? (v2) : (v3))
// layer l's input width (l <= layers), weights, bias, activations and deltas (l < layers)
#define SIZE(l) PICK(l, s0, s1, s2, s3)
#define W(l) PICK(l, w0 + w0o, w1 + w1o, w2 + w2o, w2 + w2o)
#define B(l) PICK(l, b0 + b0o, b1 + b1o, b2 + b2o, b2 + b2o)
#define A(l) PICK(l, a1 + a1o, a2 + a2o, a3 + a3o, a3 + a3o)
#define D(l) PICK(l, d1 + d1o, d2 + d2o, d3 + d3o, d3 + d3o)
// where step_rows's values hold layer l's input (the example for l = 0, else layer l - 1's activations): after
// the widths of layers 0 to l - 1; and the deltas of layer l's output, after every layer's activations
#define AT(l) (((l) > 0 ? s0 : 0) + ((l) > 1 ? s1 : 0) + ((l) > 2 ? s2 : 0) + ((l) > 3 ? s3 : 0))
#define DT(l) (AT(layers + 1) + ((l) > 0 ? s1 : 0) + ((l) > 1 ? s2 : 0))
// the updates' input of layer l: x's rows from `row` on, else the activations below
#define IN(l, row) PICK(l, x + xo + (long)(row) * s0, a1 + a1o, a2 + a2o, a2 + a2o)

__kernel void step_rows(__global const float* x, int xo, __global const float* labels, int yo,
                        __global const float* w0, int w0o, __global const float* b0, int b0o,
                        __global const float* w1, int w1o, __global const float* b1, int b1o,
                        __global const float* w2, int w2o, __global const float* b2, int b2o,
                        __global float* a1, int a1o, __global float* a2, int a2o, __global float* a3, int a3o,
                        __global float* d1, int d1o, __global float* d2, int d2o, __global float* d3, int d3o,
                        __global const float* z1, int z1o, int slices,
                        int first, int layers, int s0, int s1, int s2, int s3, int act, int output) {
    __local float values[ROW_FLOATS];  // the row's input, then a1..a_layers, then d1..d_layers
    __local float partial[ROW_THREADS];
    int r = get_group_id(0), t = get_local_id(0), items = get_local_size(0), forwarded = slices > 0;
    if (forwarded) {
        // the first layer's activations from its product's slices, each sum taken as gemm_reduce takes it (in slice
        // order), the slices loaded ROW_BATCH at a time
        __global const float* row = z1 + z1o + (long)r * s1;
        long slice = (long)get_num_groups(0) * s1;
        for (int j = t; j < s1; j += items) {
            float sum = 0.0f;
            for (int q0 = 0; q0 < slices; q0 += ROW_BATCH) {
                float v[ROW_BATCH];
#pragma unroll
                for (int u = 0; u < ROW_BATCH; u++) {
                    v[u] = q0 + u < slices ? row[(q0 + u) * slice + j] : 0.0f;
                }
#pragma unroll
                for (int u = 0; u < ROW_BATCH; u++) {
                    if (q0 + u < slices) {
                        sum += v[u];
                    }
                }
            }
            values[AT(1) + j] = activate(sum + B(0)[j], act);
        }
    } else {
        __global const float* row = x + xo + (long)(first + r) * s0;
        for (int i = t; i < s0; i += items) {
            values[i] = row[i];
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    int last = layers - 1;
    for (int l = forwarded; l < layers; l++) {
        __local float* z = values + AT(l + 1);
        row_product(values + AT(l), SIZE(l), W(l), SIZE(l + 1), 1, SIZE(l + 1), z, partial);
        if (l < last) {
            __global const float* bias = B(l);
            for (int j = t; j < SIZE(l + 1); j += items) {
                z[j] = activate(z[j] + bias[j], act);
            }
        }
    }
    // the output layer: a = sigmoid(z + b), or softmax(z + b) as softmax_rows takes it; delta = a - onehot
    __local float* z = values + AT(layers);
    __local float* dz = values + DT(last);
    __global const float* bias = B(last);
    int n = SIZE(layers), label = (int)labels[yo + first + r];
    if (output == OUT_SOFTMAX && t == 0) {
        softmax_row_local(z, bias, n);
    } else if (output != OUT_SOFTMAX) {
        for (int j = t; j < n; j += items) {
            z[j] = activate(z[j] + bias[j], ACT_SIGMOID);
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE);  // every item passes it (a barrier under a branch miscompiled on PoCL)
    for (int j = t; j < n; j += items) {
        dz[j] = z[j] - (label == j ? 1.0f : 0.0f);
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    // back through the weights above each hidden layer, as they were before this step
    for (int l = last; l > 0; l--) {
        __local float* g = values + DT(l - 1);
        row_product(values + DT(l), SIZE(l + 1), W(l), 1, SIZE(l + 1), SIZE(l), g, partial);
        __local const float* h = values + AT(l);
        for (int i = t; i < SIZE(l); i += items) {
            g[i] *= derivative(h[i], act);
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int l = 0; l < layers; l++) {
        row_out(values + AT(l + 1), A(l) + (long)r * SIZE(l + 1), SIZE(l + 1));
        row_out(values + DT(l), D(l) + (long)r * SIZE(l + 1), SIZE(l + 1));
    }
}

// w = decay * w - step * sum_r in[r][i] * d[r][j] over the rows, for the UPDATE_TILE x UPDATE_TILE tile at (i0, j0)
// of a layer of ins inputs and outs outputs, its bias a last row of weights whose input is 1 (and which takes no
// decay): an item steps 2 x 2 weights (tile_sums). Every item of the work-group calls it.
void step_tile(__global const float* in, __global const float* d, __global float* weights, __global float* bias, int rows,
               int ins, int outs, int i0, int j0, float step, float decay,
               __local float as[STAGED_ROWS][UPDATE_TILE], __local float ds[STAGED_ROWS][UPDATE_TILE]) {
    float4 sum = tile_sums(in, d, rows, ins, outs, i0, j0, as, ds);
#pragma unroll
    for (int u = 0; u < 2; u++) {
#pragma unroll
        for (int v = 0; v < 2; v++) {
            int i = i0 + get_local_id(1) + u * UPDATE_HALF, j = j0 + get_local_id(0) + v * UPDATE_HALF;
            if (j < outs && i < ins) {
                long e = (long)i * outs + j;
                weights[e] = decay * weights[e] - step * SUM_AT(sum, u, v);
            } else if (j < outs && i == ins) {
                bias[j] -= step * SUM_AT(sum, u, v);
            }
        }
    }
}

// The layer of tile `*tile` of the UPDATE_TILE x UPDATE_TILE tiles of layers `from` on, numbered a layer after
// another (SIZE(l) + 1 rows each, the bias's among them); *tile becomes its number within that layer, and
// *across that layer's tiles across.
int layer_of(int* tile, int* across, int from, int layers, int s0, int s1, int s2, int s3) {
    int l = from;
    for (; l < layers - 1; l++) {
        *across = (SIZE(l + 1) + UPDATE_TILE - 1) / UPDATE_TILE;
        int tiles = (SIZE(l) + UPDATE_TILE) / UPDATE_TILE * *across;
        if (*tile < tiles) {
            return l;
        }
        *tile -= tiles;
    }
    *across = (SIZE(l + 1) + UPDATE_TILE - 1) / UPDATE_TILE;
    return l;
}

// A work-group per UPDATE_TILE x UPDATE_TILE tile of one layer's weights, the layers' tiles one after
// another (step_tile), the rows staged STAGED_ROWS at a time and added in order. A deeper network's layers take
// a launch for each three, x then the activations below the first of them (OpenClBackend's way of the layer ops'
// products).
__kernel __attribute__((reqd_work_group_size(UPDATE_HALF, UPDATE_HALF, 1)))
void step_updates(__global const float* x, int xo,
                  __global float* w0, int w0o, __global float* b0, int b0o,
                  __global float* w1, int w1o, __global float* b1, int b1o,
                  __global float* w2, int w2o, __global float* b2, int b2o,
                  __global const float* a1, int a1o, __global const float* a2, int a2o, __global const float* a3, int a3o,
                  __global const float* d1, int d1o, __global const float* d2, int d2o, __global const float* d3, int d3o,
                  int first, int rows, int layers, int s0, int s1, int s2, int s3, float step, float decay) {
    __local float as[STAGED_ROWS][UPDATE_TILE], ds[STAGED_ROWS][UPDATE_TILE];
    int tile = get_group_id(0), across = 0, l = layer_of(&tile, &across, 0, layers, s0, s1, s2, s3);
    step_tile(IN(l, first), D(l), W(l), B(l), rows, SIZE(l), SIZE(l + 1), tile / across * UPDATE_TILE, tile % across * UPDATE_TILE, step,
              decay, as, ds);
}

// Rows of x a work-group of step_tiles multiplies at a time: UPDATE_HALF of its items' rows each 4 apart.
#define PRODUCT_ROWS (4 * UPDATE_HALF)

// The first of a whole step's two launches where the first layer's product is made in tiles (OpenClBackend's
// way of two launches; step_rows is the second): a work-group per FIRST_TILE_ROWS x UPDATE_TILE tile of w0 (its
// bias a last row, as in step_updates), then one per UPDATE_TILE x UPDATE_TILE tile of each layer above. Where
// first > 0, each steps its tile by the step before (rows first - rows on of x, and the activations and deltas
// step_rows left): the step_updates of that step, deferred to here to save a launch (a run's first step has none:
// the run before ended in step_updates). Then each tile of w0 multiplies this step's rows of x, under its rows,
// by its weights, into z1's slice of its rows of tiles (z1 is ceil(s0 / FIRST_TILE_ROWS) slices of rows x s1,
// which step_rows adds in order): k in order within a tile, PRODUCT_ROWS rows of x staged at a time in local
// memory, each item making 4 x 2 outputs from 4 + 2 local loads a k.
__kernel __attribute__((reqd_work_group_size(UPDATE_HALF, UPDATE_HALF, 1)))
void step_tiles(__global const float* x, int xo,
                __global float* w0, int w0o, __global float* b0, int b0o,
                __global float* w1, int w1o, __global float* b1, int b1o,
                __global float* w2, int w2o, __global float* b2, int b2o,
                __global const float* a1, int a1o, __global const float* a2, int a2o, __global const float* a3, int a3o,
                __global const float* d1, int d1o, __global const float* d2, int d2o, __global const float* d3, int d3o,
                __global float* z1, int z1o, int first, int rows, int layers, int s0, int s1, int s2, int s3, float step, float decay) {
    __local float as[STAGED_ROWS][UPDATE_TILE], ds[STAGED_ROWS][UPDATE_TILE];
    __local float tile[FIRST_TILE_ROWS][UPDATE_TILE], xs[PRODUCT_ROWS][FIRST_TILE_ROWS + 1];  // + 1: rows in other banks
    int group = get_group_id(0), across = (s1 + UPDATE_TILE - 1) / UPDATE_TILE, tiles = (s0 + FIRST_TILE_ROWS) / FIRST_TILE_ROWS * across;
    if (group >= tiles) {
        int above = group - tiles, l = layer_of(&above, &across, 1, layers, s0, s1, s2, s3);
        if (first > 0) {
            step_tile(IN(l, first - rows), D(l), W(l), B(l), rows, SIZE(l), SIZE(l + 1), above / across * UPDATE_TILE,
                      above % across * UPDATE_TILE, step, decay, as, ds);
        }
        return;
    }
    int k0 = group / across * FIRST_TILE_ROWS, j0 = group % across * UPDATE_TILE;
    for (int i0 = k0; first > 0 && i0 < min(k0 + FIRST_TILE_ROWS, s0 + 1); i0 += UPDATE_TILE) {
        step_tile(IN(0, first - rows), D(0), W(0), B(0), rows, s0, s1, i0, j0, step, decay, as, ds);
    }
    barrier(CLK_GLOBAL_MEM_FENCE);  // the tile's weights stepped, by every item, before they are read below
    if (k0 >= s0) {
        return;  // the bias's row alone
    }
    int kn = min(FIRST_TILE_ROWS, s0 - k0), cn = min(UPDATE_TILE, s1 - j0);
    int tj = get_local_id(0), ti = get_local_id(1), item = ti * UPDATE_HALF + tj, items = UPDATE_HALF * UPDATE_HALF;
    // the tile and each chunk of rows staged by loads issued a batch at a time (as tile_sums stages), each item
    // taking a column: of the tile, STAGED_STRIDE rows a round; of the chunk, every row
    __global const float* weights = W(0) + (long)k0 * s1 + j0;
    int c = item % UPDATE_TILE, k1 = item / UPDATE_TILE;
    float w[FIRST_TILE_ROWS / STAGED_STRIDE];
#pragma unroll
    for (int u = 0; u < FIRST_TILE_ROWS / STAGED_STRIDE; u++) {
        int k = k1 + u * STAGED_STRIDE;
        w[u] = k < kn && c < cn ? weights[(long)k * s1 + c] : 0.0f;
    }
#pragma unroll
    for (int u = 0; u < FIRST_TILE_ROWS / STAGED_STRIDE; u++) {
        tile[k1 + u * STAGED_STRIDE][c] = w[u];
    }
    __global const float* in = IN(0, first) + k0;
    __global float* out = z1 + z1o + (long)(k0 / FIRST_TILE_ROWS) * rows * s1 + j0;
    for (int r0 = 0; r0 < rows; r0 += PRODUCT_ROWS) {
        int rn = min(PRODUCT_ROWS, rows - r0);
        for (int k = item; k < FIRST_TILE_ROWS; k += items) {
            float v[PRODUCT_ROWS];
#pragma unroll
            for (int r = 0; r < PRODUCT_ROWS; r++) {
                v[r] = r < rn && k < kn ? in[(long)(r0 + r) * s0 + k] : 0.0f;
            }
#pragma unroll
            for (int r = 0; r < PRODUCT_ROWS; r++) {
                xs[r][k] = v[r];
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);  // the rows staged (and, the first time, the tile)
        float z00 = 0.0f, z01 = 0.0f, z10 = 0.0f, z11 = 0.0f, z20 = 0.0f, z21 = 0.0f, z30 = 0.0f, z31 = 0.0f;
        for (int k = 0; k < kn; k++) {
            float v0 = tile[k][tj], v1 = tile[k][tj + UPDATE_HALF];
            float u0 = xs[ti][k], u1 = xs[ti + UPDATE_HALF][k], u2 = xs[ti + 2 * UPDATE_HALF][k], u3 = xs[ti + 3 * UPDATE_HALF][k];
            z00 += u0 * v0;
            z01 += u0 * v1;
            z10 += u1 * v0;
            z11 += u1 * v1;
            z20 += u2 * v0;
            z21 += u2 * v1;
            z30 += u3 * v0;
            z31 += u3 * v1;
        }
#pragma unroll
        for (int u = 0; u < 4; u++) {
            int r = ti + u * UPDATE_HALF;
            float p0 = u == 0 ? z00 : u == 1 ? z10 : u == 2 ? z20 : z30, p1 = u == 0 ? z01 : u == 1 ? z11 : u == 2 ? z21 : z31;
            if (r < rn && tj < cn) {
                out[(long)(r0 + r) * s1 + tj] = p0;
            }
            if (r < rn && tj + UPDATE_HALF < cn) {
                out[(long)(r0 + r) * s1 + tj + UPDATE_HALF] = p1;
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);  // the rows read: the next may overwrite them
    }
}
