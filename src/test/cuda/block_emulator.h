// Runs CUDA kernel source on the CPU, for CI machines without a GPU: each block's threads are std::threads
// and __syncthreads is a std::barrier, so kernels that use threadIdx/blockIdx/blockDim/gridDim, __shared__
// memory and __syncthreads (all of mlp4j's) run with their real synchronisation. Blocks run one at a time,
// so __shared__ (static here) is never shared between blocks.
#pragma once
#include <algorithm>
#include <barrier>
#include <cmath>
#include <math.h>
#include <thread>
#include <vector>

struct Dim3 { unsigned x = 1, y = 1, z = 1; };
thread_local Dim3 threadIdx, blockIdx;
Dim3 blockDim, gridDim;
std::barrier<>* block_barrier;

using std::max;  // CUDA's integer min and max
using std::min;

#define __global__
#define __device__
#define __shared__ static
#define __launch_bounds__(threads)
inline void __syncthreads() { block_barrier->arrive_and_wait(); }

template <class Kernel> void launch(Dim3 grid, Dim3 block, Kernel kernel) {
    gridDim = grid;
    blockDim = block;
    for (unsigned by = 0; by < grid.y; by++) {
        for (unsigned bx = 0; bx < grid.x; bx++) {
            std::barrier<> barrier(block.x * block.y);
            block_barrier = &barrier;
            std::vector<std::thread> threads;
            for (unsigned ty = 0; ty < block.y; ty++) {
                for (unsigned tx = 0; tx < block.x; tx++) {
                    threads.emplace_back([=] {
                        threadIdx = {tx, ty, 0};
                        blockIdx = {bx, by, 0};
                        kernel();
                    });
                }
            }
            for (auto& t : threads) {
                t.join();
            }
        }
    }
}
