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
 * bench/ab/train_steps_timeline.cu, ci/gpu-check.sh's timeline of train_steps, follows the kernel: built on the CPU
 * block emulator it runs a few steps of an odd shape (several tiles a block, the rows in chunks) and prints every
 * phase and barrier, and the parts between the marks within each phase, then the probes of barriers, loads and
 * instruction fetch; it fails by itself where a block did not note a point that every block passes. Where nvcc
 * built the PTX, the CUDA builds that ci/prepare-gpu-bundle.sh makes (as is, and without the tiles' products)
 * compile too. The times it prints are not read.
 */
class TrainStepsTimelineTest {
    private static final String SOURCE = "bench/ab/train_steps_timeline.cu";

    /**
     * The bundle's builds, both from compute_80's PTX (staged by copies that do not wait: ASYNC_COPIES on the
     * emulator): the option each adds, and what its first line says of it.
     */
    private record Build(String option, String says) {
    }

    private static final String AS_BUILT = "staging by copies that do not wait, loads in batches of 8 (updates) and 16 (sums), ";
    private static final List<Build> BUILDS = List.of(new Build("-DSTEP_PRODUCTS=1", "train_steps, " + AS_BUILT),
            new Build("-DSTEP_PRODUCTS=0", "train_steps without the tiles' products, " + AS_BUILT));

    @TempDir
    Path dir;

    @Test
    void runsOnTheEmulatorThroughEveryPhaseAndBarrier() throws IOException, InterruptedException {
        for (Build build : BUILDS) {
            Path exe = dir.resolve("timeline");
            CudaBuildTest.buildOnCpu(exe, SOURCE, build.option(), "-DASYNC_COPIES=1");
            // 30-7-5 at batch 6, 3 steps, on 4 blocks of 32 threads, tiles of 4 x 3, 2 rows staged at a time
            String out = Commands.run(exe.toString(), "30,7,5", "6", "3", "4", "32", "4", "3", "2");
            for (String part : List.of(build.says(), "phase 1 ", "x's chunk (and the tile) staged ", "the chunk's partial products ",
                    "grid barrier 1 ", "phase 2 ", "a1's row from the partial products ", "the layers above, the output's delta ",
                    "the deltas below ", "grid barrier 2 ", "phase 3 ", "the input's and delta's chunks staged ",
                    "their products, the bias's sums ", "the weights and bias stepped ", "the step ", "grid barriers alone on 4 blocks",
                    "grid barriers alone on 2 blocks", "a load's latency, one thread a block following 64 dependent loads",
                    "lines it read just before ", "the same lines past a grid barrier ", "lines another block wrote before one ",
                    "instruction fetch, every thread a loop over straight-line code", "    4 KB of code ", "  192 KB of code ")) {
                assertTrue(out.contains(part), "no line for " + part + " in the build " + build.option() + ":\n" + out);
            }
        }
    }

    @Test
    void theBundlesCudaBuildsCompile() throws IOException, InterruptedException {
        Assumptions.assumeTrue(CudaBuildTest.resource("/kernels/gather.ptx") != null, "nvcc was missing at build time");
        for (Build build : BUILDS) {
            Commands.run(CudaBuildTest.tool("nvcc"), "-std=c++17", "-O3", "-arch=compute_80", "-I", "kernels", build.option(), "-o",
                    dir.resolve("timeline").toString(), SOURCE);
        }
    }
}
