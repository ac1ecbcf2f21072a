package org.mlp4j.backend.cpu;

/**
 * Plain Java loops, used when the Vector API module is not enabled ({@code java -jar} without flags) or the JIT
 * lacks what the Vector API kernels need.
 */
final class ScalarKernels implements Kernels {
    private static final int ROWS = 4, COLS = 16;
    private final String why;

    /** {@code why}: why the loops run, for {@link #name}. */
    ScalarKernels(String why) {
        this.why = why;
    }

    @Override
    public int tileRows() {
        return ROWS;
    }

    @Override
    public int tileCols() {
        return COLS;
    }

    @Override
    public void tile(int kc, float[] a, int ai, int lda, float[] bp, int bi, float[] acc, int ao, boolean first) {
        tile(kc, a, ai, lda, 1, bp, bi, acc, ao, first);
    }

    @Override
    public void tileT(int kc, float[] a, int ai, int lda, float[] bp, int bi, float[] acc, int ao, boolean first) {
        tile(kc, a, ai, 1, lda, bp, bi, acc, ao, first);
    }

    /** Row r's value at step p at {@code a[ai + r * rs + p * ps]}. */
    private static void tile(int kc, float[] a, int ai, int rs, int ps, float[] bp, int bi, float[] acc, int ao, boolean first) {
        if (first) {
            java.util.Arrays.fill(acc, ao, ao + ROWS * COLS, 0f);
        }
        for (int p = 0; p < kc; p++) {
            for (int r = 0; r < ROWS; r++) {
                float x = a[ai + r * rs + p * ps];
                for (int j = 0; j < COLS; j++) {
                    acc[ao + r * COLS + j] += x * bp[bi + p * COLS + j];
                }
            }
        }
    }

    @Override
    public void row(int k, float[] a, int ai, int aks, float[] b, int bo, int ldb, int j0, int j1, float[] acc, int ao) {
        java.util.Arrays.fill(acc, ao + j0, ao + j1, 0f);
        for (int p = 0; p < k; p++) {
            float x = a[ai + p * aks];
            for (int j = j0, src = bo + p * ldb; j < j1; j++) {
                acc[ao + j] += x * b[src + j];
            }
        }
    }

    @Override
    public void copyStripRow(float[] b, int from, float[] dst, int to) {
        System.arraycopy(b, from, dst, to, COLS);
    }

    @Override
    public void finish(float[] acc, int ao, int rows, int cols, float alpha, float beta, float[] c, int ci, int ldc) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                int o = ci + r * ldc + j;
                float v = alpha * acc[ao + r * COLS + j];
                c[o] = beta == 0f ? v : v + beta * c[o];
            }
        }
    }

    @Override
    public String name() {
        return "scalar loops (" + why + ")";
    }
}
