#include "block_sum.cuh"
// Logistic cost of sigmoid outputs computed from the logits z, without overflow:
// -log(sigmoid(z)) = softplus(-z) for the true class, -log(1 - sigmoid(z)) = softplus(z) for the others.
// Adds the sum to acc[slot]; launched as one block. CPU twin: CpuBackend.logisticCost.
__device__ double softplus(double x) {
    return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
}

extern "C" __global__ void logistic_cost(const float* z, const float* labels, int rows, int cols, double* acc, int slot) {
    double sum = 0.0;
    int n = rows * cols;
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        int r = i / cols;
        double v = z[i];
        sum += (i - r * cols) == (int)labels[r] ? softplus(-v) : softplus(v);
    }
    sum = block_sum(sum);
    if (threadIdx.x == 0) {
        acc[slot] += sum;
    }
}
