package org.mlp4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** External tools the tests run (nvcc, ptxas, g++, clang, readelf, a built program). */
public final class Commands {
    private Commands() {
    }

    /** Runs {@code cmd} to its end and returns its output (stderr within); fails the test, with the output, on a non-zero exit. */
    public static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
        return out;
    }
}
