// One optimizer step of a parameter array from its gradient (optimizer_step, optimizer.cl), then the gradient
// zeroed (the step kernels add the next bias gradient into it). hyper holds the rates, read here so a recorded
// program follows a learning-rate schedule. CPU twin: CpuBackend.optimize.
__kernel void optimize(__global float* p, int po, __global float* grad, int go, __global float* s1, int s1o,
                       __global float* s2, int s2o, int n, __global const float* hyper, int ho, int kind, int decay) {
    int i = get_global_id(0);
    if (i >= n) {
        return;
    }
    optimizer_step(p + po + i, grad[go + i], s1 + s1o + i, s2 + s2o + i, hyper + ho, kind, decay);
    grad[go + i] = 0.0f;
}

// Counts a step: Adam's b1^t and b2^t, once per step before its optimize launches. CPU twin: CpuBackend.advance.
__kernel void advance(__global float* hyper, int ho) {
    if (get_global_id(0) == 0) {
        hyper[ho + H_BETA1_POWER] *= hyper[ho + H_BETA1];
        hyper[ho + H_BETA2_POWER] *= hyper[ho + H_BETA2];
    }
}

// One layer's weights and bias stepped by an optimizer (GpuBackend's whole steps of the general step), in
// work-groups of a tile each (tile_sums, update_tile.cl): each gradient (grad w[i][j] = sum_r in[r][i] * d[r][j],
// grad b[j] = sum_r d[r][j]) summed as step_updates sums it, then stepped as optimize steps it (optimizer_step),
// the weights with L2 and the bias without. The gradients are not written: the layer ops' gradient buffers stay
// zero. CPU twin: DeviceNet.trainStep's general step (ParityTest.wholeStepsWithAnOptimizerDoWhatTheLayerStepsDo).
__kernel __attribute__((reqd_work_group_size(UPDATE_HALF, UPDATE_HALF, 1)))
void optimize_layer(__global const float* in, int ino, __global const float* d, int dof, int rows, int ins, int outs,
                    __global float* w, int wo, __global float* b, int bo, __global float* s1w, int s1wo, __global float* s2w, int s2wo,
                    __global float* s1b, int s1bo, __global float* s2b, int s2bo, __global const float* hyper, int ho, int kind) {
    __local float as[STAGED_ROWS][UPDATE_TILE], ds[STAGED_ROWS][UPDATE_TILE];
    int across = (outs + UPDATE_TILE - 1) / UPDATE_TILE, tile = get_group_id(0);
    int i0 = tile / across * UPDATE_TILE, j0 = tile % across * UPDATE_TILE;
    float4 sum = tile_sums(in + ino, d + dof, rows, ins, outs, i0, j0, as, ds);
#pragma unroll
    for (int u = 0; u < 2; u++) {
#pragma unroll
        for (int v = 0; v < 2; v++) {
            int i = i0 + get_local_id(1) + u * UPDATE_HALF, j = j0 + get_local_id(0) + v * UPDATE_HALF;
            if (j < outs && i < ins) {
                long e = (long)i * outs + j;
                optimizer_step(w + wo + e, SUM_AT(sum, u, v), s1w + s1wo + e, s2w + s2wo + e, hyper + ho, kind, 1);
            } else if (j < outs && i == ins) {
                optimizer_step(b + bo + j, SUM_AT(sum, u, v), s1b + s1bo + j, s2b + s2bo + j, hyper + ho, kind, 0);
            }
        }
    }
}
