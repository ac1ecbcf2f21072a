package org.mlp4j.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mlp4j.backend.BackendUnavailableException;

/**
 * Which OpenCL device {@code --device opencl}, {@code gpu} and {@code auto} take where the platforms list several, as a
 * laptop's integrated GPU beside its discrete one (no OpenCL here has both: the devices are made up, not opened).
 */
class OpenClChoiceTest {
    private static OpenCl.Device device(int index, boolean gpu, boolean integrated) {
        return new OpenCl.Device(index, 1, 100 + index, "platform", "device " + index, gpu, integrated, 1L << 30, 8, "OpenCL 3.0", false);
    }

    private static final OpenCl.Device CPU = device(0, false, true), INTEGRATED = device(1, true, true), DISCRETE = device(2, true, false);

    @Test
    void aDiscreteGpuBeforeAnIntegratedOneWhereverItIsListed() throws Exception {
        assertEquals(DISCRETE, OpenClProvider.choose(List.of(CPU, INTEGRATED, DISCRETE), -1, true));
        assertEquals(DISCRETE, OpenClProvider.choose(List.of(CPU, INTEGRATED, DISCRETE), -1, false));
        assertEquals(INTEGRATED, OpenClProvider.choose(List.of(CPU, INTEGRATED), -1, true), "an integrated GPU where it is the only one");
        assertEquals(CPU, OpenClProvider.choose(List.of(CPU), -1, false), "opencl by name takes a CPU where there is no GPU");
        BackendUnavailableException none = assertThrows(BackendUnavailableException.class, () -> OpenClProvider.choose(List.of(CPU), -1, true));
        assertTrue(none.getMessage().startsWith("no OpenCL GPU"), none.getMessage());
    }

    @Test
    void aNumberTakesThatDevice() throws Exception {
        assertEquals(INTEGRATED, OpenClProvider.choose(List.of(CPU, INTEGRATED, DISCRETE), 1, true));
        assertEquals(CPU, OpenClProvider.choose(List.of(CPU, INTEGRATED, DISCRETE), 0, false));
        assertThrows(BackendUnavailableException.class, () -> OpenClProvider.choose(List.of(CPU, INTEGRATED, DISCRETE), 0, true));
        assertThrows(BackendUnavailableException.class, () -> OpenClProvider.choose(List.of(CPU, INTEGRATED, DISCRETE), 3, false));
    }

    @Test
    void theListSaysWhichGpuIsIntegrated() {
        assertTrue(INTEGRATED.describe().startsWith("[1] platform: device 1 (integrated GPU, 1024 MiB, 8 compute units"), INTEGRATED.describe());
        assertTrue(DISCRETE.describe().startsWith("[2] platform: device 2 (GPU, 1024 MiB"), DISCRETE.describe());
        assertTrue(CPU.describe().startsWith("[0] platform: device 0 (not a GPU, "), CPU.describe());
    }
}
