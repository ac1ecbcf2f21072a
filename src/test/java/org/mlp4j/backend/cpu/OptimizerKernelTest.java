package org.mlp4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mlp4j.Optimizer;

/**
 * The Vector API kernels' optimizer steps give the scalar loop's bits, element by element, for every optimizer,
 * on ranges that start and end off a vector's bounds, and leave everything outside the range alone.
 */
class OptimizerKernelTest {
    @Test
    void vectorStepsGiveTheScalarBits() {
        Kernels vector = VectorKernelsUnderTest.best(), scalar = new ScalarKernels("the reference");
        Random r = new Random(3);
        int n = 1000;
        for (Optimizer kind : Optimizer.values()) {
            for (float l2 : new float[] {0f, 0.01f}) {
                float b1 = 0.9f, b2 = 0.999f, t = 3;
                Kernels.OptimizerStep step = new Kernels.OptimizerStep(kind, 0.001f, 0.01f, l2, 0.9f, b1, b2, 1e-8f,
                        1f - (float) StrictMath.pow(b1, t), 1f - (float) StrictMath.pow(b2, t));
                float[][] start = new float[4][n + 5];
                for (float[] a : start) {
                    for (int i = 0; i < a.length; i++) {
                        a[i] = (float) r.nextGaussian();
                    }
                }
                for (int i = 0; i < start[3].length; i++) {
                    start[3][i] = Math.abs(start[3][i]) * (i % 3 == 0 ? 1e-9f : 1f); // Adam's second moment, some tiny
                }
                for (int[] range : new int[][] {{0, n}, {3, n - 2}, {5, 12}, {7, 8}}) {
                    float[][] want = copy(start), got = copy(start);
                    scalar.optimize(step, want[0], 1, want[1], 2, want[2], 3, want[3], 4, range[0], range[1]);
                    vector.optimize(step, got[0], 1, got[1], 2, got[2], 3, got[3], 4, range[0], range[1]);
                    for (int a = 0; a < 4; a++) {
                        for (int i = 0; i < want[a].length; i++) {
                            assertEquals(Float.floatToRawIntBits(want[a][i]), Float.floatToRawIntBits(got[a][i]),
                                    kind + " l2 " + l2 + " range " + range[0] + ".." + range[1] + ": array " + a + " at " + i + ": " + got[a][i] + " not " + want[a][i]);
                        }
                    }
                }
            }
        }
    }

    private static float[][] copy(float[][] a) {
        float[][] c = new float[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }
}
