/*
 * libcublas.so.12 for machines that have only cuBLAS 13.
 *
 * JCublas 12.6.0's native library is linked against libcublas.so.12 with every symbol versioned
 * "libcublas.so.12". This library has that SONAME and defines, under that version node, the cuBLAS
 * entry points mlp4j calls (and the status-string helpers JCublas uses in its messages); each one
 * forwards to the same function of libcublas.so.13, found with dlopen + dlvsym. Functions mlp4j does
 * not call stay unresolved (JCublas binds lazily), so they are simply absent.
 *
 * mlp4j loads it (System.load) before JCublas2 initialises, only when no real libcublas.so.12 is found.
 * The cuBLAS 13 ABI of these calls is unchanged from 12: opaque handle, int enums, host or device pointers.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>

#define NOT_INITIALIZED 1 /* CUBLAS_STATUS_NOT_INITIALIZED */

static void* cublas13(void) {
    static void* handle;
    if (!handle) {
        handle = dlopen("libcublas.so.13", RTLD_NOW | RTLD_GLOBAL);
    }
    return handle;
}

static void* resolve(const char* name) {
    void* h = cublas13();
    if (!h) {
        return NULL;
    }
    void* f = dlvsym(h, name, "libcublas.so.13");
    return f ? f : dlsym(h, name);
}

/* Defines NAME(PARAMS) forwarding ARGS to libcublas.so.13's NAME, or returning NOT_INITIALIZED. */
#define FORWARD(name, params, args)                     \
    int name params {                                   \
        static int(*target) params;                     \
        if (!target) {                                  \
            target = (int(*) params)resolve(#name);     \
        }                                               \
        return target ? target args : NOT_INITIALIZED;  \
    }

typedef void* handle_t;
typedef void* stream_t;

FORWARD(cublasCreate_v2, (handle_t* h), (h))
FORWARD(cublasDestroy_v2, (handle_t h), (h))
FORWARD(cublasGetVersion_v2, (handle_t h, int* version), (h, version))
FORWARD(cublasSetStream_v2, (handle_t h, stream_t s), (h, s))
FORWARD(cublasSetWorkspace_v2, (handle_t h, void* workspace, size_t bytes), (h, workspace, bytes))
FORWARD(cublasSetMathMode, (handle_t h, int mode), (h, mode))
FORWARD(cublasSetPointerMode_v2, (handle_t h, int mode), (h, mode))
FORWARD(cublasSgemm_v2,
        (handle_t h, int ta, int tb, int m, int n, int k, const float* alpha, const float* a, int lda,
         const float* b, int ldb, const float* beta, float* c, int ldc),
        (h, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc))

static const char* status_text(const char* fn, int status) {
    typedef const char* (*text_fn)(int);
    text_fn f = (text_fn)resolve(fn);
    return f ? f(status) : "cuBLAS 13 (libcublas.so.13) could not be loaded";
}

const char* cublasGetStatusName(int status) { return status_text("cublasGetStatusName", status); }
const char* cublasGetStatusString(int status) { return status_text("cublasGetStatusString", status); }
