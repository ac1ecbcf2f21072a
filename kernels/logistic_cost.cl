// Logistic cost of sigmoid outputs from the logits z without overflow: softplus(-z) for the true class,
// softplus(z) for the others; adds the sum to acc[slot]. One work-group of REDUCE_THREADS items.
// CPU twin: CpuBackend.logisticCost.
float softplus(float x) {
    return x > 0.0f ? x + log1p(exp(-x)) : log1p(exp(x));
}

__kernel __attribute__((reqd_work_group_size(REDUCE_THREADS, 1, 1)))
void logistic_cost(__global const float* z, int zo, __global const float* labels, int yo, int rows, int cols,
                   __global float* acc, int slot) {
    __local float scratch[REDUCE_THREADS];
    float sum = 0.0f;
    for (int i = get_local_id(0); i < rows * cols; i += REDUCE_THREADS) {
        int r = i / cols;
        float v = z[zo + i];
        sum += (i - r * cols) == (int)labels[yo + r] ? softplus(-v) : softplus(v);
    }
    sum = group_sum(sum, scratch);
    if (get_local_id(0) == 0) {
        acc[slot] += sum;
    }
}
