package org.mlp4j.model;

/** One line of the training history, as the book's {@code eval_}: accuracies are fractions in [0, 1]. */
public record EpochResult(int epoch, double cost, double trainAccuracy, double validAccuracy, double seconds) {
}
