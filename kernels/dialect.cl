// What lets one helper's text build as OpenCL C and as CUDA, so that a helper both backends call is written once
// (in NAME.cl, which OpenCL compiles before its kernels and NAME.cuh includes): HELPER, the qualifiers of a
// helper function, and GLOBAL and LOCAL, those of a pointer to global and to local (shared) memory, which CUDA's
// generic pointers do without. The maths functions keep OpenCL's names (exp, sqrt, fmax), which CUDA overloads
// for float.
#ifndef DIALECT_CL
#define DIALECT_CL
// every OpenCL compiler defines __OPENCL_VERSION__ (clang alone, as OpenClPtxTest runs it, only __OPENCL_C_VERSION__)
#if defined(__OPENCL_VERSION__) || defined(__OPENCL_C_VERSION__)
#define HELPER
#define GLOBAL __global
#define LOCAL __local
#else
#define HELPER __device__ inline
#define GLOBAL
#define LOCAL
#endif
#endif
