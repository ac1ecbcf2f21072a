package org.mlp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlp4j.TestData;

/** The CLI as a new user meets it: usage, suggestions, the devices list, the evaluation's report, the plot's axis. */
class UsageTest {
    @TempDir
    Path dir;

    @Test
    void noCommandPrintsTheUsage() {
        BadInputTest.Result r = BadInputTest.run();
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("Usage: mlp4j") && r.err().contains("train") && r.err().contains("evaluate"), r.err());
    }

    @Test
    void aMistypedOptionOrCommandGetsASuggestionOnTheSameLine() {
        BadInputTest.Result option = BadInputTest.run("train", "--epoch", "3");
        assertEquals(2, option.code());
        assertEquals(List.of("mlp4j: Unknown options: '--epoch', '3'; did you mean --epochs?"), option.err().lines().toList());
        BadInputTest.Result command = BadInputTest.run("trian");
        assertTrue(command.err().strip().endsWith("did you mean train?"), command.err());
    }

    @Test
    void devicesNamesEachDeviceOnce() {
        BadInputTest.Result r = BadInputTest.run("devices");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        for (String backend : List.of("cuda", "opencl", "cpu")) {
            assertTrue(lines.contains(backend), "a section per backend, named plainly: " + r.out());
        }
        List<String> devices = lines.stream().filter(l -> l.startsWith("  [")).map(l -> l.substring(l.indexOf(']') + 2, l.indexOf(" ("))).toList();
        for (String d : devices) {
            assertEquals(1, lines.stream().filter(l -> l.contains(d)).count(), d + " listed more than once: " + r.out());
        }
    }

    @Test
    void evaluateReportsPrecisionRecallAndF1PerClass() {
        Path data = TestData.small(dir.resolve("data"));
        Path out = dir.resolve("run");
        assertEquals(0, BadInputTest.run("train", "--device", "cpu", "--data", data.toString(), "--no-verify", "--out", out.toString(),
                "--epochs", "1", "--valid", "50", "--batch", "10", "--hidden", "8").code());
        BadInputTest.Result r = BadInputTest.run("evaluate", "--device", "cpu", "--model", out.resolve("model.npz").toString(),
                "--data", data.toString(), "--no-verify");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        int head = lines.indexOf(String.format("%6s %10s %10s %10s %8s", "class", "precision", "recall", "f1", "support"));
        assertTrue(head > 0, r.out());
        // 3 classes, then the macro averages over the 50 test images
        assertTrue(lines.get(head + 1).matches(" +0( +[01]\\.\\d{4}){3} +\\d+"), lines.get(head + 1));
        assertTrue(lines.get(head + 4).startsWith(" macro") && lines.get(head + 4).endsWith(" 50"), lines.get(head + 4));
    }

    @Test
    void theEpochAxisEndsOnARoundNumber() {
        assertEquals(1, Charts.roundUp(1));
        assertEquals(20, Charts.roundUp(16));
        assertEquals(50, Charts.roundUp(37));
        assertEquals(200, Charts.roundUp(200));
        assertEquals(500, Charts.roundUp(201));
    }
}
