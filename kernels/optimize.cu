#include "layout.cuh"
#include "optimizer.cuh"
#include "update_tile.cuh"
// One optimizer step of a parameter array from its gradient (optimizer_step, optimizer.cuh), then the gradient
// zeroed (the step kernels add the next bias gradient into it). hyper holds the rates, read here so a recorded
// program follows a learning-rate schedule. CPU twin: CpuBackend.optimize.
extern "C" __global__ void optimize(float* p, float* grad, float* s1, float* s2, int n, const float* hyper, int kind, int decay) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        optimizer_step(p + i, grad[i], s1 + i, s2 + i, hyper, kind, decay);
        grad[i] = 0.0f;
    }
}

// Counts a step: Adam's b1^t and b2^t, once per step before its optimize launches. CPU twin: CpuBackend.advance.
extern "C" __global__ void advance(float* hyper) {
    if (blockIdx.x == 0 && threadIdx.x == 0) {
        hyper[H_BETA1_POWER] *= hyper[H_BETA1];
        hyper[H_BETA2_POWER] *= hyper[H_BETA2];
    }
}

// One layer's weights and bias stepped by an optimizer (GpuBackend's whole steps of the general step), in
// blocks of a tile each (tile_sums, update_tile.cuh): each gradient (grad w[i][j] = sum_r in[r][i] * d[r][j],
// grad b[j] = sum_r d[r][j]) summed in the rows' order, then stepped as optimize steps it (optimizer_step), the
// weights with L2 and the bias without. The gradients are not written: the layer ops' gradient buffers stay
// zero. CPU twin: DeviceNet.trainStep's general step (ParityTest.wholeStepsWithAnOptimizerDoWhatTheLayerStepsDo).
extern "C" __global__ void __launch_bounds__(UPDATE_HALF * UPDATE_HALF) optimize_layer(const float* in, const float* d, int rows, int ins,
        int outs, float* w, float* b, float* s1w, float* s2w, float* s1b, float* s2b, const float* hyper, int kind) {
    __shared__ float as[STAGED_ROWS][UPDATE_TILE], ds[STAGED_ROWS][UPDATE_TILE];
    int across = (outs + UPDATE_TILE - 1) / UPDATE_TILE, tile = blockIdx.x;
    int i0 = tile / across * UPDATE_TILE, j0 = tile % across * UPDATE_TILE;
    float sum[2][2];
    tile_sums(in, d, rows, ins, outs, i0, j0, as, ds, sum);
    for (int u = 0; u < 2; u++) {
        for (int v = 0; v < 2; v++) {
            int i = i0 + threadIdx.y + u * UPDATE_HALF, j = j0 + threadIdx.x + v * UPDATE_HALF;
            if (j < outs && i < ins) {
                long e = (long)i * outs + j;
                optimizer_step(w + e, sum[u][v], s1w + e, s2w + e, hyper, kind, 1);
            } else if (j < outs && i == ins) {
                optimizer_step(b + j, sum[u][v], s1b + j, s2b + j, hyper, kind, 0);
            }
        }
    }
}
