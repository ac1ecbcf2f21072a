#pragma once
// One row's softmax in place, row[j] = softmax(row + bias)[j], its maximum subtracted first so exp never
// overflows: softmax_rows and train_steps share it. CPU twin: CpuBackend.outputStep's softmax.
__device__ inline void softmax_row(float* row, const float* bias, int cols) {
    float m = row[0] + bias[0];
    for (int j = 1; j < cols; j++) {
        m = fmaxf(m, row[j] + bias[j]);
    }
    float sum = 0.0f;
    for (int j = 0; j < cols; j++) {
        float e = expf(row[j] + bias[j] - m);
        row[j] = e;
        sum += e;
    }
    for (int j = 0; j < cols; j++) {
        row[j] /= sum;
    }
}
