package org.mlp4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mlp4j.Commands.run;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlp4j.backend.GpuKernel;

/**
 * What CI (no GPU) can check of the CUDA backend's build: the PTX of every kernel is on the class path
 * with its entry point and keeps no data in local memory, every kernel fits the block CudaBackend launches it
 * with on every GPU architecture (and spills nothing on the GPU test machine's), and the compat library has
 * SONAME libcublas.so.12 with its symbols under version libcublas.so.12. Skipped with the reason where nvcc or gcc was missing at build time.
 */
class CudaBuildTest {
    /** What a block may hold on every architecture from sm_75 up: threads, registers, static shared memory. */
    static final int THREADS_PER_BLOCK = 1024;
    static final int REGISTERS_PER_BLOCK = 65536;
    static final int MAX_REGISTERS_PER_THREAD = 255;
    static final int SHARED_BYTES_PER_BLOCK = 48 << 10;
    /** Registers are given to a warp in units of 256. */
    static final int REGISTER_UNIT = 256;

    @TempDir
    Path dir;

    static String resource(String name) throws IOException {
        try (InputStream in = CudaBuildTest.class.getResourceAsStream(name)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    /**
     * The blocks CudaBackend launches are the ones the kernels are written for, and the activations' and
     * outputs' codes are Java's: kernels/layout.cuh holds them.
     */
    @Test
    void kernelHeaderHoldsTheLaunchLayoutAndCodes() throws IOException {
        Map<String, String> header = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^#define (\\w+) (\\S+)$").matcher(Files.readString(Path.of("kernels/layout.cuh")));
        while (m.find()) {
            header.put(m.group(1), m.group(2));
        }
        Map<String, String> java = new TreeMap<>(GpuKernel.CODES);
        CudaBackend.LAYOUT.defines().forEach((name, value) -> java.put(name, value.toString()));
        java.put("WHOLE_STEPS_THREADS", Integer.toString(CudaBackend.WHOLE_STEPS_THREADS));
        java.put("UPDATE_TILE", Integer.toString(org.mlp4j.backend.GpuBackend.UPDATE_TILE));
        assertEquals(java, header);
    }

    /**
     * The cluster kernels' clusters, the floats of x cluster_steps's threads hold and the units a block of
     * deferred_steps holds are the ones CudaBackend launches them for and checks: the defines, and what the PTX of
     * each entry declares to the driver (its block and cluster).
     */
    @Test
    void clusterStepsKernelsHoldTheirClusterSizes() throws IOException {
        String sizes = Files.readString(Path.of("kernels/clusters.cuh"));
        assertTrue(sizes.contains("\n#define CLUSTER_BLOCKS " + CudaBackend.CLUSTER_BLOCKS + "\n"), "CLUSTER_BLOCKS");
        assertTrue(sizes.contains("\n#define PORTABLE_CLUSTER_BLOCKS " + CudaBackend.PORTABLE_CLUSTER_BLOCKS + "\n"), "PORTABLE_CLUSTER_BLOCKS");
        String cluster = Files.readString(Path.of("kernels/cluster_steps.cu")), deferred = Files.readString(Path.of("kernels/deferred_steps.cu"));
        assertTrue(cluster.contains("\n#define CLUSTER_NEXT_FLOATS " + CudaBackend.CLUSTER_NEXT_FLOATS + "\n"), "CLUSTER_NEXT_FLOATS");
        assertTrue(deferred.contains("\n#define DEFERRED_UNITS " + CudaBackend.DEFERRED_UNITS + "\n"), "DEFERRED_UNITS");
        Assumptions.assumeTrue(resource("/kernels/gather.ptx") != null, "nvcc was missing at build time: no PTX to check");
        for (GpuKernel k : cudaKernels()) {
            if (k.shape() == GpuKernel.Shape.CLUSTER) {
                String ptx = resource("/kernels/" + CudaBackend.ptxFile(k.file(), 90));  // the PTX an H200 loads
                Matcher entry = Pattern.compile("\\.entry " + k.entry() + "\\([^{]*?\\.maxntid (\\d+), 1, 1\\s[^{]*?\\.reqnctapercluster (\\d+), 1, 1\\s",
                        Pattern.DOTALL).matcher(ptx);
                assertTrue(entry.find(), k.entry() + " declares its block and cluster");
                assertEquals(CudaBackend.WHOLE_STEPS_THREADS, Integer.parseInt(entry.group(1)), k.entry() + "'s block");
                assertEquals(CudaBackend.clusterBlocks(k), Integer.parseInt(entry.group(2)), k.entry() + "'s cluster");
            }
        }
    }

    @Test
    void everyKernelIsBuiltToPtxForAVirtualArchitecture() throws IOException {
        Assumptions.assumeTrue(resource("/kernels/gather.ptx") != null, "nvcc was missing at build time: no PTX to check");
        for (GpuKernel k : cudaKernels()) {
            // a kernel with code for sm_80 on has compute_80's PTX beside compute_75's, one of clusters compute_90's alone
            // (kernels/build-ptx.sh)
            String source = Files.readString(Path.of("kernels", k.file() + ".cu"));
            boolean clusters = source.contains("__cluster_dims__");
            assertEquals(!clusters, resource("/kernels/" + k.file() + ".ptx") != null, k.file() + ": compute_75's PTX");
            assertEquals(!clusters && source.contains("ASYNC_COPIES"), resource("/kernels/" + k.file() + ".compute_80.ptx") != null,
                    k.file() + ": compute_80's PTX");
            assertEquals(clusters, resource("/kernels/" + k.file() + ".compute_90.ptx") != null, k.file() + ": compute_90's PTX");
        }
        for (Ptx file : ptxFiles()) {
            String ptx = resource("/kernels/" + file.name());
            for (GpuKernel k : cudaKernels()) {
                assertTrue(!k.file().equals(file.kernels()) || ptx.contains(".visible .entry " + k.entry() + "("), file.name() + " lacks entry " + k.entry());
            }
            assertTrue(ptx.contains(".target sm_" + file.arch() + "\n"), file.name() + " targets compute_" + file.arch());
            assertEquals(file.arch() == 80, ptx.contains("cp.async"), file.name() + ": copies that do not wait are what compute_80's PTX is for");
            // a driver of CUDA 12.0 takes ISA 8.0 and older; nvcc 13 writes 9.0 (kernels/build-ptx.sh rewrites it,
            // and ptxas below fails a file that declares an ISA older than one of its instructions)
            Matcher v = Pattern.compile("(?m)^\\.version (\\d+)\\.(\\d+)$").matcher(ptx);
            assertTrue(v.find(), file.name() + " declares its PTX ISA");
            assertTrue(Integer.parseInt(v.group(1)) * 10 + Integer.parseInt(v.group(2)) <= 80, file.name() + " declares ISA " + v.group()
                    + ", newer than a CUDA 12.0 driver takes");
            // an array a kernel indexes at run time lives in local memory, which shares L1 with global data: where a
            // grid barrier's fence drops L1, the next phase's first use waits on L2 (Net and pick in train_steps.cu)
            assertTrue(!ptx.contains(".local"), file.name() + " puts data in local memory (an array indexed at run time?)");
        }
    }

    /**
     * CudaBackend loads compute_80's PTX where a kernel has one and the GPU runs it, else compute_75's; a kernel of
     * clusters only on GPUs of compute_90 on, and none on others; compute_75's, which it then says is missing, for a
     * file that has none.
     */
    @Test
    void eachGpuGetsThePtxItRuns() throws IOException {
        Assumptions.assumeTrue(resource("/kernels/gather.ptx") != null, "nvcc was missing at build time: no PTX to check");
        for (String file : new TreeSet<>(cudaKernels().stream().map(GpuKernel::file).toList())) {
            if (resource("/kernels/" + file + ".compute_90.ptx") != null) {
                assertEquals(null, CudaBackend.ptxFile(file, 75));
                assertEquals(null, CudaBackend.ptxFile(file, 89));
                assertEquals(file + ".compute_90.ptx", CudaBackend.ptxFile(file, 90));
                assertEquals(file + ".compute_90.ptx", CudaBackend.ptxFile(file, 100));
                continue;
            }
            boolean newer = resource("/kernels/" + file + ".compute_80.ptx") != null;
            assertEquals(file + ".ptx", CudaBackend.ptxFile(file, 75));
            assertEquals(file + (newer ? ".compute_80.ptx" : ".ptx"), CudaBackend.ptxFile(file, 80));
            assertEquals(file + (newer ? ".compute_80.ptx" : ".ptx"), CudaBackend.ptxFile(file, 90));
        }
        assertEquals("no_such_kernels.ptx", CudaBackend.ptxFile("no_such_kernels", 90));
    }

    /** A PTX file of the jar: {@code name}, holding the kernels of kernels/{@code kernels}.cu, for compute_{@code arch}. */
    record Ptx(String name, String kernels, int arch) {
    }

    /** Every PTX file of the jar: each kernel file's for compute_75 and for each of CudaBackend.NEWER_PTX, those it has. */
    static List<Ptx> ptxFiles() throws IOException {
        List<Ptx> all = new ArrayList<>();
        for (String file : new TreeSet<>(cudaKernels().stream().map(GpuKernel::file).toList())) {
            if (resource("/kernels/" + file + ".ptx") != null) {
                all.add(new Ptx(file + ".ptx", file, 75));
            }
            for (int arch : CudaBackend.NEWER_PTX) {
                if (resource("/kernels/" + file + ".compute_" + arch + ".ptx") != null) {
                    all.add(new Ptx(file + ".compute_" + arch + ".ptx", file, arch));
                }
            }
        }
        return all;
    }

    /**
     * A kernel that needs more registers or shared memory than its block may have builds and passes every
     * CPU test, then fails to launch on the GPU (CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES). So each PTX is compiled
     * here by ptxas, as the driver's JIT compiles it, for every architecture this CUDA knows from the PTX's own
     * up, and each kernel's registers for its block (CudaBackend.LAYOUT) and its shared memory are checked. On
     * sm_90, the GPU test machine's, no kernel may spill registers to local memory either (which ptxas decides,
     * so the PTX's own check above cannot see it): the kernels are timed there, and train_steps is written to keep
     * its data out of local memory.
     */
    @Test
    void everyKernelFitsItsBlockOnEveryArchitecture() throws Exception {
        Assumptions.assumeTrue(resource("/kernels/gather.ptx") != null, "nvcc was missing at build time: no PTX to check");
        String ptxas = tool("ptxas");
        List<Integer> archs = new ArrayList<>();
        Matcher compute = Pattern.compile("compute_(\\d+)\\b").matcher(run(tool("nvcc"), "--list-gpu-arch"));
        while (compute.find()) {
            if (Integer.parseInt(compute.group(1)) >= 75) {
                archs.add(Integer.parseInt(compute.group(1)));
            }
        }
        assertTrue(archs.contains(90), "nvcc lists no sm_90 (the GPU test machine's H200): " + archs);
        // per entry: "Compiling entry function 'K' for 'sm_XX'", "N bytes stack frame, S bytes spill stores, ...",
        // "Used N registers, used B barriers, S bytes smem"
        Pattern compiled = Pattern.compile("Compiling entry function '(\\w+)'(?:(?!Compiling).)*?(\\d+) bytes spill stores"
                + "(?:(?!Compiling).)*?Used (\\d+) registers(?:, used \\d+ barriers)?(?:, (\\d+) bytes smem)?", Pattern.DOTALL);
        int checked = 0, expected = 0;
        for (Ptx file : ptxFiles()) {
            Path ptx = dir.resolve(file.name());
            Files.writeString(ptx, resource("/kernels/" + file.name()), StandardCharsets.US_ASCII);
            long kernels = cudaKernels().stream().filter(k -> k.file().equals(file.kernels())).count();
            for (int arch : archs) {
                if (!file.name().equals(CudaBackend.ptxFile(file.kernels(), arch))) {
                    continue;  // a GPU of this architecture loads the kernels' other PTX
                }
                expected += kernels;
                Matcher m = compiled.matcher(run(ptxas, "-arch=sm_" + arch, "-v", "-O3", "-o", dir.resolve("out.cubin").toString(), ptx.toString()));
                while (m.find()) {
                    GpuKernel kernel = GpuKernel.valueOf(m.group(1).toUpperCase(java.util.Locale.ROOT));
                    int spilled = Integer.parseInt(m.group(2));
                    int registers = Integer.parseInt(m.group(3));
                    int shared = m.group(4) == null ? 0 : Integer.parseInt(m.group(4));
                    // the CUSTOM grid's is optimize_layer's: a thread for each 2 x 2 weights of a tile
                    int threads = kernel.shape() == GpuKernel.Shape.COOPERATIVE || kernel.shape() == GpuKernel.Shape.CLUSTER
                            ? CudaBackend.WHOLE_STEPS_THREADS
                            : kernel == GpuKernel.OPTIMIZE_LAYER ? org.mlp4j.backend.GpuBackend.UPDATE_TILE * org.mlp4j.backend.GpuBackend.UPDATE_TILE / 4
                            : CudaBackend.LAYOUT.blockThreads(kernel.shape());
                    int warps = (threads + 31) / 32;
                    int perWarp = (registers * 32 + REGISTER_UNIT - 1) / REGISTER_UNIT * REGISTER_UNIT;
                    String what = m.group(1) + " of " + file.name() + " on sm_" + arch + ": " + registers + " registers x " + threads
                            + " threads, " + shared + " bytes shared, " + spilled + " bytes of spill stores";
                    assertTrue(threads <= THREADS_PER_BLOCK, what);
                    assertTrue(registers <= MAX_REGISTERS_PER_THREAD && warps * perWarp <= REGISTERS_PER_BLOCK, what);
                    assertTrue(shared <= SHARED_BYTES_PER_BLOCK, what);
                    assertTrue(arch != 90 || spilled == 0, what);
                    checked++;
                }
            }
        }
        assertEquals(expected, checked, "ptxas reported every kernel on every architecture");
    }

    static List<GpuKernel> cudaKernels() {
        return java.util.Arrays.stream(GpuKernel.values()).filter(GpuKernel::onCuda).toList();
    }

    /** A CUDA tool: beside $NVCC, on the PATH, or in /usr/local/cuda/bin (where kernels/build-ptx.sh looks for nvcc). */
    static String tool(String name) {
        List<String> dirs = new ArrayList<>();
        String nvcc = System.getenv("NVCC");
        if (nvcc != null && Path.of(nvcc).getParent() != null) {
            dirs.add(Path.of(nvcc).getParent().toString());
        }
        dirs.addAll(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.add("/usr/local/cuda/bin");
        for (String dir : dirs) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        throw new AssertionError(name + " not found, although nvcc built the PTX; looked in " + dirs);
    }

    /**
     * The shared memory CudaBackend gives a block of each cluster kernel is what the kernel lays out: its Java
     * formulas against the kernels' own (built for the CPU), over 5,376 shapes whose blocks hold from one unit to 32
     * and minibatches from one row to more than the block's threads.
     */
    @Test
    void clusterKernelsGetTheSharedMemoryTheyLayOut() throws IOException, InterruptedException {
        Path source = dir.resolve("shared_floats.cpp"), exe = dir.resolve("shared_floats");
        Files.writeString(source, """
                #include "block_emulator.h"
                #include "cluster_steps.cu"
                #include "deferred_steps.cu"
                int main() {
                    for (int s0 : {37, 784})
                        for (int s1 : {1, 4, 5, 7, 8, 9, 13, 16, 17, 31, 33, 64, 100, 128, 200, 256})
                            for (int s2 : {3, 10})
                                for (int batch : {1, 7, 31, 100, 250, 500, 1000})
                                    for (int k : {1, 4, 8})
                                        for (int blocks : {CLUSTER_BLOCKS, PORTABLE_CLUSTER_BLOCKS})
                                            for (int threads : {64, WHOLE_STEPS_THREADS})
                                                printf("%d %d %d %d %d %d %d %ld %ld\\n", s0, s1, s2, batch, k, blocks, threads,
                                                       cluster_steps_shared_floats(s0, s1, s2, batch, blocks),
                                                       deferred_shared_floats(s1, s2, batch, k, blocks, threads));
                }
                """);
        buildOnCpu(exe, source.toString());
        String[] lines = run(exe.toString()).strip().split("\n");
        assertEquals(2 * 16 * 2 * 7 * 3 * 2 * 2, lines.length);
        for (String line : lines) {
            long[] v = Arrays.stream(line.split(" ")).mapToLong(Long::parseLong).toArray();
            int s0 = (int) v[0], s1 = (int) v[1], s2 = (int) v[2], batch = (int) v[3], k = (int) v[4], blocks = (int) v[5], threads = (int) v[6];
            assertEquals(v[7], CudaBackend.clusterStepsSharedFloats(s0, s1, s2, batch, blocks), "cluster_steps_shared_floats " + line);
            assertEquals(v[8], CudaBackend.deferredSharedFloats(s1, s2, batch, k, blocks, threads), "deferred_shared_floats " + line);
        }
    }

    /**
     * Builds {@code source}, a program around kernels/ on the CPU block emulator (src/test/cuda), into {@code exe}
     * with g++ and its {@code options} besides (-I DIR, -D NAME=VALUE); aborts the calling test where g++ is missing.
     */
    static void buildOnCpu(Path exe, String source, String... options) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("g++", "-std=c++20", "-O1", "-I", "kernels", "-I", "src/test/cuda"));
        cmd.addAll(List.of(options));
        cmd.addAll(List.of("-x", "c++", "-o", exe.toString(), source));
        try {
            run(cmd.toArray(String[]::new));
        } catch (IOException e) {
            Assumptions.abort("g++ is not installed: " + e.getMessage());
        }
    }

    @Test
    void compatLibraryIsLibcublas12WithVersionedSymbols() throws Exception {
        Path lib = dir.resolve("libcublas.so.12");
        try (InputStream in = CudaBuildTest.class.getResourceAsStream("/native/linux-x86_64/libcublas.so.12")) {
            Assumptions.assumeTrue(in != null, "no compat library in the jar to check (gcc missing at build time, or not Linux on x86-64)");
            Files.copy(in, lib);
        }
        try {
            new ProcessBuilder("readelf", "--version").start().waitFor();
        } catch (IOException e) {
            Assumptions.abort("readelf (binutils) is not installed");
        }
        assertTrue(run("readelf", "-d", lib.toString()).contains("Library soname: [libcublas.so.12]"));
        String symbols = run("readelf", "--dyn-syms", "-W", lib.toString());
        for (String f : List.of("cublasCreate_v2", "cublasDestroy_v2", "cublasSetStream_v2", "cublasSetWorkspace_v2",
                "cublasGetVersion_v2", "cublasSgemm_v2")) {
            assertTrue(symbols.contains(f + "@@libcublas.so.12"), f + " under version libcublas.so.12:\n" + symbols);
        }
    }
}
