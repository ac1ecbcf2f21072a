// The softmax output's forward end, a row per work-item: z = softmax(z + bias), its maximum subtracted
// first (softmax_row.cl). Runs before output_step with OUT_SOFTMAX. CPU twin: CpuBackend.outputStep's softmax.
__kernel void softmax_rows(__global float* z, int zo, __global const float* bias, int bo, int rows, int cols) {
    int r = get_global_id(0);
    if (r >= rows) {
        return;
    }
    softmax_row(z + zo + (long)r * cols, bias + bo, cols);
}
