#include "layout.cuh"
#include "memory_hints.cuh"
// Minibatch gathers: row r of x (rows x width) is example order[offset + r] of the resident dataset, labels[r]
// its class as a float. The grid walks x's elements as one range, GATHER_RUN of them a thread, each
// blockDim.x * gridDim.x apart, so that a warp's loads and stores fall on consecutive addresses; a thread
// issues its loads before its stores. (A block per 256 features of a row, as before, left most of each row's
// last block idle and made blocks too short to pay for their start.) CPU twin: CpuBackend.gather.
template <class P, class L, class Convert>
__device__ void gather_rows(const P* __restrict__ src, const L* __restrict__ labels, const int* __restrict__ order, int offset, int rows,
                            int width, float* __restrict__ x, float* __restrict__ y, Convert convert) {
    long n = (long)rows * width, stride = (long)gridDim.x * blockDim.x, first = blockIdx.x * (long)blockDim.x + threadIdx.x;
    // element i is row i / width, feature i % width; one division a pass, then each stride's rows and features added
    long down = stride / width;
    int across = (int)(stride % width);
    for (long base = first; base < n; base += GATHER_RUN * stride) {
        long r = base / width;
        int f = (int)(base - r * width);
        P v[GATHER_RUN];
        UNROLL
        for (int u = 0; u < GATHER_RUN; u++) {
            v[u] = base + u * stride < n ? src[order[offset + r] * (long)width + f] : P(0);
            r += down;
            f += across;
            if (f >= width) {
                f -= width;
                r++;
            }
        }
        UNROLL
        for (int u = 0; u < GATHER_RUN; u++) {
            long i = base + u * stride;
            if (i < n) {
                x[i] = convert(v[u]);
            }
        }
    }
    for (long r = first; r < rows; r += stride) {
        y[r] = (float)labels[order[offset + r]];
    }
}

// From the uint8 dataset: each pixel scaled to [-1, 1] as (p/255 - 0.5) * 2 (the book's scaling).
extern "C" __global__ void gather(const unsigned char* __restrict__ pixels, const unsigned char* __restrict__ labels,
                                  const int* __restrict__ order, int offset, int rows, int features, float* __restrict__ x,
                                  float* __restrict__ y) {
    gather_rows(pixels, labels, order, offset, rows, features, x, y, [](unsigned char p) { return (p / 255.0f - 0.5f) * 2.0f; });
}

// From a dataset of float features (copied as they are) and int labels.
extern "C" __global__ void gather_features(const float* __restrict__ features, const int* __restrict__ labels,
                                           const int* __restrict__ order, int offset, int rows, int width, float* __restrict__ x,
                                           float* __restrict__ y) {
    gather_rows(features, labels, order, offset, rows, width, x, y, [](float v) { return v; });
}
