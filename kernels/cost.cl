// The cost of the outputs from their logits z, added to acc[slot]; one work-group of REDUCE_THREADS items.
// CPU twin: CpuBackend.cost. OUT_SIGMOID: the logistic cost of every unit without overflow, softplus(-z)
// for the true class and softplus(z) for the others. OUT_SOFTMAX: each row's cross-entropy,
// log(sum_j e^z_j) - z_label, its maximum subtracted first.
float softplus(float x) {
    return x > 0.0f ? x + log1p(exp(-x)) : log1p(exp(x));
}

__kernel __attribute__((reqd_work_group_size(REDUCE_THREADS, 1, 1)))
void cost(__global const float* z, int zo, __global const float* labels, int yo, int rows, int cols, int output,
          __global float* acc, int slot) {
    __local float scratch[REDUCE_THREADS];
    float sum = 0.0f;
    if (output == OUT_SOFTMAX) {
        for (int r = get_local_id(0); r < rows; r += REDUCE_THREADS) {
            __global const float* row = z + zo + (long)r * cols;
            float m = row[0];
            for (int j = 1; j < cols; j++) {
                m = fmax(m, row[j]);
            }
            float s = 0.0f;
            for (int j = 0; j < cols; j++) {
                s += exp(row[j] - m);
            }
            sum += m + log(s) - row[(int)labels[yo + r]];
        }
    } else {
        for (int i = get_local_id(0); i < rows * cols; i += REDUCE_THREADS) {
            int r = i / cols;
            float v = z[zo + i];
            sum += (i - r * cols) == (int)labels[yo + r] ? softplus(-v) : softplus(v);
        }
    }
    sum = group_sum(sum, scratch);
    if (get_local_id(0) == 0) {
        acc[slot] += sum;
    }
}
