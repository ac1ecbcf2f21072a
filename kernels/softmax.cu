// The softmax output's forward end, a row per thread: z = softmax(z + bias) row by row, its maximum
// subtracted first so exp never overflows. Runs before output_step with OUT_SOFTMAX. CPU twin:
// CpuBackend.outputStep's softmax.
extern "C" __global__ void softmax_rows(float* z, const float* bias, int rows, int cols) {
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < rows; r += gridDim.x * blockDim.x) {
        float* row = z + (long)r * cols;
        float m = row[0] + bias[0];
        for (int j = 1; j < cols; j++) {
            m = fmaxf(m, row[j] + bias[j]);
        }
        float sum = 0.0f;
        for (int j = 0; j < cols; j++) {
            float e = expf(row[j] + bias[j] - m);
            row[j] = e;
            sum += e;
        }
        for (int j = 0; j < cols; j++) {
            row[j] /= sum;
        }
    }
}
