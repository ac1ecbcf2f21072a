#include <cooperative_groups.h>
#include "activation.cuh"
#include "clusters.cuh"
#include "dynamic_shared.cuh"
#include "layout.cuh"
#include "memory_hints.cuh"
// Whole SGD steps of the book's net with one hidden layer (DeviceNet.trainStep's sums; sigmoid outputs and the
// logistic cost's delta, any hidden activation) on one thread block cluster (CLUSTER_BLOCKS blocks, or
// PORTABLE_CLUSTER_BLOCKS where a GPU holds no more), a block a multiprocessor, that holds the whole network in
// its shared memory for all of its steps. train_steps spreads a step over every multiprocessor and pays for it in
// grid barriers and in round trips through L2 between its phases; here three cluster barriers a step, and no
// global memory but the next step's rows of x and labels.
// Block b keeps rows [b * kr, (b + 1) * kr) of w0 and of each step's x (kr = s0 / blocks rounded up),
// its share of the hidden units (b0's) and of the minibatch's rows, and a copy of w1 and b1. A step:
//   1. each block: its rows' share of the first layer, pd = x[:, its rows] * w0[its rows, :] (batch x s1)
//                                                                                               cluster barrier
//   2. each block, its units: a1 = act(sum of every block's pd, in block order, + b0), written into every
//      block's a1 through distributed shared memory                                            cluster barrier
//   3. each block, its rows of the minibatch: d2 = sigmoid(a1 w1 + b1) - onehot(label), written into every
//      block's d2                                                                              cluster barrier
//   4. every block, the whole of it: d1 = (d2 w1') .* act'(a1)
//   5. each block: w0[its rows] = decay * w0 - step * x' d1; its units' rows of w1 = decay * w1 - step * a1' d2,
//      written into every block's next copy of w1 (two copies, so that no block's is written while another
//      block may still read it); b0 of its units, and all of b1, less step times their deltas' column sums.
//      The small updates run on the threads the first one leaves idle.
// Each thread loads its share of the next step's rows of x into registers after the output's deltas and writes
// them into the other half of the block's x as the step ends; the weights go back to global memory after the
// last step, and with them the last step's activations and deltas (a1, a2, d1, d2, batch rows each), as the layer
// steps leave them. `step` is eta, or eta / batch for the averaged gradient; decay is 1 - eta * l2.
// Clusters need sm_90, so kernels/build-ptx.sh builds this file (it declares __cluster_dims__) for compute_90
// only, and CudaBackend offers these steps on such GPUs only, where the network fits the block's shared memory
// (cluster_steps_shared_floats) and the threads' registers (CLUSTER_NEXT_FLOATS), and the minibatch's labels
// a thread each (a batch of WHOLE_STEPS_THREADS at most). bench/ab/cluster_steps_timeline.cu
// times the body without its multiply-adds and with each block noting its clock. CPU twin: DeviceNet.trainStep
// on the cpu backend.
namespace cg = cooperative_groups;

// The floats of the next step's x a thread holds at most (Java's twin: CudaBackend).
#define CLUSTER_NEXT_FLOATS 20

// w1's row stride in shared memory: odd, so that the threads of a warp reading a column of it (the deltas through
// it) read as many banks
__host__ __device__ inline int w1_stride(int s2) {
    return s2 | 1;
}

// The points of a step where bench/ab/cluster_steps_timeline.cu has thread 0 of each block note its clock (the kernel's
// own steps note none): the phases between them, and each cluster barrier's wait.
enum ClusterPoint {
    STEP_BEGIN_AT,
    FORWARD_DONE,   // at cluster barrier 1
    FORWARD_PAST,   // past it
    UNITS_DONE,     // at barrier 2
    UNITS_PAST,
    OUTPUT_DONE,    // at barrier 3
    OUTPUT_PAST,
    DELTAS_DONE,    // d1 written
    STEP_END_AT,    // the updates and the next step's x written
    CLUSTER_POINTS
};

// n rounded up to a multiple of 4: the row strides of what the two large products read 4 floats at a time
__host__ __device__ inline int fours(int n) {
    return (n + 3) / 4 * 4;
}

// The floats of a block's dynamic shared memory (Java's twin: CudaBackend.ClusterSteps): w0's rows, x's rows twice (this step's and the next's), the partial
// products (then d1), a1, w1 twice (this step's and the next's), b0, b1, d2 and the labels twice.
__host__ __device__ inline long cluster_steps_shared_floats(int s0, int s1, int s2, int batch, int blocks) {
    long kr4 = fours((s0 + blocks - 1) / blocks), ld1 = fours(s1);
    return kr4 * ld1 + 2 * batch * kr4 + 2L * batch * ld1 + 2L * s1 * w1_stride(s2) + s1 + s2 + (long)batch * s2 + 2L * batch;
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

// What the clocks are noted by where nothing notes them.
struct NoPoints {
    __device__ void operator()(int, int) const {}
};

// `steps` SGD steps of s0-s1-s2 on rows [s * batch, (s + 1) * batch) of x and labels, as above, on the cluster
// this block is in; without the multiply-adds where PRODUCTS is false (their sums 0, the loads and stores kept);
// point(s, p) at each ClusterPoint p of step s, called by every thread of the block.
template <bool PRODUCTS, class Points>
__device__ void cluster_steps_body(const float* x, const float* labels, float* w0, float* b0, float* w1, float* b1, float* last_a1,
                                   float* last_a2, float* last_d1, float* last_d2, int steps, int batch, int s0, int s1, int s2, float step,
                                   float decay, int act, Points point) {
    cg::cluster_group cluster = cg::this_cluster();
    DYNAMIC_SHARED(float, shared);
    int blocks = (int)cluster.num_blocks(), rank = (int)cluster.block_rank(), ldw = w1_stride(s2);
    int kr = (s0 + blocks - 1) / blocks, k0 = rank * kr, kn = max(0, min(kr, s0 - k0));           // its rows of w0
    int kr4 = fours(kr), ld1 = fours(s1);
    int ur = (s1 + blocks - 1) / blocks, u0 = rank * ur, un = max(0, min(ur, s1 - u0));           // its units
    int rr = (batch + blocks - 1) / blocks, r0 = rank * rr, rn = max(0, min(rr, batch - r0));     // its rows of the minibatch
    float* w0s = shared;               // kr4 x ld1: w0's rows k0..
    float* xs = w0s + kr4 * ld1;       // 2 x batch x kr4: x's columns k0.., this step's and the next's
    float* pd = xs + 2 * batch * kr4;  // batch x ld1: the partial PRODUCTS, then d1
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
        xs[e] = 0.0f;  // x's, the PRODUCTS' and a1's columns past kn and s1 are read 4 at a time, their sums unused
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
    for (int s = 0; s < steps; s++) {
        point(s, STEP_BEGIN_AT);
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
        first_layer<8>(xc, kr4, w0s, ld1, pd, batch, s1, kn, PRODUCTS);
        point(s, FORWARD_DONE);
        cluster.sync();  // every block's partial PRODUCTS written
        point(s, FORWARD_PAST);
        for (int e = threadIdx.x; e < batch * un; e += blockDim.x) {
            int r = e / un, j = u0 + e % un;
            float v[CLUSTER_BLOCKS];
            UNROLL
            for (int b = 0; b < CLUSTER_BLOCKS; b++) {
                v[b] = b < blocks ? cluster.map_shared_rank(pd, b)[r * ld1 + j] : 0.0f;
            }
            float z = 0.0f;
            UNROLL
            for (int b = 0; b < CLUSTER_BLOCKS; b++) {
                z += b < blocks ? v[b] : 0.0f;  // in block order: the order of w0's rows
            }
            float a = activate(z + b0s[j], act);
            for (int b = 0; b < blocks; b++) {
                cluster.map_shared_rank(a1, b)[r * ld1 + j] = a;
            }
        }
        point(s, UNITS_DONE);
        cluster.sync();  // a1 whole in every block, and every block's partial PRODUCTS read
        point(s, UNITS_PAST);
        for (int e = threadIdx.x; e < rn * s2; e += blockDim.x) {
            int r = r0 + e / s2, k = e % s2;
            float z = 0.0f;
            for (int q = 0; PRODUCTS && q < s1; q++) {
                z += a1[r * ld1 + q] * w1c[q * ldw + k];
            }
            float a = activate(z + b1s[k], ACT_SIGMOID);
            if (s == steps - 1) {
                last_a2[r * s2 + k] = a;
            }
            float delta = a - ((int)y[r] == k ? 1.0f : 0.0f);
            for (int b = 0; b < blocks; b++) {
                cluster.map_shared_rank(d2, b)[r * s2 + k] = delta;
            }
        }
        point(s, OUTPUT_DONE);
        cluster.sync();  // d2 whole in every block
        point(s, OUTPUT_PAST);
        // this thread's share of the next step's rows of x and labels, into registers: their loads land while the
        // step's last phases run
        float next[CLUSTER_NEXT_FLOATS], label = 0.0f;
        UNROLL
        for (int i = 0; i < CLUSTER_NEXT_FLOATS; i++) {
            int e = threadIdx.x + i * blockDim.x;
            next[i] = s + 1 < steps && e < batch * kn ? xn[(long)(e / kn) * s0 + e % kn] : 0.0f;
        }
        if (s + 1 < steps && (int)threadIdx.x < batch) {
            label = labels[(long)(s + 1) * batch + threadIdx.x];
        }
        tile_products<8, 5>(
            batch, s1, s2, PRODUCTS, [&](int r, int q) { return d2[r * s2 + q]; }, [&](int q, int j) { return w1c[j * ldw + q]; },
            [&](int r, int j, float z) {
                float a = a1[r * ld1 + j];
                pd[r * ld1 + j] = z * derivative(a, act);
            });
        __syncthreads();  // d1 written over the partial PRODUCTS
        point(s, DELTAS_DONE);
        // the small updates, on the last threads: its units' rows of w1 (un x s2), b0 of its units, b1
        for (int e = blockDim.x - 1 - threadIdx.x; e < un * s2 + un + s2; e += blockDim.x) {
            if (e < un * s2) {
                int j = u0 + e / s2, k = e % s2;
                float g = 0.0f;
                for (int r = 0; PRODUCTS && r < batch; r++) {
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
        first_layer_step(xc, kr4, pd, ld1, w0s, batch, s1, kn, decay, step, PRODUCTS);
        if (s + 1 < steps) {
            float* xn_shared = xs + ((s + 1) % 2) * batch * kr4;
            UNROLL
            for (int i = 0; i < CLUSTER_NEXT_FLOATS; i++) {
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
        point(s, STEP_END_AT);
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
    // the last step's a1 and d1 (over the partial products) and d2, which every block holds whole
    for (int e = threadIdx.x; rank == 0 && steps > 0 && e < batch * (2 * s1 + s2); e += blockDim.x) {
        if (e < batch * s1) {
            last_a1[e] = a1[e / s1 * ld1 + e % s1];
        } else if (e < 2 * batch * s1) {
            last_d1[e - batch * s1] = pd[(e - batch * s1) / s1 * ld1 + (e - batch * s1) % s1];
        } else {
            last_d2[e - 2 * batch * s1] = d2[e - 2 * batch * s1];
        }
    }
}

// Launched with a plain cuLaunchKernel on one cluster's blocks, cluster_steps_shared_floats of dynamic shared memory
// each (CudaBackend.ClusterSteps): the cluster's size is the kernel's own, hence one kernel a size.
extern "C" __global__ void __launch_bounds__(WHOLE_STEPS_THREADS, 1) __cluster_dims__(CLUSTER_BLOCKS, 1, 1)
    cluster_steps(const float* x, const float* labels, float* w0, float* b0, float* w1, float* b1, float* a1, float* a2, float* d1, float* d2,
                  int steps, int batch, int s0, int s1, int s2, float step, float decay, int act) {
    cluster_steps_body<true>(x, labels, w0, b0, w1, b1, a1, a2, d1, d2, steps, batch, s0, s1, s2, step, decay, act, NoPoints());
}

extern "C" __global__ void __launch_bounds__(WHOLE_STEPS_THREADS, 1) __cluster_dims__(PORTABLE_CLUSTER_BLOCKS, 1, 1)
    portable_cluster_steps(const float* x, const float* labels, float* w0, float* b0, float* w1, float* b1, float* a1, float* a2, float* d1,
                           float* d2, int steps, int batch, int s0, int s1, int s2, float step, float decay, int act) {
    cluster_steps_body<true>(x, labels, w0, b0, w1, b1, a1, a2, d1, d2, steps, batch, s0, s1, s2, step, decay, act, NoPoints());
}
