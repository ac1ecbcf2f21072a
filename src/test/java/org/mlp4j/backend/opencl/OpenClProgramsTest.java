package org.mlp4j.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.mlp4j.backend.opencl.OpenClTilesTest.device;
import static org.mlp4j.backend.opencl.OpenClTilesTest.download;
import static org.mlp4j.backend.opencl.OpenClTilesTest.upload;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mlp4j.Activation;
import org.mlp4j.Output;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.Matrix;

/**
 * Recorded programs replayed as command buffers (cl_khr_command_buffer, which PoCL has) against the same commands
 * enqueued one by one, and the choice between the two ways.
 */
class OpenClProgramsTest {
    /** A layer-by-layer step of a 30-16-10 network on 20 rows, and its cost, on matrices of its own. */
    private record Step(Matrix[] state, Backend.Accumulator acc, Runnable ops) {
        static Step of(Backend b) {
            Random r = new Random(5);
            Matrix x = upload(b, r, 20, 30), w0 = upload(b, r, 30, 16), b0 = upload(b, r, 1, 16), w1 = upload(b, r, 16, 10), b1 = upload(b, r, 1, 10);
            Matrix labels = b.matrix(20, 1), a1 = b.matrix(20, 16), z = b.matrix(20, 10), delta = b.matrix(20, 10), g = b.matrix(20, 16);
            float[] y = new float[20];
            for (int i = 0; i < y.length; i++) {
                y[i] = i % 10;
            }
            b.upload(y, labels);
            Backend.Accumulator acc = b.accumulator(1);
            return new Step(new Matrix[] {w0, b0, w1, b1, a1, z, delta, g}, acc, () -> {
                b.reset(acc); // a fill, not a kernel
                b.layerForward(x, w0, b0, Activation.SIGMOID, a1);
                b.outputLayerStep(a1, w1, b1, labels, Output.SIGMOID, 0.01f, z, delta);
                b.hiddenLayerStep(delta, w1, 0.99f, a1, Activation.SIGMOID, 0.01f, b0, g);
                b.gemm(true, false, -0.01f, x, g, 0.99f, w0);
                b.cost(z, labels, Output.SIGMOID, acc, 0);
            });
        }

        List<float[]> read(Backend b) {
            List<float[]> out = new ArrayList<>();
            for (Matrix m : state) {
                out.add(download(b, m));
            }
            out.add(new float[] {(float) b.read(acc)[0]});
            return out;
        }
    }

    /**
     * Three steps replayed from a command buffer, two of them enqueued while the one before may still be pending,
     * end on the bits of the same steps' commands enqueued one by one.
     */
    @Test
    void aCommandBufferReplaysTheEnqueuedCommandsBits() throws Exception {
        OpenCl.Device device = device();
        assumeTrue(device.commandBuffers(), "the device has no command buffers");
        try (OpenClBackend b = new OpenClBackend(device, List.of(), false)) {
            Step enqueued = Step.of(b), buffered = Step.of(b);
            List<float[]> before = buffered.read(b);
            Backend.Program one = b.programs.enqueued(b.commands(enqueued.ops())), other = b.programs.buffered(b.commands(buffered.ops()));
            for (int run = 0; run < 3; run++) {
                one.run();
            }
            other.run();
            other.run();
            other.run();
            b.synchronize();
            List<float[]> expected = enqueued.read(b), actual = buffered.read(b);
            String[] names = {"w0", "b0", "w1", "b1", "a1", "z", "delta", "g", "cost"};
            for (int i = 0; i < names.length; i++) {
                assertArrayEquals(expected.get(i), actual.get(i), names[i]);
            }
            assertFalse(Arrays.equals(before.get(0), actual.get(0)), "the command buffer's steps moved w0");
            assertNotEquals(0f, actual.get(names.length - 1)[0], "the command buffer's cost");
        }
    }

    /**
     * A replay flushes as it goes, after its 1st, 2nd, 4th, 8th, ... command and after its last, so that a driver that
     * holds queued work until a flush starts on a long program's first command, not once the host has enqueued it all.
     */
    @Test
    void aReplayFlushesAsItGoes() {
        List<String> seen = new ArrayList<>();
        List<Runnable> parts = new ArrayList<>();
        for (int i = 1; i <= 11; i++) {
            String name = "c" + i;
            parts.add(() -> seen.add(name));
        }
        Programs.issue(parts, () -> seen.add("flush"));
        assertEquals(List.of("c1", "flush", "c2", "flush", "c3", "c4", "flush", "c5", "c6", "c7", "c8", "flush", "c9", "c10", "c11", "flush"),
                seen);
        seen.clear();
        Programs.issue(parts.subList(0, 8), () -> seen.add("flush"));
        assertEquals(4, seen.stream().filter("flush"::equals).count(), "8 commands: flushed after the 1st, 2nd, 4th and 8th, once each");
    }

    /**
     * Where a device's choices are timed and it has command buffers, the first capture checks that both ways compute
     * the same values (or only the enqueues would be timed) and times them, programs replay the faster, and the
     * description gives both times; a device without them enqueues, untimed.
     */
    @Test
    void programsReplayTheWayThatRanFaster() throws Exception {
        OpenCl.Device device = device();
        assumeTrue(device.commandBuffers(), "the device has no command buffers");
        try (OpenClBackend b = new OpenClBackend(device, List.of(), true)) {
            Step step = Step.of(b);
            Backend.Program p = b.record(step.ops());
            double[] seconds = b.replaySeconds();
            assertEquals(2, seconds.length, "timed both ways: " + b.description());
            assertEquals(seconds[1] < seconds[0], b.replaysBuffered());
            assertTrue(b.description().contains(b.replaysBuffered() ? "programs replayed as command buffers (32 kernels: command buffer "
                    : "programs enqueued (32 kernels: command buffer "), b.description());
            p.run();
            b.synchronize();
            assertNotEquals(0f, step.read(b).get(8)[0], "the recorded step ran");
        }
        OpenCl.Device without = new OpenCl.Device(device.index(), device.platform(), device.id(), device.platformName(), device.name(),
                device.gpu(), device.integrated(), device.memory(), device.computeUnits(), device.version(), false);
        try (OpenClBackend b = new OpenClBackend(without, List.of(), true)) {
            b.record(Step.of(b).ops());
            assertFalse(b.replaysBuffered());
            assertEquals(0, b.replaySeconds().length);
            assertFalse(b.description().contains("programs"), b.description());
        }
    }
}
