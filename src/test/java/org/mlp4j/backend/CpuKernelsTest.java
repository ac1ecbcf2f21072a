package org.mlp4j.backend;

import org.mlp4j.Activation;
import org.mlp4j.Output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mlp4j.backend.cpu.CpuBackend;

/** The CPU backend (the twin every GPU kernel is tested against) checked against the plain definitions. */
class CpuKernelsTest {
    @Test
    void gemmMatchesTheDefinitionInDouble() {
        try (CpuBackend cpu = new CpuBackend(2)) {
            Random r = new Random(3);
            int[][] mnk = {{1, 1, 1}, {5, 3, 2}, {100, 100, 784}, {784, 100, 100}, {101, 17, 33}, {64, 48, 1}};
            for (int[] s : mnk) {
                for (int t = 0; t < 4; t++) {
                    boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                    int m = s[0], n = s[1], k = s[2];
                    float[] a = BackendContractTest.random(r, m * k, 1), b = BackendContractTest.random(r, k * n, 1);
                    float[] c = BackendContractTest.random(r, m * n, 1);
                    float[] got = gemm(cpu, ta, tb, m, n, k, 0.5f, a, b, 2f, c);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double sum = 0;
                            for (int p = 0; p < k; p++) {
                                double av = ta ? a[p * m + i] : a[i * k + p];
                                double bv = tb ? b[j * k + p] : b[p * n + j];
                                sum += av * bv;
                            }
                            double want = 0.5 * sum + 2 * c[i * n + j];
                            assertEquals(want, got[i * n + j], 1e-4 * Math.sqrt(k) * Math.max(1, Math.abs(want)),
                                    "gemm " + m + "x" + n + "x" + k + " t=" + t + " at " + i + "," + j);
                        }
                    }
                }
            }
        }
    }

    /** {@code alpha * op(A) * op(B) + beta * C} on the backend, A and B given as stored (k x m when transposed). */
    private static float[] gemm(CpuBackend cpu, boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, float[] b,
                                float beta, float[] c) {
        Matrix mc = BackendContractTest.put(cpu, m, n, c);
        cpu.gemm(ta, tb, alpha, BackendContractTest.put(cpu, ta ? k : m, ta ? m : k, a),
                BackendContractTest.put(cpu, tb ? n : k, tb ? k : n, b), beta, mc);
        return BackendContractTest.get(cpu, mc);
    }

    @Test
    void elementwiseOpsFollowTheBook() {
        try (CpuBackend cpu = new CpuBackend(1)) {
            Matrix z = BackendContractTest.put(cpu, 2, 3, new float[] {0, 1, -1, 30, -30, 2});
            cpu.biasActivation(z, BackendContractTest.put(cpu, 1, 3, new float[] {0, 0, 1}), Activation.SIGMOID);
            float[] a = BackendContractTest.get(cpu, z);
            assertEquals(0.5, a[0], 1e-7);
            assertEquals(1 / (1 + Math.exp(-1)), a[1], 1e-7);
            assertEquals(0.5, a[2], 1e-7);
            assertEquals(1 / (1 + Math.exp(28)), a[4], 1e-9);
            Matrix y = BackendContractTest.put(cpu, 2, 1, new float[] {2, 0});
            Matrix out = BackendContractTest.put(cpu, 2, 3, new float[] {0, 1, -1, 30, -30, 2});
            Matrix bias = BackendContractTest.put(cpu, 1, 3, new float[] {0, 0, 1});
            Matrix d = cpu.matrix(2, 3);
            cpu.outputStep(out, bias, y, Output.SIGMOID, 0.5f, d);
            float[] dd = BackendContractTest.get(cpu, d);
            assertEquals(a[2] - 1, dd[2], 1e-7);
            assertEquals(a[0], dd[0], 1e-7);
            assertEquals(a[3] - 1, dd[3], 1e-7);
            float[] b = BackendContractTest.get(cpu, bias);
            assertEquals(0 - 0.5 * (dd[0] + dd[3]), b[0], 1e-6);
            assertEquals(1 - 0.5 * (dd[2] + dd[5]), b[2], 1e-6);
            Matrix g = BackendContractTest.put(cpu, 2, 3, new float[] {1, 2, 3, 4, 5, 6});
            Matrix hb = BackendContractTest.put(cpu, 1, 3, new float[] {0, 0, 0});
            cpu.hiddenStep(g, z, Activation.SIGMOID, 2f, hb);
            float[] gd = BackendContractTest.get(cpu, g);
            assertEquals(3 * a[2] * (1 - a[2]), gd[2], 1e-7);
            assertEquals(-2 * (gd[1] + gd[4]), BackendContractTest.get(cpu, hb)[1], 1e-6);
            Backend.Accumulator acc = cpu.accumulator(2);
            Matrix logits = BackendContractTest.put(cpu, 1, 2, new float[] {3, -2});
            Matrix label = BackendContractTest.put(cpu, 1, 1, new float[] {0});
            cpu.cost(logits, label, Output.SIGMOID, acc, 0);
            cpu.countCorrect(logits, label, acc, 1);
            double s3 = 1 / (1 + Math.exp(-3)), sm2 = 1 / (1 + Math.exp(2));
            assertEquals(-Math.log(s3) - Math.log(1 - sm2), cpu.read(acc)[0], 1e-9);
            assertEquals(1.0, cpu.read(acc)[1]);
            // the softmax's cross-entropy: -log(e^3 / (e^3 + e^-2))
            cpu.reset(acc);
            cpu.cost(logits, label, Output.SOFTMAX, acc, 0);
            assertEquals(-Math.log(Math.exp(3) / (Math.exp(3) + Math.exp(-2))), cpu.read(acc)[0], 1e-9);
            // the softmax output: rows of e^(z + b) / sum, delta = a - onehot
            Matrix sz = BackendContractTest.put(cpu, 1, 3, new float[] {1, 2, 3});
            Matrix sd = cpu.matrix(1, 3);
            cpu.outputStep(sz, BackendContractTest.put(cpu, 1, 3, new float[] {0, 0, 0}), BackendContractTest.put(cpu, 1, 1, new float[] {1}),
                    Output.SOFTMAX, 0f, sd);
            double sum = Math.exp(1) + Math.exp(2) + Math.exp(3);
            assertEquals(Math.exp(2) / sum, BackendContractTest.get(cpu, sz)[1], 1e-6);
            assertEquals(Math.exp(2) / sum - 1, BackendContractTest.get(cpu, sd)[1], 1e-6);
            assertTrue(cpu.description().startsWith("cpu"));
        }
    }

    /**
     * The cost against its definition unit by unit, in StrictMath: rows wider than the units whose product
     * one log covers (so a product of all of them would overflow), logits large enough that e^z overflows, and infinities.
     */
    @Test
    void costMatchesTheDefinitionOnWideRowsAndExtremeLogits() {
        Random r = new Random(11);
        int rows = 7, cols = 1500;
        float[] z = logits(r, rows, cols);
        // a row of zeros: each unit's factor 1 + e^0 is 2, and 2^1500 overflows a double
        java.util.Arrays.fill(z, 3 * cols, 4 * cols, 0f);
        z[5] = 1000f;
        z[cols + 9] = -1000f;
        z[2 * cols] = Float.NEGATIVE_INFINITY;
        try (CpuBackend cpu = new CpuBackend(1)) {
            assertCostIsTheDefinition(cpu, z, labels(r, rows, cols), cols);
        }
    }

    /**
     * Rows as narrow as the book's, many to a log, the last block of rows short: the definition again, and the
     * same bits on one thread and on two.
     */
    @Test
    void costOfNarrowRowsIsTheSameOnAnyThreadCount() {
        Random r = new Random(12);
        int rows = 1003, cols = 10;
        float[] z = logits(r, rows, cols), y = labels(r, rows, cols);
        try (CpuBackend one = new CpuBackend(1); CpuBackend two = new CpuBackend(2)) {
            double[] a = assertCostIsTheDefinition(one, z, y, cols), b = assertCostIsTheDefinition(two, z, y, cols);
            assertEquals(Double.doubleToRawLongBits(a[0]), Double.doubleToRawLongBits(b[0]));
            assertEquals(Double.doubleToRawLongBits(a[1]), Double.doubleToRawLongBits(b[1]));
        }
    }

    private static float[] logits(Random r, int rows, int cols) {
        float[] z = new float[rows * cols];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) (r.nextGaussian() * (i % 3 == 0 ? 300 : 3));
        }
        return z;
    }

    private static float[] labels(Random r, int rows, int cols) {
        float[] y = new float[rows];
        for (int row = 0; row < rows; row++) {
            y[row] = r.nextInt(cols);
        }
        return y;
    }

    /** The logistic and cross-entropy costs of z as the backend takes them, checked against the definitions. */
    private static double[] assertCostIsTheDefinition(CpuBackend cpu, float[] z, float[] y, int cols) {
        int rows = y.length;
        double logistic = 0, crossEntropy = 0;
        for (int row = 0; row < rows; row++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, z[row * cols + j]);
            }
            for (int j = 0; j < cols; j++) {
                double t = j == y[row] ? -(double) z[row * cols + j] : z[row * cols + j];
                logistic += Math.max(t, 0) + StrictMath.log1p(StrictMath.exp(-Math.abs(t)));
                sum += StrictMath.exp(z[row * cols + j] - max);
            }
            crossEntropy += max + StrictMath.log(sum) - z[row * cols + (int) y[row]];
        }
        Matrix logits = BackendContractTest.put(cpu, rows, cols, z), labels = BackendContractTest.put(cpu, rows, 1, y);
        Backend.Accumulator acc = cpu.accumulator(2);
        cpu.cost(logits, labels, Output.SIGMOID, acc, 0);
        cpu.cost(logits, labels, Output.SOFTMAX, acc, 1);
        double[] got = cpu.read(acc);
        assertEquals(logistic, got[0], 1e-12 * logistic);
        assertEquals(crossEntropy, got[1], 1e-12 * crossEntropy);
        return got;
    }

    /** One step of each optimizer by hand: the CPU twin every backend is checked against follows PyTorch's definitions. */
    @Test
    void optimizersFollowTheirDefinitions() {
        try (CpuBackend cpu = new CpuBackend(1)) {
            float[] h = {0.1f, 0.5f, 0.2f, 0.9f, 0.8f, 0.99f, 1e-8f, 1f, 1f}; // beta1^0, beta2^0
            for (org.mlp4j.Optimizer kind : org.mlp4j.Optimizer.values()) {
                Matrix p = BackendContractTest.put(cpu, 1, 1, new float[] {2f});
                Matrix s1 = BackendContractTest.put(cpu, 1, 1, new float[] {0.3f});
                Matrix s2 = BackendContractTest.put(cpu, 1, 1, new float[] {0.4f});
                Matrix hyper = BackendContractTest.put(cpu, 1, h.length, h.clone());
                cpu.advance(hyper);
                cpu.advance(hyper); // t = 2
                Matrix g = BackendContractTest.put(cpu, 1, 1, new float[] {4f});
                cpu.optimize(p, g, s1, s2, hyper, kind, true);
                double grad = 4 * 0.5 + 0.2 * 2; // scaled, plus L2
                double want = switch (kind) {
                    case SGD -> 2 - 0.1 * grad;
                    case MOMENTUM -> 2 - 0.1 * (0.9 * 0.3 + grad);
                    case NESTEROV -> 2 - 0.1 * (grad + 0.9 * (0.9 * 0.3 + grad));
                    case ADAM -> {
                        double m = 0.8 * 0.3 + 0.2 * grad, v = 0.99 * 0.4 + 0.01 * grad * grad;
                        yield 2 - 0.1 * (m / (1 - 0.8 * 0.8)) / (Math.sqrt(v / (1 - 0.99 * 0.99)) + 1e-8);
                    }
                };
                assertEquals(want, BackendContractTest.get(cpu, p)[0], 1e-5, kind.toString());
                assertEquals(0f, BackendContractTest.get(cpu, g)[0], kind + " zeroes the gradient");
            }
        }
    }

    /** Each activation's value and the derivative from it, against their definitions. */
    @Test
    void activationsFollowTheirDefinitions() {
        try (CpuBackend cpu = new CpuBackend(1)) {
            float[] v = {-3f, -0.5f, 0f, 0.7f, 4f};
            for (Activation f : Activation.values()) {
                Matrix z = BackendContractTest.put(cpu, 1, v.length, v.clone());
                cpu.biasActivation(z, cpu.matrix(1, v.length), f);
                float[] a = BackendContractTest.get(cpu, z);
                Matrix g = BackendContractTest.put(cpu, 1, v.length, new float[] {1, 1, 1, 1, 1});
                cpu.hiddenStep(g, z, f, 0f, cpu.matrix(1, v.length));
                float[] d = BackendContractTest.get(cpu, g);
                for (int i = 0; i < v.length; i++) {
                    double x = v[i], want, slope;
                    switch (f) {
                        case SIGMOID -> { want = 1 / (1 + Math.exp(-x)); slope = want * (1 - want); }
                        case TANH -> { want = Math.tanh(x); slope = 1 - want * want; }
                        case RELU -> { want = Math.max(x, 0); slope = x > 0 ? 1 : 0; }
                        case LEAKY_RELU -> { want = x > 0 ? x : 0.01 * x; slope = x > 0 ? 1 : 0.01; }
                        default -> { want = x; slope = 1; }
                    }
                    assertEquals(want, a[i], 1e-6, f + "(" + x + ")");
                    assertEquals(slope, d[i], 1e-6, f + "'(" + x + ")");
                }
            }
        }
    }
}
