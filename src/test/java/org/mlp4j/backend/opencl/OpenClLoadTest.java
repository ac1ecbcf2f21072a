package org.mlp4j.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
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

    @Test
    void lwjglsDiagnosticsStillPrintInItsDebugMode() throws Exception {
        ChildJvm.Result r = ChildJvm.mlp4j(List.of("-Dorg.lwjgl.opencl.libname=/nonexistent/libOpenCL.so.1", "-Dorg.lwjgl.util.Debug=true"),
                "devices");
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("[LWJGL]"), r.out());
    }
}
