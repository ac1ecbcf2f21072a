package org.mlp4j.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mlp4j.backend.opencl.OpenClTilesTest.device;
import static org.mlp4j.backend.opencl.OpenClTilesTest.download;
import static org.mlp4j.backend.opencl.OpenClTilesTest.upload;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mlp4j.Activation;
import org.mlp4j.Output;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.Matrix;
import org.mlp4j.backend.Timings;

/**
 * Split k on whatever OpenCL device there is: a product of few outputs split into slices by tune's choice (issue
 * 23), the device taken to have 64 compute units so that 100 x 512 x 512 is offered a split (PoCL's 2 offer none),
 * and the output and hidden steps adding a split product's slices themselves.
 */
class OpenClSplitTest {
    /**
     * The output step of a product whose k the shape splits (100 x 10 x 512, four slices) adds the slices in
     * output_step, a launch fewer: the same bits as the product added by gemm_reduce, then the step.
     */
    @Test
    void theOutputStepAddsTheSlicesToTheReducesBits() throws Exception {
        int rows = 100, k = 512, cols = 10;
        try (OpenClBackend b = new OpenClBackend(device())) {
            b.use(List.of(new Backend.Choice(Backend.Choice.Part.OUTPUT, rows, k, cols, false, Double.NaN, Double.NaN)));
            Random r = new Random(9);
            Matrix x = upload(b, r, rows, k), w = upload(b, r, k, cols), labels = b.matrix(rows, 1);
            float[] y = new float[rows];
            for (int i = 0; i < rows; i++) {
                y[i] = i % cols;
            }
            b.upload(y, labels);
            sameBits(b, "activations, deltas, bias", fused -> {
                Matrix bias = upload(b, new Random(3), 1, cols), z = b.matrix(rows, cols), delta = b.matrix(rows, cols);
                if (fused) {
                    b.outputLayerStep(x, w, bias, labels, Output.SIGMOID, 0.01f, z, delta);
                } else {
                    b.gemm(false, false, 1f, x, w, 0f, z);
                    b.outputStep(z, bias, labels, Output.SIGMOID, 0.01f, delta);
                }
                return new Matrix[] {z, delta, bias};
            });
        }
    }

    /**
     * The hidden step of an error's product whose k the shape splits (g = dNext wNext', 100 x 512 by 512 x 64, four
     * slices) adds the slices in hidden_step, before wNext's step: the same bits as gemm_reduce's g, wNext's step,
     * then hidden_step.
     */
    @Test
    void theHiddenStepAddsTheSlicesToTheReducesBits() throws Exception {
        int rows = 100, k = 512, cols = 64;
        try (OpenClBackend b = new OpenClBackend(device())) {
            b.use(List.of(new Backend.Choice(Backend.Choice.Part.HIDDEN, rows, k, cols, false, Double.NaN, Double.NaN)));
            sameBits(b, "deltas, weights, bias", fused -> {
                Random r = new Random(11);
                Matrix dNext = upload(b, r, rows, k), wNext = upload(b, r, cols, k), a = upload(b, r, rows, cols), bias = upload(b, r, 1, cols);
                Matrix g = b.matrix(rows, cols);
                if (fused) {
                    b.hiddenLayerStep(dNext, wNext, 0.99f, a, Activation.TANH, 0.01f, bias, g);
                } else {
                    b.gemm(false, true, 1f, dNext, wNext, 0f, g);
                    b.gemm(true, false, -0.01f, a, dNext, 0.99f, wNext);
                    b.hiddenStep(g, a, Activation.TANH, 0.01f, bias);
                }
                return new Matrix[] {g, wNext, bias};
            });
        }
    }

    /** Runs {@code step} fused and as its launches one by one, each on inputs of its own, and asserts that the matrices it returns end with the same bits. */
    private static void sameBits(Backend b, String names, java.util.function.Function<Boolean, Matrix[]> step) {
        float[][][] ends = new float[2][][];
        for (int fused = 0; fused < 2; fused++) {
            ends[fused] = Arrays.stream(step.apply(fused == 1)).map(m -> download(b, m)).toArray(float[][]::new);
        }
        for (int i = 0; i < ends[0].length; i++) {
            assertTrue(Arrays.equals(ends[0][i], ends[1][i]), names + ": " + i);
        }
    }

    /**
     * tune offers and times a split of 100 x 512 x 512 on a device taken to have 64 compute units, each of its
     * choices' ways found to agree on random inputs, and the product split and whole agree with a double product
     * to float rounding (not bit for bit: the sums' order differs).
     */
    @Test
    void aSplitKGivesTheWholeKsProductsToRounding() throws Exception {
        OpenCl.Device d = device();
        OpenCl.Device wide = new OpenCl.Device(d.index(), d.platform(), d.id(), d.platformName(), d.name(), d.gpu(), d.integrated(), d.memory(), 64, d.version(), d.commandBuffers());
        int rows = 100, k = 512, cols = 512;
        try (OpenClBackend b = new OpenClBackend(wide)) {
            List<Backend.Choice> choices = b.tune(rows, new int[] {k, cols, 10}, Output.SIGMOID, null);
            List<Backend.Choice> products = choices.stream().filter(c -> c.part() == Backend.Choice.Part.FORWARD
                    || c.part() == Backend.Choice.Part.BACKWARD).toList();
            assertEquals(1, products.size(), "only x w into the 512 units is offered a split: " + choices);
            Backend.Choice c = products.get(0);
            assertTrue(c.part() == Backend.Choice.Part.FORWARD && c.rows() == rows && c.k() == k && c.cols() == cols, c.toString());
            assertTrue(c.foldedSeconds() > 0 && c.unfoldedSeconds() > 0, "both ways timed: " + c);
            for (Backend.Choice each : choices) {
                assertTrue(each.off() != null && each.off() < Timings.AGREE, "each way checked on random inputs, and agreeing: " + each);
            }

            Random r = new Random(5);
            Matrix x = upload(b, r, rows, k), w = upload(b, r, k, cols), bias = upload(b, r, 1, cols);
            double[] want = new double[rows * cols];
            float[] xs = download(b, x), ws = download(b, w);
            for (int i = 0; i < rows; i++) {
                for (int p = 0; p < k; p++) {
                    for (int j = 0; j < cols; j++) {
                        want[i * cols + j] += (double) xs[i * k + p] * ws[p * cols + j];
                    }
                }
            }
            float[][] plain = new float[2][], forward = new float[2][];
            for (int split = 0; split < 2; split++) {
                b.use(List.of(new Backend.Choice(Backend.Choice.Part.FORWARD, rows, k, cols, split == 1, Double.NaN, Double.NaN)));
                Matrix z = b.matrix(rows, cols);
                b.gemm(false, false, 1f, x, w, 0f, z);
                plain[split] = download(b, z);
                b.layerForward(x, w, bias, Activation.SIGMOID, z);
                forward[split] = download(b, z);
                float[] bs = download(b, bias);
                for (int e = 0; e < want.length; e++) {
                    assertEquals(want[e], plain[split][e], 1e-4 * Math.max(1, Math.abs(want[e])), "split " + split + ", element " + e);
                    double s = 1 / (1 + Math.exp(-(want[e] + bs[e % cols])));
                    assertEquals(s, forward[split][e], 1e-5, "the forward with its bias and sigmoid, split " + split + ", element " + e);
                }
            }
            assertFalse(Arrays.equals(plain[0], plain[1]), "the split sums in slices, so some outputs round otherwise");
        }
    }
}
