package org.mlp4j.model;

import java.util.Arrays;

/**
 * The multilayer perceptron's parameters on the host: {@code sizes[0]} inputs, hidden layers, and
 * {@code sizes[last]} sigmoid outputs. Layer l maps {@code sizes[l]} to {@code sizes[l+1]} with
 * weights {@code sizes[l] x sizes[l+1]} (row-major, as the book's {@code w_h}) and a separate bias.
 */
public record Network(int[] sizes, float[][] weights, float[][] biases) {
    /** How raw uint8 pixels become inputs: {@code x * INPUT_SCALE + INPUT_SHIFT = (x/255 - 0.5) * 2}. */
    public static final float INPUT_SCALE = 2f / 255f;
    public static final float INPUT_SHIFT = -1f;

    /** The number of weights and biases of a network of these layer sizes. */
    public static long parameters(int[] sizes) {
        long n = 0;
        for (int l = 0; l + 1 < sizes.length; l++) {
            n += (long) sizes[l] * sizes[l + 1] + sizes[l + 1];
        }
        return n;
    }

    public int layers() {
        return sizes.length - 1;
    }

    public int inputs() {
        return sizes[0];
    }

    public int outputs() {
        return sizes[sizes.length - 1];
    }

    /** The book's initialisation: weights ~ N(0, 0.1) drawn layer by layer from {@code random}, biases 0. */
    public static Network initialize(int[] sizes, NumpyRandom random) {
        int l = sizes.length - 1;
        float[][] w = new float[l][];
        float[][] b = new float[l][];
        for (int i = 0; i < l; i++) {
            w[i] = new float[sizes[i] * sizes[i + 1]];
            for (int j = 0; j < w[i].length; j++) {
                w[i][j] = (float) (random.nextGaussian() * 0.1);
            }
            b[i] = new float[sizes[i + 1]];
        }
        return new Network(sizes.clone(), w, b);
    }

    public Network copy() {
        float[][] w = new float[weights.length][];
        float[][] b = new float[biases.length][];
        for (int i = 0; i < w.length; i++) {
            w[i] = weights[i].clone();
            b[i] = biases[i].clone();
        }
        return new Network(sizes.clone(), w, b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Network n && Arrays.equals(sizes, n.sizes)
                && Arrays.deepEquals(weights, n.weights) && Arrays.deepEquals(biases, n.biases);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(sizes);
    }
}
