// Minibatch gather from the resident uint8 dataset: row r of x is example order[offset + r], each pixel
// scaled to [-1, 1] as (p/255 - 0.5) * 2 (the book's scaling); labels[r] is its class as a float.
// Grid: y walks rows, x walks a row's features (no division per element). CPU twin: CpuBackend.gather.
extern "C" __global__ void gather(const unsigned char* __restrict__ pixels, const unsigned char* __restrict__ labels,
                                  const int* __restrict__ order, int offset, int rows, int features,
                                  float* __restrict__ x, float* __restrict__ y) {
    for (int r = blockIdx.y; r < rows; r += gridDim.y) {
        long example = order[offset + r];
        const unsigned char* src = pixels + example * features;
        float* dst = x + (long)r * features;
        for (int f = blockIdx.x * blockDim.x + threadIdx.x; f < features; f += gridDim.x * blockDim.x) {
            dst[f] = (src[f] / 255.0f - 0.5f) * 2.0f;
        }
        if (blockIdx.x == 0 && threadIdx.x == 0) {
            y[r] = (float)labels[example];
        }
    }
}

// The same gather from a resident dataset of float features (copied as they are) and int labels.
// CPU twin: CpuBackend.gather.
extern "C" __global__ void gather_features(const float* __restrict__ features, const int* __restrict__ labels,
                                           const int* __restrict__ order, int offset, int rows, int width,
                                           float* __restrict__ x, float* __restrict__ y) {
    for (int r = blockIdx.y; r < rows; r += gridDim.y) {
        long example = order[offset + r];
        const float* src = features + example * width;
        float* dst = x + (long)r * width;
        for (int f = blockIdx.x * blockDim.x + threadIdx.x; f < width; f += gridDim.x * blockDim.x) {
            dst[f] = src[f];
        }
        if (blockIdx.x == 0 && threadIdx.x == 0) {
            y[r] = (float)labels[example];
        }
    }
}
