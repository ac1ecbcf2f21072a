// Where a step of train_steps (kernels/train_steps.cu) spends its time on a GPU (issue 24): runs the kernel on
// random data with the grid and tiles the trainer chose (train --verbose prints them after "whole steps:"),
// thread 0 of every block noting its clock at each STEP_POINT, and prints, per step (the median over steps
// 2 on): each phase's longest and mean block, and within it the same of its parts between the marks (meaning
// most where a block has one tile, row and chunk, as on the book's grids), and each grid barrier's wait in the
// block that reached it last (the barrier's own cost) and on average; then grid barriers alone, on the same grid
// and on half of it; then a load's latency in the states a phase finds its data in (load_latencies); then what
// running straight-line code costs by its size (instruction_fetch). Clock cycles are turned into time by the
// kernel's elapsed time. Only for finding the time; epochs are timed by mlp4j bench. Built with
// -DSTEP_PRODUCTS=0 it runs the kernel without the tiles' multiply-adds (phases 1 and 3), the same loads, stores
// and barriers: what a step costs besides its arithmetic.
// ci/prepare-gpu-bundle.sh builds them from compute_80 PTX, as the backend loads train_steps on an H200 (from
// compute_75's, it stages by batches of loads, as on GPUs before sm_80):
//   nvcc -std=c++17 -O3 -arch=compute_80 -I kernels -o train-steps-timeline bench/ab/train_steps_timeline.cu
//   nvcc ... -DSTEP_PRODUCTS=0 -o train-steps-timeline-no-products bench/ab/train_steps_timeline.cu
//   train-steps-timeline SIZES BATCH STEPS BLOCKS THREADS TILE_K TILE_COLS CHUNK_ROWS
// SIZES as 784,100,10; BLOCKS to CHUNK_ROWS as "whole steps:" says. Built with g++ on the CPU block
// emulator instead (src/test/cuda; ci/rehearse-gpu-check.sh), it runs the same code with the emulator's
// times, which mean nothing (-DASYNC_COPIES=1 as compute_80's PTX has it, 0 as compute_75's):
//   g++ -std=c++20 -O2 -DASYNC_COPIES=1 -I kernels -I src/test/cuda -x c++ -o train-steps-timeline bench/ab/train_steps_timeline.cu
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>
#ifndef __CUDACC__
#include "block_emulator.h"
#endif
#define AB_PROGRAM "train-steps-timeline"
#include "ab_host.cuh"

// (steps + 1) x STEP_POINTS x blocks clock values, step-major (of step `steps` only STEP_BEGIN, the last step's
// end), -1 where a block did not pass the point (a mark of a phase it had nothing to do in)
__device__ long long* timeline;
#define STEP_POINT(step, point)                                                              \
    do {                                                                                     \
        if (threadIdx.x == 0) {                                                              \
            timeline[((long)(step) * STEP_POINTS + (point)) * gridDim.x + blockIdx.x] = CLOCK(); \
        }                                                                                    \
    } while (0)
#include "train_steps.cu"

// 1 where train_steps stages by copies that do not wait (ASYNC_COPIES, as the device code was compiled: nvcc's
// -arch, the emulator's -D), which only the device compilation knows
#if ASYNC_COPIES
__device__ int staged_async = 1;
#else
__device__ int staged_async = 0;
#endif

extern "C" __global__ void __launch_bounds__(WHOLE_STEPS_THREADS, 1) grid_barriers(int n) {
    cg::grid_group grid = cg::this_grid();
    for (int i = 0; i < n; i++) {
        grid.sync();
    }
}

// The latency of a load in the states a phase of train_steps finds its data in, for the row phase's chain of
// reads: thread 0 of each block follows a chain of LATENCY_LINES dependent loads through lines of its own (each
// holds the index of the next), timing the pass; cycles[3 * block + i]: (0) a second pass right after a first,
// the lines in L1; (1) a pass past a grid barrier, the lines unwritten (whether the barrier's fence drops L1);
// (2) a pass past another barrier, the lines written before it by the block before (data another multiprocessor
// wrote, as the row phase's partial products are).
#define LATENCY_LINES 64

__device__ long long chase(const int* lines) {
    int i = 0;
    long long begin = CLOCK();
    for (int n = 0; n < LATENCY_LINES; n++) {
        i = lines[i];
    }
    __shared__ int sink;
    sink = i;  // waits for the last load, so the clock below is read after it
    return CLOCK() - begin + (sink != 0);  // every chain ends at 0
}

extern "C" __global__ void __launch_bounds__(WHOLE_STEPS_THREADS, 1) load_latencies(int* chains, long long* cycles) {
    cg::grid_group grid = cg::this_grid();
    int* own = chains + (long)blockIdx.x * LATENCY_LINES * 32;
    int* next = chains + (long)((blockIdx.x + 1) % gridDim.x) * LATENCY_LINES * 32;
    long long* mine = cycles + 3 * blockIdx.x;
    if (threadIdx.x == 0) {
        chase(own);
        mine[0] = chase(own);
    }
    grid.sync();
    if (threadIdx.x == 0) {
        mine[1] = chase(own);
        for (int n = 0; n < LATENCY_LINES; n++) {
            next[32 * n] = 32 * ((n + 1) % LATENCY_LINES);  // the values they hold: the chain is unchanged
        }
    }
    grid.sync();
    if (threadIdx.x == 0) {
        mine[2] = chase(own);
    }
}

// Instruction fetch: every thread of every block runs FETCH_PASSES passes of a loop over KB KB of straight-line
// code (multiply-adds in four interleaved chains, so issue sets the pace, not their latency; 16 bytes of code
// each), the block's threads together at each pass's start as at a phase's, and thread 0 notes the cycles of the
// passes after the first: cycles[block]. train_steps runs tens of KB of code a phase, once a step; where the loop
// no longer fits the multiprocessor's instruction caches, a pass's cycles an instruction rise: the sizes where
// they do say what fits, the rise what a fetch costs.
#define FETCH_PASSES 5

template <int N>
__device__ inline void straight(float& v0, float& v1, float& v2, float& v3) {
    UNROLL
    for (int i = 0; i < N / 4; i++) {
#ifdef __CUDACC__
        asm volatile("fma.rn.f32 %0, %0, %4, %4;\n\tfma.rn.f32 %1, %1, %4, %4;\n\tfma.rn.f32 %2, %2, %4, %4;\n\tfma.rn.f32 %3, %3, %4, %4;"
                     : "+f"(v0), "+f"(v1), "+f"(v2), "+f"(v3)
                     : "f"(0.5f));
#else
        v0 = v0 * 0.5f + 0.5f, v1 = v1 * 0.5f + 0.5f, v2 = v2 * 0.5f + 0.5f, v3 = v3 * 0.5f + 0.5f;
#endif
    }
}

template <int KB>
__global__ void __launch_bounds__(WHOLE_STEPS_THREADS, 1) instruction_fetch(long long* cycles, float* sink) {
    float v0 = threadIdx.x, v1 = v0 + 1, v2 = v0 + 2, v3 = v0 + 3;
    long long begin = 0;
#ifdef __CUDACC__
#pragma unroll 1
#endif
    for (int pass = 0; pass < FETCH_PASSES; pass++) {
        __syncthreads();
        if (pass == 1) {
            begin = CLOCK();
        }
        straight<KB * 64>(v0, v1, v2, v3);
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        cycles[blockIdx.x] = (CLOCK() - begin) / (FETCH_PASSES - 1);
    }
    sink[blockIdx.x * blockDim.x + threadIdx.x] = v0 + v1 + v2 + v3;
}

#ifdef __CUDACC__
static void cooperative(const void* kernel, int blocks, int threads, void** args, size_t shared) {
    check(cudaLaunchCooperativeKernel(kernel, blocks, threads, args, shared), "cudaLaunchCooperativeKernel");
}

static int staging_async() {
    int async;
    check(cudaMemcpyFromSymbol(&async, staged_async, sizeof async), "cudaMemcpyFromSymbol");
    return async;
}

static void copy_timeline(long long* host, size_t count) {
    long long* p;
    check(cudaMemcpyFromSymbol(&p, timeline, sizeof p), "cudaMemcpyFromSymbol");
    check(cudaMemcpy(host, p, count * sizeof(long long), cudaMemcpyDeviceToHost), "cudaMemcpy");
}

// A timeline of count clock values, every one -1 until noted.
static void set_timeline(size_t count) {
    long long* p;
    check(cudaMalloc(&p, count * sizeof(long long)), "cudaMalloc");
    check(cudaMemset(p, 0xff, count * sizeof(long long)), "cudaMemset");
    check(cudaMemcpyToSymbol(timeline, &p, sizeof p), "cudaMemcpyToSymbol");
}
#else
static int staging_async() {
    return staged_async;
}

static void copy_timeline(long long* host, size_t count) {
    std::memcpy(host, timeline, count * sizeof(long long));
}

static void set_timeline(size_t count) {
    timeline = new long long[count];
    std::fill(timeline, timeline + count, -1LL);
}
#endif

// The median of v (v reordered).
static double median(std::vector<double>& v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
}

static unsigned seed = 1;

static float uniform() {
    seed = seed * 1103515245u + 12345u;
    return ((seed >> 8) & 0xffff) / 65536.0f;
}

int main(int argc, char** argv) {
    if (argc != 9) {
        fail("usage: train-steps-timeline SIZES BATCH STEPS BLOCKS THREADS TILE_K TILE_COLS CHUNK_ROWS");
    }
    int size[4] = {0, 0, 0, 0}, layers = -1;
    for (char* p = argv[1]; layers < 3 && *p; layers++) {
        size[layers + 1] = (int)strtol(p, &p, 10);
        p += *p == ',';
    }
    int batch = atoi(argv[2]), steps = atoi(argv[3]), blocks = atoi(argv[4]), threads = atoi(argv[5]);
    int tile_k = atoi(argv[6]), tile_cols = atoi(argv[7]), chunk_rows = atoi(argv[8]);
    if (layers < 1 || size[0] < 1 || size[1] < 1 || batch < 1 || steps < 2 || blocks < 1 || threads < 1 || tile_k < 1 || tile_cols < 1
        || chunk_rows < 1) {
        fail("SIZES of 2 to 4 layer widths, and every other argument positive (STEPS at least 2)");
    }
    // the book's SGD and units, on pixels in [0, 1) and weights in [-0.1, 0.1)
    std::vector<float> x((size_t)steps * batch * size[0]), labels((size_t)steps * batch);
    for (float& v : x) {
        v = uniform();
    }
    for (size_t i = 0; i < labels.size(); i++) {
        labels[i] = (float)(i * 7 % size[layers]);
    }
    float* w[3];
    float* b[3];
    float* a[4] = {nullptr};
    float* d[4] = {nullptr};
    for (int l = 0; l < 3; l++) {
        std::vector<float> weights((size_t)size[l] * size[l + 1]);
        for (float& v : weights) {
            v = 0.2f * uniform() - 0.1f;
        }
        w[l] = device(weights);
        b[l] = device(std::vector<float>(size[l + 1]));
        a[l + 1] = device(std::vector<float>((size_t)batch * size[l + 1]));
        d[l + 1] = device(std::vector<float>((size_t)batch * size[l + 1]));
    }
    float* xs = device(x);
    float* ys = device(labels);
    float* partial = device(std::vector<float>((size_t)(size[0] + tile_k - 1) / tile_k * batch * size[1]));
    size_t shared = 4 * (size_t)train_steps_shared_floats(tile_k, tile_cols, chunk_rows, threads);
    size_t points = (size_t)(steps + 1) * STEP_POINTS * blocks;
    set_timeline(points);
    float eta = 0.0005f, decay = 1 - eta * 0.01f;
    int act = ACT_SIGMOID, output = OUT_SIGMOID;
#ifdef __CUDACC__
    void* args[] = {&xs, &ys, &w[0], &b[0], &w[1], &b[1], &w[2], &b[2], &a[1], &a[2], &a[3], &d[1], &d[2], &d[3], &partial, &steps, &batch, &layers,
                    &size[0], &size[1], &size[2], &size[3], &tile_k, &tile_cols, &chunk_rows, &eta, &decay, &act, &output};
    auto run = [&] { cooperative((const void*)train_steps, blocks, threads, args, shared); };
    auto barriers = [&](int n, int on) {
        void* bargs[] = {&n};
        cooperative((const void*)grid_barriers, on, threads, bargs, shared);
    };
    check(cudaFuncSetAttribute(train_steps, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)shared), "cudaFuncSetAttribute");
    check(cudaFuncSetAttribute(grid_barriers, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)shared), "cudaFuncSetAttribute");
    check(cudaFuncSetAttribute(load_latencies, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)shared), "cudaFuncSetAttribute");
    auto latencies = [&](int* chains, long long* cycles) {
        void* largs[] = {&chains, &cycles};
        cooperative((const void*)load_latencies, blocks, threads, largs, shared);
        check(cudaDeviceSynchronize(), "load_latencies");
    };
    auto fetch = [&](auto kernel, long long* cycles, float* sink) {
        void* fargs[] = {&cycles, &sink};
        check(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)shared), "cudaFuncSetAttribute");
        cooperative((const void*)kernel, blocks, threads, fargs, shared);
        check(cudaDeviceSynchronize(), "instruction_fetch");
    };
    cudaDeviceProp prop;
    check(cudaGetDeviceProperties(&prop, 0), "cudaGetDeviceProperties");
    printf("device: %s, %d multiprocessors\n", prop.name, prop.multiProcessorCount);
#else
    Dim3 grid{(unsigned)blocks}, block{(unsigned)threads};
    auto run = [&] {
        launch_cooperative(grid, block, [&] {
            train_steps(xs, ys, w[0], b[0], w[1], b[1], w[2], b[2], a[1], a[2], a[3], d[1], d[2], d[3], partial, steps, batch, layers, size[0],
                        size[1], size[2], size[3], tile_k, tile_cols, chunk_rows, eta, decay, act, output);
        }, shared);
    };
    auto barriers = [&](int n, int on) { launch_cooperative(Dim3{(unsigned)on}, block, [&] { grid_barriers(n); }, shared); };
    auto latencies = [&](int* chains, long long* cycles) { launch_cooperative(grid, block, [&] { load_latencies(chains, cycles); }, shared); };
    auto fetch = [&](auto kernel, long long* cycles, float* sink) { launch_cooperative(grid, block, [&] { kernel(cycles, sink); }, shared); };
    printf("device: the CPU block emulator (its times mean nothing)\n");
#endif
    char staging[64];
    snprintf(staging, sizeof staging, staging_async() ? "by copies that do not wait" : "in batches of %d loads", BATCH);
    printf("train_steps%s, staging %s, loads in batches of %d (updates) and %d (sums), %s, batch %d, %d steps: %d blocks of %d threads,"
           " weight tiles %dx%d, %d rows staged at a time, %zu bytes of shared memory a block\n", STEP_PRODUCTS ? "" : " without the tiles' products",
           staging, UPDATE_BATCH, SUM_BATCH, argv[1], batch, steps, blocks, threads, tile_k, tile_cols, chunk_rows, shared);
    run();  // warm-up: the first launch loads the module
    double ms = timed(run);
    std::vector<long long> t(points);
    copy_timeline(t.data(), points);
    auto at = [&](int s, int point, int block) { return t[((size_t)s * STEP_POINTS + point) * blocks + block]; };
    // the points every block passes, of every step, and the end of the last, noted by every block
    for (int s = 0; s <= steps; s++) {
        for (int point = STEP_BEGIN; point <= (s < steps ? PHASE3_BEGIN : STEP_BEGIN); point++) {
            for (int k = 0; k < blocks; k++) {
                if (at(s, point, k) < 0) {
                    fail("a block did not note every STEP_POINT");
                }
            }
        }
    }
    // cycles a microsecond: the blocks' mean span of all steps over the kernel's elapsed time
    double span = 0;
    for (int k = 0; k < blocks; k++) {
        span += (double)(at(steps, 0, k) - at(0, 0, k)) / blocks;
    }
    double perUs = span / (ms * 1000);
    // per step from the second on (the first stages w0's tiles and starts cold): from point `from` of step s to
    // point `to` of step s + ahead, the longest, least and mean over the blocks that noted both; the blocks that did
    auto spans = [&](int from, int to, int ahead, std::vector<double>* longest, std::vector<double>* least, std::vector<double>* mean) {
        int noted = 0;
        for (int s = 1; s < steps; s++) {
            double hi = 0, lo = 1e300, sum = 0;
            noted = 0;
            for (int k = 0; k < blocks; k++) {
                if (at(s, from, k) < 0 || at(s + ahead, to, k) < 0) {
                    continue;
                }
                double c = (double)(at(s + ahead, to, k) - at(s, from, k)) / perUs;
                hi = std::max(hi, c);
                lo = std::min(lo, c);
                sum += c;
                noted++;
            }
            if (noted > 0) {
                longest->push_back(hi);
                least->push_back(lo);
                mean->push_back(sum / noted);
            }
        }
        return noted;
    };
    // the phases and barriers, each phase followed by its parts between the marks within it (the blocks that
    // passed them: those with a tile, or a row, to work on)
    struct Part {
        const char* name;
        int from, to, ahead;
        bool barrier;
    } parts[] = {{"phase 1 (first layer by tile)", STEP_BEGIN, PHASE1_END, 0, false},
                 {"  x's chunk (and the tile) staged", STEP_BEGIN, TILE_STAGED, 0, false},
                 {"  the chunk's partial products", TILE_STAGED, TILE_MULTIPLIED, 0, false},
                 {"grid barrier 1", PHASE1_END, PHASE2_BEGIN, 0, true},
                 {"phase 2 (forward and deltas by row)", PHASE2_BEGIN, PHASE2_END, 0, false},
                 {"  a1's row from the partial products", PHASE2_BEGIN, ROW_SUMMED, 0, false},
                 {"  the layers above, the output's delta", ROW_SUMMED, ROW_FORWARD, 0, false},
                 {"  the deltas below", ROW_FORWARD, ROW_BACKWARD, 0, false},
                 {"grid barrier 2", PHASE2_END, PHASE3_BEGIN, 0, true},
                 {"phase 3 (weight and bias steps by tile)", PHASE3_BEGIN, STEP_BEGIN, 1, false},
                 {"  the input's and delta's chunks staged", PHASE3_BEGIN, UPDATE_STAGED, 0, false},
                 {"  their products, the bias's sums", UPDATE_STAGED, UPDATE_SUMMED, 0, false},
                 {"  the weights and bias stepped", UPDATE_SUMMED, UPDATE_STEPPED, 0, false},
                 {"the step", STEP_BEGIN, STEP_BEGIN, 1, false}};
    printf("kernel %.3f ms, %.2f us a step; %.0f MHz (the blocks' clock over the kernel's time)\n", ms, ms * 1000 / steps, perUs);
    printf("us a step, median over steps 2 to %d:\n", steps);
    for (const Part& p : parts) {
        std::vector<double> longest, least, mean;
        int noted = spans(p.from, p.to, p.ahead, &longest, &least, &mean);
        if (longest.empty()) {
            continue;
        }
        if (p.barrier) {
            printf("  %-42s %7.2f in the last block to reach it, %7.2f mean\n", p.name, median(least), median(mean));
        } else if (noted == blocks) {
            printf("  %-42s %7.2f longest block, %7.2f mean\n", p.name, median(longest), median(mean));
        } else {
            printf("  %-42s %7.2f longest block, %7.2f mean of the %d that passed\n", p.name, median(longest), median(mean), noted);
        }
    }
    // on half the grid as well: what a barrier costs for the blocks it waits for
    for (int on : {blocks, (blocks + 1) / 2}) {
        int n = 1000;
        barriers(1, on);
        double once = timed([&] { barriers(1, on); }), many = timed([&] { barriers(n + 1, on); });
        printf("grid barriers alone on %d blocks: %.2f us each (%d in one launch: %.3f ms; one: %.3f ms)\n", on, (many - once) * 1000 / n, n + 1,
               many, once);
    }
    // the load latencies on the same grid, the median over the blocks
    std::vector<int> chain((size_t)blocks * LATENCY_LINES * 32);
    for (size_t i = 0; i < chain.size(); i += 32) {
        chain[i] = (int)(32 * ((i / 32 + 1) % LATENCY_LINES));
    }
    int* chains = device(chain);
    long long* cycles = device(std::vector<long long>(3 * blocks));
    latencies(chains, cycles);
    std::vector<long long> c = host(cycles, 3 * blocks);
    if (host(chains, chain.size()) != chain) {
        fail("load_latencies changed its chains");
    }
    const char* states[] = {"lines it read just before", "the same lines past a grid barrier", "lines another block wrote before one"};
    printf("a load's latency, one thread a block following %d dependent loads (median over the blocks):\n", LATENCY_LINES);
    for (int i = 0; i < 3; i++) {
        std::vector<double> v;
        for (int k = 0; k < blocks; k++) {
            v.push_back((double)c[3 * k + i] / LATENCY_LINES);
        }
        double m = median(v);
        printf("  %-42s %7.0f cycles, %7.3f us\n", states[i], m, m / perUs);
    }
    // instruction fetch on the same grid, the median over the blocks
    long long* passes = device(std::vector<long long>(blocks));
    float* sink = device(std::vector<float>((size_t)blocks * threads));
    printf("instruction fetch, every thread a loop over straight-line code, a pass after the first (median over the blocks):\n");
    auto fetched = [&](auto kernel, int kb) {
        fetch(kernel, passes, sink);
        std::vector<double> v;
        for (long long cycles : host(passes, blocks)) {
            v.push_back((double)cycles);
        }
        double m = median(v);
        printf("  %3d KB of code %10.0f cycles, %5.2f an instruction, %8.3f us\n", kb, m, m / (kb * 64), m / perUs);
    };
    fetched(instruction_fetch<4>, 4);
    fetched(instruction_fetch<16>, 16);
    fetched(instruction_fetch<32>, 32);
    fetched(instruction_fetch<64>, 64);
    fetched(instruction_fetch<96>, 96);
    fetched(instruction_fetch<128>, 128);
    fetched(instruction_fetch<192>, 192);
    return 0;
}
