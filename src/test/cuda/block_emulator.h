// Runs CUDA kernel source on the CPU, for machines without a GPU: each block's threads are fibers
// (ucontext) on the calling thread, and __syncthreads suspends a fiber until every thread of its block has
// reached it. Between barriers the threads run one after another, thread 0 first (or, with
// emulator::reverse, the last thread first), so a read of another thread's write that lacks its barrier
// sees the stale value in one of the two orders and the result is wrong. Blocks run one at a time, first
// to last (or last to first), so __shared__ (static here) is per block, and a block reading what another
// block of the same launch writes (a race on a GPU, where blocks run in any order) also shows in one of
// the two orders. Kernels that use threadIdx/blockIdx/blockDim/gridDim, __shared__ memory and
// __syncthreads (all of mlp4j's) run with their real synchronisation.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <math.h>
#include <memory>
#include <ucontext.h>
#include <vector>

struct Dim3 { unsigned x = 1, y = 1, z = 1; };
inline Dim3 threadIdx, blockIdx, blockDim, gridDim;

using std::max;  // CUDA's integer min and max
using std::min;

#define __global__
#define __device__
#define __shared__ static
#define __launch_bounds__(threads)

namespace emulator {
constexpr size_t STACK = 64 << 10;  // a kernel's frames are small; this leaves room for libm

struct Fiber {
    ucontext_t context;
    Dim3 index;
    bool done;
};

inline ucontext_t scheduler, blank;
inline std::vector<Fiber> fibers;
inline std::unique_ptr<char[]> stacks;
inline size_t current;
inline bool reverse;  // run the blocks, and each block's threads, from the last to the first
inline bool plain;  // threads run as plain calls: the block's first thread ended without a barrier
inline const std::function<void()>* body;

[[noreturn]] inline void fail(const char* what) {
    fprintf(stderr, "block_emulator: %s in block (%u, %u, %u)\n", what, blockIdx.x, blockIdx.y, blockIdx.z);
    abort();
}

inline void run_fiber() {
    (*body)();
    fibers[current].done = true;  // returns to the scheduler through uc_link
}

inline void start(size_t t) {
    Fiber& f = fibers[t];
    f.context = blank;
    f.context.uc_stack.ss_sp = stacks.get() + t * STACK;
    f.context.uc_stack.ss_size = STACK;
    f.context.uc_link = &scheduler;
    f.done = false;
    makecontext(&f.context, run_fiber, 0);
}

inline void resume(size_t t) {
    current = t;
    threadIdx = fibers[t].index;
    swapcontext(&scheduler, &fibers[t].context);
}
}  // namespace emulator

inline void __syncthreads() {
    using namespace emulator;
    if (plain) {
        fail("a __syncthreads that the first thread run did not reach");
    }
    swapcontext(&fibers[current].context, &scheduler);
}

// Runs kernel() once per thread of each block of the grid, as the GPU would (threads <= 1024 a block).
// The first thread runs on a fiber; if it ends without reaching a barrier, so does every thread (CUDA wants
// each __syncthreads reached by all of a block's threads or none), and the others run as plain calls.
inline void launch(Dim3 grid, Dim3 block, const std::function<void()>& kernel) {
    using namespace emulator;
    size_t threads = (size_t)block.x * block.y * block.z;
    if (threads == 0 || threads > 1024) {
        fail("a block of 0 or over 1024 threads");
    }
    if (!stacks) {
        stacks.reset(new char[1024 * STACK]);
        getcontext(&blank);
    }
    gridDim = grid;
    blockDim = block;
    body = &kernel;
    fibers.resize(threads);
    for (size_t f = 0; f < threads; f++) {
        size_t t = reverse ? threads - 1 - f : f;  // fibers run in order; reversed, they hold the threads backwards
        fibers[f].index = {(unsigned)(t % block.x), (unsigned)(t / block.x % block.y), (unsigned)(t / block.x / block.y)};
    }
    for (unsigned bz = 0; bz < grid.z; bz++) {
        for (unsigned by = 0; by < grid.y; by++) {
            for (unsigned bx = 0; bx < grid.x; bx++) {
                blockIdx = reverse ? Dim3{grid.x - 1 - bx, grid.y - 1 - by, grid.z - 1 - bz} : Dim3{bx, by, bz};
                start(0);
                resume(0);
                if (fibers[0].done) {
                    plain = true;
                    for (size_t t = 1; t < threads; t++) {
                        threadIdx = fibers[t].index;
                        kernel();
                    }
                    plain = false;
                    continue;
                }
                // the first thread waits at its first barrier: the others run to it, then one round per barrier
                for (size_t t = 1; t < threads; t++) {
                    start(t);
                    resume(t);
                }
                for (;;) {
                    size_t finished = 0;
                    for (size_t t = 0; t < threads; t++) {
                        finished += fibers[t].done;
                    }
                    if (finished == threads) {
                        break;
                    }
                    if (finished != 0) {
                        fail("a __syncthreads that not every thread reaches");  // undefined on a GPU, often a hang
                    }
                    for (size_t t = 0; t < threads; t++) {
                        resume(t);
                    }
                }
            }
        }
    }
}
