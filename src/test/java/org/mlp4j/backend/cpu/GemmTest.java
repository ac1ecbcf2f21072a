package org.mlp4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every element of a GEMM is its sum over k taken in order (an FMA chain with the Vector API kernels, in tiles
 * of either height; multiply then add with the scalar ones), then alpha and beta: so the same bits whatever the
 * thread count, the blocking of k and of the columns (k = 600 and n = 700 span several blocks), of the rows (61
 * rows of k = 700 span two blocks of panels, but one on one thread when B is 130 columns wide), whether the
 * threads split the rows or the columns (n above m), the edges, where in their arrays the matrices begin and how
 * far apart their rows are (blocks of columns of wider matrices as well as whole ones), and where a large B is
 * read in slices; and each element, once final, takes the epilogue once.
 */
class GemmTest {
    @Test
    void vectorKernelsSumEachElementAsOneFmaChain() {
        VectorKernelsUnderTest.assumeUsed();
        check(new VectorKernels.SixRows(), true);
    }

    /** The tile for x86's 16 vector registers, whichever this machine takes. */
    @Test
    void fourRowVectorKernelsSumEachElementAsOneFmaChain() {
        VectorKernelsUnderTest.assumeUsed();
        check(new VectorKernels.FourRows(), true);
    }

    @Test
    void scalarKernelsSumEachElementByMultiplyThenAdd() {
        check(new ScalarKernels("the reference"), false);
    }

    /**
     * A B of 8 MiB or more read in slices that every block of panels passes: 1,100 columns in slices of a few strips,
     * the last slice shorter, on one thread (more threads split it by columns, each range too small to slice); and a k
     * so long that a slice is one strip, with the rows split between 1 to 3 threads. Neither transposed, and both.
     */
    @Test
    void largeBIsReadInSlicesToTheSameBits() {
        Kernels kernels = VectorKernelsUnderTest.used() ? VectorKernels.forThisMachine() : new ScalarKernels("the reference");
        check(kernels, VectorKernelsUnderTest.used(), new int[][] {{70, 1100, 2000}, {70, 64, 33000}}, new int[] {0, 3});
    }

    private static final float COLUMN = 0.25f;
    /** An epilogue that adds COLUMN times each element's column: it must run on each element once, after its sum. */
    private static final Gemm.Epilogue ADD_COLUMN = (c, ci, ldc, j, rows, cols) -> {
        for (int r = 0; r < rows; r++) {
            for (int q = 0; q < cols; q++) {
                c[ci + r * ldc + q] += COLUMN * (j + q);
            }
        }
    };

    private static void check(Kernels kernels, boolean fma) {
        // and one or two rows, which read B where it lies: one row of the book's layer, two of columns that end in a
        // part of a vector, and two of a B wide enough for the threads to split its columns; columns that end in one
        // to four vectors (20, 96) or that a last vector held back into the widest pass re-sums (66); three rows,
        // which do not
        int[][] mnk = {{13, 700, 600}, {100, 100, 784}, {61, 40, 700}, {61, 130, 700}, {7, 5, 3}, {6, 32, 1}, {1, 1, 1}, {1, 100, 784},
                {2, 133, 70}, {2, 1100, 300}, {1, 20, 50}, {2, 96, 30}, {1, 66, 40}, {3, 133, 70}};
        check(kernels, fma, mnk, new int[] {0, 1, 2, 3, 4, 5, 6, 7});
    }

    /** Each shape of MNK with each of TRANSPOSES (bit 0 A transposed, 1 B, 2 blocks of wider matrices). */
    private static void check(Kernels kernels, boolean fma, int[][] mnk, int[] transposes) {
        Random r = new Random(5);
        for (int[] s : mnk) {
            int m = s[0], n = s[1], k = s[2], ao = k % 7, bo = n % 5, co = m % 3;
            for (int t : transposes) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0, wide = (t & 4) != 0;
                // rows of stored A, B and C: their widths, or a few more where they are blocks of wider matrices
                int lda = (ta ? m : k) + (wide ? 3 : 0), ldb = (tb ? k : n) + (wide ? 5 : 0), ldc = n + (wide ? 2 : 0);
                float[] a = random(r, ao + (ta ? k : m) * lda + 3), b = random(r, bo + (tb ? n : k) * ldb + 2);
                float[] c0 = random(r, co + m * ldc + 1);
                for (float beta : new float[] {0f, 0.75f}) {
                    float[] want = new float[m * n];
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            float sum = 0f;
                            for (int p = 0; p < k; p++) {
                                float av = a[ao + (ta ? p * lda + i : i * lda + p)];
                                float bv = b[bo + (tb ? j * ldb + p : p * ldb + j)];
                                sum = fma ? Math.fma(av, bv, sum) : sum + av * bv;
                            }
                            float v = -0.5f * sum;
                            float old = c0[co + i * ldc + j];
                            want[i * n + j] = (beta == 0f ? v : fma ? Math.fma(old, beta, v) : v + beta * old) + COLUMN * j;
                        }
                    }
                    for (int threads = 1; threads <= 3; threads++) {
                        float[] c = c0.clone();
                        try (Workers workers = new Workers(threads)) {
                            new Gemm(kernels, workers).run(ta, tb, m, n, k, -0.5f, a, ao, lda, b, bo, ldb, beta, c, co, ldc, ADD_COLUMN);
                        }
                        for (int i = 0; i < c.length; i++) {
                            int row = (i - co) / ldc, col = (i - co) % ldc;
                            if ((i < co || row >= m || col >= n) && c[i] != c0[i]) {
                                throw new AssertionError(kernels.name() + ": gemm " + m + "x" + n + "x" + k + " wrote outside C at " + i);
                            }
                        }
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < n; j++) {
                                if (Float.floatToIntBits(want[i * n + j]) != Float.floatToIntBits(c[co + i * ldc + j])) {
                                    throw new AssertionError(kernels.name() + ": gemm " + m + "x" + n + "x" + k + " t=" + t + " beta " + beta
                                            + ", " + threads + " threads, at " + i + "," + j + ": " + c[co + i * ldc + j] + " not " + want[i * n + j]);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * B packed once and read so ({@link Gemm#runPacked}) gives run's bits; a GEMM writing a strip of packed B as a
     * matrix of its own (ldc the strip's width) changes those columns only; unpack gives B back.
     */
    @Test
    void packedBIsReadAndWrittenInPlace() {
        Random r = new Random(8);
        Kernels[] all = VectorKernelsUnderTest.used() ? new Kernels[] {new VectorKernels.SixRows(), new VectorKernels.FourRows(), new ScalarKernels("the reference")}
                : new Kernels[] {new ScalarKernels("the reference")};
        for (Kernels kernels : all) {
            Gemm gemm = new Gemm(kernels, new Workers(1));
            int c = kernels.tileCols();
            for (int[] s : new int[][] {{100, 64, 784}, {100, 36, 784}, {7, 5, 3}}) {
                int m = s[0], n = s[1], k = s[2], ldb = n + 3;
                float[] a = random(r, m * k), b = random(r, 2 + k * ldb), packed = new float[gemm.packedSize(n, k)];
                gemm.pack(b, 2, ldb, n, k, packed);
                float[] want = new float[m * n], got = new float[m * n];
                gemm.run(false, false, m, n, k, 1f, a, 0, k, b, 2, ldb, 0f, want, 0, n, null);
                gemm.runPacked(false, m, n, k, 1f, a, 0, k, packed, 0f, got, 0, n, null);
                assertArrayEquals(want, got, kernels.name() + ": " + m + "x" + n + "x" + k);
                // a step of B's last strip written into the packed strip, and into B itself
                int last = (n - 1) / c, cols = n - last * c;
                float[] d = random(r, m * n);
                gemm.run(true, false, k, cols, m, -0.5f, a, 0, k, d, last * c, n, 0.75f, packed, last * k * c, c, null);
                gemm.run(true, false, k, cols, m, -0.5f, a, 0, k, d, last * c, n, 0.75f, b, 2 + last * c, ldb, null);
                float[] back = b.clone();
                java.util.Arrays.fill(back, 2, back.length, 0f);
                gemm.unpack(packed, n, k, back, 2, ldb);
                for (int p = 0; p < k; p++) {
                    for (int j = 0; j < n; j++) {
                        assertEquals(b[2 + p * ldb + j], back[2 + p * ldb + j], kernels.name() + ": " + m + "x" + n + "x" + k + " at " + p + "," + j);
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
