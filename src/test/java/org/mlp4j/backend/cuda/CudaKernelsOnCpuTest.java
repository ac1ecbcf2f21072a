package org.mlp4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
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
        checkEveryKernel(copies);
    }

    /**
     * The same checks, the emulator built with ThreadSanitizer: a race checker (block_emulator.h), which fails where two
     * threads reach one place, one of them writing, with no barrier between them, even where every order of the threads
     * gives the same sums. As compute_80's PTX has the kernels (what GPUs from compute capability 8.0 on run); the checks
     * run once, in order, and a cooperative launch of over 8,000 threads (train_steps on 64 blocks of 256) is left out.
     */
    @Test
    void noKernelRaces() throws IOException, InterruptedException {
        Path probe = dir.resolve("probe");
        Files.writeString(dir.resolve("probe.cpp"), "int main() { return 0; }\n");
        Assumptions.assumeTrue(Commands.succeeds("g++", "-fsanitize=thread", "-o", probe.toString(), dir.resolve("probe.cpp").toString())
                && Commands.succeeds(probe.toString()), "g++ cannot build or run a program with ThreadSanitizer here");
        // ThreadSanitizer's memory grows with the threads it holds at once (bench/RESULTS.md has the check's peak)
        long available = availableMemoryKiB();
        Assumptions.assumeTrue(available < 0 || available >= RACECHECK_MEMORY_KIB,
                "the race check needs about " + RACECHECK_MEMORY_KIB / (1 << 20) + " GiB of memory; " + available / 1024 + " MiB are available");
        checkEveryKernel("-DASYNC_COPIES=1", "-O2", "-g", "-fsanitize=thread");
    }

    /** The memory the race check needs, with room to spare. */
    private static final long RACECHECK_MEMORY_KIB = 8L << 20;

    /** MemAvailable of /proc/meminfo in KiB, or -1 where there is none. */
    private static long availableMemoryKiB() throws IOException {
        Path meminfo = Path.of("/proc/meminfo");
        if (!Files.isReadable(meminfo)) {
            return -1;
        }
        return Files.readAllLines(meminfo).stream().filter(l -> l.startsWith("MemAvailable:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(-1);
    }

    /** Builds kernels_on_cpu.cpp with {@code options}, runs it and fails where a check fails or a kernel goes unchecked. */
    private void checkEveryKernel(String... options) throws IOException, InterruptedException {
        Path exe = dir.resolve("kernels_on_cpu");
        // Commands.run fails the test, with the command's output, on a non-zero exit (ThreadSanitizer's on a race)
        Commands.run("bash", "src/test/cuda/all-kernels.sh", dir.toString());
        List<String> build = new ArrayList<>(List.of(options));
        build.addAll(List.of("-I", dir.toString()));
        CudaBuildTest.buildOnCpu(exe, "src/test/cuda/kernels_on_cpu.cpp", build.toArray(String[]::new));
        String out = Commands.run(exe.toString());
        assertTrue(!out.contains("FAIL"), out);
        for (GpuKernel k : CudaBuildTest.cudaKernels()) {
            assertTrue(out.contains("ok   " + k.entry() + " "), k.entry() + " was not checked:\n" + out);
        }
    }
}
