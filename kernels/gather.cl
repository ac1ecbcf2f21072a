// Minibatch gather from the resident uint8 dataset: row r of x is example order[offset + r], pixels scaled
// to [-1, 1] as (p/255 - 0.5) * 2, labels[r] its class as a float. Global size: (features rounded up) x rows.
// CPU twin: CpuBackend.gather.
__kernel void gather(__global const uchar* pixels, __global const uchar* labels, __global const int* order,
                     int offset, int rows, int features, __global float* x, int xo, __global float* y, int yo) {
    int f = get_global_id(0), r = get_global_id(1);
    if (r >= rows) {
        return;
    }
    long example = order[offset + r];
    if (f < features) {
        x[xo + (long)r * features + f] = (pixels[example * features + f] / 255.0f - 0.5f) * 2.0f;
    }
    if (f == 0) {
        y[yo + r] = (float)labels[example];
    }
}

// The same gather from a resident dataset of float features (copied as they are) and int labels.
// CPU twin: CpuBackend.gather.
__kernel void gather_features(__global const float* features, __global const int* labels, __global const int* order,
                              int offset, int rows, int width, __global float* x, int xo, __global float* y, int yo) {
    int f = get_global_id(0), r = get_global_id(1);
    if (r >= rows) {
        return;
    }
    long example = order[offset + r];
    if (f < width) {
        x[xo + (long)r * width + f] = features[example * width + f];
    }
    if (f == 0) {
        y[yo + r] = (float)labels[example];
    }
}
