// One row's softmax in place, row[j] = softmax(row + bias)[j], its maximum subtracted first so exp never
// overflows: OpenCL's softmax_rows (a row in global memory) and step_rows (one in local memory), CUDA's
// softmax_rows and train_steps share it. OpenCL C 1.2 has no generic address space, so the one body is defined
// for each. One text for both GPU backends (dialect.cl): OpenCL compiles it before the kernels that use it,
// softmax_row.cuh includes it (where both are one). CPU twin: CpuBackend.outputStep's softmax.
#define SOFTMAX_ROW(NAME, SPACE)                                              \
    HELPER void NAME(SPACE float* row, GLOBAL const float* bias, int cols) {  \
        float m = row[0] + bias[0];                                           \
        for (int j = 1; j < cols; j++) {                                      \
            m = fmax(m, row[j] + bias[j]);                                    \
        }                                                                     \
        float sum = 0.0f;                                                     \
        for (int j = 0; j < cols; j++) {                                      \
            float e = exp(row[j] + bias[j] - m);                              \
            row[j] = e;                                                       \
            sum += e;                                                         \
        }                                                                     \
        for (int j = 0; j < cols; j++) {                                      \
            row[j] /= sum;                                                    \
        }                                                                     \
    }
SOFTMAX_ROW(softmax_row, GLOBAL)
SOFTMAX_ROW(softmax_row_local, LOCAL)
