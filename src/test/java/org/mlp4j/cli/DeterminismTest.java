package org.mlp4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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

    /**
     * On the scalar loops, the same bytes whether the JIT has FMA or not (where it has none, the cpu backend takes
     * the scalar loops and rounds fma itself); on the Vector API kernels, whatever the vector width (a run held to
     * 128-bit vectors, as ARM's NEON has, against this machine's): the machines a user may have, as options of
     * HotSpot on this one.
     */
    @Test
    void sameBytesOnNarrowVectorsAndWithoutFma() throws Exception {
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(), "the Vector API kernels");
        ChildJvm.assumeHotSpot();
        Path data = TestData.mnistHead(dir.resolve("data"), 3000, 500);
        String[] train = {"train", "--device", "cpu", "--data", data.toString(), "--no-verify", "--epochs", "2", "--hidden", "40,20",
            "--valid", "500", "--out"};
        ChildJvm.Result scalar = ChildJvm.run(ChildJvm.withoutVectorApi(System.getProperty("java.class.path"), "org.mlp4j.cli.Main",
                withOut(train, "scalar")));
        assertEquals(0, scalar.code(), scalar.out());
        // first what the cpu backend takes there: the Vector API's fma alone would be thousands of times slower
        ChildJvm.Result devices = ChildJvm.mlp4j(List.of("-XX:-UseFMA"), "devices");
        assertTrue(devices.out().contains("scalar loops (this JVM has no FMA"), devices.out());
        run(List.of("-XX:-UseFMA"), train, "no-fma");
        assertSameRun("scalar", "no-fma");

        ChildJvm.Result wide = run(List.of(), train, "wide");
        assumeTrue(wide.out().contains("Vector API kernels"), "the cpu backend takes its scalar loops on this JVM");
        ChildJvm.Result narrow = run(List.of("-XX:MaxVectorSize=16"), train, "narrow");
        assertTrue(narrow.out().contains("Vector API kernels, 128-bit"), narrow.out());
        assertSameRun("wide", "narrow");
    }

    /**
     * On OpenCL, whose device times its candidates at the start of a run (which of two that take about as long wins
     * can change from run to run, and with it the last bits), the network's second run takes the choices its first
     * kept in the user's cache, untimed, and ends in the first run's bytes.
     */
    @Test
    void aGpuRunTakesTheChoicesTheNetworksFirstRunKeptAndEndsInItsBytes() throws Exception {
        org.mlp4j.backend.BackendContractTest.open("opencl").close();
        Path data = TestData.mnistHead(dir.resolve("data"), 3000, 500);
        String[] train = {"train", "--device", "opencl", "--strict", "--verbose", "--data", data.toString(), "--no-verify", "--epochs", "1",
            "--hidden", "40,20", "--valid", "500", "--out"};
        List<String> outputs = new java.util.ArrayList<>();
        for (String name : List.of("first", "second")) {
            ProcessBuilder child = ChildJvm.command("org.mlp4j.cli.Main", withOut(train, name));
            child.environment().put("XDG_CACHE_HOME", dir.resolve("cache").toString());
            ChildJvm.Result r = ChildJvm.run(child);
            assertEquals(0, r.code(), r.out());
            outputs.add(r.out());
        }
        assertTrue(!outputs.get(0).contains("the steps' choices:") && outputs.get(0).matches("(?s).*\\d us \\(within .*"), "timed: " + outputs.get(0));
        assertTrue(outputs.get(1).contains("the steps' choices: as this device's run of ") && !outputs.get(1).matches("(?s).*\\d us \\(within .*"),
                "taken untimed: " + outputs.get(1));
        assertSameRun("first", "second");
    }

    /** Runs {@code train} into the directory {@code name} in a JVM with those options; the run must succeed. */
    private ChildJvm.Result run(List<String> jvmOptions, String[] train, String name) throws Exception {
        ChildJvm.Result r = ChildJvm.mlp4j(jvmOptions, withOut(train, name));
        assertEquals(0, r.code(), r.out());
        return r;
    }

    private String[] withOut(String[] train, String name) {
        String[] args = java.util.Arrays.copyOf(train, train.length + 1);
        args[train.length] = dir.resolve(name).toString();
        return args;
    }

    private void assertSameRun(String a, String b) throws Exception {
        assertEquals(RunControlTest.results(dir.resolve(a).resolve("history.csv")), RunControlTest.results(dir.resolve(b).resolve("history.csv")),
                b + "'s history against " + a + "'s");
        assertArrayEquals(Files.readAllBytes(dir.resolve(a).resolve("model.npz")), Files.readAllBytes(dir.resolve(b).resolve("model.npz")),
                b + "'s model.npz against " + a + "'s");
    }
}
