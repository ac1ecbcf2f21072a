package org.mlp4j.cli;

import sun.misc.Signal;

/**
 * SIGINT (Ctrl-C) and SIGTERM while training: the first asks the trainer to stop at the next segment of
 * the epoch, so the run writes what it has and can be resumed; a second one ends the process at once.
 * Handled here rather than left to the JVM, whose default ends the process without letting it save.
 */
final class StopSignals implements AutoCloseable {
    private static final String[] NAMES = {"INT", "TERM"};

    private final sun.misc.SignalHandler[] previous = new sun.misc.SignalHandler[NAMES.length];
    private volatile String received;

    StopSignals(Runnable onFirst) {
        for (int i = 0; i < NAMES.length; i++) {
            try {
                previous[i] = Signal.handle(new Signal(NAMES[i]), s -> {
                    if (received != null) {
                        Runtime.getRuntime().exit(exitCode(s.getName()));
                    }
                    received = s.getName();
                    onFirst.run();
                });
            } catch (IllegalArgumentException e) {
                // a signal this platform or JVM does not let us handle keeps its default
            }
        }
    }

    /** Whether a stop was asked for. */
    boolean received() {
        return received != null;
    }

    /** The exit code of a process ended by the signal received: 128 + its number, as shells report it. */
    int exitCode() {
        return exitCode(received);
    }

    private static int exitCode(String name) {
        return 128 + ("INT".equals(name) ? 2 : 15);
    }

    String name() {
        return "SIG" + received;
    }

    @Override
    public void close() {
        for (int i = 0; i < NAMES.length; i++) {
            if (previous[i] != null) {
                Signal.handle(new Signal(NAMES[i]), previous[i]);
            }
        }
    }
}
