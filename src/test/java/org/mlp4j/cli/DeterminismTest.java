package org.mlp4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlp4j.ChildJvm;
import org.mlp4j.TestData;

/**
 * The guarantee in the README: the same seed on the same device gives the same history.csv (all but its
 * seconds) and the same model.npz bytes, whatever the JIT does and however many threads the cpu backend
 * has. Each run is a fresh JVM, so each compiles its kernels at its own moments.
 */
class DeterminismTest {
    @TempDir
    Path dir;

    @Test
    void sameSeedSameBytesInFreshJvmsAndWithAnyThreadCount() throws Exception {
        Path data = TestData.mnistHead(dir.resolve("data"), 3000, 500);
        String[] threads = {"2", "2", "1", "3"};
        List<String> first = null;
        byte[] model = null;
        for (int i = 0; i < threads.length; i++) {
            Path out = dir.resolve("run" + i);
            ChildJvm.Result r = ChildJvm.mlp4j("train", "--device", "cpu", "--threads", threads[i], "--data", data.toString(), "--no-verify",
                    "--out", out.toString(), "--epochs", "3", "--hidden", "40,20", "--valid", "500");
            assertEquals(0, r.code(), r.out());
            List<String> results = RunControlTest.results(out.resolve("history.csv"));
            byte[] bytes = Files.readAllBytes(out.resolve("model.npz"));
            if (first == null) {
                first = results;
                model = bytes;
            } else {
                assertEquals(first, results, "history of run " + i + " (" + threads[i] + " threads)");
                assertArrayEquals(model, bytes, "model.npz of run " + i + " (" + threads[i] + " threads)");
            }
        }
    }
}
