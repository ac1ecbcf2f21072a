package org.mlp4j.backend;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.mlp4j.util.Build;

/**
 * The candidates of a device's timed choices that faulted it (a way of whole steps, a folded layer step, a GEMM's
 * tiles), remembered for the runs after. A kernel that a GPU runs into a fault (an illegal address, a failed
 * launch) leaves the process's context unusable, so the run that met it can only stop; each later run of this
 * build on that device leaves the candidate out instead of stopping the same way. A line a fault, tab-separated:
 * the build, the device ({@link Backend#device}), the candidate's kind (what it is, the same for every shape it
 * runs on: {@link #kind}), the date and the driver's error. Deleting a line has the next run try that candidate
 * again; a build of other code tries every one again. A kernel may also never end (a GPU has no time limit for it),
 * and a run may be killed while it checks a candidate: while a process checks one, a file beside names it
 * ({@link #checking}), and a later run that finds such a file of a process that is gone remembers it as a fault.
 */
public final class DeviceFaults {
    private final Path file;

    public DeviceFaults(Path file) {
        this.file = file;
    }

    /** This user's: {@code mlp4j/faults.tsv} in {@code $XDG_CACHE_HOME}, else in {@code ~/.cache}. */
    public static DeviceFaults ofUser() {
        String cache = System.getenv("XDG_CACHE_HOME");
        Path dir = cache != null && !cache.isEmpty() ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache");
        return new DeviceFaults(dir.resolve("mlp4j").resolve("faults.tsv"));
    }

    public Path file() {
        return file;
    }

    /**
     * What a way of whole steps is, the same for every network and grid it runs: its description with every number
     * left out (a kernel that faults on one shape is not trusted on the next).
     */
    public static String kind(Backend.Steps way) {
        return "whole steps, " + way.toString().replaceAll("[0-9]+", "N");
    }

    /**
     * The faults on {@code device} this build remembers, each as "DATE: ERROR" by the candidate's kind (the first
     * line of a kind where there are several); read once for all of a run's candidates.
     */
    public java.util.Map<String, String> remembered(String device) {
        java.util.Map<String, String> faults = new java.util.HashMap<>();
        for (String[] f : ofThisBuild()) {
            if (f[0].equals(field(device))) {
                faults.putIfAbsent(f[1], f[2] + ": " + f[3]);
            }
        }
        return faults;
    }

    /**
     * Each fault this build remembers, on any device, in the order they were met: "DEVICE: KIND (DATE: ERROR)"
     * (for {@code devices}, which opens no device to name it).
     */
    public List<String> describe() {
        return ofThisBuild().stream().map(f -> f[0] + ": " + f[1] + " (" + f[2] + ": " + f[3] + ")").toList();
    }

    /**
     * The fields after the build of each line of this build's (device, kind, date and error), once the checks whose
     * process is gone are remembered too; none where there is no file, or none that can be read (every candidate is tried).
     */
    private List<String[]> ofThisBuild() {
        endedChecks();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of();
        }
        String build = field(Build.describe()) + "\t";
        List<String[]> faults = new java.util.ArrayList<>();
        for (String line : lines) {
            String[] f = line.startsWith(build) ? line.substring(build.length()).split("\t", 4) : new String[0];
            if (f.length > 2) {
                faults.add(new String[] {f[0], f[1], f[2], f.length > 3 ? f[3] : ""});
            }
        }
        return faults;
    }

    /**
     * A warning for each candidate {@code remembered} ({@link #remembered}) leaves out on this device, and how to
     * have it tried again.
     */
    public java.util.List<String> leftOut(java.util.Map<String, String> remembered) {
        return remembered.entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                .map(e -> "left out on this device: " + e.getKey() + ": it faulted it in an earlier run (" + e.getValue()
                        + "); to try it again, delete its line in " + file)
                .toList();
    }

    /**
     * Runs {@code check}, the first run of a candidate of {@code kind} on {@code backend}, named as in progress until
     * it ends ({@link #checking}). Where it fails and the device then fails even a wait for its idle queue (after a
     * kernel's fault every later call fails, the context being lost, where a launch the device refused leaves it
     * working), remembers the kind and throws a {@link Fault} that says so, naming the candidate as {@code what}; a
     * refused launch's failure is thrown as it is.
     */
    public <T> T check(Backend backend, String kind, String what, java.util.function.Supplier<T> check) {
        String device = backend.device();
        try (Check checking = checking(device, kind)) {
            return check.get();
        } catch (BackendFailure e) {
            try {
                backend.synchronize();
            } catch (BackendFailure lost) {
                throw new Fault(what + " faulted the device as the run checked it (" + e.getMessage() + "); "
                        + remember(device, kind, e.getMessage()));
            }
            throw e;
        }
    }

    /** A candidate's fault of the device, which ends the run ({@link #check}). */
    public static final class Fault extends BackendFailure {
        Fault(String message) {
            super(message);
        }
    }

    /** Remembers a fault of {@code kind} on {@code device}: says where, or why it could not. */
    public String remember(String device, String kind, String error) {
        try {
            append(key(device, kind), error);
            return "later runs on this device leave it out (remembered in " + file + ")";
        } catch (IOException e) {
            return "it could not be remembered for later runs (" + file + ": " + e + ")";
        }
    }

    /** Adds the line of a fault: {@code key} ({@link #key}), today's date and {@code error}. */
    private void append(String key, String error) throws IOException {
        appendLine(file, key + LocalDate.now(ZoneOffset.UTC) + "\t" + field(error));
    }

    /**
     * Adds {@code line} to {@code file}, and its directory where there is none: one short append, so that runs at once
     * on the machine may each add theirs.
     */
    static void appendLine(Path file, String line) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
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

    /** A check of a candidate in progress ({@link #checking}), until closed. */
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

    /** Remembers as a fault the candidate each check names whose process is gone ({@link #checking}), and drops the check's file. */
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

    /**
     * A line's fields up to what it is about (the build's, the device's and {@code what}: a candidate's kind, or a network
     * for {@link DeviceChoices}), each followed by a tab.
     */
    static String key(String device, String what) {
        return field(Build.describe()) + "\t" + field(device) + "\t" + field(what) + "\t";
    }

    static String field(String text) {
        return text.replaceAll("[\t\r\n]+", " ").strip();
    }
}
