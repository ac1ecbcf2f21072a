package org.mlp4j.backend.cpu;

/** The CPU backend's inner loops that have a faster Vector API form; see {@link #best()}. */
interface Kernels {
    /**
     * Rows [r0, r1) of {@code c[m x n] = alpha * A * bp + beta * c}: element (i, p) of the m x k matrix A is
     * {@code a[ao + i * rs + p * ks]} (so op(A) = A' needs no copy), {@code bp} is op(B) packed row-major
     * with its rows zero-padded to {@code npad} columns (a multiple of 16), and c is row-major m x n from
     * {@code c[co]}. With beta 0, c is not read.
     */
    void gemmRows(int r0, int r1, int n, int npad, int k, float alpha, float[] a, int ao, int rs, int ks,
                  float[] bp, float beta, float[] c, int co);

    /** {@code z[i] = sigmoid(z[i] + bias[bo + (i - from) % cols])} for i in [from, to). */
    void biasSigmoid(float[] z, int from, int to, float[] bias, int bo, int cols);

    String name();

    /** The Vector API kernels when the JVM has {@code jdk.incubator.vector}, else plain loops. */
    static Kernels best() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            try {
                return (Kernels) Class.forName("org.mlp4j.backend.cpu.VectorKernels").getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                return new ScalarKernels();
            }
        }
        return new ScalarKernels();
    }
}
