package org.mlp4j.util;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes through a temporary file in the same directory and renames it into place, so a file is either
 * its old or its new version. The temporary file is {@code .NAME.PID.tmp}, created with the process's
 * umask like any other file; it is removed when the write fails, when the JVM exits during the write
 * (a signal included), and, if the process was killed outright, by the next write of the same file.
 */
public final class AtomicFiles {
    private static final Pattern TEMP = Pattern.compile("\\.(.+)\\.(\\d{1,18})\\.tmp");
    private static final Set<Path> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.forEach(AtomicFiles::deleteQuietly), "mlp4j-temp-cleanup"));
    }

    private AtomicFiles() {
    }

    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    public static void write(Path file, Writer writer) {
        if (Files.isDirectory(file)) {
            throw new UserError(file + ": cannot write (a directory is there; name a file in it)");
        }
        Path dir = file.toAbsolutePath().getParent();
        String name = file.getFileName().toString();
        Path tmp = dir.resolve("." + name + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.createDirectories(dir);
            removeStale(dir, name);
            OPEN.add(tmp);
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                writer.write(out);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UserError(file + ": cannot write (" + UserError.why(e) + ")");
        } finally {
            deleteQuietly(tmp);
            OPEN.remove(tmp);
        }
    }

    /** Temporary files of {@code name} left by processes that no longer run. */
    private static void removeStale(Path dir, String name) throws IOException {
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, "." + name + ".*.tmp")) {
            for (Path p : temps) {
                Matcher m = TEMP.matcher(p.getFileName().toString());
                if (m.matches() && m.group(1).equals(name) && ProcessHandle.of(Long.parseLong(m.group(2))).isEmpty()) {
                    deleteQuietly(p);
                }
            }
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // unremovable: the next write of this file tries again
        }
    }
}
