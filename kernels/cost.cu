#include "block_sum.cuh"
// The cost of the outputs from their logits z, added to acc[slot]; launched as one block. Each term is
// computed in float (one block does all of them, and double transcendentals would make it the slowest node
// of the epoch), summed in double. CPU twin: CpuBackend.cost.
// OUT_SIGMOID: the logistic cost of every unit, without overflow: -log(sigmoid(z)) = softplus(-z) for the
// true class, -log(1 - sigmoid(z)) = softplus(z) for the others.
// OUT_SOFTMAX: the cross-entropy of each row, log(sum_j e^z_j) - z_label, its maximum subtracted first.
__device__ float softplus(float x) {
    return x > 0.0f ? x + log1pf(expf(-x)) : log1pf(expf(x));
}

extern "C" __global__ void __launch_bounds__(REDUCE_THREADS) cost(const float* z, const float* labels, int rows, int cols, int output,
                                                                  double* acc, int slot) {
    double sum = 0.0;
    if (output == OUT_SOFTMAX) {
        for (int r = threadIdx.x; r < rows; r += blockDim.x) {
            const float* row = z + (long)r * cols;
            float m = row[0];
            for (int j = 1; j < cols; j++) {
                m = fmaxf(m, row[j]);
            }
            float s = 0.0f;
            for (int j = 0; j < cols; j++) {
                s += expf(row[j] - m);
            }
            sum += m + logf(s) - row[(int)labels[r]];
        }
    } else {
        int n = rows * cols;
        for (int i = threadIdx.x; i < n; i += blockDim.x) {
            int r = i / cols;
            float v = z[i];
            sum += (i - r * cols) == (int)labels[r] ? softplus(-v) : softplus(v);
        }
    }
    sum = block_sum(sum);
    if (threadIdx.x == 0) {
        acc[slot] += sum;
    }
}
