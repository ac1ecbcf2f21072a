package org.mlp4j.model;

/** Progress callbacks from {@link Trainer#fit}. */
public interface TrainingListener {
    /**
     * Whether {@link #steps} is shown to anyone. When not, an epoch is recorded as one program (one CUDA
     * graph), which saves the launches and waits between segments.
     */
    default boolean showsProgress() {
        return false;
    }

    /** After each recorded segment of an epoch: {@code done} of {@code total} steps are finished. */
    default void steps(int epoch, int done, int total) {
    }

    default void epoch(EpochResult result) {
    }

    TrainingListener NONE = new TrainingListener() {
    };
}
