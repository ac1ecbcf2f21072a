#include "layout.cuh"
// One optimizer step of a parameter array from its gradient, then the gradient zeroed (the step kernels add
// the next bias gradient into it). hyper holds the rates (slots H_*), read here so a recorded program follows
// a learning-rate schedule. g = grad * scale (+ l2 * p when decay); then SGD p -= eta g; momentum
// v = mu v + g, p -= eta v; Nesterov v = mu v + g, p -= eta (g + mu v); Adam m = b1 m + (1 - b1) g,
// s = b2 s + (1 - b2) g^2, p -= eta (m / (1 - b1^t)) / (sqrt(s / (1 - b2^t)) + eps), b^t from hyper (advance).
// CPU twin: CpuBackend.optimize.
extern "C" __global__ void optimize(float* p, float* grad, float* s1, float* s2, int n, const float* hyper, int kind, int decay) {
    float eta = hyper[H_ETA], scale = hyper[H_GRADIENT_SCALE], l2 = decay ? hyper[H_L2] : 0.0f;
    float mu = hyper[H_MOMENTUM], b1 = hyper[H_BETA1], b2 = hyper[H_BETA2], eps = hyper[H_EPSILON];
    float c1 = 1.0f - hyper[H_BETA1_POWER], c2 = 1.0f - hyper[H_BETA2_POWER];
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        float g = grad[i] * scale + l2 * p[i];
        switch (kind) {
        case OPT_MOMENTUM: s1[i] = mu * s1[i] + g; p[i] -= eta * s1[i]; break;
        case OPT_NESTEROV: s1[i] = mu * s1[i] + g; p[i] -= eta * (g + mu * s1[i]); break;
        case OPT_ADAM:
            s1[i] = b1 * s1[i] + (1.0f - b1) * g;
            s2[i] = b2 * s2[i] + (1.0f - b2) * g * g;
            p[i] -= eta * (s1[i] / c1) / (sqrtf(s2[i] / c2) + eps);
            break;
        default: p[i] -= eta * g;
        }
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
