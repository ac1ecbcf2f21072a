package org.mlp4j;

/** What {@link Classifier#fit} tells its caller while it trains, and how the caller stops it early. */
public interface Progress {
    /** After each epoch. */
    default void epoch(Epoch epoch) {
    }

    /** A one-line note, e.g. that the device asked for is unusable and the CPU trains instead (with the reason). */
    default void note(String message) {
    }

    /** Polled a few times per epoch: true ends training there; the classifier keeps the parameters reached. */
    default boolean stop() {
        return false;
    }

    /** Tells nothing and never stops. */
    Progress NONE = new Progress() {
    };
}
