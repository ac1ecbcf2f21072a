// The output layer's forward end and backward start in one pass, one thread per column (unit) j:
//   a = sigmoid(z + bias) (written over z), delta = a - onehot(label), bias[j] -= eta * sum_r delta[r][j].
// The column is summed in row order, so the update is deterministic. CPU twin: CpuBackend.outputStep.
extern "C" __global__ void output_step(float* z, float* bias, const float* labels, float eta, float* delta,
                                       int rows, int cols) {
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= cols) {
        return;
    }
    float b = bias[j];
    float sum = 0.0f;
    for (int r = 0; r < rows; r++) {
        int i = r * cols + j;
        float a = 1.0f / (1.0f + expf(-(z[i] + b)));
        z[i] = a;
        float d = a - ((int)labels[r] == j ? 1.0f : 0.0f);
        delta[i] = d;
        sum += d;
    }
    bias[j] = b - eta * sum;
}
