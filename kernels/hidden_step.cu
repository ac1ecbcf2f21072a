// Backprop through a hidden sigmoid layer, one thread per column (unit) j: the sigmoid derivative turns the
// back-propagated error g into the layer's delta, g *= a * (1 - a), and the bias takes its SGD step,
// bias[j] -= eta * sum_r g[r][j], summed in row order (deterministic). CPU twin: CpuBackend.hiddenStep.
extern "C" __global__ void hidden_step(float* g, const float* a, float eta, float* bias, int rows, int cols) {
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= cols) {
        return;
    }
    float sum = 0.0f;
    for (int r = 0; r < rows; r++) {
        int i = r * cols + j;
        float v = a[i];
        float d = g[i] * (v * (1.0f - v));
        g[i] = d;
        sum += d;
    }
    bias[j] -= eta * sum;
}
