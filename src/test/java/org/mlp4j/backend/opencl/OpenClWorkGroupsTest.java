package org.mlp4j.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlp4j.ChildJvm;
import org.mlp4j.backend.GpuBackend.Launch;
import org.mlp4j.backend.GpuKernel;

/**
 * A device that takes smaller work-groups than a kernel launches in (many take at most 256 items, some fewer for a
 * kernel that needs many registers) is refused when the backend opens, with the reason, instead of stopping a run at
 * its first launch with CL_INVALID_WORK_GROUP_SIZE.
 */
class OpenClWorkGroupsTest {
    private static final long[] DIMS = {1024, 1024, 64};

    @Test
    void aWorkGroupFitsWithinTheKernelsMostItemsAndEachDimensionsMost() {
        Launch gemm = OpenClBackend.workGroup(GpuKernel.GEMM);
        assertEquals(256, gemm.threadsX() * gemm.threadsY());
        assertNull(OpenClBackend.unfit(gemm, 256, DIMS));
        assertEquals("it runs in work-groups of 32x8 items (256), and the device takes at most 128 for it", OpenClBackend.unfit(gemm, 128, DIMS));
        assertEquals("it runs in work-groups of 32x8 items, and the device takes at most 16x1024",
                OpenClBackend.unfit(gemm, 1024, new long[] {16, 1024, 64}));
        assertEquals("it runs in work-groups of 32x8 items, and the device takes at most 32x4", OpenClBackend.unfit(gemm, 1024, new long[] {32, 4, 1}));
        for (GpuKernel k : GpuKernel.values()) {
            Launch group = k.onOpenCl() ? OpenClBackend.workGroup(k) : null;
            assertTrue(group == null || group.threadsX() * group.threadsY() <= 256, k + " in work-groups of at most 256 items, as most GPUs take");
        }
    }

    /** PoCL takes work-groups of at most POCL_MAX_WORK_GROUP_SIZE items, as a GPU of that limit does. */
    @Test
    void aDeviceOfSmallerWorkGroupsIsUnusableWithTheReason(@TempDir Path dir) throws Exception {
        OpenCl.Device device = OpenClTilesTest.device();
        Assumptions.assumeTrue(device.platformName().startsWith("Portable Computing Language"), "PoCL's limit is set by its environment");
        ProcessBuilder devices = ChildJvm.command("org.mlp4j.cli.Main", "devices");
        devices.environment().put("POCL_MAX_WORK_GROUP_SIZE", "128");
        ChildJvm.Result r = ChildJvm.run(devices);
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("\n  unusable: OpenCL on " + device.name() + " cannot run the kernel gather: it runs in work-groups of 256x1 items (256),"
                + " and the device takes at most 128 for it\n"), r.out());
        ProcessBuilder train = ChildJvm.command("org.mlp4j.cli.Main", "train", "--device", "opencl", "--strict", "--epochs", "1",
                "--out", dir.resolve("run").toString());
        train.environment().put("POCL_MAX_WORK_GROUP_SIZE", "128");
        r = ChildJvm.run(train);
        assertEquals(2, r.code(), r.out());
        assertTrue(r.out().contains("device 'opencl' is unusable: opencl: OpenCL on " + device.name() + " cannot run the kernel gather"), r.out());
    }
}
