// A hidden layer's activation by its code (ACT_*: OpenCL's build options from OpenClBackend.DEFINES, CUDA's
// layout.cuh): the value from the pre-activation, and the derivative from the value, so backprop reads only what
// the forward pass kept. One text for both GPU backends (dialect.cl): OpenCL compiles it before the kernels that
// use it, activation.cuh includes it. CPU twins: Kernels.activate and Kernels.derivative (backend/cpu).
HELPER float activate(float v, int act) {
    switch (act) {
    case ACT_SIGMOID: return 1.0f / (1.0f + exp(-v));
    case ACT_TANH: return tanh(v);
    case ACT_RELU: return v > 0.0f ? v : 0.0f;
    case ACT_LEAKY_RELU: return v > 0.0f ? v : LEAKY_SLOPE * v;
    default: return v;
    }
}

HELPER float derivative(float a, int act) {
    switch (act) {
    case ACT_SIGMOID: return a * (1.0f - a);
    case ACT_TANH: return 1.0f - a * a;
    case ACT_RELU: return a > 0.0f ? 1.0f : 0.0f;
    case ACT_LEAKY_RELU: return a > 0.0f ? 1.0f : LEAKY_SLOPE;
    default: return 1.0f;
    }
}
