package org.mlp4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** External tools the tests run (nvcc, ptxas, g++, clang, readelf, a built program). */
public final class Commands {
    private Commands() {
    }

    /** Whether {@code cmd} starts and exits 0 (its output discarded): for a test to skip where a tool is missing. */
    public static boolean succeeds(String... cmd) throws InterruptedException {
        try {
            return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs {@code cmd} to its end and returns its output (stderr within); fails the test, with the output, on a non-zero exit. */
    public static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
        return out;
    }
}
