// The output layer's forward end and backward start: a = sigmoid(z + bias) (over z), delta = a - onehot,
// bias[j] -= eta * sum_r delta[r][j]; with OUT_SOFTMAX, z already holds softmax(z + bias) (softmax_rows)
// and a = z, the same delta under the cross-entropy. Work-groups of COLS_PER_BLOCK columns x ROW_GROUPS.
// With k > 0 the layer's product is folded in (outputLayerStep), one launch instead of a GEMM and this:
// first z = x * w (x rows x k, w k x cols), every item of the work-group taking some of its columns'
// outputs (the book's output layer is only 10 wide), then the step as above. With k = 0, x and w are
// not read, unless slices > 0: then x holds the layer's product in that many partial sums over slices of its k
// (gemm.cl's split k, rows x cols each), added here in slice order as gemm_reduce would have into z, a launch
// fewer. CPU twin: CpuBackend.outputStep (after CpuBackend.gemm when k > 0).
__kernel __attribute__((reqd_work_group_size(COLS_PER_BLOCK, ROW_GROUPS, 1)))
void output_step(__global const float* x, int xo, __global const float* w, int wo, int k,
                 __global float* z, int zo, __global float* bias, int bo, __global const float* labels, int yo,
                 float eta, __global float* delta, int dlo, int rows, int cols, int output, int slices) {
    __local float scratch[COLS_PER_BLOCK * ROW_GROUPS];
    int j0 = get_group_id(0) * COLS_PER_BLOCK, width = min(COLS_PER_BLOCK, cols - j0);
    for (int e = get_local_id(1) * COLS_PER_BLOCK + get_local_id(0); k > 0 && e < rows * width;
         e += COLS_PER_BLOCK * ROW_GROUPS) {
        int r = e / width, jj = j0 + e % width;
        z[zo + r * cols + jj] = strided_dot(x + xo + r * k, 1, w + wo + jj, cols, k);
    }
    barrier(CLK_GLOBAL_MEM_FENCE);  // every item passes it, k or not (a barrier under a branch miscompiled on PoCL)
    int j = get_global_id(0);
    float sum = 0.0f;
    if (j < cols) {
        float b = bias[bo + j];
        // an item's rows STEP_ROWS at a time: their loads (from rows clamped into z) go out before the first is
        // used, so the item waits on memory once a batch, not once a row; the sum's terms keep their order
        for (int r0 = get_local_id(1); r0 < rows; r0 += ROW_GROUPS * STEP_ROWS) {
            float zv[STEP_ROWS], label[STEP_ROWS];
#pragma unroll
            for (int u = 0; u < STEP_ROWS; u++) {
                int r = min(r0 + u * ROW_GROUPS, rows - 1);
                zv[u] = slices > 0 ? 0.0f : z[zo + r * cols + j];
                label[u] = labels[yo + r];
            }
            // the slices' partial sums in slice order, a slice's rows in one unrolled loop (a loop of slices
            // within the unrolled one would keep it rolled, and zv in private memory)
            for (int s = 0; s < slices; s++) {
#pragma unroll
                for (int u = 0; u < STEP_ROWS; u++) {
                    zv[u] += x[xo + (s * rows + min(r0 + u * ROW_GROUPS, rows - 1)) * cols + j];
                }
            }
#pragma unroll
            for (int u = 0; u < STEP_ROWS; u++) {
                int r = r0 + u * ROW_GROUPS, i = r * cols + j;
                if (r < rows) {
                    float a = output == OUT_SOFTMAX ? zv[u] : 1.0f / (1.0f + exp(-(zv[u] + b)));
                    z[zo + i] = a;
                    float d = a - ((int)label[u] == j ? 1.0f : 0.0f);
                    delta[dlo + i] = d;
                    sum += d;
                }
            }
        }
    }
    sum = column_sum(sum, scratch);
    if (get_local_id(1) == 0 && j < cols) {
        bias[bo + j] -= eta * sum;
    }
}
