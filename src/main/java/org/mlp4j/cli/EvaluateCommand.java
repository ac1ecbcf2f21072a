package org.mlp4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.mlp4j.UserError;
import org.mlp4j.backend.Backend;
import org.mlp4j.data.Images;
import org.mlp4j.model.ModelFile;
import org.mlp4j.model.Network;
import org.mlp4j.model.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "evaluate", mixinStandardHelpOptions = true, description = "Test accuracy and confusion matrix of a saved model on the t10k files.")
final class EvaluateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    CommonOptions common;
    @Mixin
    DeviceOptions device;

    @Option(names = "--model", paramLabel = "FILE", required = true, description = "a model.npz written by train")
    Path model;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Network net = ModelFile.load(model);
        Images test = Datasets.load(common, true, spec.commandLine().getErr());
        PredictCommand.checkFits(net, test, common.data.toString());
        int classes = net.outputs();
        for (int i = 0; i < test.count(); i++) {
            if ((test.labels()[i] & 0xff) >= classes) {
                throw new UserError("test label " + (test.labels()[i] & 0xff) + " (example " + i + ") is not below the model's " + classes + " classes");
            }
        }
        int[] predicted;
        try (Backend backend = device.open(spec.commandLine().getErr())) {
            predicted = Trainer.predict(backend, net, test);
        }
        int[][] confusion = new int[classes][classes];
        int correct = 0;
        for (int i = 0; i < test.count(); i++) {
            int t = test.labels()[i] & 0xff;
            confusion[t][predicted[i]]++;
            correct += t == predicted[i] ? 1 : 0;
        }
        out.printf(Locale.ROOT, "test accuracy: %.2f%%%n", 100.0 * correct / test.count());
        out.println("confusion matrix (rows: true class, columns: predicted class)");
        StringBuilder head = new StringBuilder("      ");
        for (int j = 0; j < classes; j++) {
            head.append(String.format("%6d", j));
        }
        out.println(head);
        for (int t = 0; t < classes; t++) {
            StringBuilder row = new StringBuilder(String.format("%6d", t));
            for (int j = 0; j < classes; j++) {
                row.append(String.format("%6d", confusion[t][j]));
            }
            out.println(row);
        }
        return 0;
    }
}
