package org.mlp4j.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * The line that shows where training is on a terminal: the epoch's steps as a bar, and the whole run's
 * share with the time left. Redrawn in place with a carriage return, at most every 100 ms, and wiped
 * before each epoch's line is printed. Plain text, no terminal library, so it never takes the terminal's
 * signals (Ctrl-C) from the JVM.
 */
final class ProgressLine {
    private static final int BAR = 30;
    private static final long REDRAW_NANOS = 100_000_000;

    private final PrintWriter out;
    private final int firstEpoch;
    private final int epochs;
    private final long started = System.nanoTime();
    private long drawn;
    private int width;

    ProgressLine(PrintWriter out, int firstEpoch, int epochs) {
        this.out = out;
        this.firstEpoch = firstEpoch;
        this.epochs = epochs;
    }

    void show(int epoch, int done, int total) {
        long now = System.nanoTime();
        if (now - drawn < REDRAW_NANOS && done < total) {
            return;
        }
        drawn = now;
        int filled = (int) ((long) BAR * done / total);
        double runDone = (epoch - firstEpoch + (double) done / total) / (epochs - firstEpoch + 1);
        String eta = runDone > 0 ? duration((now - started) / 1e9 * (1 - runDone) / runDone) : "?";
        String line = String.format(Locale.ROOT, "epoch %d/%d [%s%s] %d/%d steps | run %3.0f%%, %s left", epoch, epochs,
                "=".repeat(filled), " ".repeat(BAR - filled), done, total, 100 * runDone, eta);
        out.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
        out.flush();
        width = line.length();
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
