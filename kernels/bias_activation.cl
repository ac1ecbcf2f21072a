// A layer's forward end: z = activate(z + bias, act) (activation.cl), bias broadcast over rows; ACT_IDENTITY
// adds the bias alone (logits). CPU twin: CpuBackend.biasActivation.
__kernel void bias_activation(__global float* z, int zo, __global const float* bias, int bo, int rows, int cols, int act) {
    int i = get_global_id(0);
    if (i < rows * cols) {
        z[zo + i] = activate(z[zo + i] + bias[bo + i % cols], act);
    }
}
