// Sum of squared elements (the L2 term's sum over a weight matrix), added to acc[slot]; one work-group.
// CPU twin: CpuBackend.sumOfSquares.
__kernel __attribute__((reqd_work_group_size(REDUCE_THREADS, 1, 1)))
void sum_squares(__global const float* m, int mo, int n, __global float* acc, int slot) {
    __local float scratch[REDUCE_THREADS];
    float sum = 0.0f;
    for (int i = get_local_id(0); i < n; i += REDUCE_THREADS) {
        float v = m[mo + i];
        sum += v * v;
    }
    sum = group_sum(sum, scratch);
    if (get_local_id(0) == 0) {
        acc[slot] += sum;
    }
}
