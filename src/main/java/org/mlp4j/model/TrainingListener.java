package org.mlp4j.model;

import java.util.function.Supplier;

/** Progress callbacks from {@link Trainer#fit}, and the way to stop it. */
public interface TrainingListener {
    /**
     * Polled after each recorded segment of an epoch but the last is issued: whether to hear of its steps
     * ({@link #steps}). Only then does the trainer wait for the segment to finish, with the next one issued,
     * which an asynchronous backend's device runs meanwhile.
     */
    default boolean showsProgress() {
        return false;
    }

    /** A line about how training runs, e.g. each choice {@link org.mlp4j.backend.Backend#tune} made, before the first epoch. */
    default void note(String line) {
    }

    /**
     * Something the run's user should hear of whether they asked for its notes or not, e.g. a way of the device's
     * steps (whole steps, a folded layer step, a product's k split) left out because it computes other numbers
     * than the plain way; a note beginning "warning: " by default.
     */
    default void warning(String line) {
        note("warning: " + line);
    }

    /**
     * While the run sets up, before its first step: what it does now (checking a way of whole steps, timing them,
     * recording the epoch), which on a slow device takes seconds a candidate.
     */
    default void settingUp(String what) {
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

    /**
     * Polled before each recorded segment of an epoch: true stops the run there, and fit returns its checkpoint. Also
     * polled while the run sets up, before each candidate of the device's choices runs: true then ends the run before
     * it trains.
     */
    default boolean stopRequested() {
        return false;
    }

    TrainingListener NONE = new TrainingListener() {
    };
}
