package org.mlp4j;

/** The output layer with the cost it is trained on. */
public enum Output {
    /** Sigmoid units with the logistic cost summed over every unit (the book's); probabilities are the activations divided by their sum. */
    SIGMOID,
    /** Softmax with the cross-entropy cost; probabilities are the softmax. */
    SOFTMAX;

    /** The name used by the command line and model files: lower case. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The output named {@code id} (as {@link #id()}). */
    public static Output of(String id) {
        for (Output o : values()) {
            if (o.id().equals(id)) {
                return o;
            }
        }
        throw new IllegalArgumentException("no output '" + id + "'");
    }
}
