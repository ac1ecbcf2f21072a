package org.mlp4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CUDA layer-step kernels' source, run on the CPU where there is no GPU (CI): g++ builds
 * src/test/cuda/layer_steps.cpp around the kernel, with each block's threads as std::threads and
 * __syncthreads as a barrier (block_emulator.h), and it checks the folded and plain steps against
 * double-precision loops. This proves the kernels' indexing and synchronisation, not the GPU build,
 * which BackendContractTest checks where a GPU is.
 */
class CudaKernelsOnCpuTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"output_step, OUTPUT_STEP", "hidden_step, HIDDEN_STEP"})
    void layerStepKernelMatchesItsDefinition(String kernel, String define) throws IOException, InterruptedException {
        Path exe = dir.resolve(kernel);
        List<String> compile = List.of("g++", "-std=c++20", "-O1", "-pthread", "-I", "kernels", "-D" + define,
                "-DKERNEL=\"" + kernel + ".cu\"", "-o", exe.toString(), "src/test/cuda/layer_steps.cpp");
        String built;
        try {
            built = run(compile);
        } catch (IOException e) {
            Assumptions.abort("g++ is not installed: " + e.getMessage());
            return;
        }
        assertEquals("0", built.substring(0, built.indexOf('\n')), "g++ failed:\n" + built);
        String out = run(List.of(exe.toString()));
        assertTrue(out.startsWith("0\n") && !out.contains("FAIL") && out.contains("ok   " + kernel), out);
    }

    /** Exit code, a newline, then the output. */
    static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.waitFor() + "\n" + out;
    }
}
