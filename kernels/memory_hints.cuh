#pragma once
// Hints that change no result, and copies that do not wait. UNROLL unrolls the loop after it fully (its trip
// count a constant), so that loads written in a loop are all issued before the first of them is used: a thread
// then waits on memory once for the lot instead of once each. NO_UNROLL keeps a short loop rolled, where its
// unrolled copies would be more code than the work they save. prefetch_l2 and prefetch_l1 ask for the line
// holding an address to be brought into L2, or into the multiprocessor's L1 (where global loads are cached by
// default), and do not wait.
// The hints are nothing in the CPU block emulator (src/test/cuda), which is not nvcc.
// Where ASYNC_COPIES is 1 (PTX for compute_80 on, which kernels/build-ptx.sh builds beside compute_75's where a
// kernel differs), copy_async(dst, src) copies a float from global to shared memory without waiting or holding
// a register (cp.async), and copies_landed() waits for the thread's own copies, before the barrier that lets the
// block read them: a loop of copies keeps every one in flight without unrolled code. Without them,
// copies_landed() has nothing to wait for. The block emulator has them, built with -DASYNC_COPIES=1, and holds
// each copy back until its thread waits.
#ifdef __CUDACC__
#define UNROLL _Pragma("unroll")
#define NO_UNROLL _Pragma("unroll 1")
__device__ inline void prefetch_l2(const void* p) {
    asm volatile("prefetch.L2 [%0];" ::"l"(p));  // generic addressing: p may be any pointer the kernel was given
}
__device__ inline void prefetch_l1(const void* p) {
    asm volatile("prefetch.L1 [%0];" ::"l"(p));
}
#if __CUDA_ARCH__ >= 800
#define ASYNC_COPIES 1
__device__ inline void copy_async(float* dst, const float* src) {
    asm volatile("cp.async.ca.shared.global [%0], [%1], 4;" ::"r"((unsigned)__cvta_generic_to_shared(dst)), "l"(__cvta_generic_to_global(src))
                 : "memory");
}
__device__ inline void copies_landed() {
    asm volatile("cp.async.wait_all;" ::: "memory");
}
#endif
#else
#define UNROLL
#define NO_UNROLL
inline void prefetch_l2(const void*) {
}
inline void prefetch_l1(const void*) {
}
#endif
#ifndef ASYNC_COPIES
#define ASYNC_COPIES 0
#endif
#if !ASYNC_COPIES
__device__ inline void copies_landed() {
}
#endif
