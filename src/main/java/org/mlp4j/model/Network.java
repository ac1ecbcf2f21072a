package org.mlp4j.model;

import java.util.Arrays;
import org.mlp4j.Activation;
import org.mlp4j.Output;
import org.mlp4j.util.Limits;
import org.mlp4j.util.UserError;

/**
 * The multilayer perceptron's parameters on the host: {@code sizes[0]} inputs, hidden layers, and
 * {@code sizes[last]} sigmoid outputs. Layer l maps {@code sizes[l]} to {@code sizes[l+1]} with
 * weights {@code sizes[l] x sizes[l+1]} (row-major, as the book's {@code w_h}) and a separate bias.
 * {@code input} says what it takes: uint8 pixels it scales, or float features as they are; its hidden
 * layers use {@code activation}, its output layer is {@code output} (the book's: sigmoid and sigmoid).
 */
public record Network(int[] sizes, float[][] weights, float[][] biases, Input input, Activation activation, Output output) {
    public Network {
        if (activation == Activation.IDENTITY) {
            throw new IllegalArgumentException("a hidden layer needs an activation, not identity");
        }
    }

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

    /** The layer sizes as the book writes a network: 784-100-10. */
    public static String name(int[] sizes) {
        return String.join("-", Arrays.stream(sizes).mapToObj(Integer::toString).toList());
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

    /** The book's network: sigmoid units taking pixels, weights drawn from N(0, 0.1). */
    public static Network initialize(int[] sizes, NumpyRandom random) {
        return initialize(sizes, Input.PIXELS, random);
    }

    /** The book's network of sigmoid units for {@code input}. */
    public static Network initialize(int[] sizes, Input input, NumpyRandom random) {
        return initialize(sizes, input, Activation.SIGMOID, Output.SIGMOID, random);
    }

    /** The weight initialisation that suits {@code activation}, as {@link #initialize} names it. */
    public static String initialization(Activation activation) {
        return switch (activation) {
            case RELU, LEAKY_RELU -> "He normal, N(0, 2 / fan_in)";
            case TANH -> "Xavier normal, N(0, 2 / (fan_in + fan_out))";
            default -> "the book's N(0, 0.1)";
        };
    }

    /**
     * New parameters: weights drawn layer by layer from {@code random} as suits the activation (the book's
     * N(0, 0.1) for sigmoid units, He normal for ReLU, Xavier normal for tanh: {@link #initialization}),
     * biases 0. Refuses, before it allocates, a layer whose weights one array cannot hold and parameters the heap
     * has no room for ({@link UserError}).
     */
    public static Network initialize(int[] sizes, Input input, Activation activation, Output output, NumpyRandom random) {
        int l = sizes.length - 1;
        for (int i = 0; i < l; i++) {
            Limits.elements((long) sizes[i] * sizes[i + 1], "layer " + (i + 1) + "'s weights (" + sizes[i] + " x " + sizes[i + 1] + ")");
        }
        Limits.heap(4 * parameters(sizes), "storing the parameters of " + name(sizes));
        float[][] w = new float[l][];
        float[][] b = new float[l][];
        for (int i = 0; i < l; i++) {
            w[i] = new float[sizes[i] * sizes[i + 1]];
            double std = switch (activation) {
                case RELU, LEAKY_RELU -> Math.sqrt(2.0 / sizes[i]);
                case TANH -> Math.sqrt(2.0 / (sizes[i] + sizes[i + 1]));
                default -> 0.1;
            };
            for (int j = 0; j < w[i].length; j++) {
                w[i][j] = (float) (random.nextGaussian() * std);
            }
            b[i] = new float[sizes[i + 1]];
        }
        return new Network(sizes.clone(), w, b, input, activation, output);
    }

    public Network copy() {
        float[][] w = new float[weights.length][];
        float[][] b = new float[biases.length][];
        for (int i = 0; i < w.length; i++) {
            w[i] = weights[i].clone();
            b[i] = biases[i].clone();
        }
        return new Network(sizes.clone(), w, b, input, activation, output);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Network n && Arrays.equals(sizes, n.sizes) && input == n.input && activation == n.activation && output == n.output
                && Arrays.deepEquals(weights, n.weights) && Arrays.deepEquals(biases, n.biases);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(sizes);
    }
}
