package org.mlp4j.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Finds the NVIDIA libraries the CUDA backend needs, and decides how cuBLAS is reached: a real
 * libcublas.so.12 (what JCublas 12.6.0 is linked against) when one is installed, else libcublas.so.13
 * through the compat library packed in the jar (native/cublas12_compat.c).
 */
final class NativeLibraries {
    private static String cublasRoute;
    private static String cublasFailure;

    private NativeLibraries() {
    }

    /** Directories the dynamic loader or a CUDA install would use, in that order. */
    static List<Path> searchPath() {
        Set<Path> dirs = new LinkedHashSet<>();
        String ldPath = System.getenv("LD_LIBRARY_PATH");
        if (ldPath != null) {
            for (String d : ldPath.split(":")) {
                if (!d.isBlank()) {
                    dirs.add(Path.of(d));
                }
            }
        }
        for (String var : new String[] {"CUDA_HOME", "CUDA_PATH"}) {
            String v = System.getenv(var);
            if (v != null) {
                dirs.add(Path.of(v, "lib64"));
            }
        }
        dirs.add(Path.of("/usr/local/cuda/lib64"));
        try (var s = Files.newDirectoryStream(Path.of("/usr/local"), "cuda-*")) {
            s.forEach(p -> dirs.add(p.resolve("lib64")));
        } catch (IOException | RuntimeException ignored) {
            // no /usr/local: nothing to add
        }
        dirs.addAll(List.of(Path.of("/usr/lib/x86_64-linux-gnu"), Path.of("/usr/lib64"), Path.of("/usr/lib"),
                Path.of("/usr/local/nvidia/lib64"), Path.of("/usr/lib/wsl/lib")));
        return new ArrayList<>(dirs);
    }

    /** The file of a shared library (e.g. "libcuda.so.1"), from the search path or {@code ldconfig -p}, or null. */
    static Path find(String soname) {
        for (Path d : searchPath()) {
            Path p = d.resolve(soname);
            if (Files.exists(p)) {
                return p;
            }
        }
        for (String line : LdCache.LINES) {
            String t = line.trim();
            if (t.startsWith(soname + " ") && t.contains("x86-64") && t.contains("=> ")) {
                return Path.of(t.substring(t.indexOf("=> ") + 3).trim());
            }
        }
        return null;
    }

    /**
     * The dynamic loader's cache as {@code ldconfig -p} lists it, read once per JVM: a process started for each
     * look-up was paid by every open of {@code auto} or {@code gpu} on a machine without a driver. Empty where no
     * ldconfig runs.
     */
    private static final class LdCache {
        static final List<String> LINES = read();

        private static List<String> read() {
            for (String ldconfig : new String[] {"/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig"}) {
                try {
                    Process p = new ProcessBuilder(ldconfig, "-p").redirectErrorStream(true).start();
                    String out = new String(p.getInputStream().readAllBytes());
                    try {
                        p.waitFor(5, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        // the listing is read to its end already; kept for the JVM, it must not be lost to an interrupt
                        Thread.currentThread().interrupt();
                    }
                    return out.lines().toList();
                } catch (IOException e) {
                    // try the next location of ldconfig
                }
            }
            return List.of();
        }
    }

    /**
     * Makes libcublas.so.12 resolvable for JCublas2, once per JVM. Must run before JCublas2 is touched:
     * its static initialiser loads the native library, and a failure there cannot be retried.
     *
     * @return how cuBLAS is reached, for {@code mlp4j devices}
     * @throws IllegalStateException with the reason when neither route works
     */
    static synchronized String prepareCublas() {
        if (cublasRoute != null) {
            return cublasRoute;
        }
        if (cublasFailure != null) {
            throw new IllegalStateException(cublasFailure);
        }
        try {
            Path real = find("libcublas.so.12");
            if (real != null) {
                loadWithLt(real, "libcublasLt.so.12");
                cublasRoute = "libcublas.so.12 (" + real + ")";
            } else {
                Path v13 = find("libcublas.so.13");
                if (v13 == null) {
                    throw new IllegalStateException("no cuBLAS: neither libcublas.so.12 nor libcublas.so.13 was found (install the CUDA toolkit or set LD_LIBRARY_PATH)");
                }
                loadWithLt(v13, "libcublasLt.so.13");
                loadCompat();
                cublasRoute = "libcublas.so.13 (" + v13 + ") through mlp4j's libcublas.so.12 compat library, since no libcublas.so.12 is installed";
            }
            return cublasRoute;
        } catch (IllegalStateException e) {
            cublasFailure = e.getMessage();
            throw e;
        } catch (IOException | UnsatisfiedLinkError e) {
            cublasFailure = "cannot load cuBLAS: " + e.getMessage();
            throw new IllegalStateException(cublasFailure, e);
        }
    }

    /** cuBLAS needs cuBLASLt beside it; loading it first by full path avoids relying on RUNPATH. */
    private static void loadWithLt(Path cublas, String lt) {
        Path ltPath = cublas.resolveSibling(lt);
        if (Files.exists(ltPath)) {
            System.load(ltPath.toAbsolutePath().toString());
        }
        System.load(cublas.toAbsolutePath().toString());
    }

    /**
     * Loads the compat library from the jar by way of a file of its own, deleted once loaded: the library stays
     * mapped, and JCublas2's native library finds it loaded by its soname, so no JVM leaves it behind, killed or not.
     */
    private static void loadCompat() throws IOException {
        try (InputStream in = NativeLibraries.class.getResourceAsStream("/native/linux-x86_64/libcublas.so.12")) {
            if (in == null) {
                throw new IllegalStateException("only cuBLAS 13 is installed and this jar has no libcublas.so.12 compat library (it was built without gcc, or off Linux on x86-64)");
            }
            Path dir = Files.createTempDirectory("mlp4j-native");
            Path lib = dir.resolve("libcublas.so.12");
            try {
                Files.copy(in, lib);
                System.load(lib.toString());
            } finally {
                Files.deleteIfExists(lib);
                Files.delete(dir);
            }
        }
    }
}
