package org.mlp4j.backend;

import org.mlp4j.Activation;
import org.mlp4j.Output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mlp4j.backend.Backend.Accumulator;
import org.mlp4j.backend.Backend.Examples;
import org.mlp4j.backend.Backend.Order;
import org.mlp4j.backend.cpu.CpuBackend;

/**
 * The SPI contract, run against every backend on the class path (skipped, with the reason, where one
 * cannot run). Each operation is checked against its CPU twin on random shapes, including sizes that are
 * not multiples of any block or tile size.
 */
public class BackendContractTest {
    static final CpuBackend CPU = new CpuBackend(2);
    static final int[][] SHAPES = {{1, 1}, {3, 7}, {100, 10}, {100, 100}, {37, 129}, {257, 33}, {5000, 10}};

    static Stream<String> backends() {
        return Backends.providers().stream().map(BackendProvider::name);
    }

    /**
     * Backends that must be usable where these tests run, from {@code MLP4J_REQUIRED_BACKENDS} (a comma list;
     * CI names cpu and opencl, the GPU check all three): an unusable one then fails its tests rather than
     * skipping them, so an OpenCL kernel that stops compiling cannot pass as a skip.
     */
    static final List<String> REQUIRED = List.of(System.getenv().getOrDefault("MLP4J_REQUIRED_BACKENDS", "cpu").split(","));

    public static Backend open(String name) {
        try {
            return Backends.open(name, 0, true, s -> { });
        } catch (BackendUnavailableException e) {
            if (REQUIRED.contains(name)) {
                throw new AssertionError(name + " is required here (MLP4J_REQUIRED_BACKENDS) but unusable: " + e.getMessage(), e);
            }
            Assumptions.abort(name + " unusable here: " + e.getMessage());
            return null;
        }
    }

    static float[] random(Random r, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * scale);
        }
        return a;
    }

    static float[] labels(Random r, int rows, int classes) {
        float[] y = new float[rows];
        for (int i = 0; i < rows; i++) {
            y[i] = r.nextInt(classes);
        }
        return y;
    }

    static Matrix put(Backend b, int rows, int cols, float[] data) {
        Matrix m = b.matrix(rows, cols);
        b.upload(data, m);
        return m;
    }

    static float[] get(Backend b, Matrix m) {
        float[] out = new float[m.size()];
        b.download(m, out);
        return out;
    }

    /** Each of {@code actual} within {@code rel} of {@code expected}'s (relative past 1): NaN only where NaN is expected. */
    public static void close(float[] expected, float[] actual, double rel, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            double tol = rel * Math.max(1.0, Math.abs(expected[i]));
            boolean near = Float.isNaN(expected[i]) ? Float.isNaN(actual[i]) : expected[i] == actual[i] || Math.abs(expected[i] - actual[i]) <= tol;
            if (!near) {
                throw new AssertionError(String.format("%s[%d]: expected %s, got %s (tolerance %.2g)", what, i, expected[i], actual[i], tol));
            }
        }
    }

    /**
     * Transfers of every size round-trip, in an order that makes a GPU backend's staging buffer grow, span more
     * than one 16 MiB chunk and be reused by smaller transfers, each leaving the others' data as it was.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void transfersOfGrowingAndShrinkingSizesRoundTrip(String name) {
        try (Backend b = open(name)) {
            Random r = new Random(11);
            int[] sizes = {1, 1000, 3, 5_000_001, 70_000, 2};
            Matrix[] m = new Matrix[sizes.length];
            float[][] data = new float[sizes.length][];
            for (int i = 0; i < sizes.length; i++) {
                data[i] = random(r, sizes[i], 1.0f);
                m[i] = put(b, 1, sizes[i], data[i]);
                assertArrayEquals(data[i], get(b, m[i]), "size " + sizes[i] + " just after its upload");
            }
            for (int i = 0; i < sizes.length; i++) {
                assertArrayEquals(data[i], get(b, m[i]), "size " + sizes[i] + " after the others' transfers");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void gemmMatchesTwinForEveryTransposeAndShape(String name) {
        try (Backend b = open(name)) {
            Random r = new Random(7);
            int[][] mnk = {{1, 1, 1}, {100, 100, 784}, {100, 10, 100}, {784, 100, 100}, {100, 100, 10}, {33, 65, 17}, {129, 31, 250}};
            for (int[] s : mnk) {
                for (int t = 0; t < 4; t++) {
                    boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                    int m = s[0], n = s[1], k = s[2];
                    float[] a = random(r, m * k, 1), bb = random(r, k * n, 1), c = random(r, m * n, 1);
                    float alpha = -0.37f, beta = t == 3 ? 0f : 0.99f;
                    float[] want = twinGemm(ta, tb, m, n, k, alpha, a, bb, beta, c);
                    Matrix ma = put(b, ta ? k : m, ta ? m : k, a), mb = put(b, tb ? n : k, tb ? k : n, bb), mc = put(b, m, n, c);
                    b.gemm(ta, tb, alpha, ma, mb, beta, mc);
                    close(want, get(b, mc), 1e-4 * Math.sqrt(k), "gemm " + m + "x" + n + "x" + k + " ta=" + ta + " tb=" + tb);
                }
            }
        }
    }

    static float[] twinGemm(boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, float[] b, float beta, float[] c) {
        Matrix ma = put(CPU, ta ? k : m, ta ? m : k, a), mb = put(CPU, tb ? n : k, tb ? k : n, b), mc = put(CPU, m, n, c);
        CPU.gemm(ta, tb, alpha, ma, mb, beta, mc);
        return get(CPU, mc);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void gemmWithBetaZeroIgnoresOldContents(String name) {
        try (Backend b = open(name)) {
            float[] nan = new float[4];
            java.util.Arrays.fill(nan, Float.NaN);
            Matrix a = put(b, 2, 2, new float[] {1, 2, 3, 4}), i = put(b, 2, 2, new float[] {1, 0, 0, 1}), c = put(b, 2, 2, nan);
            b.gemm(false, false, 1f, a, i, 0f, c);
            assertArrayEquals(new float[] {1, 2, 3, 4}, get(b, c));
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void elementwiseOpsMatchTwin(String name) {
        try (Backend b = open(name)) {
            Random r = new Random(11);
            for (int[] s : SHAPES) {
                int rows = s[0], cols = s[1];
                float[] z = random(r, rows * cols, 4), bias = random(r, cols, 1), y = labels(r, rows, cols);
                String shape = rows + "x" + cols;
                Matrix cz = put(CPU, rows, cols, z), cb = put(CPU, 1, cols, bias), gz = put(b, rows, cols, z), gb = put(b, 1, cols, bias);
                for (Activation f : Activation.values()) {
                    // biasActivation: z = f(z + bias)
                    Matrix fz = put(CPU, rows, cols, z), gfz = put(b, rows, cols, z);
                    CPU.biasActivation(fz, cb, f);
                    b.biasActivation(gfz, gb, f);
                    close(get(CPU, fz), get(b, gfz), 1e-6, "biasActivation " + f + " " + shape);
                    // hiddenStep: delta = g * f'(a), bias -= eta * column sums; a is f's value at z
                    float[] fa = get(CPU, fz);
                    Matrix cg = put(CPU, rows, cols, z), ca = put(CPU, rows, cols, fa), gg = put(b, rows, cols, z), ga = put(b, rows, cols, fa);
                    Matrix cbias = put(CPU, 1, cols, bias), gbias = put(b, 1, cols, bias);
                    CPU.hiddenStep(cg, ca, f, 0.05f, cbias);
                    b.hiddenStep(gg, ga, f, 0.05f, gbias);
                    close(get(CPU, cg), get(b, gg), 1e-6, "hiddenStep delta " + f + " " + shape);
                    close(get(CPU, cbias), get(b, gbias), 1e-5, "hiddenStep bias " + f + " " + shape);
                }
                for (Output out : Output.values()) {
                    // outputStep: a = sigmoid(z + bias) or softmax(z + bias), delta = a - onehot, bias -= eta * column sums
                    Matrix cy = put(CPU, rows, 1, y), gy = put(b, rows, 1, y), cd = CPU.matrix(rows, cols), gd = b.matrix(rows, cols);
                    Matrix co1 = put(CPU, rows, cols, z), go1 = put(b, rows, cols, z);
                    Matrix cbias = put(CPU, 1, cols, bias), gbias = put(b, 1, cols, bias);
                    CPU.outputStep(co1, cbias, cy, out, 0.05f, cd);
                    b.outputStep(go1, gbias, gy, out, 0.05f, gd);
                    close(get(CPU, co1), get(b, go1), 1e-6, "outputStep activation " + out + " " + shape);
                    close(get(CPU, cd), get(b, gd), 1e-6, "outputStep delta " + out + " " + shape);
                    close(get(CPU, cbias), get(b, gbias), 1e-5, "outputStep bias " + out + " " + shape);
                }
                // rowArgmax
                Matrix co = CPU.matrix(rows, 1), go = b.matrix(rows, 1);
                CPU.rowArgmax(cz, co);
                b.rowArgmax(gz, go);
                assertArrayEquals(get(CPU, co), get(b, go), "rowArgmax " + shape);
            }
        }
    }

    /**
     * The layer ops with their GEMMs: against the CPU backend's GEMMs-then-step, on products small enough
     * for a backend to fold into the step (the book's 100 x 100 x 10 and 100 x 10 x 100) and too large
     * for that (k = 784, or 5000 rows), and a forward pass with k split (the book's 100 x 784 x 100).
     */
    @ParameterizedTest
    @MethodSource("backends")
    void layerStepsMatchTwinWithTheirGemm(String name) {
        try (Backend b = open(name)) {
            Random r = new Random(17);
            int[][] rkc = {{100, 100, 10}, {100, 10, 100}, {37, 129, 33}, {1, 1, 1}, {257, 784, 10}, {5000, 10, 10}, {100, 784, 100}};
            for (int[] s : rkc) {
                int rows = s[0], k = s[1], cols = s[2];
                String shape = rows + "x" + k + "x" + cols;
                float[] x = random(r, rows * k, 1), w = random(r, k * cols, 0.3f), bias = random(r, cols, 1), y = labels(r, rows, cols);
                float[] act = random(r, rows * cols, 1);
                Matrix cx = put(CPU, rows, k, x), cw = put(CPU, k, cols, w), cb = put(CPU, 1, cols, bias), cy = put(CPU, rows, 1, y);
                Matrix gx = put(b, rows, k, x), gw = put(b, k, cols, w), gb = put(b, 1, cols, bias), gy = put(b, rows, 1, y);
                Matrix cz = CPU.matrix(rows, cols), cd = CPU.matrix(rows, cols), gz = b.matrix(rows, cols), gd = b.matrix(rows, cols);
                // layerForward: z = f(x w + bias), every activation (identity: the logits)
                for (Activation f : Activation.values()) {
                    CPU.layerForward(cx, cw, cb, f, cz);
                    b.layerForward(gx, gw, gb, f, gz);
                    close(get(CPU, cz), get(b, gz), 1e-5 * Math.sqrt(k), "layerForward " + f + " " + shape);
                }
                // outputLayerStep: z = x w, a = sigmoid(z + bias) or softmax, delta = a - onehot, bias step
                for (Output out : Output.values()) {
                    Matrix ob = put(CPU, 1, cols, bias), gob = put(b, 1, cols, bias);
                    CPU.outputLayerStep(cx, cw, ob, cy, out, 0.05f, cz, cd);
                    b.outputLayerStep(gx, gw, gob, gy, out, 0.05f, gz, gd);
                    close(get(CPU, cz), get(b, gz), 1e-5, "outputLayerStep activation " + out + " " + shape);
                    close(get(CPU, cd), get(b, gd), 1e-5, "outputLayerStep delta " + out + " " + shape);
                    close(get(CPU, ob), get(b, gob), 1e-4, "outputLayerStep bias " + out + " " + shape);
                }
                // hiddenLayerStep: g = dNext wNext', wNext = decay wNext - eta a' dNext, g *= f'(a), bias step
                // (dNext rows x k, wNext cols x k); sigmoid and ReLU (its derivative has a step) values
                for (Activation f : new Activation[] {Activation.SIGMOID, Activation.RELU}) {
                    Matrix fa = put(CPU, rows, cols, act);
                    CPU.biasActivation(fa, CPU.matrix(1, cols), f);
                    float[] av = get(CPU, fa);
                    Matrix cdn = put(CPU, rows, k, x), cwn = put(CPU, cols, k, w), ca = put(CPU, rows, cols, av);
                    Matrix gdn = put(b, rows, k, x), gwn = put(b, cols, k, w), ga = put(b, rows, cols, av);
                    cb = put(CPU, 1, cols, bias);
                    gb = put(b, 1, cols, bias);
                    Matrix cg = CPU.matrix(rows, cols), gg = b.matrix(rows, cols);
                    CPU.hiddenLayerStep(cdn, cwn, 0.99f, ca, f, 0.05f, cb, cg);
                    b.hiddenLayerStep(gdn, gwn, 0.99f, ga, f, 0.05f, gb, gg);
                    close(get(CPU, cg), get(b, gg), 1e-5 * Math.sqrt(k), "hiddenLayerStep delta " + f + " " + shape);
                    close(get(CPU, cwn), get(b, gwn), 1e-4, "hiddenLayerStep weights " + f + " " + shape);
                    close(get(CPU, cb), get(b, gb), 1e-4, "hiddenLayerStep bias " + f + " " + shape);
                }
            }
        }
    }

    /**
     * The hyperparameters {@link Backend#optimize} reads: these rates, momentum 0.9, Adam's betas 0.9 and 0.999 and
     * epsilon 1e-8, and the betas' powers after {@code stepsDone} steps.
     */
    private static float[] hyper(float eta, float gradientScale, float l2, int stepsDone) {
        float[] h = new float[Backend.Hyper.values().length];
        h[Backend.Hyper.ETA.ordinal()] = eta;
        h[Backend.Hyper.GRADIENT_SCALE.ordinal()] = gradientScale;
        h[Backend.Hyper.L2.ordinal()] = l2;
        h[Backend.Hyper.MOMENTUM.ordinal()] = 0.9f;
        h[Backend.Hyper.BETA1.ordinal()] = 0.9f;
        h[Backend.Hyper.BETA2.ordinal()] = 0.999f;
        h[Backend.Hyper.EPSILON.ordinal()] = 1e-8f;
        // as the trainer sets them (DeviceNet.Optimizing.set)
        h[Backend.Hyper.BETA1_POWER.ordinal()] = (float) StrictMath.pow(h[Backend.Hyper.BETA1.ordinal()], stepsDone);
        h[Backend.Hyper.BETA2_POWER.ordinal()] = (float) StrictMath.pow(h[Backend.Hyper.BETA2.ordinal()], stepsDone);
        return h;
    }

    /** Every optimizer's step, twice (so the state carries), L2 on and off, against the CPU twin. */
    @ParameterizedTest
    @MethodSource("backends")
    void optimizerStepsMatchTwin(String name) {
        try (Backend b = open(name)) {
            Random r = new Random(23);
            int rows = 37, cols = 45;
            float[] hyper = hyper(0.01f, 0.5f, 0.1f, 0);
            for (org.mlp4j.Optimizer kind : org.mlp4j.Optimizer.values()) {
                for (boolean decay : new boolean[] {true, false}) {
                    float[] p = random(r, rows * cols, 1);
                    Matrix cp = put(CPU, rows, cols, p), gp = put(b, rows, cols, p);
                    Matrix cs1 = CPU.matrix(rows, cols), cs2 = CPU.matrix(rows, cols), gs1 = b.matrix(rows, cols), gs2 = b.matrix(rows, cols);
                    Matrix ch = put(CPU, 1, hyper.length, hyper), gh = put(b, 1, hyper.length, hyper);
                    for (int step = 0; step < 2; step++) {
                        float[] g = random(r, rows * cols, 1);
                        Matrix cg = put(CPU, rows, cols, g), gg = put(b, rows, cols, g);
                        CPU.advance(ch);
                        b.advance(gh);
                        CPU.optimize(cp, cg, cs1, cs2, ch, kind, decay);
                        b.optimize(gp, gg, gs1, gs2, gh, kind, decay);
                        String what = kind + (decay ? " with L2" : "") + " step " + (step + 1);
                        close(get(CPU, cp), get(b, gp), 1e-5, what + " parameters");
                        assertArrayEquals(new float[rows * cols], get(b, gg), what + ": the gradient is zeroed");
                        if (kind != org.mlp4j.Optimizer.SGD) {
                            close(get(CPU, cs1), get(b, gs1), 1e-5, what + " state 1");
                        }
                        if (kind == org.mlp4j.Optimizer.ADAM) {
                            close(get(CPU, cs2), get(b, gs2), 1e-6, what + " state 2");
                        }
                    }
                    float[] h = get(b, gh);
                    assertEquals(0.9f * 0.9f, h[Backend.Hyper.BETA1_POWER.ordinal()], "advance multiplies beta1^t by beta1");
                    assertEquals(0.999f * 0.999f, h[Backend.Hyper.BETA2_POWER.ordinal()], "advance multiplies beta2^t by beta2");
                }
            }
        }
    }

    /**
     * Adam's first steps from zero parameters, as biases start: each step is about eta * sign(g) there, and
     * a bias correction 1 - beta2^t an ulp off at t = 1 changes it by far more than rounding, which
     * {@link #optimizerStepsMatchTwin}'s tolerance on parameters near 1 cannot see. Also from t = 1000, as
     * a resumed run sets the powers.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void adamStepsMatchTwinFromZeroParameters(String name) {
        try (Backend b = open(name)) {
            Random r = new Random(29);
            int n = 1000;
            for (int stepsDone : new int[] {0, 1000}) {
                float[] hyper = hyper(0.001f, 0.01f, 0f, stepsDone);
                Matrix cp = CPU.matrix(1, n), gp = b.matrix(1, n);
                Matrix cs1 = CPU.matrix(1, n), cs2 = CPU.matrix(1, n), gs1 = b.matrix(1, n), gs2 = b.matrix(1, n);
                Matrix ch = put(CPU, 1, hyper.length, hyper), gh = put(b, 1, hyper.length, hyper);
                for (int step = 1; step <= 3; step++) {
                    float[] g = random(r, n, 1);
                    CPU.advance(ch);
                    b.advance(gh);
                    CPU.optimize(cp, put(CPU, 1, n, g), cs1, cs2, ch, org.mlp4j.Optimizer.ADAM, false);
                    b.optimize(gp, put(b, 1, n, g), gs1, gs2, gh, org.mlp4j.Optimizer.ADAM, false);
                    float[] want = get(CPU, cp), got = get(b, gp);
                    for (int i = 0; i < n; i++) {
                        // each step is at most about eta: rounding (division and sqrt may be a few ulp off on a GPU) stays
                        // far below 2e-6 of it, a bias correction an ulp off at t = 1 far above
                        assertEquals(want[i], got[i], 2e-6 * 0.001, "Adam from t = " + stepsDone + ", step " + step + ", parameter " + i);
                    }
                }
            }
        }
    }

    /**
     * Backend.evaluate against the CPU's layer ops, cost and countCorrect, for networks the GPU backends finish in
     * one launch after a layer's product (up to 16 outputs, one to three layers: sigmoid and softmax, ReLU and tanh
     * hidden units, a row or thousands) and for ones they do not (17 outputs; output products of over 4,096
     * multiply-adds a row); twice into the same slots, and once without the cost. The counts may differ only on
     * rows whose two largest logits lie within rounding.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void evaluateMatchesTheLayerOps(String name) {
        Object[][] nets = {{new int[] {30, 1}, 1, Activation.SIGMOID, Output.SIGMOID}, {new int[] {50, 10}, 7, Activation.SIGMOID, Output.SOFTMAX},
            {new int[] {37, 20, 10}, 5000, Activation.SIGMOID, Output.SIGMOID}, {new int[] {37, 20, 16}, 300, Activation.RELU, Output.SOFTMAX},
            {new int[] {9, 33, 2}, 129, Activation.TANH, Output.SIGMOID}, {new int[] {37, 20, 17}, 100, Activation.SIGMOID, Output.SIGMOID},
            {new int[] {20, 8, 6, 5}, 100, Activation.SIGMOID, Output.SOFTMAX}, {new int[] {12, 30, 40, 3}, 257, Activation.RELU, Output.SIGMOID},
            {new int[] {10, 500, 10}, 50, Activation.SIGMOID, Output.SIGMOID}};
        try (Backend b = open(name)) {
            Random r = new Random(17);
            for (Object[] net : nets) {
                int[] sizes = (int[]) net[0];
                int rows = (int) net[1], layers = sizes.length - 1, outputs = sizes[layers];
                Activation act = (Activation) net[2];
                Output output = (Output) net[3];
                float[] x = random(r, rows * sizes[0], 1), y = labels(r, rows, outputs);
                float[][] w = new float[layers][], bias = new float[layers][];
                for (int l = 0; l < layers; l++) {
                    w[l] = random(r, sizes[l] * sizes[l + 1], 0.5f);
                    bias[l] = random(r, sizes[l + 1], 0.5f);
                }
                double[] want = evaluate(CPU, sizes, rows, x, y, w, bias, act, output);
                double[] got = evaluate(b, sizes, rows, x, y, w, bias, act, output);
                // rows whose two largest logits (the CPU's) are within rounding may fall either way
                Matrix[] z = new Matrix[layers];
                Matrix in = put(CPU, rows, sizes[0], x);
                for (int l = 0; l < layers; l++) {
                    z[l] = CPU.matrix(rows, sizes[l + 1]);
                    CPU.layerForward(in, put(CPU, sizes[l], sizes[l + 1], w[l]), put(CPU, 1, sizes[l + 1], bias[l]),
                            l + 1 < layers ? act : Activation.IDENTITY, z[l]);
                    in = z[l];
                }
                float[] logits = get(CPU, in);
                int close = 0;
                for (int i = 0; i < rows; i++) {
                    float first = Float.NEGATIVE_INFINITY, second = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < outputs; j++) {
                        float v = logits[i * outputs + j];
                        second = v > first ? first : Math.max(second, v);
                        first = Math.max(first, v);
                    }
                    close += first - second < 1e-4f * Math.max(1f, Math.abs(first)) ? 1 : 0;
                }
                String what = name + " " + java.util.Arrays.toString(sizes) + " " + act + " " + output + " on " + rows;
                assertEquals(want[0], got[0], 1e-5 * Math.abs(want[0]) + 1e-3, "cost, twice, " + what);
                assertEquals(want[1], got[1], 2 * close, "correct, twice, " + what);
                assertEquals(0.3125, got[2], 0.0, "an untouched slot, " + what);
                assertEquals(want[3], got[3], close, "correct without the cost, " + what);
            }
        }
    }

    /** Backend.evaluate of the network twice into slots 0 and 1, then once into slot 3 without the cost; slot 2 holds 0.3125. */
    private static double[] evaluate(Backend b, int[] sizes, int rows, float[] x, float[] y, float[][] w, float[][] bias, Activation act, Output output) {
        int layers = sizes.length - 1;
        Matrix[] mw = new Matrix[layers], mb = new Matrix[layers], z = new Matrix[layers];
        for (int l = 0; l < layers; l++) {
            mw[l] = put(b, sizes[l], sizes[l + 1], w[l]);
            mb[l] = put(b, 1, sizes[l + 1], bias[l]);
            z[l] = b.matrix(rows, sizes[l + 1]);
        }
        Matrix mx = put(b, rows, sizes[0], x), my = put(b, rows, 1, y), three = put(b, 1, 2, new float[] {0.5f, 0.25f});
        Accumulator acc = b.accumulator(4);
        b.reset(acc);
        b.sumOfSquares(three, acc, 2);
        for (int rep = 0; rep < 2; rep++) {
            b.evaluate(mx, mw, mb, act, output, my, z, acc, 0, 1);
        }
        b.evaluate(mx, mw, mb, act, output, my, z, acc, -1, 3);
        return b.read(acc);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void reductionsMatchTwinAndAccumulate(String name) {
        try (Backend b = open(name)) {
            Random r = new Random(13);
            for (int[] s : SHAPES) {
                int rows = s[0], cols = s[1];
                float[] z = random(r, rows * cols, 5), y = labels(r, rows, cols);
                // make some rows' argmax the label so countCorrect sees hits
                for (int i = 0; i < rows; i += 2) {
                    z[i * cols + (int) y[i]] = 50f;
                }
                Accumulator ca = CPU.accumulator(4), ga = b.accumulator(4);
                CPU.reset(ca);
                b.reset(ga);
                Matrix cz = put(CPU, rows, cols, z), cy = put(CPU, rows, 1, y), gz = put(b, rows, cols, z), gy = put(b, rows, 1, y);
                for (int rep = 0; rep < 2; rep++) {
                    CPU.cost(cz, cy, Output.SIGMOID, ca, 0);
                    CPU.countCorrect(cz, cy, ca, 1);
                    CPU.sumOfSquares(cz, ca, 2);
                    CPU.cost(cz, cy, Output.SOFTMAX, ca, 3);
                    b.cost(gz, gy, Output.SIGMOID, ga, 0);
                    b.countCorrect(gz, gy, ga, 1);
                    b.sumOfSquares(gz, ga, 2);
                    b.cost(gz, gy, Output.SOFTMAX, ga, 3);
                }
                double[] want = CPU.read(ca), got = b.read(ga);
                String shape = rows + "x" + cols;
                assertEquals(want[0], got[0], 1e-5 * Math.abs(want[0]) + 1e-3, "logistic cost " + shape);
                assertEquals(want[3], got[3], 1e-5 * Math.abs(want[3]) + 1e-3, "cross-entropy " + shape);
                assertEquals(want[1], got[1], 0.0, "countCorrect " + shape);
                assertEquals(want[2], got[2], 1e-5 * Math.abs(want[2]), "sumOfSquares " + shape);
                b.reset(ga);
                assertArrayEquals(new double[4], b.read(ga), "reset");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void gatherCopiesFloatFeaturesAndIntLabels(String name) {
        try (Backend b = open(name)) {
            int count = 50, features = 3;
            float[] x = new float[count * features];
            int[] y = new int[count];
            for (int i = 0; i < x.length; i++) {
                x[i] = i * 0.25f - 7.5f;
            }
            for (int i = 0; i < count; i++) {
                y[i] = 1000 + i; // labels past uint8
            }
            Examples e = b.upload(x, y, count, features);
            Order order = b.order(count);
            int[] reversed = new int[count];
            for (int i = 0; i < count; i++) {
                reversed[i] = count - 1 - i;
            }
            b.upload(reversed, order);
            Matrix gx = b.matrix(4, features), gy = b.matrix(4, 1);
            b.gather(e, order, 10, gx, gy);
            float[] rows = get(b, gx);
            for (int r = 0; r < 4; r++) {
                int example = count - 1 - (10 + r);
                for (int f = 0; f < features; f++) {
                    assertEquals(x[example * features + f], rows[r * features + f], "row " + r + " feature " + f + " exactly");
                }
                assertEquals(1000 + example, get(b, gy)[r]);
            }
            assertThrows(IllegalArgumentException.class, () -> b.upload(x, y, count + 1, features));
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void gatherScalesPixelsAndFollowsTheOrder(String name) {
        try (Backend b = open(name)) {
            Random r = new Random(17);
            int count = 301, features = 785; // byte arrays of odd sizes: no allocation may assume whole floats
            byte[] pixels = new byte[count * features], lab = new byte[count];
            r.nextBytes(pixels);
            for (int i = 0; i < count; i++) {
                lab[i] = (byte) r.nextInt(256);
            }
            int[] order = new int[count];
            for (int i = 0; i < count; i++) {
                order[i] = (i * 7919) % count;
            }
            Examples ce = CPU.upload(pixels, lab, count, features), ge = b.upload(pixels, lab, count, features);
            Order co = CPU.order(count), go = b.order(count);
            CPU.upload(order, co);
            b.upload(order, go);
            int rows = 133, offset = 101;
            Matrix cx = CPU.matrix(rows, features), cy = CPU.matrix(rows, 1), gx = b.matrix(rows, features), gy = b.matrix(rows, 1);
            CPU.gather(ce, co, offset, cx, cy);
            b.gather(ge, go, offset, gx, gy);
            close(get(CPU, cx), get(b, gx), 1e-6, "gather pixels");
            assertArrayEquals(get(CPU, cy), get(b, gy), "gather labels");
            float[] x = get(b, gx);
            int first = order[offset];
            assertEquals(((pixels[first * features] & 0xff) / 255f - 0.5f) * 2f, x[0], 1e-6);
            assertThrows(IllegalArgumentException.class, () -> b.gather(ge, go, count - 10, gx, gy));
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void prefixViewsShareMemoryAndShapesAreChecked(String name) {
        try (Backend b = open(name)) {
            Matrix m = put(b, 4, 3, new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
            Matrix head = m.prefix(2);
            assertEquals(2, head.rows());
            b.biasActivation(head, put(b, 1, 3, new float[] {1, 1, 1}), Activation.IDENTITY);
            assertArrayEquals(new float[] {2, 3, 4, 5, 6, 7, 7, 8, 9, 10, 11, 12}, get(b, m));
            assertThrows(IllegalArgumentException.class, () -> b.gemm(false, false, 1f, m, m, 0f, m));
            assertThrows(IllegalArgumentException.class, () -> b.biasActivation(m, b.matrix(1, 4), Activation.IDENTITY));
            assertThrows(IllegalArgumentException.class, () -> m.prefix(5));
            assertThrows(IllegalArgumentException.class, () -> m.rows(3, 2));
            // a row range in the middle works as a matrix of its own for every kind of op
            Matrix mid = m.rows(1, 2);
            Matrix eye = put(b, 3, 3, new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1});
            Matrix out = b.matrix(4, 3);
            b.gemm(false, false, 2f, mid, eye, 0f, out.rows(2, 2));
            assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0, 10, 12, 14, 14, 16, 18}, get(b, out));
            b.gemm(true, false, 1f, mid, mid.rows(0, 2), 0f, eye);
            assertArrayEquals(new float[] {74, 86, 98, 86, 100, 114, 98, 114, 130}, get(b, eye));
            Matrix y = put(b, 4, 1, new float[] {0, 2, 1, 0});
            Matrix delta = b.matrix(4, 3);
            Matrix bias = put(b, 1, 3, new float[] {0, 0, 0});
            b.outputStep(m.rows(2, 2), bias, y.rows(2, 2), Output.SIGMOID, 0f, delta.rows(2, 2));
            float[] d = get(b, delta);
            assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0}, java.util.Arrays.copyOf(d, 6));
            assertEquals(1 / (1 + Math.exp(-8)) - 1, d[7], 1e-6, "label 1 of row 2");
            float[] x = get(b, m);
            assertEquals(5f, x[3], "row 1 untouched by a view of rows 2..3");
            assertEquals(1 / (1 + Math.exp(-7)), x[6], 1e-6);
        }
    }

    /**
     * The device names the backend and stays as it was while the backend works (a fault is remembered by it for later
     * runs), where the description comes to say what the backend chose and timed.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void theDeviceIsNamedTheSameBeforeAndAfterWork(String name) {
        try (Backend b = open(name)) {
            String device = b.device();
            assertTrue(device.startsWith(name), device);
            Matrix a = put(b, 2, 3, new float[] {1, 2, 3, 4, 5, 6}), c = b.matrix(2, 2);
            b.gemm(false, true, 1f, a, a, 0f, c);
            assertArrayEquals(new float[] {14, 32, 32, 77}, get(b, c));
            assertEquals(device, b.device());
        }
    }

    /**
     * A recorded program replays its work, in order, each time; a mark taken after each replay and awaited after later
     * ones are issued (as the trainer awaits a segment's with the next issued) follows the work before it, and a mark
     * within a recording is refused, since a replay would not make one.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void recordedProgramsReplayTheSameWorkAndMarksFollowIt(String name) {
        try (Backend b = open(name)) {
            Matrix m = put(b, 2, 2, new float[] {1, 2, 3, 4});
            Matrix one = put(b, 1, 2, new float[] {1, 1});
            Accumulator acc = b.accumulator(1);
            Backend.Program p = b.record(() -> {
                b.biasActivation(m, one, Activation.IDENTITY);
                b.sumOfSquares(m, acc, 0);
            });
            b.reset(acc);
            List<Backend.Mark> marks = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                p.run();
                marks.add(b.mark());
            }
            for (Backend.Mark mark : marks) {
                if (mark != null) {
                    mark.await();
                }
            }
            // recording runs nothing; each replay adds the bias once, then sums the squares
            assertArrayEquals(new float[] {4, 5, 6, 7}, get(b, m));
            assertEquals(4 + 9 + 16 + 25 + 9 + 16 + 25 + 36 + 16 + 25 + 36 + 49, b.read(acc)[0], 1e-9, "replays after the reset");
            // a backend that captures (CUDA graphs) falls back to eager replays when capture fails: a slowdown to catch here
            assertFalse(b.description().contains("capture failed"), b.description());
            if (!name.equals("cpu")) {  // the cpu's recording runs nothing
                assertThrows(IllegalStateException.class, () -> b.record(b::mark));
            }
        }
    }
}
