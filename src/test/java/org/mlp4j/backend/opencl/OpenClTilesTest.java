package org.mlp4j.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mlp4j.Activation;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.BackendContractTest;
import org.mlp4j.backend.Matrix;
import org.mlp4j.backend.cpu.CpuBackend;

/**
 * gemm.cl's gemm and its gemm_tiled with each of the sizes timed on a GPU ({@link OpenClBackend#TILES}): the
 * same bits from all of them (so which one a device picks never changes a result), and the CPU's products
 * within float rounding, for every transpose, edges that fill no tile, split k, alpha and beta, and the
 * epilogue.
 */
class OpenClTilesTest {
    /** m x n x k: one element, partial tiles, split k (few tiles, long k), and a larger square. */
    private static final int[][] SHAPES = {{1, 1, 1}, {7, 13, 29}, {100, 10, 100}, {20, 30, 2000}, {130, 70, 200}, {256, 256, 64}};

    @Test
    void everyTileSizeGivesTheSameBitsAsTheOthersAndTheCpusProducts() throws Exception {
        OpenCl.Device device = device();
        List<List<float[]>> results = new ArrayList<>();
        List<String> kernels = new ArrayList<>();
        try (OpenClBackend b = new OpenClBackend(device)) {
            results.add(products(b));
            kernels.add(b.description());
        }
        for (OpenClBackend.Tiles tiles : OpenClBackend.TILES) {
            try (OpenClBackend b = new OpenClBackend(device, tiles)) {
                assertTrue(b.description().endsWith("GEMM register tiles " + tiles), b.description());
                results.add(products(b));
                kernels.add(b.description());
            }
        }
        List<float[]> cpu;
        try (CpuBackend b = new CpuBackend(1)) {
            cpu = products(b);
        }
        for (int t = 1; t < results.size(); t++) {
            for (int i = 0; i < cpu.size(); i++) {
                assertArrayEquals(results.get(0).get(i), results.get(t).get(i), "product " + i + ": " + kernels.get(t));
            }
        }
        for (int i = 0; i < cpu.size(); i++) {
            float[] want = cpu.get(i), got = results.get(0).get(i);
            assertEquals(want.length, got.length);
            for (int j = 0; j < want.length; j++) {
                assertEquals(want[j], got[j], 1e-4f * Math.max(1f, Math.abs(want[j])), "product " + i + " element " + j);
            }
        }
    }

    /**
     * On a GPU each product runs on whichever kernel, gemm or a size of gemm_tiled, ran it fastest at its first
     * use, timed on matrices of its own (freed, and even while a program is recorded) after each kernel's product
     * of random ones is checked against gemm's: the description names each product's kernel with every kernel's
     * time, the kept one the smallest, none disagreeing, and the results are gemm's bits. (Timed here on whatever
     * device there is.)
     */
    @Test
    void eachProductTakesTheKernelThatRanItFastest() throws Exception {
        OpenCl.Device device = device();
        List<float[]> plain;
        long untimedFree;
        try (OpenClBackend b = new OpenClBackend(device, List.of(), false)) {
            plain = products(b);
            untimedFree = b.memoryAvailable();
        }
        try (OpenClBackend b = new OpenClBackend(device, OpenClBackend.TILES, true)) {
            List<float[]> timed = products(b);
            assertEquals(untimedFree, b.memoryAvailable(), "the timings' matrices freed");
            List<float[]> recorded = products(b, true);
            for (int i = 0; i < plain.size(); i++) {
                assertArrayEquals(plain.get(i), timed.get(i), "product " + i);
                assertArrayEquals(plain.get(i), recorded.get(i), "product " + i + " recorded, on the kernel chosen for it");
            }
            Matrix x = b.matrix(9, 40), w = b.matrix(40, 3), z = b.matrix(9, 3);
            b.upload(new float[9 * 40], x);
            b.record(() -> b.gemm(false, false, 1f, x, w, 0f, z)).run(); // timed while recording
            String d = b.description();
            assertFalse(d.contains("disagrees"), "every kernel's product on random matrices is gemm's to rounding: " + d);
            // a size this device cannot build is named as such, and left out of the timings
            int built = 0;
            for (OpenClBackend.Tiles t : OpenClBackend.TILES) {
                assertTrue(d.contains(t.toString()), "every size offered or named as failing to build: " + d);
                built += d.contains("tiles " + t + " failed to build") ? 0 : 1;
            }
            List<String> shapes = new ArrayList<>();
            java.util.regex.Matcher p = java.util.regex.Pattern.compile("; ([NT]{2} \\d+x\\d+x\\d+) (32x32|\\d+x\\d+x\\d+) ([0-9.]+) ms \\(([^)]*)\\)").matcher(d);
            while (p.find()) {
                shapes.add(p.group(1));
                String[] others = p.group(4).split(", ");
                assertEquals(built, others.length, "every other kernel's time: " + p.group());
                for (String other : others) {
                    String time = other.substring(other.indexOf(' ') + 1);
                    assertTrue(time.equals("failed") || Double.parseDouble(p.group(3)) <= Double.parseDouble(time), "the fastest kept: " + p.group());
                }
            }
            assertEquals(SHAPES.length * 4 + 1, shapes.size(), "each product's shape once (the forwards' NN shapes are the same): " + d);
            assertTrue(shapes.containsAll(List.of("NN 1x1x1", "TT 7x13x29", "NT 20x30x2000", "TN 256x256x64", "NN 9x3x40")), d);
        }
    }

    /** The first OpenCL GPU, else the first device; skips (or fails where required) without OpenCL. */
    static OpenCl.Device device() throws Exception {
        BackendContractTest.open("opencl").close();
        return OpenCl.devices().stream().filter(OpenCl.Device::gpu).findFirst().orElse(OpenCl.devices().get(0));
    }

    private static List<float[]> products(Backend b) {
        return products(b, false);
    }

    /**
     * Each shape with each transpose (alpha -0.5, beta 0.25), then as a layer's forward with bias and sigmoid, then
     * as a hidden layer's delta from the one above, times tanh's derivative (OpenCL's {@link OpenClBackend#hiddenDelta},
     * the CPU's product and hidden step); each {@code recorded} in a program of its own (then run) or run at once.
     */
    private static List<float[]> products(Backend b, boolean recorded) {
        List<float[]> out = new ArrayList<>();
        for (int[] s : SHAPES) {
            int m = s[0], n = s[1], k = s[2];
            for (int op = 0; op < 4; op++) {
                boolean ta = (op & 1) != 0, tb = (op & 2) != 0;
                Random r = new Random(31L * m + 7L * n + k + op);
                Matrix a = upload(b, r, ta ? k : m, ta ? m : k), w = upload(b, r, tb ? n : k, tb ? k : n), c = upload(b, r, m, n);
                run(b, recorded, () -> b.gemm(ta, tb, -0.5f, a, w, 0.25f, c));
                out.add(download(b, c));
            }
            Random r = new Random(m + n + k);
            Matrix x = upload(b, r, m, k), w = upload(b, r, k, n), bias = upload(b, r, 1, n), z = b.matrix(m, n);
            run(b, recorded, () -> b.layerForward(x, w, bias, Activation.SIGMOID, z));
            out.add(download(b, z));
            Matrix dNext = upload(b, r, m, k), wNext = upload(b, r, n, k), act = upload(b, r, m, n), g = b.matrix(m, n);
            Matrix unstepped = b.matrix(1, n);  // the hidden step's bias, at rate 0
            run(b, recorded, () -> {
                if (b instanceof OpenClBackend cl) {
                    cl.hiddenDelta(dNext, wNext, act, Activation.TANH, unstepped, g);
                } else {
                    b.gemm(false, true, 1f, dNext, wNext, 0f, g);
                    b.hiddenStep(g, act, Activation.TANH, 0f, unstepped);
                }
            });
            out.add(download(b, g));
        }
        return out;
    }

    private static void run(Backend b, boolean recorded, Runnable op) {
        if (recorded) {
            b.record(op).run();
        } else {
            op.run();
        }
    }

    static Matrix upload(Backend b, Random r, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        Matrix m = b.matrix(rows, cols);
        b.upload(v, m);
        return m;
    }

    static float[] download(Backend b, Matrix m) {
        float[] v = new float[m.size()];
        b.download(m, v);
        return v;
    }
}
