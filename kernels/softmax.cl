// The softmax output's forward end, a row per work-item: z = softmax(z + bias), its maximum subtracted
// first. Runs before output_step with OUT_SOFTMAX. CPU twin: CpuBackend.outputStep's softmax.
__kernel void softmax_rows(__global float* z, int zo, __global const float* bias, int bo, int rows, int cols) {
    int r = get_global_id(0);
    if (r >= rows) {
        return;
    }
    __global float* row = z + zo + (long)r * cols;
    float m = row[0] + bias[bo];
    for (int j = 1; j < cols; j++) {
        m = fmax(m, row[j] + bias[bo + j]);
    }
    float sum = 0.0f;
    for (int j = 0; j < cols; j++) {
        float e = exp(row[j] + bias[bo + j] - m);
        row[j] = e;
        sum += e;
    }
    for (int j = 0; j < cols; j++) {
        row[j] /= sum;
    }
}
