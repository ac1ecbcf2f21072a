package org.mlp4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mlp4j.ChildJvm;

/**
 * The GEMM tile's height follows the JIT's vector registers: 4 rows where x86 has 16 (no AVX-512), whose 6-row
 * tile spilled accumulators to the stack on every step; 6 where there are 32.
 */
class TileHeightTest {
    @Test
    void registersFollowAvxLevelOnX86AndAre32Elsewhere() {
        assertEquals(16, VectorKernels.vectorRegisters("amd64", "2", 256));
        assertEquals(16, VectorKernels.vectorRegisters("amd64", "1", 128));
        assertEquals(32, VectorKernels.vectorRegisters("amd64", "3", 512));
        assertEquals(32, VectorKernels.vectorRegisters("x86_64", "3", 256), "AVX-512 with 256-bit vectors still has 32 registers");
        assertEquals(16, VectorKernels.vectorRegisters("amd64", null, 256));
        assertEquals(32, VectorKernels.vectorRegisters("amd64", null, 512));
        assertEquals(32, VectorKernels.vectorRegisters("aarch64", null, 128));
    }

    /** A JVM held to AVX2 reads its own level and takes the 4-row tile (on x86; elsewhere the option does not exist). */
    @Test
    void aJvmWithoutAvx512TakesFourRows() throws Exception {
        String arch = System.getProperty("os.arch");
        assumeTrue(arch.equals("amd64") || arch.equals("x86_64"), "x86 only");
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(), "the Vector API kernels");
        Process p = ChildJvm.command(List.of("-XX:UseAVX=2"), "org.mlp4j.cli.Main", "devices").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.matches("(?s).*Vector API kernels, \\d+-bit, 4x\\d+ tiles.*"), out);
    }
}
