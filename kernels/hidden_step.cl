// Backprop through a hidden sigmoid layer: g *= a * (1 - a) (the layer's delta), then
// bias[j] -= eta * sum_r g[r][j]. Work-groups of 32 columns x 8 row groups (reduce.cl).
// With k > 0 the product that propagates the next layer's delta back is folded in:
// g = dNext * wNext' (dNext rows x k, wNext cols x k) is computed here rather than read, one launch
// instead of a GEMM and this (hiddenLayerStep). With k = 0, dNext and wNext are not read.
// CPU twin: CpuBackend.hiddenStep (after CpuBackend.gemm when k > 0).
__kernel __attribute__((reqd_work_group_size(COLS_PER_GROUP, ROW_GROUPS, 1)))
void hidden_step(__global const float* dNext, int dno, __global const float* wNext, int wno, int k,
                 __global float* g, int go, __global const float* a, int ao, float eta,
                 __global float* bias, int bo, int rows, int cols) {
    __local float scratch[COLS_PER_GROUP * ROW_GROUPS];
    int j = get_global_id(0);
    float sum = 0.0f;
    if (j < cols) {
        for (int r = get_local_id(1); r < rows; r += ROW_GROUPS) {
            int i = r * cols + j;
            float v = a[ao + i];
            float back = k > 0 ? strided_dot(dNext + dno + r * k, wNext + wno + j * k, 1, k) : g[go + i];
            float d = back * (v * (1.0f - v));
            g[go + i] = d;
            sum += d;
        }
    }
    sum = column_sum(sum, scratch);
    if (get_local_id(1) == 0 && j < cols) {
        bias[bo + j] -= eta * sum;
    }
}
