package org.mlp4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mlp4j.Activation;
import org.mlp4j.Output;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.cpu.CpuBackend;

/**
 * Backprop checked by finite differences on a small net with two hidden layers, for every hidden
 * activation and output: one SGD step with eta = 1 and l2 = 0 moves every parameter by exactly minus its
 * gradient, which must match central differences of the cost (logistic or cross-entropy) computed
 * independently in double precision.
 */
class GradientCheckTest {
    static final int[] SIZES = {6, 5, 4, 3};
    static final int BATCH = 8;

    final Random random = new Random(5);
    final byte[] pixels = new byte[BATCH * SIZES[0]];
    final byte[] labels = new byte[BATCH];

    GradientCheckTest() {
        random.nextBytes(pixels);
        for (int i = 0; i < BATCH; i++) {
            labels[i] = (byte) random.nextInt(SIZES[3]);
        }
    }

    Network step(Network start, float eta, float l2) {
        return step(start, eta, l2, false);
    }

    Network step(Network start, float eta, float l2, boolean mean) {
        try (Backend cpu = new CpuBackend(1)) {
            DeviceNet net = new DeviceNet(cpu, start);
            Backend.Order order = Trainer.identity(cpu, BATCH);
            Backend.Examples data = cpu.upload(pixels, labels, BATCH, SIZES[0]);
            DeviceNet.Workspace ws = net.workspace(BATCH);
            org.mlp4j.backend.Matrix x = cpu.matrix(BATCH, SIZES[0]), y = cpu.matrix(BATCH, 1);
            cpu.gather(data, order, 0, x, y);
            net.trainStep(ws, x, y, eta, l2, mean);
            return net.download();
        }
    }

    static double activate(double z, Activation f) {
        return switch (f) {
            case SIGMOID -> 1 / (1 + Math.exp(-z));
            case TANH -> Math.tanh(z);
            case RELU -> Math.max(z, 0);
            case LEAKY_RELU -> z > 0 ? z : Activation.LEAKY_SLOPE * z;
            case IDENTITY -> z;
        };
    }

    /** The cost without L2, in double, straight from the definitions. */
    double cost(double[][] w, double[][] b, Activation f, Output out) {
        double total = 0;
        for (int e = 0; e < BATCH; e++) {
            double[] a = new double[SIZES[0]];
            for (int q = 0; q < a.length; q++) {
                a[q] = ((pixels[e * SIZES[0] + q] & 0xff) / 255.0 - 0.5) * 2;
            }
            for (int l = 0; l < w.length; l++) {
                double[] next = new double[SIZES[l + 1]];
                for (int j = 0; j < next.length; j++) {
                    double z = b[l][j];
                    for (int i = 0; i < a.length; i++) {
                        z += a[i] * w[l][i * next.length + j];
                    }
                    next[j] = l + 1 < w.length ? activate(z, f) : z;
                }
                a = next;
            }
            if (out == Output.SOFTMAX) {
                double sum = 0;
                for (double z : a) {
                    sum += Math.exp(z);
                }
                total += Math.log(sum) - a[labels[e]];
                continue;
            }
            for (int j = 0; j < a.length; j++) {
                double s = 1 / (1 + Math.exp(-a[j]));
                total += j == labels[e] ? -Math.log(s) : -Math.log(1 - s);
            }
        }
        return total;
    }

    static double[][] toDouble(float[][] x) {
        double[][] d = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            d[i] = new double[x[i].length];
            for (int j = 0; j < x[i].length; j++) {
                d[i][j] = x[i][j];
            }
        }
        return d;
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> networks() {
        java.util.List<org.junit.jupiter.params.provider.Arguments> all = new java.util.ArrayList<>();
        for (Activation f : Activation.values()) {
            if (f != Activation.IDENTITY) {
                for (Output out : Output.values()) {
                    all.add(org.junit.jupiter.params.provider.Arguments.of(f, out));
                }
            }
        }
        return all.stream();
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("networks")
    void backpropMatchesFiniteDifferences(Activation f, Output out) {
        Network start = Network.initialize(SIZES, Network.Input.PIXELS, f, out, new NumpyRandom(3));
        for (float[] b : start.biases()) {
            for (int j = 0; j < b.length; j++) {
                b[j] = (float) random.nextGaussian() * 0.1f;
            }
        }
        Network after = step(start, 1f, 0f);
        double[][] w = toDouble(start.weights()), b = toDouble(start.biases());
        double eps = 1e-5;
        int checked = 0;
        for (boolean bias : new boolean[] {false, true}) {
            double[][] p = bias ? b : w;
            float[][] moved = bias ? after.biases() : after.weights();
            for (int l = 0; l < p.length; l++) {
                for (int i = 0; i < p[l].length; i++) {
                    double keep = p[l][i];
                    p[l][i] = keep + eps;
                    double up = cost(w, b, f, out);
                    p[l][i] = keep - eps;
                    double down = cost(w, b, f, out);
                    p[l][i] = keep;
                    double numeric = (up - down) / (2 * eps);
                    double backprop = keep - moved[l][i];
                    assertEquals(numeric, backprop, 2e-5 + 2e-4 * Math.abs(numeric),
                            f + "/" + out + " " + (bias ? "bias" : "weight") + " layer " + l + " index " + i);
                    checked++;
                }
            }
        }
        assertEquals(6 * 5 + 5 * 4 + 4 * 3 + 5 + 4 + 3, checked);
    }

    /** The general step (gradients, then the optimizer) with SGD at the book's rate is the book's fused step, summed or averaged. */
    @Test
    void theGeneralSgdStepIsTheFusedOne() {
        for (boolean mean : new boolean[] {false, true}) {
            Network start = Network.initialize(SIZES, Network.Input.PIXELS, Activation.RELU, Output.SOFTMAX, new NumpyRandom(6));
            Network fused = step(start, 0.3f, 0.1f, mean);
            Network general;
            try (Backend cpu = new CpuBackend(1)) {
                DeviceNet net = new DeviceNet(cpu, start);
                Backend.Examples data = cpu.upload(pixels, labels, BATCH, SIZES[0]);
                org.mlp4j.backend.Matrix x = cpu.matrix(BATCH, SIZES[0]), y = cpu.matrix(BATCH, 1);
                cpu.gather(data, Trainer.identity(cpu, BATCH), 0, x, y);
                DeviceNet.Optimizing o = net.optimizing(org.mlp4j.Optimizer.SGD);
                o.set(0.3f, mean ? 1f / BATCH : 1f, 0.1f, Hyperparameters.Optimization.BOOK, 0);
                net.trainStep(o, net.workspace(BATCH), x, y);
                general = net.download();
            }
            for (int l = 0; l < start.layers(); l++) {
                org.mlp4j.backend.BackendContractTest.close(fused.weights()[l], general.weights()[l], 1e-6, "weights " + l + (mean ? " mean" : ""));
                org.mlp4j.backend.BackendContractTest.close(fused.biases()[l], general.biases()[l], 1e-6, "biases " + l + (mean ? " mean" : ""));
            }
        }
    }

    /** The mean gradient is the summed one over the batch size; the L2 decay stays eta * l2. */
    @Test
    void theMeanGradientIsTheSumOverTheBatch() {
        Network start = Network.initialize(SIZES, new NumpyRandom(4));
        Network summed = step(start, 0.5f, 0.1f, false);
        Network mean = step(start, 0.5f, 0.1f, true);
        for (int l = 0; l < start.layers(); l++) {
            for (int i = 0; i < start.weights()[l].length; i++) {
                float w = start.weights()[l][i];
                float grad = (w * (1 - 0.5f * 0.1f) - summed.weights()[l][i]) / 0.5f;
                assertEquals(w * (1 - 0.5f * 0.1f) - 0.5f * grad / BATCH, mean.weights()[l][i], 1e-6);
            }
        }
    }

    @Test
    void l2DecaysWeightsButNotBiases() {
        Network start = Network.initialize(SIZES, new NumpyRandom(4));
        Network plain = step(start, 0.5f, 0f);
        Network decayed = step(start, 0.5f, 0.1f);
        for (int l = 0; l < start.layers(); l++) {
            for (int i = 0; i < start.weights()[l].length; i++) {
                float w = start.weights()[l][i];
                float grad = (w - plain.weights()[l][i]) / 0.5f;
                // w -= eta * (grad + l2 * w)
                assertEquals(w - 0.5f * (grad + 0.1f * w), decayed.weights()[l][i], 1e-6);
            }
            for (int j = 0; j < start.biases()[l].length; j++) {
                assertEquals(plain.biases()[l][j], decayed.biases()[l][j], 1e-7, "bias " + l + "," + j);
            }
        }
    }
}
