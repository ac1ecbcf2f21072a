#include "softmax_row.cuh"
// The softmax output's forward end, a row per thread: z = softmax(z + bias) row by row. Runs before
// output_step with OUT_SOFTMAX. CPU twin: CpuBackend.outputStep's softmax.
extern "C" __global__ void softmax_rows(float* z, const float* bias, int rows, int cols) {
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < rows; r += gridDim.x * blockDim.x) {
        softmax_row(z + (long)r * cols, bias, cols);
    }
}
