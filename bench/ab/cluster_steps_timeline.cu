// Issue 24's question: how fast are kernels/cluster_steps.cu's steps, the book's SGD step on one thread block
// cluster (sm_90), which the trainer times against train_steps' whole grid and the layer ops? This program runs
// that kernel's body (a cluster of the launch's size here, up to CLUSTER_BLOCKS) on random data: it checks two
// steps against a double-precision loop of the book's step, then times `steps` steps against the same body
// without its multiply-adds (the rest: barriers, shared memory, the loads of x) and against cluster barriers
// alone; then, from one more launch whose blocks note their clocks, each phase's time and each barrier's wait.
// Only for finding the time; it trains nothing. Built for sm_90 (clusters need it; ci/prepare-gpu-bundle.sh):
//   nvcc -std=c++17 -O3 -arch=sm_90 -I kernels -o cluster-steps-timeline bench/ab/cluster_steps_timeline.cu
//   cluster-steps-timeline SIZES BATCH STEPS BLOCKS THREADS [LAUNCHES]     e.g. 784,100,10 100 550 16 512
// A cluster of over 8 blocks is not portable: where the GPU cannot hold one, the program says so and exits 0.
// Built with g++ on the CPU block emulator (src/test/cuda), the grid one cluster, it runs the same code, its times
// meaningless:
//   g++ -std=c++20 -O2 -I kernels -I src/test/cuda -x c++ -o cluster-steps-timeline bench/ab/cluster_steps_timeline.cu
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>
#ifndef __CUDACC__
#include "block_emulator.h"
#endif
#define AB_PROGRAM "cluster-steps-timeline"
#include "ab_host.cuh"
#include "cluster_steps.cu"
#include "cluster_host.cuh"
#include "../../src/test/cuda/book_steps.h"  // the CPU reference the kernel tests check against

// The kernel's steps on a cluster of the launch's size (the kernel's own is CLUSTER_BLOCKS), as the kernel has them,
// without their multiply-adds, and with each block's thread 0 noting its clock at each ClusterPoint.
extern "C" __global__ void __launch_bounds__(512, 1)
    steps_as_built(const float* x, const float* labels, float* w0, float* b0, float* w1, float* b1, float* a1, float* a2, float* d1, float* d2,
                   int steps, int batch, int s0, int s1, int s2, float step, float decay) {
    cluster_steps_body<true>(x, labels, w0, b0, w1, b1, a1, a2, d1, d2, steps, batch, s0, s1, s2, step, decay, ACT_SIGMOID, NoPoints());
}

extern "C" __global__ void __launch_bounds__(512, 1)
    steps_without_products(const float* x, const float* labels, float* w0, float* b0, float* w1, float* b1, float* a1, float* a2, float* d1,
                           float* d2, int steps, int batch, int s0, int s1, int s2, float step, float decay) {
    cluster_steps_body<false>(x, labels, w0, b0, w1, b1, a1, a2, d1, d2, steps, batch, s0, s1, s2, step, decay, ACT_SIGMOID, NoPoints());
}

// at the end of a phase (before a cluster barrier) once every thread of the block is done with it, so that the
// barrier's wait is the other blocks', not this block's last warps'
struct Clocks {
    long long* marks;
    __device__ void operator()(int s, int point) const {
        if (point == FORWARD_DONE || point == UNITS_DONE || point == OUTPUT_DONE) {
            __syncthreads();
        }
        if (threadIdx.x == 0) {
            int blocks = (int)cg::this_cluster().num_blocks(), rank = (int)cg::this_cluster().block_rank();
            marks[((long)s * CLUSTER_POINTS + point) * blocks + rank] = CLOCK();
        }
    }
};

extern "C" __global__ void __launch_bounds__(512, 1)
    steps_noting_clocks(const float* x, const float* labels, float* w0, float* b0, float* w1, float* b1, float* a1, float* a2, float* d1,
                        float* d2, int steps, int batch, int s0, int s1, int s2, float step, float decay, long long* marks) {
    cluster_steps_body<true>(x, labels, w0, b0, w1, b1, a1, a2, d1, d2, steps, batch, s0, s1, s2, step, decay, ACT_SIGMOID, Clocks{marks});
}

int main(int argc, char** argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: cluster-steps-timeline SIZES BATCH STEPS BLOCKS THREADS [LAUNCHES]   e.g. 784,100,10 100 550 16 512\n");
        return 2;
    }
    int s0, s1, s2;
    if (sscanf(argv[1], "%d,%d,%d", &s0, &s1, &s2) != 3 || s0 < 1 || s1 < 1 || s2 < 1) fail("SIZES is three widths, as 784,100,10");
    int batch = atoi(argv[2]), steps = atoi(argv[3]), blocks = atoi(argv[4]), threads = atoi(argv[5]), launches = argc > 6 ? atoi(argv[6]) : 5;
    if (batch < 1 || steps < 2 || blocks < 1 || blocks > CLUSTER_BLOCKS || threads < 32 || threads > 512 || threads % 32 != 0 || launches < 1) {
        fail("BATCH >= 1, STEPS >= 2, 1 <= BLOCKS <= 16, THREADS a multiple of 32 up to 512, LAUNCHES >= 1");
    }
    int kr = (s0 + blocks - 1) / blocks;
    if ((long)batch * kr > (long)CLUSTER_NEXT_FLOATS * threads) fail("the next step's rows of x do not fit the threads' registers: more threads or blocks");
    size_t shared = 4 * (size_t)cluster_steps_shared_floats(s0, s1, s2, batch, blocks);
    srand(7);
    std::vector<float> x((size_t)steps * batch * s0), labels((size_t)steps * batch), w0((size_t)s0 * s1), b0(s1), w1((size_t)s1 * s2), b1(s2);
    for (auto& v : x) v = uniform();
    for (auto& v : labels) v = (float)(rand() % s2);
    for (auto& v : w0) v = 0.1f * uniform();
    for (auto& v : w1) v = 0.1f * uniform();
    float eta = 0.0005f, decay = 1 - eta * 0.01f;
    float* dx = device(x);
    float* dy = device(labels);
    float* dw0 = device(w0);
    float* db0 = device(b0);
    float* dw1 = device(w1);
    float* db1 = device(b1);
    // the last step's activations and deltas, which the kernel leaves as the layer steps do (not checked here)
    float* da1 = device(std::vector<float>((size_t)batch * s1));
    float* da2 = device(std::vector<float>((size_t)batch * s2));
    float* dd1 = device(std::vector<float>((size_t)batch * s1));
    float* dd2 = device(std::vector<float>((size_t)batch * s2));
    enum Way { AS_BUILT, WITHOUT_PRODUCTS, NOTING_CLOCKS };
#ifdef __CUDACC__
    ClusterLaunch cluster(blocks, threads, shared, {(const void*)steps_as_built, (const void*)steps_without_products, (const void*)steps_noting_clocks});
    if (!cluster.resident) return 0;
    long long* dmarks;
    check(cudaMalloc(&dmarks, sizeof(long long) * CLUSTER_POINTS * steps * blocks), "cudaMalloc");
    auto run = [&](int n, Way way, float rate, float keep) {
        const float *x = dx, *y = dy;
        check(way == NOTING_CLOCKS ? cudaLaunchKernelEx(&cluster.config, steps_noting_clocks, x, y, dw0, db0, dw1, db1, da1, da2, dd1, dd2, n, batch, s0, s1,
                                                        s2, rate, keep, dmarks)
                                   : cudaLaunchKernelEx(&cluster.config, way == AS_BUILT ? steps_as_built : steps_without_products, x, y, dw0, db0, dw1, db1,
                                                        da1, da2, dd1, dd2, n, batch, s0, s1, s2, rate, keep),
              "cudaLaunchKernelEx");
    };
    auto noted = [&] {
        std::vector<long long> m((size_t)CLUSTER_POINTS * steps * blocks);
        check(cudaMemcpy(m.data(), dmarks, m.size() * sizeof(long long), cudaMemcpyDeviceToHost), "cudaMemcpy");
        return m;
    };
    auto barriers = [&](int n) { cluster.barriers(n); };
    auto finish = [] { check(cudaDeviceSynchronize(), "cluster_steps"); };
#else
    std::vector<long long> hmarks((size_t)CLUSTER_POINTS * steps * blocks);
    auto run = [&](int n, Way way, float rate, float keep) {
        launch_cooperative(Dim3{(unsigned)blocks}, Dim3{(unsigned)threads}, [&] {
            if (way == NOTING_CLOCKS) {
                steps_noting_clocks(dx, dy, dw0, db0, dw1, db1, da1, da2, dd1, dd2, n, batch, s0, s1, s2, rate, keep, hmarks.data());
            } else {
                (way == AS_BUILT ? steps_as_built : steps_without_products)(dx, dy, dw0, db0, dw1, db1, da1, da2, dd1, dd2, n, batch, s0, s1, s2, rate,
                                                                            keep);
            }
        }, shared);
    };
    auto noted = [&] { return hmarks; };
    auto barriers = [&](int n) { launch_cooperative(Dim3{(unsigned)blocks}, Dim3{(unsigned)threads}, [&] { cluster_barriers(n); }); };
    auto finish = [] {};
    printf("device: the CPU block emulator (its times mean nothing)\n");
#endif
    printf("cluster_steps %d-%d-%d, batch %d: one cluster of %d blocks of %d threads, %zu bytes of shared memory a block\n", s0, s1, s2, batch,
           blocks, threads, shared);
    // two steps against the book's in double precision, from the same weights, at a rate of 100 times the book's, so
    // that a step changes the weights by far more than float's rounding of them
    int checked = 2;
    float check_eta = 100 * eta, check_decay = 1 - check_eta * 0.01f;
    std::vector<std::vector<double>> rw = {{w0.begin(), w0.end()}, {w1.begin(), w1.end()}}, rb = {{b0.begin(), b0.end()}, {b1.begin(), b1.end()}}, va, vd;
    bookSteps({s0, s1, s2}, 2, batch, checked, ACT_SIGMOID, OUT_SIGMOID, x, labels, check_eta, check_decay, rw, rb, va, vd);
    for (const char* order : CHECK_ORDERS) {
        check_order(order);
        for (auto [p, v] : {std::pair{dw0, &w0}, {db0, &b0}, {dw1, &w1}, {db1, &b1}}) {
            upload(p, *v);
        }
        run(checked, AS_BUILT, check_eta, check_decay);
        finish();
        double err = std::max({error(host(dw0, w0.size()), rw[0], w0), error(host(db0, b0.size()), rb[0], b0),
                               error(host(dw1, w1.size()), rw[1], w1), error(host(db1, b1.size()), rb[1], b1)});
        bool ok = err <= 1e-3;  // float sums against double ones
        printf("%d steps against the book's step in double precision%s: the largest error in the weights and biases %.2e of their largest change"
               " (%s)\n", checked, order, err, ok ? "ok" : "NOT ok");
        if (!ok) return 1;
    }
    // each way: the median of `launches` launches of all the steps, after one more as a warm-up
    auto median = [&](auto launch) { return median_ms(launches, launch, finish) * 1000 / steps; };
    double full = median([&] { run(steps, AS_BUILT, eta, decay); });
    double bare = median([&] { run(steps, WITHOUT_PRODUCTS, eta, decay); });
    double sync = median([&] { barriers(3 * steps); });
    printf("%d steps: %.2f us a step (median of %d launches); without the multiply-adds %.2f us; its three cluster barriers alone %.2f us\n", steps,
           full, launches, bare, sync);
    // one more launch with each block's thread 0 noting its clock at each Mark: the clock's rate from the launch's
    // time over block 0's span of it, then each phase and barrier, per step from the second on (the first starts
    // cold), as the mean over steps of the longest block and of the blocks' mean
    double ms = timed([&] { run(steps, NOTING_CLOCKS, eta, decay); });
    std::vector<long long> m = noted();
    auto at = [&](int s, int point, int b) { return m[((size_t)s * CLUSTER_POINTS + point) * blocks + b]; };
    double perUs = (double)(at(steps - 1, STEP_END_AT, 0) - at(0, STEP_BEGIN_AT, 0)) / (ms * 1000);
    struct Part {
        const char* name;
        int from, to;
    } parts[] = {{"1. the first layer's partial products", STEP_BEGIN_AT, FORWARD_DONE}, {"cluster barrier 1", FORWARD_DONE, FORWARD_PAST},
                 {"2. the units' sums, a1 written into every block", FORWARD_PAST, UNITS_DONE}, {"cluster barrier 2", UNITS_DONE, UNITS_PAST},
                 {"3. the output's delta of the block's rows, written into every block", UNITS_PAST, OUTPUT_DONE},
                 {"cluster barrier 3", OUTPUT_DONE, OUTPUT_PAST}, {"4. d1", OUTPUT_PAST, DELTAS_DONE},
                 {"5. the updates, the next step's x", DELTAS_DONE, STEP_END_AT}, {"the step", STEP_BEGIN_AT, STEP_END_AT}};
    printf("a step's parts (us, steps 2 to %d; the longest block, and the blocks' mean):\n", steps);
    for (const Part& part : parts) {
        double longest = 0, mean = 0;
        for (int s = 1; s < steps; s++) {
            double hi = 0, sum = 0;
            for (int b = 0; b < blocks; b++) {
                double us = (at(s, part.to, b) - at(s, part.from, b)) / perUs;
                hi = std::max(hi, us);
                sum += us;
            }
            longest += hi / (steps - 1);
            mean += sum / blocks / (steps - 1);
        }
        printf("  %-70s %7.2f %7.2f\n", part.name, longest, mean);
    }
    // what block 0's multiply-adds a step would take at a multiprocessor's FP32 rate (128 a cycle on sm_90), at the
    // clock's rate above: the floor of its products
    int units = (s1 + blocks - 1) / blocks, rows = (batch + blocks - 1) / blocks;  // block 0's, as kr its rows of w0
    double fma = 2.0 * batch * s1 * kr + (double)batch * s1 * s2 + (double)rows * s1 * s2 + (double)units * s2 * batch;
    printf("block 0's multiply-adds a step (%.0f) at 128 a cycle: %.2f us\n", fma, fma / 128 / perUs);
    return 0;
}
