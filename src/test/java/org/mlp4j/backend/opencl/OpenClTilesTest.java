package org.mlp4j.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
        BackendContractTest.open("opencl").close(); // skips (or fails where required) without OpenCL
        OpenCl.Device device = OpenCl.devices().stream().filter(OpenCl.Device::gpu).findFirst().orElse(OpenCl.devices().get(0));
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

    @Test
    void timingKeepsTheFastestKernelFreesWhatItTookAndHappensOncePerDevice() throws Exception {
        BackendContractTest.open("opencl").close();
        OpenCl.Device device = OpenCl.devices().stream().filter(OpenCl.Device::gpu).findFirst().orElse(OpenCl.devices().get(0));
        try (OpenClBackend b = new OpenClBackend(device, 128)) {
            String d = b.description();
            assertTrue(d.matches(".*GEMM (32x32 tiles|register tiles \\d+x\\d+x\\d+ \\(\\d+x\\d+ per item\\) or 32x32, timed per product) "
                    + "\\(timed: 32x32 [0-9.]+ ms(, \\d+x\\d+ [0-9.]+ ms){" + OpenClBackend.TILES.size() + "}\\)"), d);
            assertEquals(device.memory(), b.memoryAvailable(), "the timing's matrices are freed");
            Matrix m = b.matrix(2, 3), w = b.matrix(3, 1), z = b.matrix(2, 1);
            b.upload(new float[] {1, 2, 3, 4, 5, 6}, m);
            b.upload(new float[] {1, 1, 1}, w);
            b.gemm(false, false, 1f, m, w, 0f, z);
            assertArrayEquals(new float[] {6, 15}, download(b, z));
            try (OpenClBackend again = new OpenClBackend(device, 128)) {
                assertEquals(d, again.description(), "a second open in the JVM takes the first one's timing");
            }
        }
    }

    /**
     * Where register tiles were timed the faster, each product then runs on whichever kernel ran it faster at its
     * first use, timed on matrices of its own (freed, and even while a program is recorded): the description
     * names each product's kernel with both times, the kept one the smaller, and the results are gemm's bits.
     */
    @Test
    void eachProductTakesTheKernelThatRanItFaster() throws Exception {
        BackendContractTest.open("opencl").close();
        OpenCl.Device device = OpenCl.devices().stream().filter(OpenCl.Device::gpu).findFirst().orElse(OpenCl.devices().get(0));
        List<float[]> plain;
        long untimedFree;
        try (OpenClBackend b = new OpenClBackend(device, OpenClBackend.TILES.get(0), false)) {
            plain = products(b);
            untimedFree = b.memoryAvailable();
        }
        try (OpenClBackend b = new OpenClBackend(device, OpenClBackend.TILES.get(0), true)) {
            List<float[]> timed = products(b);
            for (int i = 0; i < plain.size(); i++) {
                assertArrayEquals(plain.get(i), timed.get(i), "product " + i);
            }
            assertEquals(untimedFree, b.memoryAvailable(), "the timings' matrices freed");
            Matrix x = b.matrix(9, 40), w = b.matrix(40, 3), z = b.matrix(9, 3);
            b.upload(new float[9 * 40], x);
            b.record(() -> b.gemm(false, false, 1f, x, w, 0f, z)).run(); // timed while recording
            String d = b.description();
            List<String> shapes = new ArrayList<>();
            java.util.regex.Matcher p = java.util.regex.Pattern.compile("; ([NT]{2} \\d+x\\d+x\\d+) (register tiles|32x32) \\(([0-9.]+) against ([0-9.]+) ms\\)").matcher(d);
            while (p.find()) {
                shapes.add(p.group(1));
                assertTrue(Double.parseDouble(p.group(3)) <= Double.parseDouble(p.group(4)), "the faster kept: " + p.group());
            }
            assertEquals(SHAPES.length * 4 + 1, shapes.size(), "each product's shape once (the forwards' NN shapes are the same): " + d);
            assertTrue(shapes.containsAll(List.of("NN 1x1x1", "TT 7x13x29", "NT 20x30x2000", "TN 256x256x64", "NN 9x3x40")), d);
        }
    }

    /** Each shape with each transpose (alpha -0.5, beta 0.25), then as a layer's forward with bias and sigmoid. */
    private static List<float[]> products(Backend b) {
        List<float[]> out = new ArrayList<>();
        for (int[] s : SHAPES) {
            int m = s[0], n = s[1], k = s[2];
            for (int op = 0; op < 4; op++) {
                boolean ta = (op & 1) != 0, tb = (op & 2) != 0;
                Random r = new Random(31L * m + 7L * n + k + op);
                Matrix a = upload(b, r, ta ? k : m, ta ? m : k), w = upload(b, r, tb ? n : k, tb ? k : n), c = upload(b, r, m, n);
                b.gemm(ta, tb, -0.5f, a, w, 0.25f, c);
                out.add(download(b, c));
            }
            Random r = new Random(m + n + k);
            Matrix x = upload(b, r, m, k), w = upload(b, r, k, n), bias = upload(b, r, 1, n), z = b.matrix(m, n);
            b.layerForward(x, w, bias, Activation.SIGMOID, z);
            out.add(download(b, z));
        }
        return out;
    }

    private static Matrix upload(Backend b, Random r, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        Matrix m = b.matrix(rows, cols);
        b.upload(v, m);
        return m;
    }

    private static float[] download(Backend b, Matrix m) {
        float[] v = new float[m.size()];
        b.download(m, v);
        return v;
    }
}
