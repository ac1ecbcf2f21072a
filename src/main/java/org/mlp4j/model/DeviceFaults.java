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
 * every way again. A kernel may also never end (a GPU has no time limit for it), and a run may be killed while it
 * checks a way: while a process checks one, a file beside names it ({@link #checking}), and a later run that finds
 * such a file of a process that is gone remembers that way as a fault.
 */
final class DeviceFaults {
    private final Path file;

    DeviceFaults(Path file) {
        this.file = file;
    }

    /** This user's: {@code mlp4j/faults.tsv} in {@code $XDG_CACHE_HOME}, else in {@code ~/.cache}. */
    static DeviceFaults ofUser() {
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

    /**
     * The faults on {@code device} this build remembers, each as "DATE: ERROR" by the way's {@link #kind} (the first
     * line of a kind where there are several); read once for all of a run's ways.
     */
    java.util.Map<String, String> remembered(String device) {
        endedChecks();
        java.util.Map<String, String> faults = new java.util.HashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return faults;  // none remembered, or none that can be read: every way is tried
        }
        String prefix = onDevice(device);
        for (String line : lines) {
            String[] rest = line.startsWith(prefix) ? line.substring(prefix.length()).split("\t", 3) : new String[0];
            if (rest.length > 1) {
                faults.putIfAbsent(rest[0], rest[1] + ": " + (rest.length > 2 ? rest[2] : ""));
            }
        }
        return faults;
    }

    /** Remembers a fault of {@code kind} on {@code device}: says where, or why it could not. */
    String remember(String device, String kind, String error) {
        try {
            append(key(device, kind), error);
            return "later runs on this device leave it out (remembered in " + file + ")";
        } catch (IOException e) {
            return "it could not be remembered for later runs (" + file + ": " + e + ")";
        }
    }

    /** Adds the line of a fault: {@code key} ({@link #key}), today's date and {@code error}. */
    private void append(String key, String error) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        // one short append a fault: runs at once on the machine may each add theirs
        Files.writeString(file, key + LocalDate.now(ZoneOffset.UTC) + "\t" + field(error) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /**
     * Names {@code kind} on {@code device} as checked by this process until the result is closed, in a file of its own
     * beside {@link #file} (none where it cannot be written: a run that then ends mid-check is not remembered).
     */
    Check checking(String device, String kind) {
        ProcessHandle self = ProcessHandle.current();
        Path marker = file.resolveSibling(CHECKING + self.pid() + ".tsv");
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(marker, started(self) + "\n" + key(device, kind) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Check.NONE;
        }
        return () -> {
            try {
                Files.deleteIfExists(marker);
            } catch (IOException e) {
                // left behind: a later run takes it for a check that never ended, once this process is gone
            }
        };
    }

    /** A check of a way in progress ({@link #checking}), until closed. */
    interface Check extends AutoCloseable {
        Check NONE = () -> { };

        @Override
        void close();
    }

    private static final String CHECKING = "checking-";

    /** When {@code p} started, as far as the system says: with its number, what tells it from a later process of that number. */
    private static String started(ProcessHandle p) {
        return p.info().startInstant().map(Object::toString).orElse("");
    }

    /** Remembers as a fault the way each check names whose process is gone ({@link #checking}), and drops the check's file. */
    private void endedChecks() {
        Path dir = file.toAbsolutePath().getParent();
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            for (Path marker : files.filter(f -> f.getFileName().toString().matches(CHECKING + "[0-9]+\\.tsv")).toList()) {
                String name = marker.getFileName().toString();
                long pid = Long.parseLong(name.substring(CHECKING.length(), name.length() - 4));
                List<String> lines = Files.readAllLines(marker, StandardCharsets.UTF_8);
                boolean running = ProcessHandle.of(pid).filter(p -> lines.size() > 0 && started(p).equals(lines.get(0))).isPresent();
                if (!running && lines.size() > 1) {
                    append(lines.get(1), "the run that checked it ended before the check did (killed, or the kernel never ended)");
                }
                if (!running) {
                    Files.deleteIfExists(marker);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no directory yet, or files another run is changing: those checks are judged by the next run
        }
    }

    /** A line's fields up to the way's kind, each followed by a tab. */
    private static String key(String device, String kind) {
        return onDevice(device) + field(kind) + "\t";
    }

    /** A line's first fields, this build's and the device's, each followed by a tab. */
    private static String onDevice(String device) {
        return field(Build.describe()) + "\t" + field(device) + "\t";
    }

    private static String field(String text) {
        return text.replaceAll("[\t\r\n]+", " ").strip();
    }
}
