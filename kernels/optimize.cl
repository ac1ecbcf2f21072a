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
