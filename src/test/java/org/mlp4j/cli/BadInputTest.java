package org.mlp4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlp4j.TestData;
import org.mlp4j.data.IdxTest;
import org.mlp4j.data.Mnist;
import org.mlp4j.model.ModelFile;

/** Every kind of bad input: one line on stderr naming the file or flag, exit code 2, no stack trace, nothing written. */
class BadInputTest {
    @TempDir
    Path dir;
    Path data;
    Path out;

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = Main.run(args, new PrintWriter(o, true), new PrintWriter(e, true));
        return new Result(code, o.toString(), e.toString());
    }

    /** TestData's small dataset (300 + 50 images of 4x4, 3 classes; --no-verify). */
    @BeforeEach
    void writeData() {
        data = TestData.small(dir.resolve("data"));
        out = dir.resolve("out");
    }

    List<String> train(String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--device", "cpu", "--data", data.toString(), "--no-verify",
                "--out", out.toString(), "--epochs", "1", "--valid", "50", "--batch", "10", "--hidden", "8"));
        a.addAll(List.of(extra));
        return a;
    }

    void userError(List<String> args, String... mentions) {
        Result r = run(args.toArray(String[]::new));
        assertEquals(2, r.code(), "exit code for " + args + "; stderr: " + r.err());
        List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), "one line on stderr: " + r.err());
        for (String m : mentions) {
            assertTrue(lines.get(0).contains(m), "'" + lines.get(0) + "' should mention " + m);
        }
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "no stack trace: " + r.err());
        assertFalse(Files.exists(out.resolve("model.npz")), "no model written");
    }

    @Test
    void theSmallDatasetTrains() {
        Result r = run(train().toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("test accuracy: "), r.out());
        for (String f : new String[] {"model.npz", "history.csv"}) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
        Plots.assertWritten(out, r.err(), "learning-curves.png", "misclassified.png");
    }

    /**
     * A JVM that cannot draw text (without fontconfig or a font, as in slim container images; here fontconfig is
     * given a configuration of no fonts, and the JVM a home without the JDK's cache of them) still ends the run as
     * usual, saying what to install, without the plots: with JDK 17 the font manager fails with an InternalError.
     */
    @Test
    void aJavaThatCannotDrawTextEndsTheRunWithoutPlots() throws IOException, InterruptedException {
        Assumptions.assumeTrue(System.getProperty("os.name").equals("Linux"), "the JDK draws text through fontconfig on Linux");
        Path home = Files.createDirectories(dir.resolve("home"));
        Path conf = Files.writeString(dir.resolve("fonts.conf"), "<?xml version=\"1.0\"?>\n<fontconfig></fontconfig>\n");
        ProcessBuilder command = org.mlp4j.ChildJvm.command(List.of("-Duser.home=" + home), "org.mlp4j.cli.Main", train().toArray(String[]::new));
        command.environment().put("FONTCONFIG_FILE", conf.toString());
        org.mlp4j.ChildJvm.Result r = org.mlp4j.ChildJvm.run(command);
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("warning: plots not written: this Java cannot draw text (")
                && r.out().contains("apt install fontconfig libfreetype6 libharfbuzz0b"), r.out());
        assertTrue(r.out().contains("test accuracy: "), r.out());
        for (String f : new String[] {"model.npz", "history.csv", "checkpoint.npz"}) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
        assertFalse(Files.exists(out.resolve("learning-curves.png")), "no plots");
    }

    @Test
    void nonsenseFlags() {
        userError(train("--epochs", "0"), "--epochs");
        userError(train("--batch", "-1"), "--batch");
        userError(train("--hidden", "0"), "--hidden");
        userError(train("--hidden", "8,-3"), "--hidden");
        userError(train("--hidden", "8,,4"), "--hidden: '' in '8,,4' is not a layer size (for no hidden layer: --hidden none)");
        userError(train("--hidden", "wide"), "--hidden: 'wide' is not a layer size");
        userError(train("--valid", "300"), "--valid", "300");
        userError(train("--eta", "0"), "--eta");
        userError(train("--eta", "0.5", "--l2", "2"), "eta", "l2", "below 1");
        userError(train("--seed", "-1"), "--seed");
        userError(train("--frobnicate"), "--frobnicate");
        userError(train("--epochs", "many"), "--epochs");
        userError(train("--device", "tpu"), "tpu");
        userError(train("--activation", "identity"), "--activation", "sigmoid, tanh, relu, leaky-relu");
        userError(train("--output", "linear"), "--output", "sigmoid, softmax");
        userError(train("--gradient", "median"), "--gradient");
        userError(train("--optimizer", "rmsprop"), "--optimizer", "sgd, momentum, nesterov, adam");
        userError(train("--beta2", "1"), "--beta2");
        userError(train("--lr-schedule", "cyclic"), "--lr-schedule");
        userError(train("--lr-step", "0"), "--lr-step");
        userError(train("--patience", "-2"), "--patience");
        userError(List.of("bench", "--epochs", "0", "--data", data.toString(), "--no-verify"), "--epochs");
    }

    /**
     * An --out that cannot be a directory is refused before the run trains, not after its first epoch; the directory
     * made for a run that then fails before it writes anything is removed.
     */
    @Test
    void anOutThatCannotHoldTheRunIsRefusedBeforeItTrains() throws IOException {
        Files.writeString(out, "a file");
        for (Path where : List.of(out, out.resolve("run"))) {
            Result r = run(train().stream().map(a -> a.equals(out.toString()) ? where.toString() : a).toArray(String[]::new));
            assertEquals(2, r.code(), r.err());
            assertEquals("mlp4j: the run's directory cannot be written (" + where + ": Not a directory); choose another --out", r.err().strip());
            assertFalse(r.out().contains("epoch 1/1"), "refused before it trains: " + r.out());
        }
        Files.delete(out);
        Result refused = run(train("--device", "cuda", "--strict").toArray(String[]::new));
        Assumptions.assumeTrue(refused.code() == 2, "this machine trains on cuda");
        assertFalse(Files.exists(out), "a run its device refused leaves no directory behind");
    }

    /** A misspelt --device or a negative --threads is refused before the data is looked for (where it would be fetched first). */
    @Test
    void deviceFlagsAreCheckedBeforeTheData() {
        String absent = dir.resolve("absent").toString();
        userError(List.of("train", "--data", absent, "--no-verify", "--device", "tpu"), "--device", "'tpu'", "cuda");
        userError(List.of("train", "--data", absent, "--no-verify", "--threads", "-2"), "--threads", "-2");
        userError(List.of("evaluate", "--data", absent, "--no-verify", "--model", absent, "--device", "GPUU"), "--device", "'GPUU'");
        userError(List.of("predict", "--images", absent, "--model", absent, "--device", "tpu"), "--device", "'tpu'");
        assertEquals(0, run(train("--device", "CPU").toArray(String[]::new)).code(), "device names in any case");
    }

    /** --hidden none: the inputs straight to the output units, a network that evaluate and predict take as any other. */
    @Test
    void aNetworkOfNoHiddenLayerTrains() throws IOException {
        Result r = run(hidden("NONE").toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("network 16-3,"), r.out());
        assertArrayEquals(new int[] {16, 3}, ModelFile.load(out.resolve("model.npz")).sizes());
        Result evaluated = run("evaluate", "--model", out.resolve("model.npz").toString(), "--data", data.toString(), "--no-verify");
        assertEquals(0, evaluated.code(), evaluated.err());
        assertTrue(evaluated.out().startsWith("test accuracy: "), evaluated.out());
    }

    /** train() with these hidden layers instead of its 8. */
    List<String> hidden(String layers) {
        List<String> a = train();
        a.set(a.indexOf("--hidden") + 1, layers);
        return a;
    }

    /** Networks larger than a matrix can be, or than the heap holds: refused before anything is allocated, naming the layer or the heap. */
    @Test
    void networksTooLargeAreRefusedUpFront() {
        userError(hidden("65536,65536"), "layer 2's weights (65536 x 65536)", "4294967296 elements", "2147483639");
        userError(hidden("46341,46341"), "layer 2's weights (46341 x 46341)");
        userError(hidden("2147483647"), "layer 1's weights (16 x 2147483647)");
        List<String> wideBatch = hidden("100000000");
        wideBatch.set(wideBatch.indexOf("--batch") + 1, "200");
        userError(wideBatch, "a minibatch at layer 1 (200 x 100000000)");
        // fits in a matrix, not in the tests' 4 GiB heap
        userError(hidden("25000,25000"), "needs about", "of heap", "MLP4J_JAVA_OPTS=-Xmx");
    }

    @Test
    void missingEmptyTruncatedAndWrongFiles() throws IOException {
        Files.delete(data.resolve(Mnist.TEST_LABELS));
        userError(train(), Mnist.TEST_LABELS, "not found");
        writeData();
        Files.write(data.resolve(Mnist.TEST_IMAGES), new byte[0]);
        userError(train(), Mnist.TEST_IMAGES, "empty");
        writeData();
        byte[] b = Files.readAllBytes(data.resolve(Mnist.TRAIN_IMAGES));
        Files.write(data.resolve(Mnist.TRAIN_IMAGES), java.util.Arrays.copyOf(b, b.length - 7));
        userError(train(), Mnist.TRAIN_IMAGES, "truncated");
        writeData();
        Files.write(data.resolve(Mnist.TRAIN_LABELS), IdxTest.idx(new int[] {300, 1, 1}, new byte[300]));
        userError(train(), Mnist.TRAIN_LABELS, "magic");
        writeData();
        Files.write(data.resolve(Mnist.TRAIN_LABELS), IdxTest.idx(new int[] {299}, new byte[299]));
        userError(train(), "300 images", "299 labels");
        writeData();
        Files.write(data.resolve(Mnist.TRAIN_LABELS), IdxTest.idx(new int[] {300}, new byte[300]));
        Files.write(data.resolve(Mnist.TEST_LABELS), IdxTest.idx(new int[] {50}, new byte[50]));
        userError(train(), "training labels are all 0", "one class");
        writeData();
        byte[] lb = new byte[50];
        lb[7] = 9;
        Files.write(data.resolve(Mnist.TEST_LABELS), IdxTest.idx(new int[] {50}, lb));
        userError(train(), "label 9", "class count 3");
        writeData();
        Files.delete(data.resolve(Mnist.TEST_IMAGES));
        Files.write(data.resolve(Mnist.TEST_IMAGES + ".gz"), new byte[] {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3});
        userError(train(), Mnist.TEST_IMAGES + ".gz", "gzip");
    }

    @Test
    void otherDataWithoutNoVerifyTrainsWithOneNotePerPair() {
        List<String> args = train();
        args.remove("--no-verify");
        Result r = run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        Plots.assertWritten(out, r.err(), "learning-curves.png");
        List<String> notes = r.err().lines().filter(l -> !l.isBlank() && !Plots.isWarning(l)).toList();
        assertEquals(2, notes.size(), r.err());
        assertTrue(notes.get(0).startsWith("note: " + Mnist.TRAIN_IMAGES + " and " + Mnist.TRAIN_LABELS), notes.get(0));
        assertTrue(notes.get(1).startsWith("note: " + Mnist.TEST_IMAGES + " and " + Mnist.TEST_LABELS), notes.get(1));
    }

    @Test
    void unreadableModelForEvaluateAndPredict() throws IOException {
        Path junk = Files.writeString(dir.resolve("m.npz"), "junk");
        userError(List.of("evaluate", "--model", junk.toString(), "--data", data.toString(), "--no-verify", "--device", "cpu"), "m.npz", "unreadable");
        userError(List.of("predict", "--model", junk.toString(), "--images", data.resolve(Mnist.TEST_IMAGES).toString()), "unreadable");
        userError(List.of("predict", "--model", dir.resolve("absent.npz").toString(), "--images", "x"), "absent.npz", "not found");
        Path model = dir.resolve("model.npz");
        org.mlp4j.model.ModelFile.save(org.mlp4j.model.Network.initialize(new int[] {784, 5, 10}, org.mlp4j.model.Network.Input.PIXELS,
                new org.mlp4j.model.NumpyRandom(1)), model);
        userError(List.of("predict", "--model", model.toString(), "--images", dir.resolve("absent.png").toString()), "absent.png: image file not found");
        userError(List.of("predict", "--model", model.toString(), "--images", dir.toString()), dir + ": a directory; give the pictures in it ("
                + dir.resolve("*.png") + ", say)");
        // a run's directory given for its model
        userError(List.of("evaluate", "--model", dir.toString(), "--data", data.toString(), "--no-verify", "--device", "cpu"),
                dir + ": a directory, not a model file; did you mean " + model + "?");
        userError(List.of("train", "--init", dir.toString(), "--data", data.toString(), "--no-verify", "--out", dir.resolve("run").toString()),
                dir + ": a directory, not a model file; did you mean " + model + "?");
        Files.createDirectories(dir.resolve("empty"));
        Result empty = run("predict", "--model", dir.resolve("empty").toString(), "--images", "x");
        assertEquals(List.of("mlp4j: " + dir.resolve("empty") + ": a directory, not a model file"), empty.err().lines().toList());
        // a model of float features (from the Java API) takes the CLI's images scaled as Mnist's rows, and says so
        Path features = dir.resolve("features.npz");
        org.mlp4j.model.ModelFile.save(org.mlp4j.model.Network.initialize(new int[] {16, 5, 3}, org.mlp4j.model.Network.Input.FEATURES,
                new org.mlp4j.model.NumpyRandom(1)), features);
        String note = "note: " + features + " takes float features (it was trained on a CSV file or through the Java API): it is given each image's pixels"
                + " scaled as org.mlp4j.Mnist's rows are ((p / 255 - 0.5) * 2)";
        Result evaluated = run("evaluate", "--model", features.toString(), "--data", data.toString(), "--no-verify", "--device", "cpu");
        assertEquals(0, evaluated.code(), evaluated.err());
        assertTrue(evaluated.err().contains(note) && evaluated.out().contains("test accuracy: "), evaluated.err() + evaluated.out());
        Result predicted = run("predict", "--model", features.toString(), "--images", data.resolve(Mnist.TEST_IMAGES).toString(), "--device", "cpu");
        assertEquals(0, predicted.code(), predicted.err());
        assertTrue(predicted.err().contains(note), predicted.err());
        assertEquals(50, predicted.out().lines().count(), predicted.out());
        // one of other features than the images' pixels is refused, saying what it takes, with no note of the pixels it is not given
        Path other = dir.resolve("other.npz");
        org.mlp4j.model.ModelFile.save(org.mlp4j.model.Network.initialize(new int[] {13, 5, 3}, org.mlp4j.model.Network.Input.FEATURES,
                new org.mlp4j.model.NumpyRandom(1)), other);
        String takes = " but the model takes 13 inputs (it was trained on a CSV file's examples, or through the Java API: give it a CSV file of"
                + " such examples)";
        Result refused = run("evaluate", "--model", other.toString(), "--data", data.toString(), "--no-verify", "--device", "cpu");
        assertEquals(List.of("mlp4j: " + data + ": images have 16 pixels (4x4)" + takes), refused.err().lines().toList());
        Result unpredicted = run("predict", "--model", other.toString(), "--images", data.resolve(Mnist.TEST_IMAGES).toString(), "--device", "cpu");
        assertEquals(List.of("mlp4j: " + data.resolve(Mnist.TEST_IMAGES) + ": images have 16 pixels (4x4)" + takes), unpredicted.err().lines().toList());
    }

    /**
     * train --verbose on OpenCL says which variant each layer step runs, the times that chose it, and how near the
     * variants ended: the network's first run, its choices kept by none before (an earlier run of the tests keeps them in
     * their cache, and a later run of the network takes them untimed).
     */
    @Test
    void verboseSaysWhatTheDeviceChose() throws java.io.IOException {
        org.mlp4j.backend.BackendContractTest.open("opencl").close(); // skips where OpenCL is unusable (fails where required)
        java.nio.file.Files.deleteIfExists(org.mlp4j.backend.DeviceChoices.ofUser().file());
        List<String> args = train();
        args.set(args.indexOf("cpu"), "opencl");
        args.add("--verbose");
        Result r = run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("output step \\d+x\\d+x\\d+: folded [0-9.]+ us \\(within [0-9.]+e[+-]\\d+ of GEMM and step\\), GEMM and step [0-9.]+ us: .*")), r.out());
    }

    /**
     * A run off the book's path from the command line, its names written as other tools write them (any case): the model
     * records what it is, and evaluate reads it back.
     */
    @Test
    void reluSoftmaxAdamRunTrainsAndEvaluates() {
        assertEquals(org.mlp4j.Activation.LEAKY_RELU, org.mlp4j.Activation.of("LEAKY_RELU"));
        List<String> args = train();
        args.addAll(List.of("--activation", "ReLU", "--output", "Softmax", "--optimizer", "Adam", "--eta", "0.01", "--gradient", "Mean",
                "--lr-schedule", "Cosine", "--patience", "5"));
        Result r = run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("relu hidden units (weights: He normal") && r.out().contains("adam (0.9, 0.999)")
                && r.out().contains("cosine rate"), r.out());
        org.mlp4j.model.Network net = org.mlp4j.model.ModelFile.load(out.resolve("model.npz"));
        assertEquals(org.mlp4j.Activation.RELU, net.activation());
        assertEquals(org.mlp4j.Output.SOFTMAX, net.output());
        Result e = run("evaluate", "--model", out.resolve("model.npz").toString(), "--data", data.toString(), "--no-verify", "--device", "cpu");
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("test accuracy: "), e.out());
        // fine-tuned, the run's weights are the model's: no initialization named
        Result tuned = run("train", "--device", "cpu", "--data", data.toString(), "--no-verify", "--epochs", "1", "--valid", "50", "--batch", "10",
                "--out", out.resolveSibling("tuned").toString(), "--init", out.resolve("model.npz").toString());
        assertEquals(0, tuned.code(), tuned.err());
        assertTrue(tuned.out().contains("relu hidden units, softmax output") && tuned.out().contains("starting from the parameters of"), tuned.out());
    }

    @Test
    void trainedModelEvaluatesAndPredicts() {
        assertEquals(0, run(train().toArray(String[]::new)).code());
        Path model = out.resolve("model.npz");
        Result e = run("evaluate", "--model", model.toString(), "--data", data.toString(), "--no-verify", "--device", "cpu");
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("test accuracy: ") && e.out().contains("confusion matrix"), e.out());
        Result p = run("predict", "--model", model.toString(), "--images", data.resolve(Mnist.TEST_IMAGES).toString(), "--device", "cpu");
        assertEquals(0, p.code(), p.err());
        assertEquals(50, p.out().lines().count());
        assertTrue(p.out().lines().allMatch(l -> l.matches("[0-2]")), p.out());
        // the same images as pictures: PNGs of their pixels predict as the IDX file's lines, in the files' order
        org.mlp4j.data.Images test = org.mlp4j.data.Idx.readImages(data.resolve(Mnist.TEST_IMAGES));
        List<String> args = new java.util.ArrayList<>(List.of("predict", "--model", model.toString(), "--device", "cpu", "--images"));
        for (int i : new int[] {3, 0, 7}) {
            java.awt.image.BufferedImage png = new java.awt.image.BufferedImage(test.width(), test.height(), java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
            png.getRaster().setDataElements(0, 0, test.width(), test.height(),
                    java.util.Arrays.copyOfRange(test.pixels(), i * test.features(), (i + 1) * test.features()));
            Path file = dir.resolve("digit" + i + ".png");
            try {
                javax.imageio.ImageIO.write(png, "png", file.toFile());
            } catch (IOException x) {
                throw new java.io.UncheckedIOException(x);
            }
            args.add(file.toString());
        }
        Result pictures = run(args.toArray(String[]::new));
        assertEquals(0, pictures.code(), pictures.err());
        List<String> lines = p.out().lines().toList();
        assertEquals(List.of(lines.get(3), lines.get(0), lines.get(7)), pictures.out().lines().toList());
        assertFalse(pictures.err().contains("inverted"), pictures.err());
        // a dark digit on white, as a student draws one, and a black one on a transparent canvas, as a web page's drawing
        // saves one: each inverted into the light digit on dark it was made from, so its probabilities are that digit's
        Result original = run("predict", "--model", model.toString(), "--device", "cpu", "--proba", "--images", dir.resolve("digit0.png").toString());
        assertEquals(0, original.code(), original.err());
        java.awt.image.BufferedImage inverted = new java.awt.image.BufferedImage(test.width(), test.height(), java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        java.awt.image.BufferedImage canvas = new java.awt.image.BufferedImage(test.width(), test.height(), java.awt.image.BufferedImage.TYPE_INT_ARGB);
        byte[] negative = new byte[test.features()];
        for (int j = 0; j < negative.length; j++) {
            negative[j] = (byte) (255 - (test.pixels()[j] & 0xff));
            canvas.setRGB(j % test.width(), j / test.width(), (test.pixels()[j] & 0xff) << 24);
        }
        inverted.getRaster().setDataElements(0, 0, test.width(), test.height(), negative);
        Path invertedFile = dir.resolve("dark-on-white.png");
        Path canvasFile = dir.resolve("black-on-transparent.png");
        try {
            javax.imageio.ImageIO.write(inverted, "png", invertedFile.toFile());
            javax.imageio.ImageIO.write(canvas, "png", canvasFile.toFile());
        } catch (IOException x) {
            throw new java.io.UncheckedIOException(x);
        }
        for (Path drawn : List.of(invertedFile, canvasFile)) {
            Result dark = run("predict", "--model", model.toString(), "--device", "cpu", "--proba", "--images", drawn.toString());
            assertEquals(0, dark.code(), dark.err());
            assertEquals(original.out(), dark.out(), drawn.toString());
            assertTrue(dark.err().contains("note: " + drawn + " has dark strokes on a lighter background (its edges") && dark.err().contains("inverted"), dark.err());
        }
        java.awt.image.BufferedImage small = new java.awt.image.BufferedImage(6, 5, java.awt.image.BufferedImage.TYPE_INT_RGB);
        Path smallFile = dir.resolve("small.png");
        try {
            javax.imageio.ImageIO.write(small, "png", smallFile.toFile());
            Files.writeString(dir.resolve("notes.md"), "not a picture");
            Files.writeString(dir.resolve("notes.txt"), "not a picture");
        } catch (IOException x) {
            throw new java.io.UncheckedIOException(x);
        }
        // a picture of another size is made into the model's 4 x 4 images as MNIST's were made, with a note
        Result otherSize = run("predict", "--model", model.toString(), "--device", "cpu", "--images", smallFile.toString());
        assertEquals(0, otherSize.code(), otherSize.err());
        assertEquals(1, otherSize.out().lines().count(), otherSize.out());
        assertTrue(otherSize.err().contains("note: " + smallFile + " is 6x5 pixels (width x height), the model's images 4x4: its lit pixels scaled to fit 3x3"),
                otherSize.err());
        // an IDX file is a dataset: its images are not made into others
        Path idx = dir.resolve("five-by-five-idx3-ubyte");
        try {
            Files.write(idx, org.mlp4j.data.IdxTest.idx(new int[] {2, 5, 5}, new byte[50]));
        } catch (IOException x) {
            throw new java.io.UncheckedIOException(x);
        }
        Result wrongSize = run("predict", "--model", model.toString(), "--images", idx.toString());
        assertEquals(2, wrongSize.code(), wrongSize.err());
        assertTrue(wrongSize.err().contains("five-by-five-idx3-ubyte: images have 25 pixels (5x5) but the model takes 16 inputs"), wrongSize.err());
        Result text = run("predict", "--model", model.toString(), "--images", dir.resolve("notes.md").toString());
        assertEquals(2, text.code(), text.err());
        assertTrue(text.err().contains("notes.md: neither an IDX image file nor a picture"), text.err());
        // a .txt file is read as examples, as NumPy's savetxt writes them
        Result txt = run("predict", "--model", model.toString(), "--images", dir.resolve("notes.txt").toString());
        assertEquals(2, txt.code(), txt.err());
        assertTrue(txt.err().contains("notes.txt: no examples (no line of numbers)"), txt.err());
        // a labels file given as images: named as labels, not as an unknown picture
        Path labelsFile = dir.resolve("labels-idx1-ubyte");
        try {
            Files.write(labelsFile, IdxTest.idx(new int[] {3}, new byte[] {1, 2, 3}));
        } catch (IOException x) {
            throw new java.io.UncheckedIOException(x);
        }
        Result labels = run("predict", "--model", model.toString(), "--images", labelsFile.toString());
        assertEquals(2, labels.code(), labels.err());
        assertTrue(labels.err().contains("wrong magic number 0x00000801") && labels.err().contains("as labels do"), labels.err());
    }
}
