package org.mlp4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.mlp4j.data.Features;

class FeatureScalingTest {
    /** Three features: 1000..5000, -2..0 and a constant 7; the last example (validating) is outside the ranges. */
    private static final Features DATA = new Features(new float[] {1000, -2, 7, 5000, 0, 7, 3000, -1, 7, 9000, 4, 8}, new int[] {0, 1, 0, 1}, 4, 3);

    @Test
    void theTrainingExamplesRangesBecomeMinusOneToOne() {
        FeatureScaling s = FeatureScaling.of(DATA, 3);
        assertArrayEquals(new float[] {3000, -1, 7}, s.centre());
        assertArrayEquals(new float[] {2000, 1, 1}, s.half(), "a constant feature is centred, not divided");
        Features scaled = scaled(s);
        assertArrayEquals(new float[] {-1, -1, 0, 1, 1, 0, 0, 0, 0, 3, 5, 1}, scaled.values());
        assertArrayEquals(DATA.labels(), scaled.labels());
        assertArrayEquals(new float[] {1000, -2, 7}, FeatureScaling.of(DATA, 1).centre(), "only the first rows, which train, count");
    }

    @Test
    void aFoldedNetworkTakesTheFeaturesUnscaledAndUnfoldingUndoesIt() {
        FeatureScaling s = FeatureScaling.of(DATA, 3);
        Network net = Network.initialize(new int[] {3, 4, 2}, new NumpyRandom(3));
        for (int j = 0; j < 4; j++) {
            net.biases()[0][j] = 0.1f * j;
        }
        Network folded = s.folded(net);
        Features scaled = scaled(s);
        for (int i = 0; i < DATA.count(); i++) {
            float[] raw = firstLayer(folded, DATA.values(), i), expected = firstLayer(net, scaled.values(), i);
            assertArrayEquals(expected, raw, 1e-5f, "example " + i);
        }
        assertArrayEquals(net.weights()[1], folded.weights()[1], "the layers after the first are as they were");
        Network back = s.unfolded(folded);
        for (int l = 0; l < 2; l++) {
            assertArrayEquals(net.weights()[l], back.weights()[l], 1e-6f);
            assertArrayEquals(net.biases()[l], back.biases()[l], 1e-5f);
        }
        assertEquals(0.1f, net.biases()[0][1], "folding leaves the network it folds as it was");
    }

    /** The first layer's sums for example {@code i} of three features. */
    private static float[] firstLayer(Network net, float[] x, int i) {
        float[] z = net.biases()[0].clone();
        for (int k = 0; k < 3; k++) {
            for (int j = 0; j < z.length; j++) {
                z[j] += x[i * 3 + k] * net.weights()[0][k * z.length + j];
            }
        }
        return z;
    }

    /** DATA's copy, scaled in place. */
    private static Features scaled(FeatureScaling s) {
        Features copy = new Features(DATA.values().clone(), DATA.labels().clone(), DATA.count(), DATA.features());
        s.scale(copy);
        return copy;
    }
}
