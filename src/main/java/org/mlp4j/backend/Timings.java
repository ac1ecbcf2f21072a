package org.mlp4j.backend;

import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * How the device's choices are made (a layer step folded or not, a GEMM's tiles, whole steps and their way):
 * the candidates, which do the same work, checked to compute the same values and timed by turns on the device,
 * the fastest kept.
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

    /**
     * How long a timed run of a candidate need be at least: several of a scheduler's time slices, so that its time is
     * the candidate's more than another process's moment ({@link #repeats}).
     */
    public static final double RUN_SECONDS = 0.05;

    /**
     * How many repeats of work that took {@code seconds} (a first run, as {@link Checked#seconds}: at most its time
     * warmed up) to time as one run: {@code most}, or where those would take longer than {@link #RUN_SECONDS},
     * as many as take that long, at least one. On a device slow for the work (OpenCL on a CPU, a wide network), the
     * candidates' runs of {@code most} each, several each, would add up to epochs of the run before its first step.
     */
    public static int repeats(int most, double seconds) {
        return (int) Math.max(1, Math.min(most, Math.ceil(RUN_SECONDS / seconds)));
    }

    /** What ends the making of a run's choices on this thread, where {@link #stoppable} set it: null where nothing does. */
    private static final ThreadLocal<java.util.function.BooleanSupplier> STOP = new ThreadLocal<>();

    /**
     * What {@code setUp} makes (a run's set-up: its choices timed and checked), ended early by {@link Stopped} where
     * {@code stop} turns true before one of its candidates runs. Set here rather than passed down: a backend makes its
     * choices inside {@link Backend#tune} and, on OpenCL, inside a recording, which the trainer calls with no room for it.
     */
    public static <T> T stoppable(java.util.function.BooleanSupplier stop, java.util.function.Supplier<T> setUp) {
        java.util.function.BooleanSupplier outer = STOP.get();
        STOP.set(stop);
        try {
            return setUp.get();
        } finally {
            STOP.set(outer);
        }
    }

    /** Throws {@link Stopped} where the set-up this thread runs ({@link #stoppable}) was asked to stop. */
    public static void stopIfAsked() {
        java.util.function.BooleanSupplier stop = STOP.get();
        if (stop != null && stop.getAsBoolean()) {
            throw new Stopped();
        }
    }

    /** A run's set-up ended by a stop asked for while it made its choices ({@link #stoppable}): before a candidate ran, none half run. */
    public static final class Stopped extends RuntimeException {
        Stopped() {
            super("stopped while the device's choices were made", null, false, false);
        }
    }

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
                stopIfAsked();
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

    /**
     * How far a candidate's outputs may lie from the first's on the same inputs, as a share of the first's largest
     * magnitude, and still agree: summing in another order (a k split, a fold's own loop, another tile) moves a
     * float32 result by far less, a kernel that computes something else by about the values themselves.
     */
    public static final double AGREE = 1e-3;

    /**
     * How each of {@code candidates} ended against the first, each run once with {@code outputs} set to NaN (which a
     * candidate that writes them all replaces) and then {@code fill} run (which writes the inputs they read, an output
     * that is also an input included). A candidate whose kind ({@code kinds}, one a candidate; null for the first,
     * whose failure is the caller's) is {@code remembered} as one that faulted this device ({@link DeviceFaults}) is
     * left out unrun; one that faults it now stops the run, and {@code faults} remembers it.
     *
     * @return for each, the largest difference of its values in {@code outputs} from the first's, over the first's
     *         largest magnitude: 0 for the first; infinite for one that leaves a value that is not finite (or any
     *         difference where the first's are all zero); NaN, nothing judged, for one that fails with
     *         {@link BackendFailure} (as {@link #byTurns} will find it) or is left out, and for all where the first's
     *         values are not all finite. For each left out, why. And the seconds the first took to its end.
     */
    public static Checked check(Backend backend, DeviceFaults faults, java.util.Map<String, String> remembered, Runnable fill,
            List<? extends Runnable> candidates, List<String> kinds, Matrix... outputs) {
        double[] off = new double[candidates.size()];
        double seconds = Double.NaN;
        String[] leftOut = new String[candidates.size()];
        float[][] reference = null;
        for (int i = 0; i < candidates.size(); i++) {
            String kind = kinds.get(i);
            if (i > 0 && remembered.containsKey(kind)) {
                off[i] = Double.NaN;
                leftOut[i] = "left out: it faulted this device in an earlier run (" + remembered.get(kind) + ")";
                continue;
            }
            stopIfAsked();
            float[][] values = new float[outputs.length][];
            for (int o = 0; o < outputs.length; o++) {
                values[o] = new float[outputs[o].size()];
                Arrays.fill(values[o], Float.NaN);
                backend.upload(values[o], outputs[o]);
            }
            fill.run();
            Runnable candidate = candidates.get(i);
            try {
                if (i == 0) {
                    long start = System.nanoTime();
                    candidate.run();
                    backend.synchronize();
                    seconds = (System.nanoTime() - start) / 1e9;
                } else {
                    faults.check(backend, kind, kind, () -> {
                        candidate.run();
                        backend.synchronize();
                        return null;
                    });
                }
            } catch (DeviceFaults.Fault e) {
                throw e;
            } catch (BackendFailure e) {
                if (i == 0) {
                    throw e;
                }
                off[i] = Double.NaN;
                continue;
            }
            for (int o = 0; o < outputs.length; o++) {
                backend.download(outputs[o], values[o]);
            }
            if (i == 0) {
                reference = values;
            } else {
                off[i] = off(reference, values);
            }
        }
        return new Checked(off, leftOut, seconds);
    }

    /**
     * What {@link #check} found of each candidate: how far off the first it ended, why it was left out (null for one
     * that ran), and the seconds the first candidate's run took to its end (a first run, or one like it: the JIT's and
     * the driver's first costs in).
     */
    public record Checked(double[] off, String[] leftOut, double seconds) {
        /**
         * {@code candidates} (those checked, or others in their place that do the same work) with each that disagrees
         * with the first, or was left out, replaced by one that fails, which {@link #byTurns} then leaves out.
         */
        public List<Runnable> usable(List<? extends Runnable> candidates) {
            List<Runnable> usable = new java.util.ArrayList<>();
            for (int i = 0; i < candidates.size(); i++) {
                double o = off[i];
                String why = leftOut[i];
                usable.add(why != null ? () -> {
                    throw new BackendFailure(why);
                } : disagrees(o) ? () -> {
                    throw new BackendFailure(String.format(java.util.Locale.ROOT, "disagrees with the first candidate (off by %.1e)", o));
                } : candidates.get(i));
            }
            return usable;
        }
    }

    private static double off(float[][] reference, float[][] values) {
        double largest = 0, off = 0;
        for (int o = 0; o < reference.length; o++) {
            for (int j = 0; j < reference[o].length; j++) {
                if (!Float.isFinite(reference[o][j])) {
                    return Double.NaN;
                }
                largest = Math.max(largest, Math.abs(reference[o][j]));
                // NaN or infinite in a candidate where the first's value is finite is as far off as can be
                off = Float.isFinite(values[o][j]) ? Math.max(off, Math.abs((double) values[o][j] - reference[o][j])) : Double.POSITIVE_INFINITY;
            }
        }
        return off == 0 ? 0 : largest == 0 ? Double.POSITIVE_INFINITY : off / largest;
    }

    /** Whether a candidate {@code off} the first ({@link #check}) by that much computes something else. */
    public static boolean disagrees(double off) {
        return off > AGREE; // not where off is NaN
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
