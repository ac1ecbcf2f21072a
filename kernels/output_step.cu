#include "column_sum.cuh"
#include "layout.cuh"
#include "strided_dot.cuh"
// The output layer's forward end and backward start in one pass:
//   a = sigmoid(z + bias) (written over z), delta = a - onehot(label), bias[j] -= eta * sum_r delta[r][j];
// with OUT_SOFTMAX, z already holds the softmax of z + bias (softmax_rows), so a = z: softmax under the
// cross-entropy has the same delta, a - onehot.
// With k > 0 the layer's product is folded in (outputLayerStep), one graph node instead of a GEMM and
// this: first z = x * w (x rows x k, w k x cols), every thread of the block taking some of its columns'
// outputs (the book's output layer is only 10 wide), then the step as above. With k = 0, x and w are not
// read, unless slices > 0: then x holds the layer's product in that many partial sums over slices of its k
// (rows x cols each), added here in slice order first (cuBLAS leaves none: CudaBackend passes 0; OpenCL's
// split k does). Launched with blocks of 32 x 32 threads over column tiles (column_sum.cuh).
// CPU twin: CpuBackend.outputStep (after CpuBackend.gemm when k > 0).
extern "C" __global__ void __launch_bounds__(STEP_THREADS) output_step(const float* x, const float* w, int k, float* __restrict__ z,
                                       float* __restrict__ bias, const float* __restrict__ labels,
                                       float eta, float* __restrict__ delta, int rows, int cols, int output, int slices) {
    int j0 = blockIdx.x * COLS_PER_BLOCK, width = min(COLS_PER_BLOCK, cols - j0);
    for (int e = threadIdx.y * COLS_PER_BLOCK + threadIdx.x; k > 0 && e < rows * width; e += COLS_PER_BLOCK * ROW_GROUPS) {
        int r = e / width, jj = j0 + e % width;
        z[(long)r * cols + jj] = strided_dot(x + (long)r * k, 1, w + jj, cols, k);
    }
    __syncthreads();
    int j = j0 + threadIdx.x;
    float sum = 0.0f;
    if (j < cols) {
        float b = bias[j];
        for (int r = threadIdx.y; r < rows; r += ROW_GROUPS) {
            int i = r * cols + j;
            float zv = slices > 0 ? 0.0f : z[i];
            for (int s = 0; s < slices; s++) {
                zv += x[((long)s * rows + r) * cols + j];
            }
            float a = output == OUT_SOFTMAX ? zv : 1.0f / (1.0f + expf(-(zv + b)));
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
