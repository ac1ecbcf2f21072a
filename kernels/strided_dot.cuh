// sum_p a[p] * b[p * bStride] for p < k, in order: the small products the layer steps fold in.
__device__ float strided_dot(const float* a, const float* b, int bStride, int k) {
    float sum = 0.0f;
    for (int p = 0; p < k; p++) {
        sum += a[p] * b[p * bStride];
    }
    return sum;
}
