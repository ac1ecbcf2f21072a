// The part of CUDA's cooperative_groups that mlp4j's kernels use, for block_emulator.h (included first):
// the grid of a cooperative launch and its barrier.
#pragma once

namespace cooperative_groups {
struct grid_group {
    void sync() const { emulator::gridSync(); }
};

inline grid_group this_grid() { return {}; }
}  // namespace cooperative_groups
