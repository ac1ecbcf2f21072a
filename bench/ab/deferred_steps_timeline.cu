// Issue 24's second question (bench/RESULTS.md, 2026-12-05): with the first layer's updates deferred over blocks of
// K steps, what do a block's K steps cost on one thread block cluster (sm_90)? Before a block, one product gives
// p = x_b w0 for its K steps, and the Grams g = x_b x_b' depend on the data alone; after it, one product steps w0 by
// x_b' ds. Between them, step i's first-layer sums are
//     c^i p_i + b0 - step * sum_{k<i} c^(i-1-k) g_ik d1_k        (c = decay)
// so the cluster's work a step is a 100x100x100 product for each earlier step of the block, the output layer and
// the biases, not the two 100x784x100 products of kernels/cluster_steps.cu. Block b of the cluster holds hidden
// units [b * ur, (b + 1) * ur) (its columns of a1 and of every step's d1, its rows of w1, its share of b0) and a
// copy of b1. A step, two cluster barriers:
//   1. each block, its units: a1 = act(c^i p + b0 - step * the Gram terms); its units' share of the output's
//      products, a1 w1 over its rows of w1                                                    cluster barrier
//   2. each block, its rows of the minibatch: z2 = the blocks' shares summed in block order + b1; d2 = sigmoid(z2)
//      - onehot(label), written into every block                                               cluster barrier
//   3. each block, its units: d1 = (d2 w1') .* act'(a1), kept for the later steps' Gram terms and written out
//      scaled by c^(K-1-i) for w0's step; then its rows of w1, its b0 and all of b1 stepped.
// This program runs that on random data: it checks two blocks against a double-precision loop of the book's step
// (its products before and after each block taken here on the host), then times the launches of an epoch's blocks
// (each launch a block of K steps from the same p and g) against the same without the Gram terms' multiply-adds,
// and against cluster barriers alone. Only for finding the time; it trains nothing. Built for sm_90 (clusters need
// it; ci/prepare-gpu-bundle.sh):
//   nvcc -std=c++17 -O3 -arch=sm_90 -I kernels -o deferred-steps-timeline bench/ab/deferred_steps_timeline.cu
//   deferred-steps-timeline SIZES BATCH K BLOCKS THREADS [STEPS [LAUNCHES]]    e.g. 784,100,10 100 4 16 512
// A cluster the GPU cannot hold is said and passed over (exit 0). Built with g++ on the CPU block emulator
// (src/test/cuda), the grid one cluster, it runs the same code, its times meaningless:
//   g++ -std=c++20 -O2 -U_FORTIFY_SOURCE -I kernels -I src/test/cuda -x c++ -o deferred-steps-timeline bench/ab/deferred_steps_timeline.cu
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
#include "activation.cuh"
#include "dynamic_shared.cuh"
#include "layout.cuh"
#include "memory_hints.cuh"
#include "../../src/test/cuda/book_steps.h"  // the CPU reference the kernel tests check against
namespace cg = cooperative_groups;

// The most blocks of a cluster (over 8 is not portable), and the most hidden units a block may hold (registers).
#define MOST_BLOCKS 16
#define MOST_UNITS 16

// How many threads share each of a step's n sums, for a block of `threads`.
__host__ __device__ inline int parts_of(int threads, int n) {
    return threads / n > 1 ? threads / n : 1;
}

// The floats of the partial sums a block keeps: the Gram terms' (batch x parts x ur), or the updates'.
__host__ __device__ inline long partial_floats(int s1, int s2, int batch, int threads, int blocks) {
    long ur = (s1 + blocks - 1) / blocks, outs = ur * s2 + ur + s2;
    long gram = (long)batch * parts_of(threads, batch) * ur, updates = outs * parts_of(threads, (int)outs);
    return gram > updates ? gram : updates;
}

// The floats of a block's dynamic shared memory: its columns of every step's d1 and of a1, its rows of w1, its b0,
// the output's partial products, d2, b1, the decay's powers and the partial sums.
__host__ __device__ inline long deferred_shared_floats(int s1, int s2, int batch, int k_steps, int blocks, int threads) {
    long ur = (s1 + blocks - 1) / blocks;
    return (long)k_steps * batch * ur + batch * ur + ur * s2 + ur + 2L * batch * s2 + s2 + k_steps + partial_floats(s1, s2, batch, threads, blocks);
}

// K steps of s0-s1-s2 (s0 only in p) on the block's rows: p (K batch x s1), g (K batch x K batch), labels (K batch);
// b0, w1, b1 read at the start and written at the end; ds (K batch x s1) the deltas d1 scaled for w0's step. Without
// the Gram terms' multiply-adds where PRODUCTS is false (their sums 0, the loads kept). Each sum over the
// minibatch's rows, or over a Gram row, is split among several threads (each taking every parts-th term, in order),
// their partial sums then added in order.
template <bool PRODUCTS>
__device__ void deferred_steps_body(const float* p, const float* g, const float* labels, float* b0, float* w1, float* b1, float* ds, int k_steps,
                                    int batch, int s1, int s2, float step, float decay, int act) {
    cg::cluster_group cluster = cg::this_cluster();
    DYNAMIC_SHARED(float, shared);
    int blocks = (int)cluster.num_blocks(), rank = (int)cluster.block_rank();
    int ur = (s1 + blocks - 1) / blocks, u0 = rank * ur, un = max(0, min(ur, s1 - u0));        // its units
    int rr = (batch + blocks - 1) / blocks, r0 = rank * rr, rn = max(0, min(rr, batch - r0));  // its rows of the minibatch
    int outs = un * s2 + un + s2, gram_parts = parts_of(blockDim.x, batch), update_parts = parts_of(blockDim.x, outs);
    long kb = (long)k_steps * batch;
    float* dh = shared;                  // K batch x ur: its columns of each step's d1
    float* a1 = dh + kb * ur;            // batch x ur
    float* w1s = a1 + batch * ur;        // ur x s2: its rows of w1
    float* b0s = w1s + ur * s2;          // ur
    float* part = b0s + ur;              // batch x s2: its share of the output's products
    float* d2 = part + batch * s2;       // batch x s2, whole in every block
    float* b1s = d2 + batch * s2;        // s2
    float* powers = b1s + s2;            // K: decay^m
    float* partial = powers + k_steps;   // the partial sums
    for (int e = threadIdx.x; e < un * s2; e += blockDim.x) {
        w1s[e] = w1[(long)u0 * s2 + e];
    }
    for (int j = threadIdx.x; j < un; j += blockDim.x) {
        b0s[j] = b0[u0 + j];
    }
    for (int o = threadIdx.x; o < s2; o += blockDim.x) {
        b1s[o] = b1[o];
    }
    if (threadIdx.x == 0) {
        float power = 1.0f;
        for (int m = 0; m < k_steps; m++, power *= decay) {
            powers[m] = power;
        }
    }
    __syncthreads();
    for (int i = 0; i < k_steps; i++) {
        // the Gram terms of its units, sum_{k<i} decay^(i-1-k) sum_q g[i batch + r][k batch + q] d1_k[q][j]: each row's
        // split among gram_parts threads, neighbouring threads reading neighbouring terms of the row
        for (int t = threadIdx.x; t < batch * gram_parts; t += blockDim.x) {
            int r = t / gram_parts, at = t % gram_parts;
            const float* row = g + ((long)i * batch + r) * kb;
            float sum[MOST_UNITS] = {};
            for (int q = at; PRODUCTS && q < i * batch; q += gram_parts) {
                float v = row[q] * powers[i - 1 - q / batch];
                const float* d = dh + (long)q * ur;
                UNROLL
                for (int j = 0; j < MOST_UNITS; j++) {
                    if (j < un) {
                        sum[j] += v * d[j];
                    }
                }
            }
            UNROLL
            for (int j = 0; j < MOST_UNITS; j++) {
                if (j < un) {
                    partial[((long)r * gram_parts + at) * ur + j] = sum[j];
                }
            }
        }
        __syncthreads();
        for (int e = threadIdx.x; e < batch * un; e += blockDim.x) {
            int r = e / un, j = e % un;
            float terms = 0.0f;
            for (int at = 0; at < gram_parts; at++) {
                terms += partial[((long)r * gram_parts + at) * ur + j];
            }
            float z = powers[i] * p[((long)i * batch + r) * s1 + u0 + j] - step * terms;
            a1[r * ur + j] = activate(z + b0s[j], act);
        }
        __syncthreads();
        for (int e = threadIdx.x; e < batch * s2; e += blockDim.x) {
            int r = e / s2, o = e % s2;
            float sum = 0.0f;
            for (int j = 0; j < un; j++) {
                sum += a1[r * ur + j] * w1s[j * s2 + o];
            }
            part[e] = sum;
        }
        cluster.sync();  // every block's share of the output's products written
        for (int e = threadIdx.x; e < rn * s2; e += blockDim.x) {
            int r = r0 + e / s2, o = e % s2;
            float z = 0.0f;
            for (int b = 0; b < blocks; b++) {
                z += cluster.map_shared_rank(part, b)[r * s2 + o];  // in block order: the order of the units
            }
            float delta = activate(z + b1s[o], ACT_SIGMOID) - ((int)labels[(long)i * batch + r] == o ? 1.0f : 0.0f);
            for (int b = 0; b < blocks; b++) {
                cluster.map_shared_rank(d2, b)[r * s2 + o] = delta;
            }
        }
        cluster.sync();  // d2 whole in every block, and every block's shares read
        for (int e = threadIdx.x; e < batch * un; e += blockDim.x) {
            int r = e / un, j = e % un;
            float sum = 0.0f;
            for (int o = 0; o < s2; o++) {
                sum += d2[r * s2 + o] * w1s[j * s2 + o];
            }
            float d1 = sum * derivative(a1[r * ur + j], act);
            dh[((long)i * batch + r) * ur + j] = d1;
            ds[((long)i * batch + r) * s1 + u0 + j] = powers[k_steps - 1 - i] * d1;
        }
        __syncthreads();
        // the updates' sums over the rows: its rows of w1 (un x s2), its b0, b1; each split among update_parts threads
        for (int t = threadIdx.x; t < outs * update_parts; t += blockDim.x) {
            int u = t / update_parts, at = t % update_parts;
            float sum = 0.0f;
            for (int r = at; r < batch; r += update_parts) {
                sum += u < un * s2 ? a1[r * ur + u / s2] * d2[r * s2 + u % s2] : u < un * s2 + un ? dh[((long)i * batch + r) * ur + u - un * s2]
                                                                                                : d2[r * s2 + u - un * s2 - un];
            }
            partial[t] = sum;
        }
        __syncthreads();
        for (int u = threadIdx.x; u < outs; u += blockDim.x) {
            float sum = 0.0f;
            for (int at = 0; at < update_parts; at++) {
                sum += partial[u * update_parts + at];
            }
            if (u < un * s2) {
                w1s[u] = decay * w1s[u] - step * sum;
            } else if (u < un * s2 + un) {
                b0s[u - un * s2] -= step * sum;
            } else {
                b1s[u - un * s2 - un] -= step * sum;
            }
        }
        __syncthreads();
    }
    for (int e = threadIdx.x; e < un * s2; e += blockDim.x) {
        w1[(long)u0 * s2 + e] = w1s[e];
    }
    for (int j = threadIdx.x; j < un; j += blockDim.x) {
        b0[u0 + j] = b0s[j];
    }
    for (int o = threadIdx.x; rank == 0 && o < s2; o += blockDim.x) {
        b1[o] = b1s[o];
    }
}

extern "C" __global__ void __launch_bounds__(512, 1)
    deferred_steps(const float* p, const float* g, const float* labels, float* b0, float* w1, float* b1, float* ds, int k_steps, int batch, int s1,
                   int s2, float step, float decay) {
    deferred_steps_body<true>(p, g, labels, b0, w1, b1, ds, k_steps, batch, s1, s2, step, decay, ACT_SIGMOID);
}

extern "C" __global__ void __launch_bounds__(512, 1)
    steps_without_products(const float* p, const float* g, const float* labels, float* b0, float* w1, float* b1, float* ds, int k_steps, int batch,
                           int s1, int s2, float step, float decay) {
    deferred_steps_body<false>(p, g, labels, b0, w1, b1, ds, k_steps, batch, s1, s2, step, decay, ACT_SIGMOID);
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
    if (batch < 1 || k_steps < 1 || blocks < 1 || blocks > MOST_BLOCKS || threads < 32 || threads > 512 || threads % 32 != 0 || steps < k_steps
        || launches < 1) {
        fail("BATCH >= 1, K >= 1, 1 <= BLOCKS <= 16, THREADS a multiple of 32 up to 512, STEPS >= K, LAUNCHES >= 1");
    }
    if ((s1 + blocks - 1) / blocks > MOST_UNITS) fail("over 16 hidden units a block: more blocks");
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
    enum Way { AS_BUILT, WITHOUT_PRODUCTS };
#ifdef __CUDACC__
    ClusterLaunch cluster(blocks, threads, shared, {(const void*)deferred_steps, (const void*)steps_without_products});
    if (!cluster.resident) return 0;
    auto run = [&](Way way, float rate, float keep) {
        const float *p = dp, *g = dg, *y = dy;
        check(cudaLaunchKernelEx(&cluster.config, way == AS_BUILT ? deferred_steps : steps_without_products, p, g, y, db0, dw1, db1, dds, k_steps, batch, s1,
                                 s2, rate, keep),
              "cudaLaunchKernelEx");
    };
    auto barriers = [&](int n) { cluster.barriers(n); };
    auto finish = [] { check(cudaDeviceSynchronize(), "deferred_steps"); };
#else
    auto run = [&](Way way, float rate, float keep) {
        launch_cooperative(Dim3{(unsigned)blocks}, Dim3{(unsigned)threads}, [&] {
            (way == AS_BUILT ? deferred_steps : steps_without_products)(dp, dg, dy, db0, dw1, db1, dds, k_steps, batch, s1, s2, rate, keep);
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
        for (int blk = 0; blk < checked; blk++) {
            const float* xb = x.data() + (size_t)blk * kb * s0;
            std::vector<float> p(kb * s1), g(kb * kb), y(labels.begin() + blk * kb, labels.begin() + (blk + 1) * kb);
            for (long r = 0; r < kb; r++) {
                for (int j = 0; j < s1; j++) {
                    double z = 0;
                    for (int q = 0; q < s0; q++) z += (double)xb[r * s0 + q] * w[(size_t)q * s1 + j];
                    p[r * s1 + j] = (float)z;
                }
                for (long c = 0; c < kb; c++) {
                    double z = 0;
                    for (int q = 0; q < s0; q++) z += (double)xb[r * s0 + q] * xb[c * s0 + q];
                    g[r * kb + c] = (float)z;
                }
            }
            upload(dp, p);
            upload(dg, g);
            upload(dy, y);
            run(AS_BUILT, check_eta, check_decay);
            finish();
            std::vector<float> d = host(dds, kb * s1);
            double keep = std::pow((double)check_decay, k_steps);
            for (int q = 0; q < s0; q++) {
                for (int j = 0; j < s1; j++) {
                    double sum = 0;
                    for (long r = 0; r < kb; r++) sum += (double)xb[r * s0 + q] * d[r * s1 + j];
                    w[(size_t)q * s1 + j] = keep * w[(size_t)q * s1 + j] - check_eta * sum;
                }
            }
        }
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
    printf("%d launches of %d steps: %.2f us a step (median of %d); without the Gram terms' multiply-adds %.2f us; launches of its two cluster"
           " barriers a step alone %.2f us\n", blocks_run, k_steps, full, launches, bare, sync);
    return 0;
}
