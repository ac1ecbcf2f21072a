package org.mlp4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mlp4j.ChildJvm;

/**
 * The cpu backend takes its scalar loops, and `devices` says why, in a JVM whose JIT stops before C2: the Vector
 * API's operations stay objects there, several times slower than the loops (bench/RESULTS.md). Where the JIT lacks
 * FMA, DeterminismTest checks the same and the run's bytes.
 */
class KernelChoiceTest {
    @Test
    void aJitThatStopsBeforeC2TakesTheScalarLoops() throws Exception {
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() && VectorKernelsUnderTest.used(),
                "the Vector API kernels, which this JVM would use with C2");
        ChildJvm.assumeHotSpot();
        ChildJvm.Result r = ChildJvm.mlp4j(List.of("-XX:TieredStopAtLevel=1"), "devices");
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("scalar loops (the JIT stops before C2"), r.out());
        ChildJvm.Result c2 = ChildJvm.mlp4j(List.of(), "devices");
        assertTrue(c2.out().contains("Vector API kernels"), c2.out());
    }
}
