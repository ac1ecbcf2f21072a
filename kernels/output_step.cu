#include "column_sum.cuh"
#include "strided_dot.cuh"
// The output layer's forward end and backward start in one pass:
//   a = sigmoid(z + bias) (written over z), delta = a - onehot(label), bias[j] -= eta * sum_r delta[r][j].
// With k > 0 the layer's product is folded in: z = x * w (x rows x k, w k x cols) is computed here rather
// than read, one graph node instead of a GEMM and this (outputLayerStep); with k = 0, x and w are not read.
// Launched with blocks of 32 x 32 threads over column tiles (column_sum.cuh).
// CPU twin: CpuBackend.outputStep (after CpuBackend.gemm when k > 0).
extern "C" __global__ void output_step(const float* x, const float* w, int k, float* __restrict__ z,
                                       float* __restrict__ bias, const float* __restrict__ labels,
                                       float eta, float* __restrict__ delta, int rows, int cols) {
    int j = blockIdx.x * COLS_PER_BLOCK + threadIdx.x;
    float sum = 0.0f;
    if (j < cols) {
        float b = bias[j];
        for (int r = threadIdx.y; r < rows; r += ROW_GROUPS) {
            int i = r * cols + j;
            float pre = k > 0 ? strided_dot(x + (long)r * k, 1, w + j, cols, k) : z[i];
            float a = 1.0f / (1.0f + expf(-(pre + b)));
            z[i] = a;
            float d = a - ((int)labels[r] == j ? 1.0f : 0.0f);
            delta[i] = d;
            sum += d;
        }
    }
    sum = column_sum(sum);
    if (threadIdx.y == 0 && j < cols) {
        bias[j] -= eta * sum;
    }
}
