// Row argmax (first maximum), alone for predictions and fused with the label comparison for accuracy.
// CPU twins: CpuBackend.rowArgmax and CpuBackend.countCorrect.
int argmax_row(__global const float* z, long start, int cols) {
    int best = 0;
    for (int j = 1; j < cols; j++) {
        if (z[start + j] > z[start + best]) {
            best = j;
        }
    }
    return best;
}

__kernel void row_argmax(__global const float* z, int zo, __global float* out, int oo, int rows, int cols) {
    int r = get_global_id(0);
    if (r < rows) {
        out[oo + r] = (float)argmax_row(z, zo + (long)r * cols, cols);
    }
}

// Adds the number of rows whose argmax equals the label to acc[slot]; one work-group of REDUCE_THREADS items.
__kernel __attribute__((reqd_work_group_size(REDUCE_THREADS, 1, 1)))
void count_correct(__global const float* z, int zo, __global const float* labels, int yo, int rows, int cols,
                   __global float* acc, int slot) {
    __local float scratch[REDUCE_THREADS];
    float hits = 0.0f;
    for (int r = get_local_id(0); r < rows; r += REDUCE_THREADS) {
        hits += argmax_row(z, zo + (long)r * cols, cols) == (int)labels[yo + r] ? 1.0f : 0.0f;
    }
    hits = group_sum(hits, scratch);
    if (get_local_id(0) == 0) {
        acc[slot] += hits;
    }
}
