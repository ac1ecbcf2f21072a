package org.mlp4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Choosing a backend by name, and falling back. */
class BackendsTest {
    static boolean gpuUsable() {
        for (BackendProvider p : Backends.providers()) {
            if (p.gpu()) {
                try (Backend b = p.open(-1, true, 0)) {
                    return true;
                } catch (BackendUnavailableException e) {
                    // not this one
                }
            }
        }
        return false;
    }

    /**
     * The cpu backend reads an uploaded dataset where the heap already holds it, so an estimate's upload is not asked
     * of the heap again.
     */
    @Test
    void theCpuBackendIsNotAskedForAnUploadAgain() {
        long huge = Long.MAX_VALUE / 4;
        try (Backend cpu = new org.mlp4j.backend.cpu.CpuBackend(1)) {
            Backends.requireMemory(cpu, huge + 1000, huge, "training", 0, "nothing");
            org.mlp4j.util.UserError e = assertThrows(org.mlp4j.util.UserError.class,
                    () -> Backends.requireMemory(cpu, huge + 1000, 1000, "training", 0, "nothing"));
            assertTrue(e.getMessage().startsWith("training needs about "), e.getMessage());
        }
    }

    @Test
    void autoTakesAGpuOrTheCpuBackendSilently() throws Exception {
        List<String> warnings = new ArrayList<>();
        try (Backend b = Backends.open("auto", 0, true, warnings::add)) {
            // OpenCL on a CPU (PoCL) is never auto's choice: the cpu backend is far faster there
            assertEquals(gpuUsable() ? b.name() : "cpu", b.name());
            assertTrue(!b.name().equals("opencl") || !b.description().contains("(not a GPU,"), b.description());
        }
        assertEquals(List.of(), warnings);
    }

    @Test
    void gpuFallsBackWithOneWarningOrFailsWhenStrict() throws Exception {
        if (gpuUsable()) {
            return; // nothing to fall back from on a GPU machine
        }
        List<String> warnings = new ArrayList<>();
        try (Backend b = Backends.open("gpu", 0, false, warnings::add)) {
            assertEquals("cpu", b.name());
        }
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("falling back to the cpu backend"), warnings.get(0));
        assertThrows(BackendUnavailableException.class, () -> Backends.open("gpu", 0, true, s -> { }));
    }

    /** {@code cuda:N}, {@code opencl:N}: a GPU backend's device by its number; no other name takes one. */
    @Test
    void aGpuBackendsDeviceIsChosenByNumber() throws Exception {
        Backends.checkDeviceName("cuda:1");
        Backends.checkDeviceName("OpenCL:0");
        for (String bad : List.of("cpu:0", "gpu:1", "auto:0", "opencl:", "opencl:x", "opencl:-1", "cuda:1:2", "opencl: 1")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.checkDeviceName(bad), bad);
            assertTrue(e.getMessage().startsWith("device '" + bad + "': "), e.getMessage());
        }
        assertEquals("device 'cpu:0': cpu takes no device number (cuda and opencl do)",
                assertThrows(IllegalArgumentException.class, () -> Backends.checkDeviceName("cpu:0")).getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Backends.checkDeviceName("tpu:0"));
        assertTrue(unknown.getMessage().contains("cuda:N or opencl:N for its device N"), unknown.getMessage());

        // every OpenCL device of the list by its number (PoCL's CPU too, which auto and gpu never take), and a number past it refused
        try (Backend first = BackendContractTest.open("opencl")) {
            // the test needs opencl, not a device of it
        }
        List<String> listed = Backends.describe(Backends.providers().stream().filter(p -> p.name().equals("opencl")).findFirst().orElseThrow())
                .stream().filter(l -> l.startsWith("[")).toList();
        for (int n = 0; n < listed.size(); n++) {
            try (Backend b = Backends.open("opencl:" + n, 0, true, s -> { })) {
                assertTrue(b.description().startsWith("opencl: device " + listed.get(n)), b.description() + " is not " + listed.get(n));
            }
        }
        BackendUnavailableException past = assertThrows(BackendUnavailableException.class,
                () -> Backends.open("opencl:" + listed.size(), 0, true, s -> { }));
        assertEquals("device 'opencl:" + listed.size() + "' is unusable: opencl: no OpenCL device " + listed.size() + " (" + listed.size()
                + " present)", past.getMessage());
    }

    @Test
    void unknownNamesAreErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.open("tpu", 0, false, s -> { }));
        assertTrue(e.getMessage().contains("cpu"), e.getMessage());
    }
}
