package org.mlp4j.backend.cpu;

/**
 * exp in float32 by a fixed sequence of IEEE operations (round to a power of two, two-part ln 2 reduction,
 * a degree-6 polynomial, scaling through the exponent bits), so its result never depends on which JIT tier
 * or intrinsic runs it: the Vector API's {@code EXP} changes its last bits once C2 swaps in a vector stub,
 * which made runs with the same seed differ. {@link VectorKernels} runs the same steps lane by lane, so
 * both kernel sets give the same bits. Relative error is below 2 ulp on [{@link #LO}, {@link #HI}].
 * {@link #expNonPositive} is the same in float64, for the cost.
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
        float k = Jit.fma(t, LOG2E, ROUND);
        float n = k - ROUND;
        float r = Jit.fma(n, -LN2_HI, t);
        r = Jit.fma(n, -LN2_LO, r);
        float p = Jit.fma(P5, r, P4);
        p = Jit.fma(p, r, P3);
        p = Jit.fma(p, r, P2);
        p = Jit.fma(p, r, P1);
        p = Jit.fma(p, r, P0);
        float y = Jit.fma(p, r * r, r) + 1f;
        // k's bits are 0x4B400000 + n; shifting n + 127 into the exponent field gives 2^n
        return y * Float.intBitsToFloat((Float.floatToRawIntBits(k) + 127) << 23);
    }

    /** ln 2 in two parts (fdlibm's): n * LN2_HI_64 is exact for the n that {@link #expNonPositive} meets. */
    private static final double LN2_HI_64 = 6.93147180369123816490e-01;
    private static final double LN2_LO_64 = 1.90821492927058770002e-10;
    private static final double LOG2E_64 = 1.44269504088896338700e+00;
    /** 1.5 * 2^52: adding it rounds to an integer held in the low mantissa bits. */
    private static final double ROUND_64 = 6755399441055744.0;
    /** Below this, e^x (under 1e-304) is taken as e^LOW_64, still a normal double: no cost term can tell. */
    private static final double LOW_64 = -700;
    /**
     * e^x in float64 for x <= 0, within 1 ulp of {@link StrictMath#exp}, whose pure-Java twin it is (that one is, on
     * Java 17, a native call several times slower). Fixed operations again, so the same bits on every JIT tier and
     * machine; none fused, as a JIT without FMA would run them thousands of times slower ({@link Jit#FMA}).
     */
    static double expNonPositive(double x) {
        double t = Math.max(x, LOW_64);
        double k = t * LOG2E_64 + ROUND_64;
        double n = k - ROUND_64;
        double r = t - n * LN2_HI_64 - n * LN2_LO_64;
        // Taylor's series to r^13 / 13! (what it leaves out is far below 1 ulp on |r| <= ln 2 / 2), summed
        // in Estrin's order (pairs, then fours, then eights) so few operations wait on one another; r and then
        // the 1 added last, so the small terms' roundings happen before they meet the large
        double r2 = r * r, r4 = r2 * r2;
        double p23 = r * (1.0 / 6) + 1.0 / 2, p45 = r * (1.0 / 120) + 1.0 / 24;
        double p67 = r * (1.0 / 5040) + 1.0 / 720, p89 = r * (1.0 / 362880) + 1.0 / 40320;
        double p1011 = r * (1.0 / 39916800) + 1.0 / 3628800, p1213 = r * (1.0 / 6227020800L) + 1.0 / 479001600;
        double p47 = p67 * r2 + p45, p811 = p1011 * r2 + p89;
        double p813 = p1213 * r4 + p811;
        double p = 1.0 + (r + (p23 * r2 + (p813 * r4 + p47) * r4));
        // k's bits are those of ROUND_64 plus n, whose low 12 bits shifted into the exponent field give 2^n
        return p * Double.longBitsToDouble((Double.doubleToRawLongBits(k) + 1023) << 52);
    }

    /** 1 / (1 + exp(-x)). */
    static float sigmoid(float x) {
        return 1f / (1f + exp(-x));
    }
}
