// Reductions shared by the OpenCL kernels (compiled first, in the same program as the others).
// Work-groups are fixed: 256 work-items for whole-matrix sums, 32 columns x 8 row groups for column sums;
// both add in a fixed tree order, so results are deterministic.
#define GROUP 256
#define COLS_PER_GROUP 32
#define ROW_GROUPS 8

// Sum over a 1-D work-group of GROUP items; the result is valid in every item.
float group_sum(float v, __local float* scratch) {
    int t = get_local_id(0);
    scratch[t] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = GROUP / 2; s > 0; s >>= 1) {
        if (t < s) {
            scratch[t] += scratch[t + s];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    return scratch[0];
}

// Sum over the row groups of a COLS_PER_GROUP x ROW_GROUPS work-group, per column; valid in every item.
float column_sum(float v, __local float* scratch) {
    int x = get_local_id(0), y = get_local_id(1);
    scratch[y * COLS_PER_GROUP + x] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = ROW_GROUPS / 2; s > 0; s >>= 1) {
        if (y < s) {
            scratch[y * COLS_PER_GROUP + x] += scratch[(y + s) * COLS_PER_GROUP + x];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    return scratch[x];
}

// sum_p a[p * aStride] * b[p * bStride] for p < n, in order: the small products the layer steps fold in.
float strided_dot(__global const float* a, int aStride, __global const float* b, int bStride, int n) {
    float sum = 0.0f;
    for (int p = 0; p < n; p++) {
        sum += a[p * aStride] * b[p * bStride];
    }
    return sum;
}
