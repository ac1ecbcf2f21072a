package org.mlp4j;

/**
 * A hidden layer's activation function. Each suits its own weight initialisation, which
 * {@link Classifier#create(long, Activation, Output, int...)} and {@code mlp4j train} pick by it:
 * {@link #SIGMOID} the book's N(0, 0.1), {@link #TANH} Xavier (Glorot) normal N(0, 2 / (fan_in + fan_out)),
 * {@link #RELU} and {@link #LEAKY_RELU} He normal N(0, 2 / fan_in).
 */
public enum Activation {
    /** No function: v. Only the output layer's logits use it, never a hidden layer. */
    IDENTITY,
    /** 1 / (1 + e^-v), the book's. */
    SIGMOID,
    /** tanh(v). */
    TANH,
    /** max(v, 0). */
    RELU,
    /** v for v > 0, else {@link #LEAKY_SLOPE} v. */
    LEAKY_RELU;

    /** The slope of {@link #LEAKY_RELU} below 0. */
    public static final float LEAKY_SLOPE = 0.01f;

    /** The name used by the command line and files: lower case, '-' for '_'. */
    public String id() {
        return Ids.id(this);
    }

    /** The activation named {@code id} (as {@link #id()}). */
    public static Activation of(String id) {
        return Ids.of(values(), id, "activation");
    }
}
