#pragma once
// sum_p a[p * aStride] * b[p * bStride] for p < n, in order: the small products the layer steps fold in.
__device__ float strided_dot(const float* a, int aStride, const float* b, int bStride, int n) {
    float sum = 0.0f;
    for (int p = 0; p < n; p++) {
        sum += a[(long)p * aStride] * b[(long)p * bStride];
    }
    return sum;
}
