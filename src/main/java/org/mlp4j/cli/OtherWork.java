package org.mlp4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Locale;

/**
 * How busy work other than a benchmark kept the processors it may run on while it timed: a time taken beside
 * other work is slower than the machine's own, and its ratios less sure, so the report says how much there was.
 * From Linux's counters: the processors' busy time (with the time a hypervisor gave to other machines, where it
 * says so) less the time of this process and of the children it waited for (the timed JVMs and references).
 * Elsewhere, nothing.
 */
final class OtherWork {
    /** The counters at one moment, in the kernel's clock ticks. */
    record Snapshot(long busy, long total, long own, int processors) {
    }

    private OtherWork() {
    }

    /** The counters now, or null where they cannot be read. */
    static Snapshot now() {
        try {
            return of(Files.readString(Path.of("/proc/stat")), Files.readString(Path.of("/proc/self/stat")),
                    Files.readString(Path.of("/proc/self/status")));
        } catch (IOException | RuntimeException e) {
            return null;  // not Linux, not readable, or in a form not known here: the report goes without it
        }
    }

    /**
     * The counters from the texts of /proc/stat, /proc/self/stat and /proc/self/status: the processors summed are
     * those this process may run on (its Cpus_allowed_list).
     */
    static Snapshot of(String stat, String selfStat, String status) {
        BitSet allowed = allowed(status);
        long busy = 0, total = 0;
        int processors = 0;
        for (String line : stat.lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (!f[0].matches("cpu\\d+") || allowed != null && !allowed.get(Integer.parseInt(f[0].substring(3)))) {
                continue;
            }
            // user nice system idle iowait irq softirq steal: idle and iowait are the idle ones (guest time is in user)
            long[] t = new long[8];
            for (int i = 0; i < 8 && i + 1 < f.length; i++) {
                t[i] = Long.parseLong(f[i + 1]);
            }
            busy += t[0] + t[1] + t[2] + t[5] + t[6] + t[7];
            total += t[0] + t[1] + t[2] + t[3] + t[4] + t[5] + t[6] + t[7];
            processors++;
        }
        if (processors == 0) {
            throw new IllegalArgumentException("no processor counted in /proc/stat");
        }
        // the fields after the command's name, which may hold spaces: utime, stime, cutime and cstime are its 12th to 15th
        String[] f = selfStat.substring(selfStat.lastIndexOf(')') + 2).trim().split("\\s+");
        long own = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        return new Snapshot(busy, total, own, processors);
    }

    /** The processors of a Cpus_allowed_list such as "0-3,8,10-11"; null (every one) where there is none. */
    private static BitSet allowed(String status) {
        String list = status.lines().filter(l -> l.startsWith("Cpus_allowed_list:")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                .findFirst().orElse("");
        if (list.isEmpty()) {
            return null;
        }
        BitSet set = new BitSet();
        for (String range : list.split(",")) {
            String[] ends = range.trim().split("-");
            set.set(Integer.parseInt(ends[0]), Integer.parseInt(ends[ends.length - 1]) + 1);
        }
        return set;
    }

    /** The processors other work kept busy on average between the two snapshots (0 where nothing else ran). */
    static double processors(Snapshot before, Snapshot after) {
        long total = after.total() - before.total();
        if (total <= 0) {
            return 0;
        }
        long others = (after.busy() - before.busy()) - (after.own() - before.own());
        return Math.max(0, (double) others / total * after.processors());
    }

    /** {@link #processors}, or null where either snapshot is missing. */
    static Double processorsIfKnown(Snapshot before, Snapshot after) {
        return before == null || after == null ? null : processors(before, after);
    }

    /** Prints the report's line, where both snapshots are there. */
    static void print(PrintWriter out, Snapshot before, Snapshot after) {
        String line = line(before, after);
        if (line != null) {
            out.println(line);
        }
    }

    /** The report's line, or null where either snapshot is missing. */
    static String line(Snapshot before, Snapshot after) {
        if (before == null || after == null) {
            return null;
        }
        return String.format(Locale.ROOT, "other work: %.2f of the %d processors busy on average while timing, besides bench and the"
                + " processes it timed (near 0 on a machine at rest; the more, the slower the times and the less sure the ratios)",
                processors(before, after), after.processors());
    }
}
