// The activation fused with the bias add: z = sigmoid(z + bias). CPU twin: CpuBackend.biasSigmoid.
__kernel void bias_sigmoid(__global float* z, int zo, __global const float* bias, int bo, int rows, int cols) {
    int i = get_global_id(0);
    if (i < rows * cols) {
        z[zo + i] = 1.0f / (1.0f + exp(-(z[zo + i] + bias[bo + i % cols])));
    }
}
