// Reductions shared by the OpenCL kernels (compiled first, in the same program as the others).
// Work-groups are fixed: REDUCE_THREADS work-items for whole-matrix sums, COLS_PER_BLOCK columns x
// ROW_GROUPS row groups for column sums (build options: OpenClBackend.DEFINES); both add in a fixed tree
// order, so results are deterministic.

// Sum over a 1-D work-group of REDUCE_THREADS items; the result is valid in every item.
float group_sum(float v, __local float* scratch) {
    int t = get_local_id(0);
    scratch[t] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = REDUCE_THREADS / 2; s > 0; s >>= 1) {
        if (t < s) {
            scratch[t] += scratch[t + s];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    return scratch[0];
}

// The rows an item of a COLS_PER_BLOCK x ROW_GROUPS work-group (output_step, hidden_step) loads at a time
// before it uses the first.
#define STEP_ROWS 4

// Sum over the row groups of a COLS_PER_BLOCK x ROW_GROUPS work-group, per column; valid in every item.
float column_sum(float v, __local float* scratch) {
    int x = get_local_id(0), y = get_local_id(1);
    scratch[y * COLS_PER_BLOCK + x] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = ROW_GROUPS / 2; s > 0; s >>= 1) {
        if (y < s) {
            scratch[y * COLS_PER_BLOCK + x] += scratch[(y + s) * COLS_PER_BLOCK + x];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    return scratch[x];
}

// sum_p a[p * aStride] * b[p * bStride] for p < n, in order: the small products the layer steps fold in. The
// loads go DOT_BATCH at a time, all issued before the first is used, so a long dot (over a minibatch's rows)
// waits on memory once a batch rather than once every few elements.
#define DOT_BATCH 8
float strided_dot(__global const float* a, int aStride, __global const float* b, int bStride, int n) {
    float sum = 0.0f;
    for (int p0 = 0; p0 < n; p0 += DOT_BATCH) {
        float x[DOT_BATCH], y[DOT_BATCH];
#pragma unroll
        for (int u = 0; u < DOT_BATCH; u++) {
            bool in = p0 + u < n;
            x[u] = in ? a[(p0 + u) * aStride] : 0.0f;
            y[u] = in ? b[(p0 + u) * bStride] : 0.0f;
        }
#pragma unroll
        for (int u = 0; u < DOT_BATCH; u++) {
            if (p0 + u < n) {
                sum += x[u] * y[u];
            }
        }
    }
    return sum;
}
