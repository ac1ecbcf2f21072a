// Every CUDA kernel in kernels/*.cu, run on the CPU through block_emulator.h and checked against a
// double-precision loop of its definition (the math of its CpuBackend twin), on odd shapes. Each is
// launched as CudaBackend launches it: elementwise grids of 256-thread blocks (the gathers a thread per
// GATHER_RUN elements), the step kernels over 32 x 32 blocks of columns, the reductions as one block of 1024.
// Prints one line per check; exits 1 when any error exceeds its tolerance.
#include "block_emulator.h"
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include "all_kernels.h"
#include "book_steps.h"

static int failures = 0;

// Under racecheck (built with ThreadSanitizer, block_emulator.h) a cooperative launch of more threads than it holds is
// skipped, with a line that says so.
static bool racecheckSkips(const std::string& what, size_t threads) {
    if (threads <= emulator::COOPERATIVE_THREADS) {
        return false;
    }
    printf("skip %s: %zu threads at once, more than racecheck holds\n", what.c_str(), threads);
    return true;
}

static float uniform() { return (float)rand() / RAND_MAX * 2 - 1; }

static std::vector<float> uniforms(int n, float scale = 1) {
    std::vector<float> v(n);
    for (auto& x : v) x = scale * uniform();
    return v;
}

static std::vector<float> labels(int rows, int classes) {
    std::vector<float> v(rows);
    for (auto& x : v) x = rand() % classes;
    return v;
}

// A NaN anywhere fails (std::max would pass over it): a kernel that reads what no thread wrote gets the
// emulator's NaNs.
static void check(const std::string& what, const std::vector<float>& got, const std::vector<double>& want, double tol) {
    double err = 0;
    size_t nans = 0;
    for (size_t i = 0; i < got.size(); i++) {
        double e = std::fabs(got[i] - want[i]) / std::max(1.0, std::fabs(want[i]));
        nans += std::isnan(e);
        err = std::max(err, e);
    }
    bool ok = got.size() == want.size() && nans == 0 && err <= tol;
    failures += !ok;
    printf("%s %s%s: max relative error %.2e%s\n", ok ? "ok  " : "FAIL", what.c_str(), emulator::reverse ? ", reversed" : "", err,
           nans ? (", " + std::to_string(nans) + " NaN").c_str() : "");
}

static std::string shape(int a, int b) { return " " + std::to_string(a) + "x" + std::to_string(b); }

static std::string shape(int a, int b, int c) { return shape(a, b) + "x" + std::to_string(c); }

static Dim3 elementwise(long n) { return {(unsigned)std::min((n + 255) / 256, 65535L), 1, 1}; }

static Dim3 columns(int cols) { return {(unsigned)(cols + COLS_PER_BLOCK - 1) / COLS_PER_BLOCK, 1, 1}; }

// blocks: the grid's, where not CudaBackend's (fewer, so that each thread strides past its first GATHER_RUN elements)
static void gatherTest(int count, int rows, int features, int offset, unsigned blocks = 0) {
    std::vector<unsigned char> pixels(count * features), y(count);
    for (auto& p : pixels) p = rand() % 256;
    for (auto& l : y) l = rand() % 10;
    std::vector<int> order(count);
    for (int i = 0; i < count; i++) order[i] = (i * 7 + 3) % count;
    std::vector<float> x(rows * features), lab(rows);
    std::vector<double> wx(rows * features), wl(rows);
    for (int r = 0; r < rows; r++) {
        int e = order[offset + r];
        for (int f = 0; f < features; f++) wx[r * features + f] = (pixels[e * features + f] / 255.0 - 0.5) * 2;
        wl[r] = y[e];
    }
    Dim3 grid = blocks > 0 ? Dim3{blocks, 1, 1} : elementwise(((long)rows * features + GATHER_RUN - 1) / GATHER_RUN);
    launch(grid, {256, 1, 1}, [&] { gather(pixels.data(), y.data(), order.data(), offset, rows, features, x.data(), lab.data()); });
    check("gather" + shape(rows, features) + " pixels", x, wx, 1e-6);
    check("gather" + shape(rows, features) + " labels", lab, wl, 0);
}

static void gatherFeaturesTest(int count, int rows, int width, int offset) {
    std::vector<float> features = uniforms(count * width, 3);
    std::vector<int> y(count), order(count);
    for (int i = 0; i < count; i++) {
        y[i] = rand() % 5000;
        order[i] = (i * 7 + 3) % count;
    }
    std::vector<float> x(rows * width), lab(rows);
    std::vector<double> wx(rows * width), wl(rows);
    for (int r = 0; r < rows; r++) {
        int e = order[offset + r];
        for (int f = 0; f < width; f++) wx[r * width + f] = features[e * width + f];
        wl[r] = y[e];
    }
    launch(elementwise(((long)rows * width + GATHER_RUN - 1) / GATHER_RUN), {256, 1, 1}, [&] { gather_features(features.data(), y.data(), order.data(), offset, rows, width, x.data(), lab.data()); });
    check("gather_features" + shape(rows, width) + " features", x, wx, 0);
    check("gather_features" + shape(rows, width) + " labels", lab, wl, 0);
}

static const char* ACTS[] = {"identity", "sigmoid", "tanh", "relu", "leaky-relu"};

static void biasTests(int rows, int cols) {
    std::vector<float> z = uniforms(rows * cols, 4), bias = uniforms(cols);
    for (int act = ACT_IDENTITY; act <= ACT_LEAKY_RELU; act++) {
        std::vector<float> a = z;
        std::vector<double> want(rows * cols);
        for (int i = 0; i < rows * cols; i++) want[i] = activation(z[i] + bias[i % cols], act);
        launch(elementwise(rows * cols), {256, 1, 1}, [&] { bias_activation(a.data(), bias.data(), rows, cols, act); });
        check(std::string("bias_activation ") + ACTS[act] + shape(rows, cols), a, want, 1e-6);
    }
    std::vector<float> soft = z;
    std::vector<double> ws(rows * cols);
    for (int r = 0; r < rows; r++) {
        double sum = 0;
        for (int j = 0; j < cols; j++) sum += std::exp(z[r * cols + j] + bias[j]);
        for (int j = 0; j < cols; j++) ws[r * cols + j] = std::exp(z[r * cols + j] + bias[j]) / sum;
    }
    launch(elementwise(rows), {256, 1, 1}, [&] { softmax_rows(soft.data(), bias.data(), rows, cols); });
    check("softmax_rows" + shape(rows, cols), soft, ws, 1e-6);
}

static void reductionTests(int rows, int cols) {
    std::vector<float> z = uniforms(rows * cols, 5), y = labels(rows, cols), classes(rows);
    for (int r = 0; r < rows; r += 2) z[r * cols + (int)y[r]] = 10;  // some rows right, so hits are counted
    std::vector<double> wc(rows), hits(1), logistic(1), squares(1), entropy(1);
    for (int r = 0; r < rows; r++) {
        double sum = 0;
        for (int j = 0; j < cols; j++) sum += std::exp((double)z[r * cols + j]);
        entropy[0] += std::log(sum) - z[r * cols + (int)y[r]];
        int best = 0;
        for (int j = 1; j < cols; j++) best = z[r * cols + j] > z[r * cols + best] ? j : best;
        wc[r] = best;
        hits[0] += best == (int)y[r];
        for (int j = 0; j < cols; j++) {
            double v = z[r * cols + j];
            logistic[0] += j == (int)y[r] ? std::log1p(std::exp(-v)) : std::log1p(std::exp(v));
            squares[0] += v * v;
        }
    }
    launch(elementwise(rows), {256, 1, 1}, [&] { row_argmax(z.data(), classes.data(), rows, cols); });
    check("row_argmax" + shape(rows, cols), classes, wc, 0);
    std::vector<double> acc = {0.5, 0.25, 0.125, 0.0625};  // each kernel adds to its slot
    launch({1, 1, 1}, {REDUCE_THREADS, 1, 1}, [&] { count_correct(z.data(), y.data(), rows, cols, acc.data(), 0); });
    launch({1, 1, 1}, {REDUCE_THREADS, 1, 1}, [&] { cost(z.data(), y.data(), rows, cols, OUT_SIGMOID, acc.data(), 1); });
    launch({1, 1, 1}, {REDUCE_THREADS, 1, 1}, [&] { cost(z.data(), y.data(), rows, cols, OUT_SOFTMAX, acc.data(), 3); });
    launch({1, 1, 1}, {REDUCE_THREADS, 1, 1}, [&] { sum_squares(z.data(), rows * cols, acc.data(), 2); });
    check("count_correct" + shape(rows, cols), {(float)(acc[0] - 0.5)}, hits, 0);
    check("cost sigmoid" + shape(rows, cols), {(float)(acc[1] - 0.25)}, logistic, 1e-5);
    check("cost softmax" + shape(rows, cols), {(float)(acc[3] - 0.0625)}, entropy, 1e-5);
    check("sum_squares" + shape(rows, cols), {(float)(acc[2] - 0.125)}, squares, 1e-5);
}

// evaluate_rows then add_partials, as GpuBackend.evaluate launches them after a layer's product z (rows x
// s1): one layer (logits z + b0, s2 unused) or two (act(z + b0) w1 + b1), on `blocks` blocks of 256 threads (fewer
// than a thread a row walks the rows in strides); the sums added to slots already holding values
static void evaluateRowsTest(int rows, int s1, int s2, int layers, int act, int output, unsigned blocks) {
    int n = layers == 1 ? s1 : s2;
    auto z = uniforms(rows * s1, 2), b0 = uniforms(s1), w1 = uniforms(s1 * n), b1 = uniforms(n), y = labels(rows, n);
    std::vector<double> cost(1), hits(1);
    for (int r = 0; r < rows; r++) {
        std::vector<double> o(n);
        for (int j = 0; j < n; j++) {
            if (layers == 1) {
                o[j] = (double)z[r * s1 + j] + b0[j];
                continue;
            }
            double sum = b1[j];
            for (int k = 0; k < s1; k++) sum += activation(z[r * s1 + k] + (double)b0[k], act) * w1[k * n + j];
            o[j] = sum;
        }
        int label = (int)y[r], best = 0;
        for (int j = 1; j < n; j++) best = o[j] > o[best] ? j : best;
        hits[0] += best == label;
        double m = o[best], e = 0;
        for (int j = 0; j < n; j++) e += std::exp(o[j] - m);
        for (int j = 0; output == OUT_SIGMOID && j < n; j++) cost[0] += j == label ? std::log1p(std::exp(-o[j])) : std::log1p(std::exp(o[j]));
        if (output == OUT_SOFTMAX) cost[0] += m + std::log(e) - o[label];
    }
    std::vector<double> acc(4 + 2 * blocks, std::nan(""));  // the blocks' sums past the slots, as GpuBackend's accumulators
    acc[0] = 0.5, acc[1] = 0.25, acc[2] = 0.125, acc[3] = 0.0625;
    launch({blocks, 1, 1}, {256, 1, 1}, [&] {
        evaluate_rows(z.data(), y.data(), b0.data(), w1.data(), b1.data(), rows, layers, s1, n, act, output, 0, acc.data(), 4);
    });
    launch({1, 1, 1}, {REDUCE_THREADS, 1, 1}, [&] { add_partials(acc.data(), 4, blocks, 0, 2); });
    launch({blocks, 1, 1}, {256, 1, 1}, [&] {
        evaluate_rows(z.data(), y.data(), b0.data(), w1.data(), b1.data(), rows, layers, s1, n, act, output, -1, acc.data(), 4);
    });
    launch({1, 1, 1}, {REDUCE_THREADS, 1, 1}, [&] { add_partials(acc.data(), 4, blocks, -1, 3); });
    std::string what = " " + std::to_string(layers) + " layers" + shape(rows, s1, n) + (output == OUT_SOFTMAX ? " softmax" : " sigmoid");
    check("evaluate_rows cost" + what, {(float)(acc[0] - 0.5)}, cost, 1e-5);
    check("evaluate_rows correct" + what, {(float)(acc[2] - 0.125), (float)(acc[3] - 0.0625)}, {hits[0], hits[0]}, 0);
    check("add_partials into the slots named, not slot 1" + what, {(float)acc[1]}, {0.25}, 0);
}

// output_step: with k > 0, z = x w first (x rows x k, w k x cols); with k = 0, z holds the pre-activation, or with
// slices > 0 x holds it in that many partial sums (rows x cols each)
static void outputStepTest(int rows, int k, int cols, int slices = 0) {
    std::vector<float> x = uniforms(slices > 0 ? slices * rows * cols : rows * k), w = uniforms(k * cols, 0.3f), bias = uniforms(cols);
    std::vector<float> y = labels(rows, cols), z = uniforms(rows * cols), delta(rows * cols);
    std::vector<double> wz(rows * cols), wd(rows * cols), wb(bias.begin(), bias.end());
    float eta = 0.05f;
    for (int r = 0; r < rows; r++) {
        for (int j = 0; j < cols; j++) {
            double pre = k > 0 || slices > 0 ? 0 : z[r * cols + j];
            for (int p = 0; p < k; p++) pre += (double)x[r * k + p] * w[p * cols + j];
            for (int q = 0; q < slices; q++) pre += x[(q * rows + r) * cols + j];
            wz[r * cols + j] = sigmoid(pre + bias[j]);
            wd[r * cols + j] = wz[r * cols + j] - ((int)y[r] == j);
            wb[j] -= eta * wd[r * cols + j];
        }
    }
    float* xs = k > 0 || slices > 0 ? x.data() : z.data();
    float* ws = k > 0 ? w.data() : xs;
    launch(columns(cols), {COLS_PER_BLOCK, ROW_GROUPS, 1}, [&] {
        output_step(xs, ws, k, z.data(), bias.data(), y.data(), eta, delta.data(), rows, cols, OUT_SIGMOID, slices);
    });
    std::string s = "output_step" + shape(rows, k, cols) + (slices > 0 ? " in " + std::to_string(slices) + " slices" : "");
    check(s + " activations", z, wz, 1e-5);
    check(s + " delta", delta, wd, 1e-5);
    check(s + " bias", bias, wb, 1e-5);
}

// the softmax output: softmax_rows, then output_step with OUT_SOFTMAX (never folded, k = 0)
static void outputSoftmaxTest(int rows, int cols) {
    std::vector<float> bias = uniforms(cols), y = labels(rows, cols), z = uniforms(rows * cols, 3), delta(rows * cols);
    std::vector<double> wz(rows * cols), wd(rows * cols), wb(bias.begin(), bias.end());
    float eta = 0.05f;
    for (int r = 0; r < rows; r++) {
        double sum = 0;
        for (int j = 0; j < cols; j++) sum += std::exp(z[r * cols + j] + bias[j]);
        for (int j = 0; j < cols; j++) {
            wz[r * cols + j] = std::exp(z[r * cols + j] + bias[j]) / sum;
            wd[r * cols + j] = wz[r * cols + j] - ((int)y[r] == j);
            wb[j] -= eta * wd[r * cols + j];
        }
    }
    launch(elementwise(rows), {256, 1, 1}, [&] { softmax_rows(z.data(), bias.data(), rows, cols); });
    launch(columns(cols), {COLS_PER_BLOCK, ROW_GROUPS, 1}, [&] { output_step(z.data(), z.data(), 0, z.data(), bias.data(), y.data(), eta, delta.data(), rows, cols, OUT_SOFTMAX, 0); });
    std::string s = "output_step softmax" + shape(rows, cols);
    check(s + " activations", z, wz, 1e-5);
    check(s + " delta", delta, wd, 1e-5);
    check(s + " bias", bias, wb, 1e-5);
}

// hidden_step: with k > 0, g = dNext wNext' first (dNext rows x k, wNext cols x k) and wNext's step;
// with k = 0, g holds the propagated error, or with slices > 0 dNext holds it in that many partial sums (rows x cols each)
static void hiddenStepTest(int rows, int k, int cols, int act, int slices = 0) {
    std::vector<float> dNext = uniforms(slices > 0 ? slices * rows * cols : rows * k), wNext = uniforms(cols * k), bias = uniforms(cols);
    std::vector<float> g = uniforms(rows * cols);
    std::vector<float> a = uniforms(rows * cols);
    for (auto& v : a) v = activation(v, act);
    float eta = 0.05f, decay = 0.99f;
    std::vector<double> wg(rows * cols), ww(wNext.begin(), wNext.end()), wb(bias.begin(), bias.end());
    for (int r = 0; r < rows; r++) {
        for (int j = 0; j < cols; j++) {
            double back = k > 0 || slices > 0 ? 0 : g[r * cols + j];
            for (int p = 0; p < k; p++) back += (double)dNext[r * k + p] * wNext[j * k + p];
            for (int q = 0; q < slices; q++) back += dNext[(q * rows + r) * cols + j];
            double v = a[r * cols + j];
            wg[r * cols + j] = back * slope(v, act);
            wb[j] -= eta * wg[r * cols + j];
        }
    }
    for (int j = 0; j < cols; j++) {
        for (int p = 0; p < k; p++) {
            double grad = 0;
            for (int r = 0; r < rows; r++) grad += (double)a[r * cols + j] * dNext[r * k + p];
            ww[j * k + p] = decay * wNext[j * k + p] - eta * grad;
        }
    }
    float* ds = k > 0 || slices > 0 ? dNext.data() : g.data();
    float* ws = k > 0 ? wNext.data() : ds;
    launch(columns(cols), {COLS_PER_BLOCK, ROW_GROUPS, 1}, [&] {
        hidden_step(ds, ws, k, decay, g.data(), a.data(), eta, bias.data(), rows, cols, act, slices);
    });
    std::string s = std::string("hidden_step ") + ACTS[act] + shape(rows, k, cols) + (slices > 0 ? " in " + std::to_string(slices) + " slices" : "");
    check(s + " delta", g, wg, 1e-5);
    check(s + " bias", bias, wb, 1e-5);
    if (k > 0) {
        check(s + " weights", wNext, ww, 1e-5);
    }
}

// optimize: each optimizer's step twice (its state carries), with L2, after advance took Adam's beta^t one step on
static void optimizeTest(int n) {
    static const char* NAMES[] = {"sgd", "momentum", "nesterov", "adam"};
    float hyper[9] = {0.01f, 0.5f, 0.1f, 0.9f, 0.9f, 0.999f, 1e-8f, 1.0f, 1.0f};
    for (int kind = OPT_SGD; kind <= OPT_ADAM; kind++) {
        std::vector<float> p = uniforms(n), s1(n), s2(n), h(hyper, hyper + 9);
        std::vector<double> wp(p.begin(), p.end()), w1(n), w2(n);
        for (int t = 1; t <= 2; t++) {
            std::vector<float> g = uniforms(n);
            for (int i = 0; i < n; i++) {
                double gi = g[i] * 0.5 + 0.1 * wp[i];
                if (kind == OPT_MOMENTUM || kind == OPT_NESTEROV) {
                    w1[i] = 0.9 * w1[i] + gi;
                    wp[i] -= kind == OPT_MOMENTUM ? 0.01 * w1[i] : 0.01 * (gi + 0.9 * w1[i]);
                } else if (kind == OPT_ADAM) {
                    w1[i] = 0.9 * w1[i] + 0.1 * gi;
                    w2[i] = 0.999 * w2[i] + 0.001 * gi * gi;
                    wp[i] -= 0.01 * (w1[i] / (1 - std::pow(0.9, t))) / (std::sqrt(w2[i] / (1 - std::pow(0.999, t))) + 1e-8);
                } else {
                    wp[i] -= 0.01 * gi;
                }
            }
            launch({1, 1, 1}, {256, 1, 1}, [&] { advance(h.data()); });
            launch(elementwise(n), {256, 1, 1}, [&] { optimize(p.data(), g.data(), s1.data(), s2.data(), n, h.data(), kind, 1); });
            check(std::string("optimize ") + NAMES[kind] + " step " + std::to_string(t) + " " + std::to_string(n), p, wp, 1e-5);
            check(std::string("optimize ") + NAMES[kind] + " zeroes the gradient", g, std::vector<double>(n), 0);
        }
        check(std::string("advance ") + NAMES[kind] + " multiplies the powers", {h[H_BETA1_POWER], h[H_BETA2_POWER]},
              {double(0.9f * 0.9f), double(0.999f * 0.999f)}, 0);
    }
}

// optimize_layer: a layer's gradients summed from rows x ins inputs and rows x outs deltas and stepped by each
// optimizer twice (its state carries), the weights with L2, the bias without, as CudaBackend launches it (a block
// of UPDATE_HALF x UPDATE_HALF threads a tile of UPDATE_TILE x UPDATE_TILE weights, the bias a row more)
static void optimizeLayerTest(int rows, int ins, int outs) {
    static const char* NAMES[] = {"sgd", "momentum", "nesterov", "adam"};
    float hyper[9] = {0.01f, 0.5f, 0.1f, 0.9f, 0.9f, 0.999f, 1e-8f, 1.0f, 1.0f};
    int half = UPDATE_TILE / 2;
    unsigned tiles = (ins + UPDATE_TILE) / UPDATE_TILE * ((outs + UPDATE_TILE - 1) / UPDATE_TILE);
    for (int kind = OPT_SGD; kind <= OPT_ADAM; kind++) {
        std::vector<float> w = uniforms(ins * outs), b = uniforms(outs), s1w(ins * outs), s2w(ins * outs), s1b(outs), s2b(outs);
        std::vector<float> h(hyper, hyper + 9);
        std::vector<double> ww(w.begin(), w.end()), wb(b.begin(), b.end()), m1(ins * outs + outs), m2(ins * outs + outs);
        for (int t = 1; t <= 2; t++) {
            std::vector<float> in = uniforms(rows * ins), d = uniforms(rows * outs);
            // the parameters as one array, the bias after the weights
            for (int e = 0; e < ins * outs + outs; e++) {
                int i = e < ins * outs ? e / outs : ins, j = e < ins * outs ? e % outs : e - ins * outs;
                double grad = 0;
                for (int r = 0; r < rows; r++) grad += (i < ins ? in[r * ins + i] : 1.0) * d[r * outs + j];
                double& p = i < ins ? ww[e] : wb[j];
                double g = grad * 0.5 + (i < ins ? 0.1 * p : 0);
                if (kind == OPT_MOMENTUM || kind == OPT_NESTEROV) {
                    m1[e] = 0.9 * m1[e] + g;
                    p -= kind == OPT_MOMENTUM ? 0.01 * m1[e] : 0.01 * (g + 0.9 * m1[e]);
                } else if (kind == OPT_ADAM) {
                    m1[e] = 0.9 * m1[e] + 0.1 * g;
                    m2[e] = 0.999 * m2[e] + 0.001 * g * g;
                    p -= 0.01 * (m1[e] / (1 - std::pow(0.9, t))) / (std::sqrt(m2[e] / (1 - std::pow(0.999, t))) + 1e-8);
                } else {
                    p -= 0.01 * g;
                }
            }
            launch({1, 1, 1}, {256, 1, 1}, [&] { advance(h.data()); });
            launch({tiles, 1, 1}, {(unsigned)half, (unsigned)half, 1}, [&] {
                optimize_layer(in.data(), d.data(), rows, ins, outs, w.data(), b.data(), s1w.data(), s2w.data(), s1b.data(), s2b.data(), h.data(), kind);
            });
            std::string s = std::string("optimize_layer ") + NAMES[kind] + shape(rows, ins, outs) + " step " + std::to_string(t);
            check(s + " weights", w, ww, 1e-5);
            check(s + " bias", b, wb, 1e-5);
        }
    }
}

// train_steps: `steps` whole SGD steps of an L-layer network in one cooperative launch, against the
// book's step in doubles (forward, delta, backprop through the weights as they were, then every layer's
// update); a grid smaller than most phases (its threads stride) and one larger than all; the first layer's
// tiles (tile_k x tile_cols) more than the blocks or fewer, cut at w0's edges, and chunk_rows rows of the
// minibatch at a time, all of it or fewer
static void trainStepsTest(std::vector<int> size, int batch, int steps, int act, int output, Dim3 grid, Dim3 block, int tile_k,
                           int tile_cols, int chunk_rows) {
    int layers = (int)size.size() - 1;
    if (racecheckSkips("train_steps of " + std::to_string(size[0]) + "-" + std::to_string(size[1]) + "-...", (size_t)grid.x * block.x)) {
        return;
    }
    size.resize(4, 0);
    std::vector<float> x = uniforms(steps * batch * size[0]), y = labels(steps * batch, size[layers]);
    std::vector<std::vector<float>> w(3), b(3), a(4), d(4);
    std::vector<std::vector<double>> ww(3), wb(3);
    for (int l = 0; l < 3; l++) {
        w[l] = uniforms(std::max(1, size[l] * size[l + 1]), 0.3f);
        b[l] = uniforms(std::max(1, size[l + 1]), 0.1f);
        ww[l].assign(w[l].begin(), w[l].end());
        wb[l].assign(b[l].begin(), b[l].end());
        a[l + 1].assign(std::max(1, batch * size[l + 1]), 0.0f);
        d[l + 1].assign(std::max(1, batch * size[l + 1]), 0.0f);
    }
    float eta = 0.01f, decay = 0.999f;
    std::vector<std::vector<double>> va, vd;
    bookSteps(size, layers, batch, steps, act, output, x, y, eta, decay, ww, wb, va, vd);
    std::vector<float> partial((size[0] + tile_k - 1) / tile_k * batch * size[1]);
    size_t shared = 4 * (size_t)train_steps_shared_floats(tile_k, tile_cols, chunk_rows, block.x);
    launch_cooperative(
        grid, block,
        [&] {
            train_steps(x.data(), y.data(), w[0].data(), b[0].data(), w[1].data(), b[1].data(), w[2].data(), b[2].data(), a[1].data(),
                        a[2].data(), a[3].data(), d[1].data(), d[2].data(), d[3].data(), partial.data(), steps, batch, layers, size[0],
                        size[1], size[2], size[3], tile_k, tile_cols, chunk_rows, eta, decay, act, output);
        },
        shared);
    std::string s = std::string("train_steps ") + (output == OUT_SOFTMAX ? "softmax " : "sigmoid ") + ACTS[act];
    for (int l = 0; l <= layers; l++) s += (l ? "-" : " ") + std::to_string(size[l]);
    s += " batch " + std::to_string(batch) + " x " + std::to_string(steps) + " steps, grid " + std::to_string(grid.x) + "x" +
         std::to_string(block.x) + ", tiles" + shape(tile_k, tile_cols) + " by " + std::to_string(chunk_rows) + " rows";
    for (int l = 0; l < layers; l++) {
        check(s + " w" + std::to_string(l), w[l], ww[l], 1e-4);
        check(s + " b" + std::to_string(l), b[l], wb[l], 1e-4);
    }
}

// A random net of one hidden layer under sigmoid outputs, random data for `steps` steps, and those steps of the
// book's in doubles: what the cluster kernels start from, and what they are checked against (the weights, and the
// last step's activations and deltas, which they leave as the layer steps do).
struct OneHiddenLayer {
    std::vector<float> x, y, w0, b0, w1, b1, a1, a2, d1, d2;
    std::vector<std::vector<double>> ww, wb, va, vd;

    OneHiddenLayer(int s0, int s1, int s2, int batch, int steps, int act, float eta, float decay)
        : x(uniforms(steps * batch * s0)), y(labels(steps * batch, s2)), w0(uniforms(s0 * s1, 0.3f)), b0(uniforms(s1, 0.1f)),
          w1(uniforms(s1 * s2, 0.3f)), b1(uniforms(s2, 0.1f)), a1(batch * s1, NAN), a2(batch * s2, NAN), d1(batch * s1, NAN), d2(batch * s2, NAN),
          ww({{w0.begin(), w0.end()}, {w1.begin(), w1.end()}}), wb({{b0.begin(), b0.end()}, {b1.begin(), b1.end()}}) {
        bookSteps({s0, s1, s2, 0}, 2, batch, steps, act, OUT_SIGMOID, x, y, eta, decay, ww, wb, va, vd);
    }

    void checkAll(const std::string& s) {
        check(s + " w0", w0, ww[0], 1e-4);
        check(s + " b0", b0, wb[0], 1e-4);
        check(s + " w1", w1, ww[1], 1e-4);
        check(s + " b1", b1, wb[1], 1e-4);
        check(s + " a1", a1, va[1], 1e-4);
        check(s + " a2", a2, va[2], 1e-4);
        check(s + " d1", d1, vd[1], 1e-4);
        check(s + " d2", d2, vd[2], 1e-4);
    }
};

static std::string netName(int act, int s0, int s1, int s2, int batch, int steps) {
    return std::string(ACTS[act]) + " " + std::to_string(s0) + "-" + std::to_string(s1) + "-" + std::to_string(s2) + " batch " +
           std::to_string(batch) + " x " + std::to_string(steps) + " steps";
}

// cluster_steps (or portable_cluster_steps, with PORTABLE_CLUSTER_BLOCKS): `steps` whole SGD steps on one cluster of
// CLUSTER_BLOCKS blocks (the emulator's cluster: the grid of a cooperative launch)
static void clusterStepsTest(int s0, int s1, int s2, int batch, int steps, int act, unsigned threads, bool portable = false) {
    float eta = 0.01f, decay = 0.999f;
    OneHiddenLayer n(s0, s1, s2, batch, steps, act, eta, decay);
    unsigned blocks = portable ? PORTABLE_CLUSTER_BLOCKS : CLUSTER_BLOCKS;
    size_t shared = 4 * (size_t)cluster_steps_shared_floats(s0, s1, s2, batch, blocks);
    launch_cooperative(
        {blocks, 1, 1}, {threads, 1, 1},
        [&] {
            (portable ? portable_cluster_steps : cluster_steps)(n.x.data(), n.y.data(), n.w0.data(), n.b0.data(), n.w1.data(), n.b1.data(),
                                                                n.a1.data(), n.a2.data(), n.d1.data(), n.d2.data(), steps, batch, s0, s1, s2, eta,
                                                                decay, act);
        },
        shared);
    n.checkAll(std::string(portable ? "portable_cluster_steps " : "cluster_steps ") + netName(act, s0, s1, s2, batch, steps) + ", " +
               std::to_string(threads) + " threads a block");
}

// deferred_steps (or portable_deferred_steps): the same in blocks of k (the last shorter where k does not divide
// them), the products around each block in doubles (deferredBlocks)
static void deferredStepsTest(int s0, int s1, int s2, int batch, int steps, int k, int act, unsigned threads, bool portable = false) {
    float eta = 0.01f, decay = 0.9f;  // a decay far from 1, so that a wrong power of it shows
    OneHiddenLayer n(s0, s1, s2, batch, steps, act, eta, decay);
    unsigned blocks = portable ? PORTABLE_CLUSTER_BLOCKS : CLUSTER_BLOCKS;
    size_t shared = 4 * (size_t)deferred_shared_floats(s1, s2, batch, k, blocks, threads);
    std::vector<double> w(n.w0.begin(), n.w0.end());
    deferredBlocks(s0, s1, batch, steps, k, n.x, eta, decay, w, [&](std::vector<float>& p, std::vector<float>& g, int first, int count) {
        std::vector<float> ds(p.size(), NAN);
        launch_cooperative(
            {blocks, 1, 1}, {threads, 1, 1},
            [&] {
                (portable ? portable_deferred_steps : deferred_steps)(p.data(), g.data(), n.y.data() + (long)first * batch, n.b0.data(), n.w1.data(),
                                                                      n.b1.data(), ds.data(), n.a1.data(), n.a2.data(), n.d1.data(), n.d2.data(),
                                                                      count, batch, s1, s2, eta, decay, act);
            },
            shared);
        return ds;
    });
    n.w0.assign(w.begin(), w.end());
    n.checkAll(std::string(portable ? "portable_deferred_steps " : "deferred_steps ") + netName(act, s0, s1, s2, batch, steps) + " in blocks of " +
               std::to_string(k) + ", " + std::to_string(threads) + " threads a block");
}

// The threads a block of the book's net on a cluster, as CudaBackend launches it; half as many under racecheck, where
// 16 blocks of them would be more threads than it holds (racecheckSkips).
constexpr unsigned BOOK_CLUSTER_THREADS = EMULATOR_RACECHECK ? WHOLE_STEPS_THREADS / 2 : WHOLE_STEPS_THREADS;

int main() {
    // each check twice: blocks and their threads run first to last, then last to first, so a missing
    // barrier between a write and another thread's read, or a block reading another block's writes, shows
    // whichever runs first (under racecheck once: ThreadSanitizer reports a barrier missing between two threads in
    // either order, and the blocks of a launch that is not cooperative are left to the plain build's two orders)
    for (bool reverse : {false, true}) {
        if (reverse && EMULATOR_RACECHECK) {
            break;
        }
        emulator::reverse = reverse;
        srand(7);
        gatherTest(50, 7, 784, 11);
        gatherTest(300, 257, 33, 40);
        gatherTest(300, 257, 33, 40, 2);
        gatherFeaturesTest(300, 257, 300, 40);
        optimizeTest(1000);
        // a tile's edges cut in both directions, more rows than a round stages, one row, the book's layers
        optimizeLayerTest(70, 37, 21);
        optimizeLayerTest(1, 5, 3);
        optimizeLayerTest(100, 100, 10);
        optimizeLayerTest(100, 784, 100);
        int shapes[][2] = {{1, 1}, {3, 7}, {100, 10}, {37, 129}, {257, 33}};
        for (auto& s : shapes) {
            biasTests(s[0], s[1]);
            reductionTests(s[0], s[1]);
        }
        evaluateRowsTest(1, 1, 0, 1, ACT_SIGMOID, OUT_SIGMOID, 1);
        evaluateRowsTest(300, 10, 0, 1, ACT_SIGMOID, OUT_SOFTMAX, 2);
        evaluateRowsTest(700, 100, 10, 2, ACT_SIGMOID, OUT_SIGMOID, 2);
        evaluateRowsTest(257, 33, 16, 2, ACT_RELU, OUT_SOFTMAX, 2);
        evaluateRowsTest(100, 7, 3, 2, ACT_TANH, OUT_SIGMOID, 1);
        // (rows, k, cols): the book's layers, odd sizes across block edges, and the plain steps (k = 0)
        int steps[][3] = {{100, 100, 10}, {100, 10, 100}, {37, 129, 33}, {1, 1, 1}, {70, 13, 45}, {100, 0, 100}, {37, 0, 33}};
        for (auto& s : steps) {
            outputStepTest(s[0], s[1], s[2]);
            for (int act = ACT_SIGMOID; act <= ACT_LEAKY_RELU; act++) hiddenStepTest(s[0], s[1], s[2], act);
            if (s[1] == 0) outputSoftmaxTest(s[0], s[2]);
        }
        outputStepTest(100, 0, 10, 4);  // a product left in slices of k (OpenCL's split), added by the step
        outputStepTest(37, 0, 33, 3);
        hiddenStepTest(100, 0, 64, ACT_SIGMOID, 4);
        hiddenStepTest(37, 0, 33, ACT_RELU, 3);
        trainStepsTest({13, 7, 3}, 5, 3, ACT_SIGMOID, OUT_SIGMOID, {3, 1, 1}, {8, 1, 1}, 4, 3, 2);
        trainStepsTest({9, 11, 6, 4}, 4, 2, ACT_RELU, OUT_SOFTMAX, {2, 1, 1}, {16, 1, 1}, 9, 11, 4);
        trainStepsTest({9, 11, 6, 4}, 4, 2, ACT_TANH, OUT_SIGMOID, {40, 1, 1}, {32, 1, 1}, 2, 5, 3);
        trainStepsTest({17, 5}, 6, 3, ACT_SIGMOID, OUT_SOFTMAX, {1, 1, 1}, {1, 1, 1}, 5, 2, 1);
        trainStepsTest({30, 20, 10}, 10, 2, ACT_LEAKY_RELU, OUT_SIGMOID, {4, 1, 1}, {64, 1, 1}, 7, 6, 10);
        trainStepsTest({784, 100, 10}, 100, 2, ACT_SIGMOID, OUT_SIGMOID, {8, 1, 1}, {256, 1, 1}, 12, 25, 100);
        // tiles cut at odd edges and the minibatch in chunks (the last one short), each product in slices of k or of
        // the chunk's rows that threads take side by side
        trainStepsTest({784, 30, 10}, 100, 2, ACT_SIGMOID, OUT_SIGMOID, {8, 1, 1}, {256, 1, 1}, 11, 7, 40);
        // one block of WHOLE_STEPS_THREADS a multiprocessor, with its larger tiles
        trainStepsTest({784, 100, 10}, 100, 2, ACT_SIGMOID, OUT_SIGMOID, {4, 1, 1}, {WHOLE_STEPS_THREADS, 1, 1}, 62, 10, 100);
        // one block, so its last tile of a step (cut at both edges) comes just before its first of the next
        trainStepsTest({10, 7, 3}, 5, 2, ACT_SIGMOID, OUT_SIGMOID, {1, 1, 1}, {8, 1, 1}, 4, 3, 3);
        // no more tiles of w0 than blocks and the minibatch one chunk, so phase 3 takes phase 1's chunk of x where the
        // row phase's scratch leaves it (rows in shared memory, in global memory), and where it would not
        trainStepsTest({30, 20, 10}, 10, 3, ACT_SIGMOID, OUT_SIGMOID, {40, 1, 1}, {64, 1, 1}, 7, 6, 10);
        trainStepsTest({784, 100, 10}, 100, 2, ACT_SIGMOID, OUT_SIGMOID, {64, 1, 1}, {256, 1, 1}, 98, 13, 100);
        trainStepsTest({9, 11, 6, 4}, 4, 3, ACT_RELU, OUT_SOFTMAX, {40, 1, 1}, {32, 1, 1}, 2, 5, 4);
        trainStepsTest({9, 11, 6, 4}, 4, 3, ACT_RELU, OUT_SOFTMAX, {40, 1, 1}, {64, 1, 1}, 2, 5, 4);
        // the deltas through weights whose rows are a warp wide or more, a warp a dot: dots in several rounds of the
        // scratch (the rows in global memory), the lanes of one dot past the row's end, and x's chunk kept (the
        // scratch short of it)
        trainStepsTest({20, 40, 70, 10}, 5, 2, ACT_SIGMOID, OUT_SIGMOID, {8, 1, 1}, {64, 1, 1}, 4, 5, 3);
        trainStepsTest({8, 40, 33, 3}, 6, 3, ACT_TANH, OUT_SOFTMAX, {4, 1, 1}, {32, 1, 1}, 4, 40, 6);
        trainStepsTest({100, 64, 96, 10}, 12, 2, ACT_RELU, OUT_SIGMOID, {8, 1, 1}, {256, 1, 1}, 25, 16, 12);
        // the book's net on the blocks CudaBackend launches; rows of w0, units and rows of the minibatch that do not
        // divide by the blocks (blocks with none of some), each hidden activation
        clusterStepsTest(784, 100, 10, 100, 2, ACT_SIGMOID, BOOK_CLUSTER_THREADS);
        clusterStepsTest(37, 20, 3, 7, 3, ACT_TANH, 64);
        clusterStepsTest(50, 21, 4, 17, 2, ACT_RELU, 32);
        clusterStepsTest(10, 40, 2, 3, 3, ACT_LEAKY_RELU, 64);
        deferredStepsTest(784, 100, 10, 100, 6, 4, ACT_SIGMOID, BOOK_CLUSTER_THREADS);
        deferredStepsTest(37, 20, 3, 7, 7, 3, ACT_TANH, 64, true);
        deferredStepsTest(50, 21, 4, 17, 5, 8, ACT_RELU, 32);
        deferredStepsTest(10, 40, 2, 3, 9, 2, ACT_LEAKY_RELU, 64, true);
        deferredStepsTest(60, 117, 5, 13, 6, 4, ACT_SIGMOID, 128, true);  // 15 units a block: the Gram sums of 16 units
        clusterStepsTest(37, 20, 3, 7, 3, ACT_SIGMOID, 64, true);
    }
    return failures > 0;
}
