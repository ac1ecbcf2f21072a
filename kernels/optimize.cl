// One optimizer step of a parameter array from its gradient, then the gradient zeroed (the step kernels add
// the next bias gradient into it). hyper holds the rates (slots H_*), read here so a recorded program follows
// a learning-rate schedule. g = grad * scale (+ l2 * p when decay); then SGD p -= eta g; momentum
// v = mu v + g, p -= eta v; Nesterov v = mu v + g, p -= eta (g + mu v); Adam m = b1 m + (1 - b1) g,
// s = b2 s + (1 - b2) g^2, p -= eta (m / (1 - b1^t)) / (sqrt(s / (1 - b2^t)) + eps), b^t from hyper (advance).
// CPU twin: CpuBackend.optimize.
__kernel void optimize(__global float* p, int po, __global float* grad, int go, __global float* s1, int s1o,
                       __global float* s2, int s2o, int n, __global const float* hyper, int ho, int kind, int decay) {
    int i = get_global_id(0);
    if (i >= n) {
        return;
    }
    __global const float* h = hyper + ho;
    float eta = h[H_ETA], scale = h[H_GRADIENT_SCALE], l2 = decay ? h[H_L2] : 0.0f;
    float g = grad[go + i] * scale + l2 * p[po + i];
    if (kind == OPT_MOMENTUM || kind == OPT_NESTEROV) {
        float mu = h[H_MOMENTUM];
        float v = mu * s1[s1o + i] + g;
        s1[s1o + i] = v;
        p[po + i] -= kind == OPT_MOMENTUM ? eta * v : eta * (g + mu * v);
    } else if (kind == OPT_ADAM) {
        float b1 = h[H_BETA1], b2 = h[H_BETA2], c1 = 1.0f - h[H_BETA1_POWER], c2 = 1.0f - h[H_BETA2_POWER];
        float m = b1 * s1[s1o + i] + (1.0f - b1) * g;
        float s = b2 * s2[s2o + i] + (1.0f - b2) * g * g;
        s1[s1o + i] = m;
        s2[s2o + i] = s;
        p[po + i] -= eta * (m / c1) / (sqrt(s / c2) + h[H_EPSILON]);
    } else {
        p[po + i] -= eta * g;
    }
    grad[go + i] = 0.0f;
}

// Counts a step: Adam's b1^t and b2^t, once per step before its optimize launches. CPU twin: CpuBackend.advance.
__kernel void advance(__global float* hyper, int ho) {
    if (get_global_id(0) == 0) {
        hyper[ho + H_BETA1_POWER] *= hyper[ho + H_BETA1];
        hyper[ho + H_BETA2_POWER] *= hyper[ho + H_BETA2];
    }
}
