#pragma once
// The host side that bench/ab's CUDA programs share, built by nvcc for a GPU or by g++ for the CPU block emulator
// (src/test/cuda; block_emulator.h included first), where device memory is host memory and a launch's time is the
// emulator's: errors, device memory and its copies, a launch's time, and the clock a block notes (CLOCK(): the
// multiprocessor's cycles, or the emulator's nanoseconds). AB_PROGRAM names the program in errors.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>
#ifndef __CUDACC__
#include <chrono>
#endif

#ifdef __CUDACC__
#define CLOCK() clock64()
#else
#define CLOCK() (long long)std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count()
#endif

[[noreturn]] static void fail(const char* what) {
    fprintf(stderr, AB_PROGRAM ": %s\n", what);
    exit(1);
}

#ifdef __CUDACC__
static void check(cudaError_t e, const char* what) {
    if (e != cudaSuccess) {
        fprintf(stderr, AB_PROGRAM ": %s: %s\n", what, cudaGetErrorString(e));
        exit(1);
    }
}

// A copy of host on the device.
template <class T>
static T* device(const std::vector<T>& host) {
    T* p;
    check(cudaMalloc(&p, std::max<size_t>(1, host.size()) * sizeof(T)), "cudaMalloc");
    check(cudaMemcpy(p, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice), "cudaMemcpy");
    return p;
}

// host copied to the device at p.
template <class T>
static void upload(T* p, const std::vector<T>& host) {
    check(cudaMemcpy(p, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice), "cudaMemcpy");
}

// The n elements at p on the device, copied to the host.
template <class T>
static std::vector<T> host(const T* p, size_t n) {
    std::vector<T> v(n);
    check(cudaMemcpy(v.data(), p, n * sizeof(T), cudaMemcpyDeviceToHost), "cudaMemcpy");
    return v;
}

// Runs launch() once and returns its time in ms, by the GPU's events.
template <class F>
static double timed(F launch) {
    cudaEvent_t begin, end;
    check(cudaEventCreate(&begin), "cudaEventCreate");
    check(cudaEventCreate(&end), "cudaEventCreate");
    check(cudaEventRecord(begin), "cudaEventRecord");
    launch();
    check(cudaEventRecord(end), "cudaEventRecord");
    check(cudaEventSynchronize(end), "cudaEventSynchronize");
    float ms;
    check(cudaEventElapsedTime(&ms, begin, end), "cudaEventElapsedTime");
    return ms;
}
#else
template <class T>
static T* device(const std::vector<T>& host) {
    return (new std::vector<T>(host))->data();
}

template <class T>
static void upload(T* p, const std::vector<T>& host) {
    std::copy(host.begin(), host.end(), p);
}

template <class T>
static std::vector<T> host(const T* p, size_t n) {
    return std::vector<T>(p, p + n);
}

template <class F>
static double timed(F launch) {
    auto begin = std::chrono::steady_clock::now();
    launch();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();
}
#endif
