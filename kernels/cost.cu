#include "activation.cuh"
#include "block_sum.cuh"
#include "memory_hints.cuh"
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

// The end of an evaluation, a thread a row, for networks of at most EVAL_OUTPUTS outputs: what the layer ops,
// cost and count_correct do after a layer's product, in one launch. z holds that product without the bias
// (rows x s1): with layers 1 it is the output layer's, and a row's logits are z + b0; with layers 2 it is the last
// hidden layer's, and the logits are act(z + b0) * w1 + b1 (s1 x s2; the products added in order of the hidden
// units, and every thread reads the same b0 and w1 at once). The row's cost (cost's terms, each in float, added in
// double; none when costSlot is negative) and whether its first maximum is its label add up per thread, then over
// the block, into acc[at + 2 * block] and acc[at + 2 * block + 1] (GpuBackend keeps these past an accumulator's
// slots), which add_partials then adds to the slots in block order: every sum in a fixed order. CPU twin:
// DeviceNet.evaluate through the layer ops, CpuBackend.cost and CpuBackend.countCorrect.
extern "C" __global__ void __launch_bounds__(BLOCK_THREADS) evaluate_rows(const float* z, const float* labels, const float* b0, const float* w1,
                                                                         const float* b1, int rows, int layers, int s1, int s2, int act,
                                                                         int output, int costSlot, double* acc, int at) {
    int n = layers == 1 ? s1 : s2;
    double cost = 0.0, correct = 0.0;
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < rows; r += gridDim.x * blockDim.x) {
        const float* zr = z + (long)r * s1;
        float o[EVAL_OUTPUTS];
        UNROLL
        for (int j = 0; j < EVAL_OUTPUTS; j++) {
            o[j] = layers == 1 && j < n ? zr[j] + b0[j] : 0.0f;
        }
        for (int k = 0; layers == 2 && k < s1; k++) {
            float a = activate(zr[k] + b0[k], act);
            const float* wk = w1 + (long)k * n;
            UNROLL
            for (int j = 0; j < EVAL_OUTPUTS; j++) {
                if (j < n) {
                    o[j] += a * wk[j];
                }
            }
        }
        int label = (int)labels[r], best = 0;
        UNROLL
        for (int j = 0; j < EVAL_OUTPUTS; j++) {
            o[j] += layers == 2 && j < n ? b1[j] : 0.0f;
        }
        float m = o[0], truth = o[0];
        UNROLL
        for (int j = 1; j < EVAL_OUTPUTS; j++) {
            if (j < n) {
                best = o[j] > m ? j : best;  // the first maximum, as argmax_row
                m = o[j] > m ? o[j] : m;
                truth = j == label ? o[j] : truth;
            }
        }
        correct += best == label ? 1.0 : 0.0;
        if (costSlot >= 0 && output == OUT_SOFTMAX) {
            float sum = 0.0f;
            UNROLL
            for (int j = 0; j < EVAL_OUTPUTS; j++) {
                sum += j < n ? expf(o[j] - m) : 0.0f;
            }
            cost += m + logf(sum) - truth;
        } else if (costSlot >= 0) {
            UNROLL
            for (int j = 0; j < EVAL_OUTPUTS; j++) {
                if (j < n) {
                    cost += j == label ? softplus(-o[j]) : softplus(o[j]);
                }
            }
        }
    }
    cost = block_sum(cost);
    __syncthreads();  // every thread has read the cost's sum: the next reuses the scratch
    correct = block_sum(correct);
    if (threadIdx.x == 0) {
        acc[at + 2 * blockIdx.x] = cost;
        acc[at + 2 * blockIdx.x + 1] = correct;
    }
}

// Adds evaluate_rows's blocks' sums (acc[at + 2 * b] and acc[at + 2 * b + 1], b < blocks) to acc[costSlot] (unless
// it is negative) and acc[correctSlot], in a fixed order; launched as one block.
extern "C" __global__ void __launch_bounds__(REDUCE_THREADS) add_partials(double* acc, int at, int blocks, int costSlot, int correctSlot) {
    double cost = 0.0, correct = 0.0;
    for (int b = threadIdx.x; b < blocks; b += blockDim.x) {
        cost += acc[at + 2 * b];
        correct += acc[at + 2 * b + 1];
    }
    cost = block_sum(cost);
    __syncthreads();  // as in evaluate_rows
    correct = block_sum(correct);
    if (threadIdx.x == 0) {
        if (costSlot >= 0) {
            acc[costSlot] += cost;
        }
        acc[correctSlot] += correct;
    }
}
