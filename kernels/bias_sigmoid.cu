// The activation, fused with the bias add so the pre-activation is read and written once:
// z = sigmoid(z + bias), bias broadcast over rows. CPU twin: CpuBackend.biasSigmoid.
extern "C" __global__ void bias_sigmoid(float* z, const float* bias, int rows, int cols) {
    int n = rows * cols;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        z[i] = 1.0f / (1.0f + expf(-(z[i] + bias[i % cols])));
    }
}
