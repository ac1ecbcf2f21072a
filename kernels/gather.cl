// Minibatch gathers: row r of x (rows x width) is example order[offset + r] of the resident dataset, labels[r]
// its class as a float. The global range walks x's elements, GATHER_RUN of them an item, each the global size
// apart, its loads before its stores, each element's row and feature found by adding the stride's to the
// last's (kernels/gather.cu says why). CPU twin: CpuBackend.gather.

// From the uint8 dataset: each pixel scaled to [-1, 1] as (p/255 - 0.5) * 2.
__kernel void gather(__global const uchar* pixels, __global const uchar* labels, __global const int* order,
                     int offset, int rows, int features, __global float* x, int xo, __global float* y, int yo) {
    long n = (long)rows * features, stride = get_global_size(0), down = stride / features;
    int across = (int)(stride % features);
    for (long base = get_global_id(0); base < n; base += GATHER_RUN * stride) {
        long r = base / features;
        int f = (int)(base - r * features);
        uchar v[GATHER_RUN];
        for (int u = 0; u < GATHER_RUN; u++) {
            v[u] = base + u * stride < n ? pixels[order[offset + r] * (long)features + f] : 0;
            r += down;
            f += across;
            if (f >= features) {
                f -= features;
                r++;
            }
        }
        for (int u = 0; u < GATHER_RUN; u++) {
            long i = base + u * stride;
            if (i < n) {
                x[xo + i] = (v[u] / 255.0f - 0.5f) * 2.0f;
            }
        }
    }
    for (long r = get_global_id(0); r < rows; r += stride) {
        y[yo + r] = (float)labels[order[offset + r]];
    }
}

// From a dataset of float features (copied as they are) and int labels.
__kernel void gather_features(__global const float* features, __global const int* labels, __global const int* order,
                              int offset, int rows, int width, __global float* x, int xo, __global float* y, int yo) {
    long n = (long)rows * width, stride = get_global_size(0), down = stride / width;
    int across = (int)(stride % width);
    for (long base = get_global_id(0); base < n; base += GATHER_RUN * stride) {
        long r = base / width;
        int f = (int)(base - r * width);
        float v[GATHER_RUN];
        for (int u = 0; u < GATHER_RUN; u++) {
            v[u] = base + u * stride < n ? features[order[offset + r] * (long)width + f] : 0.0f;
            r += down;
            f += across;
            if (f >= width) {
                f -= width;
                r++;
            }
        }
        for (int u = 0; u < GATHER_RUN; u++) {
            long i = base + u * stride;
            if (i < n) {
                x[xo + i] = v[u];
            }
        }
    }
    for (long r = get_global_id(0); r < rows; r += stride) {
        y[yo + r] = (float)labels[order[offset + r]];
    }
}
