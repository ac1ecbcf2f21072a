// The CUDA layer-step kernels (kernels/output_step.cu, kernels/hidden_step.cu), folded (k > 0) and plain,
// on odd shapes, run through block_emulator.h against double-precision loops of their definitions (the
// CpuBackend twins' math). Launches as CudaBackend.launchColumns makes them: 32 x 32 threads per block.
// Prints one line per check; exits 1 when any error exceeds its tolerance.
#include "block_emulator.h"
#include <cstdio>
#include <cstdlib>
#include KERNEL

static int failures = 0;

static float uniform() { return (float)rand() / RAND_MAX * 2 - 1; }

static void check(const char* what, const std::vector<float>& got, const std::vector<double>& want, double tol) {
    double err = 0;
    for (size_t i = 0; i < got.size(); i++) {
        err = std::max(err, std::fabs(got[i] - want[i]) / std::max(1.0, std::fabs(want[i])));
    }
    bool ok = err <= tol;
    failures += !ok;
    printf("%s %s: max relative error %.2e\n", ok ? "ok  " : "FAIL", what, err);
}

static Dim3 columns(int cols) { return {(unsigned)(cols + 31) / 32, 1, 1}; }

#ifdef OUTPUT_STEP
static void test(int rows, int k, int cols) {
    std::vector<float> x(rows * k), w(k * cols), bias(cols), labels(rows), z(rows * cols), delta(rows * cols);
    for (auto& v : x) v = uniform();
    for (auto& v : w) v = 0.3f * uniform();
    for (auto& v : bias) v = uniform();
    for (auto& v : labels) v = rand() % cols;
    std::vector<double> wz(rows * cols), wd(rows * cols), wb(bias.begin(), bias.end());
    float eta = 0.05f;
    for (int r = 0; r < rows; r++) {
        for (int j = 0; j < cols; j++) {
            double pre = 0;
            for (int p = 0; p < k; p++) pre += (double)x[r * k + p] * w[p * cols + j];
            if (k == 0) pre = z[r * cols + j] = uniform();  // plain: z holds the pre-activation
            wz[r * cols + j] = 1 / (1 + std::exp(-(pre + bias[j])));
            wd[r * cols + j] = wz[r * cols + j] - ((int)labels[r] == j);
        }
    }
    for (int j = 0; j < cols; j++) {
        for (int r = 0; r < rows; r++) wb[j] -= eta * wd[r * cols + j];
    }
    float* xs = k > 0 ? x.data() : z.data();
    float* ws = k > 0 ? w.data() : z.data();
    launch(columns(cols), {32, 32, 1}, [&] { output_step(xs, ws, k, z.data(), bias.data(), labels.data(), eta, delta.data(), rows, cols); });
    char what[96];
    snprintf(what, sizeof what, "output_step %dx%dx%d activations", rows, k, cols);
    check(what, z, wz, 1e-5);
    snprintf(what, sizeof what, "output_step %dx%dx%d delta", rows, k, cols);
    check(what, delta, wd, 1e-5);
    snprintf(what, sizeof what, "output_step %dx%dx%d bias", rows, k, cols);
    check(what, bias, wb, 1e-5);
}
#endif

#ifdef HIDDEN_STEP
static void test(int rows, int k, int cols) {
    std::vector<float> dNext(rows * k), wNext(cols * k), a(rows * cols), bias(cols), g(rows * cols);
    for (auto& v : dNext) v = uniform();
    for (auto& v : wNext) v = uniform();
    for (auto& v : a) v = 1 / (1 + std::exp(-uniform()));
    for (auto& v : bias) v = uniform();
    float eta = 0.05f, decay = 0.99f;
    std::vector<double> wg(rows * cols), ww(wNext.begin(), wNext.end()), wb(bias.begin(), bias.end());
    for (int r = 0; r < rows; r++) {
        for (int j = 0; j < cols; j++) {
            double back = 0;
            for (int p = 0; p < k; p++) back += (double)dNext[r * k + p] * wNext[j * k + p];
            if (k == 0) back = g[r * cols + j] = uniform();  // plain: g holds the propagated error
            double v = a[r * cols + j];
            wg[r * cols + j] = back * v * (1 - v);
        }
    }
    for (int j = 0; j < cols; j++) {
        for (int r = 0; r < rows; r++) wb[j] -= eta * wg[r * cols + j];
        for (int p = 0; p < k; p++) {
            double grad = 0;
            for (int r = 0; r < rows; r++) grad += (double)a[r * cols + j] * dNext[r * k + p];
            ww[j * k + p] = decay * wNext[j * k + p] - eta * grad;
        }
    }
    float* ds = k > 0 ? dNext.data() : g.data();
    float* ws = k > 0 ? wNext.data() : g.data();
    launch(columns(cols), {32, 32, 1}, [&] { hidden_step(ds, ws, k, decay, g.data(), a.data(), eta, bias.data(), rows, cols); });
    char what[96];
    snprintf(what, sizeof what, "hidden_step %dx%dx%d delta", rows, k, cols);
    check(what, g, wg, 1e-5);
    snprintf(what, sizeof what, "hidden_step %dx%dx%d bias", rows, k, cols);
    check(what, bias, wb, 1e-5);
    if (k > 0) {
        snprintf(what, sizeof what, "hidden_step %dx%dx%d weights", rows, k, cols);
        check(what, wNext, ww, 1e-5);
    }
}
#endif

int main() {
    srand(7);
    // (rows, k, cols): the book's layers, odd sizes across block edges, and the plain step (k = 0)
    int shapes[][3] = {{100, 100, 10}, {100, 10, 100}, {37, 129, 33}, {1, 1, 1}, {70, 13, 45}, {100, 0, 100}, {37, 0, 33}};
    for (auto& s : shapes) {
        test(s[0], s[1], s[2]);
    }
    return failures > 0;
}
