package org.mlp4j.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlp4j.ChildJvm;

/**
 * Where no OpenCL library loads, as on most machines without a GPU driver, the opencl backend says why in its one
 * line, and LWJGL's own advice on failed loads (ten lines on every run, `--device auto` probing for a GPU) is not
 * printed; the library named by {@code -Dorg.lwjgl.opencl.libname} is the only one tried.
 */
class OpenClLoadTest {
    @Test
    void aMissingLibraryIsOneLineOfDevices() throws Exception {
        String missing = "/nonexistent/libOpenCL.so.1";
        ChildJvm.Result r = ChildJvm.mlp4j(List.of("-Dorg.lwjgl.opencl.libname=" + missing), "devices");
        assertEquals(0, r.code(), r.out());
        // (JDK 22 and later print their native-access warnings between the backend's name and its line)
        assertTrue(r.out().contains("\n  unusable: no OpenCL library (" + missing + ": "), r.out());
        assertFalse(r.out().contains("[LWJGL]"), r.out());
        assertTrue(r.out().contains("cpu\n  usable: "), r.out());
    }

    /**
     * Where the ICD loader gives no device, the line says whether any driver is registered with it: none (no .icd
     * file), or some that failed to start (here one naming a library that does not exist).
     */
    @Test
    void noDeviceSaysWhetherADriverIsRegistered(@TempDir Path dir) throws Exception {
        Path none = Files.createDirectories(dir.resolve("none")), broken = Files.createDirectories(dir.resolve("broken"));
        Files.writeString(broken.resolve("missing.icd"), "/nonexistent/libMissingOpenCL.so\n");
        String noDriver = devicesWith(Map.of("OCL_ICD_VENDORS", none.toString()));
        Assumptions.assumeFalse(noDriver.contains("no OpenCL library"), "no ICD loader here");
        assertTrue(noDriver.contains("\n  unusable: no OpenCL driver is registered (no .icd file in " + none + "): install one"), noDriver);
        String failed = devicesWith(Map.of("OCL_ICD_VENDORS", broken.toString()));
        assertTrue(failed.contains("\n  unusable: no OpenCL device: the drivers registered (missing.icd) gave none, so they failed to start"), failed);
        assertEquals(List.of("a.so", "libnvidia-opencl.so.1"), OpenClProvider.registeredDrivers(Map.of("OCL_ICD_FILENAMES",
                "/x/a.so:/usr/lib/libnvidia-opencl.so.1", "OCL_ICD_VENDORS", broken.toString())), "the Khronos loader's list first");
        assertEquals(List.of("missing.icd"), OpenClProvider.registeredDrivers(Map.of("OCL_ICD_VENDORS", broken.resolve("missing.icd").toString())),
                "OCL_ICD_VENDORS naming one file");
    }

    private static String devicesWith(Map<String, String> env) throws Exception {
        ProcessBuilder command = ChildJvm.command("org.mlp4j.cli.Main", "devices");
        command.environment().putAll(env);
        ChildJvm.Result r = ChildJvm.run(command);
        assertEquals(0, r.code(), r.out());
        return r.out();
    }

    @Test
    void lwjglsDiagnosticsStillPrintInItsDebugMode() throws Exception {
        ChildJvm.Result r = ChildJvm.mlp4j(List.of("-Dorg.lwjgl.opencl.libname=/nonexistent/libOpenCL.so.1", "-Dorg.lwjgl.util.Debug=true"),
                "devices");
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("[LWJGL]"), r.out());
    }
}
