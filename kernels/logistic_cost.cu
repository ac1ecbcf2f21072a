#include "block_sum.cuh"
// Logistic cost of sigmoid outputs computed from the logits z, without overflow:
// -log(sigmoid(z)) = softplus(-z) for the true class, -log(1 - sigmoid(z)) = softplus(z) for the others.
// Adds the sum to acc[slot]; launched as one block. Each term is computed in float (one block does all of
// them, and double transcendentals would make it the slowest node of the epoch), summed in double.
// CPU twin: CpuBackend.logisticCost.
__device__ float softplus(float x) {
    return x > 0.0f ? x + log1pf(expf(-x)) : log1pf(expf(x));
}

extern "C" __global__ void __launch_bounds__(REDUCE_THREADS) logistic_cost(const float* z, const float* labels, int rows, int cols, double* acc, int slot) {
    double sum = 0.0;
    int n = rows * cols;
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        int r = i / cols;
        float v = z[i];
        sum += (i - r * cols) == (int)labels[r] ? softplus(-v) : softplus(v);
    }
    sum = block_sum(sum);
    if (threadIdx.x == 0) {
        acc[slot] += sum;
    }
}
