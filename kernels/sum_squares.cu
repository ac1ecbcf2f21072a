#include "block_sum.cuh"
// Sum of squared elements (the L2 term's sum over a weight matrix), added to acc[slot]; one block.
// CPU twin: CpuBackend.sumOfSquares.
extern "C" __global__ void __launch_bounds__(REDUCE_THREADS) sum_squares(const float* m, int n, double* acc, int slot) {
    double sum = 0.0;
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        double v = m[i];
        sum += v * v;
    }
    sum = block_sum(sum);
    if (threadIdx.x == 0) {
        acc[slot] += sum;
    }
}
