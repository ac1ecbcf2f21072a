// C = alpha * op(A) * op(B) + beta * C, row-major, either operand transposed; with beta 0, C is not read.
// Matrices are (buffer, element offset); op(A) is m x k, op(B) is k x n, lda/ldb/ldc are the stored row
// lengths. Tiles of TS x TS outputs per work-group, each work-item computing WPT outputs of one column
// (rows r, r + TS/WPT, ...), with TS x TS tiles of A and B staged in local memory. CPU twin: CpuBackend.gemm.
#define TS 32
#define WPT 4
#define RTS (TS / WPT)

__kernel __attribute__((reqd_work_group_size(TS, RTS, 1)))
void gemm(int transA, int transB, int m, int n, int k, float alpha,
          __global const float* A, int ao, int lda, __global const float* B, int bo, int ldb,
          float beta, __global float* C, int co, int ldc) {
    __local float As[TS][TS + 1];
    __local float Bs[TS][TS + 1];
    int tx = get_local_id(0), ty = get_local_id(1);
    int col = get_group_id(0) * TS + tx;
    int row0 = get_group_id(1) * TS;
    float acc[WPT];
    for (int w = 0; w < WPT; w++) {
        acc[w] = 0.0f;
    }
    for (int p0 = 0; p0 < k; p0 += TS) {
        for (int w = 0; w < WPT; w++) {
            int r = ty + w * RTS;  // tile row
            int i = row0 + r, p = p0 + tx;  // A(i, p) into As[r][tx]
            As[r][tx] = (i < m && p < k) ? (transA ? A[ao + p * lda + i] : A[ao + i * lda + p]) : 0.0f;
            int q = p0 + r, j = col;  // B(q, j) into Bs[r][tx]
            Bs[r][tx] = (q < k && j < n) ? (transB ? B[bo + j * ldb + q] : B[bo + q * ldb + j]) : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int p = 0; p < TS; p++) {
            float b = Bs[p][tx];
            for (int w = 0; w < WPT; w++) {
                acc[w] += As[ty + w * RTS][p] * b;
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (col < n) {
        for (int w = 0; w < WPT; w++) {
            int i = row0 + ty + w * RTS;
            if (i < m) {
                int idx = co + i * ldc + col;
                C[idx] = beta == 0.0f ? alpha * acc[w] : alpha * acc[w] + beta * C[idx];
            }
        }
    }
}
