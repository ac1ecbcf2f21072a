package org.mlp4j.cli;

import java.nio.file.Path;
import org.mlp4j.data.Csv;
import picocli.CommandLine.Option;

/** Options every command accepts. */
final class CommonOptions {
    @Option(names = "--data", paramLabel = "PATH", defaultValue = "data/mnist",
            description = "directory of the four MNIST IDX files, raw or .gz (default: ${DEFAULT-VALUE}; fetched when missing); "
                    + "train and evaluate also take a CSV file (" + Csv.SUFFIXES + ") of examples, a line each: the class (an index 0, 1, "
                    + "... or a name) and the features, separated by tabs, semicolons, commas or spaces, under a header line or none; "
                    + "a class's name may come last, and a header's column named label, class or target is the class's wherever it is, "
                    + "and one named id (Id, PassengerId, ...) is left out (train scales each feature into [-1, 1] by its range over the training lines, and "
                    + "its model.npz takes them unscaled)")
    Path data;

    @Option(names = "--no-verify", description = "do not compare the files with MNIST's SHA-256 (no note for other IDX datasets with MNIST's file names)")
    boolean noVerify;

    @Option(names = "--debug", description = "print stack traces of errors")
    boolean debug;
}
