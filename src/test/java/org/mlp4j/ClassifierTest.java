package org.mlp4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public API alone, on float features that are not images: a 3-class problem in 4 dimensions. */
class ClassifierTest {
    @TempDir
    Path dir;

    /** 3 classes, each a Gaussian blob in 4-D around its own centre; deterministic. */
    static float[][] points(int n, int[] labels, long seed) {
        Random r = new Random(seed);
        float[][] x = new float[n][];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            x[i] = new float[4];
            for (int j = 0; j < 4; j++) {
                x[i][j] = (float) (r.nextGaussian() * 0.7 + (j == labels[i] ? 2.5 : 0));
            }
        }
        return x;
    }

    private static final Training SETTINGS = Training.book().withEpochs(20).withBatch(10).withLearningRate(0.01f);

    @Test
    void learnsThreeClassesOfFloatFeatures() {
        int[] y = new int[600], vy = new int[150];
        float[][] x = points(600, y, 1), vx = points(150, vy, 2);
        Classifier c = Classifier.create(5, 4, 12, 3);
        List<Epoch> history = c.fit(x, y, vx, vy, SETTINGS);
        assertEquals(20, history.size());
        Epoch last = history.get(19);
        assertTrue(last.cost() < history.get(0).cost(), history.toString());
        assertTrue(last.validAccuracy() >= 0.9, "validation accuracy " + last.validAccuracy());
        int[] predicted = c.predict(vx);
        long right = java.util.stream.IntStream.range(0, vy.length).filter(i -> predicted[i] == vy[i]).count();
        assertEquals(last.validAccuracy(), right / (double) vy.length, 1e-9, "predict agrees with the validation accuracy");
        assertEquals(last.validAccuracy(), c.accuracy(vx, vy), 1e-9, "accuracy agrees with the validation accuracy");
        assertEquals(last.validAccuracy(), c.accuracy(vx, vy, "auto"), 1e-9, "on the best device too");
        int[] wrong = vy.clone();
        for (int i = 0; i < 10; i++) {
            wrong[i] = (predicted[i] + 1) % 3;
        }
        assertEquals(right - java.util.stream.IntStream.range(0, 10).filter(i -> predicted[i] == vy[i]).count(),
                Math.round(c.accuracy(vx, wrong) * vy.length), "ten labels that are not the prediction");
    }

    /** What a log of an experiment shows of the network and the settings. */
    @Test
    void theNetworkAndTheSettingsSayWhatTheyAre() {
        assertEquals("Classifier 4-12-3 sigmoid, sigmoid output", Classifier.create(5, 4, 12, 3).toString());
        assertEquals("Classifier 4-8-8-2 relu, softmax output", Classifier.create(5, Activation.RELU, Output.SOFTMAX, 4, 8, 8, 2).toString());
        assertEquals("200 epochs of batches of 100, learning rate 5.0E-4 on the summed gradient, l2 0.01, seed 1, sgd at a constant rate, on cpu",
                Training.book().toString());
        assertEquals("1 epoch of batches of 32, learning rate 0.001 on the mean gradient, l2 0.0, seed 1, adam (0.9, 0.999), the rate on a cosine"
                        + " schedule, stopping after 3 epochs without a better validation accuracy, on gpu (2 threads), checkpoint run.npz every 5 epochs",
                Training.book().withEpochs(1).withBatch(32).withLearningRate(0.001f).withMeanGradient(true).withL2(0).withOptimizer(Optimizer.ADAM)
                        .withSchedule(Schedule.COSINE).withPatience(3).withDevice("gpu").withThreads(2).withCheckpoint(Path.of("run.npz"), 5).toString());
        assertEquals("200 epochs of batches of 100, learning rate 5.0E-4 on the summed gradient, l2 0.01, seed 1, nesterov 0.8, the rate times 0.5"
                + " every 20 epochs, on cpu", Training.book().withOptimizer(Optimizer.NESTEROV).withMomentum(0.8f).withStepSchedule(20, 0.5f).toString());
    }

    @Test
    void probabilitiesSumToOneAndPickThePrediction() {
        int[] y = new int[300];
        float[][] x = points(300, y, 3);
        Classifier c = Classifier.create(2, 4, 6, 3);
        c.fit(x, y, SETTINGS.withEpochs(5));
        float[][] p = c.predictProba(x);
        int[] predicted = c.predict(x);
        for (int i = 0; i < x.length; i++) {
            double sum = 0;
            int best = 0;
            for (int j = 0; j < 3; j++) {
                sum += p[i][j];
                best = p[i][j] > p[i][best] ? j : best;
            }
            assertEquals(1.0, sum, 1e-6, "row " + i);
            assertEquals(predicted[i], best, "row " + i);
        }
        assertArrayEquals(p[7], c.predictProba(x[7]));
        assertEquals(predicted[7], c.predict(x[7]));
    }

    /** weights and biases are the parameters that predict (as the book's forward pass takes them), copies, and those that a save keeps. */
    @Test
    void theParametersGivenAreTheOnesThatPredict() {
        int[] y = new int[300];
        float[][] x = points(300, y, 3);
        Classifier c = Classifier.create(2, 4, 6, 5, 3);
        c.fit(x, y, SETTINGS.withEpochs(5));
        float[][] p = c.predictProba(x);
        for (int r = 0; r < x.length; r++) {
            float[] row = x[r];
            double[] a = new double[row.length];
            Arrays.setAll(a, i -> row[i]);
            for (int l = 0; l < 3; l++) {
                float[][] w = c.weights(l);
                float[] b = c.biases(l);
                assertEquals(a.length, w.length);
                double[] z = new double[b.length];
                for (int j = 0; j < z.length; j++) {
                    z[j] = b[j];
                    for (int i = 0; i < a.length; i++) {
                        z[j] += a[i] * w[i][j];
                    }
                    z[j] = 1 / (1 + Math.exp(-z[j]));
                }
                a = z;
            }
            double sum = Arrays.stream(a).sum();
            for (int j = 0; j < 3; j++) {
                assertEquals(a[j] / sum, p[r][j], 1e-5, "row " + r + ", class " + j);
            }
        }
        c.weights(0)[1][2] = 100;
        c.biases(2)[0] = 100;
        assertTrue(Arrays.deepEquals(p, c.predictProba(x)), "copies: changing them changes no prediction");
        c.save(dir.resolve("m.npz"));
        Classifier loaded = Classifier.load(dir.resolve("m.npz"));
        for (int l = 0; l < 3; l++) {
            assertTrue(Arrays.deepEquals(c.weights(l), loaded.weights(l)) && Arrays.equals(c.biases(l), loaded.biases(l)), "layer " + l);
        }
        assertEquals("layer 3 of a network of 3 layers (0..2)", assertThrows(IllegalArgumentException.class, () -> c.weights(3)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.biases(-1));
    }

    /**
     * As the book's NeuralNetMLP (one RandomState), a created classifier's first fit with its seed draws the order on
     * from the weights' stream; with another seed, or on a classifier loaded from the same weights, from a new stream.
     */
    @Test
    void aCreatedClassifiersFirstFitGoesOnWithItsSeedsStream() {
        int[] y = new int[300];
        float[][] x = points(300, y, 6);
        Training oneEpoch = SETTINGS.withEpochs(1).withSeed(5);
        Path saved = dir.resolve("created.npz");
        Classifier.create(5, 4, 6, 3).save(saved);
        double created = Classifier.create(5, 4, 6, 3).fit(x, y, oneEpoch).get(0).cost();
        double loaded = Classifier.load(saved).fit(x, y, oneEpoch).get(0).cost();
        assertTrue(created != loaded, "the created one's order goes on from its weights' draws: " + created + " both ways");
        assertEquals(created, Classifier.create(5, 4, 6, 3).fit(x, y, oneEpoch).get(0).cost(), "the same again");
        Training otherSeed = oneEpoch.withSeed(6);
        assertEquals(Classifier.load(saved).fit(x, y, otherSeed).get(0).cost(), Classifier.create(5, 4, 6, 3).fit(x, y, otherSeed).get(0).cost(),
                "with another seed, a new stream of it either way");
    }

    @Test
    void aWarmStartContinuesFromTheSavedModel() {
        int[] y = new int[300];
        float[][] x = points(300, y, 4);
        Classifier first = Classifier.create(3, 4, 6, 3);
        List<Epoch> before = first.fit(x, y, SETTINGS.withEpochs(6));
        Path file = dir.resolve("model.npz");
        first.save(file);
        Classifier loaded = Classifier.load(file);
        assertArrayEquals(new int[] {4, 6, 3}, loaded.layerSizes());
        assertArrayEquals(first.predictProba(x), loaded.predictProba(x), "the saved model predicts as the trained one");
        List<Epoch> after = loaded.fit(x, y, SETTINGS.withEpochs(2));
        double lastCost = before.get(before.size() - 1).cost();
        assertTrue(after.get(0).cost() < before.get(0).cost() && after.get(0).cost() <= lastCost * 1.02,
                "continues near " + lastCost + ", not from the start " + before.get(0).cost() + ": " + after);
        // the same as one straight run of 8 epochs? No: the second fit draws its order from the seed again.
        // But a fresh network with the same settings starts where the first run did.
        assertEquals(before.get(0).cost(), Classifier.create(3, 4, 6, 3).fit(x, y, SETTINGS.withEpochs(1)).get(0).cost());
    }

    @Test
    void progressHearsEachEpochItsStepsAndCanStopTraining() {
        int[] y = new int[300];
        float[][] x = points(300, y, 5);
        List<Integer> seen = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<String> steps = new ArrayList<>();
        Progress stopAfterTwo = new Progress() {
            @Override
            public void steps(int epoch, int done, int total) {
                steps.add(epoch + ":" + done + "/" + total);
            }

            @Override
            public void epoch(Epoch e) {
                seen.add(e.epoch());
            }

            @Override
            public void note(String message) {
                notes.add(message);
            }

            @Override
            public boolean stop() {
                return seen.size() == 2;
            }
        };
        List<Epoch> h = Classifier.create(1, 4, 5, 3).fit(x, y, SETTINGS.withProgress(stopAfterTwo).withDevice("cpu"));
        assertEquals(List.of(1, 2), seen);
        assertEquals(2, h.size());
        // 30 steps of 10 an epoch, told in the parts an epoch is recorded in, the last at its end
        assertTrue(steps.size() > 2 && steps.contains("1:30/30") && steps.get(steps.size() - 1).equals("2:30/30"), steps.toString());
        for (int i = 1; i < steps.size(); i++) {
            String[] was = steps.get(i - 1).split("[:/]"), now = steps.get(i).split("[:/]");
            int before = Integer.parseInt(was[0]) * 1000 + Integer.parseInt(was[1]), after = Integer.parseInt(now[0]) * 1000 + Integer.parseInt(now[1]);
            assertTrue(after > before, "steps only go forward: " + steps);
        }
        assertTrue(Double.isNaN(h.get(0).validAccuracy()), "no validation set");
        assertEquals(1, notes.size(), "the cpu asked for, the cpu used, no fallback: " + notes);
        assertTrue(notes.get(0).startsWith("device: cpu: "), notes.get(0));
    }

    /** ReLU units, a softmax and Adam with the mean gradient on a cosine schedule, then NumPy reading the model: the same probabilities. */
    @Test
    void reluSoftmaxAdamLearnsAndNumpyAgrees() throws Exception {
        int[] y = new int[600], vy = new int[150];
        float[][] x = points(600, y, 7), vx = points(150, vy, 8);
        Classifier c = Classifier.create(5, Activation.RELU, Output.SOFTMAX, 4, 16, 3);
        List<Epoch> h = c.fit(x, y, vx, vy, Training.book().withEpochs(15).withBatch(20).withLearningRate(0.01f).withL2(0)
                .withMeanGradient(true).withOptimizer(Optimizer.ADAM).withSchedule(Schedule.COSINE));
        assertTrue(h.get(h.size() - 1).validAccuracy() >= 0.9, h.toString());
        assertEquals(Activation.RELU, c.activation());
        Path file = dir.resolve("relu.npz");
        c.save(file);
        float[][] p = c.predictProba(Arrays.copyOf(vx, 5));
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            for (float v : vx[i]) {
                rows.append(v).append(' ');
            }
            rows.append(';');
        }
        // the forward pass as README documents model.npz: ReLU is activation code 3, softmax output code 1
        String script = "import numpy as np, sys\n"
                + "m = np.load(sys.argv[1]); x = np.array([[float(v) for v in r.split()] for r in sys.argv[2].split(';') if r.strip()])\n"
                + "assert m['activation'][0] == 3 and m['output'][0] == 1 and list(m['input_scaling']) == [1.0, 0.0]\n"
                + "a = x\n"
                + "for l in range(len(m['layer_sizes']) - 1):\n"
                + "    z = a @ m['w%d' % l] + m['b%d' % l]\n"
                + "    a = np.maximum(z, 0) if l < len(m['layer_sizes']) - 2 else z\n"
                + "e = np.exp(a - a.max(axis=1, keepdims=True)); print(' '.join('%.7f' % v for v in (e / e.sum(axis=1, keepdims=True)).ravel()))\n";
        String[] v = Numpy.run(script, file.toString(), rows.toString()).split(" ");
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(Double.parseDouble(v[i * 3 + j]), p[i][j], 1e-5, "row " + i + " class " + j);
            }
        }
    }

    /**
     * The cpu backend's thread count changes no bit: one thread and three (96 hidden units: whole steps, the units
     * split) give the same model file. The three threads are there while it trains.
     */
    @Test
    void threadsChangeNoBit() throws Exception {
        int[] y = new int[400];
        float[][] x = points(400, y, 9);
        byte[][] saved = new byte[2][];
        boolean[] sawThirdThread = new boolean[1];
        Progress look = new Progress() {
            @Override
            public void epoch(Epoch e) {
                sawThirdThread[0] |= Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("mlp4j-cpu-2") && t.isAlive());
            }
        };
        int[] threads = {1, 3};
        for (int i = 0; i < 2; i++) {
            Classifier c = Classifier.create(1, 4, 96, 3);
            c.fit(x, y, SETTINGS.withEpochs(3).withThreads(threads[i]).withProgress(threads[i] == 3 ? look : Progress.NONE));
            Path file = dir.resolve("threads" + threads[i] + ".npz");
            c.save(file);
            saved[i] = Files.readAllBytes(file);
        }
        assertArrayEquals(saved[0], saved[1], "1 and 3 threads");
        assertTrue(sawThirdThread[0], "3 threads asked for: no worker mlp4j-cpu-2 while training");
        assertThrows(IllegalArgumentException.class, () -> Training.book().withThreads(-1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Training.book().withDevice("tpu"));
        assertTrue(e.getMessage().contains("unknown device 'tpu'"), e.getMessage());
        assertEquals("GPU", Training.book().withDevice("GPU").device());
    }

    @Test
    void badInputIsRefusedWithTheReason() {
        Classifier c = Classifier.create(1, 4, 5, 3);
        int[] y = new int[30];
        float[][] x = points(30, y, 6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.fit(x, new int[29], SETTINGS));
        assertTrue(e.getMessage().contains("30 rows but 29 labels"), e.getMessage());
        y[4] = 3;
        e = assertThrows(IllegalArgumentException.class, () -> c.fit(x, y, SETTINGS));
        assertTrue(e.getMessage().contains("label 3"), e.getMessage());
        y[4] = 2;
        x[7][2] = Float.NaN;
        e = assertThrows(IllegalArgumentException.class, () -> c.fit(x, y, SETTINGS));
        assertTrue(e.getMessage().contains("training row 7 value 2 is NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.predictProba(new float[] {1, Float.POSITIVE_INFINITY, 3, 4}));
        assertTrue(e.getMessage().contains("input row 0 value 1 is Infinity"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.predict(new float[] {1, 2, 3}));
        assertTrue(e.getMessage().contains("3 values, the network takes 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Classifier.create(1, 4));
        assertTrue(e.getMessage().contains("at least inputs and classes") || e.getMessage().contains("layer sizes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Classifier.create(1, 4, 8, 1));
        assertTrue(e.getMessage().contains("one output unit is one class") && e.getMessage().contains("(labels 0 and 1) take 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Classifier.load(dir.resolve("missing.npz")));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Training.book().withLearningRate(0));
        assertThrows(IllegalStateException.class, () -> Classifier.create(1, 4, 5, 3).fit(points(30, new int[30], 6), new int[30],
                SETTINGS.withLearningRate(1e30f).withOptimizer(Optimizer.MOMENTUM)), "a diverging run");
        IllegalArgumentException decay = assertThrows(IllegalArgumentException.class, () -> Classifier.create(1, 4, 5, 3).fit(points(30, new int[30], 6),
                new int[30], SETTINGS.withLearningRate(1e30f)), "weights scaled by 1 - eta * l2 <= 0");
        assertTrue(decay.getMessage().contains("eta times l2 must be below 1"), decay.getMessage());
        assertTrue(Arrays.equals(new int[] {4, 5, 3}, c.layerSizes()));
        e = assertThrows(IllegalArgumentException.class, () -> c.fit(points(30, new int[30], 6), new int[30], SETTINGS.withPatience(2)));
        assertTrue(e.getMessage().contains("early stopping (a patience of 2) needs validation examples"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.save(dir));
        assertTrue(e.getMessage().contains("a directory is there; name a file in it"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.fit(new float[0][], new int[0], SETTINGS));
        assertEquals("no training examples", e.getMessage());
        assertEquals("training", assertThrows(NullPointerException.class, () -> c.fit(x, y, null)).getMessage());
        assertEquals(0, c.predict(new float[0][]).length, "no rows, no predictions");
        e = assertThrows(IllegalArgumentException.class, () -> c.accuracy(new float[0][], new int[0]));
        assertTrue(e.getMessage().contains("no rows"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.accuracy(x, y, "cpu"));
        assertTrue(e.getMessage().contains("input row 7 value 2 is NaN"), e.getMessage());
        x[7][2] = 0;
        y[4] = 3;
        e = assertThrows(IllegalArgumentException.class, () -> c.accuracy(x, y));
        assertTrue(e.getMessage().contains("input label 3 (row 4) is not a class of 0..2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.accuracy(x, new int[29]));
        assertTrue(e.getMessage().contains("30 rows but 29 labels"), e.getMessage());
        y[4] = 2;
        x[9] = null;
        NullPointerException none = assertThrows(NullPointerException.class, () -> c.fit(x, y, SETTINGS));
        assertEquals("training row 9 is null", none.getMessage());
        none = assertThrows(NullPointerException.class, () -> c.fit(points(30, new int[30], 6), new int[30], x, null, SETTINGS));
        assertEquals("validation labels", none.getMessage());
        assertEquals(0, c.predictProba(new float[0][]).length);
        // refused from the sizes alone, before anything is allocated
        e = assertThrows(IllegalArgumentException.class, () -> Classifier.create(1, 784, 60000, 60000, 10));
        assertTrue(e.getMessage().contains("layer 2's weights (60000 x 60000): 3600000000 elements, more than"), e.getMessage());
    }

    /** Within Progress.epoch, a save and a prediction are of that epoch's parameters: a model kept every epoch. */
    @Test
    void aSaveWithinAnEpochKeepsThatEpochsModel() {
        int[] y = new int[300];
        float[][] x = points(300, y, 9);
        Classifier c = Classifier.create(6, 4, 12, 3);
        float[][] before = c.predictProba(x);
        List<float[][]> told = new ArrayList<>();
        List<Epoch> h = c.fit(x, y, SETTINGS.withEpochs(3).withProgress(new Progress() {
            @Override
            public void epoch(Epoch e) {
                c.save(dir.resolve("epoch-" + e.epoch() + ".npz"));
                told.add(c.predictProba(x));
                assertTrue(Arrays.deepEquals(c.weights(1), Classifier.load(dir.resolve("epoch-" + e.epoch() + ".npz")).weights(1)),
                        "the epoch's weights");
                assertArrayEquals(told.get(told.size() - 1)[5], c.predictProba(x[5]), "one example, from the epoch's parameters too");
            }
        }));
        assertEquals(3, h.size());
        float[][] after = c.predictProba(x);
        assertTrue(Arrays.deepEquals(after, told.get(2)) && Arrays.deepEquals(after, Classifier.load(dir.resolve("epoch-3.npz")).predictProba(x)),
                "the last epoch's model is the fit's");
        float[][] first = Classifier.load(dir.resolve("epoch-1.npz")).predictProba(x);
        assertTrue(Arrays.deepEquals(first, told.get(0)), "what was saved is what was predicted");
        assertTrue(!Arrays.deepEquals(first, before) && !Arrays.deepEquals(first, after), "epoch 1's own parameters");
        Classifier again = Classifier.create(6, 4, 12, 3);
        again.fit(x, y, SETTINGS.withEpochs(1));
        assertTrue(Arrays.deepEquals(first, again.predictProba(x)), "as a fit of one epoch leaves them");
    }

    /**
     * A fit with a checkpoint, stopped within its third epoch and run again by a new program, ends as one straight run
     * does, Adam's moments and the cosine schedule included; run once more, it returns the finished run untrained. A
     * checkpoint of another network, settings, rows (their count, or their values) or more epochs is refused with the reason.
     */
    @Test
    void aCheckpointedFitStoppedAndRunAgainEndsAsOneStraightRun() {
        int[] y = new int[300], vy = new int[60];
        float[][] x = points(300, y, 11), vx = points(60, vy, 12);
        Training run = SETTINGS.withEpochs(6).withOptimizer(Optimizer.ADAM).withMeanGradient(true).withSchedule(Schedule.COSINE);
        Classifier straight = Classifier.create(7, 4, 8, 3);
        List<Epoch> whole = straight.fit(x, y, vx, vy, run);
        Path file = dir.resolve("run.npz");
        List<Boolean> written = new ArrayList<>();
        int[] epochsSeen = {0};
        List<Epoch> stopped = Classifier.create(7, 4, 8, 3).fit(x, y, vx, vy, run.withCheckpoint(file, 2).withProgress(new Progress() {
            @Override
            public void epoch(Epoch e) {
                written.add(Files.exists(file));
                epochsSeen[0] = e.epoch();
            }

            @Override
            public void steps(int epoch, int done, int total) {
                stepsOfThird[0] = epoch == 3 ? done : stepsOfThird[0];
            }

            final int[] stepsOfThird = {0};

            @Override
            public boolean stop() {
                return stepsOfThird[0] > 0;
            }
        }));
        assertEquals(List.of(false, true), written, "written after epoch 2, as every 2 epochs asks");
        assertEquals(2, stopped.size());
        List<String> notes = new ArrayList<>();
        List<Integer> trained = new ArrayList<>();
        Progress telling = new Progress() {
            @Override
            public void note(String message) {
                notes.add(message);
            }

            @Override
            public void epoch(Epoch e) {
                trained.add(e.epoch());
            }
        };
        Classifier resumed = Classifier.create(7, 4, 8, 3);
        List<Epoch> continued = resumed.fit(x, y, vx, vy, run.withCheckpoint(file, 2).withProgress(telling));
        assertEquals(List.of(3, 4, 5, 6), trained);
        assertTrue(notes.get(0).matches("resuming the run in .*run\\.npz at epoch 3, step \\d+"), notes.toString());
        assertTrue(notes.stream().noneMatch(n -> n.contains("schedule")), "the same epochs, the same rates: " + notes);
        assertEquals(costs(whole), costs(continued), "the whole run's epochs, as the straight run's");
        assertTrue(Arrays.deepEquals(straight.predictProba(vx), resumed.predictProba(vx)), "the straight run's parameters, bit for bit");
        notes.clear();
        trained.clear();
        Classifier again = Classifier.create(7, 4, 8, 3);
        assertEquals(costs(whole), costs(again.fit(x, y, vx, vy, run.withCheckpoint(file, 2).withProgress(telling))));
        assertEquals(List.of(), trained, "a finished run trains no more");
        assertEquals(List.of(), notes, "nor opens a device");
        assertTrue(Arrays.deepEquals(straight.predictProba(vx), again.predictProba(vx)));

        String other = assertThrows(IllegalArgumentException.class,
                () -> Classifier.create(7, 4, 8, 3).fit(x, y, vx, vy, run.withBatch(20).withCheckpoint(file, 2))).getMessage();
        assertTrue(other.contains("batch 20 (the run's: 10)") && other.contains("delete it"), other);
        other = assertThrows(IllegalArgumentException.class,
                () -> Classifier.create(7, 4, 9, 3).fit(x, y, vx, vy, run.withCheckpoint(file, 2))).getMessage();
        assertTrue(other.contains("another network (4-8-3 sigmoid, sigmoid output, not 4-9-3"), other);
        other = assertThrows(IllegalArgumentException.class,
                () -> Classifier.create(7, 4, 8, 3).fit(vx, vy, x, y, run.withCheckpoint(file, 2))).getMessage();
        assertTrue(other.contains("300 training and 60 validation rows, not 60 and 300"), other);
        int[] shifted = y.clone();
        shifted[0] = (shifted[0] + 1) % 3;
        float[][] swapped = x.clone();
        swapped[0] = x[1];
        swapped[1] = x[0];
        for (float[][] rows : List.of(x, swapped)) {
            other = assertThrows(IllegalArgumentException.class, () -> Classifier.create(7, 4, 8, 3).fit(rows, rows == x ? shifted : y, vx, vy,
                    run.withCheckpoint(file, 2))).getMessage();
            assertEquals(file + " holds a run of other rows: as many, with other values, labels or order: to start a new run, delete it or give "
                    + "another file", other);
        }
        other = assertThrows(IllegalArgumentException.class,
                () -> Classifier.create(7, 4, 8, 3).fit(x, y, vx, vy, run.withEpochs(5).withCheckpoint(file, 2))).getMessage();
        assertTrue(other.contains("6 epochs done, more than this fit's 5"), other);
        Path model = dir.resolve("model.npz");
        straight.save(model);
        other = assertThrows(IllegalArgumentException.class,
                () -> Classifier.create(7, 4, 8, 3).fit(x, y, vx, vy, run.withCheckpoint(model, 2))).getMessage();
        assertTrue(other.contains("unreadable checkpoint"), other);
        trained.clear();
        other = assertThrows(IllegalArgumentException.class,
                () -> Classifier.create(7, 4, 8, 3).fit(x, y, vx, vy, run.withCheckpoint(model.resolve("run.npz"), 2).withProgress(telling))).getMessage();
        assertTrue(other.contains("the checkpoint's directory cannot be made") && trained.isEmpty(), "refused before it trains: " + other);
        // more epochs stretch the cosine schedule over them, which the run says
        notes.clear();
        Classifier.create(7, 4, 8, 3).fit(x, y, vx, vy, run.withEpochs(8).withCheckpoint(file, 2).withProgress(telling));
        assertEquals(List.of(7, 8), trained);
        assertTrue(notes.contains("note: the cosine schedule now spans 8 epochs; epochs 1-6 took their rates from a run of 6, "
                + "so this run's rates are not those of a run of 8 from the start"), notes.toString());
    }

    /**
     * {@code Future.cancel(true)} on a fit ends it as {@link Progress#stop} does: the epochs done come back, the
     * thread's interrupt status stays set, and the checkpoint written at the stop continues as the run never stopped.
     */
    @Test
    void anInterruptEndsAFitAsStopDoes() throws Exception {
        int[] y = new int[300], vy = new int[60];
        float[][] x = points(300, y, 13), vx = points(60, vy, 14);
        Training run = SETTINGS.withEpochs(5).withDevice("cpu");
        Classifier straight = Classifier.create(9, 4, 8, 3);
        List<Epoch> whole = straight.fit(x, y, vx, vy, run);
        Path file = dir.resolve("cancelled.npz");
        java.util.concurrent.CountDownLatch second = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<List<Epoch>> returned = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean interruptedAfter = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        Classifier cancelled = Classifier.create(9, 4, 8, 3);
        java.util.concurrent.Future<?> task = pool.submit(() -> {
            returned.set(cancelled.fit(x, y, vx, vy, run.withCheckpoint(file, 100).withProgress(new Progress() {
                @Override
                public void epoch(Epoch e) {
                    if (e.epoch() == 2) {
                        second.countDown();
                        while (!Thread.currentThread().isInterrupted()) {  // until the cancel below has come
                            Thread.onSpinWait();
                        }
                    }
                }
            })));
            interruptedAfter.set(Thread.currentThread().isInterrupted());
        });
        second.await();
        task.cancel(true);
        pool.shutdown();
        assertTrue(pool.awaitTermination(1, java.util.concurrent.TimeUnit.DAYS));
        assertEquals(costs(whole).subList(0, 2), costs(returned.get()), "ended after epoch 2, where the cancel came");
        assertTrue(interruptedAfter.get(), "the interrupt is left for the caller to see");
        Classifier resumed = Classifier.create(9, 4, 8, 3);
        assertEquals(costs(whole), costs(resumed.fit(x, y, vx, vy, run.withCheckpoint(file, 100))));
        assertTrue(Arrays.deepEquals(straight.predictProba(vx), resumed.predictProba(vx)), "the straight run's parameters, bit for bit");
    }

    /**
     * A fit waiting for another fit of the same classifier to end gives way to an interrupt: it returns no epochs
     * at once, its thread's interrupt status set, and leaves the parameters to the fit that runs. So does a fit
     * started on an interrupted thread.
     */
    @Test
    void anInterruptEndsAFitWaitingForAnother() throws Exception {
        int[] y = new int[300];
        float[][] x = points(300, y, 15);
        Training run = SETTINGS.withEpochs(2).withDevice("cpu");
        Classifier alone = Classifier.create(10, 4, 8, 3);
        List<Epoch> whole = alone.fit(x, y, run);
        Classifier c = Classifier.create(10, 4, 8, 3);
        java.util.concurrent.CountDownLatch inFirstEpoch = new java.util.concurrent.CountDownLatch(1), release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<List<Epoch>> running = new java.util.concurrent.atomic.AtomicReference<>();
        Thread first = new Thread(() -> running.set(c.fit(x, y, run.withProgress(new Progress() {
            @Override
            public void epoch(Epoch e) {
                inFirstEpoch.countDown();
                try {
                    release.await();
                } catch (InterruptedException unexpected) {
                    throw new AssertionError(unexpected);
                }
            }
        }))));
        first.start();
        inFirstEpoch.await();
        java.util.concurrent.atomic.AtomicReference<List<Epoch>> waited = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean interruptedAfter = new java.util.concurrent.atomic.AtomicBoolean();
        Thread second = new Thread(() -> {
            waited.set(c.fit(x, y, run));
            interruptedAfter.set(Thread.currentThread().isInterrupted());
        });
        second.start();
        while (second.getState() != Thread.State.WAITING && second.getState() != Thread.State.BLOCKED) {
            Thread.sleep(1);  // until it waits for the first fit
        }
        second.interrupt();
        second.join(60_000);  // a bound for a hung test only: it returns as soon as it runs
        boolean returned = !second.isAlive();
        release.countDown();
        first.join();
        second.join();
        assertTrue(returned, "the waiting fit returned while the first one still ran");
        assertEquals(List.of(), waited.get());
        assertTrue(interruptedAfter.get(), "the interrupt is left for the caller to see");
        assertEquals(costs(whole), costs(running.get()), "the first fit ran as if alone");
        assertTrue(Arrays.deepEquals(alone.predictProba(x), c.predictProba(x)), "the parameters the first fit left");

        Thread.currentThread().interrupt();
        assertEquals(List.of(), c.fit(x, y, run), "a fit on an interrupted thread");
        assertTrue(Thread.interrupted(), "the interrupt is left for the caller to see");
        assertTrue(Arrays.deepEquals(alone.predictProba(x), c.predictProba(x)), "the parameters it found");
    }

    /** predictProba of each row by itself. */
    private static float[][] oneAtATime(Classifier c, float[][] x) {
        float[][] p = new float[x.length][];
        for (int i = 0; i < x.length; i++) {
            p[i] = c.predictProba(x[i]);
            if (c.predict(x[i]) != argmax(p[i])) {
                throw new AssertionError("row " + i + ": predict and predictProba disagree");
            }
        }
        return p;
    }

    private static int argmax(float[] p) {
        int best = 0;
        for (int j = 1; j < p.length; j++) {
            best = p[j] > p[best] ? j : best;
        }
        return best;
    }

    private static List<Double> costs(List<Epoch> history) {
        return history.stream().map(Epoch::cost).toList();
    }

    /**
     * Predictions on several threads at once give each the same bits as one at a time; one taken while a fit trains
     * uses the parameters from before it; two fits started together run one after the other, as in sequence.
     */
    @Test
    void predictionsRunOnManyThreadsAndFitsOneAtATime() throws Exception {
        int[] y = new int[300];
        float[][] x = points(300, y, 8);
        Classifier c = Classifier.create(3, 4, 12, 3);
        c.fit(x, y, SETTINGS.withEpochs(2));
        float[][] before = c.predictProba(x);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            List<java.util.concurrent.Future<float[][]>> all = new ArrayList<>();
            for (int t = 0; t < 24; t++) {
                all.add(pool.submit(() -> c.predictProba(x)));
            }
            for (int t = 0; t < 12; t++) {
                all.add(pool.submit(() -> oneAtATime(c, x)));
            }
            for (java.util.concurrent.Future<float[][]> f : all) {
                assertTrue(Arrays.deepEquals(before, f.get()), "a prediction on another thread, of all rows or one at a time");
            }
            // within the fit's first epoch, and so before it ends, a prediction on another thread
            List<float[][]> during = new ArrayList<>();
            c.fit(x, y, SETTINGS.withEpochs(2).withProgress(new Progress() {
                @Override
                public void epoch(Epoch e) {
                    if (e.epoch() == 1) {
                        try {
                            during.add(pool.submit(() -> c.predictProba(x)).get());
                        } catch (Exception failed) {
                            throw new AssertionError(failed);
                        }
                    }
                }
            }));
            assertTrue(Arrays.deepEquals(before, during.get(0)), "the parameters from before the fit");
            float[][] after = c.predictProba(x);
            assertTrue(!Arrays.deepEquals(before, after), "the fit's parameters after it");
            assertTrue(Arrays.deepEquals(after, oneAtATime(c, x)), "one at a time too");

            Classifier one = Classifier.create(4, 4, 12, 3), both = Classifier.create(4, 4, 12, 3);
            one.fit(x, y, SETTINGS.withEpochs(3));
            one.fit(x, y, SETTINGS.withEpochs(3));
            java.util.concurrent.Future<?> first = pool.submit(() -> both.fit(x, y, SETTINGS.withEpochs(3)));
            java.util.concurrent.Future<?> second = pool.submit(() -> both.fit(x, y, SETTINGS.withEpochs(3)));
            first.get();
            second.get();
            assertTrue(Arrays.deepEquals(one.predictProba(x), both.predictProba(x)), "two fits at once are two fits in turn");
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Predictions on the cpu keep a copy of the parameters ready there; a program that holds many classifiers and
     * predicts with each still holds no thread of theirs once they are idle, and closes nothing.
     */
    @Test
    void classifiersKeptBetweenPredictionsHoldNoIdleThreads() throws InterruptedException {
        Random r = new Random(5);
        float[][] x = new float[2000][256];
        for (float[] row : x) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) r.nextGaussian();
            }
        }
        List<Classifier> kept = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Classifier c = Classifier.create(i, 256, 128, 10);
            int[] first = c.predict(x);
            assertArrayEquals(first, c.predict(x), "the kept copy predicts as the first");
            kept.add(c);
        }
        long until = System.nanoTime() + 60_000_000_000L; // a bound for a hang, not a speed
        while (cpuThreads() > 0 && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertEquals(0, cpuThreads(), "the cpu's worker threads end when idle");
        assertEquals(8, kept.size());
    }

    private static long cpuThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("mlp4j-cpu-") && t.isAlive()).count();
    }

    /**
     * A run the heap cannot hold is refused before it allocates, saying what it needs and how to raise the heap,
     * as {@code mlp4j train} does, where it once ended in an OutOfMemoryError from within the trainer.
     */
    @Test
    void aRunTheHeapCannotHoldIsRefusedWithWhatItNeeds() throws Exception {
        // 16-3000-3000-3's 36 MB of parameters fit a heap of 128 MB; Adam's gradients and two moments beside them do not
        Process p = ChildJvm.command(List.of("-Xmx128m"), FitInChild.class.getName(), "auto", "16,3000,3000,3", "adam")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("refused: java.lang.IllegalStateException: training 16-3000-3000-3 on 200 examples needs about")
                && out.contains("of heap, but the JVM has") && out.contains("-Xmx"), out);
        assertTrue(!out.contains("epoch"), out);
    }
}
