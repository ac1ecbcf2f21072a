#include "column_sum.cuh"
// Backprop through a hidden sigmoid layer: the sigmoid derivative turns the back-propagated error g into the
// layer's delta, g *= a * (1 - a), and the bias takes its SGD step, bias[j] -= eta * sum_r g[r][j].
// Launched with blocks of 32 x 32 threads over column tiles (column_sum.cuh). CPU twin: CpuBackend.hiddenStep.
extern "C" __global__ void hidden_step(float* __restrict__ g, const float* __restrict__ a, float eta,
                                       float* __restrict__ bias, int rows, int cols) {
    int j = blockIdx.x * COLS_PER_BLOCK + threadIdx.x;
    float sum = 0.0f;
    if (j < cols) {
        for (int r = threadIdx.y; r < rows; r += ROW_GROUPS) {
            int i = r * cols + j;
            float v = a[i];
            float d = g[i] * (v * (1.0f - v));
            g[i] = d;
            sum += d;
        }
    }
    sum = column_sum(sum);
    if (threadIdx.y == 0 && j < cols) {
        bias[j] -= eta * sum;
    }
}
