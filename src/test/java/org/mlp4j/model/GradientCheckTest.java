package org.mlp4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.cpu.CpuBackend;

/**
 * Backprop checked by finite differences on a small net with two hidden layers: one SGD step with
 * eta = 1 and l2 = 0 moves every parameter by exactly minus its gradient, which must match central
 * differences of the logistic cost computed independently in double precision.
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
        try (Backend cpu = new CpuBackend(1)) {
            DeviceNet net = new DeviceNet(cpu, start);
            Backend.Order order = Trainer.identity(cpu, BATCH);
            Backend.Examples data = cpu.upload(pixels, labels, BATCH, SIZES[0]);
            DeviceNet.Workspace ws = net.workspace(BATCH);
            org.mlp4j.backend.Matrix x = cpu.matrix(BATCH, SIZES[0]), y = cpu.matrix(BATCH, 1);
            cpu.gather(data, order, 0, x, y);
            net.trainStep(ws, x, y, eta, l2);
            return net.download();
        }
    }

    /** The book's cost without L2, in double, straight from the definitions. */
    double cost(double[][] w, double[][] b) {
        double total = 0;
        for (int e = 0; e < BATCH; e++) {
            double[] a = new double[SIZES[0]];
            for (int f = 0; f < a.length; f++) {
                a[f] = ((pixels[e * SIZES[0] + f] & 0xff) / 255.0 - 0.5) * 2;
            }
            for (int l = 0; l < w.length; l++) {
                double[] next = new double[SIZES[l + 1]];
                for (int j = 0; j < next.length; j++) {
                    double z = b[l][j];
                    for (int i = 0; i < a.length; i++) {
                        z += a[i] * w[l][i * next.length + j];
                    }
                    next[j] = 1 / (1 + Math.exp(-z));
                }
                a = next;
            }
            for (int j = 0; j < a.length; j++) {
                total += j == labels[e] ? -Math.log(a[j]) : -Math.log(1 - a[j]);
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

    @Test
    void backpropMatchesFiniteDifferences() {
        Network start = Network.initialize(SIZES, new NumpyRandom(3));
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
                    double up = cost(w, b);
                    p[l][i] = keep - eps;
                    double down = cost(w, b);
                    p[l][i] = keep;
                    double numeric = (up - down) / (2 * eps);
                    double backprop = keep - moved[l][i];
                    assertEquals(numeric, backprop, 2e-5 + 2e-4 * Math.abs(numeric),
                            (bias ? "bias" : "weight") + " layer " + l + " index " + i);
                    checked++;
                }
            }
        }
        assertEquals(6 * 5 + 5 * 4 + 4 * 3 + 5 + 4 + 3, checked);
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
