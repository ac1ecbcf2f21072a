#include <cooperative_groups.h>
#include "activation.cuh"
#include "clusters.cuh"
#include "dynamic_shared.cuh"
#include "layout.cuh"
#include "memory_hints.cuh"
// Blocks of K whole SGD steps of the book's net with one hidden layer (sigmoid outputs and the logistic cost's
// delta, any hidden activation) on one thread block cluster, with the first layer's updates deferred to the end of
// the block: the same sums as DeviceNet.trainStep's, grouped another way (bench/RESULTS.md, 2026-12-05). Before a
// block of steps from w0, one product gives p = x_b w0 for its K steps, and the Grams g = x_b x_b' depend on the data
// alone; after it, one product steps w0 by x_b' ds. Between them, step i's first-layer sums are
//     c^i p_i + b0 - step * sum_{k<i} c^(i-1-k) g_ik d1_k        (c = decay)
// so the cluster's work a step is a batch x batch x (its units) product for each earlier step of the block, the
// output layer and the biases, not the two batch x s0 x s1 products of cluster_steps.cu. CudaBackend.DeferredSteps
// issues the products (cuBLAS) around each launch. Block b of the cluster holds hidden units [b * ur, (b + 1) * ur)
// (its columns of a1 and of every step's d1, its rows of w1, its share of b0) and a copy of b1. A step, two cluster
// barriers:
//   1. each block, its units: a1 = act(c^i p + b0 - step * the Gram terms); its units' share of the output's
//      products, a1 w1 over its rows of w1                                                    cluster barrier
//   2. each block, its rows of the minibatch: z2 = the blocks' shares summed in block order + b1; d2 = sigmoid(z2)
//      - onehot(label), written into every block                                               cluster barrier
//   3. each block, its units: d1 = (d2 w1') .* act'(a1), kept for the later steps' Gram terms and written out
//      scaled by c^(K-1-i) for w0's step; then its rows of w1, its b0 and all of b1 stepped.
// A block holds DEFERRED_UNITS units at most (their sums in registers; Java's twin: CudaBackend); the cluster's
// size is the kernel's own, as for cluster_steps. bench/ab/deferred_steps_timeline.cu times the body, with and
// without the Gram terms. CPU twin: DeviceNet.trainStep on the cpu backend.
namespace cg = cooperative_groups;

#define DEFERRED_UNITS 16
// The other blocks' shares of the output's products that a thread loads at once (more would take registers that
// the Gram sums need).
#define SHARES_AT_ONCE 8

// How many threads share each of a step's n sums, for a block of `threads`.
__host__ __device__ inline int parts_of(int threads, int n) {
    return threads / n > 1 ? threads / n : 1;
}

// A thread's Gram sums: GRAM_SUMS of them, for gram_units(ur) units (the fewest of 4, 8 and DEFERRED_UNITS that
// hold a block's ur) of gram_rows(ur) rows of the minibatch, so that each Gram term and each d1 it loads serves
// several multiply-adds, not one.
#define GRAM_SUMS 32
__host__ __device__ inline int gram_units(int ur) {
    return ur <= 4 ? 4 : ur <= 8 ? 8 : DEFERRED_UNITS;
}

__host__ __device__ inline int gram_rows(int ur) {
    return GRAM_SUMS / gram_units(ur);
}

// How many threads share the Gram sums of each group of gram_rows(ur) rows, for a block of `threads`.
__host__ __device__ inline int gram_parts(int threads, int batch, int ur) {
    return parts_of(threads, (batch + gram_rows(ur) - 1) / gram_rows(ur));
}

// The floats of the partial sums a block keeps: the Gram terms' (batch x parts x ur), or the updates'.
__host__ __device__ inline long partial_floats(int s1, int s2, int batch, int threads, int blocks) {
    int ur = (s1 + blocks - 1) / blocks;
    long outs = (long)ur * s2 + ur + s2;
    long gram = (long)batch * gram_parts(threads, batch, ur) * ur, updates = outs * parts_of(threads, (int)outs);
    return gram > updates ? gram : updates;
}

// The floats of a block's dynamic shared memory: its columns of every step's d1 (rows of ur | 1 floats, so that
// the threads of a warp that read them at neighbouring rows read different banks) and of a1, its rows of w1, its
// b0, the output's partial products, d2, b1, the decay's powers and the partial sums.
__host__ __device__ inline long deferred_shared_floats(int s1, int s2, int batch, int k_steps, int blocks, int threads) {
    long ur = (s1 + blocks - 1) / blocks;
    return (long)k_steps * batch * (ur | 1) + batch * ur + ur * s2 + ur + 2L * batch * s2 + s2 + k_steps + partial_floats(s1, s2, batch, threads, blocks);
}

// Step i's Gram terms of a block's un units, sum_{k<i} decay^(i-1-k) sum_q g[i batch + r][k batch + q] d1_k[q][j],
// into partial: each thread takes GRAM_SUMS / UNITS rows and UNITS units (un of them used) for every parts-th term
// of the rows, neighbouring threads the neighbouring terms, so that a warp's loads of g fall on a few lines and its
// loads of dh on different banks (or the same word).
template <bool PRODUCTS, int UNITS>
__device__ void gram_terms(const float* g, const float* dh, const float* powers, float* partial, int i, int batch, long kb, int ld, int ur, int un,
                           int parts) {
    constexpr int ROWS = GRAM_SUMS / UNITS;
    int groups = (batch + ROWS - 1) / ROWS;
    for (int t = threadIdx.x; t < groups * parts; t += blockDim.x) {
        int r0 = t / parts * ROWS, at = t % parts;
        const float* rows[ROWS];
        UNROLL
        for (int h = 0; h < ROWS; h++) {
            rows[h] = g + ((long)i * batch + min(r0 + h, batch - 1)) * kb;  // past the last row: one that is there, its sums unused
        }
        float sum[ROWS][UNITS] = {};
        for (int q = at, k = 0, edge = batch; PRODUCTS && q < i * batch; q += parts) {
            while (q >= edge) {  // k: the earlier step whose row q is
                k++;
                edge += batch;
            }
            float c = powers[i - 1 - k], v[ROWS];
            UNROLL
            for (int h = 0; h < ROWS; h++) {
                v[h] = rows[h][q] * c;
            }
            const float* d = dh + (long)q * ld;
            UNROLL
            for (int j = 0; j < UNITS; j++) {
                if (j < un) {
                    float dj = d[j];
                    UNROLL
                    for (int h = 0; h < ROWS; h++) {
                        sum[h][j] += v[h] * dj;
                    }
                }
            }
        }
        UNROLL
        for (int h = 0; h < ROWS; h++) {
            UNROLL
            for (int j = 0; j < UNITS; j++) {
                if (r0 + h < batch && j < un) {
                    partial[((long)(r0 + h) * parts + at) * ur + j] = sum[h][j];
                }
            }
        }
    }
}

// K steps of s0-s1-s2 (s0 only in p): p (K batch x s1), g (K batch x K batch), labels (K batch); b0, w1, b1 read at
// the start and written at the end; ds (K batch x s1) the deltas d1 scaled for w0's step; the last step's
// activations and deltas (a1, a2, d1, d2, batch rows each) as the layer steps leave them. Without the Gram terms
// where PRODUCTS is false (their sums 0, their rows not read). Each sum over the minibatch's rows, or over
// a Gram row, is split among several threads (each taking every parts-th term, in order), their partial sums then
// added in order.
template <bool PRODUCTS>
__device__ void deferred_steps_body(const float* p, const float* g, const float* labels, float* b0, float* w1, float* b1, float* ds, float* last_a1,
                                    float* last_a2, float* last_d1, float* last_d2, int k_steps, int batch, int s1, int s2, float step, float decay,
                                    int act) {
    cg::cluster_group cluster = cg::this_cluster();
    DYNAMIC_SHARED(float, shared);
    int blocks = (int)cluster.num_blocks(), rank = (int)cluster.block_rank();
    int ur = (s1 + blocks - 1) / blocks, u0 = rank * ur, un = max(0, min(ur, s1 - u0));        // its units
    int rr = (batch + blocks - 1) / blocks, r0 = rank * rr, rn = max(0, min(rr, batch - r0));  // its rows of the minibatch
    int outs = un * s2 + un + s2, parts = gram_parts(blockDim.x, batch, ur), update_parts = parts_of(blockDim.x, outs), ld = ur | 1;
    int units = gram_units(ur);
    long kb = (long)k_steps * batch;
    float* dh = shared;                  // K batch x ld: its columns of each step's d1
    float* a1 = dh + kb * ld;            // batch x ur
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
        if (units == 4) {
            gram_terms<PRODUCTS, 4>(g, dh, powers, partial, i, batch, kb, ld, ur, un, parts);
        } else if (units == 8) {
            gram_terms<PRODUCTS, 8>(g, dh, powers, partial, i, batch, kb, ld, ur, un, parts);
        } else {
            gram_terms<PRODUCTS, DEFERRED_UNITS>(g, dh, powers, partial, i, batch, kb, ld, ur, un, parts);
        }
        __syncthreads();
        for (int e = threadIdx.x; e < batch * un; e += blockDim.x) {
            int r = e / un, j = e % un;
            float terms = 0.0f;
            for (int at = 0; at < parts; at++) {
                terms += partial[((long)r * parts + at) * ur + j];
            }
            float z = powers[i] * p[((long)i * batch + r) * s1 + u0 + j] - step * terms;
            float a = activate(z + b0s[j], act);
            a1[r * ur + j] = a;
            if (i == k_steps - 1) {
                last_a1[r * s1 + u0 + j] = a;
            }
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
            for (int b0 = 0; b0 < blocks; b0 += SHARES_AT_ONCE) {
                float share[SHARES_AT_ONCE];
                UNROLL
                for (int b = 0; b < SHARES_AT_ONCE; b++) {  // their loads all issued before the first add waits
                    share[b] = b0 + b < blocks ? cluster.map_shared_rank(part, b0 + b)[r * s2 + o] : 0.0f;
                }
                UNROLL
                for (int b = 0; b < SHARES_AT_ONCE; b++) {
                    if (b0 + b < blocks) {
                        z += share[b];  // in block order: the order of the units
                    }
                }
            }
            float a = activate(z + b1s[o], ACT_SIGMOID), delta = a - ((int)labels[(long)i * batch + r] == o ? 1.0f : 0.0f);
            if (i == k_steps - 1) {
                last_a2[r * s2 + o] = a;
                last_d2[r * s2 + o] = delta;
            }
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
            dh[((long)i * batch + r) * ld + j] = d1;
            ds[((long)i * batch + r) * s1 + u0 + j] = powers[k_steps - 1 - i] * d1;
            if (i == k_steps - 1) {
                last_d1[r * s1 + u0 + j] = d1;
            }
        }
        __syncthreads();
        // the updates' sums over the rows: its rows of w1 (un x s2), its b0, b1; each split among update_parts threads
        for (int t = threadIdx.x; t < outs * update_parts; t += blockDim.x) {
            int u = t / update_parts, at = t % update_parts;
            float sum = 0.0f;
            for (int r = at; r < batch; r += update_parts) {
                sum += u < un * s2 ? a1[r * ur + u / s2] * d2[r * s2 + u % s2] : u < un * s2 + un ? dh[((long)i * batch + r) * ld + u - un * s2]
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

// Launched with a plain cuLaunchKernel on one cluster's blocks, deferred_shared_floats of dynamic shared memory each.
extern "C" __global__ void __launch_bounds__(WHOLE_STEPS_THREADS, 1) __cluster_dims__(CLUSTER_BLOCKS, 1, 1)
    deferred_steps(const float* p, const float* g, const float* labels, float* b0, float* w1, float* b1, float* ds, float* a1, float* a2, float* d1,
                   float* d2, int k_steps, int batch, int s1, int s2, float step, float decay, int act) {
    deferred_steps_body<true>(p, g, labels, b0, w1, b1, ds, a1, a2, d1, d2, k_steps, batch, s1, s2, step, decay, act);
}

extern "C" __global__ void __launch_bounds__(WHOLE_STEPS_THREADS, 1) __cluster_dims__(PORTABLE_CLUSTER_BLOCKS, 1, 1)
    portable_deferred_steps(const float* p, const float* g, const float* labels, float* b0, float* w1, float* b1, float* ds, float* a1, float* a2,
                            float* d1, float* d2, int k_steps, int batch, int s1, int s2, float step, float decay, int act) {
    deferred_steps_body<true>(p, g, labels, b0, w1, b1, ds, a1, a2, d1, d2, k_steps, batch, s1, s2, step, decay, act);
}
