// Backprop through a hidden layer: g *= derivative(a, act) (the layer's delta, activation.cl), then
// bias[j] -= eta * sum_r g[r][j]. Work-groups of COLS_PER_BLOCK columns x ROW_GROUPS.
// With k > 0 the weights above the layer are folded in (hiddenLayerStep), one launch instead of two
// GEMMs and this: g = dNext * wNext' (dNext rows x k, wNext cols x k) is computed here rather than read,
// then the work-group's rows of wNext (its columns j, which no other work-group reads) take their step
// wNext = decay * wNext - eta * a' * dNext. With k = 0, dNext and wNext are not read, unless slices > 0: then
// dNext holds g in that many partial sums over slices of its k (gemm.cl's split k, rows x cols each), added here
// in slice order as gemm_reduce would have into g, a launch fewer.
// CPU twin: CpuBackend.hiddenStep (after CpuBackend.gemm twice when k > 0).
__kernel __attribute__((reqd_work_group_size(COLS_PER_BLOCK, ROW_GROUPS, 1)))
void hidden_step(__global const float* dNext, int dno, __global float* wNext, int wno, int k, float decay,
                 __global float* g, int go, __global const float* a, int ao, float eta,
                 __global float* bias, int bo, int rows, int cols, int act, int slices) {
    __local float scratch[COLS_PER_BLOCK * ROW_GROUPS];
    int j = get_global_id(0);
    float sum = 0.0f;
    if (j < cols) {
        // STEP_ROWS rows at a time, their loads first (as in output_step)
        for (int r0 = get_local_id(1); r0 < rows; r0 += ROW_GROUPS * STEP_ROWS) {
            float v[STEP_ROWS], gv[STEP_ROWS];
#pragma unroll
            for (int u = 0; u < STEP_ROWS; u++) {
                int i = min(r0 + u * ROW_GROUPS, rows - 1) * cols + j;
                v[u] = a[ao + i];
                gv[u] = k > 0 || slices > 0 ? 0.0f : g[go + i];
            }
            // the slices' partial sums in slice order, as output_step adds them
            for (int s = 0; s < slices; s++) {
#pragma unroll
                for (int u = 0; u < STEP_ROWS; u++) {
                    gv[u] += dNext[dno + s * rows * cols + min(r0 + u * ROW_GROUPS, rows - 1) * cols + j];
                }
            }
#pragma unroll
            for (int u = 0; u < STEP_ROWS; u++) {
                int r = r0 + u * ROW_GROUPS, i = r * cols + j;
                if (r < rows) {
                    float back = k > 0 ? strided_dot(dNext + dno + r * k, 1, wNext + wno + j * k, 1, k) : gv[u];
                    float d = back * derivative(v[u], act);
                    g[go + i] = d;
                    sum += d;
                }
            }
        }
    }
    sum = column_sum(sum, scratch);  // its barriers also end every item's reads of wNext above
    if (get_local_id(1) == 0 && j < cols) {
        bias[bo + j] -= eta * sum;
    }
    int j0 = get_group_id(0) * COLS_PER_BLOCK;
    int items = COLS_PER_BLOCK * ROW_GROUPS;
    for (int e = get_local_id(1) * COLS_PER_BLOCK + get_local_id(0); e < COLS_PER_BLOCK * k; e += items) {
        int jj = j0 + e / k, p = e % k;
        if (jj < cols) {
            float grad = strided_dot(a + ao + jj, cols, dNext + dno + p, k, rows);
            int w = wno + jj * k + p;
            wNext[w] = decay * wNext[w] - eta * grad;
        }
    }
}
