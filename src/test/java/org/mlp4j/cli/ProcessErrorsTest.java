package org.mlp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlp4j.ChildJvm;
import org.mlp4j.TestData;
import org.mlp4j.data.Mnist;

/** Failures only a whole process shows: output that cannot be written, and a heap that is too small. Each ends in one line on stderr. */
class ProcessErrorsTest {
    @TempDir
    Path dir;

    static List<String> lines(Path f) throws Exception {
        return Files.readAllLines(f, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank() && !l.startsWith("WARNING: Using incubator")).toList();
    }

    @Test
    void outputToAFullDeviceIsAnError() throws Exception {
        Path data = TestData.small(dir.resolve("data"));
        Path out = UsageTest.smallModel(dir).getParent();
        Path err = dir.resolve("err");
        for (String[] args : new String[][] {
                {"predict", "--device", "cpu", "--model", out.resolve("model.npz").toString(), "--images", data.resolve(Mnist.TEST_IMAGES).toString()},
                {"evaluate", "--device", "cpu", "--model", out.resolve("model.npz").toString(), "--data", data.toString(), "--no-verify"}}) {
            Process p = ChildJvm.command("org.mlp4j.cli.Main", args).redirectOutput(new File("/dev/full")).redirectError(err.toFile()).start();
            assertEquals(2, p.waitFor(), args[0] + ": " + Files.readString(err));
            assertEquals(List.of("mlp4j: cannot write to standard output; what it printed is incomplete"), lines(err), args[0]);
        }
    }

    @Test
    void runningOutOfHeapIsOneLineSayingHowToRaiseIt() throws Exception {
        TestData.train(); // MNIST present, so the child fetches nothing
        Path model = dir.resolve("model.npz");
        org.mlp4j.model.ModelFile.save(org.mlp4j.model.Network.initialize(new int[] {784, 30, 10}, new org.mlp4j.model.NumpyRandom(1)), model);
        Path err = dir.resolve("err");
        // evaluating 10,000 test images needs several times 24 MiB on the cpu backend
        Process p = ChildJvm.command(List.of("-Xmx24m"), "org.mlp4j.cli.Main", "evaluate", "--device", "cpu", "--model", model.toString(),
                "--data", TestData.dir().toString()).redirectOutput(dir.resolve("out").toFile()).redirectError(err.toFile()).start();
        assertEquals(2, p.waitFor(), Files.readString(err));
        List<String> said = lines(err);
        assertEquals(1, said.size(), said.toString());
        assertTrue(said.get(0).contains("ran out of memory") && said.get(0).contains("MLP4J_JAVA_OPTS=-Xmx"), said.get(0));

        // --debug: the stack trace first, which says where the heap ran out, then the same line
        p = ChildJvm.command(List.of("-Xmx24m"), "org.mlp4j.cli.Main", "evaluate", "--debug", "--device", "cpu", "--model", model.toString(),
                "--data", TestData.dir().toString()).redirectOutput(dir.resolve("out").toFile()).redirectError(err.toFile()).start();
        assertEquals(2, p.waitFor(), Files.readString(err));
        List<String> debug = lines(err);
        assertTrue(debug.get(0).startsWith("java.lang.OutOfMemoryError") && debug.get(1).startsWith("\tat "), debug.toString());
        assertEquals(said, debug.subList(debug.size() - 1, debug.size()));
    }
}
