#include "activation.cuh"
// A layer's forward end, fused with the bias add so the pre-activation is read and written once:
// z = activate(z + bias, act), bias broadcast over rows (ACT_IDENTITY: the bias alone, for logits).
// CPU twin: CpuBackend.biasActivation.
extern "C" __global__ void bias_activation(float* z, const float* bias, int rows, int cols, int act) {
    int n = rows * cols;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        z[i] = activate(z[i] + bias[i % cols], act);
    }
}
