package org.mlp4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.mlp4j.util.Build;

/**
 * Where and when a benchmark ran, and on what build, for its report: a time means little without the machine, the date
 * and the build beside it (a GPU's model and driver are in its backend's row).
 */
record Machine(String date, String mlp4j, String commit, String java, String os, String cpu, int processors, Long memoryMib) {
    static Machine here() {
        return new Machine(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")),
                Build.VERSION, Build.COMMIT,
                "Java " + System.getProperty("java.runtime.version", System.getProperty("java.version")) + " (" + System.getProperty("java.vm.vendor") + ")",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                cpuModel(), Runtime.getRuntime().availableProcessors(), totalMemoryMib());
    }

    /** The table's last line. */
    String line() {
        return String.format(Locale.ROOT, "machine: %s, %d processors%s; %s; %s; mlp4j %s; %s", cpu, processors,
                memoryMib == null ? "" : String.format(Locale.ROOT, ", %.1f GiB", memoryMib / 1024.0), os, java, Build.describe(mlp4j, commit), date);
    }

    /**
     * The processor's model as Linux names it (x86's "model name", with its family and model numbers, which tell
     * generations apart where a virtual machine names only the line), else the architecture.
     */
    private static String cpuModel() {
        Map<String, String> info = fields(Path.of("/proc/cpuinfo"));
        String model = info.get("model name"), family = info.get("cpu family"), number = info.get("model");
        return model == null ? System.getProperty("os.arch")
                : family == null || number == null ? model : model + " (family " + family + ", model " + number + ")";
    }

    /** The machine's memory as Linux counts it, null elsewhere. */
    private static Long totalMemoryMib() {
        String total = fields(Path.of("/proc/meminfo")).get("MemTotal");
        return total != null && total.matches("\\d+ kB") ? Long.parseLong(total.split(" ")[0]) / 1024 : null;
    }

    /** Each name's value in the first of {@code file}'s "name: value" lines that has it; empty where there is no such file. */
    private static Map<String, String> fields(Path file) {
        Map<String, String> out = new HashMap<>();
        try {
            for (String l : Files.readAllLines(file)) {
                int colon = l.indexOf(':');
                if (colon > 0) {
                    out.putIfAbsent(l.substring(0, colon).trim(), l.substring(colon + 1).trim());
                }
            }
        } catch (IOException | SecurityException e) {
            // not Linux, or not readable: said without it
        }
        return out;
    }
}
