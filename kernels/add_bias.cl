// Bias broadcast add for the output layer's logits (evaluation): z += bias. CPU twin: CpuBackend.addBias.
__kernel void add_bias(__global float* z, int zo, __global const float* bias, int bo, int rows, int cols) {
    int i = get_global_id(0);
    if (i < rows * cols) {
        z[zo + i] += bias[bo + i % cols];
    }
}
