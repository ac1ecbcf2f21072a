package org.mlp4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlp4j.Classifier;
import org.mlp4j.Optimizer;
import org.mlp4j.TestData;
import org.mlp4j.Training;
import org.mlp4j.model.ModelFile;
import org.mlp4j.model.Network;

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
    void theVersionNamesTheBuild() {
        BadInputTest.Result r = BadInputTest.run("--version");
        assertEquals(0, r.code(), r.err());
        String line = r.out().strip();
        assertTrue(line.matches("mlp4j 0\\.1\\.0( \\(commit [0-9a-f]{7,40}(-dirty)?\\))?"), line);
        BenchCommandTest.assertCommitOfThisCheckout(line.contains("(commit ") ? line.replaceAll(".*\\(commit (.*)\\)$", "$1") : null);
    }

    @Test
    void aMistypedOptionOrCommandGetsASuggestionOnTheSameLine() {
        BadInputTest.Result option = BadInputTest.run("train", "--epoch", "3");
        assertEquals(2, option.code());
        assertEquals(List.of("mlp4j: Unknown options: '--epoch', '3'; did you mean --epochs?"), option.err().lines().toList());
        BadInputTest.Result command = BadInputTest.run("trian");
        assertTrue(command.err().strip().endsWith("did you mean train?"), command.err());
        // names from other tools, and an option named by its last word
        for (String[] meant : new String[][] {{"--learning-rate", "--eta"}, {"--weight-decay", "--l2"}, {"--gpu", "--device gpu"},
                {"--num-epochs", "--epochs"}, {"--cuda-device", "--device"}, {"--hidden-units", "--hidden"}}) {
            BadInputTest.Result other = BadInputTest.run("train", meant[0] + "=1");
            assertEquals(2, other.code());
            assertEquals(List.of("mlp4j: Unknown option: '" + meant[0] + "=1'; did you mean " + meant[1] + "?"), other.err().lines().toList());
        }
        assertEquals(List.of("mlp4j: Unknown options: '--learning-rate', '0.1'; mlp4j evaluate --help lists its options"),
                BadInputTest.run("evaluate", "--model", "m.npz", "--learning-rate", "0.1").err().lines().toList(), "evaluate has no --eta to suggest");
    }

    @Test
    void aFileGivenWithoutItsOptionIsShownWithIt() {
        BadInputTest.Result model = BadInputTest.run("evaluate", "runs/a/model.npz");
        assertEquals(2, model.code());
        assertEquals(List.of("mlp4j: Missing required option: '--model=FILE'; did you mean --model runs/a/model.npz?"), model.err().lines().toList());
        BadInputTest.Result images = BadInputTest.run("predict", "--model", "m.npz", "a.png", "b.png");
        assertEquals(List.of("mlp4j: Missing required option: '--images=FILE'; did you mean --images a.png b.png?"), images.err().lines().toList());
        BadInputTest.Result twoModels = BadInputTest.run("evaluate", "a.npz", "b.npz");
        assertEquals(List.of("mlp4j: Missing required option: '--model=FILE'; mlp4j evaluate --help lists its options"), twoModels.err().lines().toList(),
                "--model takes one file");
        assertEquals(List.of("mlp4j: Missing required options: '--model=FILE', '--images=FILE'; mlp4j predict --help lists its options"),
                BadInputTest.run("predict").err().lines().toList());
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

    /** Trains TestData's small dataset (in {@code dir}/data) for an epoch into {@code dir}/run; returns its model. */
    static Path smallModel(Path dir) {
        Path data = dir.resolve("data");
        Path out = dir.resolve("run");
        BadInputTest.Result r = BadInputTest.run("train", "--device", "cpu", "--data", data.toString(), "--no-verify", "--out",
                out.toString(), "--epochs", "1", "--valid", "50", "--batch", "10", "--hidden", "8");
        assertEquals(0, r.code(), r.err());
        return out.resolve("model.npz");
    }

    @Test
    void evaluateReportsPrecisionRecallAndF1PerClass() {
        Path data = TestData.small(dir.resolve("data"));
        Path out = smallModel(dir).getParent();
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
    void predictProbaAndTrainInit() {
        Path data = TestData.small(dir.resolve("data"));
        String model = smallModel(dir).toString();
        String images = data.resolve(org.mlp4j.data.Mnist.TEST_IMAGES).toString();
        BadInputTest.Result labels = BadInputTest.run("predict", "--device", "cpu", "--model", model, "--images", images);
        BadInputTest.Result proba = BadInputTest.run("predict", "--device", "cpu", "--model", model, "--images", images, "--proba");
        assertEquals(0, proba.code(), proba.err());
        List<String> lines = proba.out().lines().toList();
        assertEquals(50, lines.size());
        for (String line : lines) {
            assertTrue(line.matches("[0-2]( [01]\\.\\d{6}){3}"), line);
        }
        assertEquals(labels.out().lines().toList(), lines.stream().map(l -> l.substring(0, 1)).toList(), "the same labels");

        Path warm = dir.resolve("warm");
        BadInputTest.Result r = BadInputTest.run("train", "--device", "cpu", "--data", data.toString(), "--no-verify", "--out", warm.toString(),
                "--epochs", "1", "--valid", "50", "--batch", "10", "--init", model);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("network 16-8-3,") && r.out().contains("starting from the parameters of " + model), r.out());
        BadInputTest.Result both = BadInputTest.run("train", "--device", "cpu", "--data", data.toString(), "--no-verify", "--out",
                dir.resolve("x").toString(), "--init", model, "--hidden", "5");
        assertEquals(2, both.code());
        assertTrue(both.err().contains("--hidden: the layer sizes, activation and output come from --init's model"), both.err());
        BadInputTest.Result act = BadInputTest.run("train", "--device", "cpu", "--data", data.toString(), "--no-verify", "--out",
                dir.resolve("y").toString(), "--init", model, "--activation", "relu");
        assertEquals(2, act.code());
        assertTrue(act.err().contains("--activation: the layer sizes, activation and output come from --init's model"), act.err());
    }

    /**
     * The Java API and {@code train} given the same settings train the same parameters: each setting reaches the trainer
     * by either way (Adam's decay rates and the inverse schedule's decay among them, which change the result).
     */
    @Test
    void theApiAndTrainMakeTheSameModelFromTheSameSettings() {
        Path data = TestData.small(dir.resolve("data"));
        org.mlp4j.Mnist rows = org.mlp4j.Mnist.load(data);
        Training common = Training.book().withEpochs(3).withBatch(10).withLearningRate(0.01f).withL2(0.001f).withSeed(3).withDevice("cpu");
        Training adam = common.withOptimizer(Optimizer.ADAM).withAdamBetas(0.8f, 0.99f).withInverseSchedule(0.5f).withMeanGradient(true);
        float[] w0 = sameModel(data, rows, adam, "adam", "--beta1", "0.8", "--beta2", "0.99", "--lr-schedule", "inverse", "--lr-decay", "0.5",
                "--gradient", "mean");
        for (Training other : List.of(adam.withAdamBetas(0.9f, 0.99f), adam.withAdamBetas(0.8f, 0.999f), adam.withInverseSchedule(0.25f))) {
            assertFalse(Arrays.equals(w0, fit(rows, other).weights()[0]), "the same weights after " + other);
        }
        Training nesterov = common.withOptimizer(Optimizer.NESTEROV).withMomentum(0.7f).withStepSchedule(2, 0.5f);
        w0 = sameModel(data, rows, nesterov, "nesterov", "--momentum", "0.7", "--lr-schedule", "step", "--lr-step", "2", "--lr-gamma", "0.5");
        for (Training other : List.of(nesterov.withMomentum(0.9f), nesterov.withStepSchedule(1, 0.5f), nesterov.withStepSchedule(2, 0.1f))) {
            assertFalse(Arrays.equals(w0, fit(rows, other).weights()[0]), "the same weights after " + other);
        }
    }

    /**
     * Trains with {@code train}, as {@code training} says with {@code optimizer} and {@code flags} besides, then with the
     * API; asserts the two models' parameters are the same bits and returns the first weights.
     */
    private float[] sameModel(Path data, org.mlp4j.Mnist rows, Training training, String optimizer, String... flags) {
        Path out = dir.resolve("run-" + optimizer);
        List<String> args = new java.util.ArrayList<>(List.of("train", "--device", "cpu", "--data", data.toString(), "--no-verify", "--out",
                out.toString(), "--epochs", "3", "--valid", "50", "--batch", "10", "--hidden", "8", "--eta", "0.01", "--l2", "0.001",
                "--seed", "3", "--optimizer", optimizer));
        args.addAll(List.of(flags));
        BadInputTest.Result r = BadInputTest.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        Network trained = ModelFile.load(out.resolve(ModelFile.NAME)), api = fit(rows, training);
        for (int l = 0; l < 2; l++) {
            assertArrayEquals(trained.weights()[l], api.weights()[l], optimizer + ": w" + l);
            assertArrayEquals(trained.biases()[l], api.biases()[l], optimizer + ": b" + l);
        }
        return trained.weights()[0];
    }

    /** A 16-8-3 network of seed 3 fit on the small dataset's 250 + 50 training rows, as saved. */
    private Network fit(org.mlp4j.Mnist rows, Training training) {
        Classifier c = Classifier.create(3, 16, 8, 3);
        c.fit(Arrays.copyOf(rows.trainImages(), 250), Arrays.copyOf(rows.trainLabels(), 250), Arrays.copyOfRange(rows.trainImages(), 250, 300),
                Arrays.copyOfRange(rows.trainLabels(), 250, 300), training);
        Path file = dir.resolve("api.npz");
        c.save(file);
        return ModelFile.load(file);
    }

    /** A consumer that leaves JCuda and LWJGL out (the README's exclusions): the GPU backends say why, the CPU trains. */
    @Test
    void withoutTheGpuLibrariesTheCpuBackendStillRuns() throws Exception {
        String cpuOnly = String.join(java.io.File.pathSeparator, Arrays.stream(System.getProperty("java.class.path")
                .split(java.io.File.pathSeparator)).filter(e -> !e.contains("jcuda") && !e.contains("lwjgl")).toList());
        assertTrue(cpuOnly.length() < System.getProperty("java.class.path").length(), "the GPU libraries were on the class path");
        Path data = TestData.small(dir.resolve("data"));
        Path log = dir.resolve("log");
        Process p = org.mlp4j.ChildJvm.commandOn(cpuOnly, List.of(), "org.mlp4j.cli.Main", "devices").redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        assertEquals(0, p.waitFor(), Files.readString(log));
        String devices = Files.readString(log);
        assertTrue(devices.contains("cuda\n  unusable: ") && devices.contains("opencl\n  unusable: LWJGL (org.lwjgl:lwjgl, lwjgl-opencl) is not on the class path")
                && devices.contains("cpu\n  usable: "), devices);
        p = org.mlp4j.ChildJvm.commandOn(cpuOnly, List.of(), "org.mlp4j.cli.Main", "train", "--device", "gpu", "--data", data.toString(),
                "--no-verify", "--out", dir.resolve("run").toString(), "--epochs", "1", "--valid", "50", "--batch", "10", "--hidden", "8")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertEquals(0, p.waitFor(), Files.readString(log));
        String train = Files.readString(log);
        assertTrue(train.contains("falling back to the cpu backend") && train.contains("device: cpu"), train);
    }

    @Test
    void withoutValidationExamplesTheEpochLineShowsADash() throws Exception {
        Path data = TestData.small(dir.resolve("data"));
        Path out = dir.resolve("run");
        BadInputTest.Result r = BadInputTest.run("train", "--device", "cpu", "--data", data.toString(), "--no-verify", "--out",
                out.toString(), "--epochs", "1", "--valid", "0", "--batch", "10", "--hidden", "8");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("epoch 1/1 \\| cost +\\d+\\.\\d\\d \\| train +\\d+\\.\\d\\d% \\| valid +- \\| .*")), r.out());
        // history.csv keeps the NaN that pandas and NumPy read as missing
        assertTrue(Files.readAllLines(out.resolve("history.csv")).get(1).matches("1,[^,]+,[^,]+,NaN,[^,]+"));
        Plots.assertWritten(out, r.err(), "learning-curves.png");
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
