package org.mlp4j;

/**
 * One epoch of training: its number (from 1), the cost (the book's: logistic cost summed over the
 * training examples plus the L2 term), the accuracies as fractions in [0, 1] (validation NaN without a
 * validation set) and the seconds it took.
 */
public record Epoch(int epoch, double cost, double trainAccuracy, double validAccuracy, double seconds) {
}
