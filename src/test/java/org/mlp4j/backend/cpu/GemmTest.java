package org.mlp4j.backend.cpu;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every element of a GEMM is its sum over k taken in order (an FMA chain with the Vector API kernels,
 * multiply then add with the scalar ones), then alpha and beta: so the same bits whatever the thread count,
 * the blocking of k and of the columns (k = 600 and n = 700 span several blocks) and the edges.
 */
class GemmTest {
    @Test
    void vectorKernelsSumEachElementAsOneFmaChain() {
        check(new VectorKernels(), true);
    }

    @Test
    void scalarKernelsSumEachElementByMultiplyThenAdd() {
        check(new ScalarKernels(), false);
    }

    private static void check(Kernels kernels, boolean fma) {
        Random r = new Random(5);
        int[][] mnk = {{13, 700, 600}, {100, 100, 784}, {7, 5, 3}, {6, 32, 1}, {1, 1, 1}};
        for (int[] s : mnk) {
            int m = s[0], n = s[1], k = s[2];
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                float[] a = random(r, m * k), b = random(r, k * n), c0 = random(r, m * n);
                for (float beta : new float[] {0f, 0.75f}) {
                    for (int threads = 1; threads <= 3; threads++) {
                        float[] c = c0.clone();
                        try (Workers workers = new Workers(threads)) {
                            new Gemm(kernels, workers).run(ta, tb, m, n, k, -0.5f, a, 0, b, 0, beta, c, 0, null);
                        }
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < n; j++) {
                                float sum = 0f;
                                for (int p = 0; p < k; p++) {
                                    float av = ta ? a[p * m + i] : a[i * k + p];
                                    float bv = tb ? b[j * k + p] : b[p * n + j];
                                    sum = fma ? Math.fma(av, bv, sum) : sum + av * bv;
                                }
                                float v = -0.5f * sum;
                                float want = beta == 0f ? v : fma ? Math.fma(c0[i * n + j], beta, v) : v + beta * c0[i * n + j];
                                if (Float.floatToIntBits(want) != Float.floatToIntBits(c[i * n + j])) {
                                    throw new AssertionError(kernels.name() + ": gemm " + m + "x" + n + "x" + k + " t=" + t + " beta " + beta
                                            + ", " + threads + " threads, at " + i + "," + j + ": " + c[i * n + j] + " not " + want);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }
}
