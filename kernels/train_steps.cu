#include <cooperative_groups.h>
#include "activation.cuh"
#include "layout.cuh"
#include "softmax_row.cuh"
// Whole SGD steps of the book (DeviceNet.trainStep) in one cooperative launch, for networks so small that
// launches, not arithmetic, cost the time: every block stays resident for all `steps` minibatches, and a
// grid-wide barrier separates the phases of a step, so a step costs a few barriers instead of a graph node
// per op. Up to three layers (w0..w2; sizes s0..s3, unused ones 0, their pointers unread). Step s reads
// rows [s * batch, (s + 1) * batch) of x and labels (the epoch's gathered minibatches); the activations
// a1..a3 and the deltas d1..d3 are batch x s1..s3 scratch in global memory (L2-resident at these sizes).
// Phases of a step of L layers, each a grid-stride loop over its outputs, then a barrier:
//   forward, per hidden layer l:  a[l+1] = act(a[l] * w[l] + b[l])
//   output:   a[L] = sigmoid(a[L-1] * w[L-1] + b[L-1]), d[L] = a[L] - onehot; with OUT_SOFTMAX the logits
//             first, then (after a barrier) softmax_row and the delta per row
//   backward, per hidden layer l from the top: d[l] = (d[l+1] * w[l]') .* act'(a[l]), and the update of
//             layer l + 1 (whose weights no later phase of the step reads)
//   last:     the updates of layers 1 and 0
// where the update of layer l is w[l] = decay * w[l] - step * a[l]' * d[l+1] and b[l] -= step * column
// sums of d[l+1] (the sums in row order). `step` is eta, or eta / batch for the averaged gradient; decay is
// 1 - eta * l2. Launched with cuLaunchCooperativeKernel on a grid that is co-resident (CudaBackend).
// CPU twin: DeviceNet.trainStep on the cpu backend.
namespace cg = cooperative_groups;

// Calls f(r, j) once for every output of a rows x cols phase: a block takes a tile of outputs at a time (up to
// 16 columns wide, so a warp reads consecutive floats of a row-major operand, and as many rows as its threads
// allow, so the tile's rows and columns of the operands are read from L2 once per block), tiles strided over
// the grid.
template <class F> __device__ void for_each_output(int rows, int cols, F f) {
    int tw = min(16, (int)blockDim.x), th = blockDim.x / tw;
    int across = (cols + tw - 1) / tw, tiles = (rows + th - 1) / th * across;
    for (int t = blockIdx.x; t < tiles; t += gridDim.x) {
        int r = t / across * th + threadIdx.x / tw, j = t % across * tw + threadIdx.x % tw;
        if (threadIdx.x < th * tw && r < rows && j < cols) {
            f(r, j);
        }
    }
}

// sum_p a[p * aStride] * b[p * bStride] for p < n in four interleaved chains, so a long dot (784 for the
// book's first layer) waits on a quarter of the multiply-adds in sequence.
__device__ float dot4(const float* a, int aStride, const float* b, int bStride, int n) {
    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
    int p = 0;
    for (; p + 4 <= n; p += 4) {
        s0 += a[(long)p * aStride] * b[(long)p * bStride];
        s1 += a[(long)(p + 1) * aStride] * b[(long)(p + 1) * bStride];
        s2 += a[(long)(p + 2) * aStride] * b[(long)(p + 2) * bStride];
        s3 += a[(long)(p + 3) * aStride] * b[(long)(p + 3) * bStride];
    }
    for (; p < n; p++) {
        s0 += a[(long)p * aStride] * b[(long)p * bStride];
    }
    return (s0 + s1) + (s2 + s3);
}

// Layer l's update from its input a (rows x in) and the delta above it (rows x out).
__device__ void update_layer(float* w, float* b, const float* a, const float* d, int rows, int in, int out, float step, float decay,
                             int thread, int threads) {
    for_each_output(in, out, [&](int i, int j) {
        long e = (long)i * out + j;
        w[e] = decay * w[e] - step * dot4(a + i, in, d + j, out, rows);
    });
    for (int j = thread; j < out; j += threads) {
        float sum = 0.0f;
        for (int r = 0; r < rows; r++) {
            sum += d[(long)r * out + j];
        }
        b[j] -= step * sum;
    }
}

extern "C" __global__ void train_steps(const float* x, const float* labels, float* w0, float* b0, float* w1, float* b1, float* w2,
                                       float* b2, float* a1, float* a2, float* a3, float* d1, float* d2, float* d3, int steps,
                                       int batch, int layers, int s0, int s1, int s2, int s3, float step, float decay, int act,
                                       int output) {
    cg::grid_group grid = cg::this_grid();
    int thread = blockIdx.x * blockDim.x + threadIdx.x, threads = gridDim.x * blockDim.x;
    float* w[3] = {w0, w1, w2};
    float* b[3] = {b0, b1, b2};
    float* a[4] = {nullptr, a1, a2, a3};
    float* d[4] = {nullptr, d1, d2, d3};
    int size[4] = {s0, s1, s2, s3};
    int last = layers;  // a[last] is the output
    for (int s = 0; s < steps; s++) {
        const float* in = x + (long)s * batch * s0;
        const float* y = labels + (long)s * batch;
        for (int l = 0; l < last; l++) {
            const float* from = l == 0 ? in : a[l];
            int k = size[l], cols = size[l + 1];
            bool out = l + 1 == last;
            for_each_output(batch, cols, [&](int r, int j) {
                long e = (long)r * cols + j;
                float z = dot4(from + (long)r * k, 1, w[l] + j, cols, k);
                if (!out) {
                    a[l + 1][e] = activate(z + b[l][j], act);
                } else if (output == OUT_SIGMOID) {
                    float v = activate(z + b[l][j], ACT_SIGMOID);
                    a[last][e] = v;
                    d[last][e] = v - ((int)y[r] == j ? 1.0f : 0.0f);
                } else {
                    a[last][e] = z;  // the bias is added by softmax_row
                }
            });
            grid.sync();
        }
        if (output == OUT_SOFTMAX) {
            int cols = size[last];
            for (int r = thread; r < batch; r += threads) {
                float* row = a[last] + (long)r * cols;
                softmax_row(row, b[last - 1], cols);
                for (int j = 0; j < cols; j++) {
                    d[last][(long)r * cols + j] = row[j] - ((int)y[r] == j ? 1.0f : 0.0f);
                }
            }
            grid.sync();
        }
        for (int l = last - 1; l > 0; l--) {
            int cols = size[l], k = size[l + 1];
            for_each_output(batch, cols, [&](int r, int j) {
                long e = (long)r * cols + j;
                d[l][e] = dot4(d[l + 1] + (long)r * k, 1, w[l] + (long)j * k, 1, k) * derivative(a[l][e], act);
            });
            if (l + 1 < last) {
                update_layer(w[l + 1], b[l + 1], a[l + 1], d[l + 2], batch, size[l + 1], size[l + 2], step, decay, thread, threads);
            }
            grid.sync();
        }
        if (last > 1) {
            update_layer(w[1], b[1], a[1], d[2], batch, s1, s2, step, decay, thread, threads);
        }
        update_layer(w0, b0, in, d1, batch, s0, s1, step, decay, thread, threads);
        grid.sync();
    }
}
