package org.mlp4j.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

    /**
     * On a clock that each candidate moves by its cost in that round: after two rounds, a candidate over
     * {@link Timings#OUT_OF_THE_RUNNING} times the least is run no more, one under it is, one with a single slow
     * round is not judged by it, and the first, the one to fall back on, runs every round however slow.
     */
    @Test
    void aCandidateFarSlowerThanTheFastestAfterTwoRoundsIsOut() {
        long[] now = {0};
        long[][] costs = { // nanoseconds a run: the warm-up's, then each round's
            {50, 50, 50, 50, 50},   // the first: 5x the fastest, still timed every round
            {10, 10, 10, 10, 10},   // the fastest
            {29, 29, 29, 29, 29},   // 2.9x: in the running
            {31, 31, 31, 31, 31},   // 3.1x: out after two rounds
            {10, 90, 90, 90, 90},   // 9x after the warm-up: out
            {10, 90, 12, 90, 90},   // one round at 9x, its best 1.2x: in the running
        };
        int[] runs = new int[costs.length];
        List<Runnable> candidates = new ArrayList<>();
        for (int i = 0; i < costs.length; i++) {
            int c = i;
            candidates.add(() -> now[0] += costs[c][runs[c]++]); // a candidate's runs are its rounds, in turn
        }
        double[] t = Timings.byTurns(new EndLoggingGpu(), candidates, 4, 1, () -> now[0]);
        assertArrayEquals(new int[] {5, 5, 5, 3, 3, 5}, runs, "runs: the warm-up and the rounds each took part in");
        assertArrayEquals(new double[] {50 / 1e9, 10 / 1e9, 29 / 1e9, 31 / 1e9, 90 / 1e9, 12 / 1e9}, t, 0,
                "an out candidate's time is its best before");
        assertEquals(1, Timings.fastest(t));
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
