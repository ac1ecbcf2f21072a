#pragma once
// Hints that change no result. UNROLL unrolls the loop after it fully (its trip count a constant), so that
// loads written in a loop are all issued before the first of them is used: a thread then waits on memory once
// for the lot instead of once each. prefetch_l2 and prefetch_l1 ask for the line holding an address to be
// brought into L2, or into the multiprocessor's L1 (where global loads are cached by default), and do not wait.
// All are nothing in the CPU block emulator (src/test/cuda), which is not nvcc.
#ifdef __CUDACC__
#define UNROLL _Pragma("unroll")
__device__ inline void prefetch_l2(const void* p) {
    asm volatile("prefetch.L2 [%0];" ::"l"(p));  // generic addressing: p may be any pointer the kernel was given
}
__device__ inline void prefetch_l1(const void* p) {
    asm volatile("prefetch.L1 [%0];" ::"l"(p));
}
#else
#define UNROLL
inline void prefetch_l2(const void*) {
}
inline void prefetch_l1(const void*) {
}
#endif
