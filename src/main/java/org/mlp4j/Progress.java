package org.mlp4j;

/** What {@link Classifier#fit} tells its caller while it trains, and how the caller stops it early. */
public interface Progress {
    /**
     * Within an epoch, after each tenth or so of its steps, and at its end: {@code done} of its {@code total}
     * minibatch steps are finished. On a GPU the fit waits for each part to finish to say so, with the next
     * part issued, which the device runs meanwhile; it skips those waits for {@link #NONE}.
     */
    default void steps(int epoch, int done, int total) {
    }

    /**
     * After each epoch. Here, on the thread that fits, the classifier's {@link Classifier#save} and predictions
     * take the parameters this epoch reached.
     */
    default void epoch(Epoch epoch) {
    }

    /**
     * A one-line note: the device that trains, as {@code train} prints it ("device: cpu: 2 threads, ...", which
     * says where the CPU runs plain loops for want of the Vector API module), and before it, where the device
     * asked for is unusable, that the CPU trains instead and why; and a warning where one of the device's ways to
     * take the steps computes other numbers than its plain steps and is left out ("warning: whole steps, way ...",
     * "warning: output step 100x100x10: folded disagrees with GEMM and step ...").
     */
    default void note(String message) {
    }

    /**
     * Polled a few times per epoch: true ends training there; the classifier keeps the parameters reached. Also
     * polled while a fit sets up, timing and checking the device's ways of taking a step (seconds on a GPU): true
     * then ends it before it trains. An interrupt of the thread that fits ends it there too.
     */
    default boolean stop() {
        return false;
    }

    /** Tells nothing and never stops. */
    Progress NONE = new Progress() {
    };
}
