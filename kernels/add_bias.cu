// Bias broadcast add for the output layer's logits (evaluation): z += bias. CPU twin: CpuBackend.addBias.
extern "C" __global__ void add_bias(float* z, const float* bias, int rows, int cols) {
    int n = rows * cols;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        z[i] += bias[i % cols];
    }
}
