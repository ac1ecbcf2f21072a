package org.mlp4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fused multiply-add that the cpu backend computes itself where the JIT has no FMA: Math.fma's bits. */
class JitTest {
    @Test
    void fmaByDoublesIsMathFmaOnRandomNearTieAndSpecialInputs() {
        Random r = new Random(11);
        for (int i = 0; i < 500_000; i++) {
            check(Float.intBitsToFloat(r.nextInt()), Float.intBitsToFloat(r.nextInt()), Float.intBitsToFloat(r.nextInt()));
            // c of any size, and a product near half of c's ulp with a long tail: the sums a second rounding gets wrong
            float c = (float) (r.nextGaussian() * Math.pow(2, r.nextInt(80) - 40));
            float a = 1 + r.nextInt(1 << 23) / (float) (1 << 23);
            float b = (float) (Math.ulp(c) / 2 / a);
            for (int k = -2; k <= 2; k++) {
                float bk = Float.intBitsToFloat(Float.floatToRawIntBits(b) + k);
                check(a, bk, c);
                check(-a, bk, c);
            }
            // products that cancel c nearly, and operands near the subnormal range
            check(a, c / a, -c);
            check(a * 1e-20f, b * 1e-19f, c * 1e-38f);
        }
        float[] special = {0f, -0f, 1f, -1f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 1e-30f, 3e38f};
        for (float a : special) {
            for (float b : special) {
                for (float c : special) {
                    check(a, b, c);
                }
            }
        }
    }

    private static void check(float a, float b, float c) {
        float want = Math.fma(a, b, c), got = Jit.fmaByDoubles(a, b, c);
        if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(got) && !(Float.isNaN(want) && Float.isNaN(got))) {
            assertEquals(want, got, "fma(" + a + ", " + b + ", " + c + ")");
            throw new AssertionError("fma(" + a + ", " + b + ", " + c + "): " + want + " against " + got + " (the sign of zero)");
        }
    }
}
