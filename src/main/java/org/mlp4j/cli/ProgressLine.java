package org.mlp4j.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The line that shows where training is on a terminal: the epoch's steps as a bar, and the whole run's
 * share with the time left, at the rate of the steps over the later half of the run so far, or a little more: since the
 * end of its first epoch, or of its second, fourth, eighth ... epoch, the last that is at most half the epochs done (within
 * the first epoch, since its first redraw). The run's set-up before its first step (the device's choices, timed or checked
 * on it) can take as long as epochs, and the first epochs run slower than the rest (the JIT compiles the cpu backend's
 * kernels during the first and the second; a GPU makes its first launches and recordings): counted in, each made the time
 * left of a run's first epochs far too long, and the first epochs' share of the rate wore off only over tens of epochs.
 * Redrawn in place with a carriage return, at most every
 * 100 ms, and wiped before each epoch's line is printed. Plain text, no terminal library, so it never takes the terminal's
 * signals (Ctrl-C) from the JVM. Kept narrower than the terminal (a line that wraps is redrawn on a new row
 * each time): the bar shrinks, then goes, then the line is cut.
 */
final class ProgressLine {
    private static final int BAR = 30;
    private static final long REDRAW_NANOS = 100_000_000;

    /** The narrowest bar drawn: below it, the line goes without. */
    private static final int MIN_BAR = 5;

    private final PrintWriter out;
    private final int firstEpoch;
    private final int epochs;
    /** The share of an epoch's time its evaluation is taken to be, after its last step and before the epoch's end is heard of. */
    private final double evaluation;
    private final IntSupplier columns;
    private final LongSupplier nanos;
    private long drawn;
    /** When the first redraw was, and the run's share done then (NaN before it). */
    private long firstDrawn;
    private double firstDone = Double.NaN;
    /**
     * At k, when the end of epoch 2^k of those this line shows (the first, second, fourth ...) was heard of, and the run's
     * share done then (NaN before it).
     */
    private final long[] endedAt = new long[31];
    private final double[] endedDone = new double[31];
    private int width;

    /**
     * {@code evaluation}: the share of an epoch its evaluation is taken to be ({@link org.mlp4j.model.Trainer#evaluationShare}),
     * so that the time left within the first epoch counts it in; {@code columns}: the terminal's width, asked before each
     * redraw.
     */
    ProgressLine(PrintWriter out, int firstEpoch, int epochs, double evaluation, IntSupplier columns) {
        this(out, firstEpoch, epochs, evaluation, columns, System::nanoTime);
    }

    /** {@code nanos}: the clock the redraws and the time left are reckoned by. */
    ProgressLine(PrintWriter out, int firstEpoch, int epochs, double evaluation, IntSupplier columns, LongSupplier nanos) {
        this.out = out;
        this.firstEpoch = firstEpoch;
        this.epochs = epochs;
        this.evaluation = evaluation;
        this.columns = columns;
        this.nanos = nanos;
        Arrays.fill(endedDone, Double.NaN);
    }

    /**
     * What the terminal shows before a run's first step: timing the device's choices, or checking those a checkpoint or an
     * earlier run of the network made (which the run learns of only in the trainer), can take seconds.
     */
    static final String SETTING_UP = "setting up: timing or checking the device's ways of taking a step...";

    /** Says that the run sets up before its first step ({@link #SETTING_UP}), until the first redraw or {@link #clear}. */
    void settingUp() {
        draw(clip(SETTING_UP, columns.getAsInt() - 1));
    }

    /** Says what the run's set-up does now ("checking whole steps, way 2 of 4 (...)"), as {@link #settingUp()} says it sets up. */
    void settingUp(String what) {
        draw(clip("setting up: " + what + "...", columns.getAsInt() - 1));
    }

    /** Where epoch {@code epoch} is: {@code done} of its {@code total} steps, and with all of them done, its evaluation too. */
    void show(int epoch, int done, int total) {
        long now = nanos.getAsLong();
        boolean first = Double.isNaN(firstDone);
        int ended = epoch - firstEpoch + (done >= total ? 1 : 0);
        for (int k = 0; k < endedAt.length && 1 << k <= ended; k++) {
            if (Double.isNaN(endedDone[k])) {
                endedAt[k] = now;
                endedDone[k] = share(epoch, done, total);
            }
        }
        if (!first && now - drawn < REDRAW_NANOS && done < total) {
            return;
        }
        drawn = now;
        double runDone = share(epoch, done, total);
        if (first) {
            firstDrawn = now;
            firstDone = runDone;
        }
        // from the end of epoch 2^k, the last such at most half the epochs done (else the first epoch's end)
        double epochsDone = runDone * (epochs - firstEpoch + 1);
        int k = 0;
        while (k + 1 < endedAt.length && !Double.isNaN(endedDone[k + 1]) && 2L << k + 1 <= epochsDone) {
            k++;
        }
        long from = firstDrawn;
        double fromDone = firstDone;
        if (runDone > endedDone[k]) {
            from = endedAt[k];
            fromDone = endedDone[k];
        }
        String eta = runDone >= 1 ? duration(0)
                : runDone > fromDone ? duration((now - from) / 1e9 * (1 - runDone) / (runDone - fromDone)) : "?";
        draw(line(String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs), done, total,
                String.format(Locale.ROOT, "%d/%d steps | run %3.0f%%, %s left", done, total, 100 * runDone, eta), columns.getAsInt() - 1));
    }

    /** The run's share done at {@code done} of epoch {@code epoch}'s {@code total} steps, its evaluation counted in. */
    private double share(int epoch, int done, int total) {
        double epochDone = done < total ? (1 - evaluation) * done / total : 1;
        return (epoch - firstEpoch + epochDone) / (epochs - firstEpoch + 1);
    }

    /** Draws {@code line} over the one before, blanking the rest of that as far as the terminal is wide now. */
    private void draw(String line) {
        int room = columns.getAsInt() - 1;
        out.print("\r" + line + " ".repeat(Math.max(0, Math.min(width, room) - line.length())));
        out.flush();
        width = line.length();
    }

    /** {@code line}, cut to {@code room} characters. */
    private static String clip(String line, int room) {
        return line.length() <= room ? line : line.substring(0, Math.max(0, room));
    }

    /**
     * {@code head [bar] tail}, the bar {@code done / total} full, in at most {@code room} characters: a bar of {@code BAR},
     * or as wide as fits, or none, or the line cut.
     */
    static String line(String head, int done, int total, String tail, int room) {
        int bar = Math.min(BAR, room - head.length() - tail.length() - 4);
        if (bar < MIN_BAR) {
            return clip(head + " " + tail, room);
        }
        int filled = (int) ((long) bar * done / total);
        return head + " [" + "=".repeat(filled) + " ".repeat(bar - filled) + "] " + tail;
    }

    void clear() {
        if (width > 0) {
            out.print("\r" + " ".repeat(width) + "\r");
            out.flush();
            width = 0;
        }
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
