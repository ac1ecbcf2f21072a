package org.mlp4j.model;

/** Progress callbacks from {@link Trainer#fit}. */
public interface TrainingListener {
    /** After each recorded segment of an epoch: {@code done} of {@code total} steps are finished. */
    default void steps(int epoch, int done, int total) {
    }

    default void epoch(EpochResult result) {
    }

    TrainingListener NONE = new TrainingListener() {
    };
}
