package org.mlp4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the device's choices are timed: by turns after a warm-up, a failing candidate out, the fastest kept. */
class TimingsTest {
    /** Logs the device's ends, to which each candidate's runs of a round are timed. */
    static final class EndLoggingGpu extends GpuBackendTest.LoggingGpu {
        @Override
        public void synchronize() {
            log.add("end");
        }
    }

    @Test
    void eachCandidateRunsOnceToWarmUpThenAllRunByTurns() {
        EndLoggingGpu gpu = new EndLoggingGpu();
        List<Runnable> candidates = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String name = "c" + i;
            candidates.add(() -> gpu.log.add(name));
        }
        double[] t = Timings.byTurns(gpu, candidates, 2, 2);
        assertEquals(List.of("c0", "end", "c1", "end", "c2", "end",
                "c0", "c0", "end", "c1", "c1", "end", "c2", "c2", "end",
                "c0", "c0", "end", "c1", "c1", "end", "c2", "c2", "end"), gpu.log);
        assertEquals(3, t.length);
        for (double s : t) {
            assertTrue(s >= 0 && s < Double.MAX_VALUE, "a time from the rounds: " + s);
        }
    }

    /** A pause far longer than anything else here takes, so which is faster does not depend on the machine. */
    @Test
    void theFastestIsKeptWhereverItStands() {
        for (int quick = 0; quick < 3; quick++) {
            List<Runnable> candidates = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                candidates.add(i == quick ? () -> { } : TimingsTest::pause);
            }
            double[] t = Timings.byTurns(new EndLoggingGpu(), candidates, 2, 1);
            assertEquals(quick, Timings.fastest(t), java.util.Arrays.toString(t));
            for (int i = 0; i < 3; i++) {
                assertTrue(i == quick || t[i] >= PAUSE_MS / 2e3, "a slowed candidate's time counts its pause: " + t[i]);
            }
        }
        assertEquals(0, Timings.fastest(new double[] {1, 2, 1}), "the first of equals");
    }

    @Test
    void aFailingCandidateIsOutAndTheFirstsFailureIsTheCallers() {
        int[] runs = new int[2];
        BackendFailure refused = new BackendFailure("too many resources requested for launch");
        double[] t = Timings.byTurns(new EndLoggingGpu(), List.of(() -> runs[0]++, () -> {
            runs[1]++;
            throw refused;
        }), 3, 2);
        assertEquals(Double.POSITIVE_INFINITY, t[1]);
        assertEquals(0, Timings.fastest(t));
        assertEquals(1 + 3 * 2, runs[0], "the first ran its warm-up and every round");
        assertEquals(1, runs[1], "the failing one was not run again");
        BackendFailure thrown = assertThrows(BackendFailure.class, () -> Timings.byTurns(new EndLoggingGpu(), List.of(() -> {
            throw refused;
        }, () -> { }), 1, 1));
        assertSame(refused, thrown);
    }

    static final int PAUSE_MS = 30;

    static void pause() {
        try {
            Thread.sleep(PAUSE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
