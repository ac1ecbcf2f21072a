// Minibatch gather from the resident uint8 dataset: row r of x is example order[offset + r], each pixel
// scaled to [-1, 1] as (p/255 - 0.5) * 2 (the book's scaling); labels[r] is its class as a float.
// CPU twin: CpuBackend.gather.
extern "C" __global__ void gather(const unsigned char* pixels, const unsigned char* labels, const int* order,
                                  int offset, int rows, int features, float* x, float* y) {
    long total = (long)rows * features;
    for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < total; i += (long)gridDim.x * blockDim.x) {
        int r = (int)(i / features);
        int f = (int)(i - (long)r * features);
        long example = order[offset + r];
        x[i] = (pixels[example * features + f] / 255.0f - 0.5f) * 2.0f;
        if (f == 0) {
            y[r] = (float)labels[example];
        }
    }
}
