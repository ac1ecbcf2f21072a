package org.mlp4j.model;

import java.util.Arrays;

/**
 * The multilayer perceptron's parameters on the host: {@code sizes[0]} inputs, hidden layers, and
 * {@code sizes[last]} sigmoid outputs. Layer l maps {@code sizes[l]} to {@code sizes[l+1]} with
 * weights {@code sizes[l] x sizes[l+1]} (row-major, as the book's {@code w_h}) and a separate bias.
 * {@code input} says what it takes: uint8 pixels it scales, or float features as they are.
 */
public record Network(int[] sizes, float[][] weights, float[][] biases, Input input) {
    /** What a network's inputs are, and how they become the first layer's values: {@code x * scale + shift}. */
    public enum Input {
        /** uint8 pixels, scaled to [-1, 1] as {@code (p/255 - 0.5) * 2} (the book's MNIST pipeline). */
        PIXELS(2f / 255f, -1f),
        /** float features, used as they are. */
        FEATURES(1f, 0f);

        private final float scale;
        private final float shift;

        Input(float scale, float shift) {
            this.scale = scale;
            this.shift = shift;
        }

        public float scale() {
            return scale;
        }

        public float shift() {
            return shift;
        }
    }

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

    /** The book's network: {@link #initialize(int[], Input, NumpyRandom)} for pixel inputs. */
    public static Network initialize(int[] sizes, NumpyRandom random) {
        return initialize(sizes, Input.PIXELS, random);
    }

    /** The book's initialisation: weights ~ N(0, 0.1) drawn layer by layer from {@code random}, biases 0. */
    public static Network initialize(int[] sizes, Input input, NumpyRandom random) {
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
        return new Network(sizes.clone(), w, b, input);
    }

    public Network copy() {
        float[][] w = new float[weights.length][];
        float[][] b = new float[biases.length][];
        for (int i = 0; i < w.length; i++) {
            w[i] = weights[i].clone();
            b[i] = biases[i].clone();
        }
        return new Network(sizes.clone(), w, b, input);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Network n && Arrays.equals(sizes, n.sizes) && input == n.input
                && Arrays.deepEquals(weights, n.weights) && Arrays.deepEquals(biases, n.biases);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(sizes);
    }
}
