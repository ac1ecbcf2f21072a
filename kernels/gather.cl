// Minibatch gathers: row r of x (rows x width) is example order[offset + r] of the resident dataset, labels[r]
// its class as a float. The global range walks x's elements, GATHER_RUN of them an item, each the global size
// apart, its loads before its stores (kernels/gather.cu says why). CPU twin: CpuBackend.gather.

// Where in the dataset each of an item's elements base, base + stride, ... lies (-1 past the n of x): element i
// is row i / width and feature i % width, found by one division and then by adding the stride's rows and features.
void sources(long base, long stride, long n, int width, __global const int* order, int offset, long* at) {
    long r = base / width, down = stride / width;
    int f = (int)(base - r * width), across = (int)(stride % width);
    for (int u = 0; u < GATHER_RUN; u++) {
        at[u] = base + u * stride < n ? order[offset + r] * (long)width + f : -1;
        r += down;
        f += across;
        if (f >= width) {
            f -= width;
            r++;
        }
    }
}

// From the uint8 dataset: each pixel scaled to [-1, 1] as (p/255 - 0.5) * 2.
__kernel void gather(__global const uchar* pixels, __global const uchar* labels, __global const int* order,
                     int offset, int rows, int features, __global float* x, int xo, __global float* y, int yo) {
    long n = (long)rows * features, stride = get_global_size(0), at[GATHER_RUN];
    for (long base = get_global_id(0); base < n; base += GATHER_RUN * stride) {
        sources(base, stride, n, features, order, offset, at);
        uchar v[GATHER_RUN];
        for (int u = 0; u < GATHER_RUN; u++) {
            v[u] = at[u] >= 0 ? pixels[at[u]] : 0;
        }
        for (int u = 0; u < GATHER_RUN && at[u] >= 0; u++) {
            x[xo + base + u * stride] = (v[u] / 255.0f - 0.5f) * 2.0f;
        }
    }
    for (long r = get_global_id(0); r < rows; r += stride) {
        y[yo + r] = (float)labels[order[offset + r]];
    }
}

// From a dataset of float features (copied as they are) and int labels.
__kernel void gather_features(__global const float* features, __global const int* labels, __global const int* order,
                              int offset, int rows, int width, __global float* x, int xo, __global float* y, int yo) {
    long n = (long)rows * width, stride = get_global_size(0), at[GATHER_RUN];
    for (long base = get_global_id(0); base < n; base += GATHER_RUN * stride) {
        sources(base, stride, n, width, order, offset, at);
        float v[GATHER_RUN];
        for (int u = 0; u < GATHER_RUN; u++) {
            v[u] = at[u] >= 0 ? features[at[u]] : 0.0f;
        }
        for (int u = 0; u < GATHER_RUN && at[u] >= 0; u++) {
            x[xo + base + u * stride] = v[u];
        }
    }
    for (long r = get_global_id(0); r < rows; r += stride) {
        y[yo + r] = (float)labels[order[offset + r]];
    }
}
