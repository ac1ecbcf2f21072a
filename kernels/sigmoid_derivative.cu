// Backprop through the sigmoid: g *= a * (1 - a), a being the layer's activation.
// CPU twin: CpuBackend.sigmoidDerivativeProduct.
extern "C" __global__ void sigmoid_derivative_product(float* g, const float* a, int n) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        float v = a[i];
        g[i] *= v * (1.0f - v);
    }
}
