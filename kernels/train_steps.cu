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
// Each unit j of the first layer belongs to one block (j = blockIdx.x, strided by the grid): its column of
// w0, b0[j], and column j of a1 and d1, so what reads only those waits for the block's threads, not the grid.
// Phases of a step of L layers, each ending with a grid barrier:
//   first layer (units by block):  a1 = act(x * w0 + b0); the output (as below) when L is 1
//   forward, per layer l >= 1:  a[l+1] = act(a[l] * w[l] + b[l]); the output layer's
//             a[L] = sigmoid(a[L-1] * w[L-1] + b[L-1]), d[L] = a[L] - onehot; with OUT_SOFTMAX the logits
//             first, then (after a barrier) softmax_row and the delta per row
//   backward, per layer l >= 2 from the top: d[l] = (d[l+1] * w[l]') .* act'(a[l])
// and a last phase with no grid barrier after it: the updates of the layers above the first, then per unit
// j of the first layer d1's column j = (d2 * row j of w1') .* act'(a1's column j), row j of w1's update (row
// j is read by unit j's delta only), and column j of w0's update and b0[j], which the next step's first
// phase reads in the same block. The update of layer l is w[l] = decay * w[l] - step * a[l]' * d[l+1] and
// b[l] -= step * column sums of d[l+1] (the sums in row order). `step` is eta, or eta / batch for the
// averaged gradient; decay is 1 - eta * l2. Launched with cuLaunchCooperativeKernel on a grid that is
// co-resident (CudaBackend). CPU twin: DeviceNet.trainStep on the cpu backend.
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

// Element (i, j) of a layer's update: w = decay * w - step * a' * d, a the layer's input (rows x in) and d
// the delta above it (rows x out).
__device__ void update_weight(float* w, const float* a, const float* d, int i, int j, int rows, int in, int out, float step,
                              float decay) {
    long e = (long)i * out + j;
    w[e] = decay * w[e] - step * dot4(a + i, in, d + j, out, rows);
}

// Bias j's update: b[j] -= step * column j's sum of d (rows x out), taken in row order.
__device__ void update_bias(float* b, const float* d, int j, int rows, int out, float step) {
    float sum = 0.0f;
    for (int r = 0; r < rows; r++) {
        sum += d[(long)r * out + j];
    }
    b[j] -= step * sum;
}

// Layer l's update from its input a (rows x in) and the delta above it (rows x out).
__device__ void update_layer(float* w, float* b, const float* a, const float* d, int rows, int in, int out, float step, float decay,
                             int thread, int threads) {
    for_each_output(in, out, [&](int i, int j) { update_weight(w, a, d, i, j, rows, in, out, step, decay); });
    for (int j = thread; j < out; j += threads) {
        update_bias(b, d, j, rows, out, step);
    }
}

extern "C" __global__ void train_steps(const float* x, const float* labels, float* w0, float* b0, float* w1, float* b1, float* w2,
                                       float* b2, float* a1, float* a2, float* a3, float* d1, float* d2, float* d3, int steps,
                                       int batch, int layers, int s0, int s1, int s2, int s3, float step, float decay, int act,
                                       int output_kind) {
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
            auto compute = [&](int r, int j) {
                long e = (long)r * cols + j;
                float z = dot4(from + (long)r * k, 1, w[l] + j, cols, k);
                if (l + 1 < last) {
                    a[l + 1][e] = activate(z + b[l][j], act);
                } else if (output_kind == OUT_SIGMOID) {
                    float v = activate(z + b[l][j], ACT_SIGMOID);
                    a[last][e] = v;
                    d[last][e] = v - ((int)y[r] == j ? 1.0f : 0.0f);
                } else {
                    a[last][e] = z;  // the bias is added by softmax_row
                }
            };
            if (l == 0) {
                for (int j = blockIdx.x; j < cols; j += gridDim.x) {
                    for (int r = threadIdx.x; r < batch; r += blockDim.x) {
                        compute(r, j);
                    }
                }
            } else {
                for_each_output(batch, cols, compute);
            }
            grid.sync();
        }
        if (output_kind == OUT_SOFTMAX) {
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
        for (int l = last - 1; l > 1; l--) {
            int cols = size[l], k = size[l + 1];
            for_each_output(batch, cols, [&](int r, int j) {
                long e = (long)r * cols + j;
                d[l][e] = dot4(d[l + 1] + (long)r * k, 1, w[l] + (long)j * k, 1, k) * derivative(a[l][e], act);
            });
            grid.sync();
        }
        // the last phase: no grid barrier follows it, since the next step's first phase reads only what the
        // same block wrote here (its units' columns of w0 and b0) and writes only what no other block reads here
        if (last > 2) {
            update_layer(w2, b2, a2, d3, batch, s2, s3, step, decay, thread, threads);
        }
        if (last > 1) {
            for (int j = thread; j < s2; j += threads) {
                update_bias(b1, d2, j, batch, s2, step);
            }
        }
        for (int j = blockIdx.x; j < s1; j += gridDim.x) {
            if (last > 1) {
                for (int r = threadIdx.x; r < batch; r += blockDim.x) {
                    long e = (long)r * s1 + j;
                    d1[e] = dot4(d2 + (long)r * s2, 1, w1 + (long)j * s2, 1, s2) * derivative(a1[e], act);
                }
                __syncthreads();  // row j of w1 read, column j of d1 written
                for (int c = threadIdx.x; c < s2; c += blockDim.x) {
                    update_weight(w1, a1, d2, j, c, batch, s1, s2, step, decay);
                }
            }
            for (int i = threadIdx.x; i < s0; i += blockDim.x) {
                update_weight(w0, in, d1, i, j, batch, s0, s1, step, decay);
            }
            if (threadIdx.x == 0) {
                update_bias(b0, d1, j, batch, s1, step);
            }
            __syncthreads();  // column j of w0 and b0[j] updated, a1's column j read: the next step may start on them
        }
    }
}
