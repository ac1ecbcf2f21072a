package org.mlp4j.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.mlp4j.backend.Backend;
import org.mlp4j.util.Build;

/**
 * The ways of whole steps that faulted a device, remembered for the runs after. A kernel that a GPU runs into a
 * fault (an illegal address, a failed launch) leaves the process's context unusable, so the run that met it can
 * only stop; each later run of this build on that device leaves the way out instead of stopping the same way. A
 * line a fault, tab-separated: the build, the device ({@link Backend#device}), the way's kind ({@link #kind}), the
 * date and the driver's error. Deleting a line has the next run try that way again; a build of other code tries
 * every way again.
 */
final class DeviceFaults {
    private final Path file;

    DeviceFaults(Path file) {
        this.file = file;
    }

    /**
     * This user's: the file {@code -Dmlp4j.faults} names, else {@code mlp4j/faults.tsv} in {@code $XDG_CACHE_HOME},
     * else in {@code ~/.cache}.
     */
    static DeviceFaults ofUser() {
        String named = System.getProperty("mlp4j.faults");
        if (named != null) {
            return new DeviceFaults(Path.of(named));
        }
        String cache = System.getenv("XDG_CACHE_HOME");
        Path dir = cache != null && !cache.isEmpty() ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache");
        return new DeviceFaults(dir.resolve("mlp4j").resolve("faults.tsv"));
    }

    Path file() {
        return file;
    }

    /**
     * What a way of steps is, the same for every network and grid it runs: its description with every number
     * left out (a kernel that faults on one shape is not trusted on the next).
     */
    static String kind(Backend.Steps way) {
        return way.toString().replaceAll("[0-9]+", "N");
    }

    /** The fault of {@code kind} on {@code device} this build remembers, as "DATE: ERROR", or null where there is none. */
    String remembered(String device, String kind) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;  // none remembered, or none that can be read: every way is tried
        }
        String key = key(device, kind);
        for (String line : lines) {
            if (line.startsWith(key)) {
                String[] rest = line.substring(key.length()).split("\t", 2);
                return rest[0] + ": " + (rest.length > 1 ? rest[1] : "");
            }
        }
        return null;
    }

    /** Remembers a fault of {@code kind} on {@code device}: says where, or why it could not. */
    String remember(String device, String kind, String error) {
        String line = key(device, kind) + LocalDate.now(ZoneOffset.UTC) + "\t" + field(error) + "\n";
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            // one short append a fault: runs at once on the machine may each add theirs
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return "later runs on this device leave it out (remembered in " + file + ")";
        } catch (IOException e) {
            return "it could not be remembered for later runs (" + file + ": " + e + ")";
        }
    }

    private static String key(String device, String kind) {
        return field(Build.describe()) + "\t" + field(device) + "\t" + field(kind) + "\t";
    }

    private static String field(String text) {
        return text.replaceAll("[\t\r\n]+", " ").strip();
    }
}
