package org.mlp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What each signal does while a run trains; the handlers are called here, as the JVM calls them, not raised. */
class StopSignalsTest {
    private final AtomicInteger stops = new AtomicInteger();
    private final List<Integer> exits = new ArrayList<>();

    /** A terminal that closes sends SIGHUP more than once (the shell passes it on, the kernel sends it again as the shell exits). */
    @Test
    void hangUpsAfterTheFirstLeaveTheRunSaving() {
        try (StopSignals signals = new StopSignals(stops::incrementAndGet, exits::add)) {
            signals.received("HUP");
            signals.received("HUP");
            signals.received("HUP");
            assertEquals(1, stops.get());
            assertEquals(List.of(), exits);
            assertEquals("SIGHUP", signals.name());
            assertEquals(129, signals.exitCode());
            signals.received("TERM");
            assertEquals(List.of(143), exits, "a user's signal after a hang-up ends the process");
        }
    }

    @Test
    void aSecondCtrlCEndsTheProcessAtOnce() {
        try (StopSignals signals = new StopSignals(stops::incrementAndGet, exits::add)) {
            assertTrue(!signals.received());
            signals.received("INT");
            assertTrue(signals.received());
            assertEquals(130, signals.exitCode());
            signals.received("HUP");
            assertEquals(List.of(), exits, "a hang-up while the run saves after Ctrl-C leaves it saving");
            signals.received("INT");
            assertEquals(1, stops.get());
            assertEquals(List.of(130), exits);
        }
    }

    @Test
    void sigtermStopsAsCtrlCDoes() {
        try (StopSignals signals = new StopSignals(stops::incrementAndGet, exits::add)) {
            signals.received("TERM");
            assertEquals("SIGTERM", signals.name());
            assertEquals(143, signals.exitCode());
            signals.received("TERM");
            assertEquals(List.of(143), exits);
        }
    }
}
