package org.mlp4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mlp4j.Activation;

/** The CPU backend's own exp and sigmoid: accurate, and the same bits from the scalar and the Vector API kernels. */
class FixedExpTest {
    @Test
    void expIsWithinTwoUlpsOfTheTrueValue() {
        double worst = 0;
        for (float x = FixedExp.LO; x <= FixedExp.HI; x = Math.nextUp(x + 1e-3f)) {
            double want = StrictMath.exp(x);
            double ulps = Math.abs(FixedExp.exp(x) - want) / Math.ulp((float) want);
            worst = Math.max(worst, ulps);
        }
        assertTrue(worst < 2, "worst error " + worst + " ulp");
    }

    @Test
    void doubleExpIsWithinOneUlpOfStrictMath() {
        double worst = 0;
        for (double x = 0; x >= -700; x -= 0.0123) {
            worst = Math.max(worst, ulpsFromStrictMath(x));
        }
        Random r = new Random(3);
        for (int i = 0; i < 200_000; i++) {
            worst = Math.max(worst, ulpsFromStrictMath(-r.nextDouble() * (i % 2 == 0 ? 700 : 1)));
        }
        assertTrue(worst <= 1, "worst error " + worst + " ulp");
        assertEquals(1.0, FixedExp.expNonPositive(0));
        assertEquals(1.0, FixedExp.expNonPositive(-0.0));
        double tiny = FixedExp.expNonPositive(Double.NEGATIVE_INFINITY);
        assertTrue(tiny > 0 && tiny < 1e-300 && tiny == FixedExp.expNonPositive(-1e6), "clamped: " + tiny);
        assertTrue(Double.isNaN(FixedExp.expNonPositive(Double.NaN)));
    }

    private static double ulpsFromStrictMath(double x) {
        double want = StrictMath.exp(x);
        return Math.abs(FixedExp.expNonPositive(x) - want) / Math.ulp(want);
    }

    @Test
    void sigmoidSaturatesWithoutOverflow() {
        assertEquals(1f, FixedExp.sigmoid(1000f));
        assertEquals(0f, FixedExp.sigmoid(-1000f), 1e-37f);
        assertEquals(0.5f, FixedExp.sigmoid(0f));
        assertEquals(0f, FixedExp.sigmoid(Float.NEGATIVE_INFINITY), 1e-37f);
    }

    /**
     * Rows wider than a vector with a ragged end, whole vectors, rows narrower than a vector taken as one run
     * (ending mid-vector or not), a run shorter than a vector, a single row; away from the arrays' starts.
     */
    @Test
    void vectorAndScalarKernelsGiveTheSameBits() {
        Kernels vector = VectorKernelsUnderTest.best();
        Random r = new Random(5);
        int[][] shapes = {{37, 131}, {9, 32}, {100, 10}, {7, 10}, {3, 3}, {1, 100}, {50, 1}};
        int from = 3, bo = 2;
        for (int[] shape : shapes) {
            int rows = shape[0], cols = shape[1], to = from + rows * cols;
            float[] z = new float[to + 5];
            float[] bias = new float[bo + cols];
            for (int i = 0; i < z.length; i++) {
                z[i] = (float) (r.nextGaussian() * 30);
            }
            for (int j = 0; j < bias.length; j++) {
                bias[j] = (float) r.nextGaussian();
            }
            float[] a = z.clone(), b = z.clone();
            // many rounds, so the JIT compiles the vector kernel while the results are compared
            for (int round = 0; round < 1000; round++) {
                System.arraycopy(z, 0, a, 0, z.length);
                System.arraycopy(z, 0, b, 0, z.length);
                vector.biasSigmoid(a, from, to, bias, bo, cols);
                new ScalarKernels("the reference").biasSigmoid(b, from, to, bias, bo, cols);
                for (int i = 0; i < a.length; i++) {
                    if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                        throw new AssertionError(rows + "x" + cols + ", round " + round + ", element " + i + ": vector " + a[i] + ", scalar " + b[i]);
                    }
                }
            }
        }
    }

    /** The sigmoid layer's delta and bias sums: whole vectors and ragged widths, blocks of wider rows, sums not starting at zero. */
    @Test
    void sigmoidDeltaIsTheSameOnBothKernelSets() {
        Kernels vector = VectorKernelsUnderTest.best();
        Random r = new Random(6);
        int[][] shapes = {{100, 64, 100}, {100, 36, 100}, {7, 100, 100}, {5, 10, 13}, {3, 3, 3}};
        for (int[] shape : shapes) {
            int rows = shape[0], cols = shape[1], ld = shape[2], off = 2;
            float[] g = new float[off + rows * ld], a = new float[off + rows * ld], sums = new float[cols];
            for (int i = 0; i < g.length; i++) {
                g[i] = (float) r.nextGaussian();
                a[i] = r.nextFloat();
            }
            for (int j = 0; j < cols; j++) {
                sums[j] = (float) r.nextGaussian();
            }
            for (int round = 0; round < 300; round++) {
                float[] gv = g.clone(), gs = g.clone(), sv = sums.clone(), ss = sums.clone();
                vector.activationDelta(gv, off, ld, a, off, ld, rows, cols, Activation.SIGMOID, sv);
                new ScalarKernels("the reference").activationDelta(gs, off, ld, a, off, ld, rows, cols, Activation.SIGMOID, ss);
                for (int i = 0; i < g.length; i++) {
                    assertEquals(Float.floatToRawIntBits(gs[i]), Float.floatToRawIntBits(gv[i]), rows + "x" + cols + ": g[" + i + "]");
                }
                for (int j = 0; j < cols; j++) {
                    assertEquals(Float.floatToRawIntBits(ss[j]), Float.floatToRawIntBits(sv[j]), rows + "x" + cols + ": sums[" + j + "]");
                }
            }
            // and what it computes: the last row's first element
            float expected = g[off + (rows - 1) * ld] * (a[off + (rows - 1) * ld] * (1f - a[off + (rows - 1) * ld]));
            float[] gs = g.clone();
            new ScalarKernels("the reference").activationDelta(gs, off, ld, a, off, ld, rows, cols, Activation.SIGMOID, sums.clone());
            assertEquals(expected, gs[off + (rows - 1) * ld]);
        }
    }
}
