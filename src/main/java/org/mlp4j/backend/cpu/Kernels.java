package org.mlp4j.backend.cpu;

import org.mlp4j.Activation;
import org.mlp4j.Optimizer;
import org.mlp4j.backend.Backend;

/** The CPU backend's inner loops that have a faster Vector API form; see {@link #best()}. */
interface Kernels {
    /** Rows of C one {@link #tile} computes: the height of a packed panel of A. */
    int tileRows();

    /** Columns of C one {@link #tile} computes: the width of a packed strip of B. */
    int tileCols();

    /**
     * One {@link #tileRows} x {@link #tileCols} tile of a GEMM over {@code kc} steps of k. Step p reads row r's
     * value at {@code a[ai + r * lda + p]} (rows of A where they lie, or a panel packed by {@link Gemm}) and
     * column j's at {@code bp[bi + p * tileCols() + j]} (a strip packed by {@link Gemm}). Each element's sum,
     * row-major in {@code acc[ao..]}, starts from zero when {@code first}, else from what the previous steps
     * of k left there, and adds the products in order of p, so splitting k changes no bit.
     */
    void tile(int kc, float[] a, int ai, int lda, float[] bp, int bi, float[] acc, int ao, boolean first);

    /** {@link #tile} reading op(A) = A' where it lies: step p reads row r's value at {@code a[ai + p * lda + r]}. */
    void tileT(int kc, float[] a, int ai, int lda, float[] bp, int bi, float[] acc, int ao, boolean first);

    /**
     * One row of op(A) times columns [j0, j1) of B where they lie, for a GEMM of a row or two: step p
     * reads A's value at {@code a[ai + p * aks]} and column j's at {@code b[bo + p * ldb + j]}; each element's
     * sum, at {@code acc[ao + j]}, starts from zero and adds the products in order of p as {@link #tile} does (the
     * same bits).
     */
    void row(int k, float[] a, int ai, int aks, float[] b, int bo, int ldb, int j0, int j1, float[] acc, int ao);

    /**
     * {@link #tile} for a strip with no columns past {@code tileCols() / 2}: only the sums of the first half
     * of each row are taken (the same bits as {@link #tile}'s), the rest of {@code acc}'s tile is left
     * undefined. Kernels without a cheaper form compute the whole tile.
     */
    default void halfTile(int kc, float[] a, int ai, int lda, float[] bp, int bi, float[] acc, int ao, boolean first) {
        tile(kc, a, ai, lda, bp, bi, acc, ao, first);
    }

    /** {@link #halfTile} reading A' as {@link #tileT} does. */
    default void halfTileT(int kc, float[] a, int ai, int lda, float[] bp, int bi, float[] acc, int ao, boolean first) {
        tileT(kc, a, ai, lda, bp, bi, acc, ao, first);
    }

    /**
     * Rows [p0, p1) of columns [j0, j1) of the k x n matrix B (row p from {@code b[from + p * stride]}) into its
     * strips for {@link #tile}: column j of row p goes to {@code dst[(j / c * k + p) * c + j % c]}, c =
     * {@link #tileCols}; j0 starts a strip, j1 is n or ends one, and a last strip short of columns is zero past
     * them, up to {@link #stripEnd}.
     */
    default void packRows(float[] b, int from, int stride, int j0, int j1, int p0, int p1, int k, float[] dst) {
        int width = tileCols(), tail = (j1 - j0) % width, end = stripEnd(tail);
        for (int p = p0; p < p1; p++) {
            int src = from + p * stride, j = j0;
            for (; j + width <= j1; j += width) {
                copyStripRow(b, src + j, dst, (j / width * k + p) * width);
            }
            if (j < j1) {
                int d = (j / width * k + p) * width;
                System.arraycopy(b, src + j, dst, d, tail);
                java.util.Arrays.fill(dst, d + tail, d + end, 0f);
            }
        }
    }

    /**
     * Columns of a strip of B holding {@code valid} columns that the kernels read: the first half where
     * {@link #halfTile} takes the strip, else all.
     */
    default int stripEnd(int valid) {
        return valid <= tileCols() / 2 ? tileCols() / 2 : tileCols();
    }

    /** {@link #tileCols} floats from {@code b[from]} to {@code dst[to]}: a whole row of a strip. */
    void copyStripRow(float[] b, int from, float[] dst, int to);

    /**
     * {@code c = alpha * sum + beta * c} for the first {@code rows} rows and {@code cols} columns of a tile's
     * sums in {@code acc[ao..]}; c is row-major from {@code c[ci]} with row stride {@code ldc} and, with beta
     * 0, not read.
     */
    void finish(float[] acc, int ao, int rows, int cols, float alpha, float beta, float[] c, int ci, int ldc);

    /** {@code x[to + j] = (p / 255 - 0.5) * 2} for the uint8 pixels p = {@code px[from + j]}, j in [0, count): the book's scaling. */
    default void scalePixels(byte[] px, int from, float[] x, int to, int count) {
        for (int j = 0; j < count; j++) {
            x[to + j] = Backend.scaledPixel(px[from + j]);
        }
    }

    /** {@code z[i] = sigmoid(z[i] + bias[bo + (i - from) % cols])} for i in [from, to). */
    default void biasSigmoid(float[] z, int from, int to, float[] bias, int bo, int cols) {
        for (int i = from; i < to; i++) {
            z[i] = FixedExp.sigmoid(z[i] + bias[bo + (i - from) % cols]);
        }
    }

    /**
     * {@code z[from + j] = act(z[from + j] + bias[bo + j])} for j in [0, n): a run of one row of a layer's
     * pre-activations.
     */
    default void biasActivate(float[] z, int from, int n, float[] bias, int bo, Activation act) {
        for (int j = 0; j < n; j++) {
            z[from + j] = activate(z[from + j] + bias[bo + j], act);
        }
    }

    /** The activation's value; tanh through {@link FixedExp} too, so results never depend on the JIT. */
    static float activate(float v, Activation act) {
        return switch (act) {
            case IDENTITY -> v;
            case SIGMOID -> FixedExp.sigmoid(v);
            case TANH -> 2f * FixedExp.sigmoid(2f * v) - 1f;
            case RELU -> v > 0f ? v : 0f;
            case LEAKY_RELU -> v > 0f ? v : Activation.LEAKY_SLOPE * v;
        };
    }

    /** The activation's derivative at the point where its value is {@code a}. */
    static float derivative(float a, Activation act) {
        return switch (act) {
            case IDENTITY -> 1f;
            case SIGMOID -> a * (1f - a);
            case TANH -> 1f - a * a;
            case RELU -> a > 0f ? 1f : 0f;
            case LEAKY_RELU -> a > 0f ? 1f : Activation.LEAKY_SLOPE;
        };
    }

    /**
     * A hidden layer's delta from its error, and its bias gradient: for {@code rows} x {@code cols} of g (rows
     * {@code ldg} apart) and of its activations a (rows {@code lda} apart), {@code g *= act'(a)} ({@link
     * #derivative}), then {@code sums[j] += g[r][j]} for each row r in order.
     */
    default void activationDelta(float[] g, int go, int ldg, float[] a, int ao, int lda, int rows, int cols, Activation act, float[] sums) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                float d = g[go + r * ldg + j] * derivative(a[ao + r * lda + j], act);
                g[go + r * ldg + j] = d;
                sums[j] += d;
            }
        }
    }

    /**
     * One step's constants for {@link #optimize}: the rate, the gradient's scale, L2 (0 for biases), momentum,
     * Adam's betas, epsilon and bias corrections {@code c1 = 1 - b1^t}, {@code c2 = 1 - b2^t}.
     */
    record OptimizerStep(Optimizer kind, float eta, float scale, float l2, float mu, float b1, float b2, float eps, float c1, float c2) {
    }

    /**
     * Elements [from, to) of a parameter array p take one optimizer step from their gradient g (then zeroed),
     * with state m (velocity, or Adam's first moment) and v (Adam's second), as {@link Optimizer} defines it:
     * first {@code gi = g * scale + l2 * p}.
     */
    default void optimize(OptimizerStep s, float[] p, int po, float[] g, int go, float[] m, int mo, float[] v, int vo, int from, int to) {
        float eta = s.eta(), scale = s.scale(), l2 = s.l2(), mu = s.mu(), b1 = s.b1(), b2 = s.b2(), eps = s.eps(), c1 = s.c1(), c2 = s.c2();
        for (int i = from; i < to; i++) {
            float gi = g[go + i] * scale + l2 * p[po + i];
            switch (s.kind()) {
                case MOMENTUM -> {
                    m[mo + i] = mu * m[mo + i] + gi;
                    p[po + i] -= eta * m[mo + i];
                }
                case NESTEROV -> {
                    m[mo + i] = mu * m[mo + i] + gi;
                    p[po + i] -= eta * (gi + mu * m[mo + i]);
                }
                case ADAM -> {
                    m[mo + i] = b1 * m[mo + i] + (1f - b1) * gi;
                    v[vo + i] = b2 * v[vo + i] + (1f - b2) * gi * gi;
                    p[po + i] -= eta * (m[mo + i] / c1) / ((float) Math.sqrt(v[vo + i] / c2) + eps);
                }
                default -> p[po + i] -= eta * gi;
            }
            g[go + i] = 0f;
        }
    }

    String name();

    /**
     * The Vector API kernels when the JVM has {@code jdk.incubator.vector} and its JIT has FMA ({@link Jit#FMA}) and
     * C2 ({@link Jit#C2}), else plain loops.
     */
    static Kernels best() {
        if (!ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            return new ScalarKernels("start java with --add-modules jdk.incubator.vector for the Vector API kernels");
        }
        if (!Jit.FMA) {
            return new ScalarKernels("this JVM has no FMA instruction, which the Vector API kernels need");
        }
        if (!Jit.C2) {
            return new ScalarKernels("the JIT stops before C2, which the Vector API kernels need: -Xint or -XX:TieredStopAtLevel below 4");
        }
        try {
            return (Kernels) Class.forName("org.mlp4j.backend.cpu.VectorKernels").getDeclaredMethod("forThisMachine").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return new ScalarKernels("the Vector API kernels failed to load: " + e);
        }
    }
}
