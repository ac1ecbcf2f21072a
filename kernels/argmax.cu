#include "block_sum.cuh"
// Row argmax (first maximum), alone for predictions and fused with the label comparison for accuracy.
// CPU twins: CpuBackend.rowArgmax and CpuBackend.countCorrect.
__device__ int argmax_row(const float* z, int r, int cols) {
    const float* row = z + (long)r * cols;
    int best = 0;
    for (int j = 1; j < cols; j++) {
        if (row[j] > row[best]) {
            best = j;
        }
    }
    return best;
}

extern "C" __global__ void row_argmax(const float* z, float* out, int rows, int cols) {
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < rows; r += gridDim.x * blockDim.x) {
        out[r] = (float)argmax_row(z, r, cols);
    }
}

// Adds the number of rows whose argmax equals the label to acc[slot]; launched as one block.
extern "C" __global__ void __launch_bounds__(REDUCE_THREADS) count_correct(const float* z, const float* labels, int rows, int cols, double* acc, int slot) {
    double hits = 0.0;
    for (int r = threadIdx.x; r < rows; r += blockDim.x) {
        hits += argmax_row(z, r, cols) == (int)labels[r] ? 1.0 : 0.0;
    }
    hits = block_sum(hits);
    if (threadIdx.x == 0) {
        acc[slot] += hits;
    }
}
