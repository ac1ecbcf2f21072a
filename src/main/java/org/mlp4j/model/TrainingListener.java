package org.mlp4j.model;

import java.util.function.Supplier;

/** Progress callbacks from {@link Trainer#fit}, and the way to stop it. */
public interface TrainingListener {
    /**
     * Whether {@link #steps} is shown to anyone. When not, the trainer does not wait for each recorded
     * segment of an epoch to finish, which saves a wait per segment on an asynchronous backend.
     */
    default boolean showsProgress() {
        return false;
    }

    /** A line about how training runs, e.g. each choice {@link org.mlp4j.backend.Backend#tune} made, before the first epoch. */
    default void note(String line) {
    }

    /** After a recorded segment of an epoch: {@code done} of {@code total} steps are finished. */
    default void steps(int epoch, int done, int total) {
    }

    /**
     * After each epoch, with its line of the history; {@code checkpoint} makes a checkpoint of the run as
     * it is now (it copies the parameters to the host, so call it only when one is wanted).
     */
    default void epoch(EpochResult result, Supplier<Trainer.Checkpoint> checkpoint) {
    }

    /** Polled before each recorded segment of an epoch: true stops the run there, and fit returns its checkpoint. */
    default boolean stopRequested() {
        return false;
    }

    TrainingListener NONE = new TrainingListener() {
    };
}
