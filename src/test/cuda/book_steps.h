// The book's SGD step in doubles: the CPU reference the whole-steps kernels are checked against, by
// kernels_on_cpu.cpp (train_steps, cluster_steps) and by bench/ab/cluster_steps_timeline.cu before it times
// cluster_steps on a GPU. Reads layout.cuh's codes (ACT_*, OUT_*, LEAKY_SLOPE), which come first.
#pragma once
#include <algorithm>
#include <cmath>
#include <vector>

static inline double sigmoid(double v) { return 1 / (1 + std::exp(-v)); }

static inline double activation(double v, int act) {
    switch (act) {
    case ACT_SIGMOID: return sigmoid(v);
    case ACT_TANH: return std::tanh(v);
    case ACT_RELU: return v > 0 ? v : 0;
    case ACT_LEAKY_RELU: return v > 0 ? v : LEAKY_SLOPE * v;
    default: return v;
    }
}

static inline double slope(double a, int act) {
    switch (act) {
    case ACT_SIGMOID: return a * (1 - a);
    case ACT_TANH: return 1 - a * a;
    case ACT_RELU: return a > 0 ? 1 : 0;
    case ACT_LEAKY_RELU: return a > 0 ? 1 : LEAKY_SLOPE;
    default: return 1;
    }
}

// The book's step in doubles, `steps` times, on rows [s * batch, (s + 1) * batch) of x and y: forward, delta,
// backprop through the weights as they were, then every layer's update, on ww and wb (size: the layers' widths, 0
// past the last); the last step's activations and deltas (va[l], vd[l] for layer l's output) are left in va and vd.
static inline void bookSteps(const std::vector<int>& size, int layers, int batch, int steps, int act, int output, const std::vector<float>& x,
                             const std::vector<float>& y, float eta, float decay, std::vector<std::vector<double>>& ww,
                             std::vector<std::vector<double>>& wb, std::vector<std::vector<double>>& va, std::vector<std::vector<double>>& vd) {
    for (int s = 0; s < steps; s++) {
        va.assign(4, {});
        vd.assign(4, {});
        va[0].assign(x.begin() + (long)s * batch * size[0], x.begin() + (long)(s + 1) * batch * size[0]);
        for (int l = 0; l < layers; l++) {
            int k = size[l], cols = size[l + 1];
            va[l + 1].assign(batch * cols, 0);
            for (int r = 0; r < batch; r++) {
                for (int j = 0; j < cols; j++) {
                    double z = wb[l][j];
                    for (int p = 0; p < k; p++) z += va[l][r * k + p] * ww[l][p * cols + j];
                    va[l + 1][r * cols + j] = l + 1 < layers ? activation(z, act) : output == OUT_SIGMOID ? sigmoid(z) : z;
                }
                if (l + 1 == layers && output == OUT_SOFTMAX) {
                    double m = -1e300, sum = 0;
                    for (int j = 0; j < cols; j++) m = std::max(m, va[l + 1][r * cols + j]);
                    for (int j = 0; j < cols; j++) sum += std::exp(va[l + 1][r * cols + j] - m);
                    for (int j = 0; j < cols; j++) va[l + 1][r * cols + j] = std::exp(va[l + 1][r * cols + j] - m) / sum;
                }
            }
        }
        int out = size[layers];
        vd[layers].assign(batch * out, 0);
        for (int r = 0; r < batch; r++) {
            for (int j = 0; j < out; j++) vd[layers][r * out + j] = va[layers][r * out + j] - ((int)y[s * batch + r] == j);
        }
        for (int l = layers - 1; l > 0; l--) {
            int cols = size[l], k = size[l + 1];
            vd[l].assign(batch * cols, 0);
            for (int r = 0; r < batch; r++) {
                for (int j = 0; j < cols; j++) {
                    double g = 0;
                    for (int p = 0; p < k; p++) g += vd[l + 1][r * k + p] * ww[l][j * k + p];
                    vd[l][r * cols + j] = g * slope(va[l][r * cols + j], act);
                }
            }
        }
        for (int l = 0; l < layers; l++) {
            int in = size[l], o = size[l + 1];
            for (int i = 0; i < in; i++) {
                for (int j = 0; j < o; j++) {
                    double g = 0;
                    for (int r = 0; r < batch; r++) g += va[l][r * in + i] * vd[l + 1][r * o + j];
                    ww[l][i * o + j] = decay * ww[l][i * o + j] - eta * g;
                }
            }
            for (int j = 0; j < o; j++) {
                double g = 0;
                for (int r = 0; r < batch; r++) g += vd[l + 1][r * o + j];
                wb[l][j] -= eta * g;
            }
        }
    }
}

// Steps with the first layer's updates deferred over blocks of k steps (kernels/deferred_steps.cu), the products
// around each block taken here in doubles: before a block (the last may be shorter), p = x_b w0 and g = x_b x_b'
// (its rows of x, s0 wide, as floats) for run(p, g, its first step, its steps), which takes the block's steps and
// returns ds, their first layer's deltas as the kernel scales them; after it, w0 = decay^steps w0 - eta x_b' ds.
template <class Run>
static void deferredBlocks(int s0, int s1, int batch, int steps, int k, const std::vector<float>& x, float eta, float decay,
                           std::vector<double>& w0, Run run) {
    for (int first = 0; first < steps; first += k) {
        int n = std::min(k, steps - first);
        long rows = (long)n * batch;
        const float* xb = x.data() + (long)first * batch * s0;
        std::vector<float> p(rows * s1), g(rows * rows);
        for (long r = 0; r < rows; r++) {
            for (int j = 0; j < s1; j++) {
                double z = 0;
                for (int q = 0; q < s0; q++) z += (double)xb[r * s0 + q] * w0[(size_t)q * s1 + j];
                p[r * s1 + j] = (float)z;
            }
            for (long c = 0; c < rows; c++) {
                double z = 0;
                for (int q = 0; q < s0; q++) z += (double)xb[r * s0 + q] * xb[c * s0 + q];
                g[r * rows + c] = (float)z;
            }
        }
        std::vector<float> ds = run(p, g, first, n);
        double keep = std::pow((double)decay, n);
        for (int q = 0; q < s0; q++) {
            for (int j = 0; j < s1; j++) {
                double sum = 0;
                for (long r = 0; r < rows; r++) sum += (double)xb[r * s0 + q] * ds[r * s1 + j];
                w0[(size_t)q * s1 + j] = keep * w0[(size_t)q * s1 + j] - eta * sum;
            }
        }
    }
}
