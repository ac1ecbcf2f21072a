package org.mlp4j.backend.cpu;

/** What this JVM's JIT compiles to, where HotSpot says. */
final class Jit {
    /**
     * Whether the JIT turns a fused multiply-add into one instruction (HotSpot's {@code UseFMA}; taken as yes where
     * unknown). Without it, {@code Math.fma} and the Vector API's {@code fma} fall back to exact arithmetic on
     * {@code BigDecimal}, thousands of times slower: x86 processors without FMA3 (before Haswell and Piledriver, and
     * the Atom line), and virtual machines whose CPU model hides it.
     */
    static final boolean FMA = !"false".equals(option("UseFMA"));
    /**
     * Whether C2, the compiler that turns the Vector API's operations into vector instructions, compiles hot code
     * here (taken as yes where unknown). Below it (-Xint, or -XX:TieredStopAtLevel under 4, which some IDEs' run
     * configurations set for a quicker start) each operation stays an object, several times slower than the scalar
     * loops.
     */
    static final boolean C2 = !"false".equals(option("UseCompiler"))
            && !("true".equals(option("TieredCompilation")) && String.valueOf(option("TieredStopAtLevel")).matches("[0-3]"));

    private Jit() {
    }

    /** The value of HotSpot's option {@code name}, or null where that is unknown (another JVM, a runtime without jdk.management). */
    static String option(String name) {
        try {
            return java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                    .getVMOption(name).getValue();
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** a * b + c rounded once: {@link Math#fma(float, float, float)} where the JIT has FMA, else {@link #fmaByDoubles}. */
    static float fma(float a, float b, float c) {
        return FMA ? Math.fma(a, b, c) : fmaByDoubles(a, b, c);
    }

    /**
     * a * b + c rounded once, as {@link Math#fma(float, float, float)} gives it, in a few double operations: the
     * product is exact in a double, and the sum is rounded to odd (to the neighbour whose last bit is 1 where it
     * is inexact), which the rounding to float then leaves correctly rounded, a double having at least two bits
     * more than a float (Boldo and Melquiond, "Emulation of a FMA and correctly rounded sums: proved algorithms
     * using rounding to odd", 2008).
     */
    static float fmaByDoubles(float a, float b, float c) {
        double p = (double) a * b;
        double s = p + c;
        // Knuth's two-sum: the sum's rounding error, exactly
        double cb = s - p;
        double e = (p - (s - cb)) + (c - cb);
        if (e != 0 && Double.isFinite(s) && (Double.doubleToRawLongBits(s) & 1) == 0) {
            s = Math.nextAfter(s, e > 0 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY);
        }
        return (float) s;
    }
}
