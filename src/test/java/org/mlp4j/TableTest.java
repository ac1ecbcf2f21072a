package org.mlp4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A CSV file of one's own read from Java, and the classes' names a classifier keeps in its model file. */
class TableTest {
    @TempDir
    Path dir;

    /** 2-D points around (0, 0), (3, 0) and (0, 3), each line ending with its class's name, as Iris's file does. */
    Path clusters(String name, int n, long seed) throws IOException {
        Random r = new Random(seed);
        String[] names = {"setosa", "versicolor", "virginica"};
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(3);
            s.append(String.format(Locale.ROOT, "%.4f,%.4f,%s%n", r.nextGaussian() + (c == 1 ? 3 : 0), r.nextGaussian() + (c == 2 ? 3 : 0), names[c]));
        }
        return Files.writeString(dir.resolve(name), s);
    }

    @Test
    void readsFeaturesLabelsAndNamesAsTheCommandDoes() throws IOException {
        Path file = Files.writeString(dir.resolve("flowers.csv"), "5.1,3.5,Iris-setosa\n6.4,3.2,Iris-versicolor\n\n6.3,3.3,Iris-virginica\n4.9,3.0,Iris-setosa\n");
        Table t = Table.read(file);
        assertEquals(List.of("Iris-setosa", "Iris-versicolor", "Iris-virginica"), t.classes());
        assertArrayEquals(new int[] {0, 1, 2, 0}, t.labels());
        assertArrayEquals(new float[] {6.4f, 3.2f}, t.features()[1]);
        assertEquals(2, t.featureCount());
        assertEquals(3, t.classCount());

        // numbered as a model's names number them, not in their sorted order; a class outside them is refused by line
        Table asModel = Table.read(file, List.of("Iris-virginica", "Iris-setosa", "Iris-versicolor"));
        assertArrayEquals(new int[] {1, 2, 0, 1}, asModel.labels());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Table.read(file, List.of("Iris-setosa", "Iris-virginica")));
        assertTrue(e.getMessage().contains("flowers.csv, line 2") && e.getMessage().contains("Iris-versicolor"), e.getMessage());

        // class indices first, under a header, decimal commas between semicolons: no names, as many classes as the top index says
        Path indexed = Files.writeString(dir.resolve("indexed.csv"), "class;a;b;c\n0;1,5;2;3\n3;4;5;6,25\n");
        Table i = Table.read(indexed);
        assertEquals(List.of(), i.classes());
        assertArrayEquals(new int[] {0, 3}, i.labels());
        assertArrayEquals(new float[] {4, 5, 6.25f}, i.features()[1]);
        assertEquals(4, i.classCount());
        // the class in another column, named or numbered; the header's class column is then a feature
        for (String column : new String[] {"B", "3"}) {
            Table c = Table.read(indexed, column);
            assertArrayEquals(new int[] {2, 5}, c.labels(), column);
            assertArrayEquals(new float[] {3, 4, 6.25f}, c.features()[1], column);
        }
        e = assertThrows(IllegalArgumentException.class, () -> Table.read(indexed, "d"));
        assertTrue(e.getMessage().contains("indexed.csv: its header names no column 'd'"), e.getMessage());

        // rows to predict: with or without their labels
        assertArrayEquals(new float[] {6.4f, 3.2f}, Table.rows(file, 2)[1]);
        assertArrayEquals(new float[] {1.5f, 2, 3}, Table.rows(indexed, 3)[0]);
        Path unlabelled = Files.writeString(dir.resolve("new.tsv"), "1\t2\t3\n");
        assertArrayEquals(new float[] {1, 2, 3}, Table.rows(unlabelled, 3)[0]);
        assertArrayEquals(new float[] {2, 3}, Table.rows(unlabelled, 2)[0], "a label first, left out");
        e = assertThrows(IllegalArgumentException.class, () -> Table.rows(unlabelled, 4));
        assertTrue(e.getMessage().contains("new.tsv") && e.getMessage().contains("takes 4 features"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> Table.read(Files.writeString(dir.resolve("bad.csv"), "0,1,2\n1,x,2\n")));
        assertTrue(e.getMessage().contains("bad.csv, line 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Table.read(dir.resolve("missing.csv")));
    }

    @Test
    void aTableIsChecked() {
        assertThrows(IllegalArgumentException.class, () -> new Table(new float[][] {{1}, {2}}, new int[] {0}, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Table(new float[][] {{1}, {2, 3}}, new int[] {0, 1}, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Table(new float[][] {{1}}, new int[] {-1}, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Table(new float[][] {{1}, {2}}, new int[] {0, 2}, List.of("a", "b")));
        assertEquals(0, new Table(new float[0][], new int[0], List.of()).featureCount());
    }

    @Test
    void theNamesSetAreSavedAndThePredictCommandPrintsThem() throws IOException {
        Table t = Table.read(clusters("train.csv", 300, 5));
        Classifier c = Classifier.create(1, t.featureCount(), 8, t.classCount());
        assertEquals(List.of(), c.classNames());
        c.setClassNames(t.classes());
        c.fit(t.features(), t.labels(), Training.book().withEpochs(20).withBatch(10).withLearningRate(0.01f));
        assertTrue(c.accuracy(t.features(), t.labels()) > 0.8, "" + c.accuracy(t.features(), t.labels()));
        Path model = dir.resolve("clusters.npz");
        c.save(model);

        Classifier loaded = Classifier.load(model);
        assertEquals(List.of("setosa", "versicolor", "virginica"), loaded.classNames());
        Path again = dir.resolve("again.npz");
        loaded.save(again);  // a loaded model saved keeps its names
        assertEquals(loaded.classNames(), Classifier.load(again).classNames());

        Path points = Files.writeString(dir.resolve("points.csv"), "0.1,-0.2\n3.2,0.4\n-0.3,2.9\n");
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = org.mlp4j.cli.Main.run(new String[] {"predict", "--model", model.toString(), "--images", points.toString()},
                new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, err.toString());
        assertEquals(List.of("setosa", "versicolor", "virginica"), out.toString().lines().map(l -> l.substring(l.lastIndexOf(' ') + 1)).toList(),
                out.toString());

        // evaluate numbers a file's names as the model does
        Path test = clusters("test.csv", 60, 6);
        out = new StringWriter();
        code = org.mlp4j.cli.Main.run(new String[] {"evaluate", "--model", model.toString(), "--data", test.toString()},
                new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, err.toString());
        Table tested = Table.read(test, loaded.classNames());
        assertTrue(out.toString().contains(String.format(Locale.ROOT, "test accuracy: %.2f%%", 100 * loaded.accuracy(tested.features(), tested.labels()))),
                out.toString());

        // unnamed again, the file holds no names
        loaded.setClassNames(List.of());
        loaded.save(again);
        assertEquals(List.of(), Classifier.load(again).classNames());
    }

    @Test
    void scaledFeaturesTrainAsRowsScaledByHandAndTheClassifierTakesThemAsTheyAre() throws IOException {
        // the clusters' points as measurements of thousands, around 5000
        Table t = Table.read(clusters("train.csv", 300, 5));
        float[][] large = new float[t.features().length][];
        for (int i = 0; i < large.length; i++) {
            large[i] = new float[] {5000 + 1000 * t.features()[i][0], 5000 + 1000 * t.features()[i][1]};
        }
        // the rows scaled by hand into [-1, 1], each feature by its range
        float[][] scaled = new float[large.length][2];
        for (int j = 0; j < 2; j++) {
            double low = Double.POSITIVE_INFINITY, high = Double.NEGATIVE_INFINITY;
            for (float[] row : large) {
                low = Math.min(low, row[j]);
                high = Math.max(high, row[j]);
            }
            float centre = (float) ((low + high) / 2), half = (float) ((high - low) / 2);
            for (int i = 0; i < large.length; i++) {
                scaled[i][j] = (large[i][j] - centre) / half;
            }
        }
        Training training = Training.book().withEpochs(20).withBatch(10).withLearningRate(0.01f);
        Classifier raw = Classifier.create(1, 2, 8, 3), byHand = Classifier.create(1, 2, 8, 3), scaling = Classifier.create(1, 2, 8, 3);
        raw.fit(large, t.labels(), training);
        byHand.fit(scaled, t.labels(), training);
        int[][] withinLastEpoch = new int[1][];
        scaling.fit(large, t.labels(), training.withScaledFeatures(true).withProgress(new Progress() {
            @Override
            public void epoch(Epoch e) {
                if (e.epoch() == 20) {
                    withinLastEpoch[0] = scaling.predict(large);  // the epoch's parameters, taking the rows as they are too
                }
            }
        }));
        assertArrayEquals(scaling.predict(large), withinLastEpoch[0]);
        assertTrue(raw.accuracy(large, t.labels()) < 0.6, "unscaled, the sigmoid units saturate: " + raw.accuracy(large, t.labels()));
        assertTrue(scaling.accuracy(large, t.labels()) > 0.75, raw.accuracy(large, t.labels()) + " unscaled, scaled " + scaling.accuracy(large, t.labels()));
        float[][] p = scaling.predictProba(large), q = byHand.predictProba(scaled);
        for (int i = 0; i < p.length; i++) {
            assertArrayEquals(q[i], p[i], 1e-4f, "row " + i);
        }
        assertTrue(training.withScaledFeatures(true).toString().contains("features scaled by their ranges"));

        // saved and loaded, it takes the rows as they are; fitted again, it goes on from its parameters
        Path model = dir.resolve("scaled.npz");
        scaling.save(model);
        Classifier loaded = Classifier.load(model);
        assertArrayEquals(scaling.predict(large), loaded.predict(large));
        loaded.fit(large, t.labels(), training.withEpochs(1).withLearningRate(1e-9f).withScaledFeatures(true));
        float[][] again = loaded.predictProba(large);
        for (int i = 0; i < p.length; i++) {
            assertArrayEquals(p[i], again[i], 1e-3f, "row " + i + " after a fit that barely moves the parameters");
        }

        Path pixelModel = dir.resolve("pixels.npz");
        org.mlp4j.model.ModelFile.save(org.mlp4j.model.Network.initialize(new int[] {16, 4, 3}, org.mlp4j.model.Network.Input.PIXELS,
                new org.mlp4j.model.NumpyRandom(1)), pixelModel);
        Classifier pixels = Classifier.load(pixelModel);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> pixels.fit(new float[][] {new float[16]}, new int[] {0}, training.withBatch(1).withScaledFeatures(true)));
        assertTrue(e.getMessage().contains("takes pixels"), e.getMessage());
    }

    @Test
    void namesAreOneAClassAndTellableApart() {
        Classifier c = Classifier.create(1, 2, 3);
        assertThrows(IllegalArgumentException.class, () -> c.setClassNames(List.of("a", "b")));
        assertThrows(IllegalArgumentException.class, () -> c.setClassNames(List.of("a", "b", "a")));
        assertThrows(IllegalArgumentException.class, () -> c.setClassNames(List.of("a", "", "c")));
        assertThrows(IllegalArgumentException.class, () -> c.setClassNames(List.of("a", "b\nc", "d")));
        assertEquals(List.of(), c.classNames(), "a refused list leaves none");
        c.setClassNames(List.of("cat", "dog", "bird"));
        assertEquals(List.of("cat", "dog", "bird"), c.classNames());
    }
}
