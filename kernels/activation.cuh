#pragma once
#include "layout.cuh"
// A hidden layer's activation by its code: the value from the pre-activation, and the derivative from the
// value (every activation here has one), so backprop reads only what the forward pass kept.
// CPU twins: Kernels.activate and Kernels.derivative (backend/cpu).
__device__ inline float activate(float v, int act) {
    switch (act) {
    case ACT_SIGMOID: return 1.0f / (1.0f + expf(-v));
    case ACT_TANH: return tanhf(v);
    case ACT_RELU: return v > 0.0f ? v : 0.0f;
    case ACT_LEAKY_RELU: return v > 0.0f ? v : LEAKY_SLOPE * v;
    default: return v;
    }
}

__device__ inline float derivative(float a, int act) {
    switch (act) {
    case ACT_SIGMOID: return a * (1.0f - a);
    case ACT_TANH: return 1.0f - a * a;
    case ACT_RELU: return a > 0.0f ? 1.0f : 0.0f;
    case ACT_LEAKY_RELU: return a > 0.0f ? 1.0f : LEAKY_SLOPE;
    default: return 1.0f;
    }
}
