package org.mlp4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mlp4j.Commands;
import org.mlp4j.backend.GpuKernel;

/**
 * Every CUDA kernel's source, run on the CPU where there is no GPU (CI): g++ builds src/test/cuda/kernels_on_cpu.cpp
 * around kernels/*.cu, with each block's threads as fibers that wait for each other at __syncthreads
 * (block_emulator.h), and checks each kernel against a double-precision loop of its definition on odd
 * shapes. This proves the kernels' indexing and synchronisation; the launches from CudaBackend are checked
 * by CudaOnFakeDriverTest here and by BackendContractTest where a GPU is.
 */
class CudaKernelsOnCpuTest {
    @TempDir
    Path dir;

    /** Each kernel as compute_75's PTX has it, and as compute_80's (ASYNC_COPIES: copies that do not wait). */
    @ParameterizedTest
    @ValueSource(strings = {"-DASYNC_COPIES=0", "-DASYNC_COPIES=1"})
    void everyKernelMatchesItsDefinition(String copies) throws IOException, InterruptedException {
        Path exe = dir.resolve("kernels_on_cpu");
        // Commands.run fails the test, with the command's output, on a non-zero exit
        Commands.run("bash", "src/test/cuda/all-kernels.sh", dir.toString());
        CudaBuildTest.buildOnCpu(exe, "src/test/cuda/kernels_on_cpu.cpp", copies, "-I", dir.toString());
        String out = Commands.run(exe.toString());
        assertTrue(!out.contains("FAIL"), out);
        for (GpuKernel k : CudaBuildTest.cudaKernels()) {
            assertTrue(out.contains("ok   " + k.entry() + " "), k.entry() + " was not checked:\n" + out);
        }
    }
}
