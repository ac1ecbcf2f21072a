package org.mlp4j.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.mlp4j.Activation;

/**
 * Vector API kernels. The GEMM tile is {@link #tileRows} rows x 2 vectors of C held in accumulators across its
 * steps of k: each step loads 2 vectors of B's packed strip and broadcasts one value of each of A's rows, then
 * does an FMA per accumulator, enough independent chains to cover the FMA latency of two pipes. Every index is
 * linear in the step, which lets the JIT drop the bounds checks from the loop (../shared/notes/cpu-gemm.md on
 * why register blocking is what matters here). A tile's first sums start from {@code ZEROS} rather than from acc
 * filled with zeros: the same values, one pass fewer. Every vector here has the one preferred shape: with a
 * second (a 256-bit copy beside 512-bit kernels), the Vector API's methods shared by all shapes get mixed
 * type profiles, and C2 on JDK 17 then leaves stores such as the tile's uncompiled to vector code, which
 * made the GEMM many times slower where the preferred width is 512 bits.
 *
 * <p>The tile's height is set by the vector registers the JIT has ({@link #forThisMachine}): C2 may load all
 * of a step's broadcasts of A before its FMAs (JDK 17 did so in {@code tile}, JDK 25 in {@code tileT}), and then
 * 6 rows need 12 accumulators, 2 vectors of B and 6 of A: they fit in 32 registers (AVX-512, ARM) but not in
 * x86's 16 without AVX-512, where accumulators went to the stack and back on every step, at half the FMA rate.
 * There 4 rows take 8 + 2 + 4.
 */
abstract sealed class VectorKernels implements Kernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int COLS = 2 * L;
    private static final FloatVector ONE = FloatVector.broadcast(S, 1f);
    private static final FloatVector ZERO = FloatVector.zero(S);
    private static final FloatVector SLOPE = FloatVector.broadcast(S, Activation.LEAKY_SLOPE);
    /** A tile's sums before its first step of k, for either height. */
    private static final float[] ZEROS = new float[6 * COLS];

    /** The kernels whose tile fits in this JIT's vector registers. */
    static VectorKernels forThisMachine() {
        return vectorRegisters(System.getProperty("os.arch", ""), Jit.option("UseAVX"), S.vectorBitSize()) >= 32 ? new SixRows() : new FourRows();
    }

    /**
     * Vector registers the JIT allocates: 16 on x86 without AVX-512 (HotSpot's {@code useAvx} below 3, whatever
     * the vector width), else 32 (AVX-512, ARM). Where {@code useAvx} is unknown (null: not HotSpot, or a runtime
     * without the jdk.management module, such as a jlinked one), a vector width under 512 bits on x86 is taken for 16.
     */
    static int vectorRegisters(String arch, String useAvx, int bits) {
        if (!arch.equals("amd64") && !arch.equals("x86_64")) {
            return 32;
        }
        if (useAvx != null && useAvx.matches("\\d+")) {
            return Integer.parseInt(useAvx) >= 3 ? 32 : 16;
        }
        return bits >= 512 ? 32 : 16;
    }

    @Override
    public int tileCols() {
        return COLS;
    }

    /**
     * Four vectors of columns at a time, their sums held through all of k while each step streams a row of B; the
     * last group's vectors are held back to end at j1, so a column two of them share takes the same sum twice and
     * stores it twice (only where [j0, j1) spans a vector: a narrower range goes column by column with the same
     * FMAs). The sums start from {@code FloatVector.zero}, not {@code ZERO}: from that constant, C2 on JDK 17
     * compiled these loops many times slower.
     */
    @Override
    public void row(int k, float[] a, int ai, int aks, float[] b, int bo, int ldb, int j0, int j1, float[] acc, int ao) {
        if (j1 - j0 < L) {
            java.util.Arrays.fill(acc, ao + j0, ao + j1, 0f);
            for (int p = 0; p < k; p++) {
                float x = a[ai + p * aks];
                for (int q = j0, src = bo + p * ldb; q < j1; q++) {
                    acc[ao + q] = Math.fma(x, b[src + q], acc[ao + q]);
                }
            }
            return;
        }
        for (int j = j0, last = j1 - L; j < j1; j += 4 * L) {
            int o0 = Math.min(j, last), o1 = Math.min(j + L, last), o2 = Math.min(j + 2 * L, last), o3 = Math.min(j + 3 * L, last);
            FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S), c3 = FloatVector.zero(S);
            for (int p = 0, src = bo; p < k; p++, src += ldb) {
                FloatVector x = FloatVector.broadcast(S, a[ai + p * aks]);
                c0 = x.fma(FloatVector.fromArray(S, b, src + o0), c0);
                c1 = x.fma(FloatVector.fromArray(S, b, src + o1), c1);
                c2 = x.fma(FloatVector.fromArray(S, b, src + o2), c2);
                c3 = x.fma(FloatVector.fromArray(S, b, src + o3), c3);
            }
            c0.intoArray(acc, ao + o0);
            c1.intoArray(acc, ao + o1);
            c2.intoArray(acc, ao + o2);
            c3.intoArray(acc, ao + o3);
        }
    }

    @Override
    public void copyStripRow(float[] b, int from, float[] dst, int to) {
        FloatVector.fromArray(S, b, from).intoArray(dst, to);
        FloatVector.fromArray(S, b, from + L).intoArray(dst, to + L);
    }

    @Override
    public void finish(float[] acc, int ao, int rows, int cols, float alpha, float beta, float[] c, int ci, int ldc) {
        FloatVector b = FloatVector.broadcast(S, beta);
        for (int r = 0; r < rows; r++) {
            int j = 0;
            for (int off = ci + r * ldc, src = ao + r * COLS; j + L <= cols; j += L) {
                FloatVector v = FloatVector.fromArray(S, acc, src + j).mul(alpha);
                if (beta != 0f) {
                    v = FloatVector.fromArray(S, c, off + j).fma(b, v);
                }
                v.intoArray(c, off + j);
            }
            // the last columns one by one, with the same operations (so the same bits): without AVX-512 a
            // masked store is not compiled to vector code, and its Java fallback is slow
            for (; j < cols; j++) {
                float v = acc[ao + r * COLS + j] * alpha;
                c[ci + r * ldc + j] = beta != 0f ? Math.fma(c[ci + r * ldc + j], beta, v) : v;
            }
        }
    }

    @Override
    public void scalePixels(byte[] px, int from, float[] x, int to, int count) {
        VectorPixels.scale(px, from, x, to, count);
    }

    /**
     * A thread's scratch for {@link #biasSigmoid}: L floats for the vector that ends a run, then the bias
     * repeated. A new array on each call made its loop several times slower.
     */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[L]);

    /**
     * Rows that are whole vectors, or a single row, are read with the bias as it is; other rows as one run
     * with the bias repeated L times, a whole number of rows and of vectors. A run's last elements short of
     * a vector are taken by the vector that ends the run.
     */
    @Override
    public void biasSigmoid(float[] z, int from, int to, float[] bias, int bo, int cols) {
        int n = to - from;
        if (n < L) {
            Kernels.super.biasSigmoid(z, from, to, bias, bo, cols);
            return;
        }
        if (n == cols || cols % L == 0) {
            biasSigmoidRun(z, from, n, bias, bo, (cols + L - 1) / L * L, n % L == 0 ? null : SCRATCH.get());
            return;
        }
        float[] scratch = SCRATCH.get();
        int period = cols * L;
        if (scratch.length < L + period + L) {
            scratch = new float[L + period + L];
            SCRATCH.set(scratch);
        }
        for (int i = 0; i < period + L; i += cols) {
            System.arraycopy(bias, bo, scratch, L + i, Math.min(cols, period + L - i));
        }
        biasSigmoidRun(z, from, n, scratch, L, period, scratch);
    }

    /**
     * {@code z[from + i] = sigmoid(z[from + i] + bias[bo + i % period])} for i in [0, n): n at least L, period a
     * multiple of L; {@code end[0..L)} is scratch, needed only where n is not a multiple of L.
     */
    private static void biasSigmoidRun(float[] z, int from, int n, float[] bias, int bo, int period, float[] end) {
        int whole = n - n % L, last = n - L;
        // elements short of a vector at the end: the vector that ends the run takes them, its sums with the bias
        // put aside before the loop writes any of the elements it shares with the last whole vector (a second
        // sigmoid on vectors here, rather than a third, keeps the JIT inlining all of them)
        if (whole < n) {
            FloatVector.fromArray(S, z, from + last).add(FloatVector.fromArray(S, bias, bo + last % period)).intoArray(end, 0);
        }
        for (int i = 0, b = 0; i < whole; i += L, b = b + L == period ? 0 : b + L) {
            sigmoid(FloatVector.fromArray(S, z, from + i).add(FloatVector.fromArray(S, bias, bo + b))).intoArray(z, from + i);
        }
        if (whole < n) {
            sigmoid(FloatVector.fromArray(S, end, 0)).intoArray(z, from + last);
        }
    }

    /**
     * Columns a vector at a time, their sums in vectors across the rows (each column's still in row order). The
     * sigmoid's loop, the book's, is written out on its own, so its steps run what they ran before the others came.
     */
    @Override
    public void activationDelta(float[] g, int go, int ldg, float[] a, int ao, int lda, int rows, int cols, Activation act, float[] sums) {
        int j = 0;
        for (; j + L <= cols; j += L) {
            FloatVector sum = FloatVector.fromArray(S, sums, j);
            if (act == Activation.SIGMOID) {
                for (int r = 0; r < rows; r++) {
                    FloatVector av = FloatVector.fromArray(S, a, ao + r * lda + j);
                    FloatVector d = FloatVector.fromArray(S, g, go + r * ldg + j).mul(av.mul(ONE.sub(av)));
                    d.intoArray(g, go + r * ldg + j);
                    sum = sum.add(d);
                }
            } else {
                for (int r = 0; r < rows; r++) {
                    FloatVector d = FloatVector.fromArray(S, g, go + r * ldg + j).mul(derivative(FloatVector.fromArray(S, a, ao + r * lda + j), act));
                    d.intoArray(g, go + r * ldg + j);
                    sum = sum.add(d);
                }
            }
            sum.intoArray(sums, j);
        }
        for (; j < cols; j++) {
            for (int r = 0; r < rows; r++) {
                float d = g[go + r * ldg + j] * Kernels.derivative(a[ao + r * lda + j], act);
                g[go + r * ldg + j] = d;
                sums[j] += d;
            }
        }
    }

    /** {@link Kernels#derivative} lane by lane, by the same operations. */
    private static FloatVector derivative(FloatVector a, Activation act) {
        return switch (act) {
            case IDENTITY -> ONE;
            case SIGMOID -> a.mul(ONE.sub(a));
            case TANH -> ONE.sub(a.mul(a));
            case RELU -> ZERO.blend(ONE, a.compare(VectorOperators.GT, 0f));
            case LEAKY_RELU -> SLOPE.blend(ONE, a.compare(VectorOperators.GT, 0f));
        };
    }

    /**
     * Sigmoid rows by {@link #biasSigmoid}; the other activations a vector at a time, lane by lane by the scalar
     * operations, then the rest by the scalar loop.
     */
    @Override
    public void biasActivate(float[] z, int from, int n, float[] bias, int bo, Activation act) {
        if (act == Activation.SIGMOID) {
            biasSigmoid(z, from, from + n, bias, bo, n);
            return;
        }
        int end = n / L * L;
        for (int j = 0; j < end; j += L) {
            FloatVector v = FloatVector.fromArray(S, z, from + j).add(FloatVector.fromArray(S, bias, bo + j));
            activate(v, act).intoArray(z, from + j);
        }
        Kernels.super.biasActivate(z, from + end, n - end, bias, bo + end, act);
    }

    /** {@link Kernels#activate} lane by lane for all but the sigmoid, by the same operations. */
    private static FloatVector activate(FloatVector v, Activation act) {
        return switch (act) {
            case TANH -> sigmoid(v.mul(2f)).mul(2f).sub(1f);
            case RELU -> ZERO.blend(v, v.compare(VectorOperators.GT, 0f));
            case LEAKY_RELU -> v.mul(Activation.LEAKY_SLOPE).blend(v, v.compare(VectorOperators.GT, 0f));
            default -> v;
        };
    }

    /** Whole vectors with the same operations as the scalar loop, lane by lane (so the same bits), then the rest by it. */
    @Override
    public void optimize(OptimizerStep s, float[] p, int po, float[] g, int go, float[] m, int mo, float[] v, int vo, int from, int to) {
        int end = from + (to - from) / L * L;
        FloatVector eta = FloatVector.broadcast(S, s.eta()), scale = FloatVector.broadcast(S, s.scale()), l2 = FloatVector.broadcast(S, s.l2());
        FloatVector zero = FloatVector.zero(S);
        switch (s.kind()) {
            case MOMENTUM -> {
                FloatVector mu = FloatVector.broadcast(S, s.mu());
                for (int i = from; i < end; i += L) {
                    FloatVector pi = FloatVector.fromArray(S, p, po + i);
                    FloatVector gi = FloatVector.fromArray(S, g, go + i).mul(scale).add(l2.mul(pi));
                    FloatVector mi = mu.mul(FloatVector.fromArray(S, m, mo + i)).add(gi);
                    mi.intoArray(m, mo + i);
                    pi.sub(eta.mul(mi)).intoArray(p, po + i);
                    zero.intoArray(g, go + i);
                }
            }
            case NESTEROV -> {
                FloatVector mu = FloatVector.broadcast(S, s.mu());
                for (int i = from; i < end; i += L) {
                    FloatVector pi = FloatVector.fromArray(S, p, po + i);
                    FloatVector gi = FloatVector.fromArray(S, g, go + i).mul(scale).add(l2.mul(pi));
                    FloatVector mi = mu.mul(FloatVector.fromArray(S, m, mo + i)).add(gi);
                    mi.intoArray(m, mo + i);
                    pi.sub(eta.mul(gi.add(mu.mul(mi)))).intoArray(p, po + i);
                    zero.intoArray(g, go + i);
                }
            }
            case ADAM -> {
                FloatVector b1 = FloatVector.broadcast(S, s.b1()), b2 = FloatVector.broadcast(S, s.b2());
                FloatVector rest1 = FloatVector.broadcast(S, 1f - s.b1()), rest2 = FloatVector.broadcast(S, 1f - s.b2());
                FloatVector c1 = FloatVector.broadcast(S, s.c1()), c2 = FloatVector.broadcast(S, s.c2()), eps = FloatVector.broadcast(S, s.eps());
                for (int i = from; i < end; i += L) {
                    FloatVector pi = FloatVector.fromArray(S, p, po + i);
                    FloatVector gi = FloatVector.fromArray(S, g, go + i).mul(scale).add(l2.mul(pi));
                    FloatVector mi = b1.mul(FloatVector.fromArray(S, m, mo + i)).add(rest1.mul(gi));
                    FloatVector vi = b2.mul(FloatVector.fromArray(S, v, vo + i)).add(rest2.mul(gi).mul(gi));
                    mi.intoArray(m, mo + i);
                    vi.intoArray(v, vo + i);
                    // a float's square root rounded once is what the scalar loop's sqrt in double rounds to
                    pi.sub(eta.mul(mi.div(c1)).div(vi.div(c2).sqrt().add(eps))).intoArray(p, po + i);
                    zero.intoArray(g, go + i);
                }
            }
            default -> {
                for (int i = from; i < end; i += L) {
                    FloatVector pi = FloatVector.fromArray(S, p, po + i);
                    FloatVector gi = FloatVector.fromArray(S, g, go + i).mul(scale).add(l2.mul(pi));
                    pi.sub(eta.mul(gi)).intoArray(p, po + i);
                    zero.intoArray(g, go + i);
                }
            }
        }
        Kernels.super.optimize(s, p, po, g, go, m, mo, v, vo, end, to);
    }

    /** {@link FixedExp#sigmoid} lane by lane. */
    private static FloatVector sigmoid(FloatVector v) {
        return ONE.div(exp(v.neg()).add(1f));
    }

    private static final FloatVector LOG2E = FloatVector.broadcast(S, FixedExp.LOG2E);
    private static final FloatVector ROUND = FloatVector.broadcast(S, FixedExp.ROUND);
    private static final FloatVector MINUS_LN2_HI = FloatVector.broadcast(S, -FixedExp.LN2_HI);
    private static final FloatVector MINUS_LN2_LO = FloatVector.broadcast(S, -FixedExp.LN2_LO);
    private static final FloatVector P0 = FloatVector.broadcast(S, FixedExp.P0);
    private static final FloatVector P1 = FloatVector.broadcast(S, FixedExp.P1);
    private static final FloatVector P2 = FloatVector.broadcast(S, FixedExp.P2);
    private static final FloatVector P3 = FloatVector.broadcast(S, FixedExp.P3);
    private static final FloatVector P4 = FloatVector.broadcast(S, FixedExp.P4);
    private static final FloatVector P5 = FloatVector.broadcast(S, FixedExp.P5);

    /** {@link FixedExp#exp} lane by lane: the same operations in the same order, so the same bits. */
    private static FloatVector exp(FloatVector x) {
        FloatVector t = x.max(FixedExp.LO).min(FixedExp.HI);
        FloatVector k = t.fma(LOG2E, ROUND);
        FloatVector n = k.sub(ROUND);
        FloatVector r = n.fma(MINUS_LN2_HI, t);
        r = n.fma(MINUS_LN2_LO, r);
        FloatVector p = P5.fma(r, P4).fma(r, P3).fma(r, P2).fma(r, P1).fma(r, P0);
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        FloatVector scale = k.reinterpretAsInts().add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return y.mul(scale);
    }

    @Override
    public String name() {
        return "Vector API kernels, " + S.vectorBitSize() + "-bit, " + tileRows() + "x" + COLS + " tiles";
    }

    /** The tile of 6 rows, for 32 vector registers. */
    static final class SixRows extends VectorKernels {
        @Override
        public int tileRows() {
            return 6;
        }

        @Override
        public void tile(int kc, float[] ap, int ai, int lda, float[] bp, int bi, float[] acc, int ao, boolean first) {
            float[] from = first ? ZEROS : acc;
            int fo = first ? 0 : ao;
            FloatVector c00 = FloatVector.fromArray(S, from, fo), c01 = FloatVector.fromArray(S, from, fo + L);
            FloatVector c10 = FloatVector.fromArray(S, from, fo + 2 * L), c11 = FloatVector.fromArray(S, from, fo + 3 * L);
            FloatVector c20 = FloatVector.fromArray(S, from, fo + 4 * L), c21 = FloatVector.fromArray(S, from, fo + 5 * L);
            FloatVector c30 = FloatVector.fromArray(S, from, fo + 6 * L), c31 = FloatVector.fromArray(S, from, fo + 7 * L);
            FloatVector c40 = FloatVector.fromArray(S, from, fo + 8 * L), c41 = FloatVector.fromArray(S, from, fo + 9 * L);
            FloatVector c50 = FloatVector.fromArray(S, from, fo + 10 * L), c51 = FloatVector.fromArray(S, from, fo + 11 * L);
            // each row's index is linear in p, so the JIT checks the rows' bounds once, before the loop
            int a1 = ai + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda;
            for (int p = 0; p < kc; p++) {
                int b = bi + p * COLS;
                FloatVector b0 = FloatVector.fromArray(S, bp, b);
                FloatVector b1 = FloatVector.fromArray(S, bp, b + L);
                FloatVector x = FloatVector.broadcast(S, ap[ai + p]);
                c00 = x.fma(b0, c00);
                c01 = x.fma(b1, c01);
                x = FloatVector.broadcast(S, ap[a1 + p]);
                c10 = x.fma(b0, c10);
                c11 = x.fma(b1, c11);
                x = FloatVector.broadcast(S, ap[a2 + p]);
                c20 = x.fma(b0, c20);
                c21 = x.fma(b1, c21);
                x = FloatVector.broadcast(S, ap[a3 + p]);
                c30 = x.fma(b0, c30);
                c31 = x.fma(b1, c31);
                x = FloatVector.broadcast(S, ap[a4 + p]);
                c40 = x.fma(b0, c40);
                c41 = x.fma(b1, c41);
                x = FloatVector.broadcast(S, ap[a5 + p]);
                c50 = x.fma(b0, c50);
                c51 = x.fma(b1, c51);
            }
            // straight into memory: vectors that lived on into branches here would be boxed by the JIT
            c00.intoArray(acc, ao);
            c01.intoArray(acc, ao + L);
            c10.intoArray(acc, ao + 2 * L);
            c11.intoArray(acc, ao + 3 * L);
            c20.intoArray(acc, ao + 4 * L);
            c21.intoArray(acc, ao + 5 * L);
            c30.intoArray(acc, ao + 6 * L);
            c31.intoArray(acc, ao + 7 * L);
            c40.intoArray(acc, ao + 8 * L);
            c41.intoArray(acc, ao + 9 * L);
            c50.intoArray(acc, ao + 10 * L);
            c51.intoArray(acc, ao + 11 * L);
        }

        @Override
        public void halfTile(int kc, float[] ap, int ai, int lda, float[] bp, int bi, float[] acc, int ao, boolean first) {
            float[] from = first ? ZEROS : acc;
            int fo = first ? 0 : ao;
            FloatVector c0 = FloatVector.fromArray(S, from, fo), c1 = FloatVector.fromArray(S, from, fo + 2 * L);
            FloatVector c2 = FloatVector.fromArray(S, from, fo + 4 * L), c3 = FloatVector.fromArray(S, from, fo + 6 * L);
            FloatVector c4 = FloatVector.fromArray(S, from, fo + 8 * L), c5 = FloatVector.fromArray(S, from, fo + 10 * L);
            int a1 = ai + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda;
            for (int p = 0; p < kc; p++) {
                FloatVector b0 = FloatVector.fromArray(S, bp, bi + p * COLS);
                c0 = FloatVector.broadcast(S, ap[ai + p]).fma(b0, c0);
                c1 = FloatVector.broadcast(S, ap[a1 + p]).fma(b0, c1);
                c2 = FloatVector.broadcast(S, ap[a2 + p]).fma(b0, c2);
                c3 = FloatVector.broadcast(S, ap[a3 + p]).fma(b0, c3);
                c4 = FloatVector.broadcast(S, ap[a4 + p]).fma(b0, c4);
                c5 = FloatVector.broadcast(S, ap[a5 + p]).fma(b0, c5);
            }
            c0.intoArray(acc, ao);
            c1.intoArray(acc, ao + 2 * L);
            c2.intoArray(acc, ao + 4 * L);
            c3.intoArray(acc, ao + 6 * L);
            c4.intoArray(acc, ao + 8 * L);
            c5.intoArray(acc, ao + 10 * L);
        }

        /**
         * {@link #tile} with A's index stepping down a column: the same body with another index, written out
         * twice because one kernel with both strides variable ran slower, and the JIT does not inline a method
         * this size into two callers to specialise it.
         */
        @Override
        public void tileT(int kc, float[] ap, int ai, int lda, float[] bp, int bi, float[] acc, int ao, boolean first) {
            float[] from = first ? ZEROS : acc;
            int fo = first ? 0 : ao;
            FloatVector c00 = FloatVector.fromArray(S, from, fo), c01 = FloatVector.fromArray(S, from, fo + L);
            FloatVector c10 = FloatVector.fromArray(S, from, fo + 2 * L), c11 = FloatVector.fromArray(S, from, fo + 3 * L);
            FloatVector c20 = FloatVector.fromArray(S, from, fo + 4 * L), c21 = FloatVector.fromArray(S, from, fo + 5 * L);
            FloatVector c30 = FloatVector.fromArray(S, from, fo + 6 * L), c31 = FloatVector.fromArray(S, from, fo + 7 * L);
            FloatVector c40 = FloatVector.fromArray(S, from, fo + 8 * L), c41 = FloatVector.fromArray(S, from, fo + 9 * L);
            FloatVector c50 = FloatVector.fromArray(S, from, fo + 10 * L), c51 = FloatVector.fromArray(S, from, fo + 11 * L);
            for (int p = 0, a = ai; p < kc; p++, a += lda) {
                int b = bi + p * COLS;
                FloatVector b0 = FloatVector.fromArray(S, bp, b);
                FloatVector b1 = FloatVector.fromArray(S, bp, b + L);
                FloatVector x = FloatVector.broadcast(S, ap[a]);
                c00 = x.fma(b0, c00);
                c01 = x.fma(b1, c01);
                x = FloatVector.broadcast(S, ap[a + 1]);
                c10 = x.fma(b0, c10);
                c11 = x.fma(b1, c11);
                x = FloatVector.broadcast(S, ap[a + 2]);
                c20 = x.fma(b0, c20);
                c21 = x.fma(b1, c21);
                x = FloatVector.broadcast(S, ap[a + 3]);
                c30 = x.fma(b0, c30);
                c31 = x.fma(b1, c31);
                x = FloatVector.broadcast(S, ap[a + 4]);
                c40 = x.fma(b0, c40);
                c41 = x.fma(b1, c41);
                x = FloatVector.broadcast(S, ap[a + 5]);
                c50 = x.fma(b0, c50);
                c51 = x.fma(b1, c51);
            }
            c00.intoArray(acc, ao);
            c01.intoArray(acc, ao + L);
            c10.intoArray(acc, ao + 2 * L);
            c11.intoArray(acc, ao + 3 * L);
            c20.intoArray(acc, ao + 4 * L);
            c21.intoArray(acc, ao + 5 * L);
            c30.intoArray(acc, ao + 6 * L);
            c31.intoArray(acc, ao + 7 * L);
            c40.intoArray(acc, ao + 8 * L);
            c41.intoArray(acc, ao + 9 * L);
            c50.intoArray(acc, ao + 10 * L);
            c51.intoArray(acc, ao + 11 * L);
        }

        @Override
        public void halfTileT(int kc, float[] ap, int ai, int lda, float[] bp, int bi, float[] acc, int ao, boolean first) {
            float[] from = first ? ZEROS : acc;
            int fo = first ? 0 : ao;
            FloatVector c0 = FloatVector.fromArray(S, from, fo), c1 = FloatVector.fromArray(S, from, fo + 2 * L);
            FloatVector c2 = FloatVector.fromArray(S, from, fo + 4 * L), c3 = FloatVector.fromArray(S, from, fo + 6 * L);
            FloatVector c4 = FloatVector.fromArray(S, from, fo + 8 * L), c5 = FloatVector.fromArray(S, from, fo + 10 * L);
            for (int p = 0, a = ai; p < kc; p++, a += lda) {
                FloatVector b0 = FloatVector.fromArray(S, bp, bi + p * COLS);
                c0 = FloatVector.broadcast(S, ap[a]).fma(b0, c0);
                c1 = FloatVector.broadcast(S, ap[a + 1]).fma(b0, c1);
                c2 = FloatVector.broadcast(S, ap[a + 2]).fma(b0, c2);
                c3 = FloatVector.broadcast(S, ap[a + 3]).fma(b0, c3);
                c4 = FloatVector.broadcast(S, ap[a + 4]).fma(b0, c4);
                c5 = FloatVector.broadcast(S, ap[a + 5]).fma(b0, c5);
            }
            c0.intoArray(acc, ao);
            c1.intoArray(acc, ao + 2 * L);
            c2.intoArray(acc, ao + 4 * L);
            c3.intoArray(acc, ao + 6 * L);
            c4.intoArray(acc, ao + 8 * L);
            c5.intoArray(acc, ao + 10 * L);
        }
    }

    /** The tile of 4 rows, for x86's 16 vector registers without AVX-512: {@link SixRows}'s loops, two rows fewer. */
    static final class FourRows extends VectorKernels {
        @Override
        public int tileRows() {
            return 4;
        }

        @Override
        public void tile(int kc, float[] ap, int ai, int lda, float[] bp, int bi, float[] acc, int ao, boolean first) {
            float[] from = first ? ZEROS : acc;
            int fo = first ? 0 : ao;
            FloatVector c00 = FloatVector.fromArray(S, from, fo), c01 = FloatVector.fromArray(S, from, fo + L);
            FloatVector c10 = FloatVector.fromArray(S, from, fo + 2 * L), c11 = FloatVector.fromArray(S, from, fo + 3 * L);
            FloatVector c20 = FloatVector.fromArray(S, from, fo + 4 * L), c21 = FloatVector.fromArray(S, from, fo + 5 * L);
            FloatVector c30 = FloatVector.fromArray(S, from, fo + 6 * L), c31 = FloatVector.fromArray(S, from, fo + 7 * L);
            int a1 = ai + lda, a2 = a1 + lda, a3 = a2 + lda;
            for (int p = 0; p < kc; p++) {
                int b = bi + p * COLS;
                FloatVector b0 = FloatVector.fromArray(S, bp, b);
                FloatVector b1 = FloatVector.fromArray(S, bp, b + L);
                FloatVector x = FloatVector.broadcast(S, ap[ai + p]);
                c00 = x.fma(b0, c00);
                c01 = x.fma(b1, c01);
                x = FloatVector.broadcast(S, ap[a1 + p]);
                c10 = x.fma(b0, c10);
                c11 = x.fma(b1, c11);
                x = FloatVector.broadcast(S, ap[a2 + p]);
                c20 = x.fma(b0, c20);
                c21 = x.fma(b1, c21);
                x = FloatVector.broadcast(S, ap[a3 + p]);
                c30 = x.fma(b0, c30);
                c31 = x.fma(b1, c31);
            }
            c00.intoArray(acc, ao);
            c01.intoArray(acc, ao + L);
            c10.intoArray(acc, ao + 2 * L);
            c11.intoArray(acc, ao + 3 * L);
            c20.intoArray(acc, ao + 4 * L);
            c21.intoArray(acc, ao + 5 * L);
            c30.intoArray(acc, ao + 6 * L);
            c31.intoArray(acc, ao + 7 * L);
        }

        @Override
        public void halfTile(int kc, float[] ap, int ai, int lda, float[] bp, int bi, float[] acc, int ao, boolean first) {
            float[] from = first ? ZEROS : acc;
            int fo = first ? 0 : ao;
            FloatVector c0 = FloatVector.fromArray(S, from, fo), c1 = FloatVector.fromArray(S, from, fo + 2 * L);
            FloatVector c2 = FloatVector.fromArray(S, from, fo + 4 * L), c3 = FloatVector.fromArray(S, from, fo + 6 * L);
            int a1 = ai + lda, a2 = a1 + lda, a3 = a2 + lda;
            for (int p = 0; p < kc; p++) {
                FloatVector b0 = FloatVector.fromArray(S, bp, bi + p * COLS);
                c0 = FloatVector.broadcast(S, ap[ai + p]).fma(b0, c0);
                c1 = FloatVector.broadcast(S, ap[a1 + p]).fma(b0, c1);
                c2 = FloatVector.broadcast(S, ap[a2 + p]).fma(b0, c2);
                c3 = FloatVector.broadcast(S, ap[a3 + p]).fma(b0, c3);
            }
            c0.intoArray(acc, ao);
            c1.intoArray(acc, ao + 2 * L);
            c2.intoArray(acc, ao + 4 * L);
            c3.intoArray(acc, ao + 6 * L);
        }

        @Override
        public void tileT(int kc, float[] ap, int ai, int lda, float[] bp, int bi, float[] acc, int ao, boolean first) {
            float[] from = first ? ZEROS : acc;
            int fo = first ? 0 : ao;
            FloatVector c00 = FloatVector.fromArray(S, from, fo), c01 = FloatVector.fromArray(S, from, fo + L);
            FloatVector c10 = FloatVector.fromArray(S, from, fo + 2 * L), c11 = FloatVector.fromArray(S, from, fo + 3 * L);
            FloatVector c20 = FloatVector.fromArray(S, from, fo + 4 * L), c21 = FloatVector.fromArray(S, from, fo + 5 * L);
            FloatVector c30 = FloatVector.fromArray(S, from, fo + 6 * L), c31 = FloatVector.fromArray(S, from, fo + 7 * L);
            for (int p = 0, a = ai; p < kc; p++, a += lda) {
                int b = bi + p * COLS;
                FloatVector b0 = FloatVector.fromArray(S, bp, b);
                FloatVector b1 = FloatVector.fromArray(S, bp, b + L);
                FloatVector x = FloatVector.broadcast(S, ap[a]);
                c00 = x.fma(b0, c00);
                c01 = x.fma(b1, c01);
                x = FloatVector.broadcast(S, ap[a + 1]);
                c10 = x.fma(b0, c10);
                c11 = x.fma(b1, c11);
                x = FloatVector.broadcast(S, ap[a + 2]);
                c20 = x.fma(b0, c20);
                c21 = x.fma(b1, c21);
                x = FloatVector.broadcast(S, ap[a + 3]);
                c30 = x.fma(b0, c30);
                c31 = x.fma(b1, c31);
            }
            c00.intoArray(acc, ao);
            c01.intoArray(acc, ao + L);
            c10.intoArray(acc, ao + 2 * L);
            c11.intoArray(acc, ao + 3 * L);
            c20.intoArray(acc, ao + 4 * L);
            c21.intoArray(acc, ao + 5 * L);
            c30.intoArray(acc, ao + 6 * L);
            c31.intoArray(acc, ao + 7 * L);
        }

        @Override
        public void halfTileT(int kc, float[] ap, int ai, int lda, float[] bp, int bi, float[] acc, int ao, boolean first) {
            float[] from = first ? ZEROS : acc;
            int fo = first ? 0 : ao;
            FloatVector c0 = FloatVector.fromArray(S, from, fo), c1 = FloatVector.fromArray(S, from, fo + 2 * L);
            FloatVector c2 = FloatVector.fromArray(S, from, fo + 4 * L), c3 = FloatVector.fromArray(S, from, fo + 6 * L);
            for (int p = 0, a = ai; p < kc; p++, a += lda) {
                FloatVector b0 = FloatVector.fromArray(S, bp, bi + p * COLS);
                c0 = FloatVector.broadcast(S, ap[a]).fma(b0, c0);
                c1 = FloatVector.broadcast(S, ap[a + 1]).fma(b0, c1);
                c2 = FloatVector.broadcast(S, ap[a + 2]).fma(b0, c2);
                c3 = FloatVector.broadcast(S, ap[a + 3]).fma(b0, c3);
            }
            c0.intoArray(acc, ao);
            c1.intoArray(acc, ao + 2 * L);
            c2.intoArray(acc, ao + 4 * L);
            c3.intoArray(acc, ao + 6 * L);
        }
    }
}
