// Runs CUDA kernel source on the CPU, for machines without a GPU: each block's threads are fibers
// (ucontext) on the calling thread, and __syncthreads suspends a fiber until every thread of its block has
// reached it. Between barriers the threads run one after another, thread 0 first (or, with
// emulator::reverse, the last thread first), so a read of another thread's write that lacks its barrier
// sees the stale value in one of the two orders and the result is wrong. Blocks run one at a time, first
// to last (or last to first), so __shared__ (static here) is per block, and a block reading what another
// block of the same launch writes (a race on a GPU, where blocks run in any order) also shows in one of
// the two orders. Kernels that use threadIdx/blockIdx/blockDim/gridDim, __shared__ memory and
// __syncthreads (all of mlp4j's) run with their real synchronisation. A cooperative launch
// (launch_cooperative) runs every thread of every block as a fiber instead, so the grid-wide barrier of
// cooperative_groups (this directory's cooperative_groups.h) holds; there a block whose threads all wait at a
// __syncthreads runs on at once, ahead of the blocks that wait at the grid barrier, so what one block reads
// of another's writes needs the grid barrier. Its kernels use no static __shared__ memory (shared by all
// blocks at once here), only the launch's dynamic shared memory (DYNAMIC_SHARED), which is each block's own
// in both kinds of launch, and filled with NaNs as a block starts, so reading what no thread wrote shows (as
// does reading past it, into a guard, and writing there aborts). Built with -DASYNC_COPIES=1 it has the copies
// that do not wait (memory_hints.cuh): each is held back until its thread calls copies_landed(), and a thread
// that reaches a barrier or its end with copies it has not waited for aborts, so a kernel that reads staged data
// before its wait reads the NaNs of the block's memory.
// Built with -fsanitize=thread it is also a race checker, as compute-sanitizer's racecheck is on a GPU
// (CudaKernelsOnCpuTest runs kernels_on_cpu.cpp so): every thread runs as a fiber of its own and of ThreadSanitizer's,
// and the only orderings between threads it is told of are those a GPU has (a block's __syncthreads, the grid's or the
// cluster's barrier, a launch's start and end), so two threads' accesses to one place, at least one a write, with no
// barrier between them are reported even where both orders above give the same result (two threads adding into one
// sum). The blocks of a launch that is not cooperative still run one after another, ordered: there, the two orders
// are the check.
#pragma once
// A fiber's stack is entered once with swapcontext, and its thread then waits for each later launch's where it
// ended; fibers switch with GCC's __builtin_setjmp/__builtin_longjmp, which keep only the frame, the stack and
// where to go on: swapcontext's two system calls a switch cost microseconds on some VMs, and libc's longjmp, which
// also unwinds (and, fortified, takes a jump to another fiber's stack for one into a dead frame), a good part of
// the rest.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <math.h>
#include <memory>
#include <ucontext.h>
#include <vector>
#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#define EMULATOR_RACECHECK 1
// The emulator's own bookkeeping, which the threads and the scheduler share with no barrier: not checked.
#define EMULATOR_UNCHECKED __attribute__((no_sanitize("thread")))
#else
#define EMULATOR_RACECHECK 0
#define EMULATOR_UNCHECKED
#endif

struct Dim3 { unsigned x = 1, y = 1, z = 1; };
inline Dim3 threadIdx, blockIdx, blockDim, gridDim;

using std::max;  // CUDA's integer min and max
using std::min;

#define __global__
#define __device__
#define __host__
#define __shared__ static
#define __launch_bounds__(...)
#define __cluster_dims__(...)  // a cluster is the grid of a cooperative launch (cooperative_groups.h)
struct float4 {
    float x, y, z, w;
};
// CUDA's `extern __shared__ type name[]`: the block's dynamic shared memory (the launch's sharedBytes)
#define DYNAMIC_SHARED(type, name) type* name = (type*)emulator::blockShared()

namespace emulator {
constexpr size_t STACK = 64 << 10;  // a kernel's frames are small; this leaves room for libm
// The stacks lie this far apart, five cache lines more than a stack, so that the tops of a block's stacks, where its
// threads wait at a barrier, fall into different sets of the caches, not all into one.
constexpr size_t STACK_STRIDE = STACK + 5 * 64;

struct Fiber {
    ucontext_t context;  // where it starts
    void* resumeAt[5];  // where it waits (__builtin_setjmp's), once entered
    bool entered;  // its stack holds its thread, waiting at resumeAt: at a barrier, or ended, for the next launch
    Dim3 index;
    Dim3 block;
    bool done;
    bool atBlockBarrier;  // waits at a __syncthreads (in a cooperative launch), not the grid barrier
    std::vector<std::pair<float*, const float*>> copies;  // copy_async's, to be made at copies_landed
    unsigned blockBarriers, gridBarriers;  // the barriers it passed, for racecheck's tokens
};

inline ucontext_t scheduler, blank;
inline void* schedulerAt[5];  // where resume() waits for the fiber to stop
inline std::vector<Fiber> fibers;
inline std::unique_ptr<char[]> stacks;
inline size_t stackCount;
inline size_t current;
inline bool cooperative;  // every thread of the grid is a fiber, and barriers are grid-wide
inline bool reverse;  // run the blocks, and each block's threads, from the last to the first
inline bool plain;  // threads run as plain calls: the block's first thread ended without a barrier
inline const std::function<void()>* body;
#if EMULATOR_RACECHECK
// What ThreadSanitizer orders threads by: the scheduler releases `launchStart` before a launch's threads (or a
// block's) start, and acquires `launchEnd`, which each thread releases at its end; a barrier's threads release its
// token as they reach it and acquire it as they pass. A barrier's token alternates between two by the count of
// barriers passed, so a thread that has passed one and reaches the next does not order itself before those still to
// pass the first.
inline char launchStart, launchEnd;
inline char gridTokens[2];
inline std::vector<char> blockTokens;  // two a block of a cooperative launch, two for the block running otherwise
inline void* schedulerFiber;
inline std::vector<void*> threadFibers;  // a fiber of ThreadSanitizer's for each fiber of ours, made once
#endif
// The most threads a cooperative launch may have, each a fiber; under racecheck, as many as ThreadSanitizer holds at
// once (8,128 threads, its fibers among them), less a few to spare.
constexpr size_t COOPERATIVE_THREADS = EMULATOR_RACECHECK ? 8000 : 16384;
// Floats of guard before, between and after the blocks' dynamic shared memory, each a NaN of its own bits: a read
// past a block's memory carries NaN into the results, and a write there is seen as the block ends (checkShared).
constexpr size_t GUARD = 64;
constexpr uint32_t GUARD_BITS = 0x7fc0dead;
inline std::vector<float> shared;  // guard, block 0's dynamic shared memory, guard, block 1's, ..., guard
inline size_t sharedFloats;  // a block's

// The running thread's block among those whose threads run at once: of the grid in a cooperative launch, else 0.
EMULATOR_UNCHECKED inline size_t runningBlock() {
    return cooperative ? blockIdx.x + (size_t)gridDim.x * (blockIdx.y + (size_t)gridDim.y * blockIdx.z) : 0;
}

// The dynamic shared memory of the running thread's block.
EMULATOR_UNCHECKED inline void* blockShared() {
    return shared.data() + GUARD + runningBlock() * (sharedFloats + GUARD);
}

// Gives each of `blocks` blocks `bytes` of dynamic shared memory, all NaN, with the guards around them.
EMULATOR_UNCHECKED inline void setShared(size_t blocks, size_t bytes) {
    sharedFloats = (bytes + 3) / 4;
    shared.assign(GUARD + blocks * (sharedFloats + GUARD), NAN);
    float guard;
    memcpy(&guard, &GUARD_BITS, sizeof guard);
    for (size_t b = 0; b <= blocks; b++) {
        std::fill_n(shared.data() + b * (sharedFloats + GUARD), GUARD, guard);
    }
}

// Fails where a block of the launch wrote into a guard around its dynamic shared memory.
EMULATOR_UNCHECKED inline void checkShared() {
    size_t stride = sharedFloats + GUARD, blocks = (shared.size() - GUARD) / stride;
    for (size_t b = 0; b <= blocks; b++) {
        for (size_t i = 0; i < GUARD; i++) {
            uint32_t bits;
            memcpy(&bits, shared.data() + b * stride + i, sizeof bits);
            if (bits != GUARD_BITS) {
                fprintf(stderr, "block_emulator: a write %s the dynamic shared memory of block %zu of the launch (%zu floats a block)\n",
                        b == 0 ? "before" : "past", b == 0 ? b : b - 1, sharedFloats);
                abort();
            }
        }
    }
}

[[noreturn]] inline void fail(const char* what) {
    fprintf(stderr, "block_emulator: %s in block (%u, %u, %u)\n", what, blockIdx.x, blockIdx.y, blockIdx.z);
    abort();
}

// At a barrier or a thread's end (threads run as plain calls use fibers[0]'s copies, current being 0).
EMULATOR_UNCHECKED inline void checkCopiesLanded(const char* where) {
    if (!fibers[current].copies.empty()) {
        fprintf(stderr, "block_emulator: thread %u reached %s with copies it did not wait for (copies_landed)\n", threadIdx.x, where);
        fail("copies not waited for");
    }
}

// Goes on where __builtin_setjmp saved `to`: in a function of its own, as __builtin_longjmp may not share one with
// the __builtin_setjmp it returns to.
[[gnu::noinline]] EMULATOR_UNCHECKED inline void jump(void** to) {
    __builtin_longjmp(to, 1);
}

// From the running fiber back to the scheduler, until resume() picks it again. Under ThreadSanitizer, whose
// fibers are switched to just before the stack is, through swapcontext only: its longjmp keeps to one stack.
EMULATOR_UNCHECKED inline void stop() {
#if EMULATOR_RACECHECK
    ucontext_t* from = &fibers[current].context;
    __tsan_switch_to_fiber(schedulerFiber, __tsan_switch_to_fiber_no_sync);
    swapcontext(from, &scheduler);
#else
    if (__builtin_setjmp(fibers[current].resumeAt) == 0) {
        jump(schedulerAt);
    }
#endif
}

EMULATOR_UNCHECKED inline void run_fiber() {
#if EMULATOR_RACECHECK
    __tsan_acquire(&launchStart);
    (*body)();
    checkCopiesLanded("its end");
    fibers[current].done = true;
    ucontext_t* from = &fibers[current].context;  // read before the thread's last release
    __tsan_release(&launchEnd);
    __tsan_switch_to_fiber(schedulerFiber, __tsan_switch_to_fiber_no_sync);
    swapcontext(from, &scheduler);  // never resumed
#else
    for (;;) {  // a thread of each launch that resumes this fiber after start()
        (*body)();
        checkCopiesLanded("its end");
        fibers[current].done = true;
        stop();
    }
#endif
}

// Stops the running thread at a barrier, its block's or with `grid` the grid's, until the scheduler lets it pass;
// under racecheck it releases the barrier's token as it reaches it and acquires it as it passes.
EMULATOR_UNCHECKED inline void passBarrier(bool grid) {
#if EMULATOR_RACECHECK
    Fiber& f = fibers[current];
    char* token = grid ? &gridTokens[f.gridBarriers++ & 1] : &blockTokens[2 * runningBlock() + (f.blockBarriers++ & 1)];
    __tsan_release(token);
    stop();
    __tsan_acquire(token);
#else
    (void)grid;
    stop();
#endif
}

EMULATOR_UNCHECKED inline void start(size_t t) {
    Fiber& f = fibers[t];
    f.done = false;
    f.atBlockBarrier = false;
    f.blockBarriers = f.gridBarriers = 0;
    if (!f.entered) {  // (under racecheck never: each launch's threads start afresh)
        f.context = blank;
        f.context.uc_stack.ss_sp = stacks.get() + t * STACK_STRIDE;
        f.context.uc_stack.ss_size = STACK;
        f.context.uc_link = nullptr;  // run_fiber never returns
        makecontext(&f.context, run_fiber, 0);
    }
#if EMULATOR_RACECHECK
    while (threadFibers.size() <= t) {
        threadFibers.push_back(__tsan_create_fiber(0));
    }
#endif
}

EMULATOR_UNCHECKED inline void resume(size_t t) {
    current = t;
    threadIdx = fibers[t].index;
    blockIdx = fibers[t].block;
#if EMULATOR_RACECHECK
    ucontext_t* to = &fibers[t].context;
    __tsan_switch_to_fiber(threadFibers[t], __tsan_switch_to_fiber_no_sync);
    swapcontext(&scheduler, to);  // back when the fiber stops
    return;
#endif
    if (__builtin_setjmp(schedulerAt) == 0) {
        if (fibers[t].entered) {
            jump(fibers[t].resumeAt);
        }
        fibers[t].entered = true;
        swapcontext(&scheduler, &fibers[t].context);  // never returns: the fiber comes back through schedulerAt
    }
}

EMULATOR_UNCHECKED inline void reserveStacks(size_t count) {
    if (stackCount < count) {
        stacks.reset(new char[count * STACK_STRIDE]);  // untouched pages cost nothing until a fiber uses them
        stackCount = count;
        for (Fiber& f : fibers) {
            f.entered = false;  // its stack is gone
        }
        getcontext(&blank);
    }
}

// Runs on the `threads` fibers of one block of a cooperative launch, from fibers[first], while they all wait
// at a __syncthreads: a block passes its own barriers without waiting for the grid.
EMULATOR_UNCHECKED inline void passBlockBarriers(size_t first, size_t threads) {
    for (;;) {
        size_t waiting = 0;
        for (size_t t = first; t < first + threads; t++) {
            waiting += !fibers[t].done && fibers[t].atBlockBarrier;
        }
        if (waiting == 0) {
            return;
        }
        if (waiting != threads) {
            fail("a __syncthreads that not every thread of the block reaches");
        }
        for (size_t t = first; t < first + threads; t++) {
            fibers[t].atBlockBarrier = false;
            resume(t);
        }
    }
}

// Resumes every fiber once a round until all have ended; each round ends with every live fiber waiting at
// its next barrier. A fiber that ended while others still wait at one is a barrier not every thread reaches.
// In a cooperative launch (blockThreads fibers a block, side by side) each round first lets every block pass
// its __syncthreads, so a round ends with every live fiber at the grid barrier.
EMULATOR_UNCHECKED inline void runRounds(size_t count, const char* barrier, size_t blockThreads = 0) {
    for (;;) {
        for (size_t first = 0; blockThreads != 0 && first < count; first += blockThreads) {
            passBlockBarriers(first, blockThreads);
        }
        size_t finished = 0;
        for (size_t t = 0; t < count; t++) {
            finished += fibers[t].done;
        }
        if (finished == count) {
            return;
        }
        if (finished != 0) {
            fail(barrier);  // undefined on a GPU, often a hang
        }
        for (size_t t = 0; t < count; t++) {
            resume(t);
        }
    }
}

// addr, a place in the running block's dynamic shared memory, as the same place in block `rank`'s, in a cooperative
// launch of one row of blocks (cooperative_groups.h's cluster, the whole grid).
EMULATOR_UNCHECKED inline void* sharedOfBlock(const void* addr, unsigned rank) {
    if (!cooperative || gridDim.y != 1 || gridDim.z != 1 || rank >= gridDim.x) {
        fail("map_shared_rank outside a cooperative launch of one row of blocks, or to a block not in it");
    }
    ptrdiff_t offset = (const float*)addr - (const float*)blockShared();
    if (offset < 0 || (size_t)offset >= sharedFloats) {
        fail("map_shared_rank of an address not in the block's dynamic shared memory");
    }
    return shared.data() + GUARD + rank * (sharedFloats + GUARD) + offset;
}

// The grid-wide barrier of a cooperative launch.
EMULATOR_UNCHECKED inline void gridSync() {
    if (!cooperative) {
        fail("a grid-wide barrier outside a cooperative launch");
    }
    checkCopiesLanded("a grid-wide barrier");
    passBarrier(true);
}
}  // namespace emulator

#if ASYNC_COPIES
inline void copy_async(float* dst, const float* src) {
    emulator::fibers[emulator::current].copies.emplace_back(dst, src);
}

inline void copies_landed() {
    auto& copies = emulator::fibers[emulator::current].copies;
    for (auto [dst, src] : copies) {
        *dst = *src;
    }
    copies.clear();
}
#endif

EMULATOR_UNCHECKED inline void __syncthreads() {
    using namespace emulator;
    if (plain) {
        fail("a __syncthreads that the first thread run did not reach");
    }
    checkCopiesLanded("a __syncthreads");
    fibers[current].atBlockBarrier = cooperative;
    passBarrier(false);
}

// Runs kernel() once per thread of each block of the grid, as the GPU would (threads <= 1024 a block), each
// block with sharedBytes of dynamic shared memory.
// The first thread runs on a fiber; if it ends without reaching a barrier, so does every thread (CUDA wants
// each __syncthreads reached by all of a block's threads or none), and the others run as plain calls.
EMULATOR_UNCHECKED inline void launch(Dim3 grid, Dim3 block, const std::function<void()>& kernel, size_t sharedBytes = 0) {
    using namespace emulator;
#if EMULATOR_RACECHECK
    schedulerFiber = __tsan_get_current_fiber();
    blockTokens.assign(2, 0);
#endif
    size_t threads = (size_t)block.x * block.y * block.z;
    if (threads == 0 || threads > 1024) {
        fail("a block of 0 or over 1024 threads");
    }
    reserveStacks(1024);
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
                for (Fiber& f : fibers) {
                    f.block = blockIdx;
                }
                setShared(1, sharedBytes);
#if EMULATOR_RACECHECK
                __tsan_release(&launchStart);
#endif
                start(0);
                resume(0);
                if (fibers[0].done && !EMULATOR_RACECHECK) {  // racecheck runs every thread as a fiber of its own
                    plain = true;
                    for (size_t t = 1; t < threads; t++) {
                        threadIdx = fibers[t].index;
                        kernel();
                        checkCopiesLanded("its end");
                    }
                    plain = false;
                } else {
                    // the first thread waits at its first barrier: the others run to it, then one round per barrier
                    for (size_t t = 1; t < threads; t++) {
                        start(t);
                        resume(t);
                    }
                    runRounds(threads, "a __syncthreads that not every thread reaches");
                }
#if EMULATOR_RACECHECK
                __tsan_acquire(&launchEnd);
#endif
                checkShared();
            }
        }
    }
}

// Runs kernel() as a cooperative launch: all of the grid's threads at once, as fibers, so a grid-wide
// barrier waits for every one of them (in order, or with emulator::reverse the last block's last thread first).
EMULATOR_UNCHECKED inline void launch_cooperative(Dim3 grid, Dim3 block, const std::function<void()>& kernel, size_t sharedBytes = 0) {
    using namespace emulator;
    size_t threads = (size_t)block.x * block.y * block.z, blocks = (size_t)grid.x * grid.y * grid.z, count = threads * blocks;
    if (threads == 0 || threads > 1024 || count > COOPERATIVE_THREADS) {
        fail("a cooperative grid of 0 threads a block, over 1024, or over COOPERATIVE_THREADS in all (too many fibers)");
    }
    reserveStacks(count);
    gridDim = grid;
    blockDim = block;
    body = &kernel;
    fibers.resize(count);
    for (size_t f = 0; f < count; f++) {
        size_t n = reverse ? count - 1 - f : f, t = n % threads, b = n / threads;
        fibers[f].index = {(unsigned)(t % block.x), (unsigned)(t / block.x % block.y), (unsigned)(t / block.x / block.y)};
        fibers[f].block = {(unsigned)(b % grid.x), (unsigned)(b / grid.x % grid.y), (unsigned)(b / grid.x / grid.y)};
    }
    setShared(blocks, sharedBytes);
    cooperative = true;
#if EMULATOR_RACECHECK
    schedulerFiber = __tsan_get_current_fiber();
    blockTokens.assign(2 * blocks, 0);
    __tsan_release(&launchStart);
#endif
    for (size_t f = 0; f < count; f++) {
        start(f);
        resume(f);
    }
    runRounds(count, "a grid-wide barrier that not every thread reaches", threads);
#if EMULATOR_RACECHECK
    __tsan_acquire(&launchEnd);
#endif
    cooperative = false;
    checkShared();
}
