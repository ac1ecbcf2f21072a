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
    static class EndLoggingGpu extends GpuBackendTest.LoggingGpu {
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

    /**
     * Within {@link Timings#stoppable}, a stop asked for while a candidate runs ends the timing and the check before the
     * next candidate runs, none cut off midway; outside it, and once it has returned, nothing stops them.
     */
    @Test
    void aStopAskedForWhileTheChoicesAreMadeEndsThemBeforeTheNextCandidate() {
        EndLoggingGpu gpu = new EndLoggingGpu();
        boolean[] asked = {false};
        List<Runnable> candidates = List.of(() -> gpu.log.add("c0"), () -> {
            gpu.log.add("c1");
            asked[0] = true;
        }, () -> gpu.log.add("c2"));
        assertThrows(Timings.Stopped.class, () -> Timings.stoppable(() -> asked[0], () -> Timings.byTurns(gpu, candidates, 2, 1)));
        assertEquals(List.of("c0", "end", "c1", "end"), gpu.log, "the warm-up's first two, then nothing");
        asked[0] = false;
        gpu.log.clear();
        Matrix out = gpu.matrix(1, 1);
        assertThrows(Timings.Stopped.class, () -> Timings.stoppable(() -> asked[0], () -> check(gpu, java.util.Map.of(), () -> { }, candidates, out)));
        assertEquals(List.of("c0", "end", "c1", "end"), gpu.log.stream().filter(e -> e.equals("end") || e.startsWith("c")).toList());
        assertTrue(asked[0]);
        assertEquals(3, Timings.byTurns(gpu, candidates, 1, 1).length, "outside a set-up, a stop asked for stops nothing");
        assertEquals("made", Timings.stoppable(() -> false, () -> "made"));
        assertEquals(3, Timings.byTurns(gpu, candidates, 1, 1).length, "nor after one");
    }

    /**
     * A timed run repeats its work as often as asked where that takes under {@code RUN_SECONDS} (a GPU's layer step
     * or whole steps), else as often as takes that long, at least once.
     */
    @Test
    void aTimedRunRepeatsSlowWorkLessOften() {
        assertEquals(20, Timings.repeats(20, 0.0001));
        assertEquals(20, Timings.repeats(20, Timings.RUN_SECONDS / 20));
        assertEquals(10, Timings.repeats(20, Timings.RUN_SECONDS / 10));
        assertEquals(7, Timings.repeats(20, Timings.RUN_SECONDS / 6.5));
        assertEquals(1, Timings.repeats(5, Timings.RUN_SECONDS));
        assertEquals(1, Timings.repeats(5, 100 * Timings.RUN_SECONDS));
        assertEquals(5, Timings.repeats(5, 0));
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

    /**
     * Each candidate runs once after its output is set to NaN and then its inputs filled: one off the first by
     * rounding agrees; one off by a share of the values, one that leaves a value unwritten or not finite, disagree;
     * one that fails is not judged (its timing finds it); nothing is judged where the first's values are not all
     * finite. A disagreeing candidate is then replaced by one that fails, so the timing leaves it out.
     */
    @Test
    void aCandidateThatComputesOtherValuesThanTheFirstDisagrees() {
        EndLoggingGpu gpu = new EndLoggingGpu();
        Matrix in = gpu.matrix(1, 4), out = gpu.matrix(1, 4);
        int[] fills = {0};
        Runnable fill = () -> {
            fills[0]++;
            gpu.upload(new float[] {1, 2, 3, 4}, in);
        };
        java.util.function.Function<float[], Runnable> adding = add -> () -> {
            float[] v = new float[4];
            gpu.download(in, v);
            for (int i = 0; i < 4; i++) {
                v[i] += add[i];
            }
            gpu.upload(v, out);
        };
        List<Runnable> candidates = List.of(adding.apply(new float[4]), adding.apply(new float[] {0, 0, 0, 1e-3f}), adding.apply(new float[] {0, 0.4f, 0, 0}),
                () -> gpu.upload(new float[] {1, 2, 3}, gpu.matrix(1, 3)), adding.apply(new float[] {0, Float.NaN, 0, 0}), () -> {
                    throw new BackendFailure("refused");
                });
        Timings.Checked checked = check(gpu, java.util.Map.of(), fill, candidates, out);
        double[] off = checked.off();
        assertEquals(java.util.Arrays.asList(new String[candidates.size()]), java.util.Arrays.asList(checked.leftOut()), "none left out");
        assertEquals(candidates.size(), fills[0], "the inputs filled before each");
        assertEquals(0, off[0]);
        assertEquals(1e-3 / 4, off[1], 1e-7, "rounding");
        assertEquals(0.4 / 4, off[2], 1e-7);
        assertEquals(Double.POSITIVE_INFINITY, off[3], "left unwritten");
        assertEquals(Double.POSITIVE_INFINITY, off[4], "not finite");
        assertTrue(Double.isNaN(off[5]), "failed: not judged");
        assertEquals(List.of(false, false, true, true, true, false), java.util.Arrays.stream(off).mapToObj(Timings::disagrees).toList());
        double[] t = Timings.byTurns(gpu, checked.usable(candidates), 1, 1);
        assertEquals(List.of(false, false, true, true, true, true), java.util.Arrays.stream(t).mapToObj(Double::isInfinite).toList(),
                "the disagreeing and the failing are out of the timing");

        double[] unjudged = check(gpu, java.util.Map.of(), fill, List.of(() -> { }, adding.apply(new float[4])), out).off();
        assertTrue(Double.isNaN(unjudged[1]), "the first left its output unwritten: nothing to judge by");
        double[] zeros = check(gpu, java.util.Map.of(), fill, List.of(() -> gpu.upload(new float[4], out), () -> gpu.upload(new float[4], out),
                () -> gpu.upload(new float[] {0, 0, 1e-30f, 0}, out)), out).off();
        assertArrayEquals(new double[] {0, 0, Double.POSITIVE_INFINITY}, zeros, "against zeros, any difference disagrees");
        Runnable doubling = () -> {
            float[] v = new float[4];
            gpu.download(out, v);
            gpu.upload(new float[] {2 * v[0], 2 * v[1], 2 * v[2], 2 * v[3]}, out);
        };
        assertArrayEquals(new double[] {0, 0}, check(gpu, java.util.Map.of(), () -> gpu.upload(new float[] {1, 2, 3, 4}, out), List.of(doubling, doubling), out).off(),
                "an output that is also an input: the fill writes it after the NaN");
    }

    /** Where a test's faults are remembered: none of the user's, nor another test's. */
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path dir;

    /** {@link Timings#check} of candidates named "candidate 1" on, with the faults {@code remembered}, kept in {@link #dir}. */
    private Timings.Checked check(Backend gpu, java.util.Map<String, String> remembered, Runnable fill, List<? extends Runnable> candidates, Matrix out) {
        List<String> kinds = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            kinds.add(i == 0 ? null : "candidate " + i);
        }
        return Timings.check(gpu, new DeviceFaults(dir.resolve("faults.tsv")), remembered, fill, candidates, kinds, out);
    }

    /**
     * A candidate whose kind faulted this device in an earlier run is left out unrun, and the timing leaves it out;
     * one that faults the device now (it then fails even a wait for its idle queue) stops the check, named, and is
     * remembered; one whose launch the device refuses (and goes on working) is only not judged.
     */
    @Test
    void aCandidateThatFaultedTheDeviceIsLeftOutAndOneThatFaultsItNowStopsTheCheck() throws Exception {
        boolean[] lost = {false};
        EndLoggingGpu gpu = new EndLoggingGpu() {
            @Override
            public void synchronize() {
                super.synchronize();
                if (lost[0]) {
                    throw new BackendFailure("cuStreamSynchronize failed: CUDA_ERROR_ILLEGAL_ADDRESS");
                }
            }
        };
        Matrix out = gpu.matrix(1, 4);
        Runnable writing = () -> gpu.upload(new float[] {1, 2, 3, 4}, out);
        List<Runnable> candidates = List.of(writing, () -> {
            throw new IllegalStateException("a candidate left out ran");
        }, writing, () -> {
            throw new BackendFailure("refused");
        });
        Timings.Checked checked = check(gpu, java.util.Map.of("candidate 1", "2026-12-07: cuda: CUDA_ERROR_ILLEGAL_ADDRESS"), () -> { }, candidates, out);
        assertEquals(java.util.Arrays.asList(null, "left out: it faulted this device in an earlier run (2026-12-07: cuda: CUDA_ERROR_ILLEGAL_ADDRESS)",
                null, null), java.util.Arrays.asList(checked.leftOut()));
        assertTrue(Double.isNaN(checked.off()[1]) && checked.off()[2] == 0 && Double.isNaN(checked.off()[3]), java.util.Arrays.toString(checked.off()));
        double[] t = Timings.byTurns(gpu, checked.usable(candidates), 1, 1);
        assertEquals(List.of(false, true, false, true), java.util.Arrays.stream(t).mapToObj(Double::isInfinite).toList(), "the left out is not timed");
        assertTrue(java.nio.file.Files.notExists(dir.resolve("faults.tsv")), "a refused launch is no fault");

        DeviceFaults.Fault fault = assertThrows(DeviceFaults.Fault.class, () -> check(gpu, java.util.Map.of(), () -> { }, List.of(writing, writing, () -> {
            lost[0] = true;
            throw new BackendFailure("cuLaunchKernel failed: CUDA_ERROR_LAUNCH_FAILED");
        }, writing), out));
        assertEquals("candidate 2 faulted the device as the run checked it (cuLaunchKernel failed: CUDA_ERROR_LAUNCH_FAILED); later runs on"
                + " this device leave it out (remembered in " + dir.resolve("faults.tsv") + ")", fault.getMessage());
        lost[0] = false;
        assertEquals(java.util.Set.of("candidate 2"), new DeviceFaults(dir.resolve("faults.tsv")).remembered(gpu.device()).keySet());
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
