package org.mlp4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mlp4j.Activation;

/**
 * Every activation's value and delta from the Vector API kernels are the scalar loops' bits, lane by lane:
 * on runs of whole vectors and ragged ones, and on values at the edges (zeros of both signs, infinities, NaN,
 * any NaN counting as the same).
 */
class ActivationKernelTest {
    private static final float[] EDGES = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, 1e-30f, -1e-30f, 50f, -50f, 100f, -100f,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};

    @Test
    void valuesAreTheScalarBits() {
        Kernels vector = VectorKernelsUnderTest.best(), scalar = new ScalarKernels("the reference");
        Random r = new Random(11);
        for (Activation act : Activation.values()) {
            for (int n : new int[] {1, 7, 16, 33, 64, 100}) {
                float[] z = values(r, n + 3), bias = values(r, n + 2);
                float[] want = z.clone(), got = z.clone();
                scalar.biasActivate(want, 3, n, bias, 2, act);
                vector.biasActivate(got, 3, n, bias, 2, act);
                same(want, got, act + " value, n " + n);
            }
        }
    }

    @Test
    void deltasAndBiasSumsAreTheScalarBits() {
        Kernels vector = VectorKernelsUnderTest.best(), scalar = new ScalarKernels("the reference");
        Random r = new Random(12);
        for (Activation act : Activation.values()) {
            for (int[] s : new int[][] {{100, 64, 70}, {7, 36, 40}, {3, 5, 5}}) {
                int rows = s[0], cols = s[1], ld = s[2];
                float[] g = values(r, 1 + rows * ld), a = values(r, 1 + rows * ld), sums = values(r, cols);
                float[] gw = g.clone(), gv = g.clone(), sw = sums.clone(), sv = sums.clone();
                scalar.activationDelta(gw, 1, ld, a, 1, ld, rows, cols, act, sw);
                vector.activationDelta(gv, 1, ld, a, 1, ld, rows, cols, act, sv);
                same(gw, gv, act + " delta " + rows + "x" + cols);
                same(sw, sv, act + " bias sums " + rows + "x" + cols);
            }
        }
    }

    /** Gaussian values, every fifth one of the edge values. */
    private static float[] values(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i % 5 == 4 ? EDGES[r.nextInt(EDGES.length)] : (float) r.nextGaussian();
        }
        return v;
    }

    private static void same(float[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) {
            assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(got[i]), what + " at " + i + ": " + got[i] + " not " + want[i]);
        }
    }
}
