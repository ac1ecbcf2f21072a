// The part of CUDA's cooperative_groups that mlp4j's kernels use, for block_emulator.h (included first):
// the grid of a cooperative launch and its barrier, and a thread block cluster, which here is the whole grid of a
// cooperative launch (kernels/cluster_steps.cu runs on one cluster): its barrier is the grid's, and a block's
// shared memory is reached from another block through map_shared_rank.
#pragma once

namespace cooperative_groups {
struct grid_group {
    void sync() const { emulator::gridSync(); }
};

inline grid_group this_grid() { return {}; }

struct cluster_group {
    void sync() const { emulator::gridSync(); }
    unsigned block_rank() const { return blockIdx.x; }
    unsigned num_blocks() const { return gridDim.x * gridDim.y * gridDim.z; }
    template <class T>
    T* map_shared_rank(T* addr, unsigned rank) const { return (T*)emulator::sharedOfBlock(addr, rank); }
};

inline cluster_group this_cluster() { return {}; }
}  // namespace cooperative_groups
