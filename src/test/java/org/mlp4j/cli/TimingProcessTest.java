package org.mlp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlp4j.ChildJvm;
import org.mlp4j.TestData;

/**
 * A timing command of bench is started once for all the shapes it times; one that cannot start says why for every
 * shape without being started again; one that ends on a shape is started again for the next.
 */
class TimingProcessTest {
    @TempDir
    Path dir;

    /** A POSIX shell stand-in for a timing command: logs its start and each request to log, then runs {@code body} per request line. */
    private TimingProcess standIn(String beforeReady, String body) throws Exception {
        Path script = dir.resolve("command.sh");
        Files.writeString(script, String.join("\n",
                "log=" + dir.resolve("log"),
                "echo start >> \"$log\"",
                beforeReady,
                "echo 'a library notice'",
                "echo '{\"ready\": true}'",
                "n=0",
                "while IFS= read -r line; do",
                "  echo \"$line\" >> \"$log\"",
                "  n=$((n + 1))",
                body,
                "done",
                "echo end >> \"$log\"", ""));
        return new TimingProcess(List.of("sh", script.toString()), Map.of("STAND_IN", "1"));
    }

    private List<String> log() throws Exception {
        return Files.readAllLines(dir.resolve("log"));
    }

    @Test
    void oneCommandTimesEveryShapeItIsAskedAndEndsWhenClosed() throws Exception {
        List<Timing> times = new ArrayList<>();
        try (TimingProcess p = standIn("", "  echo \"{\\\"seconds_per_epoch\\\": $n.5, \\\"first_epoch\\\": 9, \\\"detail\\\": \\\"$STAND_IN\\\"}\"")) {
            times.add(p.time("100", 100));
            times.add(p.time("512,512", 250));
            times.add(p.time("2048", 500));
        }
        assertEquals(List.of(new Timing(1.5, 9, "1", null, null), new Timing(2.5, 9, "1", null, null), new Timing(3.5, 9, "1", null, null)), times,
                "each answer in turn, from a command given the environment asked for");
        assertEquals(List.of("start", "{\"hidden\":\"100\",\"batch\":100}", "{\"hidden\":\"512,512\",\"batch\":250}",
                "{\"hidden\":\"2048\",\"batch\":500}", "end"), log(), "started once; ended, and waited for, when closed");
    }

    @Test
    void aCommandThatEndsBeforeItIsReadyIsNotStartedAgain() throws Exception {
        try (TimingProcess p = standIn("echo 'mlp4j: no CUDA driver here' >&2; exit 2", "")) {
            for (int i = 0; i < 3; i++) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.time("100", 100));
                assertEquals("no CUDA driver here", e.getMessage());
            }
            assertEquals("no CUDA driver here", p.cannotStart());
        }
        assertEquals(List.of("start"), log());
        // a script written for the protocol before (a timing, then exit) is not asked again
        try (TimingProcess old = new TimingProcess(List.of("sh", "-c", "echo '{\"seconds_per_epoch\": 1}'; sleep 600"), Map.of())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> old.time("100", 100));
            assertEquals("it does not answer as bench asks (a script of an older mlp4j?): its first line is {\"seconds_per_epoch\": 1}", e.getMessage());
            assertEquals(-1, old.pid(), "and it is stopped");
        }
        try (TimingProcess none = new TimingProcess(List.of(dir.resolve("absent").toString()), Map.of())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> none.time("100", 100));
            assertTrue(e.getMessage().startsWith("cannot run " + dir.resolve("absent")), e.getMessage());
        }
    }

    @Test
    void aShapeThatFailsLeavesTheNextToTheSameOrAFreshCommand() throws Exception {
        String body = String.join("\n",
                "  case \"$line\" in",
                "    *'\"batch\":13'*) echo 'mlp4j: internal error: java.lang.IllegalStateException: boom' >&2; exit 1;;",
                "    *'\"batch\":7'*) echo '{\"error\": \"device memory: too small for this shape\"}';;",
                "    *) echo '{\"seconds_per_epoch\": 0.25, \"first_epoch\": 1}';;",
                "  esac");
        try (TimingProcess p = standIn("", body)) {
            assertEquals(0.25, p.time("100", 100).secondsPerEpoch());
            IllegalArgumentException answered = assertThrows(IllegalArgumentException.class, () -> p.time("4096", 7));
            assertEquals("device memory: too small for this shape", answered.getMessage());
            assertEquals(0.25, p.time("100", 250).secondsPerEpoch(), "the same command goes on after an error it answered");
            IllegalArgumentException ended = assertThrows(IllegalArgumentException.class, () -> p.time("100", 13));
            assertEquals("internal error: java.lang.IllegalStateException: boom", ended.getMessage(), "its last line on stderr");
            assertNull(p.cannotStart());
            assertEquals(0.25, p.time("100", 500).secondsPerEpoch(), "a fresh command for the next shape");
        }
        assertEquals(List.of("start", "{\"hidden\":\"100\",\"batch\":100}", "{\"hidden\":\"4096\",\"batch\":7}", "{\"hidden\":\"100\",\"batch\":250}",
                "{\"hidden\":\"100\",\"batch\":13}", "start", "{\"hidden\":\"100\",\"batch\":500}", "end"), log());
    }

    /**
     * bench-backend, the backends' timing command: one JVM times several shapes on backends it opens for each, and
     * answers a shape it cannot time with the reason, then goes on.
     */
    @Test
    void oneBackendJvmTimesSeveralShapes() throws Exception {
        TestData.train();
        List<String> cmd = new ArrayList<>(ChildJvm.command(Main.class.getName()).command());
        cmd.addAll(List.of("bench-backend", "--device", "cpu", "--threads", "1", "--epochs", "2", "--data", TestData.dir().toString()));
        try (TimingProcess p = new TimingProcess(cmd, Map.of())) {
            Timing small = p.time("8", 1000);
            long jvm = p.pid();
            assertTrue(small.secondsPerEpoch() > 0 && small.firstEpoch() > 0, small.toString());
            assertTrue(small.detail().startsWith("cpu: 1 thread"), small.detail());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.time("8", 60000));
            assertEquals("a batch of 60000 is larger than the 55000 training examples", e.getMessage());
            assertTrue(p.time("4,4", 2000).secondsPerEpoch() > 0);
            assertEquals(jvm, p.pid(), "one JVM for all three");
        }
    }
}
