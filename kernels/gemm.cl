// C = alpha * op(A) * op(B) + beta * C, row-major, either operand transposed; with beta 0, C is not read.
// Matrices are (buffer, element offset); op(A) is m x k, op(B) is k x n, lda/ldb/ldc are the stored row
// lengths. A work-group computes a TSM x TSN tile of C: its work-items, RTSN across by RTSM down, each hold
// WPTM x WPTN outputs in registers (rows ty + r * RTSM, columns tx + c * RTSN, so neighbouring items read
// neighbouring words of local memory and write neighbouring words of C), over TSK-deep slabs of A and B
// staged in local memory, each element loaded once per work-group along its contiguous dimension.
// Every output is one FMA chain over k in order whatever the tile sizes, so the sizes, timed per device
// when the backend opens (OpenClBackend.Tiles), change the speed and never a bit. CPU twin: CpuBackend.gemm.
// Split-K: when there are few output tiles and a long k, dimension 2 of the grid splits k into slices of
// kSlice (a multiple of TSK); slice s writes its partial product to C + s * m * n (a scratch buffer, alpha
// 1, beta 0) and gemm_reduce adds the slices in order into the real C.
// The epilogue folds in a layer's forward end (layerForward): PLAIN none, else an activation's code (ACT_*,
// activation.cl): bias[j] (a row of n) added, then the activation; the split-K pass leaves it to gemm_reduce.
// TSM, TSN, TSK, WPTM, WPTN and PLAIN are build options (OpenClBackend.DEFINES and its Tiles).
#define RTSM (TSM / WPTM)
#define RTSN (TSN / WPTN)
#define ITEMS (RTSM * RTSN)

float epilogue(float v, int kind, __global const float* bias, int biaso, int j) {
    return kind == PLAIN ? v : activate(v + bias[biaso + j], kind);
}

__kernel __attribute__((reqd_work_group_size(RTSN, RTSM, 1)))
void gemm(int transA, int transB, int m, int n, int k, int kSlice, float alpha,
          __global const float* A, int ao, int lda, __global const float* B, int bo, int ldb,
          float beta, __global float* C, int co, int ldc, __global const float* bias, int biaso, int kind) {
    int slice = get_group_id(2);
    int kBegin = slice * kSlice, kEnd = min(k, kBegin + kSlice);
    co += slice * m * n;
    __local float As[TSK][TSM + 1];
    __local float Bs[TSK][TSN + 1];
    int tx = get_local_id(0), ty = get_local_id(1), item = ty * RTSN + tx;
    int row0 = get_group_id(1) * TSM, col0 = get_group_id(0) * TSN;
    float acc[WPTM][WPTN];
    for (int r = 0; r < WPTM; r++) {
        for (int c = 0; c < WPTN; c++) {
            acc[r][c] = 0.0f;
        }
    }
    for (int p0 = kBegin; p0 < kEnd; p0 += TSK) {
        // consecutive items take consecutive addresses: along k for A, along m for A'
        for (int e = item; e < TSM * TSK; e += ITEMS) {
            int r = transA ? e % TSM : e / TSK, p = transA ? e / TSM : e % TSK;
            int i = row0 + r, q = p0 + p;
            As[p][r] = (i < m && q < kEnd) ? (transA ? A[ao + q * lda + i] : A[ao + i * lda + q]) : 0.0f;
        }
        // along n for B, along k for B'
        for (int e = item; e < TSK * TSN; e += ITEMS) {
            int j = transB ? e / TSK : e % TSN, p = transB ? e % TSK : e / TSN;
            int q = p0 + p, col = col0 + j;
            Bs[p][j] = (q < kEnd && col < n) ? (transB ? B[bo + col * ldb + q] : B[bo + q * ldb + col]) : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int p = 0; p < TSK; p++) {
            float a[WPTM], b[WPTN];
            for (int r = 0; r < WPTM; r++) {
                a[r] = As[p][ty + r * RTSM];
            }
            for (int c = 0; c < WPTN; c++) {
                b[c] = Bs[p][tx + c * RTSN];
            }
            for (int r = 0; r < WPTM; r++) {
                for (int c = 0; c < WPTN; c++) {
                    acc[r][c] = fma(a[r], b[c], acc[r][c]);
                }
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (int r = 0; r < WPTM; r++) {
        int i = row0 + ty + r * RTSM;
        for (int c = 0; c < WPTN; c++) {
            int j = col0 + tx + c * RTSN;
            if (i < m && j < n) {
                int idx = co + i * ldc + j;
                C[idx] = epilogue(beta == 0.0f ? alpha * acc[r][c] : alpha * acc[r][c] + beta * C[idx], kind, bias, biaso, j);
            }
        }
    }
}

// C = alpha * (sum of the slices' partial products, in slice order) + beta * C, then the epilogue.
__kernel void gemm_reduce(__global const float* partial, int po, int slices, int m, int n, float alpha, float beta,
                          __global float* C, int co, int ldc, __global const float* bias, int biaso, int kind) {
    int j = get_global_id(0), i = get_global_id(1);
    if (i < m && j < n) {
        float sum = 0.0f;
        for (int s = 0; s < slices; s++) {
            sum += partial[po + (long)s * m * n + i * n + j];
        }
        int idx = co + i * ldc + j;
        C[idx] = epilogue(beta == 0.0f ? alpha * sum : alpha * sum + beta * C[idx], kind, bias, biaso, j);
    }
}
