package org.mlp4j.backend.cpu;

/**
 * exp in float32 by a fixed sequence of IEEE operations (round to a power of two, two-part ln 2 reduction,
 * a degree-6 polynomial, scaling through the exponent bits), so its result never depends on which JIT tier
 * or intrinsic runs it: the Vector API's {@code EXP} changes its last bits once C2 swaps in a vector stub,
 * which made runs with the same seed differ. {@link VectorKernels} runs the same steps lane by lane, so
 * both kernel sets give the same bits. Relative error is below 2 ulp on [{@link #LO}, {@link #HI}].
 */
final class FixedExp {
    /** Inputs are clamped to [LO, HI], where 2^n stays a normal float: exp(LO) is below float's 1 ulp of 1. */
    static final float LO = -87f;
    static final float HI = 88f;
    static final float LOG2E = 1.44269504088896341f;
    /** 1.5 * 2^23: adding it rounds to an integer held in the low mantissa bits. */
    static final float ROUND = 12582912f;
    static final float LN2_HI = 0.693359375f;
    static final float LN2_LO = -2.12194440e-4f;
    /** exp(r) on [-ln2/2, ln2/2] as 1 + r + r^2 * (P0 + r (P1 + ...)) (Cephes' expf coefficients). */
    static final float P0 = 5.0000001201e-1f;
    static final float P1 = 1.6666665459e-1f;
    static final float P2 = 4.1665795894e-2f;
    static final float P3 = 8.3334519073e-3f;
    static final float P4 = 1.3981999507e-3f;
    static final float P5 = 1.9875691500e-4f;

    private FixedExp() {
    }

    static float exp(float x) {
        float t = Math.min(Math.max(x, LO), HI);
        float k = Math.fma(t, LOG2E, ROUND);
        float n = k - ROUND;
        float r = Math.fma(n, -LN2_HI, t);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(P5, r, P4);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P1);
        p = Math.fma(p, r, P0);
        float y = Math.fma(p, r * r, r) + 1f;
        // k's bits are 0x4B400000 + n; shifting n + 127 into the exponent field gives 2^n
        return y * Float.intBitsToFloat((Float.floatToRawIntBits(k) + 127) << 23);
    }

    /** 1 / (1 + exp(-x)). */
    static float sigmoid(float x) {
        return 1f / (1f + exp(-x));
    }
}
