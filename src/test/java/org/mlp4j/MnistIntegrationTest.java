package org.mlp4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlp4j.backend.cpu.CpuBackend;
import org.mlp4j.data.Images;
import org.mlp4j.model.EpochResult;
import org.mlp4j.model.Hyperparameters;
import org.mlp4j.model.ModelFile;
import org.mlp4j.model.Trainer;
import org.mlp4j.model.TrainingListener;

/** The book's setup on the real MNIST files (fetched if missing; never skipped), by the trainer and through the API. */
class MnistIntegrationTest {
    @TempDir
    Path dir;

    @Test
    void threeEpochsReachTheBooksValidationAccuracy() {
        Images train = TestData.train();
        assertEquals(60000, train.count());
        try (CpuBackend cpu = new CpuBackend(Runtime.getRuntime().availableProcessors())) {
            List<EpochResult> h = new Trainer(cpu, Hyperparameters.book().withEpochs(3))
                    .fit(new int[] {784, 100, 10}, train, 5000, TrainingListener.NONE).history();
            EpochResult last = h.get(2);
            assertTrue(last.validAccuracy() >= 0.92, "validation accuracy after 3 epochs: " + last.validAccuracy());
            // the book's epoch 1 (float64): cost 66739.71, train 84.53 %, valid 88.86 %
            assertEquals(66739.71, h.get(0).cost(), 1.0);
            assertEquals(0.8453, h.get(0).trainAccuracy(), 0.005);
            assertEquals(0.8886, h.get(0).validAccuracy(), 0.005);
        }
    }

    /**
     * {@link Mnist} reads the files as the backends read the pixels, so the book's epoch through the API is the
     * trainer's on the pixels, bit for bit.
     */
    @Test
    void theApiReadsMnistAsTheBackendsDoAndTrainsTheBooksRun() {
        Mnist m = Mnist.load(TestData.dir());
        assertEquals(60000, m.trainImages().length);
        assertEquals(60000, m.trainLabels().length);
        assertEquals(10000, m.testImages().length);
        assertEquals(10000, m.testLabels().length);
        assertEquals(784, m.trainImages()[0].length);
        assertEquals(784, m.testImages()[9999].length);
        // MNIST's first training digit is a 5 and its first test digit a 7
        assertEquals(5, m.trainLabels()[0]);
        assertEquals(7, m.testLabels()[0]);
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (float[] row : m.trainImages()) {
            for (float v : row) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        assertEquals(-1f, min);
        assertEquals(1f, max);
        Classifier model = Classifier.create(1, 784, 100, 10);
        List<Epoch> api = model.fit(Arrays.copyOf(m.trainImages(), 55000), Arrays.copyOf(m.trainLabels(), 55000),
                Arrays.copyOfRange(m.trainImages(), 55000, 60000), Arrays.copyOfRange(m.trainLabels(), 55000, 60000),
                Training.book().withEpochs(1).withDevice("cpu"));
        Trainer.Fit pixels;
        try (CpuBackend cpu = new CpuBackend(Runtime.getRuntime().availableProcessors())) {
            pixels = new Trainer(cpu, Hyperparameters.book().withEpochs(1)).fit(new int[] {784, 100, 10}, TestData.train(), 5000,
                    TrainingListener.NONE);
        }
        EpochResult first = pixels.history().get(0);
        assertEquals(first.cost(), api.get(0).cost(), "epoch 1's cost");
        assertEquals(first.trainAccuracy(), api.get(0).trainAccuracy(), "epoch 1's training accuracy");
        assertEquals(first.validAccuracy(), api.get(0).validAccuracy(), "epoch 1's validation accuracy");
        // the model `mlp4j train` would have written takes pixels, 0..255 or scaled as Mnist's rows: both give the API's
        // model's predictions
        ModelFile.save(pixels.network(), dir.resolve("model.npz"));
        Classifier trainedOnPixels = Classifier.load(dir.resolve("model.npz"));
        float[][] test = Arrays.copyOf(m.testImages(), 500);
        float[][] back = new float[test.length][784];
        for (int i = 0; i < test.length; i++) {
            for (int j = 0; j < 784; j++) {
                back[i][j] = Math.round((test[i][j] / 2 + 0.5f) * 255);
            }
        }
        int[] expected = model.predict(test);
        assertArrayEquals(expected, trainedOnPixels.predict(back));
        assertArrayEquals(expected, trainedOnPixels.predict(test));
        assertEquals(model.accuracy(test, Arrays.copyOf(m.testLabels(), 500)), trainedOnPixels.accuracy(test, Arrays.copyOf(m.testLabels(), 500)));
        // and the other way: `mlp4j evaluate` of the API's model (of features) gives it the test images scaled as Mnist's rows
        model.save(dir.resolve("api.npz"));
        java.io.StringWriter out = new java.io.StringWriter(), err = new java.io.StringWriter();
        assertEquals(0, org.mlp4j.cli.Main.run(new String[] {"evaluate", "--model", dir.resolve("api.npz").toString(), "--data",
                TestData.dir().toString(), "--device", "cpu"}, new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true)), err.toString());
        assertTrue(out.toString().contains(String.format(java.util.Locale.ROOT, "test accuracy: %.2f%%%n",
                100 * model.accuracy(m.testImages(), m.testLabels()))), out.toString());
        assertTrue(err.toString().contains("takes float features (it was trained on a CSV file or through the Java API)"), err.toString());
        test[3] = test[3].clone();
        test[3][200] = 0.5f;  // between two pixels' values
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainedOnPixels.predict(test));
        assertTrue(e.getMessage().contains("input row 3 value 200 is 0.5: this model, trained on MNIST's pixels, takes pixel values 0..255 or"
                + " rows scaled from them as Mnist's are"), e.getMessage());
        back[3][200] = 0.5f;
        e = assertThrows(IllegalArgumentException.class, () -> trainedOnPixels.predict(back));
        assertTrue(e.getMessage().contains("input row 3 value 200 is 0.5: "), e.getMessage());
        back[3][200] = -1f;  // black as Mnist scales it, among pixels
        e = assertThrows(IllegalArgumentException.class, () -> trainedOnPixels.predict(back));
        assertTrue(e.getMessage().contains("input rows mix pixel values 0..255 (row 0 value 0 is 0.0) with values scaled as Mnist's are (row 3 value"
                + " 200 is -1.0): give this model one or the other"), e.getMessage());
    }
}
