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

    @Test
    void autoTakesAGpuOrTheCpuBackendSilently() throws Exception {
        List<String> warnings = new ArrayList<>();
        try (Backend b = Backends.open("auto", -1, 0, true, warnings::add)) {
            // OpenCL on a CPU (PoCL) is never auto's choice: the cpu backend is far faster there
            assertEquals(gpuUsable() ? b.name() : "cpu", b.name());
            assertTrue(!b.name().equals("opencl") || b.description().contains("(GPU,"), b.description());
        }
        assertEquals(List.of(), warnings);
    }

    @Test
    void gpuFallsBackWithOneWarningOrFailsWhenStrict() throws Exception {
        if (gpuUsable()) {
            return; // nothing to fall back from on a GPU machine
        }
        List<String> warnings = new ArrayList<>();
        try (Backend b = Backends.open("gpu", -1, 0, false, warnings::add)) {
            assertEquals("cpu", b.name());
        }
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("falling back to the cpu backend"), warnings.get(0));
        assertThrows(BackendUnavailableException.class, () -> Backends.open("gpu", -1, 0, true, s -> { }));
    }

    @Test
    void unknownNamesAreErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.open("tpu", -1, 0, false, s -> { }));
        assertTrue(e.getMessage().contains("cpu"), e.getMessage());
    }
}
