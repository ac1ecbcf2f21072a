package org.mlp4j.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlp4j.Commands;
import org.mlp4j.backend.GpuKernel;

/**
 * The OpenCL kernels keep their data out of a GPU's local memory, as the CUDA kernels do (CudaBuildTest): an array
 * an item indexes at run time (the layers' buffers picked by a loop's layer, or an array a loop that stays rolled
 * reads) lives in private memory, which NVIDIA's GPUs keep in memory behind L1, so each use is a load that the
 * loads it addresses wait on. NVIDIA's OpenCL compiler runs only on the GPU machine (bench/ab/OpenClPtx.java
 * reports from there what it made); here clang, built on LLVM as NVIDIA's is, compiles every kernel OpenClBackend
 * builds, with each candidate size of gemm_tiled's tiles, for NVIDIA's PTX (src/test/opencl/nvptx_prelude.h stands
 * in for OpenCL's built-in functions), and no kernel may declare local memory. Skipped where there is no clang that targets NVPTX (PoCL's packages bring one).
 */
class OpenClPtxTest {
    /**
     * gemm_tiled holds the slab it reads a slab ahead and its accumulators in arrays that clang keeps partly in local
     * memory (the epilogue's loops, which stop at the matrix's edge, stay rolled); held in registers they cost it
     * up to 70 more per item under clang, fewer work-groups to a multiprocessor. Which NVIDIA's compiler does, and
     * which is faster, only the GPU says.
     */
    static final List<String> UNCHECKED = List.of(GpuKernel.GEMM_TILED.entry());

    @TempDir
    Path dir;

    @Test
    void noKernelDeclaresLocalMemory() throws IOException, InterruptedException {
        String clang = clang();
        Path source = dir.resolve("kernels.cl");
        Files.writeString(source, String.join("\n", OpenClBackend.texts(OpenClBackend.sources())));
        List<String> expected = Arrays.stream(GpuKernel.values()).filter(GpuKernel::onOpenCl).map(GpuKernel::entry).sorted().toList();
        Map<String, String> local = new TreeMap<>();
        for (OpenClBackend.Tiles tiles : OpenClBackend.TILES) {
            Path ptx = dir.resolve("kernels-" + tiles.name() + ".ptx");
            List<String> cmd = new ArrayList<>(List.of(clang, "-x", "cl", "-cl-std=CL1.2", "-target", "nvptx64-nvidia-nvcl", "-O3", "-S",
                    "-include", Path.of("src/test/opencl/nvptx_prelude.h").toAbsolutePath().toString()));
            cmd.addAll(List.of(OpenClBackend.options(tiles).split(" ")));
            cmd.addAll(List.of("-o", ptx.toString(), source.toString()));
            Commands.run(cmd.toArray(String[]::new));
            Map<String, String> entries = entries(Files.readString(ptx));
            assertEquals(expected, new ArrayList<>(entries.keySet()), "the kernels clang compiled with tiles " + tiles);
            entries.forEach((name, body) -> {
                Matcher m = Pattern.compile("\\.local\\s+\\.align\\s+\\d+\\s+\\.b8\\s+\\S+\\[(\\d+)\\]").matcher(body);
                if (!UNCHECKED.contains(name) && m.find()) {
                    local.merge(name, m.group(1) + " bytes (tiles " + tiles + ")", (a, b) -> a);
                }
            });
        }
        assertTrue(local.isEmpty(), "kernels that keep data in local memory (an array indexed at run time?): " + local);
    }

    /** Each kernel's entry name and its PTX, up to the next entry. */
    static Map<String, String> entries(String ptx) {
        Map<String, String> out = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^\\.entry (\\w+)\\(").matcher(ptx);
        String name = null;
        int start = 0;
        while (m.find()) {
            if (name != null) {
                out.put(name, ptx.substring(start, m.start()));
            }
            name = m.group(1);
            start = m.start();
        }
        if (name != null) {
            out.put(name, ptx.substring(start));
        }
        return out;
    }

    /**
     * A clang that targets NVPTX: $CLANG, else clang, else a versioned clang-N on the PATH (PoCL's packages bring
     * one), the newest first; aborts the test where there is none.
     */
    static String clang() throws InterruptedException {
        List<String> candidates = new ArrayList<>();
        if (System.getenv("CLANG") != null) {
            candidates.add(System.getenv("CLANG"));
        }
        candidates.add("clang");
        List<String> versioned = new ArrayList<>();
        for (String path : System.getenv().getOrDefault("PATH", "").split(":")) {
            String[] names = path.isEmpty() ? null : new java.io.File(path).list((d, name) -> name.matches("clang-\\d+"));
            versioned.addAll(names == null ? List.of() : List.of(names));
        }
        versioned.stream().distinct().sorted(java.util.Comparator.comparingInt((String name) -> Integer.parseInt(name.substring("clang-".length())))
                .reversed()).forEach(candidates::add);
        List<String> tried = new ArrayList<>();
        for (String c : candidates) {
            try {
                Process p = new ProcessBuilder(c, "--print-targets").redirectErrorStream(true).start();
                String targets = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (p.waitFor() == 0 && targets.contains("nvptx64")) {
                    return c;
                }
                tried.add(c + " (no nvptx64 target)");
            } catch (IOException e) {
                tried.add(c + " (not found)");
            }
        }
        Assumptions.abort("no clang that targets NVPTX: " + tried);
        return null;
    }
}
