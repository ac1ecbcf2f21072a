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
 * bench/ab/cluster_steps_timeline.cu, ci/gpu-check.sh's timeline of kernels/cluster_steps.cu (issue 24), computes the
 * book's step on clusters of other sizes than the kernel's too: built on the CPU block emulator (its cluster the whole grid, another block's
 * shared memory reached through map_shared_rank) it checks two steps against a double-precision loop of the step,
 * with the blocks and threads run first to last and last to first, on shapes whose rows, units and examples do
 * not divide by the blocks, and exits 1 where they differ; then it prints the time of a step and of each of its
 * phases and barriers. Where nvcc built the PTX, the bundle's sm_90 build compiles too. The times it prints are
 * not read.
 */
class ClusterStepsTest {
    private static final String SOURCE = "bench/ab/cluster_steps_timeline.cu";

    @TempDir
    Path dir;

    @Test
    void matchesTheBooksStepOnTheEmulator() throws IOException, InterruptedException {
        Path exe = dir.resolve("cluster-steps-timeline");
        CudaBuildTest.buildOnCpu(exe, SOURCE);
        // 30-7-5 at batch 6 on 4 blocks of 32 threads: 8 rows of w0 a block but 6 in the last, 2 units but 1, and 2
        // rows of the minibatch but none; 5-7-3 on 8 blocks: blocks with no rows of w0, and one with no unit
        for (String[] run : List.of(new String[] {"30,7,5", "4"}, new String[] {"5,7,3", "8"})) {
            String out = Commands.run(exe.toString(), run[0], "6", "3", run[1], "32", "1");
            assertTrue(out.contains("one cluster of " + run[1] + " blocks of 32 threads"), out);
            assertTrue(out.contains("precision: the largest error") && out.contains("last to first: the largest error"), out);
            assertTrue(!out.contains("NOT ok") && out.split("of their largest change \\(ok\\)", -1).length == 3, out);
            for (String part : List.of("3 steps: ", "a step's parts", "1. the first layer's partial products", "cluster barrier 1",
                    "2. the units' sums", "cluster barrier 2", "3. the output's delta", "cluster barrier 3", "4. d1", "5. the updates",
                    "the step ", "block 0's multiply-adds a step")) {
                assertTrue(out.contains(part), "no line for " + part + ":\n" + out);
            }
        }
    }

    @Test
    void theBundlesCudaBuildCompiles() throws IOException, InterruptedException {
        Assumptions.assumeTrue(CudaBuildTest.resource("/kernels/gather.ptx") != null, "nvcc was missing at build time");
        Commands.run(CudaBuildTest.tool("nvcc"), "-std=c++17", "-O3", "-arch=sm_90", "-I", "kernels", "-o", dir.resolve("cluster-steps-timeline").toString(),
                SOURCE);
    }
}
