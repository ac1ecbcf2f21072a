// Column sums of delta fused with the bias's SGD step: bias[j] -= eta * sum_r delta[r][j].
// One thread per column, summing rows in order, so the result is deterministic.
// CPU twin: CpuBackend.biasStep.
extern "C" __global__ void bias_step(const float* delta, float eta, float* bias, int rows, int cols) {
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j < cols) {
        float sum = 0.0f;
        for (int r = 0; r < rows; r++) {
            sum += delta[r * cols + j];
        }
        bias[j] -= eta * sum;
    }
}
