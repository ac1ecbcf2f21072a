// Issue 24's second question (bench/RESULTS.md, 2026-12-05): what do a block's K steps of kernels/deferred_steps.cu,
// the book's steps with the first layer's updates deferred over the block, cost on one thread block cluster (sm_90)?
// This program runs that kernel's body (a cluster of the launch's size here) on random data: it checks two blocks
// against a double-precision loop of the book's step (its products before and after each block taken here on the
// host, book_steps.h's deferredBlocks), then times the launches of an epoch's blocks (each launch a block of K steps
// from the same p and g) against the same without the Gram terms (their loads and multiply-adds), and against
// cluster barriers alone. Only for finding the time; it trains nothing. Built for sm_90 (clusters need it;
// ci/prepare-gpu-bundle.sh):
//   nvcc -std=c++17 -O3 -arch=sm_90 -I kernels -o deferred-steps-timeline bench/ab/deferred_steps_timeline.cu
//   deferred-steps-timeline SIZES BATCH K BLOCKS THREADS [STEPS [LAUNCHES]]    e.g. 784,100,10 100 4 16 512
// A cluster the GPU cannot hold is said and passed over (exit 0). Built with g++ on the CPU block emulator
// (src/test/cuda), the grid one cluster, it runs the same code, its times meaningless:
//   g++ -std=c++20 -O2 -I kernels -I src/test/cuda -x c++ -o deferred-steps-timeline bench/ab/deferred_steps_timeline.cu
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>
#ifndef __CUDACC__
#include "block_emulator.h"
#endif
#include <cooperative_groups.h>
#define AB_PROGRAM "deferred-steps-timeline"
#include "ab_host.cuh"
#include "cluster_host.cuh"
#include "deferred_steps.cu"
#include "../../src/test/cuda/book_steps.h"  // the CPU reference the kernel tests check against

// The kernel's steps on a cluster of the launch's size (the kernel's own is CLUSTER_BLOCKS or PORTABLE_CLUSTER_BLOCKS),
// with and without the Gram terms.
extern "C" __global__ void __launch_bounds__(512, 1)
    steps_as_built(const float* p, const float* g, const float* labels, float* b0, float* w1, float* b1, float* ds, float* a1, float* a2, float* d1,
                   float* d2, int k_steps, int batch, int s1, int s2, float step, float decay) {
    deferred_steps_body<true>(p, g, labels, b0, w1, b1, ds, a1, a2, d1, d2, k_steps, batch, s1, s2, step, decay, ACT_SIGMOID);
}

extern "C" __global__ void __launch_bounds__(512, 1)
    steps_without_products(const float* p, const float* g, const float* labels, float* b0, float* w1, float* b1, float* ds, float* a1, float* a2,
                           float* d1, float* d2, int k_steps, int batch, int s1, int s2, float step, float decay) {
    deferred_steps_body<false>(p, g, labels, b0, w1, b1, ds, a1, a2, d1, d2, k_steps, batch, s1, s2, step, decay, ACT_SIGMOID);
}

int main(int argc, char** argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: deferred-steps-timeline SIZES BATCH K BLOCKS THREADS [STEPS [LAUNCHES]]   e.g. 784,100,10 100 4 16 512\n");
        return 2;
    }
    int s0, s1, s2;
    if (sscanf(argv[1], "%d,%d,%d", &s0, &s1, &s2) != 3 || s0 < 1 || s1 < 1 || s2 < 1) fail("SIZES is three widths, as 784,100,10");
    int batch = atoi(argv[2]), k_steps = atoi(argv[3]), blocks = atoi(argv[4]), threads = atoi(argv[5]);
    int steps = argc > 6 ? atoi(argv[6]) : 550, launches = argc > 7 ? atoi(argv[7]) : 5;
    if (batch < 1 || k_steps < 1 || blocks < 1 || blocks > CLUSTER_BLOCKS || threads < 32 || threads > 512 || threads % 32 != 0 || steps < k_steps
        || launches < 1) {
        fail("BATCH >= 1, K >= 1, 1 <= BLOCKS <= 16, THREADS a multiple of 32 up to 512, STEPS >= K, LAUNCHES >= 1");
    }
    if ((s1 + blocks - 1) / blocks > DEFERRED_UNITS) fail("over DEFERRED_UNITS hidden units a block: more blocks");
    size_t shared = 4 * (size_t)deferred_shared_floats(s1, s2, batch, k_steps, blocks, threads);
    long kb = (long)k_steps * batch;
    // two blocks of the book's steps, checked; x and labels of both
    int checked = 2;
    srand(7);
    std::vector<float> x((size_t)checked * kb * s0), labels((size_t)checked * kb), w0((size_t)s0 * s1), b0(s1), w1((size_t)s1 * s2), b1(s2);
    for (auto& v : x) v = uniform();
    for (auto& v : labels) v = (float)(rand() % s2);
    for (auto& v : w0) v = 0.1f * uniform();
    for (auto& v : w1) v = 0.1f * uniform();
    for (auto& v : b0) v = 0.1f * uniform();
    float eta = 0.0005f, decay = 1 - eta * 0.01f;
    float* dp = device(std::vector<float>(kb * s1));
    float* dg = device(std::vector<float>(kb * kb));
    float* dy = device(std::vector<float>(kb));
    float* db0 = device(b0);
    float* dw1 = device(w1);
    float* db1 = device(b1);
    float* dds = device(std::vector<float>(kb * s1));
    float* last = device(std::vector<float>(2L * batch * (s1 + s2)));  // the last step's a1, d1, a2, d2
    float *la1 = last, *ld1 = la1 + batch * s1, *la2 = ld1 + batch * s1, *ld2 = la2 + batch * s2;
    enum Way { AS_BUILT, WITHOUT_PRODUCTS };
#ifdef __CUDACC__
    ClusterLaunch cluster(blocks, threads, shared, {(const void*)steps_as_built, (const void*)steps_without_products});
    if (!cluster.resident) return 0;
    auto run = [&](Way way, float rate, float keep) {
        const float *p = dp, *g = dg, *y = dy;
        check(cudaLaunchKernelEx(&cluster.config, way == AS_BUILT ? steps_as_built : steps_without_products, p, g, y, db0, dw1, db1, dds, la1, la2, ld1,
                                 ld2, k_steps, batch, s1, s2, rate, keep),
              "cudaLaunchKernelEx");
    };
    auto barriers = [&](int n) { cluster.barriers(n); };
    auto finish = [] { check(cudaDeviceSynchronize(), "deferred_steps"); };
#else
    auto run = [&](Way way, float rate, float keep) {
        launch_cooperative(Dim3{(unsigned)blocks}, Dim3{(unsigned)threads}, [&] {
            (way == AS_BUILT ? steps_as_built : steps_without_products)(dp, dg, dy, db0, dw1, db1, dds, la1, la2, ld1, ld2, k_steps, batch, s1, s2, rate,
                                                                    keep);
        }, shared);
    };
    auto barriers = [&](int n) { launch_cooperative(Dim3{(unsigned)blocks}, Dim3{(unsigned)threads}, [&] { cluster_barriers(n); }); };
    auto finish = [] {};
    printf("device: the CPU block emulator (its times mean nothing)\n");
#endif
    printf("deferred_steps %d-%d-%d, batch %d, blocks of %d steps: one cluster of %d blocks of %d threads, %zu bytes of shared memory a block\n", s0,
           s1, s2, batch, k_steps, blocks, threads, shared);
    // two blocks of steps against the book's step in double precision, from the same weights, at a rate of 1000 times
    // the book's, so that a step changes the weights by far more than float's rounding of them and the Gram terms
    // count, and an L2 factor of 0.1, so that a wrong power of the decay shows; the products before and after each
    // block taken here, in doubles. The rate is less by 100 / s0 over 100 inputs: a step moves the first layer's sums
    // by more with more inputs, and at 1000 times the book's rate 16 steps of 784-100-10 in float, one after another,
    // already end 1e-3 from the same steps in double.
    float check_eta = 1000 * eta * std::min(1.0f, 100.0f / s0), check_decay = 1 - check_eta * 0.1f;
    std::vector<std::vector<double>> rw = {{w0.begin(), w0.end()}, {w1.begin(), w1.end()}}, rb = {{b0.begin(), b0.end()}, {b1.begin(), b1.end()}}, va, vd;
    bookSteps({s0, s1, s2}, 2, batch, checked * k_steps, ACT_SIGMOID, OUT_SIGMOID, x, labels, check_eta, check_decay, rw, rb, va, vd);
    for (const char* order : CHECK_ORDERS) {
        check_order(order);
        std::vector<double> w(w0.begin(), w0.end());
        for (auto [d, v] : {std::pair{db0, &b0}, {dw1, &w1}, {db1, &b1}}) {
            upload(d, *v);
        }
        deferredBlocks(s0, s1, batch, checked * k_steps, k_steps, x, check_eta, check_decay, w, [&](auto& p, auto& g, int first, int) {
            upload(dp, p);
            upload(dg, g);
            upload(dy, std::vector<float>(labels.begin() + (long)first * batch, labels.begin() + (long)first * batch + kb));
            run(AS_BUILT, check_eta, check_decay);
            finish();
            return host(dds, kb * s1);
        });
        std::vector<float> wf(w.begin(), w.end());
        double err = std::max({error(wf, rw[0], w0), error(host(db0, b0.size()), rb[0], b0), error(host(dw1, w1.size()), rw[1], w1),
                               error(host(db1, b1.size()), rb[1], b1)});
        bool ok = err <= 1e-3;  // float sums against double ones
        printf("%d blocks of %d steps against the book's step in double precision%s: the largest error in the weights and biases %.2e of their"
               " largest change (%s)\n", checked, k_steps, order, err, ok ? "ok" : "NOT ok");
        if (!ok) return 1;
    }
    // each way: an epoch's blocks (steps / K launches, each from the same p and g), the median of `launches` such
    // runs after one more as a warm-up, a step's share
    int blocks_run = steps / k_steps;
    auto median = [&](auto launch) { return median_ms(launches, launch, finish) * 1000 / ((double)blocks_run * k_steps); };
    double full = median([&] {
        for (int b = 0; b < blocks_run; b++) run(AS_BUILT, eta, decay);
    });
    double bare = median([&] {
        for (int b = 0; b < blocks_run; b++) run(WITHOUT_PRODUCTS, eta, decay);
    });
    double sync = median([&] {
        for (int b = 0; b < blocks_run; b++) barriers(2 * k_steps);
    });
    printf("%d launches of %d steps: %.2f us a step (median of %d); without the Gram terms %.2f us; launches of its two cluster"
           " barriers a step alone %.2f us\n", blocks_run, k_steps, full, launches, bare, sync);
    return 0;
}
