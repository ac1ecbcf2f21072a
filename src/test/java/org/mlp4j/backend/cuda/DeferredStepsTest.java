package org.mlp4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlp4j.Commands;

/**
 * bench/ab/deferred_steps_timeline.cu, ci/gpu-check.sh's timeline of a block of the book's steps on one thread block
 * cluster with the first layer's updates deferred (issue 24): built on the CPU block emulator (its cluster the whole
 * grid), it checks two blocks of steps, its products before and after each taken on the host, against a
 * double-precision loop of the book's step, with the blocks and threads run first to last and last to first, on
 * shapes whose units and examples do not divide by the blocks, and exits 1 where they differ; then it prints the
 * time of a step. Where nvcc built the PTX, the bundle's sm_90 build compiles too. The times it prints are not read.
 */
class DeferredStepsTest {
    private static final String SOURCE = "bench/ab/deferred_steps_timeline.cu";

    @TempDir
    Path dir;

    @Test
    void matchesTheBooksStepOnTheEmulator() throws IOException, InterruptedException {
        Path exe = dir.resolve("deferred-steps-timeline");
        CudaBuildTest.buildOnCpu(exe, SOURCE);
        // 30-7-5 at batch 6 in blocks of 3 steps on 4 blocks of 32 threads: 2 units a block but 1 in the last, 2 rows of
        // the minibatch but none; 5-7-3 in blocks of 2 on 8 blocks, one with no unit; 37-20-3 in blocks of 8 on 16
        for (String[] run : List.of(new String[] {"30,7,5", "3", "4"}, new String[] {"5,7,3", "2", "8"}, new String[] {"37,20,3", "8", "16"})) {
            String out = Commands.run(exe.toString(), run[0], "6", run[1], run[2], "32", String.valueOf(2 * Integer.parseInt(run[1])), "1");
            assertTrue(out.contains("blocks of " + run[1] + " steps: one cluster of " + run[2] + " blocks of 32 threads"), out);
            assertTrue(out.contains("precision: the largest error") && out.contains("last to first: the largest error"), out);
            assertTrue(!out.contains("NOT ok") && out.split("of their largest change \\(ok\\)", -1).length == 3, out);
            assertTrue(out.contains("2 launches of " + run[1] + " steps: ") && out.contains("without the Gram terms "), out);
        }
    }

    @Test
    void theBundlesCudaBuildCompiles() throws IOException, InterruptedException {
        Assumptions.assumeTrue(CudaBuildTest.resource("/kernels/gather.ptx") != null, "nvcc was missing at build time");
        Commands.run(CudaBuildTest.tool("nvcc"), "-std=c++17", "-O3", "-arch=sm_90", "-I", "kernels", "-o", dir.resolve("deferred-steps-timeline").toString(),
                SOURCE);
    }
}
