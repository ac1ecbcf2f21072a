// A stand-in for cuBLAS beside the fake libcuda.so.1, for tests only, built twice: as libcublas.so.12 (what
// JCublas2 binds to) and as libcublas.so.13 (what the compat library forwards to, on CUDA 13 machines), each
// with its own SONAME, symbol version and FAKE_CUBLAS_VERSION. The entry points are those JCublas2 reaches
// for mlp4j (the same list as the compat library, native/libcublas.so.12.map), with
// cublasSgemm as a plain column-major loop on the CPU, queued on the handle's stream like a real GEMM so it
// is captured into graphs. It refuses what cuBLAS refuses (bad sizes, leading dimensions too small for the
// operands) and checks that every operand lies in one live device allocation.
#include "fake_cuda.h"

#include <algorithm>
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
        std::vector<float> ar((size_t)m * k), bc((size_t)n * k);
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                ar[(size_t)i * k + p] = ta == OP_N ? a[i + (size_t)p * lda] : a[p + (size_t)i * lda];
            }
        }
        for (int j = 0; j < n; j++) {
            for (int p = 0; p < k; p++) {
                bc[(size_t)j * k + p] = tb == OP_N ? b[p + (size_t)j * ldb] : b[j + (size_t)p * ldb];
            }
        }
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                const float *x = &ar[(size_t)i * k], *y = &bc[(size_t)j * k];
                float lanes[8] = {};  // eight running sums, as a GPU splits k, so the compiler may use SIMD
                int p = 0;
                for (; p + 8 <= k; p += 8) {
                    for (int l = 0; l < 8; l++) {
                        lanes[l] += x[p + l] * y[p + l];
                    }
                }
                float sum = 0;
                for (; p < k; p++) {
                    sum += x[p] * y[p];
                }
                for (float l : lanes) {
                    sum += l;
                }
                float& out = c[i + (size_t)j * ldc];
                out = be == 0 ? al * sum : al * sum + be * out;
            }
        }
    };
    return fromDriver(fake_cuda_enqueue(h->stream, gemm, buffers, 3));
}
