package org.mlp4j;

/** The output layer with the cost it is trained on. */
public enum Output {
    /** Sigmoid units with the logistic cost summed over every unit (the book's); probabilities are the activations divided by their sum. */
    SIGMOID,
    /** Softmax with the cross-entropy cost; probabilities are the softmax. */
    SOFTMAX;

    /** The name used by the command line and files: lower case, '-' for '_'. */
    public String id() {
        return Ids.id(this);
    }

    /** The output named {@code id} (as {@link #id()}). */
    public static Output of(String id) {
        return Ids.of(values(), id, "output");
    }
}
