// Whole SGD steps in one launch on NVIDIA's GPUs, OpenCL's twin of CUDA's train_steps: OpenCL has no grid-wide
// barrier, so this one is made of an atomic counter, and holds only where every work-group runs at once, which
// OpenClBackend ensures by launching no more work-groups than the GPU has compute units and offering this way only
// on NVIDIA's GPUs (PoCL, say, may run a launch's work-groups one after another on one thread). Built in a program
// of its own after whole_steps.cl, whose step_tiles' and step_rows' work (tile_step, row_step) are its two phases.
// CPU twin: DeviceNet.trainStep through the layer ops (ParityTest.wholeStepsDoWhatTheLayerStepsDo, on the GPU).

// The fence a work-group's first item takes before it arrives at a grid barrier and after it has passed one
// (membar.gl by inline PTX, which NVIDIA's OpenCL compiles): the group's writes are visible to every
// multiprocessor before its arrival is, and the lines its L1 holds are dropped after.
#define GRID_FENCE() __asm__ volatile("membar.gl;")

// A grid barrier of grid_steps: the target-th arrival counted in sync[0] (the k-th barrier of a launch waits for
// k x its work-groups). A wait that polls `patience` times in vain means the device is not running every
// work-group at once, so it would wait for ever: it marks sync[1], which every wait sees first, so that every
// group stops and the host reports it. Every item of the work-group calls it; it returns whether to go on.
int grid_wait(__global int* sync, int target, int patience, __local int* stop) {
    barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE);  // the group's writes made
    if (ITEM() == 0) {
        GRID_FENCE();
        atomic_inc(sync);
        int polls = 0, failed = 0;
        while (!(failed = atomic_add(sync + 1, 0)) && atomic_add(sync, 0) < target) {
            if (++polls == patience) {
                atomic_xchg(sync + 1, 1);
                failed = 1;
                break;
            }
        }
        *stop = failed;
        GRID_FENCE();
    }
    barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE);
    return !*stop;
}

// Whole steps in one launch: each step's step_tiles and step_rows, each work-group taking their work-groups' work
// in turn, tiles then rows strided over the grid, with a grid barrier after each; and after the last step, the
// tiles' steps alone (what step_updates would do). `steps` steps of `rows` rows from x's first; z1 as for
// step_tiles, `tiles` step_tiles's work-groups. sync: the barriers' arrivals, a wait that ran out of patience (left
// for the host to read) and the groups that have left, which the last to leave sets to 0 again with the arrivals.
__kernel __attribute__((reqd_work_group_size(UPDATE_HALF, UPDATE_HALF, 1)))
void grid_steps(__global const float* x, int xo, __global const float* labels, int yo,
                __global float* w0, int w0o, __global float* b0, int b0o,
                __global float* w1, int w1o, __global float* b1, int b1o,
                __global float* w2, int w2o, __global float* b2, int b2o,
                __global float* a1, int a1o, __global float* a2, int a2o, __global float* a3, int a3o,
                __global float* d1, int d1o, __global float* d2, int d2o, __global float* d3, int d3o,
                __global float* z1, int z1o, __global int* sync, int steps, int rows, int tiles, int layers, int s0, int s1, int s2,
                int s3, float step, float decay, int act, int output, int patience) {
    __local float values[ROW_FLOATS], partial[UPDATE_HALF * UPDATE_HALF];
    __local float as[STAGED_ROWS][UPDATE_TILE], ds[STAGED_ROWS][UPDATE_TILE];
    __local float tile[FIRST_TILE_ROWS][UPDATE_TILE], xs[PRODUCT_ROWS][FIRST_TILE_ROWS + 1];
    __local int stop;
    int groups = get_num_groups(0), g = get_group_id(0), slices = (s0 + FIRST_TILE_ROWS - 1) / FIRST_TILE_ROWS, waits = 0, going = 1;
    for (int s = 0; going && s <= steps; s++) {
        for (int t = g; t < tiles; t += groups) {
            tile_step(t, s > 0, s < steps, x, xo, w0, w0o, b0, b0o, w1, w1o, b1, b1o, w2, w2o, b2, b2o, a1, a1o, a2, a2o, a3, a3o, d1, d1o, d2,
                      d2o, d3, d3o, z1, z1o, s * rows, rows, layers, s0, s1, s2, s3, step, decay, as, ds, tile, xs);
            barrier(CLK_LOCAL_MEM_FENCE);  // every item done with the local arrays before the group's next tile writes them
        }
        if (s < steps) {
            going = grid_wait(sync, ++waits * groups, patience, &stop);
            for (int r = g; going && r < rows; r += groups) {
                row_step(r, rows, x, xo, labels, yo, w0, w0o, b0, b0o, w1, w1o, b1, b1o, w2, w2o, b2, b2o, a1, a1o, a2, a2o, a3, a3o, d1, d1o, d2,
                         d2o, d3, d3o, z1, z1o, slices, s * rows, layers, s0, s1, s2, s3, act, output, values, partial);
                barrier(CLK_LOCAL_MEM_FENCE);  // likewise before its next example
            }
            going = going && grid_wait(sync, ++waits * groups, patience, &stop);
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE);
    if (ITEM() == 0 && atomic_inc(sync + 2) == groups - 1) {
        // the last group to leave: every other has passed its last wait
        atomic_xchg(sync, 0);
        atomic_xchg(sync + 2, 0);
    }
}
