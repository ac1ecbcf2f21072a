package org.mlp4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Assumptions;

/** A Python script that uses NumPy, for tests that check a file against NumPy: skipped where either is missing. */
public final class Numpy {
    private Numpy() {
    }

    /** What {@code python3 -c script args...} printed (UTF-8, trimmed); the test is aborted without python3 or NumPy. */
    public static String run(String script, String... args) throws IOException, InterruptedException {
        String[] command = new String[args.length + 3];
        command[0] = "python3";
        command[1] = "-c";
        command[2] = script;
        System.arraycopy(args, 0, command, 3, args.length);
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("python3 not available: " + e.getMessage());
            return null;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor();
        Assumptions.assumeFalse(out.contains("No module named 'numpy'"), "numpy not installed");
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
