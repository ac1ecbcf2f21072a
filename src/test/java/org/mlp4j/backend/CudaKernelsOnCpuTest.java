package org.mlp4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every CUDA kernel's source, run on the CPU where there is no GPU (CI): g++ builds src/test/cuda/kernels_on_cpu.cpp
 * around kernels/*.cu, with each block's threads as std::threads and __syncthreads as a barrier
 * (block_emulator.h), and checks each kernel against a double-precision loop of its definition on odd
 * shapes. This proves the kernels' indexing and synchronisation; the GPU build and the launches from
 * CudaBackend are what BackendContractTest checks where a GPU is.
 */
class CudaKernelsOnCpuTest {
    @TempDir
    Path dir;

    @Test
    void everyKernelMatchesItsDefinition() throws IOException, InterruptedException {
        Path exe = dir.resolve("kernels_on_cpu");
        String built;
        try {
            built = run(List.of("g++", "-std=c++20", "-O1", "-pthread", "-I", "kernels", "-o", exe.toString(),
                    "src/test/cuda/kernels_on_cpu.cpp"));
        } catch (IOException e) {
            Assumptions.abort("g++ is not installed: " + e.getMessage());
            return;
        }
        assertEquals("0", built.substring(0, built.indexOf('\n')), "g++ failed:\n" + built);
        String out = run(List.of(exe.toString()));
        assertTrue(out.startsWith("0\n") && !out.contains("FAIL"), out);
        for (String kernel : List.of("gather", "bias_sigmoid", "add_bias", "row_argmax", "count_correct", "logistic_cost",
                "sum_squares", "output_step", "hidden_step")) {
            assertTrue(out.contains("ok   " + kernel + " "), kernel + " was not checked:\n" + out);
        }
    }

    /** Exit code, a newline, then the output. */
    static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.waitFor() + "\n" + out;
    }
}
