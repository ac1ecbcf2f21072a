package org.mlp4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@link GpuKernel} is the one declaration of the GPU kernels: each constant names an entry point of its
 * file in {@code kernels/} on every device that has it, with parameters of the declared kinds (a matrix declared
 * INPUT is {@code const} in every source, and only such a matrix is), and every entry point in {@code kernels/} is
 * declared. A launch that passes the wrong arguments is refused in Java
 * ({@link GpuBackend}), so a kernel and its launches can only agree through this declaration.
 */
class GpuKernelSourcesTest {
    private static final Path KERNELS = Path.of("kernels");
    /**
     * An entry point and its parameter list: {@code __global__ void [__launch_bounds__(N)] [__cluster_dims__(X, Y, Z)] name(...)}
     * or {@code __kernel ... void name(...)}.
     */
    private static final Pattern CUDA_ENTRY = Pattern.compile("__global__\\s+void\\s+(?:__\\w+__\\([^)]*\\)\\s+)*(\\w+)\\s*\\(([^)]*)\\)");
    private static final Pattern OPENCL_ENTRY = Pattern.compile("__kernel\\s+(?:__attribute__\\(\\([^;{]*?\\)\\)\\s+)?void\\s+(\\w+)\\s*\\(([^)]*)\\)");

    /** The parameter types a declared argument stands for on CUDA. */
    private static List<String> cuda(GpuKernel.Arg arg) {
        return switch (arg) {
            case MATRIX -> List.of("float*");
            case INPUT -> List.of("const float*");
            case EXAMPLES -> List.of("const unsigned char*", "const unsigned char*");
            case FEATURES -> List.of("const float*", "const int*");
            case ORDER -> List.of("const int*");
            case ACCUMULATOR -> List.of("double*");
            case INT -> List.of("int");
            case FLOAT -> List.of("float");
        };
    }

    /** ... and on OpenCL, where a matrix is its buffer and its element offset. */
    private static List<String> opencl(GpuKernel.Arg arg) {
        return switch (arg) {
            case MATRIX -> List.of("float*", "int");
            case INPUT -> List.of("const float*", "int");
            case EXAMPLES -> List.of("const uchar*", "const uchar*");
            case FEATURES -> List.of("const float*", "const int*");
            case ORDER -> List.of("const int*");
            case ACCUMULATOR -> List.of("float*");
            case INT -> List.of("int");
            case FLOAT -> List.of("float");
        };
    }

    /** Entry point -> parameter types (qualifiers and names dropped) of every entry in kernels/*.EXT. */
    private static Map<String, List<String>> entries(String ext, Pattern entry) throws IOException {
        Map<String, List<String>> out = new TreeMap<>();
        try (var files = Files.list(KERNELS)) {
            for (Path f : files.filter(p -> p.toString().endsWith("." + ext)).toList()) {
                Matcher m = entry.matcher(Files.readString(f));
                while (m.find()) {
                    List<String> types = new ArrayList<>();
                    for (String p : m.group(2).split(",")) {
                        String t = p.replaceAll("\\b(__restrict__|__global|restrict)\\b", " ").replaceAll("\\s*\\*\\s*", "* ").trim();
                        types.add(t.substring(0, t.lastIndexOf(' ')).trim().replaceAll("\\s+", " "));
                    }
                    assertTrue(out.put(m.group(1), types) == null, m.group(1) + " defined twice in kernels/*." + ext);
                    assertEquals(f.getFileName().toString(), declared(m.group(1)).file() + "." + ext, m.group(1) + " lives in its declared file");
                }
            }
        }
        return out;
    }

    private static GpuKernel declared(String entry) {
        return Arrays.stream(GpuKernel.values()).filter(k -> k.entry().equals(entry)).findFirst()
                .orElseThrow(() -> new AssertionError("kernel " + entry + " of kernels/ is not declared in GpuKernel"));
    }

    private static List<String> expected(GpuKernel k, java.util.function.Function<GpuKernel.Arg, List<String>> types) {
        return k.args().stream().flatMap(a -> types.apply(a).stream()).toList();
    }

    @Test
    void everyCudaKernelMatchesItsDeclaration() throws IOException {
        Map<String, List<String>> cu = entries("cu", CUDA_ENTRY);
        Set<String> declared = Arrays.stream(GpuKernel.values()).filter(GpuKernel::onCuda).map(GpuKernel::entry)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(declared, cu.keySet(), "the CUDA kernels declared and those in kernels/*.cu");
        for (GpuKernel k : GpuKernel.values()) {
            if (k.onCuda()) {
                assertEquals(expected(k, GpuKernelSourcesTest::cuda), cu.get(k.entry()), k.entry() + "'s parameters in " + k.file() + ".cu");
            }
        }
    }

    @Test
    void everyOpenClKernelMatchesItsDeclaration() throws IOException {
        Map<String, List<String>> cl = entries("cl", OPENCL_ENTRY);
        assertEquals(Arrays.stream(GpuKernel.values()).filter(GpuKernel::onOpenCl).map(GpuKernel::entry)
                .collect(Collectors.toCollection(TreeSet::new)), cl.keySet(), "the OpenCL kernels declared and those in kernels/*.cl");
        for (GpuKernel k : GpuKernel.values()) {
            if (k.onOpenCl()) {
                assertEquals(expected(k, GpuKernelSourcesTest::opencl), cl.get(k.entry()), k.entry() + "'s parameters in " + k.file() + ".cl");
            }
        }
    }

    @Test
    void layoutsGiveTheGridsTheKernelsExpect() {
        GpuBackend.Layout layout = new GpuBackend.Layout(256, 8, 512, 65535, 4);
        assertEquals(new GpuBackend.Launch(4, 1, 1, 256, 1), layout.launch(GpuKernel.Shape.ELEMENTWISE, 1000));
        assertEquals(new GpuBackend.Launch(65535, 1, 1, 256, 1), layout.launch(GpuKernel.Shape.ELEMENTWISE, 1L << 26), "capped; kernels stride");
        assertEquals(new GpuBackend.Launch(2, 1, 1, Fold.COLUMNS, 8), layout.launch(GpuKernel.Shape.COLUMNS, 33));
        assertEquals(new GpuBackend.Launch(1, 1, 1, 512, 1), layout.launch(GpuKernel.Shape.REDUCTION, 1));
        assertEquals(Fold.COLUMNS * 8, layout.blockThreads(GpuKernel.Shape.COLUMNS));
    }
}
