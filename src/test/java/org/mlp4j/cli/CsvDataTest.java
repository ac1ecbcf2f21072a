package org.mlp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlp4j.TestData;
import org.mlp4j.data.Csv;
import org.mlp4j.data.Features;
import org.mlp4j.data.Idx;
import org.mlp4j.data.Images;
import org.mlp4j.data.Mnist;
import org.mlp4j.model.Hyperparameters;
import org.mlp4j.model.ModelFile;
import org.mlp4j.model.Network;

/** train, evaluate and predict on a CSV file of the user's own examples. */
class CsvDataTest {
    @TempDir
    Path dir;

    static BadInputTest.Result run(String... args) {
        return BadInputTest.run(args);
    }

    /** 2-D points around (0, 0), (3, 0) and (0, 3), a class each, in random order, under a header. */
    Path clusters(String name, int n, long seed) throws IOException {
        return clusters(name, n, seed, false);
    }

    /** The same; {@code named}, without the header, each line ending with its class's name, as Iris's file does. */
    Path clusters(String name, int n, long seed, boolean named) throws IOException {
        Random r = new Random(seed);
        String[] names = {"setosa", "versicolor", "virginica"};
        StringBuilder s = new StringBuilder(named ? "" : "class,x,y\n");
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(3);
            String point = String.format(Locale.ROOT, "%.4f,%.4f", r.nextGaussian() + (c == 1 ? 3 : 0), r.nextGaussian() + (c == 2 ? 3 : 0));
            s.append(named ? point + "," + names[c] : c + "," + point).append('\n');
        }
        return Files.writeString(dir.resolve(name), s);
    }

    List<String> train(Path data, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--device", "cpu", "--data", data.toString(), "--out", out.toString(),
                "--epochs", "5", "--batch", "10", "--eta", "0.01", "--hidden", "8"));
        a.addAll(List.of(extra));
        return a;
    }

    static String line(String text, String start) {
        return text.lines().filter(l -> l.startsWith(start)).findFirst().orElseThrow(() -> new AssertionError("no '" + start + "' in " + text));
    }

    /**
     * A file whose numbers take half the heap trains: read into an array of their size, the class's column apart, and
     * drawn from and scaled in place. (Grown by doubling and copied at each step, it needed over three times their size.)
     * The serial collector with a small young generation, so that the old one holds the numbers at any heap size.
     */
    @Test
    void aCsvFileWhoseNumbersTakeHalfTheHeapTrains() throws Exception {
        org.mlp4j.ChildJvm.assumeHotSpot();
        int rows = 120_000, features = 150;  // 72 MB of floats
        Path file = dir.resolve("wide.csv");
        try (java.io.Writer w = Files.newBufferedWriter(file)) {
            for (int i = 0; i < rows; i++) {
                w.write(Integer.toString(i % 3));
                for (int j = 0; j < features; j++) {
                    w.write(',');
                    w.write('0' + (i * 7 + j * 13) % 10);
                }
                w.write('\n');
            }
        }
        org.mlp4j.ChildJvm.Result r = org.mlp4j.ChildJvm.mlp4j(List.of("-XX:+UseSerialGC", "-Xmn8m", "-Xmx144m"), "train", "--device", "cpu",
                "--data", file.toString(), "--out", dir.resolve("wide").toString(), "--epochs", "1", "--hidden", "4");
        assertEquals(0, r.code(), r.out());
        assertTrue(Files.exists(dir.resolve("wide").resolve("model.npz")), r.out());

        // in a heap too small for them, refused before they are read, with what they need
        r = org.mlp4j.ChildJvm.mlp4j(List.of("-Xmx48m"), "train", "--device", "cpu", "--data", file.toString(), "--out",
                dir.resolve("small").toString());
        assertEquals(2, r.code(), r.out());
        assertTrue(r.out().contains("mlp4j: " + file + ": reading its 120000 lines of 151 numbers needs 70 MiB of heap, but the JVM has "), r.out());
        assertTrue(r.out().contains("; raise it with MLP4J_JAVA_OPTS=-Xmx"), r.out());
    }

    @Test
    void aCsvFileTrainsEvaluatesAndPredicts() throws IOException {
        Path train = clusters("train.csv", 600, 1);
        Path test = clusters("test.csv", 90, 2);
        Path out = dir.resolve("run");
        BadInputTest.Result t = run(train(train, out, "--test", test.toString(), "--epochs", "20").toArray(String[]::new));
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("network 2-8-3, 540 training and 60 validation examples"), t.out());  // a tenth validates
        assertTrue(t.out().contains("features scaled into [-1, 1] by their ranges over the training examples; model.npz takes them unscaled"),
                t.out());
        assertFalse(t.err().contains("note"), t.err());
        String accuracy = line(t.out(), "test accuracy: ");
        assertTrue(Double.parseDouble(accuracy.replaceAll("[^0-9.]", "")) > 80, accuracy);
        Network net = ModelFile.load(out.resolve("model.npz"));
        assertEquals(Network.Input.FEATURES, net.input());
        Plots.assertWritten(out, t.err(), "learning-curves.png");
        assertFalse(Files.exists(out.resolve("misclassified.png")));  // no images to show

        BadInputTest.Result e = run("evaluate", "--device", "cpu", "--model", out.resolve("model.npz").toString(), "--data", test.toString());
        assertEquals(0, e.code(), e.err());
        assertEquals(accuracy, line(e.out(), "test accuracy: "));
        assertEquals("", e.err());

        // labelled lines and the same lines without their labels, tab separated, predict alike and as evaluate scored them
        BadInputTest.Result p = run("predict", "--device", "cpu", "--model", out.resolve("model.npz").toString(), "--images", test.toString());
        assertEquals(0, p.code(), p.err());
        List<String> rows = Files.readAllLines(test).subList(1, 91);
        Path unlabelled = Files.write(dir.resolve("rows.tsv"), rows.stream().map(l -> l.substring(l.indexOf(',') + 1).replace(',', '\t')).toList());
        BadInputTest.Result q = run("predict", "--device", "cpu", "--model", out.resolve("model.npz").toString(), "--images", unlabelled.toString());
        assertEquals(0, q.code(), q.err());
        assertEquals(p.out(), q.out());
        List<String> predicted = p.out().lines().toList();
        assertEquals(90, predicted.size());
        int correct = 0;
        for (int i = 0; i < 90; i++) {
            correct += rows.get(i).startsWith(predicted.get(i) + ",") ? 1 : 0;
        }
        assertEquals(String.format(Locale.ROOT, "test accuracy: %.2f%%", 100.0 * correct / 90), accuracy);

        // without --test: no test accuracy, nothing else missing
        Path noTest = dir.resolve("no-test");
        BadInputTest.Result n = run(train(train, noTest).toArray(String[]::new));
        assertEquals(0, n.code(), n.err());
        assertFalse(n.out().contains("test accuracy"), n.out());
        assertTrue(Files.exists(noTest.resolve("model.npz")));
        Plots.assertWritten(noTest, n.err(), "learning-curves.png");
    }

    /** A test file where one cell counts six digits: the confusion matrix keeps a space between its numbers. */
    @Test
    void aConfusionMatrixOfAHundredThousandExamplesStaysReadable() throws IOException {
        Path out = dir.resolve("run");
        assertEquals(0, run(train(clusters("train.csv", 300, 1), out, "--epochs", "1").toArray(String[]::new)).code());
        Path test = Files.writeString(dir.resolve("same.csv"), "0,0.1,-0.2\n".repeat(100_000));  // a point, a class: one cell
        BadInputTest.Result e = run("evaluate", "--device", "cpu", "--model", out.resolve("model.npz").toString(), "--data", test.toString());
        assertEquals(0, e.code(), e.err());
        List<String> lines = e.out().lines().toList();
        int head = lines.indexOf("confusion matrix (rows: true class, columns: predicted class)") + 1;
        assertEquals(List.of("0", "1", "2"), List.of(lines.get(head).trim().split(" +")), e.out());
        long total = 0;
        for (int t = 0; t < 3; t++) {
            String row = lines.get(head + 1 + t);
            assertEquals(lines.get(head).length(), row.length(), e.out());
            String[] cells = row.trim().split(" +");
            assertEquals(4, cells.length, row);
            assertEquals(Integer.toString(t), cells[0], row);
            for (int j = 1; j < 4; j++) {
                total += Long.parseLong(cells[j]);
            }
        }
        assertEquals(100_000, total, e.out());
    }

    /**
     * Of 25 classes, evaluate lists the largest confusions by name instead of a matrix too wide to read. The model
     * answers the nearest of 25 points on a circle, so each line's answer is known.
     */
    @Test
    void manyClassesListTheLargestConfusionsInsteadOfAMatrix() throws IOException {
        int classes = 25;
        Network net = Network.initialize(new int[] {2, classes}, Network.Input.FEATURES, new org.mlp4j.model.NumpyRandom(1));
        List<String> names = new ArrayList<>();
        StringBuilder lines = new StringBuilder("class,x,y\n");
        for (int c = 0; c < classes; c++) {
            names.add("k" + c);
            net.weights()[0][c] = (float) Math.cos(2 * Math.PI * c / classes);  // x . p_c: largest for the nearest p_c
            net.weights()[0][classes + c] = (float) Math.sin(2 * Math.PI * c / classes);
            net.biases()[0][c] = 0;
        }
        // each class's point twice, labelled as it is; then class 4 three times at class 7's point, class 0 once at 1's
        for (int[] at : new int[][] {{4, 7}, {4, 7}, {4, 7}, {0, 1}}) {
            lines.append(String.format(Locale.ROOT, "k%d,%.4f,%.4f%n", at[0], Math.cos(2 * Math.PI * at[1] / classes), Math.sin(2 * Math.PI * at[1] / classes)));
        }
        for (int c = 0; c < 2 * classes; c++) {
            lines.append(String.format(Locale.ROOT, "k%d,%.4f,%.4f%n", c % classes, Math.cos(2 * Math.PI * c / classes), Math.sin(2 * Math.PI * c / classes)));
        }
        Path model = dir.resolve("circle.npz");
        ModelFile.save(net, names, model);
        BadInputTest.Result e = run("evaluate", "--device", "cpu", "--model", model.toString(), "--data",
                Files.writeString(dir.resolve("circle.csv"), lines).toString());
        assertEquals(0, e.code(), e.err());
        String head = "25 classes: no confusion matrix (too wide to read); the largest confusions, true class -> predicted class:";
        assertTrue(e.out().contains(head + "\n  k4 -> k7: 3 of its 5\n  k0 -> k1: 1 of its 3\n\n"), e.out());
        assertEquals("test accuracy: 92.59%", line(e.out(), "test accuracy: "));
        assertFalse(e.out().contains("classes: k0") || e.out().contains("confusion matrix (rows"), e.out());
    }

    @Test
    void largeFeaturesAreScaledForTrainingAndTheModelTakesThemAsTheyAre() throws IOException {
        // the clusters' points as measurements of thousands, around 5000: unscaled, they saturate the sigmoid units
        List<Path> files = new ArrayList<>();
        for (String name : new String[] {"train.csv", "test.csv"}) {
            List<String> lines = Files.readAllLines(clusters(name, name.equals("train.csv") ? 600 : 90, name.length()));
            files.add(Files.write(dir.resolve("large-" + name), lines.stream().skip(1).map(l -> {
                String[] f = l.split(",");
                return f[0] + "," + (5000 + 1000 * Float.parseFloat(f[1])) + "," + (5000 + 1000 * Float.parseFloat(f[2]));
            }).toList()));
        }
        Path out = dir.resolve("large");
        BadInputTest.Result t = run(train(files.get(0), out, "--test", files.get(1).toString(), "--epochs", "20").toArray(String[]::new));
        assertEquals(0, t.code(), t.err());
        String accuracy = line(t.out(), "test accuracy: ");
        assertTrue(Double.parseDouble(accuracy.replaceAll("[^0-9.]", "")) > 80, accuracy);
        Path model = out.resolve("model.npz");
        BadInputTest.Result e = run("evaluate", "--device", "cpu", "--model", model.toString(), "--data", files.get(1).toString());
        assertEquals(accuracy, line(e.out(), "test accuracy: "), "the model takes the file's numbers as they are");

        // a run from the model (--init) starts from its parameters, which it scales as the run scales the features: with
        // a rate too small to move them, the model it writes is the one it started from
        Path again = dir.resolve("again");
        BadInputTest.Result i = run("train", "--device", "cpu", "--data", files.get(0).toString(), "--out", again.toString(), "--init",
                model.toString(), "--epochs", "1", "--batch", "10", "--eta", "1e-12");
        assertEquals(0, i.code(), i.err());
        Network from = ModelFile.load(model), to = ModelFile.load(again.resolve("model.npz"));
        for (int l = 0; l < from.layers(); l++) {
            for (int k = 0; k < from.weights()[l].length; k++) {
                assertEquals(from.weights()[l][k], to.weights()[l][k], 1e-6 + 1e-4 * Math.abs(from.weights()[l][k]), "w" + l + "[" + k + "]");
            }
            for (int k = 0; k < from.biases()[l].length; k++) {
                assertEquals(from.biases()[l][k], to.biases()[l][k], 1e-3 + 1e-4 * Math.abs(from.biases()[l][k]), "b" + l + "[" + k + "]");
            }
        }
    }

    @Test
    void aResumedCsvRunTrainsOnAsIfUnstopped() throws IOException {
        Path train = clusters("train.csv", 300, 3);
        // a seed not the default: the resumed run draws its validation examples by the run's seed, not --seed's default
        resumesAsWhole(train, 2, 4, "--seed", "5");
        Path parts = dir.resolve("parts");
        // a CSV run resumed on MNIST's files, or on another CSV file
        Path idx = TestData.small(dir.resolve("idx"));
        BadInputTest.Result wrong = run("train", "--device", "cpu", "--resume", parts.toString(), "--data", idx.toString(), "--epochs", "5");
        assertEquals(2, wrong.code());
        assertTrue(wrong.err().contains("was trained on a CSV file's examples; give --data that file"), wrong.err());
        BadInputTest.Result other = run("train", "--device", "cpu", "--resume", parts.toString(), "--data", clusters("other.csv", 300, 4).toString(),
                "--epochs", "5");
        assertEquals(2, other.code());
        assertTrue(other.err().contains("give --data the file it trained on"), other.err());
    }

    @Test
    void classesNamedInTheFileAreNamedByEvaluateAndPredict() throws IOException {
        Path train = clusters("train.csv", 300, 6, true);
        Path test = clusters("test.csv", 60, 7, true);
        Path out = dir.resolve("run");
        BadInputTest.Result t = run(train(train, out, "--test", test.toString()).toArray(String[]::new));
        assertEquals(0, t.code(), t.err());
        Path model = out.resolve("model.npz");
        assertEquals(List.of("setosa", "versicolor", "virginica"), ModelFile.read(model).classes());
        BadInputTest.Result e = run("evaluate", "--device", "cpu", "--model", model.toString(), "--data", test.toString());
        assertEquals(0, e.code(), e.err());
        assertEquals(line(t.out(), "test accuracy: "), line(e.out(), "test accuracy: "));
        assertTrue(e.out().contains("classes: 0 setosa, 1 versicolor, 2 virginica"), e.out());
        assertTrue(e.out().lines().anyMatch(l -> l.matches(" *virginica +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9]+")), e.out());
        BadInputTest.Result p = run("predict", "--device", "cpu", "--model", model.toString(), "--images", test.toString());
        assertEquals(0, p.code(), p.err());
        List<String> truth = Files.readAllLines(test).stream().map(l -> l.substring(l.lastIndexOf(',') + 1)).toList();
        int correct = 0;
        for (int i = 0; i < truth.size(); i++) {
            correct += p.out().lines().toList().get(i).equals(truth.get(i)) ? 1 : 0;
        }
        assertEquals(String.format(Locale.ROOT, "test accuracy: %.2f%%", 100.0 * correct / truth.size()), line(e.out(), "test accuracy: "));
        // resumed, the run keeps its names; a test file of another class is refused, naming it
        BadInputTest.Result r = run("train", "--device", "cpu", "--resume", out.toString(), "--data", train.toString(), "--epochs", "6");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("setosa", "versicolor", "virginica"), ModelFile.read(model).classes());
        Files.writeString(test, "0.1,0.2,rosa\n", java.nio.file.StandardOpenOption.APPEND);
        BadInputTest.Result other = run("evaluate", "--device", "cpu", "--model", model.toString(), "--data", test.toString());
        assertEquals(2, other.code());
        assertTrue(other.err().contains("line 61: the class 'rosa' is none of the model's (setosa, versicolor, virginica)"), other.err());

        // a run from the model (--init) on lines of two of its classes numbers them as the model does, and keeps its names,
        // as does that run resumed
        Path two = Files.write(dir.resolve("two.csv"), Files.readAllLines(train).stream().filter(l -> !l.endsWith("setosa")).toList());
        Path tuned = dir.resolve("tuned");
        BadInputTest.Result i = run("train", "--device", "cpu", "--data", two.toString(), "--out", tuned.toString(), "--init", model.toString(),
                "--epochs", "1", "--batch", "10", "--eta", "0.01");
        assertEquals(0, i.code(), i.err());
        assertEquals(List.of("setosa", "versicolor", "virginica"), ModelFile.read(tuned.resolve("model.npz")).classes());
        Features numbered = Csv.examples(two, List.of("setosa", "versicolor", "virginica"));
        assertEquals(java.util.Set.of(1, 2), java.util.Arrays.stream(numbered.labels()).boxed().collect(java.util.stream.Collectors.toSet()));
        BadInputTest.Result again = run("train", "--device", "cpu", "--resume", tuned.toString(), "--data", two.toString(), "--epochs", "2");
        assertEquals(0, again.code(), again.err());
        BadInputTest.Result ev = run("evaluate", "--device", "cpu", "--model", tuned.resolve("model.npz").toString(), "--data", two.toString());
        assertEquals(0, ev.code(), ev.err());
        assertTrue(ev.out().contains("classes: 0 setosa, 1 versicolor, 2 virginica"), ev.out());
        assertTrue(ev.out().contains("(left out: class setosa"), ev.out());
    }

    /** history.csv less its seconds. */
    /**
     * A class column that --label names, as a wine-quality file's "quality" between its measurements: train keeps it in
     * model.npz, so evaluate, predict and a resumed run read their files alike without being told again.
     */
    @Test
    void aClassColumnThatLabelNamesIsKeptForEvaluatePredictAndResume() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String name : new String[] {"train.csv", "test.csv"}) {
            List<String> lines = Files.readAllLines(clusters(name, name.equals("train.csv") ? 300 : 60, name.length()));
            files.add(Files.write(dir.resolve("mid-" + name), lines.stream().map(l -> {  // x;kind;y, decimal commas
                String[] f = l.split(",");
                return (f[0].equals("class") ? "x;kind;y" : f[1] + ";" + f[0] + ";" + f[2]).replace('.', ',');
            }).toList()));
        }
        Path train = files.get(0);
        Path test = files.get(1);
        BadInputTest.Result told = run(train(train, dir.resolve("untold")).toArray(String[]::new));
        assertEquals(2, told.code(), told.out());
        assertTrue(told.err().contains("is not a class index (0, 1, 2, ...); a class's index comes first on each line (a class's name first or"
                + " last), the features after it, unless --label names its column"), told.err());

        Path out = dir.resolve("run");
        BadInputTest.Result t = run(train(train, out, "--label", "Kind", "--test", test.toString(), "--epochs", "4").toArray(String[]::new));
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("network 2-8-3,"), t.out());
        assertFalse(t.err().contains("holds the classes"), t.err());
        assertEquals("Kind", ModelFile.read(out.resolve("model.npz")).labelColumn());
        String accuracy = line(t.out(), "test accuracy: ");
        BadInputTest.Result e = run("evaluate", "--device", "cpu", "--model", out.resolve("model.npz").toString(), "--data", test.toString());
        assertEquals(0, e.code(), e.err());
        assertEquals(accuracy, line(e.out(), "test accuracy: "));
        // the lines with their classes between the features, and without them, predict alike, and as evaluate scored them
        BadInputTest.Result p = run("predict", "--device", "cpu", "--model", out.resolve("model.npz").toString(), "--images", test.toString());
        assertEquals(0, p.code(), p.err());
        List<String> lines = Files.readAllLines(test).subList(1, 61);
        Path bare = Files.write(dir.resolve("bare.csv"), lines.stream().map(l -> l.replaceFirst(";[0-9];", ";")).toList());
        BadInputTest.Result q = run("predict", "--device", "cpu", "--model", out.resolve("model.npz").toString(), "--images", bare.toString());
        assertEquals(0, q.code(), q.err());
        assertEquals(p.out(), q.out());
        int correct = 0;
        for (int i = 0; i < 60; i++) {
            correct += lines.get(i).split(";")[1].equals(p.out().lines().toList().get(i)) ? 1 : 0;
        }
        assertEquals(String.format(Locale.ROOT, "test accuracy: %.2f%%", 100.0 * correct / 60), accuracy);

        // a run stopped and resumed, told nothing of the column, trains on as the whole run did
        Path whole = resumesAsWhole(train, 1, 3, "--label", "kind");

        // without a header, by the column's number; a line of the features alone is predicted as they are
        Path headless = Files.write(dir.resolve("headless.csv"), Files.readAllLines(train).subList(1, 301));
        Path byNumber = dir.resolve("by-number");
        BadInputTest.Result n = run(train(headless, byNumber, "--label", "2", "--epochs", "3").toArray(String[]::new));
        assertEquals(0, n.code(), n.err());
        assertEquals(history(whole), history(byNumber));
        BadInputTest.Result m = run("predict", "--device", "cpu", "--model", byNumber.resolve("model.npz").toString(), "--images",
                Files.write(dir.resolve("rows.csv"), lines).toString(), bare.toString());
        assertEquals(0, m.code(), m.err());
        assertEquals(m.out().lines().limit(60).toList(), m.out().lines().skip(60).toList());

        // a name where no header names the columns, a number past them, and --label with MNIST's files
        BadInputTest.Result noHeader = run(train(headless, dir.resolve("x"), "--label", "kind").toArray(String[]::new));
        assertTrue(noHeader.err().contains("headless.csv: no header line names its columns, so none is 'kind'; give the class's column by its"
                + " number, from 1"), noHeader.err());
        BadInputTest.Result past = run(train(headless, dir.resolve("y"), "--label", "4").toArray(String[]::new));
        assertTrue(past.err().contains("headless.csv: its lines have 3 columns, so none is the class's column 4 (numbered from 1)"), past.err());
        BadInputTest.Result none = run(train(train, dir.resolve("z"), "--label", "quality").toArray(String[]::new));
        assertTrue(none.err().contains("mid-train.csv: its header names no column 'quality' (it names 'x', 'kind', 'y')"), none.err());
        BadInputTest.Result idx = run("evaluate", "--device", "cpu", "--model", out.resolve("model.npz").toString(), "--data",
                TestData.small(dir.resolve("idx")).toString(), "--label", "kind");
        assertEquals(2, idx.code());
        assertTrue(idx.err().contains("--label names a CSV file's class column, but --data"), idx.err());
    }

    /**
     * Trains on {@code data} for {@code epochs} into "whole", and for {@code first} into "parts", then resumes "parts"
     * (given --data alone) to {@code epochs}: its history must be the whole run's. {@code extra}: options of both runs.
     * Returns "whole".
     */
    Path resumesAsWhole(Path data, int first, int epochs, String... extra) throws IOException {
        Path whole = dir.resolve("whole");
        Path parts = dir.resolve("parts");
        for (Path out : List.of(whole, parts)) {
            List<String> args = train(data, out, "--epochs", Integer.toString(out == whole ? epochs : first));
            args.addAll(List.of(extra));
            assertEquals(0, run(args.toArray(String[]::new)).code());
        }
        BadInputTest.Result r = run("train", "--device", "cpu", "--resume", parts.toString(), "--data", data.toString(), "--epochs",
                Integer.toString(epochs));
        assertEquals(0, r.code(), r.err());
        assertEquals(history(whole), history(parts));
        return whole;
    }

    static List<String> history(Path run) throws IOException {
        return Files.readAllLines(run.resolve(TrainCommand.HISTORY)).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
    }

    @Test
    void aModelTrainedOnImagesTakesACsvFilesNumbersAsPixels() throws IOException {
        Path idx = TestData.small(dir.resolve("idx"));
        Path out = dir.resolve("run");
        assertEquals(0, run("train", "--device", "cpu", "--data", idx.toString(), "--no-verify", "--out", out.toString(), "--epochs", "2",
                "--valid", "50", "--batch", "10", "--hidden", "8").code());
        Images test = Idx.read(idx.resolve(Mnist.TEST_IMAGES), idx.resolve(Mnist.TEST_LABELS));
        byte[] labels = test.labels();
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < test.count(); i++) {
            s.append(labels[i]);
            for (int j = 0; j < test.features(); j++) {
                s.append(',').append(test.pixels()[i * test.features() + j] & 0xff);
            }
            s.append('\n');
        }
        Path csv = Files.writeString(dir.resolve("test.csv"), s);
        String model = out.resolve("model.npz").toString();
        BadInputTest.Result fromIdx = run("evaluate", "--device", "cpu", "--model", model, "--data", idx.toString(), "--no-verify");
        BadInputTest.Result fromCsv = run("evaluate", "--device", "cpu", "--model", model, "--data", csv.toString());
        assertEquals(0, fromCsv.code(), fromCsv.err());
        assertEquals(fromIdx.out(), fromCsv.out());
        BadInputTest.Result p = run("predict", "--device", "cpu", "--proba", "--model", model, "--images", idx.resolve(Mnist.TEST_IMAGES).toString());
        BadInputTest.Result q = run("predict", "--device", "cpu", "--proba", "--model", model, "--images", csv.toString(), csv.toString());
        assertEquals(0, q.code(), q.err());
        assertEquals(p.out() + p.out(), q.out());
        // a model of the CSV file whose class column --label named starts a run on the IDX files, which have no columns
        Path labelled = dir.resolve("labelled");
        assertEquals(0, run("train", "--device", "cpu", "--data", csv.toString(), "--label", "1", "--out", labelled.toString(), "--epochs", "1",
                "--hidden", "8").code());
        BadInputTest.Result tuned = run("train", "--device", "cpu", "--data", idx.toString(), "--no-verify", "--init",
                labelled.resolve("model.npz").toString(), "--out", dir.resolve("tuned").toString(), "--epochs", "1", "--valid", "50");
        assertEquals(0, tuned.code(), tuned.err());
        Files.writeString(csv, "1,0,0,0,0,0,300,0,0,0,0,0,0,0,0,0,0\n");
        BadInputTest.Result bad = run("evaluate", "--device", "cpu", "--model", model, "--data", csv.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("300 (example 1, feature 6) is not a pixel value 0..255"), bad.err());
    }

    @Test
    void aFileSortedByClassValidatesOnExamplesDrawnFromAllItsClasses() throws IOException {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            int c = i * 3 / 200;  // 0s, then 1s, then 2s
            s.append(c).append(',').append(100 * c + i % 7).append(',').append(i % 5).append('\n');
        }
        Path sorted = Files.writeString(dir.resolve("sorted.csv"), s);
        BadInputTest.Result r = run(train(sorted, dir.resolve("run"), "--epochs", "1").toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertFalse(r.err().contains("validate (--valid)"), r.err());
        // without a header, a note says which column holds the classes (pima's file would train on its pregnancies)
        assertTrue(r.err().contains("sorted.csv: it has no header line, so its first column holds the classes (3 of them); if another column"
                + " does, name it with --label (its number, from 1)"), r.err());
        Features drawn = Csv.examples(sorted);
        drawn.drawValidation(20, 1);
        assertEquals(java.util.Set.of(0, 1, 2), java.util.Arrays.stream(drawn.labels(), 180, 200).boxed().collect(java.util.stream.Collectors.toSet()));
        // where a draw still misses (a class of two lines, both drawn), a note says so and how to draw others
        Features rare = new Features(new float[] {0, 1, 2, 3, 4, 5}, new int[] {0, 0, 0, 0, 1, 1}, 6, 1);
        assertEquals("note: the 2 examples drawn at random to validate (--valid) are of class 1, which none of the 4 left to train on is: "
                + "their accuracy says little of the others; a larger --valid, or another --seed, draws others", Datasets.unlikeValidation(rare, 2, true));
        assertEquals(null, Datasets.unlikeValidation(new Features(new float[6], new int[] {0, 0, 0, 1, 0, 1}, 6, 1), 2, true));
        // MNIST's files validate on their last lines, as the book's split does: sorted by class, they get the note to shuffle
        assertTrue(Datasets.unlikeValidation(rare, 2, false).startsWith("note: the last 2 examples, which validate (--valid), are of class 1"));
        assertFalse(r.err().contains("classes for"), r.err());
        // a number first, the label last: as many classes as lines; unless the header names the label's column
        StringBuilder ids = new StringBuilder("n,x,y,kind\n");
        for (int i = 0; i < 50; i++) {
            ids.append(i).append(",0.5,").append(i % 4 * 0.1).append(',').append(i % 2).append('\n');
        }
        BadInputTest.Result id = run(train(Files.writeString(dir.resolve("ids.csv"), ids), dir.resolve("ids")).toArray(String[]::new));
        // under a header that names no class column, the note names the column the classes come from by place (here a count)
        assertTrue(id.err().contains("ids.csv: its header names no column label, class or target, so the first, 'n', holds the classes (50 of"
                + " them); if another column does, name it with --label (or label, class or target in the header)"), id.err());
        assertFalse(id.err().contains("labels run to"), id.err());
        BadInputTest.Result bare = run(train(Files.writeString(dir.resolve("bare.csv"), ids.substring(ids.indexOf("\n") + 1)), dir.resolve("bare"))
                .toArray(String[]::new));
        assertTrue(bare.err().contains("bare.csv: its labels run to 50 classes for 50 examples; the first number of a line is its label"), bare.err());
        // a first column of names that tell the lines apart: named as the classes they are taken for
        BadInputTest.Result coded = run(train(Files.writeString(dir.resolve("coded.csv"), ids.substring(ids.indexOf("\n") + 1).replaceAll("(?m)^", "c")),
                dir.resolve("coded")).toArray(String[]::new));
        assertTrue(coded.err().contains("coded.csv: its classes, the names first or last on its lines, run to 50 for 50 examples, as an id's would:"
                + " if another column holds the classes, name it with --label (its number, from 1)"), coded.err());
        Path named = Files.writeString(dir.resolve("named.csv"), ids.toString().replace("kind", "Label"));
        BadInputTest.Result label = run(train(named, dir.resolve("named")).toArray(String[]::new));
        assertEquals(0, label.code(), label.err());
        assertFalse(label.err().contains("classes for"), label.err());
        assertTrue(label.out().contains("network 3-8-2,"), label.out());
        // a column the header names as an id is left out, with a note; the model then takes the other features alone
        Path id2 = Files.writeString(dir.resolve("id2.csv"), ids.toString().replace("n,x,y,kind", "Id,x,y,Label"));
        BadInputTest.Result left = run(train(id2, dir.resolve("id2")).toArray(String[]::new));
        assertEquals(0, left.code(), left.err());
        assertTrue(left.err().contains("id2.csv: its column 'Id' is left out: an id tells the lines apart, not their classes (to keep it as a"
                + " feature, rename it in the header)"), left.err());
        assertTrue(left.out().contains("network 2-8-2,"), left.out());
        BadInputTest.Result predicted = run("predict", "--model", dir.resolve("id2/model.npz").toString(), "--images", id2.toString());
        assertEquals(0, predicted.code(), predicted.err());
        assertEquals(50, predicted.out().lines().count(), predicted.out());
    }

    @Test
    void aSmallFileTrainsWithTheBooksSettingsAndANoteOnFittingItFaster() throws IOException {
        Path small = clusters("small.csv", 60, 3);
        List<String> book = List.of("train", "--device", "cpu", "--data", small.toString(), "--epochs", "1");
        // fewer training examples than the book's batch of 100: an epoch is one step of them all, not a refusal
        BadInputTest.Result r = run(java.util.stream.Stream.concat(book.stream(), java.util.stream.Stream.of("--out", dir.resolve("a").toString()))
                .toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("network 2-100-3, 54 training and 6 validation examples, 1 epoch, batch 54,"), r.out());
        assertTrue(r.err().contains("note: the 54 training examples make 1 step of 54 an epoch (MNIST's 55,000 make the book's 550): at the book's"
                + " --eta so few fit slowly; smaller batches at a larger rate fit them faster (--batch 10 --eta 0.01, say)"), r.err());
        // a batch or rate of one's own: no note; a batch given larger than the examples is still refused
        BadInputTest.Result rate = run(java.util.stream.Stream.concat(book.stream(), java.util.stream.Stream.of("--out", dir.resolve("b").toString(),
                "--eta", "0.01")).toArray(String[]::new));
        assertEquals(0, rate.code(), rate.err());
        assertFalse(rate.err().contains("note"), rate.err());
        BadInputTest.Result batch = run(java.util.stream.Stream.concat(book.stream(), java.util.stream.Stream.of("--out", dir.resolve("c").toString(),
                "--batch", "100")).toArray(String[]::new));
        assertEquals(2, batch.code(), batch.err());
        assertTrue(batch.err().contains("--batch: 100 is larger than the 54 examples left for training"), batch.err());
        // the note where an epoch takes fewer than FEW_STEPS steps of the book's summed SGD at its rate
        Hyperparameters hp = Hyperparameters.book();
        assertTrue(Datasets.fewSteps(100 * Datasets.FEW_STEPS - 100, hp).contains("make 19 steps of 100"));
        assertEquals(null, Datasets.fewSteps(100 * Datasets.FEW_STEPS - 99, hp));
        assertTrue(Datasets.fewSteps(7, hp.withBatch(7)).endsWith("so few fit slowly; a larger rate fits them faster (--eta 0.01, say)"));
        assertEquals(null, Datasets.fewSteps(500, new Hyperparameters(200, 100, 0.0005f, 0.01f, 1, true, 0)));
        assertEquals(null, Datasets.fewSteps(500, hp.with(hp.optimization().with(org.mlp4j.Optimizer.ADAM))));
    }

    /**
     * Classes numbered from 1, as UCI's wine.data numbers them: the network has an output for class 0 all the same, and
     * evaluate's per-class table and macro averages leave that class of no example, never predicted, out.
     */
    @Test
    void evaluateAveragesOverTheClassesTheExamplesHoldOrTheModelPredicts() throws IOException {
        Path zeroBased = clusters("zero.csv", 300, 9);
        Path oneBased = Files.writeString(dir.resolve("one.csv"), "class,x,y\n" + Files.readAllLines(zeroBased).stream().skip(1)
                .map(l -> (Integer.parseInt(l.substring(0, 1)) + 1) + l.substring(1) + "\n").collect(java.util.stream.Collectors.joining()));
        Path out = dir.resolve("run");
        BadInputTest.Result t = run(train(oneBased, out, "--epochs", "20").toArray(String[]::new));
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("network 2-8-4,"), t.out());
        assertTrue(t.err().contains("note: " + oneBased + ": no example is of class 0 (of 0..3): class indices are read as they are, from 0,"
                + " so the network has an output for it all the same, which learns to stay off"), t.err());
        BadInputTest.Result e = run("evaluate", "--device", "cpu", "--model", out.resolve("model.npz").toString(), "--data", oneBased.toString());
        assertEquals(0, e.code(), e.err());
        List<String> lines = e.out().lines().toList();
        int head = lines.indexOf(String.format("%6s %10s %10s %10s %8s", "class", "precision", "recall", "f1", "support"));
        assertTrue(head > 0, e.out());
        List<double[]> rows = new ArrayList<>();
        for (int c = 1; c <= 3; c++) {
            String[] f = lines.get(head + c).trim().split(" +");
            assertEquals(Integer.toString(c), f[0], e.out());
            rows.add(new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3])});
        }
        String[] macro = lines.get(head + 4).trim().split(" +");
        assertEquals("macro", macro[0], e.out());
        for (int m = 0; m < 3; m++) {
            int k = m;
            assertEquals(rows.stream().mapToDouble(r -> r[k]).average().orElseThrow(), Double.parseDouble(macro[m + 1]), 1.5e-4, e.out());
        }
        assertEquals("(left out: class 0, of no example here and never predicted)", lines.get(head + 5), e.out());
    }

    @Test
    void badCsvUseIsOneLineNamingWhatToDo() throws IOException {
        Path train = clusters("train.csv", 100, 5);
        Path idx = TestData.small(dir.resolve("idx"));
        String[][] cases = {
                {"--test: takes a CSV file", "train", "--data", idx.toString(), "--no-verify", "--test", train.toString()},
                {"is a CSV file, but this command takes the directory of MNIST's IDX files", "bench", "--data", train.toString()},
                {"is a file, but --data takes the directory that holds MNIST's four IDX files (" + idx + ")", "train", "--data",
                        idx.resolve(Mnist.TRAIN_IMAGES).toString()},
                {"none.csv: the data file not found", "train", "--data", dir.resolve("none.csv").toString()},
                {"test examples have 3 features but training examples have 2", "train", "--data", train.toString(), "--test",
                        Files.writeString(dir.resolve("wide.csv"), "0,1,2,3\n").toString(), "--batch", "10"},
                {"--valid: 100 is not less than the 100 training examples", "train", "--data", train.toString(), "--valid", "100"},
                // lines of features alone, whole numbers (as Kaggle's test.csv has), read as a class and one feature fewer
                {"test examples have 1 features but training examples have 2 (the test file's lines need their class, as --data's have;"
                        + " mlp4j predict labels lines of features alone)", "train", "--data", train.toString(), "--test",
                        Files.writeString(dir.resolve("unlabelled.csv"), "3,4\n").toString(), "--batch", "10"},
        };
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of(c).subList(1, c.length));
            args.addAll(List.of("--device", "cpu"));
            if (c[1].equals("train")) {
                args.addAll(List.of("--out", dir.resolve("out").toString()));
            }
            BadInputTest.Result r = run(args.toArray(String[]::new));
            assertEquals(2, r.code(), r.err());
            List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
            assertEquals(1, lines.size(), r.err());
            assertTrue(lines.get(0).contains(c[0]), lines.get(0) + " should say " + c[0]);
            assertFalse(Files.exists(dir.resolve("out").resolve("model.npz")));
        }
        Path out = dir.resolve("trained");
        assertEquals(0, run(train(train, out, "--epochs", "1").toArray(String[]::new)).code());
        BadInputTest.Result unlabelled = run("evaluate", "--device", "cpu", "--model", out.resolve("model.npz").toString(), "--data",
                dir.resolve("unlabelled.csv").toString());
        assertEquals(List.of("mlp4j: " + dir.resolve("unlabelled.csv") + ": examples have 1 features but the model takes 2 inputs (each line needs"
                + " its class, as training's had; mlp4j predict labels lines of features alone)"), unlabelled.err().lines().toList());
    }
}
