package org.mlp4j.model;

import org.mlp4j.data.Features;

/**
 * Each feature scaled into [-1, 1] by its range over the training examples, {@code (x - centre) / half}, as the book
 * scales MNIST's pixels by theirs (0..255); a feature of one value is centred alone.
 * A network trains on the scaled features, and {@link #folded} makes it one that takes them as they are, the scaling
 * in its first layer: so a saved model needs no scaling beside it, and NumPy, {@code evaluate} and {@code predict} give
 * it a file's numbers as they are.
 */
public record FeatureScaling(float[] centre, float[] half) {
    public FeatureScaling {
        if (centre.length != half.length) {
            throw new IllegalArgumentException(centre.length + " centres for " + half.length + " ranges");
        }
    }

    /** The scaling of {@code data}'s features by their ranges over its first {@code rows} examples (those that train). */
    public static FeatureScaling of(Features data, int rows) {
        if (rows < 1 || rows > data.count()) {
            throw new IllegalArgumentException("features scaled by the ranges of " + rows + " of " + data.count() + " examples");
        }
        int f = data.features();
        float[] v = data.values();
        double[] low = new double[f], high = new double[f];
        java.util.Arrays.fill(low, Double.POSITIVE_INFINITY);
        java.util.Arrays.fill(high, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < f; j++) {
                low[j] = Math.min(low[j], v[i * f + j]);
                high[j] = Math.max(high[j], v[i * f + j]);
            }
        }
        float[] centre = new float[f], half = new float[f];
        for (int j = 0; j < f; j++) {
            centre[j] = (float) ((low[j] + high[j]) / 2);
            // a feature of one value: centred, not divided, so another value elsewhere stays finite
            half[j] = high[j] > low[j] ? (float) ((high[j] - low[j]) / 2) : 1;
        }
        return new FeatureScaling(centre, half);
    }

    /**
     * Scales {@code data}'s features, in place, so that a dataset as large as the heap allows is not copied: its arrays
     * must be the caller's own.
     */
    public void scale(Features data) {
        int f = checked(data.features());
        float[] v = data.values();
        for (int row = 0; row < v.length; row += f) {
            for (int j = 0; j < f; j++) {
                v[row + j] = (v[row + j] - centre[j]) / half[j];
            }
        }
    }

    /**
     * {@code net}, which takes scaled features, as the network that takes them unscaled: its first layer's weight from
     * feature i divided by that feature's half range, and its biases less the centres' share, {@code sum_i centre_i * w_ij / half_i}.
     */
    public Network folded(Network net) {
        return firstLayer(net, true);
    }

    /** The inverse of {@link #folded}: {@code net}, which takes features unscaled, as the network that takes them scaled. */
    public Network unfolded(Network net) {
        return firstLayer(net, false);
    }

    private Network firstLayer(Network net, boolean fold) {
        int inputs = checked(net.inputs()), outputs = net.sizes()[1];
        Network n = net.copy();
        float[] w = n.weights()[0], b = n.biases()[0];
        double[] shift = new double[outputs];
        for (int i = 0; i < inputs; i++) {
            for (int j = 0; j < outputs; j++) {
                // the weight on feature i unscaled, w' = w / half: folding writes it, unfolding reads it and writes w' * half;
                // the biases move by the centres' share of it either way
                int k = i * outputs + j;
                float unscaled = fold ? w[k] / half[i] : w[k];
                shift[j] += (double) centre[i] * unscaled;
                w[k] = fold ? unscaled : unscaled * half[i];
            }
        }
        for (int j = 0; j < outputs; j++) {
            b[j] = (float) (b[j] + (fold ? -shift[j] : shift[j]));
        }
        return n;
    }

    private int checked(int features) {
        if (features != centre.length) {
            throw new IllegalArgumentException(features + " features, but a scaling of " + centre.length);
        }
        return features;
    }
}
