// Issue 24's question, asked before anything is built on it: how fast can the book's SGD step run as one thread
// block cluster (sm_90) instead of train_steps' whole grid? train_steps (kernels/train_steps.cu) spreads a step
// over every multiprocessor and pays for it in grid barriers and in round trips through L2 between its phases:
// with one hidden unit, next to no arithmetic, a step still takes most of the book's step's time
// (bench/RESULTS.md). Here one cluster of up to 16 blocks, a block a multiprocessor, holds the whole network in
// shared memory for all of its steps: block b keeps rows [b * kr, (b + 1) * kr) of w0 and of each step's x
// (kr = s0 / blocks rounded up), its share of the hidden units (b0's) and of the minibatch's rows, and a copy of
// w1 and b1. A step (784-H-10 under sigmoid units and the logistic cost's delta, DeviceNet.trainStep's sums):
//   1. each block: its rows' share of the first layer, pd = x[:, its rows] * w0[its rows, :] (batch x s1)
//                                                                                               cluster barrier
//   2. each block, its units: a1 = sigmoid(sum of every block's pd, in block order, + b0), written into every
//      block's a1 through distributed shared memory                                            cluster barrier
//   3. each block, its rows of the minibatch: d2 = sigmoid(a1 w1 + b1) - onehot(label), written into every
//      block's d2                                                                              cluster barrier
//   4. every block, the whole of it: d1 = (d2 w1') .* a1 .* (1 - a1)
//   5. each block: w0[its rows] = decay * w0 - step * x' d1; its units' rows of w1 = decay * w1 - step * a1' d2,
//      written into every block's next copy of w1 (two copies, so that no block's is written while another
//      block may still read it); b0 of its units, and all of b1, less step times their deltas' column sums.
//      The small updates run on the threads the first one leaves idle.
// Three cluster barriers a step, and no global memory but the next step's rows of x and labels, which each thread
// loads into registers as a step begins and writes into the other half of the block's x as it ends. The weights
// go back to global memory after the last step.
// The program times `steps` steps on random data against the same kernel without its multiply-adds (the rest:
// barriers, shared memory, the loads of x) and against cluster barriers alone, after checking two steps against
// a double-precision loop of the book's step; then, from one more launch whose blocks note their clocks, each
// phase's time and each barrier's wait. Only for finding the time; it trains nothing. Built for sm_90
// (clusters need it; ci/prepare-gpu-bundle.sh):
//   nvcc -std=c++17 -O3 -arch=sm_90 -I kernels -o cluster-steps bench/ab/cluster_steps.cu
//   cluster-steps SIZES BATCH STEPS BLOCKS THREADS [LAUNCHES]     e.g. 784,100,10 100 550 16 512
// A cluster of over 8 blocks is not portable: where the GPU cannot hold one, the program says so and exits 0.
// Built with g++ on the CPU block emulator (src/test/cuda), the grid one cluster, it runs the same code, its times
// meaningless:
//   g++ -std=c++20 -O2 -U_FORTIFY_SOURCE -I kernels -I src/test/cuda -x c++ -o cluster-steps bench/ab/cluster_steps.cu
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>
#ifndef __CUDACC__
#include "block_emulator.h"
#endif
#include <cooperative_groups.h>
#include "dynamic_shared.cuh"
#include "memory_hints.cuh"
#define AB_PROGRAM "cluster-steps"
#include "ab_host.cuh"
namespace cg = cooperative_groups;

// The most blocks a cluster may have (a non-portable size on sm_90), and the floats of the next step's x a
// thread holds at most.
#define MAX_BLOCKS 16
#define NEXT_FLOATS 20

// w1's row stride in shared memory: odd, so that the threads of a warp reading a column of it (the deltas through
// it) read as many banks
__host__ __device__ inline int w1_stride(int s2) {
    return s2 | 1;
}

// The points of a step where thread 0 of each block notes its clock, where the launch is given somewhere to note
// them (`marks`; the timed launches are not): the phases between them, and each cluster barrier's wait.
enum Mark {
    STEP_BEGIN,
    FORWARD_DONE,   // at cluster barrier 1
    FORWARD_PAST,   // past it
    UNITS_DONE,     // at barrier 2
    UNITS_PAST,
    OUTPUT_DONE,    // at barrier 3
    OUTPUT_PAST,
    DELTAS_DONE,    // d1 written
    STEP_END,       // the updates and the next step's x written
    MARKS
};

// n rounded up to a multiple of 4: the row strides of what the two large products read 4 floats at a time
__host__ __device__ inline int fours(int n) {
    return (n + 3) / 4 * 4;
}

// The floats of a block's shared memory: w0's rows, x's rows twice (this step's and the next's), the partial
// products (then d1), a1, w1 twice (this step's and the next's), b0, b1, d2 and the labels twice.
__host__ __device__ inline long cluster_shared_floats(int s0, int s1, int s2, int batch, int blocks) {
    long kr4 = fours((s0 + blocks - 1) / blocks), ld1 = fours(s1);
    return kr4 * ld1 + 2 * batch * kr4 + 2L * batch * ld1 + 2L * s1 * w1_stride(s2) + s1 + s2 + (long)batch * s2 + 2L * batch;
}

__device__ inline float sigmoid(float v) {
    return 1.0f / (1.0f + expf(-v));
}

// use(i, j, sum_q a(i, q) * b(q, j)) for i < ni, j < nj, by the block's threads, each taking TR rows by TC columns,
// its columns `across` apart (so that neighbouring threads read neighbouring columns of b, each a bank of its own),
// its sums in order of q; with products 0 the sums are left out (0), the loads and stores kept.
template <int TR, int TC, class A, class B, class Use>
__device__ void tile_products(int ni, int nj, int nq, bool products, A a, B b, Use use) {
    int across = (nj + TC - 1) / TC, tiles = (ni + TR - 1) / TR * across;
    for (int t = threadIdx.x; t < tiles; t += blockDim.x) {
        int i0 = t / across * TR, j0 = t % across;
        float z[TR][TC] = {};
        for (int q = 0; products && q < nq; q++) {
            float u[TR], v[TC];
            UNROLL
            for (int i = 0; i < TR; i++) {
                u[i] = a(min(i0 + i, ni - 1), q);  // past the edge: a row or column that is there, its sums unused
            }
            UNROLL
            for (int c = 0; c < TC; c++) {
                v[c] = b(q, min(j0 + c * across, nj - 1));
            }
            UNROLL
            for (int i = 0; i < TR; i++) {
                UNROLL
                for (int c = 0; c < TC; c++) {
                    z[i][c] += u[i] * v[c];
                }
            }
        }
        UNROLL
        for (int i = 0; i < TR; i++) {
            UNROLL
            for (int c = 0; c < TC; c++) {
                if (i0 + i < ni && j0 + c * across < nj) {
                    use(i0 + i, j0 + c * across, z[i][c]);
                }
            }
        }
    }
}

#ifndef __CUDACC__
struct float4 {
    float x, y, z, w;
};
#endif

// The four floats from p on (16-byte aligned, in shared memory): one load instead of four, where every thread of a
// warp that reads them reads the same four.
__device__ inline float4 four(const float* p) {
    return *(const float4*)p;
}

// z[c] += u * v[c], c < 4, in order of c's component
__device__ inline void add_times(float* z, float u, float4 v) {
    z[0] += u * v.x;
    z[1] += u * v.y;
    z[2] += u * v.z;
    z[3] += u * v.w;
}

// The first layer's partial products of a block: pd[r][j] = sum_q xc[r][q] * w0s[q][j] over its rows q < kn, r < batch,
// j < s1, each thread TR rows by 4 neighbouring columns; a row's terms are read 4 at a time (one load for the warp's
// threads, which share the row), and w0's 4 columns a row of q (xc's rows kr4 apart, zero past kn; w0s's and pd's
// ld1 apart, w0s zero past kn rows and s1 columns), the sums in order of q.
template <int TR>
__device__ void first_layer(const float* xc, int kr4, const float* w0s, int ld1, float* pd, int batch, int s1, int kn, bool products) {
    int across = ld1 / 4, tiles = (batch + TR - 1) / TR * across;
    for (int t = threadIdx.x; t < tiles; t += blockDim.x) {
        int r0 = t / across * TR, c0 = t % across * 4;
        float z[TR][4] = {};
        for (int q = 0; products && q < kn; q += 4) {
            float4 w[4];
            UNROLL
            for (int u = 0; u < 4; u++) {
                w[u] = four(w0s + (q + u) * ld1 + c0);
            }
            UNROLL
            for (int i = 0; i < TR; i++) {
                float4 a = four(xc + min(r0 + i, batch - 1) * kr4 + q);  // past the edge: a row that is there, its sums unused
                add_times(z[i], a.x, w[0]);
                add_times(z[i], a.y, w[1]);
                add_times(z[i], a.z, w[2]);
                add_times(z[i], a.w, w[3]);
            }
        }
        UNROLL
        for (int i = 0; i < TR; i++) {
            UNROLL
            for (int c = 0; c < 4; c++) {
                if (r0 + i < batch && c0 + c < s1) {
                    pd[(r0 + i) * ld1 + c0 + c] = z[i][c];
                }
            }
        }
    }
}

// The step of a block's rows of w0: w0s[i][j] = decay * w0s[i][j] - step * sum_r xc[r][i] * d1[r][j], i < kn, j < s1,
// r < batch, each thread 4 rows by 4 columns, each read 4 at a time (strides and zeros as first_layer's), the sums in
// order of r.
__device__ void first_layer_step(const float* xc, int kr4, const float* d1, int ld1, float* w0s, int batch, int s1, int kn, float decay,
                                 float step, bool products) {
    int across = ld1 / 4, tiles = (kn + 3) / 4 * across;
    for (int t = threadIdx.x; t < tiles; t += blockDim.x) {
        int i0 = t / across * 4, c0 = t % across * 4;
        float z[4][4] = {};
        for (int r = 0; products && r < batch; r++) {
            float4 a = four(xc + r * kr4 + i0), d = four(d1 + r * ld1 + c0);
            add_times(z[0], a.x, d);
            add_times(z[1], a.y, d);
            add_times(z[2], a.z, d);
            add_times(z[3], a.w, d);
        }
        UNROLL
        for (int i = 0; i < 4; i++) {
            UNROLL
            for (int c = 0; c < 4; c++) {
                if (i0 + i < kn && c0 + c < s1) {
                    float* w = w0s + (i0 + i) * ld1 + c0 + c;
                    *w = decay * *w - step * z[i][c];
                }
            }
        }
    }
}

// `steps` SGD steps of 784-H-10 (sizes s0-s1-s2) on rows [s * batch, (s + 1) * batch) of x and labels, as above.
// Launched as one cluster: gridDim.x blocks, cluster_shared_floats of dynamic shared memory each.
extern "C" __global__ void __launch_bounds__(512, 1)
    cluster_steps(const float* x, const float* labels, float* w0, float* b0, float* w1, float* b1, int steps, int batch, int s0, int s1, int s2,
                  float step, float decay, int products, long long* marks) {
    cg::cluster_group cluster = cg::this_cluster();
    DYNAMIC_SHARED(float, shared);
    int blocks = (int)cluster.num_blocks(), rank = (int)cluster.block_rank(), ldw = w1_stride(s2);
    int kr = (s0 + blocks - 1) / blocks, k0 = rank * kr, kn = max(0, min(kr, s0 - k0));           // its rows of w0
    int kr4 = fours(kr), ld1 = fours(s1);
    int ur = (s1 + blocks - 1) / blocks, u0 = rank * ur, un = max(0, min(ur, s1 - u0));           // its units
    int rr = (batch + blocks - 1) / blocks, r0 = rank * rr, rn = max(0, min(rr, batch - r0));     // its rows of the minibatch
    float* w0s = shared;               // kr4 x ld1: w0's rows k0..
    float* xs = w0s + kr4 * ld1;       // 2 x batch x kr4: x's columns k0.., this step's and the next's
    float* pd = xs + 2 * batch * kr4;  // batch x ld1: the partial products, then d1
    float* a1 = pd + batch * ld1;      // batch x ld1
    float* w1s = a1 + batch * ld1;     // 2 x s1 x ldw: this step's w1 and the next's
    float* b0s = w1s + 2 * s1 * ldw;   // s1 (its units' are the ones it keeps)
    float* b1s = b0s + s1;             // s2
    float* d2 = b1s + s2;              // batch x s2
    float* ys = d2 + batch * s2;       // 2 x batch: the labels, this step's and the next's
    for (int e = threadIdx.x; e < kr4 * ld1; e += blockDim.x) {
        w0s[e] = e / ld1 < kn && e % ld1 < s1 ? w0[(long)(k0 + e / ld1) * s1 + e % ld1] : 0.0f;
    }
    for (int e = threadIdx.x; e < 2 * batch * (kr4 + ld1); e += blockDim.x) {
        xs[e] = 0.0f;  // x's, the products' and a1's columns past kn and s1 are read 4 at a time, their sums unused
    }
    for (int e = threadIdx.x; e < s1 * s2; e += blockDim.x) {
        w1s[e / s2 * ldw + e % s2] = w1[e];
    }
    for (int e = threadIdx.x; e < s1 + s2; e += blockDim.x) {
        b0s[e] = e < s1 ? b0[e] : b1[e - s1];  // b1s follows b0s
    }
    __syncthreads();
    for (int e = threadIdx.x; e < batch * kn; e += blockDim.x) {
        xs[e / kn * kr4 + e % kn] = x[(long)(e / kn) * s0 + k0 + e % kn];
    }
    for (int r = threadIdx.x; r < batch; r += blockDim.x) {
        ys[r] = labels[r];
    }
    __syncthreads();
    // at the end of a phase (before a cluster barrier), once every thread of the block is done with it, so that the
    // barrier's wait is the other blocks', not this block's last warps'
    auto mark = [&](int s, int point) {
        if (marks != nullptr) {
            if (point == FORWARD_DONE || point == UNITS_DONE || point == OUTPUT_DONE) {
                __syncthreads();
            }
            if (threadIdx.x == 0) {
                marks[((long)s * MARKS + point) * blocks + rank] = CLOCK();
            }
        }
    };
    for (int s = 0; s < steps; s++) {
        mark(s, STEP_BEGIN);
        float* xc = xs + (s % 2) * batch * kr4;
        float* w1c = w1s + (s % 2) * s1 * ldw;
        float* w1n = w1s + ((s + 1) % 2) * s1 * ldw;
        const float* y = ys + (s % 2) * batch;
        // the next step's rows of x, asked into L2 now (the epoch's x is far larger than L2) and loaded after the
        // output's deltas, when fewer registers are live
        const float* xn = x + (long)(s + 1) * batch * s0 + k0;
        for (int e = threadIdx.x; s + 1 < steps && kn > 0 && e < batch * 2; e += blockDim.x) {
            prefetch_l2(xn + (long)(e / 2) * s0 + (e % 2 == 0 ? 0 : kn - 1));  // a row's first and last float: its lines
        }
        first_layer<8>(xc, kr4, w0s, ld1, pd, batch, s1, kn, products);
        mark(s, FORWARD_DONE);
        cluster.sync();  // every block's partial products written
        mark(s, FORWARD_PAST);
        for (int e = threadIdx.x; e < batch * un; e += blockDim.x) {
            int r = e / un, j = u0 + e % un;
            float v[MAX_BLOCKS];
            UNROLL
            for (int b = 0; b < MAX_BLOCKS; b++) {
                v[b] = b < blocks ? cluster.map_shared_rank(pd, b)[r * ld1 + j] : 0.0f;
            }
            float z = 0.0f;
            UNROLL
            for (int b = 0; b < MAX_BLOCKS; b++) {
                z += b < blocks ? v[b] : 0.0f;  // in block order: the order of w0's rows
            }
            float a = sigmoid(z + b0s[j]);
            for (int b = 0; b < blocks; b++) {
                cluster.map_shared_rank(a1, b)[r * ld1 + j] = a;
            }
        }
        mark(s, UNITS_DONE);
        cluster.sync();  // a1 whole in every block, and every block's partial products read
        mark(s, UNITS_PAST);
        for (int e = threadIdx.x; e < rn * s2; e += blockDim.x) {
            int r = r0 + e / s2, k = e % s2;
            float z = 0.0f;
            for (int q = 0; products && q < s1; q++) {
                z += a1[r * ld1 + q] * w1c[q * ldw + k];
            }
            float delta = sigmoid(z + b1s[k]) - ((int)y[r] == k ? 1.0f : 0.0f);
            for (int b = 0; b < blocks; b++) {
                cluster.map_shared_rank(d2, b)[r * s2 + k] = delta;
            }
        }
        mark(s, OUTPUT_DONE);
        cluster.sync();  // d2 whole in every block
        mark(s, OUTPUT_PAST);
        // this thread's share of the next step's rows of x and labels, into registers: their loads land while the
        // step's last phases run
        float next[NEXT_FLOATS], label = 0.0f;
        UNROLL
        for (int i = 0; i < NEXT_FLOATS; i++) {
            int e = threadIdx.x + i * blockDim.x;
            next[i] = s + 1 < steps && e < batch * kn ? xn[(long)(e / kn) * s0 + e % kn] : 0.0f;
        }
        if (s + 1 < steps && (int)threadIdx.x < batch) {
            label = labels[(long)(s + 1) * batch + threadIdx.x];
        }
        tile_products<8, 5>(
            batch, s1, s2, products, [&](int r, int q) { return d2[r * s2 + q]; }, [&](int q, int j) { return w1c[j * ldw + q]; },
            [&](int r, int j, float z) {
                float a = a1[r * ld1 + j];
                pd[r * ld1 + j] = z * a * (1.0f - a);
            });
        __syncthreads();  // d1 written over the partial products
        mark(s, DELTAS_DONE);
        // the small updates, on the last threads: its units' rows of w1 (un x s2), b0 of its units, b1
        for (int e = blockDim.x - 1 - threadIdx.x; e < un * s2 + un + s2; e += blockDim.x) {
            if (e < un * s2) {
                int j = u0 + e / s2, k = e % s2;
                float g = 0.0f;
                for (int r = 0; products && r < batch; r++) {
                    g += a1[r * ld1 + j] * d2[r * s2 + k];
                }
                float updated = decay * w1c[j * ldw + k] - step * g;
                for (int b = 0; b < blocks; b++) {
                    cluster.map_shared_rank(w1n, b)[j * ldw + k] = updated;
                }
            } else {
                int c = e - un * s2;
                const float* delta = c < un ? pd + u0 + c : d2 + (c - un);
                int ld = c < un ? ld1 : s2;
                float sum = 0.0f;
                for (int r = 0; r < batch; r++) {
                    sum += delta[r * ld];
                }
                (c < un ? b0s[u0 + c] : b1s[c - un]) -= step * sum;
            }
        }
        first_layer_step(xc, kr4, pd, ld1, w0s, batch, s1, kn, decay, step, products);
        if (s + 1 < steps) {
            float* xn_shared = xs + ((s + 1) % 2) * batch * kr4;
            UNROLL
            for (int i = 0; i < NEXT_FLOATS; i++) {
                int e = threadIdx.x + i * blockDim.x;
                if (e < batch * kn) {
                    xn_shared[e / kn * kr4 + e % kn] = next[i];
                }
            }
            if ((int)threadIdx.x < batch) {
                ys[((s + 1) % 2) * batch + threadIdx.x] = label;
            }
        }
        __syncthreads();  // the step's updates and the next step's x written
        mark(s, STEP_END);
    }
    cluster.sync();  // every block's rows of the last w1 written
    const float* w1l = w1s + (steps % 2) * s1 * ldw;
    for (int e = threadIdx.x; e < kn * s1; e += blockDim.x) {
        w0[(long)k0 * s1 + e] = w0s[e / s1 * ld1 + e % s1];
    }
    for (int j = u0 + threadIdx.x; j < u0 + un; j += blockDim.x) {
        b0[j] = b0s[j];
    }
    for (int e = threadIdx.x; rank == 0 && e < s1 * s2; e += blockDim.x) {
        w1[e] = w1l[e / s2 * ldw + e % s2];
    }
    for (int k = threadIdx.x; rank == 0 && k < s2; k += blockDim.x) {
        b1[k] = b1s[k];
    }
}

// n cluster barriers: what those of cluster_steps cost by themselves.
extern "C" __global__ void __launch_bounds__(512, 1) cluster_barriers(int n) {
    cg::cluster_group cluster = cg::this_cluster();
    for (int i = 0; i < n; i++) {
        cluster.sync();
    }
}

static float uniform() {
    return (float)rand() / RAND_MAX * 2 - 1;
}

// The book's step in double precision, from the same weights (w0 s0 x s1, w1 s1 x s2, row-major), `steps` times.
static void reference(const std::vector<float>& x, const std::vector<float>& labels, std::vector<double>& w0, std::vector<double>& b0,
                      std::vector<double>& w1, std::vector<double>& b1, int steps, int batch, int s0, int s1, int s2, double step, double decay) {
    std::vector<double> a1((size_t)batch * s1), d1((size_t)batch * s1), d2((size_t)batch * s2);
    for (int s = 0; s < steps; s++) {
        const float* xb = x.data() + (size_t)s * batch * s0;
        for (int r = 0; r < batch; r++) {
            for (int j = 0; j < s1; j++) {
                double z = b0[j];
                for (int q = 0; q < s0; q++) z += xb[(size_t)r * s0 + q] * w0[(size_t)q * s1 + j];
                a1[(size_t)r * s1 + j] = 1 / (1 + std::exp(-z));
            }
            for (int k = 0; k < s2; k++) {
                double z = b1[k];
                for (int j = 0; j < s1; j++) z += a1[(size_t)r * s1 + j] * w1[(size_t)j * s2 + k];
                d2[(size_t)r * s2 + k] = 1 / (1 + std::exp(-z)) - ((int)labels[(size_t)s * batch + r] == k ? 1 : 0);
            }
            for (int j = 0; j < s1; j++) {
                double z = 0;
                for (int k = 0; k < s2; k++) z += d2[(size_t)r * s2 + k] * w1[(size_t)j * s2 + k];
                double a = a1[(size_t)r * s1 + j];
                d1[(size_t)r * s1 + j] = z * a * (1 - a);
            }
        }
        for (int q = 0; q < s0; q++) {
            for (int j = 0; j < s1; j++) {
                double g = 0;
                for (int r = 0; r < batch; r++) g += xb[(size_t)r * s0 + q] * d1[(size_t)r * s1 + j];
                w0[(size_t)q * s1 + j] = decay * w0[(size_t)q * s1 + j] - step * g;
            }
        }
        for (int j = 0; j < s1; j++) {
            for (int k = 0; k < s2; k++) {
                double g = 0;
                for (int r = 0; r < batch; r++) g += a1[(size_t)r * s1 + j] * d2[(size_t)r * s2 + k];
                w1[(size_t)j * s2 + k] = decay * w1[(size_t)j * s2 + k] - step * g;
            }
        }
        for (int j = 0; j < s1; j++) {
            double g = 0;
            for (int r = 0; r < batch; r++) g += d1[(size_t)r * s1 + j];
            b0[j] -= step * g;
        }
        for (int k = 0; k < s2; k++) {
            double g = 0;
            for (int r = 0; r < batch; r++) g += d2[(size_t)r * s2 + k];
            b1[k] -= step * g;
        }
    }
}

// The largest of |got - want| over the largest change the steps made from `before` (want - before): an error in the
// updates shows, however small a step is against the weights. NaN where any is.
static double error(const std::vector<float>& got, const std::vector<double>& want, const std::vector<float>& before) {
    double err = 0, change = 0;
    for (size_t i = 0; i < got.size(); i++) {
        double e = std::fabs(got[i] - want[i]);
        if (std::isnan(e)) return NAN;
        err = std::max(err, e);
        change = std::max(change, std::fabs(want[i] - before[i]));
    }
    return err / change;
}

static std::vector<double> widened(const std::vector<float>& v) {
    return std::vector<double>(v.begin(), v.end());
}

int main(int argc, char** argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: cluster-steps SIZES BATCH STEPS BLOCKS THREADS [LAUNCHES]   e.g. 784,100,10 100 550 16 512\n");
        return 2;
    }
    int s0, s1, s2;
    if (sscanf(argv[1], "%d,%d,%d", &s0, &s1, &s2) != 3 || s0 < 1 || s1 < 1 || s2 < 1) fail("SIZES is three widths, as 784,100,10");
    int batch = atoi(argv[2]), steps = atoi(argv[3]), blocks = atoi(argv[4]), threads = atoi(argv[5]), launches = argc > 6 ? atoi(argv[6]) : 5;
    if (batch < 1 || steps < 2 || blocks < 1 || blocks > MAX_BLOCKS || threads < 32 || threads > 512 || threads % 32 != 0 || launches < 1) {
        fail("BATCH >= 1, STEPS >= 2, 1 <= BLOCKS <= 16, THREADS a multiple of 32 up to 512, LAUNCHES >= 1");
    }
    int kr = (s0 + blocks - 1) / blocks;
    if ((long)batch * kr > (long)NEXT_FLOATS * threads) fail("the next step's rows of x do not fit the threads' registers: more threads or blocks");
    size_t shared = 4 * (size_t)cluster_shared_floats(s0, s1, s2, batch, blocks);
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
#ifdef __CUDACC__
    cudaDeviceProp prop;
    check(cudaGetDeviceProperties(&prop, 0), "cudaGetDeviceProperties");
    check(cudaFuncSetAttribute(cluster_steps, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)shared), "cudaFuncSetAttribute");
    check(cudaFuncSetAttribute(cluster_steps, cudaFuncAttributeNonPortableClusterSizeAllowed, 1), "cudaFuncSetAttribute");
    check(cudaFuncSetAttribute(cluster_barriers, cudaFuncAttributeNonPortableClusterSizeAllowed, 1), "cudaFuncSetAttribute");
    cudaLaunchAttribute attribute;
    attribute.id = cudaLaunchAttributeClusterDimension;
    attribute.val.clusterDim.x = blocks;
    attribute.val.clusterDim.y = 1;
    attribute.val.clusterDim.z = 1;
    cudaLaunchConfig_t config = {};
    config.gridDim = dim3(blocks);
    config.blockDim = dim3(threads);
    config.dynamicSmemBytes = shared;
    config.attrs = &attribute;
    config.numAttrs = 1;
    int resident = 0;
    cudaError_t e = cudaOccupancyMaxActiveClusters(&resident, cluster_steps, &config);
    printf("device: %s, %d multiprocessors\n", prop.name, prop.multiProcessorCount);
    if (e != cudaSuccess || resident < 1) {
        printf("cluster-steps: a cluster of %d blocks of %d threads with %zu bytes of shared memory each cannot be resident here (%s)\n", blocks,
               threads, shared, e != cudaSuccess ? cudaGetErrorString(e) : "0 such clusters at once");
        return 0;
    }
    long long* dmarks;
    check(cudaMalloc(&dmarks, sizeof(long long) * MARKS * steps * blocks), "cudaMalloc");
    auto run = [&](int n, int products, float rate, float keep, bool noted = false) {
        check(cudaLaunchKernelEx(&config, cluster_steps, (const float*)dx, (const float*)dy, dw0, db0, dw1, db1, n, batch, s0, s1, s2, rate, keep,
                                 products, noted ? dmarks : (long long*)nullptr),
              "cudaLaunchKernelEx");
    };
    auto noted = [&] {
        std::vector<long long> m((size_t)MARKS * steps * blocks);
        check(cudaMemcpy(m.data(), dmarks, m.size() * sizeof(long long), cudaMemcpyDeviceToHost), "cudaMemcpy");
        return m;
    };
    auto barriers = [&](int n) {
        cudaLaunchConfig_t plain = config;
        plain.dynamicSmemBytes = 0;
        check(cudaLaunchKernelEx(&plain, cluster_barriers, n), "cudaLaunchKernelEx");
    };
    auto finish = [] { check(cudaDeviceSynchronize(), "cluster_steps"); };
#else
    std::vector<long long> hmarks((size_t)MARKS * steps * blocks);
    auto run = [&](int n, int products, float rate, float keep, bool noted = false) {
        launch_cooperative(Dim3{(unsigned)blocks}, Dim3{(unsigned)threads},
                           [&] { cluster_steps(dx, dy, dw0, db0, dw1, db1, n, batch, s0, s1, s2, rate, keep, products, noted ? hmarks.data() : nullptr); },
                           shared);
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
    std::vector<double> rw0 = widened(w0), rb0 = widened(b0), rw1 = widened(w1), rb1 = widened(b1);
    reference(x, labels, rw0, rb0, rw1, rb1, checked, batch, s0, s1, s2, check_eta, check_decay);
    // on the emulator, also with its blocks and threads run last to first, so that a read of what another block or
    // thread writes without a barrier between shows in one of the two orders
#ifdef __CUDACC__
    const char* orders[] = {""};
#else
    const char* orders[] = {"", ", blocks and threads run last to first"};
#endif
    for (const char* order : orders) {
#ifndef __CUDACC__
        emulator::reverse = *order != 0;
#endif
        for (auto [p, v] : {std::pair{dw0, &w0}, {db0, &b0}, {dw1, &w1}, {db1, &b1}}) {
            upload(p, *v);
        }
        run(checked, 1, check_eta, check_decay);
        finish();
        double err = std::max({error(host(dw0, w0.size()), rw0, w0), error(host(db0, b0.size()), rb0, b0),
                               error(host(dw1, w1.size()), rw1, w1), error(host(db1, b1.size()), rb1, b1)});
        bool ok = err <= 1e-3;  // float sums against double ones
        printf("%d steps against the book's step in double precision%s: the largest error in the weights and biases %.2e of their largest change"
               " (%s)\n", checked, order, err, ok ? "ok" : "NOT ok");
        if (!ok) return 1;
    }
    // each way: the median of `launches` launches of all the steps, after one more as a warm-up
    auto median = [&](auto launch) {
        launch();
        finish();
        std::vector<double> ms;
        for (int i = 0; i < launches; i++) ms.push_back(timed([&] { launch(); }));
        std::sort(ms.begin(), ms.end());
        return ms[ms.size() / 2] * 1000 / steps;
    };
    double full = median([&] { run(steps, 1, eta, decay); });
    double bare = median([&] { run(steps, 0, eta, decay); });
    double sync = median([&] { barriers(3 * steps); });
    printf("%d steps: %.2f us a step (median of %d launches); without the multiply-adds %.2f us; its three cluster barriers alone %.2f us\n", steps,
           full, launches, bare, sync);
    // one more launch with each block's thread 0 noting its clock at each Mark: the clock's rate from the launch's
    // time over block 0's span of it, then each phase and barrier, per step from the second on (the first starts
    // cold), as the mean over steps of the longest block and of the blocks' mean
    double ms = timed([&] { run(steps, 1, eta, decay, true); });
    std::vector<long long> m = noted();
    auto at = [&](int s, int point, int b) { return m[((size_t)s * MARKS + point) * blocks + b]; };
    double perUs = (double)(at(steps - 1, STEP_END, 0) - at(0, STEP_BEGIN, 0)) / (ms * 1000);
    struct Part {
        const char* name;
        int from, to;
    } parts[] = {{"1. the first layer's partial products", STEP_BEGIN, FORWARD_DONE}, {"cluster barrier 1", FORWARD_DONE, FORWARD_PAST},
                 {"2. the units' sums, a1 written into every block", FORWARD_PAST, UNITS_DONE}, {"cluster barrier 2", UNITS_DONE, UNITS_PAST},
                 {"3. the output's delta of the block's rows, written into every block", UNITS_PAST, OUTPUT_DONE},
                 {"cluster barrier 3", OUTPUT_DONE, OUTPUT_PAST}, {"4. d1", OUTPUT_PAST, DELTAS_DONE},
                 {"5. the updates, the next step's x", DELTAS_DONE, STEP_END}, {"the step", STEP_BEGIN, STEP_END}};
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
