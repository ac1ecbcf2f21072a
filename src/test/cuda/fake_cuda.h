// What the fake libcublas.so.12 needs of the fake libcuda.so.1: cuBLAS work goes onto the driver's streams
// (run now, or recorded while the stream is being captured into a graph), like every other operation.
#pragma once
#include <cstddef>
#include <functional>

// A range of device memory an operation reads or writes; each but empty ones must lie in one live allocation.
struct FakeBuffer {
    const void* ptr;
    size_t bytes;
};

// What the stand-ins export: C names, the only symbols visible (they are built with -fvisibility=hidden).
#define API extern "C" __attribute__((visibility("default")))

// Runs or records op on stream after checking the buffers. Returns a CUresult: 0, or the reason it was not.
API int fake_cuda_enqueue(void* stream, const std::function<void()>& op, const FakeBuffer* buffers, int count);
