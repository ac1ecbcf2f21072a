package org.mlp4j.cli;

import java.io.PrintWriter;
import org.mlp4j.data.Images;
import org.mlp4j.data.Mnist;

/** Loads the training or test pair from {@code --data}, fetching MNIST first when the files are missing. */
final class Datasets {
    private Datasets() {
    }

    static Images load(CommonOptions common, boolean test, PrintWriter err) {
        if (!Mnist.present(common.data)) {
            Mnist.fetch(common.data, err::println);
        }
        return Mnist.load(common.data, test, common.noVerify ? null : err::println);
    }
}
