// C = alpha * op(A) * op(B) + beta * C, row-major, either operand transposed; with beta 0, C is not read.
// Matrices are (buffer, element offset); op(A) is m x k, op(B) is k x n, lda/ldb/ldc are the stored row
// lengths. Two kernels of the same arguments: gemm, tiles of TS x TS outputs per work-group, each
// work-item computing WPT outputs of one column (rows r, r + TS/WPT, ...); gemm_tiled, TSM x TSN tiles
// whose work-items, RTSN across by RTSM down, each hold WPTM x WPTN outputs in registers (in runs of 4
// adjacent rows and columns, read from local memory as float4s), over TSK-deep slabs, each slab read from
// global memory while the one before is multiplied. Both stage slabs of A and B in local memory, loaded along
// their contiguous dimension. Every output is one multiply-add chain over
// k in order in both, so which kernel and which tile sizes run (OpenClBackend times them on a GPU) changes
// the speed and never a bit. CPU twin: CpuBackend.gemm.
// Split-K: when there are few output tiles and a long k, dimension 2 of the grid splits k into slices of
// kSlice; slice s writes its partial product to C + s * m * n (a scratch buffer, alpha 1, beta 0) and
// gemm_reduce adds the slices in order into the real C.
// The epilogue folds in the element-wise op that follows a product, on the matrix `aux`: PLAIN none; an
// activation's code (ACT_*, activation.cl) a layer's forward end (layerForward), aux[j] (the bias, a row of n)
// added, then the activation; DERIVATIVE - code a hidden layer's delta from the error's product through the
// weights above, times the activation's derivative at aux[i][j] (the layer's activations, m x n). The split-K
// pass leaves it to gemm_reduce.
// TS, WPT, TSM, TSN, TSK, WPTM, WPTN, PLAIN and DERIVATIVE are build options (OpenClBackend.DEFINES and its Tiles).
#define RTS (TS / WPT)

float epilogue(float v, int kind, __global const float* aux, int auxo, int i, int j, int n) {
    if (kind == PLAIN) {
        return v;
    }
    return kind > PLAIN ? activate(v + aux[auxo + j], kind) : v * derivative(aux[auxo + i * n + j], DERIVATIVE - kind);
}

__kernel __attribute__((reqd_work_group_size(TS, RTS, 1)))
void gemm(int transA, int transB, int m, int n, int k, int kSlice, float alpha,
          __global const float* A, int ao, int lda, __global const float* B, int bo, int ldb,
          float beta, __global float* C, int co, int ldc, __global const float* aux, int auxo, int kind) {
    int slice = get_group_id(2);
    int kBegin = slice * kSlice, kEnd = min(k, kBegin + kSlice);
    co += slice * m * n;
    __local float As[TS][TS + 1];
    __local float Bs[TS][TS + 1];
    int tx = get_local_id(0), ty = get_local_id(1);
    int col = get_group_id(0) * TS + tx;
    int row0 = get_group_id(1) * TS;
    float acc[WPT];
    for (int w = 0; w < WPT; w++) {
        acc[w] = 0.0f;
    }
    for (int p0 = kBegin; p0 < kEnd; p0 += TS) {
        for (int w = 0; w < WPT; w++) {
            int r = ty + w * RTS;  // tile row
            int i = row0 + r, p = p0 + tx;  // A(i, p) into As[r][tx]
            As[r][tx] = (i < m && p < kEnd) ? (transA ? A[ao + p * lda + i] : A[ao + i * lda + p]) : 0.0f;
            int q = p0 + r, j = col;  // B(q, j) into Bs[r][tx]
            Bs[r][tx] = (q < kEnd && j < n) ? (transB ? B[bo + j * ldb + q] : B[bo + q * ldb + j]) : 0.0f;
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
                C[idx] = epilogue(beta == 0.0f ? alpha * acc[w] : alpha * acc[w] + beta * C[idx], kind, aux, auxo, i, col, n);
            }
        }
    }
}

#define RTSM (TSM / WPTM)
#define RTSN (TSN / WPTN)
#define ITEMS (RTSM * RTSN)

// gemm_tiled's slabs: TSK rows of op(A)' (TSM wide) and of op(B) (TSN wide), each row 4 floats longer than the
// tile so the transposing stores of A (and of B') fall on different banks, and still in whole float4s.
#define ROW_A (TSM / 4 + 1)
#define ROW_B (TSN / 4 + 1)
// an item's elements of a slab of A, and of B
#define LOADS_A (TSM * TSK / ITEMS)
#define LOADS_B (TSK * TSN / ITEMS)

// Element e of a slab TSK deep and `width` along the tile (TSM for A, TSN for B): its place along the tile and its
// k. Consecutive elements lie along the tile where the operand is stored that way (`along`: A', and B), else
// along k, so consecutive items read consecutive addresses.
int slab_at(int along, uint e, int width) {
    return along ? e % width : e / TSK;
}

int slab_k(int along, uint e, int width) {
    return along ? e / width : e % TSK;
}

// Item `item`'s elements of the slab of k from p0 on: a[l] is element item + l * ITEMS of A's, b[l] of B's, 0 past
// an edge.
void load_slab(int transA, int transB, int m, int n, int kEnd, int p0, int row0, int col0, uint item,
               __global const float* A, int ao, int lda, __global const float* B, int bo, int ldb, float* a, float* b) {
#pragma unroll
    for (int l = 0; l < LOADS_A; l++) {
        uint e = item + l * ITEMS;
        int i = row0 + slab_at(transA, e, TSM), q = p0 + slab_k(transA, e, TSM);
        a[l] = (i < m && q < kEnd) ? (transA ? A[ao + q * lda + i] : A[ao + i * lda + q]) : 0.0f;
    }
#pragma unroll
    for (int l = 0; l < LOADS_B; l++) {
        uint e = item + l * ITEMS;
        int col = col0 + slab_at(!transB, e, TSN), q = p0 + slab_k(!transB, e, TSN);
        b[l] = (q < kEnd && col < n) ? (transB ? B[bo + col * ldb + q] : B[bo + q * ldb + col]) : 0.0f;
    }
}

__kernel __attribute__((reqd_work_group_size(RTSN, RTSM, 1)))
void gemm_tiled(int transA, int transB, int m, int n, int k, int kSlice, float alpha,
                __global const float* A, int ao, int lda, __global const float* B, int bo, int ldb,
                float beta, __global float* C, int co, int ldc, __global const float* aux, int auxo, int kind) {
    int slice = get_group_id(2);
    int kBegin = slice * kSlice, kEnd = min(k, kBegin + kSlice);
    co += slice * m * n;
    // an item's outputs are runs of 4 adjacent rows (and columns), run g at 4 * (g * RTSM + ty), so that it
    // reads each run of its rows and columns of a slab as one float4, and the items of a row of the
    // work-group read adjacent float4s of B's
    __local float4 As[TSK][ROW_A];
    __local float4 Bs[TSK][ROW_B];
    __local float* as = (__local float*)As;
    __local float* bs = (__local float*)Bs;
    int tx = get_local_id(0), ty = get_local_id(1);
    uint item = ty * RTSN + tx;
    int row0 = get_group_id(1) * TSM, col0 = get_group_id(0) * TSN;
    float acc[WPTM][WPTN];
    for (int r = 0; r < WPTM; r++) {
        for (int c = 0; c < WPTN; c++) {
            acc[r][c] = 0.0f;
        }
    }
    // an item's share of a slab, read from global memory a slab ahead: the next slab's loads are in flight
    // while this one's products are made
    float na[LOADS_A], nb[LOADS_B];
    load_slab(transA, transB, m, n, kEnd, kBegin, row0, col0, item, A, ao, lda, B, bo, ldb, na, nb);
    for (int p0 = kBegin; p0 < kEnd; p0 += TSK) {
        for (int l = 0; l < LOADS_A; l++) {
            uint e = item + l * ITEMS;
            as[slab_k(transA, e, TSM) * 4 * ROW_A + slab_at(transA, e, TSM)] = na[l];
        }
        for (int l = 0; l < LOADS_B; l++) {
            uint e = item + l * ITEMS;
            bs[slab_k(!transB, e, TSN) * 4 * ROW_B + slab_at(!transB, e, TSN)] = nb[l];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        if (p0 + TSK < kEnd) {
            load_slab(transA, transB, m, n, kEnd, p0 + TSK, row0, col0, item, A, ao, lda, B, bo, ldb, na, nb);
        }
        for (int p = 0; p < TSK; p++) {
            float a[WPTM], b[WPTN];
            for (int g = 0; g < WPTM / 4; g++) {
                vstore4(As[p][g * RTSM + ty], g, a);
            }
            for (int g = 0; g < WPTN / 4; g++) {
                vstore4(Bs[p][g * RTSN + tx], g, b);
            }
            for (int r = 0; r < WPTM; r++) {
                for (int c = 0; c < WPTN; c++) {
                    acc[r][c] += a[r] * b[c];
                }
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    // each run of 4 adjacent outputs read (with beta) and written as one float4 where all 4 are in C and aligned:
    // stored one by one, the items of a row would write every fourth float of a span, in four passes
    for (int r = 0; r < WPTM; r++) {
        int i = row0 + 4 * (r / 4 * RTSM + ty) + r % 4;
        for (int g = 0; g < WPTN / 4 && i < m; g++) {
            int j0 = col0 + 4 * (g * RTSN + tx), idx0 = co + i * ldc + j0;
            bool whole = j0 + 3 < n && idx0 % 4 == 0;
            float4 old = whole && beta != 0.0f ? *(__global const float4*)(C + idx0) : (float4)(0.0f);
            float out[4];
            vstore4(old, 0, out);
            for (int e = 0; e < 4; e++) {
                int c = 4 * g + e, j = j0 + e, idx = idx0 + e;
                if (whole) {
                    out[e] = epilogue(beta == 0.0f ? alpha * acc[r][c] : alpha * acc[r][c] + beta * out[e], kind, aux, auxo, i, j, n);
                } else if (j < n) {
                    C[idx] = epilogue(beta == 0.0f ? alpha * acc[r][c] : alpha * acc[r][c] + beta * C[idx], kind, aux, auxo, i, j, n);
                }
            }
            if (whole) {
                *(__global float4*)(C + idx0) = vload4(0, out);
            }
        }
    }
}

// C = alpha * (sum of the slices' partial products, in slice order) + beta * C, then the epilogue.
__kernel void gemm_reduce(__global const float* partial, int po, int slices, int m, int n, float alpha, float beta,
                          __global float* C, int co, int ldc, __global const float* aux, int auxo, int kind) {
    int j = get_global_id(0), i = get_global_id(1);
    if (i < m && j < n) {
        float sum = 0.0f;
        for (int s = 0; s < slices; s++) {
            sum += partial[po + (long)s * m * n + i * n + j];
        }
        int idx = co + i * ldc + j;
        C[idx] = epilogue(beta == 0.0f ? alpha * sum : alpha * sum + beta * C[idx], kind, aux, auxo, i, j, n);
    }
}
