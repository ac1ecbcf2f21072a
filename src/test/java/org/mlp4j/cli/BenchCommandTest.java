package org.mlp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlp4j.TestData;

/** {@code mlp4j bench}: each backend timed in a child JVM, one table, unusable devices listed with the reason. */
class BenchCommandTest {
    @TempDir
    Path dir;

    @Test
    void timesTheCpuBackendInAChildJvmAndListsTheRest() throws Exception {
        TestData.train(); // MNIST present (fetched if needed) before the child starts
        Path json = dir.resolve("bench.json");
        BadInputTest.Result r = BadInputTest.run("bench", "--device", "cpu,tpu", "--epochs", "2", "--no-references",
                "--data", TestData.dir().toString(), "--json", json.toString());
        assertEquals(0, r.code(), r.err());
        String cpu = r.out().lines().filter(l -> l.startsWith("cpu ")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        String[] cols = cpu.trim().split("\\s+");
        double seconds = Double.parseDouble(cols[1]);
        assertTrue(seconds > 0 && seconds < 60, cpu);
        assertTrue(cpu.contains("cpu: "), "the child's backend description: " + cpu);
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("tpu ") && l.contains("skipped: unknown device 'tpu'")), r.out());
        String written = Files.readString(json);
        assertTrue(written.contains("\"name\": \"cpu\", \"seconds_per_epoch\": " + String.format(java.util.Locale.ROOT, "%.6f", seconds).substring(0, 4)), written);
    }
}
