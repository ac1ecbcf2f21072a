#include <cooperative_groups.h>
#include "activation.cuh"
#include "dynamic_shared.cuh"
#include "layout.cuh"
#include "memory_hints.cuh"
#include "softmax_row.cuh"
#include "strided_dot.cuh"
// Whole SGD steps of the book (DeviceNet.trainStep) in one cooperative launch, for networks so small that
// launches, not arithmetic, cost the time: every block stays resident for all `steps` minibatches, and a
// grid-wide barrier separates the phases of a step, so a step costs two barriers instead of a graph node
// per op. Up to three layers (w0..w2; sizes s0..s3, unused ones 0, their pointers unread). Step s reads
// rows [s * batch, (s + 1) * batch) of x and labels (the epoch's gathered minibatches); the activations
// a1..a3 and the deltas d1..d3 are batch x s1..s3 scratch in global memory (L2-resident at these sizes), which
// the updates read; the row phase works on its row's in shared memory where they fit (Row).
// The weights work in tiles, tile_k rows by tile_cols columns, each block taking tiles strided over the grid,
// the same ones of w0 in both phases that touch it; the tile and chunk_rows rows of the layer's input and of
// the delta above at a time are staged in the block's dynamic shared memory, so every block reads them in
// coalesced runs, and x, the first layer's input (s0 wide), is read once per column of tiles, not per unit.
// Each thread issues a batch of its loads before it uses any (BATCH and the like), or copies into shared memory
// without waiting where the PTX is compute_80's (ASYNC_COPIES, memory_hints.cuh), each block asks
// for the next step's rows of x under its tiles to be brought into L2 as a step begins (the epoch's x is far
// larger than L2), and what a phase reads after its first wait is asked into L1 as the phase begins.
// The phases of a step:
//   1. first layer by tile: partial[t] = x[:, rows of tile t's k] * w0[those rows, its columns], the tiles'
//      rows of k numbered t (partial is (s0 / tile_k rounded up) x batch x s1)            grid barrier
//   2. by row of the minibatch (each row's whole forward and backward pass needs only that row):
//      a1 = act(sum_t partial[t] + b0); forward per layer above; the output layer's
//      a[L] = sigmoid(a[L-1] * w[L-1] + b[L-1]), d[L] = a[L] - onehot (with OUT_SOFTMAX the logits, then
//      softmax_row and the delta); backward per layer l >= 1 from the top: d[l] = (d[l+1] * w[l]') .*
//      act'(a[l])                                                                            grid barrier
//   3. the updates: w[l] = decay * w[l] - step * a[l]' * d[l+1] for each layer, w0 by the tiles of phase 1,
//      and b[l] -= step * column sums of d[l+1] (taken in row order). No grid barrier
//      follows: the next step's phase 1 reads only the w0 tiles the same block wrote here, and writes only
//      partial, which no block reads here. Where every block has one tile at most, the block's tile stays in
//      its shared memory from here to the next step's phase 1, which then need not stage it; where w0's tiles
//      are no more than the blocks and the minibatch one chunk, the chunk of x phase 1 staged stays for this
//      phase's w0 tile.
// `step` is eta, or eta / batch for the averaged gradient; decay is 1 - eta * l2. Launched with
// cuLaunchCooperativeKernel on a grid that is co-resident, with train_steps_shared_floats floats of dynamic shared
// memory a block (CudaBackend, which chooses the tiles). CPU twin: DeviceNet.trainStep on the cpu backend.
namespace cg = cooperative_groups;

// The dynamic shared memory of a block of `threads` threads, in floats: the layout at train_steps' start (Java's
// twin: WholeStepTiles.sharedBytes).
__host__ __device__ inline int train_steps_shared_floats(int tile_k, int tile_cols, int chunk_rows, int threads) {
    return (tile_k + 1) * tile_cols + chunk_rows * (tile_k + tile_cols) + 4 * threads;
}

// The points of a step where bench/ab/train_steps_timeline.cu notes each block's clock (STEP_POINT; nothing in
// the kernels). Every block passes the first five; the marks within a phase follow a block's tile, row or chunk
// (its last, where it has several).
enum StepPoint {
    STEP_BEGIN,
    PHASE1_END,       // at grid barrier 1
    PHASE2_BEGIN,     // past it
    PHASE2_END,       // at grid barrier 2
    PHASE3_BEGIN,     // past it
    TILE_STAGED,      // phase 1: x's chunk under the tile (and the tile) in shared memory
    TILE_MULTIPLIED,  // the chunk's partial products written
    ROW_SUMMED,       // phase 2: the row of a1 from the partial products
    ROW_FORWARD,      // the layers above, to the output's delta
    ROW_BACKWARD,     // the deltas of the layers below
    UPDATE_STAGED,    // phase 3: the chunks of the input and of the delta above in shared memory
    UPDATE_SUMMED,    // their products and the bias's sums
    UPDATE_STEPPED,   // the tile's weights and bias written
    STEP_POINTS
};
#ifndef STEP_POINT
#define STEP_POINT(step, point)
#endif
// 0 in bench/ab/train_steps_timeline.cu's variant that leaves out the tiles' multiply-adds (phases 1 and 3), so
// that a step's time splits into them and the rest; 1 in the kernels.
#ifndef STEP_PRODUCTS
#define STEP_PRODUCTS 1
#endif

// Loads a thread issues before it uses the first of them: in the copies, in the weights' updates and the dots
// and in the sums of the partial products where they are not staged (one batch for a first layer of up to 16
// tiles down). More would crowd the 128 registers a thread that the launch bounds allow: a batch of 32 sums
// kept the kernel near that bound over more code than any other part, so that a few more values live anywhere
// made ptxas spill. Each is unrolled, so larger batches are also more code; halving them did not change a step's
// time on the H200 (bench/RESULTS.md, 2026-12-04).
#define BATCH 16
#define UPDATE_BATCH 8
#define SUM_BATCH 16

// Threads that take one dot of row_dots_along side by side: a warp, so that its loads fall on one line of b.
#define DOT_LANES 32

// Calls f(j, z_j) for j < count, z_j = sum_p a[p] * b[j * ld + p] over p < n, where b's rows lie along memory (the
// product through the weights above a layer): DOT_LANES threads take each dot, lane i its terms p = i, i +
// DOT_LANES, ..., so that a warp's loads fall on one line of b, where a thread a dot would have its own line for
// every thread; a thread the same lane of several dots, its loads issued BATCH at a time. The lanes' sums go
// through the scratch (as many dots at a time as it holds: blockDim.x floats for every blockDim.x / DOT_LANES
// of them; at least blockDim.x floats), a dot's side by side, and each dot adds its lanes from lane (its number
// mod DOT_LANES) on, round to it again, so that the threads of a warp read a bank of shared memory each. The
// caller syncs the block before the scratch is used again.
template <class F>
__device__ void row_dots_along(const float* a, const float* b, long ld, int n, int count, float* scratch, int scratchFloats, F f) {
    int ranks = blockDim.x / DOT_LANES, rank = threadIdx.x / DOT_LANES, lane = threadIdx.x % DOT_LANES;
    int per = (n + DOT_LANES - 1) / DOT_LANES, rounds = scratchFloats / blockDim.x, at_once = rounds * ranks;
    for (int j0 = 0; j0 < count; j0 += at_once) {
        int dots = min(at_once, count - j0), mine = rank < dots ? (dots - rank + ranks - 1) / ranks : 0, terms = mine * per;
        // term e of this thread: dot q = e / per (j0 + rank + q * ranks), p = lane + (e % per) * DOT_LANES, kept as a cursor
        int q = 0, u = 0;
        float sum = 0.0f;
        for (int e0 = 0; e0 < terms; e0 += BATCH) {
            float v[BATCH];
            int lq = q, lu = u;
            UNROLL
            for (int c = 0; c < BATCH; c++) {
                int p = lane + lu * DOT_LANES;
                v[c] = e0 + c < terms && p < n ? b[(j0 + rank + (long)lq * ranks) * ld + p] : 0.0f;
                if (++lu == per) {
                    lu = 0;
                    lq++;
                }
            }
            UNROLL
            for (int c = 0; c < BATCH && e0 + c < terms; c++) {
                int p = lane + u * DOT_LANES;
                sum += (p < n ? a[p] : 0.0f) * v[c];  // a, the row's, is mostly in shared memory: loaded as used
                if (++u == per) {
                    scratch[q * blockDim.x + threadIdx.x] = sum;
                    sum = 0.0f;
                    u = 0;
                    q++;
                }
            }
        }
        __syncthreads();  // every lane's sum in the scratch
        for (int i = threadIdx.x; i < dots; i += blockDim.x) {
            const float* lanes = scratch + i / ranks * blockDim.x + i % ranks * DOT_LANES;
            float z = 0.0f;
            for (int l = 0; l < DOT_LANES; l++) {
                z += lanes[(l + i) % DOT_LANES];
            }
            f(j0 + i, z);
        }
        if (j0 + at_once < count) {
            __syncthreads();  // the scratch read: the next dots' lanes overwrite it
        }
    }
}

// Calls f(j, z_j) for j < count, z_j = sum_p a[p] * b[j * jStride + p * pStride] over p < n: one row's dots
// with the units of a layer, by the block's threads. Where b's rows lie along memory and are a warp's width or
// longer, by row_dots_along. Otherwise, where the block has the threads and the scratch (shared memory) for two
// slices of each dot or more, the slices' sums are taken side by side, so a dot waits on one slice's loads
// instead of all of its own, then added in slice order; otherwise in four chains; neighbouring threads take
// neighbouring j. The caller syncs the block before the scratch is used again.
template <class F>
__device__ void row_dots(const float* a, const float* b, long jStride, long pStride, int n, int count, float* scratch, int scratchFloats,
                         F f) {
    if (pStride == 1 && n >= DOT_LANES && scratchFloats >= (int)blockDim.x && blockDim.x % DOT_LANES == 0) {
        row_dots_along(a, b, jStride, n, count, scratch, scratchFloats, f);
        return;
    }
    int slices = min((int)blockDim.x, scratchFloats) / count;
    if (slices < 2) {
        for (int j = threadIdx.x; j < count; j += blockDim.x) {
            f(j, chained_dot<4, BATCH>(a, 1, b + j * jStride, (int)pStride, n));
        }
        return;
    }
    int span = (n + slices - 1) / slices;
    slices = (n + span - 1) / span;
    for (int i = threadIdx.x; i < slices * count; i += blockDim.x) {
        int q = i / count, j = i % count, begin = q * span, end = min(n, begin + span);
        scratch[i] = strided_dot(a + begin, 1, b + j * jStride + begin * pStride, (int)pStride, end - begin);
    }
    __syncthreads();  // every slice summed
    for (int j = threadIdx.x; j < count; j += blockDim.x) {
        float z = 0.0f;
        for (int q = 0; q < slices; q++) {
            z += scratch[q * count + j];
        }
        f(j, z);
    }
}

// Tiles of tile_k x tile_cols over a k x cols layer.
__device__ inline int tiles_of(int k, int cols, int tile_k, int tile_cols) {
    return (k + tile_k - 1) / tile_k * ((cols + tile_cols - 1) / tile_cols);
}

// Tile u of a k x cols layer's weights, the tiles numbered across, then down: its first row and column, and
// its rows and columns (fewer at the layer's edges).
struct Tile {
    int k0, c0, kn, cn;
};

__device__ inline Tile tile_at(int u, int k, int cols, int tile_k, int tile_cols) {
    int across = (cols + tile_cols - 1) / tile_cols, k0 = u / across * tile_k, c0 = u % across * tile_cols;
    return {k0, c0, min(tile_k, k - k0), min(tile_cols, cols - c0)};
}

// Floats a block asks into L1 at once at most (prefetch_rows): a few lines of a multiprocessor's L1, which its
// blocks share with their shared memory.
#define L1_PREFETCH_FLOATS 8192

// Walks a thread's elements of a region `cols` wide, blockDim.x apart in row-major order from element i: their
// rows and columns follow from one division.
struct Cursor {
    int r, c, down, across, cols;
    __device__ Cursor(int i, int cols) : r(i / cols), c(i % cols), down(blockDim.x / cols), across(blockDim.x % cols), cols(cols) {
    }
    __device__ void next() {
        r += down;
        c += across;
        if (c >= cols) {
            c -= cols;
            r++;
        }
    }
};

// For the block's threads over rows x cols, each thread's elements N at a time: v = load(r, c) for each, then
// use(r, c, v) for each, so the loads go out together.
template <int N, class Load, class Use>
__device__ void batched(int rows, int cols, Load load, Use use) {
    for (int first = threadIdx.x; first < rows * cols; first += N * blockDim.x) {
        float v[N];
        Cursor e(first, cols);
        UNROLL
        for (int u = 0; u < N; u++, e.next()) {
            v[u] = e.r < rows ? load(e.r, e.c) : 0.0f;
        }
        e = Cursor(first, cols);
        UNROLL
        for (int u = 0; u < N && e.r < rows; u++, e.next()) {
            use(e.r, e.c, v[u]);
        }
    }
}

// Copies rows x cols of src (row stride ld) into dst (row stride dstLd) by the block's threads, in coalesced runs;
// each thread calls copies_landed() before the barrier after which the block reads dst. With ASYNC_COPIES the
// copies do not wait (a thread keeps one column of a band of up to blockDim.x columns and steps down it), so a
// copy is a short loop, not BATCH loads unrolled: a step runs less code, and every copy is in flight at once.
__device__ void stage(float* dst, int dstLd, const float* src, long ld, int rows, int cols) {
#if ASYNC_COPIES
    for (int c0 = 0; c0 < cols; c0 += blockDim.x) {
        int width = min(cols - c0, (int)blockDim.x), per = blockDim.x / width, first = threadIdx.x / width, c = c0 + threadIdx.x % width;
        for (int r = first; r < rows && first < per; r += per) {
            copy_async(dst + r * dstLd + c, src + r * ld + c);
        }
    }
#else
    batched<BATCH>(rows, cols, [&](int r, int c) { return src[r * ld + c]; }, [&](int r, int c, float v) { dst[r * dstLd + c] = v; });
#endif
}

// w = decay * w - step * g over rows x cols of w (row stride ld) and g (row stride gLd), by the block's threads;
// g then holds the new w.
__device__ void decay_step(float* w, long ld, float* g, int gLd, int rows, int cols, float decay, float step) {
    batched<UPDATE_BATCH>(rows, cols, [&](int r, int c) { return w[r * ld + c]; }, [&](int r, int c, float v) {
        float updated = decay * v - step * g[r * gLd + c];
        w[r * ld + c] = updated;
        g[r * gLd + c] = updated;
    });
}

// Terms of q a slice of pair_products takes at least: a slice's sums cost a shared-memory round trip to add up.
#define MIN_SLICE 8

// For i < ni and j < nj: use(i, j, z0(i, j) + sum_q a[i * ai + q * aq] * b[q * bq + j]), by the block's threads,
// each taking 2 x 2 of (i, j) (fewer at an odd edge): each step of q makes four multiply-adds from two loads of a
// and two of b, where an output a thread made one from two loads (the shared-memory loads are what a
// multiprocessor's blocks share). Where the 2 x 2s leave threads idle, beyond the last `idle` threads, which the
// caller keeps for other work, q is cut into slices that threads take side by side, so that each thread's chain
// of multiply-adds is a slice long, not nq: a slice's sums go through `split` (4 floats a thread), and each output
// is z0 plus its slices' sums in slice order, the first slice's terms added to z0 in order of q, as are each
// slice's. Every thread of the block calls it. The caller syncs the block before a's or b's memory is written
// again.
template <class Start, class Use>
__device__ void pair_products(const float* a, int ai, int aq, const float* b, int bq, int ni, int nj, int nq, int idle, float* split, Start z0,
                             Use use) {
    int across = (nj + 1) / 2, pairs = (ni + 1) / 2 * across;
    int slices = max(1, min(((int)blockDim.x - idle) / pairs, (nq + MIN_SLICE - 1) / MIN_SLICE)), span = max(1, (nq + slices - 1) / slices);
    slices = max(1, (nq + span - 1) / span);
    float z00 = 0.0f, z01 = 0.0f, z10 = 0.0f, z11 = 0.0f;
    // 2 x 2 number o: its first output (i, j), and di and dj 0 at an odd edge, where the second of the pair repeats
    // the first, unused
    struct Pair {
        int i, j, di, dj;
    };
    auto pair = [&](int o) {
        int i = o / across * 2, j = o % across * 2;
        return Pair{i, j, i + 1 < ni, j + 1 < nj};
    };
    auto emit = [&](Pair p) {
        auto [i, j, di, dj] = p;
        use(i, j, z00);
        if (dj) {
            use(i, j + 1, z01);
        }
        if (di) {
            use(i + 1, j, z10);
            if (dj) {
                use(i + 1, j + 1, z11);
            }
        }
    };
    for (int t = threadIdx.x; t < pairs * slices; t += blockDim.x) {  // one round where slices > 1
        int o = t % pairs, s = t / pairs, q0 = s * span, q1 = min(nq, q0 + span);
        auto [i, j, di, dj] = pair(o);
        const float* a0 = a + i * ai;
        const float* a1 = a0 + di * ai;
        const float* b0 = b + j;
        bool first = s == 0;
        z00 = first ? z0(i, j) : 0.0f;
        z01 = first ? z0(i, j + dj) : 0.0f;
        z10 = first ? z0(i + di, j) : 0.0f;
        z11 = first ? z0(i + di, j + dj) : 0.0f;
        for (int q = q0; STEP_PRODUCTS && q < q1; q++) {
            float u0 = a0[q * aq], u1 = a1[q * aq], v0 = b0[q * bq], v1 = b0[q * bq + dj];
            z00 += u0 * v0;
            z01 += u0 * v1;
            z10 += u1 * v0;
            z11 += u1 * v1;
        }
        if (slices == 1) {
            emit({i, j, di, dj});
        } else if (!first) {
            float* out = split + (s - 1) * 4 * pairs + o;
            out[0] = z00;
            out[pairs] = z01;
            out[2 * pairs] = z10;
            out[3 * pairs] = z11;
        }
    }
    if (slices > 1) {
        __syncthreads();  // every slice's sums in split
        if (threadIdx.x < pairs) {
            NO_UNROLL
            for (int s = 1; s < slices; s++) {
                const float* in = split + (s - 1) * 4 * pairs + threadIdx.x;
                z00 += in[0];
                z01 += in[pairs];
                z10 += in[2 * pairs];
                z11 += in[3 * pairs];
            }
            emit(pair(threadIdx.x));
        }
    }
}

// sum_t p[t * stride] for t < n, added in order of t, the loads issued a batch at a time.
__device__ float strided_sum(const float* p, long stride, int n) {
    float z = 0.0f;
    for (int t0 = 0; t0 < n; t0 += SUM_BATCH) {
        float v[SUM_BATCH];
        UNROLL
        for (int u = 0; u < SUM_BATCH; u++) {
            v[u] = t0 + u < n ? p[(t0 + u) * stride] : 0.0f;
        }
        UNROLL
        for (int u = 0; u < SUM_BATCH && t0 + u < n; u++) {
            z += v[u];
        }
    }
    return z;
}

// sum_t p[t * stride] for t < n, added in order of t (as strided_sum), from shared memory.
__device__ float column_sum(const float* p, int stride, int n) {
    float z = 0.0f;
    for (int t = 0; t < n; t++) {
        z += p[t * stride];
    }
    return z;
}

// The lines (32 floats) a run of cols floats may touch: one more than it fills, where it starts mid-line.
__device__ inline int lines_of(int cols) {
    return (cols + 31) / 32 + 1;
}

// Asks for the rows x cols of src (row stride ld) to be brought into L2, or with to_l1 into this multiprocessor's
// L1: a line at a time.
__device__ void prefetch_rows(const float* src, long ld, int rows, int cols, bool to_l1 = false) {
    int lines = lines_of(cols);
    for (int i = threadIdx.x; i < rows * lines; i += blockDim.x) {
        int r = i / lines, q = i % lines;
        const float* p = src + r * ld + min(32 * q, cols - 1);
        if (to_l1) {
            prefetch_l1(p);
        } else {
            prefetch_l2(p);
        }
    }
}

// Element i of four, by selection. The layers' buffers and widths are picked from the kernel's parameters this
// way, never indexed in an array: such an array lives in the thread's local memory, whose lines share L1 with
// global data and go with it when a grid barrier's fence invalidates L1, so a phase's first use of one would
// wait on L2 before the loads it addresses could even start.
template <class T>
__device__ inline T pick(int i, T v0, T v1, T v2, T v3) {
    return i == 0 ? v0 : i == 1 ? v1 : i == 2 ? v2 : v3;
}

// The network by layer (see pick): w(l), b(l) of layer l < layers, a(l) and d(l) of 1 <= l <= layers, size(l)
// of 0 <= l <= layers.
struct Net {
    float *w0, *b0, *w1, *b1, *w2, *b2, *a1, *a2, *a3, *d1, *d2, *d3;
    int s0, s1, s2, s3;
    __device__ float* w(int l) const {
        return pick(l, w0, w1, w2, w2);
    }
    __device__ float* b(int l) const {
        return pick(l, b0, b1, b2, b2);
    }
    __device__ float* a(int l) const {
        return pick(l, a1, a1, a2, a3);
    }
    __device__ float* d(int l) const {
        return pick(l, d1, d1, d2, d3);
    }
    __device__ int size(int l) const {
        return pick(l, s0, s1, s2, s3);
    }
};

// Row r of the minibatch in the row phase: its activations a(1..last), then the deltas above the first layer
// d(2..last), in the block's shared memory from `shared` on where they fit (`copied`: then also written to the
// net's a and d, which the updates read), else the net's rows; d(1) is d1's row.
struct Row {
    float* shared;
    long r;
    int last;
    bool copied;
    // the widths of layers 1 to l - 1
    __device__ static int below(const Net& net, int l) {
        return (l > 1 ? net.s1 : 0) + (l > 2 ? net.s2 : 0) + (l > 3 ? net.s3 : 0);
    }
    __device__ float* a(const Net& net, int l) const {
        return copied ? shared + below(net, l) : net.a(l) + r * net.size(l);
    }
    __device__ float* d(const Net& net, int l) const {
        return copied && l > 1 ? shared + below(net, last + 1) + below(net, l) - net.s1 : net.d(l) + r * net.size(l);
    }
};

// Unit j of the row's layer l output (a(l + 1)) from its sum z and its bias: the activation, or the output
// layer's value and delta (with OUT_SOFTMAX the logit alone; softmax_row adds the bias).
__device__ void emit(const Row& row, const Net& net, int l, int j, float z, float bias, int label, int act, int output_kind) {
    long e = row.r * net.size(l + 1) + j;
    int last = row.last;
    if (l + 1 < last) {
        float v = activate(z + bias, act);
        row.a(net, l + 1)[j] = v;
        if (row.copied) {
            net.a(l + 1)[e] = v;
        }
    } else if (output_kind == OUT_SIGMOID) {
        float v = activate(z + bias, ACT_SIGMOID), delta = v - (label == j ? 1.0f : 0.0f);
        row.a(net, last)[j] = v;
        row.d(net, last)[j] = delta;
        if (row.copied) {
            net.a(last)[e] = v;
            net.d(last)[e] = delta;
        }
    } else {
        row.a(net, last)[j] = z;
    }
}

extern "C" __global__ void __launch_bounds__(WHOLE_STEPS_THREADS, 1) train_steps(
    const float* x, const float* labels, float* w0, float* b0, float* w1, float* b1, float* w2, float* b2, float* a1, float* a2, float* a3,
    float* d1, float* d2, float* d3, float* partial, int steps, int batch, int layers, int s0, int s1, int s2, int s3, int tile_k,
    int tile_cols, int chunk_rows, float step, float decay, int act, int output_kind) {
    cg::grid_group grid = cg::this_grid();
    DYNAMIC_SHARED(float, shared);
    int shared_floats = train_steps_shared_floats(tile_k, tile_cols, chunk_rows, blockDim.x);
    float* tile = shared;                            // tile_k x tile_cols: w0's tile in phase 1, a gradient's in phase 3
    float* bias = tile + tile_k * tile_cols;         // tile_cols: a bias's gradient in phase 3
    float* ds = bias + tile_cols;                    // chunk_rows x tile_cols of the delta above it
    float* xs = ds + chunk_rows * tile_cols;         // chunk_rows x tile_k of a layer's input, then 4 floats a thread
                                                     // for the sums of pair_products' slices (split), last
    const Net net{w0, b0, w1, b1, w2, b2, a1, a2, a3, d1, d2, d3, s0, s1, s2, s3};
    int last = layers;  // a(last) is the output
    int down = (s0 + tile_k - 1) / tile_k, tiles = tiles_of(s0, s1, tile_k, tile_cols), updates = 0;
    for (int l = 0; l < layers; l++) {
        updates += tiles_of(net.size(l), net.size(l + 1), tile_k, tile_cols);
    }
    // the row phase keeps a row's activations and deltas in shared memory where they take half of it at most,
    // the dots' scratch the rest
    int row_floats = 2 * Row::below(net, last + 1) - s1;
    bool rows_shared = 2 * row_floats <= shared_floats;
    float* scratch = rows_shared ? shared + row_floats : shared;
    int scratch_floats = rows_shared ? shared_floats - row_floats : shared_floats;
    // Where every block has one tile of w0 at most and the minibatch is one chunk, phase 3 multiplies the chunk of x
    // that phase 1 staged for the same tile instead of staging it again from L2, if the row phase leaves it: xs is
    // last, and the row phase's dots then use the scratch short of it, blockDim.x floats at least.
    bool keep_x = tiles <= gridDim.x && chunk_rows >= batch && xs - scratch >= (int)blockDim.x;
    int dot_floats = keep_x ? (int)(xs - scratch) : scratch_floats;  // the row phase's scratch, short of x's kept chunk
    // With copies that do not wait, the row phase stages a row's partial products in the scratch first where they fit
    // (short of x's kept chunk, which phase 3 reads): each sum is then a short loop over shared memory.
    bool sums_staged = ASYNC_COPIES && down * s1 <= dot_floats;
    for (int s = 0; s < steps; s++) {
        STEP_POINT(s, STEP_BEGIN);
        const float* in = x + (long)s * batch * s0;
        const float* y = labels + (long)s * batch;
        for (int t = blockIdx.x; t < tiles && s + 1 < steps; t += gridDim.x) {
            auto [k0, c0, kn, cn] = tile_at(t, s0, s1, tile_k, tile_cols);
            prefetch_rows(in + (long)batch * s0 + k0, s0, batch, kn);
        }
        for (int t = blockIdx.x; t < tiles; t += gridDim.x) {
            auto [k0, c0, kn, cn] = tile_at(t, s0, s1, tile_k, tile_cols);
            if (s == 0 || updates > gridDim.x) {
                stage(tile, tile_cols, w0 + (long)k0 * s1 + c0, s1, kn, cn);
            }
            for (int r0 = 0; r0 < batch; r0 += chunk_rows) {
                int rn = min(chunk_rows, batch - r0);
                stage(xs, tile_k, in + (long)r0 * s0 + k0, s0, rn, kn);
                copies_landed();
                __syncthreads();  // the tile and the chunk staged
                STEP_POINT(s, TILE_STAGED);
                float* out = partial + ((long)(k0 / tile_k) * batch + r0) * s1 + c0;
                pair_products(
                    xs, tile_k, 1, tile, tile_cols, rn, cn, kn, 0, xs + chunk_rows * tile_k, [](int, int) { return 0.0f; },
                    [&](int r, int c, float z) { out[r * s1 + c] = z; });
                __syncthreads();  // the chunk read: the next may overwrite it
                STEP_POINT(s, TILE_MULTIPLIED);
            }
        }
        STEP_POINT(s, PHASE1_END);
        grid.sync();
        STEP_POINT(s, PHASE2_BEGIN);
        // the weights and biases above the first layer, which the row's dots below read (the weights twice),
        // asked into L1 while its partial products are summed
        for (int l = 1; blockIdx.x < batch && l < last; l++) {
            if (net.size(l) * net.size(l + 1) <= L1_PREFETCH_FLOATS) {
                prefetch_rows(net.w(l), 0, 1, net.size(l) * net.size(l + 1), true);
            }
            prefetch_rows(net.b(l), 0, 1, net.size(l + 1), true);
        }
        for (int r = blockIdx.x; r < batch; r += gridDim.x) {
            int label = (int)y[r];
            const Row row{shared, r, last, rows_shared};
            float own = 0.0f;
            if (sums_staged) {
                stage(scratch, s1, partial + (long)r * s1, (long)batch * s1, down, s1);
                own = threadIdx.x < s1 ? b0[threadIdx.x] : 0.0f;  // a thread's first unit's bias, loaded while the copies land
                copies_landed();
                __syncthreads();  // the partial products staged
            }
            for (int j = threadIdx.x; j < s1; j += blockDim.x) {
                float bias = sums_staged && j == threadIdx.x ? own : b0[j];  // loaded with the partial products, not after them
                float z = sums_staged ? column_sum(scratch + j, s1, down) : strided_sum(partial + (long)r * s1 + j, (long)batch * s1, down);
                emit(row, net, 0, j, z, bias, label, act, output_kind);
            }
            __syncthreads();  // row r of a1 written
            STEP_POINT(s, ROW_SUMMED);
            for (int l = 1; l < last; l++) {
                int k = net.size(l), cols = net.size(l + 1);
                // a thread's first unit's bias loaded before the dots, not after their barrier
                float own = threadIdx.x < cols ? net.b(l)[threadIdx.x] : 0.0f;
                row_dots(row.a(net, l), net.w(l), 1, cols, k, cols, scratch, dot_floats, [&](int j, float z) {
                    emit(row, net, l, j, z, j == threadIdx.x ? own : net.b(l)[j], label, act, output_kind);
                });
                __syncthreads();  // row r of a(l + 1) written, the scratch read
            }
            if (output_kind == OUT_SOFTMAX) {
                int cols = net.size(last);
                if (threadIdx.x == 0) {
                    float* out = row.a(net, last);
                    float* delta = row.d(net, last);
                    softmax_row(out, net.b(last - 1), cols);
                    for (int j = 0; j < cols; j++) {
                        long e = (long)r * cols + j;
                        delta[j] = out[j] - (label == j ? 1.0f : 0.0f);
                        if (row.copied) {
                            net.a(last)[e] = out[j];
                            net.d(last)[e] = delta[j];
                        }
                    }
                }
                __syncthreads();  // row r of the output's delta written
            }
            STEP_POINT(s, ROW_FORWARD);
            for (int l = last - 1; l >= 1; l--) {
                int cols = net.size(l), k = net.size(l + 1);
                row_dots(row.d(net, l + 1), net.w(l), k, 1, k, cols, scratch, dot_floats, [&](int j, float z) {
                    float delta = z * derivative(row.a(net, l)[j], act);
                    net.d(l)[(long)r * cols + j] = delta;
                    if (row.copied && l >= 2) {
                        row.d(net, l)[j] = delta;
                    }
                });
                __syncthreads();  // row r of d(l) written, the scratch read
            }
            STEP_POINT(s, ROW_BACKWARD);
        }
        STEP_POINT(s, PHASE2_END);
        grid.sync();
        STEP_POINT(s, PHASE3_BEGIN);
        // a block of one tile of w0 reads the next step's rows of x under it in the next phase 1: asked from L2
        // into L1 now, where they fit
        if (s + 1 < steps && tiles <= gridDim.x && blockIdx.x < tiles && batch * lines_of(tile_k) * 32 <= L1_PREFETCH_FLOATS) {
            auto [k0, c0, kn, cn] = tile_at(blockIdx.x, s0, s1, tile_k, tile_cols);
            prefetch_rows(in + (long)batch * s0 + k0, s0, batch, kn, true);
        }
        // every layer's tiles, the first layer's first (numbered as in phase 1, so each block updates the w0
        // tiles it reads in the next step's phase 1)
        for (int t = blockIdx.x, l = 0, first = 0; t < updates; t += gridDim.x) {
            for (; t >= first + tiles_of(net.size(l), net.size(l + 1), tile_k, tile_cols); l++) {
                first += tiles_of(net.size(l), net.size(l + 1), tile_k, tile_cols);
            }
            int k = net.size(l), cols = net.size(l + 1);
            auto [k0, c0, kn, cn] = tile_at(t - first, k, cols, tile_k, tile_cols);
            const float* input = l == 0 ? in : net.a(l);
            float* above = net.d(l + 1);
            float* weights = net.w(l);
            float* biases = net.b(l);
            // what the update reads after the input's chunk, asked into L1 now: the first chunk's rows of the
            // delta above, the tile's weights and its bias
            prefetch_rows(above + c0, cols, min(chunk_rows, batch), cn, true);
            prefetch_rows(weights + (long)k0 * cols + c0, cols, kn, cn, true);
            if (k0 == 0) {
                prefetch_rows(biases + c0, 0, 1, cn, true);
            }
            for (int o = threadIdx.x; o < kn * cn; o += blockDim.x) {
                tile[o / cn * tile_cols + o % cn] = 0.0f;  // each thread sums the same outputs in every chunk
            }
            for (int c = threadIdx.x; c < cn; c += blockDim.x) {
                bias[c] = 0.0f;  // the tiles of a layer's first rows sum the delta's columns for the bias
            }
            for (int r0 = 0; r0 < batch; r0 += chunk_rows) {
                int rn = min(chunk_rows, batch - r0);
                if (!keep_x || l > 0) {
                    stage(xs, tile_k, input + (long)r0 * k + k0, k, rn, kn);
                }
                stage(ds, tile_cols, above + (long)r0 * cols + c0, cols, rn, cn);
                copies_landed();
                __syncthreads();  // the chunk staged
                STEP_POINT(s, UPDATE_STAGED);
                // the bias's sums by the last threads, which the products leave to it where they can
                int idle = k0 == 0 ? min(cn, max(1, (int)blockDim.x / 2)) : 0;
                for (int c = threadIdx.x - ((int)blockDim.x - idle); c >= 0 && c < cn; c += idle) {
                    float sum = bias[c];
                    for (int r = 0; r < rn; r++) {
                        sum += ds[r * tile_cols + c];
                    }
                    bias[c] = sum;
                }
                pair_products(
                    xs, 1, tile_k, ds, tile_cols, kn, cn, rn, idle, xs + chunk_rows * tile_k, [&](int p, int c) { return tile[p * tile_cols + c]; },
                    [&](int p, int c, float g) { tile[p * tile_cols + c] = g; });
                __syncthreads();  // the chunk read
                STEP_POINT(s, UPDATE_SUMMED);
            }
            decay_step(weights + (long)k0 * cols + c0, cols, tile, tile_cols, kn, cn, decay, step);
            for (int c = threadIdx.x; k0 == 0 && c < cn; c += blockDim.x) {
                biases[c0 + c] -= step * bias[c];
            }
            __syncthreads();  // the tile's weights written and its gradient read: the next tile, or step, restages both
            STEP_POINT(s, UPDATE_STEPPED);
        }
    }
    STEP_POINT(steps, STEP_BEGIN);
}
