package org.mlp4j.cli;

import java.util.function.IntConsumer;
import sun.misc.Signal;

/**
 * SIGINT (Ctrl-C), SIGTERM and SIGHUP (the terminal closed, an ssh session dropped) while training: the first
 * asks the trainer to stop at the next segment of the epoch, so the run writes what it has and can be resumed;
 * a second SIGINT or SIGTERM ends the process at once. Handled here rather than left to the JVM, whose default
 * ends the process without letting it save. A signal ignored when the JVM started (SIGHUP under nohup) stays
 * ignored.
 */
final class StopSignals implements AutoCloseable {
    private static final String[] NAMES = {"INT", "TERM", "HUP"};

    private final sun.misc.SignalHandler[] previous = new sun.misc.SignalHandler[NAMES.length];
    private final Runnable onFirst;
    private final IntConsumer exit;
    private volatile String received;

    StopSignals(Runnable onFirst) {
        this(onFirst, code -> Runtime.getRuntime().exit(code));
    }

    /** As {@link #StopSignals(Runnable)}, ending the process through {@code exit} (for the tests). */
    StopSignals(Runnable onFirst, IntConsumer exit) {
        this.onFirst = onFirst;
        this.exit = exit;
        for (int i = 0; i < NAMES.length; i++) {
            try {
                previous[i] = Signal.handle(new Signal(NAMES[i]), s -> received(s.getName()));
            } catch (IllegalArgumentException e) {
                // a signal this platform or JVM does not let us handle keeps its default
            }
        }
    }

    /** What the signal {@code name} (HUP, INT or TERM) does. */
    synchronized void received(String name) {
        if (received == null) {
            received = name;
            onFirst.run();
        } else if (!name.equals("HUP")) {
            // a hang-up comes more than once (the shell passes it on, the kernel sends it as the shell exits): only a
            // second signal from a user ends the run unsaved
            exit.accept(exitCode(name));
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
        return 128 + switch (name) {
            case "HUP" -> 1;
            case "INT" -> 2;
            default -> 15;
        };
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
