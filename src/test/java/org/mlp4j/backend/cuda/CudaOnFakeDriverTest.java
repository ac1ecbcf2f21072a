package org.mlp4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlp4j.ChildJvm;
import org.mlp4j.Commands;
import org.mlp4j.TestData;
import org.mlp4j.backend.BackendContractTest;
import org.mlp4j.model.ModelFile;
import org.mlp4j.model.Network;

/**
 * The CUDA backend's own code (context, memory, copies, every launch with its arguments and grid, graph
 * capture and replay, the CLI's fallbacks) run where there is no GPU, as in CI. g++ builds stand-ins for
 * the NVIDIA driver and cuBLAS (src/test/cuda/fake_libcuda.cpp and fake_libcublas.cpp, which run the real
 * kernels/*.cu on the CPU), and child JVMs with them on LD_LIBRARY_PATH run the SPI contract and parity
 * tests against cuda, and the CLI through the failures a GPU machine does not show on demand: out of GPU
 * memory, a driver older than the PTX, a kernel fault in the middle of a run, no cuBLAS at all, and only
 * cuBLAS 13 (reached through the compat library, as on the GPU test machine). The stand-ins refuse what a
 * GPU refuses and say so ("fake libcuda: ..."), so a run it says nothing in shows that nothing was refused or left allocated.
 * Not shown here: the GPU's timing, concurrency and memory model, the driver's PTX JIT and cuBLAS itself.
 */
class CudaOnFakeDriverTest {
    private static final String FAKE = "fake libcuda:";

    @TempDir
    static Path dir;
    private static Path data;
    /** LD_LIBRARY_PATH of the child JVMs: the fake driver alone, with a cuBLAS 12, or with only a cuBLAS 13. */
    private static List<Path> driverOnly, cuda12, cuda13;

    @BeforeAll
    static void buildTheFakeDriver() throws Exception {
        Assumptions.assumeTrue(CudaBuildTest.resource("/kernels/gather.ptx") != null, "nvcc was missing at build time: no kernels to run");
        try {
            Commands.run("g++", "--version");
        } catch (IOException e) {
            Assumptions.abort("g++ is not installed: " + e.getMessage());
        }
        Path standIns = dir.resolve("stand-ins");
        Commands.run("bash", "src/test/cuda/build-stand-ins.sh", standIns.toString());
        Path driver = standIns.resolve("driver");
        driverOnly = List.of(driver);
        cuda12 = List.of(driver, standIns.resolve("cublas12"));
        cuda13 = List.of(driver, standIns.resolve("cublas13"));
        Files.createDirectories(dir.resolve("no-opencl-vendors"));
        data = TestData.small(dir.resolve("small"));
    }

    private static String[] with(List<String> first, String... more) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    record Result(int code, String out) {
    }

    /**
     * Runs a class's main in a JVM on the fake driver, with these libraries first on LD_LIBRARY_PATH and this
     * JVM's class path. The OpenCL loader finds no vendor there, so "gpu" can only mean cuda and the CPU is the fallback.
     */
    static Result java(List<Path> libs, Map<String, String> env, String mainClass, String... args) throws IOException, InterruptedException {
        Process p = child(libs, env, mainClass, args).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }

    private static final java.util.concurrent.atomic.AtomicInteger CACHES = new java.util.concurrent.atomic.AtomicInteger();

    /** {@link #java}'s child JVM, not started, its output and errors as one stream. */
    private static ProcessBuilder child(List<Path> libs, Map<String, String> env, String mainClass, String... args) {
        ProcessBuilder pb = ChildJvm.command(mainClass, args).redirectErrorStream(true);
        List<String> path = new ArrayList<>(libs.stream().map(Path::toString).toList());
        if (System.getenv("LD_LIBRARY_PATH") != null) {
            path.add(System.getenv("LD_LIBRARY_PATH"));
        }
        pb.environment().put("LD_LIBRARY_PATH", String.join(":", path));
        pb.environment().put("OCL_ICD_VENDORS", dir.resolve("no-opencl-vendors").toString());
        // the candidates that faulted the device are remembered, and each network's choices kept, here, not in the user's
        // cache: a cache for each run (unless the test gives one), as the stand-in is other devices of one name by its settings
        pb.environment().put("XDG_CACHE_HOME", dir.resolve("cache-" + CACHES.incrementAndGet()).toString());
        pb.environment().putAll(env);
        return pb;
    }

    static Result mlp4j(List<Path> libs, Map<String, String> env, String... args) throws IOException, InterruptedException {
        return java(libs, env, "org.mlp4j.cli.Main", args);
    }

    static Result mlp4j(Map<String, String> env, String... args) throws IOException, InterruptedException {
        return mlp4j(cuda12, env, args);
    }

    static String[] train(Path out, String device, String... more) {
        return with(List.of("train", "--device", device, "--data", data.toString(), "--no-verify", "--out", out.toString(),
                "--epochs", "2", "--valid", "50", "--batch", "10"), more);
    }

    /**
     * Checks that all the fake driver said (a refusal, memory still allocated when the context went, a context
     * left retained at exit) is the one kind of line expected, or nothing when {@code expected} is null.
     */
    static void fakeSaidOnly(Result r, String expected) {
        List<String> said = r.out().lines().filter(l -> l.startsWith(FAKE)).toList();
        assertTrue(expected == null ? said.isEmpty() : !said.isEmpty() && said.stream().allMatch(l -> l.contains(expected)), r.out());
    }

    /**
     * Runs the selected tests (JUnit selectors, e.g. {@code class:org.Foo}) in a child JVM with cuda required,
     * from the outcomes that child writes; returns the names of the cuda cases, all of which passed.
     */
    static List<String> testsOnCuda(List<Path> libs, String... selectors) throws Exception {
        Path report = Files.createTempFile(dir, "outcomes", ".tsv");
        Result r = java(libs, Map.of("MLP4J_REQUIRED_BACKENDS", "cuda"), ChildTestRun.class.getName(),
                with(List.of(report.toString()), selectors));
        assertEquals(0, r.code(), r.out());
        fakeSaidOnly(r, null);
        List<ChildTestRun.Outcome> all = Files.readAllLines(report).stream().map(ChildTestRun.Outcome::parse).toList();
        assertTrue(all.stream().noneMatch(o -> o.status().equals("FAILED")), "failures:\n" + String.join("\n", all.stream().map(Object::toString).toList()));
        List<ChildTestRun.Outcome> cuda = all.stream().filter(o -> o.name().matches("\\[\\d+\\] cuda\\b.*")).toList();
        assertTrue(cuda.stream().allMatch(o -> o.status().equals("SUCCESSFUL")), "ran on cuda: " + cuda + "\n" + r.out());
        return cuda.stream().map(ChildTestRun.Outcome::name).toList();
    }

    @Test
    void contractAndParityTestsPassOnCuda() throws Exception {
        List<String> cuda = testsOnCuda(cuda12, "class:org.mlp4j.backend.BackendContractTest", "class:org.mlp4j.model.ParityTest");
        // every test of both classes on cuda too (8 contract tests and 2 parity ones when this was written, more since); required there, so none skipped
        assertTrue(cuda.size() >= 10, "ran on cuda: " + cuda);
    }

    /**
     * A CUDA 13 machine, like the GPU test machine: no libcublas.so.12, so mlp4j loads its compat library from
     * the jar, and every cuBLAS call JCublas2 makes goes through it to cuBLAS 13 (here the stand-in built as
     * libcublas.so.13). The GEMM contract tests check the forwarded arguments; the description names the route.
     */
    @Test
    void onlyCublas13IsReachedThroughTheCompatLibrary() throws Exception {
        Assumptions.assumeTrue(CudaBuildTest.resource("/native/linux-x86_64/libcublas.so.12") != null, "no compat library in the jar (gcc missing at build time, or not Linux on x86-64)");
        Assumptions.assumeTrue(NativeLibraries.find("libcublas.so.12") == null, "this machine has a real libcublas.so.12, which mlp4j would prefer");
        Path tmp = Files.createDirectories(dir.resolve("tmp-of-cuda13"));
        Result devices = mlp4j(cuda13, Map.of("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + tmp), "devices");
        String route = "cuBLAS 130100 via libcublas.so.13 (" + cuda13.get(1).resolve("libcublas.so.13")
                + ") through mlp4j's libcublas.so.12 compat library, since no libcublas.so.12 is installed";
        assertTrue(devices.out().contains("usable: cuda: device 0 fake GPU") && devices.out().contains(route), devices.out());
        fakeSaidOnly(devices, null);
        try (var left = Files.list(tmp)) {  // the compat library's file goes once loaded (JCuda's own libraries stay, for reuse)
            assertEquals(List.of(), left.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("mlp4j")).toList());
        }

        String contract = "method:org.mlp4j.backend.BackendContractTest#";
        List<String> cuda = testsOnCuda(cuda13, contract + "gemmMatchesTwinForEveryTransposeAndShape(java.lang.String)",
                contract + "gemmWithBetaZeroIgnoresOldContents(java.lang.String)", contract + "layerStepsMatchTwinWithTheirGemm(java.lang.String)");
        assertEquals(3, cuda.size(), "ran on cuda: " + cuda);
    }

    @Test
    void noCublasLeavesCudaUnusableWithTheReason() throws Exception {
        Assumptions.assumeTrue(NativeLibraries.find("libcublas.so.12") == null && NativeLibraries.find("libcublas.so.13") == null,
                "this machine has a real cuBLAS");
        String reason = "no cuBLAS: neither libcublas.so.12 nor libcublas.so.13 was found (install the CUDA toolkit or set LD_LIBRARY_PATH)";
        Result devices = mlp4j(driverOnly, Map.of(), "devices");
        assertTrue(devices.out().contains("unusable: " + reason), devices.out());
        fakeSaidOnly(devices, null);

        Path out = dir.resolve("no-cublas");
        Result gpu = mlp4j(driverOnly, Map.of(), train(out, "gpu", "--hidden", "8"));
        assertEquals(0, gpu.code(), gpu.out());
        assertTrue(gpu.out().contains("warning:") && gpu.out().contains(reason) && gpu.out().contains("device: cpu"), gpu.out());
        assertTrue(Files.exists(out.resolve("model.npz")));
        fakeSaidOnly(gpu, null);
    }

    @Test
    void trainingOnTheGpuRunsAndWritesItsModel() throws Exception {
        Path out = dir.resolve("trained");
        Result r = mlp4j(Map.of(), train(out, "gpu", "--hidden", "8"));
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("device: cuda: device 0 fake GPU"), r.out());
        assertTrue(r.out().contains("test accuracy: "), r.out());
        assertTrue(Files.exists(out.resolve("model.npz")));
        fakeSaidOnly(r, null);

        // where the system will not page-lock the host buffer that transfers stage through, plain memory does
        // the same (the paths timed may differ between runs: ParityTest's tolerance between whole and layer steps)
        Path plain = dir.resolve("trained-unlocked");
        Result unlocked = mlp4j(Map.of("FAKE_CUDA_HOST_MIB", "0"), train(plain, "cuda", "--strict", "--hidden", "8"));
        assertEquals(0, unlocked.code(), unlocked.out());
        fakeSaidOnly(unlocked, "cuMemAllocHost_v2 refused (2): more than FAKE_CUDA_HOST_MIB");
        Network locked = ModelFile.load(out.resolve("model.npz")), unlockedNet = ModelFile.load(plain.resolve("model.npz"));
        for (int l = 0; l < locked.layers(); l++) {
            BackendContractTest.close(locked.weights()[l], unlockedNet.weights()[l], 1e-5, "layer " + l + " weights");
            BackendContractTest.close(locked.biases()[l], unlockedNet.biases()[l], 1e-5, "layer " + l + " biases");
        }
    }

    /** On a machine of two GPUs, {@code --device cuda:1} trains on the second; a number past the last is refused, named. */
    @Test
    void aGpuIsChosenByItsNumber() throws Exception {
        Map<String, String> two = Map.of("FAKE_CUDA_DEVICES", "2");
        Result devices = mlp4j(two, "devices");
        for (int n = 0; n < 2; n++) {
            assertTrue(devices.out().contains("[" + n + "] fake GPU (CPU emulation, tests only), compute capability 9.0, 4096 MiB"), devices.out());
        }
        assertTrue(devices.out().contains("usable: cuda: device 0 fake GPU (CPU emulation, tests only), compute capability 9.0, 4096 MiB, driver CUDA 13.0")
                && devices.out().contains("usable: [0] by default (--device cuda:N picks another)"), devices.out());
        fakeSaidOnly(devices, null);

        Result second = mlp4j(two, train(dir.resolve("second-gpu"), "cuda:1", "--strict", "--hidden", "8", "--epochs", "1"));
        assertEquals(0, second.code(), second.out());
        assertTrue(second.out().contains("device: cuda: device 1 fake GPU"), second.out());
        fakeSaidOnly(second, null);

        Result past = mlp4j(two, train(dir.resolve("third-gpu"), "CUDA:2", "--strict", "--hidden", "8"));
        assertEquals(2, past.code(), past.out());
        assertTrue(past.out().contains("mlp4j: device 'CUDA:2' is unusable: cuda: no CUDA device 2 (2 present)"), past.out());
        Result fallback = mlp4j(two, train(dir.resolve("fallback"), "cuda:2", "--hidden", "8", "--epochs", "1"));
        assertEquals(0, fallback.code(), fallback.out());
        assertTrue(fallback.out().contains("warning: device 'cuda:2' is unusable (cuda: no CUDA device 2 (2 present)); falling back to the cpu backend")
                && fallback.out().contains("device: cpu"), fallback.out());
    }

    /** A device where cuBLAS's workspaces (32 and 4 MiB, one for each stream's handle) fit, a 600 x 600 weight matrix does not. */
    private static final Map<String, String> SMALL_GPU = Map.of("FAKE_CUDA_MEMORY_MIB", "37");

    @Test
    void outOfGpuMemoryFallsBackToTheCpuUnlessStrict() throws Exception {
        Map<String, String> small = SMALL_GPU;
        Path out = dir.resolve("oom");
        Result r = mlp4j(small, train(out, "gpu", "--hidden", "600,600", "--epochs", "1"));
        assertEquals(0, r.code(), r.out());
        // refused from the estimate, before anything of the run was allocated
        assertTrue(r.out().contains("warning: cuda: out of device memory: training 16-600-600-3 on 300 examples needs about"), r.out());
        assertTrue(r.out().contains("falling back to the cpu backend") && r.out().contains("device: cpu"), r.out());
        assertTrue(Files.exists(out.resolve("model.npz")));
        fakeSaidOnly(r, null);  // nothing refused, and no memory left allocated

        Path strictOut = dir.resolve("oom-strict");
        Result strict = mlp4j(small, train(strictOut, "cuda", "--strict", "--hidden", "600,600", "--epochs", "1"));
        assertEquals(2, strict.code(), strict.out());
        assertTrue(strict.out().contains("mlp4j: cuda: out of device memory"), strict.out());
        assertFalse(Files.exists(strictOut.resolve("model.npz")));
        fakeSaidOnly(strict, null);

        // a device without room for cuBLAS's workspace: the reason names cuda once, and sizes under a MiB are not "0 MiB"
        Result tiny = mlp4j(Map.of("FAKE_CUDA_MEMORY_MIB", "8"), train(dir.resolve("tiny"), "gpu", "--epochs", "1"));
        assertEquals(0, tiny.code(), tiny.out());
        assertTrue(tiny.out().contains("warning: device 'gpu' is unusable (cuda: out of GPU memory allocating 32 MiB (8 MiB free); opencl: "),
                tiny.out());
        assertFalse(tiny.out().contains("cuda: cuda:"), tiny.out());
        fakeSaidOnly(tiny, "cuMemAlloc_v2 refused (2): more than FAKE_CUDA_MEMORY_MIB");
        // the size as Limits.mib gives it, rounded up: what cuMemAlloc was asked for is at most that
        assertEquals(List.of("2 MiB", "1 MiB", "1 MiB"), List.of(org.mlp4j.util.Limits.mib(2 << 20), org.mlp4j.util.Limits.mib(300 << 10),
                org.mlp4j.util.Limits.mib(12)));
    }

    /**
     * The Java API trains and predicts on cuda, telling each part of an epoch; and falls back as train does: a GPU
     * without the memory for a run, or for a prediction, leaves it to the cpu.
     */
    @Test
    void theApiRunsOnCudaAndFallsBackToTheCpuWhereTheGpuIsShortOfMemory() throws Exception {
        // each epoch also predicts on cuda from its Progress: a second backend on the thread, whose close leaves
        // the fit's context current (it left none, and the fit's next call was refused)
        Result ok = java(cuda12, Map.of(), org.mlp4j.FitInChild.class.getName(), "cuda", "16,8,3", "adam", "within");
        assertEquals(0, ok.code(), ok.out());
        assertTrue(ok.out().contains("note: device: cuda") && ok.out().contains("steps 2: 20/20")
                && ok.out().contains("epoch 2: cost") && ok.out().contains(", 200 rows predicted on cuda within it")
                && ok.out().contains("predicted 200 rows on cuda") && !ok.out().contains("\nrefused: "), ok.out());
        fakeSaidOnly(ok, null);

        Result r = java(cuda12, SMALL_GPU, org.mlp4j.FitInChild.class.getName(), "gpu", "16,600,600,3", "sgd");
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("note: warning: cuda: out of device memory: training 16-600-600-3 on 200 examples needs about")
                && r.out().contains("falling back to the cpu backend"), r.out());
        assertTrue(r.out().contains("note: device: cpu") && r.out().contains("epoch 2: cost") && !r.out().contains("\nrefused: "), r.out());
        // a prediction has no estimate: the allocation the driver refused sends it to the cpu, and nothing stays allocated
        assertTrue(r.out().contains("predicted 200 rows on gpu"), r.out());
        fakeSaidOnly(r, "cuMemAlloc_v2 refused (2): more than FAKE_CUDA_MEMORY_MIB");
    }

    /**
     * A temporary directory JCuda cannot copy its library into (one that cannot be made here; a read-only or noexec /tmp
     * on a cluster) is named, with the way round it, in a line and not in JCuda's stack traces; and again when asked
     * again, where JCuda's class, whose initialiser failed, says only "Could not initialize class".
     */
    @Test
    void aTemporaryDirectoryJCudaCannotLoadFromIsNamed() throws Exception {
        Path tmp = Files.writeString(dir.resolve("a-file"), "").resolve("tmp");
        Result r = java(cuda12, Map.of("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + tmp), ProbeTwice.class.getName());
        String reason = "unusable: the JCuda driver library failed to load: the temporary directory " + tmp + " (java.io.tmpdir) does not"
                + " exist and cannot be made; point java.io.tmpdir at a directory where programs may be written and run (./mlp4j:"
                + " MLP4J_JAVA_OPTS=-Djava.io.tmpdir=DIR; java: -Djava.io.tmpdir=DIR)";
        assertEquals(2, r.out().lines().filter(reason::equals).count(), r.out());
        assertFalse(r.out().contains("Stack trace") || r.out().contains("\tat "), r.out());
        fakeSaidOnly(r, null);
    }

    /** Probes cuda twice in one JVM, printing what each probe found. */
    static final class ProbeTwice {
        public static void main(String[] args) {
            for (int i = 0; i < 2; i++) {
                try {
                    System.out.println("usable: " + CudaProvider.probe() + " device(s)");
                } catch (org.mlp4j.backend.BackendUnavailableException e) {
                    System.out.println("unusable: " + e.getMessage());
                }
            }
        }
    }

    /** A GPU run keeps the parameters on the host too: a heap too small for them is refused up front, saying how to raise it. */
    @Test
    void theHostHeapIsCheckedForTheParameters() throws Exception {
        Result r = mlp4j(Map.of("JAVA_TOOL_OPTIONS", "-Xmx64m"), train(dir.resolve("host"), "cuda", "--strict", "--hidden", "3000,3000"));
        assertEquals(2, r.code(), r.out());
        assertTrue(r.out().contains("mlp4j: keeping the parameters of 16-3000-3000-3 on the host needs") && r.out().contains("MLP4J_JAVA_OPTS=-Xmx"), r.out());
        fakeSaidOnly(r, null);
    }

    /**
     * The kernels' PTX declares the ISA of CUDA 12.0 whichever nvcc built it (kernels/build-ptx.sh), so a CUDA 12
     * driver runs them; an older one is refused with the ISA and the CUDA that takes it named.
     */
    @Test
    void aDriverOlderThanTheKernelsIsNamed() throws Exception {
        Result cuda124 = mlp4j(Map.of("FAKE_CUDA_DRIVER_VERSION", "12040"), train(dir.resolve("cuda124"), "cuda", "--strict", "--hidden", "8"));
        assertEquals(0, cuda124.code(), cuda124.out());
        assertTrue(cuda124.out().contains("device: cuda:") && cuda124.out().contains("driver CUDA 12.4"), cuda124.out());
        fakeSaidOnly(cuda124, null);

        Map<String, String> cuda118 = Map.of("FAKE_CUDA_DRIVER_VERSION", "11080");
        String reason = "CUDA_ERROR_UNSUPPORTED_PTX_VERSION (the NVIDIA driver is older than the kernels' PTX ISA 8.0, which drivers of"
                + " CUDA 12.0 and later take; update the driver)";
        Result devices = mlp4j(cuda118, "devices");
        assertTrue(devices.out().contains("unusable: cuda: loading kernels/") && devices.out().contains(reason), devices.out());
        fakeSaidOnly(devices, "cuModuleLoadData refused (222)");

        Result strict = mlp4j(cuda118, train(dir.resolve("old-strict"), "cuda", "--strict", "--hidden", "8"));
        assertEquals(2, strict.code(), strict.out());
        assertTrue(strict.out().contains(reason), strict.out());
        fakeSaidOnly(strict, "cuModuleLoadData refused (222)");

        Result gpu = mlp4j(cuda118, train(dir.resolve("old"), "gpu", "--hidden", "8"));
        assertEquals(0, gpu.code(), gpu.out());
        assertTrue(gpu.out().contains("warning:") && gpu.out().contains(reason) && gpu.out().contains("device: cpu"), gpu.out());
        fakeSaidOnly(gpu, "cuModuleLoadData refused (222)");
    }

    /**
     * A GPU older than compute capability 8.0 gets the kernels' compute_75 PTX: the stand-in, like a real driver,
     * refuses PTX that targets a newer GPU than its own (its kernels run as compute_80's PTX has them). One older
     * than 7.5 is unusable, and `devices` says why.
     */
    @Test
    void aGpuBeforeComputeCapability8TrainsOnCompute75Ptx() throws Exception {
        Result r = mlp4j(Map.of("FAKE_CUDA_COMPUTE_CAPABILITY", "75"), train(dir.resolve("turing"), "cuda", "--strict", "--hidden", "8", "--verbose"));
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("device: cuda: device 0 fake GPU") && r.out().contains(", compute capability 7.5,"), r.out());
        assertTrue(r.out().contains("steps of 10 examples: whole "), r.out());
        assertTrue(r.out().contains("test accuracy: "), r.out());
        fakeSaidOnly(r, null);

        Result pascal = mlp4j(Map.of("FAKE_CUDA_COMPUTE_CAPABILITY", "61"), "devices");
        assertTrue(pascal.out().contains("unusable: cuda: device 0 has compute capability 6.1; mlp4j's kernels need 7.5 (Turing) or later"),
                pascal.out());
        fakeSaidOnly(pascal, null);
    }

    /**
     * The book's SGD on a small network is timed as whole steps in one cooperative launch, on each of its grids, and
     * on one thread block cluster of 16 blocks and one of 8 (compute capability 9.0, the stand-in's), each as
     * cluster_steps and as deferred_steps in blocks of 4 and of 8 steps, against its steps layer by layer (--verbose
     * says so, with each way's time); a device that cannot launch cooperatively times the clusters' alone, and where
     * it holds no cluster of 16 blocks, those of 8 run; one that has no clusters either trains layer by layer without
     * timing them, and one that refuses both launches after all trains layer by layer too.
     */
    @Test
    void wholeStepsAreTimedWhereTheDeviceLaunchesCooperativelyOrClusters() throws Exception {
        String timed = "(?s).*\\nsteps of 10 examples: whole [0-9.]+ us, layer by layer [0-9.]+ us: (whole(, way [0-9]+)?|layer by layer)\\n.*";
        Result r = mlp4j(Map.of(), train(dir.resolve("whole"), "cuda", "--strict", "--hidden", "8", "--verbose"));
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().matches(timed), r.out());
        assertTrue(r.out().matches("(?s).*\\nwhole steps, way 4 of 9: " + clusters(16, 8, "[0-9.]+ us", "[0-9.]+ us", 5, 9) + ".*"), r.out());
        assertTrue(r.out().contains("test accuracy: "), r.out());
        fakeSaidOnly(r, null);

        Result cluster = mlp4j(Map.of("FAKE_CUDA_COOPERATIVE", "0"), train(dir.resolve("cluster"), "cuda", "--strict", "--hidden", "8", "--verbose"));
        assertEquals(0, cluster.code(), cluster.out());
        assertTrue(cluster.out().matches(timed), cluster.out());
        // the clusters' ways alone
        assertTrue(cluster.out().matches("(?s).*\\nwhole steps, way 1 of 6: " + clusters(16, 8, "[0-9.]+ us", "[0-9.]+ us", 2, 6) + ".*"), cluster.out());
        fakeSaidOnly(cluster, null);

        Result portable = mlp4j(Map.of("FAKE_CUDA_COOPERATIVE", "0", "FAKE_CUDA_CLUSTERS", "portable"),
                train(dir.resolve("portable"), "cuda", "--strict", "--hidden", "8", "--verbose"));
        assertEquals(0, portable.code(), portable.out());
        assertTrue(portable.out().matches("(?s).*\\nwhole steps, way 1 of 6: " + clusters(16, 8, "failed to launch", "[0-9.]+ us", 2, 6) + ".*"),
                portable.out());
        assertTrue(portable.out().matches("(?s).*\\nsteps of 10 examples: whole [0-9.]+ us, layer by layer [0-9.]+ us: (whole, way [256]|layer by layer)\\n.*"),
                portable.out());
        assertTrue(portable.out().contains("test accuracy: "), portable.out());
        fakeSaidOnly(portable, "refused (912)");

        Result none = mlp4j(Map.of("FAKE_CUDA_COOPERATIVE", "0", "FAKE_CUDA_COMPUTE_CAPABILITY", "80"),
                train(dir.resolve("no-whole"), "cuda", "--strict", "--hidden", "8", "--verbose"));
        assertEquals(0, none.code(), none.out());
        assertFalse(none.out().contains("steps of 10 examples"), none.out());
        assertTrue(none.out().contains("test accuracy: "), none.out());
        fakeSaidOnly(none, null);

        Result refused = mlp4j(Map.of("FAKE_CUDA_COOPERATIVE", "refused", "FAKE_CUDA_CLUSTERS", "refused"),
                train(dir.resolve("refused"), "cuda", "--strict", "--hidden", "8", "--verbose"));
        assertEquals(0, refused.code(), refused.out());
        assertTrue(refused.out().matches("(?s).*\\nsteps of 10 examples: whole unusable, layer by layer [0-9.]+ us: layer by layer\\n.*"),
                refused.out());
        assertTrue(refused.out().contains("test accuracy: "), refused.out());
        fakeSaidOnly(refused, "refused (801)");
    }

    @Test
    void aWayOfWholeStepsThatFaultsTheDeviceStopsTheRunAndLaterRunsLeaveItOut() throws Exception {
        // cluster_steps faults the device whenever it runs: the run that checks it (way 4, its 16 blocks) stops and names
        // it; the next leaves out both of its ways (16 blocks and 8: one kind) and trains
        Path cache = dir.resolve("fault-cache");
        Result second = faultedThenLeftOut("cluster_steps", cache, "whole steps, way 4 of 9 \\(one thread block cluster of 16 blocks [^\\n]*\\)",
                "whole steps, one thread block cluster of N blocks of N threads, the network in their shared memory \\(N bytes a block\\)");
        for (int way : new int[] {4, 5}) {
            assertTrue(second.out().matches("(?s).*\\nwhole steps, way " + way + " of 9: one thread block cluster of [^\\n]*: left out \\(it faulted this"
                    + " device in an earlier run\\)\\n.*"), second.out());
        }
        assertTrue(second.out().matches("(?s).*\\nwhole steps, way 6 of 9: [^\\n]*: [0-9.]+ us \\(within [^\\n]*\\n.*"), second.out());
        // devices names it, on its device, with the file to delete its line from
        Result devices = mlp4j(Map.of("XDG_CACHE_HOME", cache.toString()), "devices");
        assertEquals(0, devices.code(), devices.out());
        assertTrue(devices.out().matches("(?s).*\\nleft out where they faulted the device in an earlier run \\(to try one again, delete its line in "
                + java.util.regex.Pattern.quote(cache.resolve("mlp4j/faults.tsv").toString()) + "\\)\\n  cuda: device 0 fake GPU [^\\n]*: whole steps, one"
                + " thread block cluster of N blocks [^\\n]* \\(\\d{4}-\\d\\d-\\d\\d: cuda: [^\\n]*CUDA_ERROR_ILLEGAL_ADDRESS\\)\\n"
                + "the choices of 1 network on a device, timed by an earlier run and taken by later ones, [^\\n]*\\n"), devices.out());
    }

    @Test
    void aFoldThatFaultsTheDeviceStopsTheRunAndLaterRunsLeaveItOut() throws Exception {
        // output_step faults where it is given its product's k: the folded output step, whose check stops the run and
        // names it; the plain output step (the same kernel, given 0) runs, and the next run trains with it
        Result second = faultedThenLeftOut("output_step:2", dir.resolve("fold-fault-cache"), "the output step with its product folded in",
                "the output step with its product folded in");
        assertTrue(second.out().matches("(?s).*\\noutput step 10x8x3: folded unusable \\(refused, or left out\\), GEMM and step [0-9.]+ us: GEMM and"
                + " step\\n.*"), second.out());
    }

    /**
     * Two runs of {@code train --verbose} with {@code FAKE_CUDA_FAULT_KERNEL=}{@code kernel}, their faults remembered
     * in {@code cache}: the first stops, saying that {@code what} (a pattern) faulted the device as the run checked it,
     * and writes no model; the second warns once that {@code kind} (a pattern) is left out, and trains. Returns the second.
     */
    private static Result faultedThenLeftOut(String kernel, Path cache, String what, String kind) throws Exception {
        Map<String, String> env = Map.of("FAKE_CUDA_FAULT_KERNEL", kernel, "XDG_CACHE_HOME", cache.toString());
        String file = java.util.regex.Pattern.quote(cache.resolve("mlp4j/faults.tsv").toString());
        Path faulted = dir.resolve("faulted-" + cache.getFileName());
        Result first = mlp4j(env, train(faulted, "cuda", "--strict", "--hidden", "8", "--verbose"));
        assertEquals(1, first.code(), first.out());
        assertTrue(first.out().matches("(?s).*\\nmlp4j: " + what + " faulted the device as the run checked it \\(cuda: [^\\n]*CUDA_ERROR_ILLEGAL_ADDRESS\\);"
                + " later runs on this device leave it out \\(remembered in " + file + "\\); stopped, nothing more was written\\n.*"), first.out());
        assertFalse(Files.exists(faulted.resolve("model.npz")));
        fakeSaidOnly(first, "kernel " + kernel.split(":")[0] + " faults");

        Result second = mlp4j(env, train(dir.resolve("after-" + cache.getFileName()), "cuda", "--strict", "--hidden", "8", "--verbose"));
        assertEquals(0, second.code(), second.out());
        assertTrue(second.out().matches("(?s).*\\nwarning: left out on this device: " + kind + ": it faulted it in an earlier run \\(\\d{4}-\\d\\d-\\d\\d:"
                + " cuda: [^\\n]*CUDA_ERROR_ILLEGAL_ADDRESS\\); to try it again, delete its line in " + file + "\\n.*"), second.out());
        assertEquals(1, second.out().lines().filter(l -> l.startsWith("warning: left out on this device: ")).count(), second.out());
        assertTrue(second.out().contains("test accuracy: "), second.out());
        fakeSaidOnly(second, null);
        return second;
    }

    @Test
    void aWayOfWholeStepsWhoseKernelNeverEndsIsLeftOutOnceItsRunIsKilled() throws Exception {
        // deferred_steps never ends: the run that checks it (way 6) waits until it is killed, as on a GPU; the next run
        // finds the check that never ended and leaves out every deferred way (6 to 9: one kind), which would fault it
        Path cache = dir.resolve("hang-cache");
        Process hung = child(cuda12, Map.of("FAKE_CUDA_HANG_KERNEL", "deferred_steps", "XDG_CACHE_HOME", cache.toString()), "org.mlp4j.cli.Main", train(dir.resolve("hung"), "cuda", "--strict", "--hidden", "8")).start();
        StringBuilder said = new StringBuilder();
        try (java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(hung.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = ""; !line.contains("kernel deferred_steps never ends"); said.append(line).append('\n')) {
                line = out.readLine();
                assertTrue(line != null, "the run ended before deferred_steps ran:\n" + said);
            }
            hung.destroyForcibly();
            hung.waitFor();
        }

        Result next = mlp4j(Map.of("FAKE_CUDA_FAULT_KERNEL", "deferred_steps", "XDG_CACHE_HOME", cache.toString()), train(dir.resolve("after-hang"), "cuda", "--strict", "--hidden", "8", "--verbose"));
        assertEquals(0, next.code(), next.out());
        assertTrue(next.out().matches("(?s).*\\nwarning: left out on this device: whole steps, one thread block cluster of [^\\n]*: it faulted it in"
                + " an earlier run \\(\\d{4}-\\d\\d-\\d\\d: the run that checked it ended before the check did \\(killed, or the kernel never"
                + " ended\\)\\); to try it again, delete its line in [^\\n]*faults.tsv\\n.*"), next.out());
        for (int way = 6; way <= 9; way++) {
            assertTrue(next.out().matches("(?s).*\\nwhole steps, way " + way + " of 9: one thread block cluster of [^\\n]*: left out \\(it faulted this"
                    + " device in an earlier run\\)\\n.*"), next.out());
        }
        assertTrue(next.out().contains("test accuracy: "), next.out());
        fakeSaidOnly(next, null);
        try (java.util.stream.Stream<Path> files = Files.list(cache.resolve("mlp4j"))) {
            assertEquals(List.of("choices.tsv", "faults.tsv"), files.map(f -> f.getFileName().toString()).sorted().toList(),
                    "the check's file, dropped once judged");
        }
    }

    /**
     * deferred_steps' Grams take the square of a block's rows: in blocks of 8 steps of 300 rows (2,400) they are not
     * offered, in blocks of 4 (1,200) they are. And a device without room for whole steps' buffers (SMALL_GPU: those
     * of blocks of 250 rows) trains layer by layer and says why, instead of failing for memory.
     */
    @Test
    void wholeStepsBuffersStayWithinBoundsOrTheRunGoesLayerByLayer() throws Exception {
        Result big = mlp4j(Map.of(), train(dir.resolve("big-batch"), "cuda", "--strict", "--hidden", "8", "--verbose", "--valid", "0", "--batch",
                "300", "--epochs", "1"));
        assertEquals(0, big.code(), big.out());
        assertTrue(big.out().contains("\nwhole steps, way 7 of 7: ") && big.out().contains("blocks of 4 steps with the first layer's updates deferred")
                && !big.out().contains("blocks of 8 steps"), big.out());
        fakeSaidOnly(big, null);

        Result noRoom = mlp4j(SMALL_GPU, train(dir.resolve("no-room"), "cuda", "--strict", "--hidden", "8", "--verbose", "--batch", "250", "--epochs",
                "1"));
        assertEquals(0, noRoom.code(), noRoom.out());
        assertTrue(noRoom.out().contains("\nwhole steps not offered: no device memory for their buffers (cuda: out of GPU memory allocating "),
                noRoom.out());
        assertFalse(noRoom.out().contains("steps of 250 examples"), noRoom.out());
        assertTrue(noRoom.out().contains("test accuracy: "), noRoom.out());
        fakeSaidOnly(noRoom, "cuMemAlloc_v2 refused (2): more than FAKE_CUDA_MEMORY_MIB");
    }

    /**
     * --verbose's lines of the cluster ways, from the first's time on: cluster_steps on clusters of {@code big} and of
     * {@code small} blocks, then deferred_steps on each in blocks of 4 and of 8 steps; the ways on {@code big}
     * blocks end as {@code bigTime}, those on {@code small} as {@code smallTime}; the second numbered {@code second}
     * of {@code ways}.
     */
    private static String clusters(int big, int small, String bigTime, String smallTime, int second, int ways) {
        // each time, where there is one, followed by how near the way ended to the layer ops
        String cluster = "one thread block cluster of %d blocks of 512 threads, ";
        String deferred = cluster + "blocks of %d steps with the first layer's updates deferred [^\\n]*: %s( \\(within [^\\n]*\\))?\\n";
        return String.format(java.util.Locale.ROOT, cluster + "[^\\n]*: %s( \\(within [^\\n]*\\))?\\n", big, bigTime)
                + String.format(java.util.Locale.ROOT, "whole steps, way %d of %d: " + cluster + "[^\\n]*: %s( \\(within [^\\n]*\\))?\\n", second, ways, small, smallTime)
                + String.format(java.util.Locale.ROOT, "whole steps, way %d of %d: " + deferred, second + 1, ways, big, 4, bigTime)
                + String.format(java.util.Locale.ROOT, "whole steps, way %d of %d: " + deferred, second + 2, ways, big, 8, bigTime)
                + String.format(java.util.Locale.ROOT, "whole steps, way %d of %d: " + deferred, second + 3, ways, small, 4, smallTime)
                + String.format(java.util.Locale.ROOT, "whole steps, way %d of %d: " + deferred, second + 4, ways, small, 8, smallTime);
    }

    @Test
    void aKernelFaultStopsTheRunWithoutWritingAModelAndTheApiSaysWhy() throws Exception {
        Path out = dir.resolve("fault");
        // run 200: in the training steps, after the 112 runs (cuBLAS calls included) of the layer steps' timing
        // (tune); the device launches neither cooperative kernels nor clusters (compute capability 8.0), so no timing of
        // whole steps comes before them
        Map<String, String> fails = Map.of("FAKE_CUDA_FAIL_LAUNCH", "200", "FAKE_CUDA_COOPERATIVE", "0", "FAKE_CUDA_COMPUTE_CAPABILITY", "80");
        Result r = mlp4j(fails, train(out, "cuda", "--hidden", "8"));
        assertEquals(1, r.code(), r.out());
        assertTrue(r.out().contains("CUDA_ERROR_LAUNCH_FAILED") && r.out().contains("stopped, nothing more was written"), r.out());
        assertFalse(r.out().contains("\tat "), "no stack trace: " + r.out());
        assertFalse(Files.exists(out.resolve("model.npz")));
        fakeSaidOnly(r, "kernel run 200 fails");  // and no memory left allocated

        // through the Java API: the public exception with the driver's error, not the backend's own
        Result api = java(cuda12, fails, org.mlp4j.FitInChild.class.getName(),
                "cuda", "16,8,3", "sgd");
        assertEquals(0, api.code(), api.out());
        assertTrue(api.out().contains("refused: java.lang.IllegalStateException: cuda: ") && api.out().contains("CUDA_ERROR_LAUNCH_FAILED"), api.out());
        fakeSaidOnly(api, "kernel run 200 fails");
    }
}
