// Output error of sigmoid units under the logistic cost: delta = a - onehot(label).
// CPU twin: CpuBackend.outputDelta.
extern "C" __global__ void output_delta(const float* a, const float* labels, float* delta, int rows, int cols) {
    int n = rows * cols;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        int r = i / cols;
        delta[i] = a[i] - ((i - r * cols) == (int)labels[r] ? 1.0f : 0.0f);
    }
}
