package org.mlp4j.backend;

import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * How the device's choices are made (a layer step folded or not, a GEMM's tiles, whole steps and their way):
 * the candidates, which do the same work, timed by turns on the device, the fastest kept.
 */
public final class Timings {
    private Timings() {
    }

    /**
     * Seconds a run of each of {@code candidates} takes on {@code backend}: each run once to warm up (the JIT, the
     * driver's first launch of a kernel), then {@code rounds} rounds, each candidate in turn run {@code runs} times
     * to the device's end, and its best round kept. Timed one after the other, the first would run colder, or in a
     * slower minute of a shared machine, which could decide the choice. A candidate other than the first that
     * fails with {@link BackendFailure} (a launch the device refuses) is out: its time is infinite. The first is
     * the one to fall back on, so its failure is the caller's. After two rounds, a candidate other than the first
     * whose best is over {@link #OUT_OF_THE_RUNNING} times the least so far is out of the later rounds, its time
     * that best: where ways differ by tens of times, the slow ones would take most of the timing.
     */
    public static double[] byTurns(Backend backend, List<? extends Runnable> candidates, int rounds, int runs) {
        return byTurns(backend, candidates, rounds, runs, System::nanoTime);
    }

    /** A best of two rounds over this many times the least is too slow to be the fastest by chance. */
    static final double OUT_OF_THE_RUNNING = 3;

    /** {@link #byTurns(Backend, List, int, int)} on {@code clock}'s nanoseconds. */
    static double[] byTurns(Backend backend, List<? extends Runnable> candidates, int rounds, int runs, LongSupplier clock) {
        double[] best = new double[candidates.size()];
        Arrays.fill(best, Double.MAX_VALUE);
        for (int round = 0; round <= rounds; round++) {
            // two rounds each before any is out, so that one slow round (another process's minute) decides nothing
            double cut = round > 2 ? OUT_OF_THE_RUNNING * Arrays.stream(best).min().getAsDouble() : Double.POSITIVE_INFINITY;
            for (int i = 0; i < best.length; i++) {
                if (Double.isInfinite(best[i]) || i > 0 && best[i] > cut) {
                    continue;
                }
                long start = clock.getAsLong();
                try {
                    for (int r = 0; r < (round == 0 ? 1 : runs); r++) {
                        candidates.get(i).run();
                    }
                    backend.synchronize();
                } catch (BackendFailure e) {
                    if (i == 0) {
                        throw e;
                    }
                    best[i] = Double.POSITIVE_INFINITY;
                    continue;
                }
                if (round > 0) {
                    best[i] = Math.min(best[i], (clock.getAsLong() - start) / 1e9 / runs);
                }
            }
        }
        return best;
    }

    /** The index of the least of {@code seconds}, the first of equals. */
    public static int fastest(double[] seconds) {
        int fastest = 0;
        for (int i = 1; i < seconds.length; i++) {
            fastest = seconds[i] < seconds[fastest] ? i : fastest;
        }
        return fastest;
    }
}
