// A stand-in for cuBLAS beside the fake libcuda.so.1, for tests only, built twice: as libcublas.so.12 (what
// JCublas2 binds to) and as libcublas.so.13 (what the compat library forwards to, on CUDA 13 machines), each
// with its own SONAME, symbol version and FAKE_CUBLAS_VERSION. The entry points are those JCublas2 reaches
// for mlp4j (the same list as the compat library, native/libcublas.so.12.map), with
// cublasSgemm computed on the CPU (products, below), queued on the handle's stream like a real GEMM so it
// is captured into graphs. It refuses what cuBLAS refuses (bad sizes, leading dimensions too small for the
// operands) and checks that every operand lies in one live device allocation.
#include "fake_cuda.h"

#include <algorithm>
#include <cstring>
#include <vector>

#ifndef FAKE_CUBLAS_VERSION
#error "build with -DFAKE_CUBLAS_VERSION=120603 (as libcublas.so.12) or 130100 (as libcublas.so.13)"
#endif

namespace {
enum Status { SUCCESS = 0, NOT_INITIALIZED = 1, INVALID_VALUE = 7, EXECUTION_FAILED = 13, NOT_SUPPORTED = 15 };
enum Operation { OP_N = 0, OP_T = 1 };

struct Handle {
    void* stream = nullptr;
};

Status fromDriver(int cuResult) {
    return cuResult == 0 ? SUCCESS : cuResult == 1 ? INVALID_VALUE : EXECUTION_FAILED;
}

// The extent in floats of a column-major matrix with these stored rows and columns.
size_t extent(int rows, int cols, int ld) {
    return rows == 0 || cols == 0 ? 0 : (size_t)ld * (cols - 1) + rows;
}

// C = alpha A B' + beta C (C column-major with leading dimension ldc; with beta = 0 not read) from A's m rows and
// B's n rows of k floats each. Each output is summed as a GPU splits k: eight lanes, lane l the products of
// p = l, l + 8, ... below the last whole eight, then the products past it in order, then lane 0 to 7; so every
// build below gives the same bits. Two rows of A by four of B at a time, in vectors of eight: AVX2's registers
// where the CPU has them, pairs of SSE's elsewhere. Where B is A (a Gram, x x'), the sums of C's upper triangle
// are those of its lower one to the bit, so each is made once and written to both.
#if defined(__x86_64__)
__attribute__((target_clones("avx2", "default")))
#endif
void products(const float* A, const float* B, int m, int n, int k, float alpha, float beta, float* C, int ldc) {
    typedef float Lanes __attribute__((vector_size(32)));
    constexpr int ROWS = 2, COLS = 4;
    int whole = k / 8 * 8;
    bool gram = A == B && m == n;
    for (int j0 = 0; j0 < n; j0 += COLS) {
        for (int i0 = 0; i0 < (gram ? std::min(m, j0 + COLS) : m); i0 += ROWS) {
            const float *x[ROWS], *y[COLS];  // past the matrix's edge, its last row again
            for (int r = 0; r < ROWS; r++) {
                x[r] = A + (size_t)std::min(i0 + r, m - 1) * k;
            }
            for (int c = 0; c < COLS; c++) {
                y[c] = B + (size_t)std::min(j0 + c, n - 1) * k;
            }
            Lanes sums[ROWS][COLS] = {};  // unrolled, so that they stay in registers
            for (int p = 0; p < whole; p += 8) {
                Lanes u[ROWS], v[COLS];
#pragma GCC unroll 8
                for (int r = 0; r < ROWS; r++) {
                    memcpy(&u[r], x[r] + p, sizeof(Lanes));
                }
#pragma GCC unroll 8
                for (int c = 0; c < COLS; c++) {
                    memcpy(&v[c], y[c] + p, sizeof(Lanes));
                }
#pragma GCC unroll 8
                for (int r = 0; r < ROWS; r++) {
#pragma GCC unroll 8
                    for (int c = 0; c < COLS; c++) {
                        sums[r][c] += u[r] * v[c];
                    }
                }
            }
            for (int r = 0; r < ROWS && i0 + r < m; r++) {
                for (int c = 0; c < COLS && j0 + c < n; c++) {
                    float sum = 0;
                    for (int p = whole; p < k; p++) {
                        sum += x[r][p] * y[c][p];
                    }
                    for (int l = 0; l < 8; l++) {
                        sum += sums[r][c][l];
                    }
                    int i = i0 + r, j = j0 + c;
                    if (gram && j < i) {
                        continue;  // written beside (j, i)
                    }
                    auto put = [&](float& out) { out = beta == 0 ? alpha * sum : alpha * sum + beta * out; };
                    put(C[i + (size_t)j * ldc]);
                    if (gram && j != i) {
                        put(C[j + (size_t)i * ldc]);
                    }
                }
            }
        }
    }
}
}  // namespace

API int cublasCreate_v2(Handle** h) {
    *h = new Handle();
    return SUCCESS;
}

API int cublasDestroy_v2(Handle* h) {
    delete h;
    return SUCCESS;
}

API int cublasGetVersion_v2(Handle*, int* version) {
    *version = FAKE_CUBLAS_VERSION;
    return SUCCESS;
}

API int cublasSetStream_v2(Handle* h, void* stream) {
    h->stream = stream;
    return SUCCESS;
}

API int cublasSetWorkspace_v2(Handle*, void* workspace, size_t bytes) {
    return workspace != nullptr || bytes == 0 ? SUCCESS : INVALID_VALUE;
}

API int cublasSetMathMode(Handle*, int mode) {
    return mode == 0 ? SUCCESS : NOT_SUPPORTED;
}

API int cublasSetPointerMode_v2(Handle*, int mode) {
    return mode == 0 ? SUCCESS : NOT_SUPPORTED;  // host pointers only
}

API const char* cublasGetStatusName(int status) {
    return status == SUCCESS ? "CUBLAS_STATUS_SUCCESS" : status == INVALID_VALUE ? "CUBLAS_STATUS_INVALID_VALUE" : "CUBLAS_STATUS_EXECUTION_FAILED";
}

API const char* cublasGetStatusString(int status) {
    return cublasGetStatusName(status);
}

// C = alpha op(A) op(B) + beta C, column-major, C m x n, op(A) m x k, op(B) k x n; with beta = 0, C is not read
API int cublasSgemm_v2(Handle* h, int ta, int tb, int m, int n, int k, const float* alpha, const float* a, int lda,
                       const float* b, int ldb, const float* beta, float* c, int ldc) {
    if (h == nullptr) {
        return NOT_INITIALIZED;
    }
    int aRows = ta == OP_N ? m : k, aCols = ta == OP_N ? k : m;
    int bRows = tb == OP_N ? k : n, bCols = tb == OP_N ? n : k;
    if ((ta != OP_N && ta != OP_T) || (tb != OP_N && tb != OP_T) || m < 0 || n < 0 || k < 0
        || lda < std::max(1, aRows) || ldb < std::max(1, bRows) || ldc < std::max(1, m)) {
        return INVALID_VALUE;
    }
    float al = *alpha, be = *beta;  // host pointer mode: read at the call, as a graph captures them
    FakeBuffer buffers[] = {{a, extent(aRows, aCols, lda) * 4}, {b, extent(bRows, bCols, ldb) * 4}, {c, extent(m, n, ldc) * 4}};
    auto gemm = [=] {
        // op(A) by rows and op(B) by columns, each contiguous over k, so the dot products vectorise
        static thread_local std::vector<float> ar, bc;
        ar.resize((size_t)m * k);
        bc.resize((size_t)n * k);
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                ar[(size_t)i * k + p] = ta == OP_N ? a[i + (size_t)p * lda] : a[p + (size_t)i * lda];
            }
        }
        // a Gram's op(B) is op(A)'
        bool gram = a == b && lda == ldb && ta != tb && m == n;
        for (int j = 0; j < n && !gram; j++) {
            for (int p = 0; p < k; p++) {
                bc[(size_t)j * k + p] = tb == OP_N ? b[p + (size_t)j * ldb] : b[j + (size_t)p * ldb];
            }
        }
        products(ar.data(), gram ? ar.data() : bc.data(), m, n, k, al, be, c, ldc);
    };
    return fromDriver(fake_cuda_enqueue(h->stream, gemm, buffers, 3));
}
