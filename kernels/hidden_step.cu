#include "activation.cuh"
#include "column_sum.cuh"
#include "strided_dot.cuh"
// Backprop through a hidden layer: the activation's derivative (from its value a) turns the back-propagated
// error g into the layer's delta, g *= derivative(a, act), and the bias takes its SGD step,
// bias[j] -= eta * sum_r g[r][j].
// With k > 0 the weights above the layer are folded in (hiddenLayerStep), one graph node instead of two
// GEMMs and this: g = dNext * wNext' (dNext rows x k, wNext cols x k) is computed here rather than read,
// then the block's rows of wNext (its columns j, which no other block reads) take their step
// wNext = decay * wNext - eta * a' * dNext. With k = 0, dNext and wNext are not read, unless slices > 0: then
// dNext holds g in that many partial sums over slices of its k (rows x cols each), added here in slice order
// first (cuBLAS leaves none: CudaBackend passes 0; OpenCL's split k does).
// Launched with blocks of 32 x 32 threads over column tiles (column_sum.cuh).
// CPU twin: CpuBackend.hiddenStep (after CpuBackend.gemm twice when k > 0).
extern "C" __global__ void __launch_bounds__(STEP_THREADS) hidden_step(const float* dNext, float* wNext, int k, float decay, float* __restrict__ g,
                                       const float* __restrict__ a, float eta, float* __restrict__ bias, int rows, int cols, int act,
                                       int slices) {
    int j = blockIdx.x * COLS_PER_BLOCK + threadIdx.x;
    float sum = 0.0f;
    if (j < cols) {
        for (int r = threadIdx.y; r < rows; r += ROW_GROUPS) {
            int i = r * cols + j;
            float v = a[i];
            float back = k > 0 || slices > 0 ? 0.0f : g[i];
            for (int s = 0; s < slices; s++) {
                back += dNext[(long)s * rows * cols + i];
            }
            if (k > 0) {
                back = strided_dot(dNext + (long)r * k, 1, wNext + (long)j * k, 1, k);
            }
            float d = back * derivative(v, act);
            g[i] = d;
            sum += d;
        }
    }
    sum = column_sum(sum);  // its barriers also end every thread's reads of wNext above
    if (threadIdx.y == 0 && j < cols) {
        bias[j] -= eta * sum;
    }
    int j0 = blockIdx.x * COLS_PER_BLOCK;
    for (int e = threadIdx.y * COLS_PER_BLOCK + threadIdx.x; e < COLS_PER_BLOCK * k; e += COLS_PER_BLOCK * ROW_GROUPS) {
        int jj = j0 + e / k, p = e % k;
        if (jj < cols) {
            float grad = strided_dot(a + jj, cols, dNext + p, k, rows);
            long w = (long)jj * k + p;
            wNext[w] = decay * wNext[w] - eta * grad;
        }
    }
}
