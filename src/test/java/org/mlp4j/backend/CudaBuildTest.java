package org.mlp4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What CI (no GPU) can check of the CUDA backend's build: the PTX of every kernel is on the class path
 * with its entry point, and the compat library has SONAME libcublas.so.12 with its symbols under
 * version libcublas.so.12. Skipped with the reason where nvcc or gcc was missing at build time.
 */
class CudaBuildTest {
    @TempDir
    Path dir;

    static final List<String[]> ENTRIES = List.of(
            new String[] {"gather", "gather"}, new String[] {"bias_sigmoid", "bias_sigmoid"}, new String[] {"add_bias", "add_bias"},
            new String[] {"output_step", "output_step"}, new String[] {"hidden_step", "hidden_step"},
            new String[] {"logistic_cost", "logistic_cost"},
            new String[] {"argmax", "row_argmax"}, new String[] {"argmax", "count_correct"}, new String[] {"sum_squares", "sum_squares"});

    static String resource(String name) throws IOException {
        try (InputStream in = CudaBuildTest.class.getResourceAsStream(name)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void everyKernelIsBuiltToPtxForAVirtualArchitecture() throws IOException {
        Assumptions.assumeTrue(resource("/kernels/gather.ptx") != null, "nvcc was missing at build time: no PTX to check");
        for (String[] e : ENTRIES) {
            String ptx = resource("/kernels/" + e[0] + ".ptx");
            assertTrue(ptx != null, e[0] + ".ptx is missing");
            assertTrue(ptx.contains(".visible .entry " + e[1] + "("), e[0] + ".ptx lacks entry " + e[1]);
            assertTrue(ptx.contains(".target sm_75"), e[0] + ".ptx targets compute_75");
        }
    }

    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
        return out;
    }

    @Test
    void compatLibraryIsLibcublas12WithVersionedSymbols() throws Exception {
        Path lib = dir.resolve("libcublas.so.12");
        try (InputStream in = CudaBuildTest.class.getResourceAsStream("/native/linux-x86_64/libcublas.so.12")) {
            Assumptions.assumeTrue(in != null, "gcc was missing at build time: no compat library to check");
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
