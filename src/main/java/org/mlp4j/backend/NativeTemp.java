package org.mlp4j.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Whether the JVM's temporary directory can hold a native library. JCuda loads its libraries from copies it writes
 * there (LWJGL tries it first), so a directory that is read-only, cannot be made, or is mounted noexec (as hardened
 * servers and many clusters mount /tmp) leaves a GPU backend unusable: this names the cause and the way round it,
 * where the loaders print pages of stack traces.
 */
public final class NativeTemp {
    private NativeTemp() {
    }

    /** Why {@code java.io.tmpdir} cannot hold a native library, and what to do; null where nothing is seen wrong. */
    public static String problem() {
        List<String> mounts;
        try {
            mounts = Files.readAllLines(Path.of("/proc/self/mountinfo"));
        } catch (IOException | RuntimeException e) {
            mounts = List.of();  // not Linux: only the directory itself is checked
        }
        return problem(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath(), mounts);
    }

    /** {@link #problem()} for this directory and these lines of {@code /proc/self/mountinfo}. */
    static String problem(Path dir, List<String> mountinfo) {
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        String why;
        if (existing != dir && (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing))) {
            why = "does not exist and cannot be made";
        } else if (!Files.isDirectory(existing)) {
            why = "is not a directory";
        } else if (!Files.isWritable(existing)) {
            why = "is not writable";
        } else if (noexec(real(existing), mountinfo)) {
            why = "is on a file system mounted noexec, from which no library loads";
        } else {
            return null;
        }
        return "the temporary directory " + dir + " (java.io.tmpdir) " + why + "; point java.io.tmpdir at a directory where programs"
                + " may be written and run (./mlp4j: MLP4J_JAVA_OPTS=-Djava.io.tmpdir=DIR; java: -Djava.io.tmpdir=DIR)";
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p;
        }
    }

    /** Whether the mount holding {@code dir} (the last listed of the longest mount points above it) is noexec. */
    static boolean noexec(Path dir, List<String> mountinfo) {
        Path best = null;
        boolean noexec = false;
        for (String line : mountinfo) {
            String[] f = line.split(" ");
            if (f.length < 6) {
                continue;
            }
            Path point = Path.of(unescape(f[4]));
            if (dir.startsWith(point) && (best == null || point.getNameCount() >= best.getNameCount())) {
                best = point;
                noexec = List.of(f[5].split(",")).contains("noexec");
            }
        }
        return noexec;
    }

    /** A mount point as mountinfo writes it: space, tab, newline and backslash as octal escapes (\040 ...). */
    private static String unescape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
