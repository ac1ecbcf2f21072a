package org.mlp4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Vector API kernels for the tests that compare them. Where the JIT has no FMA, or no C2, the cpu backend runs
 * its scalar loops instead and the Vector API's operations would run many times slower: there those tests are
 * skipped.
 */
final class VectorKernelsUnderTest {
    private VectorKernelsUnderTest() {
    }

    /** Whether the cpu backend would run the Vector API kernels in this JVM, given the module. */
    static boolean used() {
        return Jit.FMA && Jit.C2;
    }

    static void assumeUsed() {
        assumeTrue(used(), "this JIT has no FMA or no C2: the cpu backend runs its scalar loops, not the Vector API kernels");
    }

    /** The kernels the cpu backend runs here, which must be the Vector API's. */
    static VectorKernels best() {
        assumeUsed();
        Kernels best = Kernels.best();
        assertTrue(best instanceof VectorKernels, "the tests run with the Vector API module: " + best.name());
        return (VectorKernels) best;
    }
}
