package org.mlp4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench/ab/train_steps_timeline.cu, ci/gpu-check.sh's timeline of train_steps, follows the kernel: built on the CPU
 * block emulator it runs a few steps of an odd shape (several tiles a block, the rows in chunks) and prints every
 * phase and barrier, and the parts between the marks within each phase; it fails by itself where a block did not
 * note a point that every block passes. Where nvcc built the PTX, the CUDA
 * builds that ci/prepare-gpu-bundle.sh makes (with and without the tiles' products) compile too. The times it prints are not read.
 */
class TrainStepsTimelineTest {
    private static final String SOURCE = "bench/ab/train_steps_timeline.cu";

    @TempDir
    Path dir;

    /** Also its build without the tiles' products (-DSTEP_PRODUCTS=0), which says so. */
    @Test
    void runsOnTheEmulatorThroughEveryPhaseAndBarrier() throws IOException, InterruptedException {
        for (boolean products : new boolean[] {true, false}) {
            Path exe = dir.resolve(products ? "timeline" : "timeline-no-products");
            CudaBuildTest.buildOnCpu(exe, SOURCE, "-DSTEP_PRODUCTS=" + (products ? 1 : 0));
            // 30-7-5 at batch 6, 3 steps, on 4 blocks of 32 threads, tiles of 4 x 3, 2 rows staged at a time
            String out = CudaBuildTest.run(exe.toString(), "30,7,5", "6", "3", "4", "32", "4", "3", "2");
            for (String part : List.of("phase 1 ", "x's chunk (and the tile) staged ", "the chunk's partial products ", "grid barrier 1 ",
                    "phase 2 ", "a1's row from the partial products ", "the layers above, the output's delta ", "the deltas below ",
                    "grid barrier 2 ", "phase 3 ", "the input's and delta's chunks staged ", "their products, the bias's sums ",
                    "the weights and bias stepped ", "the step ", "grid barriers alone on 4 blocks", "grid barriers alone on 2 blocks",
                    "a load's latency, one thread a block following 64 dependent loads", "lines it read just before ",
                    "the same lines past a grid barrier ", "lines another block wrote before one ")) {
                assertTrue(out.contains(part), "no line for " + part + ":\n" + out);
            }
            assertTrue(out.contains("train_steps without the tiles' products, ") != products, out);
        }
    }

    @Test
    void theBundlesCudaBuildCompiles() throws IOException, InterruptedException {
        Assumptions.assumeTrue(CudaBuildTest.resource("/kernels/gather.ptx") != null, "nvcc was missing at build time");
        for (String products : List.of("-DSTEP_PRODUCTS=1", "-DSTEP_PRODUCTS=0")) {
            CudaBuildTest.run(CudaBuildTest.tool("nvcc"), "-std=c++17", "-O3", "-arch=compute_75", "-I", "kernels", products, "-o",
                    dir.resolve("timeline").toString(), SOURCE);
        }
    }
}
