package org.mlp4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.mlp4j.util.UserError;
import org.mlp4j.backend.Backend;
import org.mlp4j.data.Csv;
import org.mlp4j.data.Dataset;
import org.mlp4j.model.ModelFile;
import org.mlp4j.model.Network;
import org.mlp4j.model.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "evaluate", mixinStandardHelpOptions = true, description = "Test accuracy, confusion matrix and per-class precision, "
        + "recall and F1 of a saved model on the t10k files (or a CSV file's examples).")
final class EvaluateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    CommonOptions common;
    @Mixin
    DeviceOptions device;

    @Option(names = "--model", paramLabel = "FILE", required = true, description = "a model.npz written by train")
    Path model;

    @Option(names = "--label", paramLabel = "COLUMN", description = "a CSV --data's class column, " + Datasets.LABEL + " (default: the model's, else "
            + Datasets.LABEL_DEFAULT + ")")
    String label;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean csv = Datasets.isCsv(common.data);
        ModelFile.Model saved = ModelFile.read(model);
        List<String> names = saved.classes();
        Dataset test = csv ? Csv.examples(common.data, names, label != null ? label : saved.labelColumn()) : Datasets.load(common, List.of(), label, true, err);
        PredictCommand.checkFits(saved.network(), test, common.data.toString());
        Network net = csv ? saved.network() : PredictCommand.takingImages(saved.network(), model, err);
        test = Datasets.as(net.input(), test, common.data);
        int classes = net.outputs();
        for (int i = 0; i < test.count(); i++) {
            if (test.label(i) >= classes) {
                throw new UserError("test label " + test.label(i) + " (example " + i + ") is not below the model's " + classes + " classes");
            }
        }
        int[] predicted;
        try (Backend backend = device.open(spec.commandLine().getErr())) {
            predicted = Trainer.predict(backend, net, test);
        }
        int[][] confusion = new int[classes][classes];
        int correct = 0;
        for (int i = 0; i < test.count(); i++) {
            int t = test.label(i);
            confusion[t][predicted[i]]++;
            correct += t == predicted[i] ? 1 : 0;
        }
        out.printf(Locale.ROOT, "test accuracy: %.2f%%%n", 100.0 * correct / test.count());
        printConfusion(out, confusion, names, test.count());
        out.println();
        int width = Math.max(6, names.stream().mapToInt(String::length).max().orElse(0));
        out.printf(Locale.ROOT, "%" + width + "s %10s %10s %10s %8s%n", "class", "precision", "recall", "f1", "support");
        // as scikit-learn's classification_report: the classes the examples hold or the model predicted, so that a class
        // of neither (a file's classes numbered from 1 leave 0 so) does not pull the averages down
        double[] sums = new double[3];
        List<Integer> absent = new java.util.ArrayList<>();
        for (int c = 0; c < classes; c++) {
            int predictedAs = 0;
            int support = 0;
            for (int t = 0; t < classes; t++) {
                predictedAs += confusion[t][c];
                support += confusion[c][t];
            }
            if (predictedAs == 0 && support == 0) {
                absent.add(c);
                continue;
            }
            double precision = predictedAs == 0 ? 0 : (double) confusion[c][c] / predictedAs;
            double recall = support == 0 ? 0 : (double) confusion[c][c] / support;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            sums[0] += precision;
            sums[1] += recall;
            sums[2] += f1;
            out.printf(Locale.ROOT, "%" + width + "s %10.4f %10.4f %10.4f %8d%n", name(names, c), precision,
                    recall, f1, support);
        }
        int averaged = classes - absent.size();
        out.printf(Locale.ROOT, "%" + width + "s %10.4f %10.4f %10.4f %8d%n", "macro", sums[0] / averaged, sums[1] / averaged, sums[2] / averaged,
                test.count());
        if (!absent.isEmpty()) {
            out.printf("(left out: %s %s, of no example here and never predicted)%n", absent.size() == 1 ? "class" : "classes",
                    absent.stream().map(c -> name(names, c)).collect(java.util.stream.Collectors.joining(", ")));
        }
        return 0;
    }

    /** Classes beyond which a confusion matrix's rows are too wide to read: the largest confusions are listed instead. */
    private static final int MATRIX_CLASSES = 20;

    private static void printConfusion(PrintWriter out, int[][] confusion, List<String> names, int examples) {
        int classes = confusion.length;
        if (classes > MATRIX_CLASSES) {
            List<int[]> cells = new java.util.ArrayList<>();
            for (int t = 0; t < classes; t++) {
                for (int j = 0; j < classes; j++) {
                    if (t != j && confusion[t][j] > 0) {
                        cells.add(new int[] {confusion[t][j], t, j});
                    }
                }
            }
            cells.sort(java.util.Comparator.comparingInt((int[] c) -> -c[0]).thenComparingInt(c -> c[1]).thenComparingInt(c -> c[2]));
            out.printf("%d classes: no confusion matrix (too wide to read); %s%n", classes,
                    cells.isEmpty() ? "no example is misclassified" : "the largest confusions, true class -> predicted class:");
            for (int[] c : cells.subList(0, Math.min(10, cells.size()))) {
                out.printf("  %s -> %s: %d of its %d%n", name(names, c[1]), name(names, c[2]), c[0], java.util.Arrays.stream(confusion[c[1]]).sum());
            }
            return;
        }
        if (!names.isEmpty()) {
            StringBuilder legend = new StringBuilder("classes:");
            for (int c = 0; c < classes; c++) {
                legend.append(c == 0 ? " " : ", ").append(c).append(' ').append(names.get(c));
            }
            out.println(legend);
        }
        out.println("confusion matrix (rows: true class, columns: predicted class)");
        // wide enough for a cell of every example, with a space before it
        int cellWidth = Math.max(6, 1 + Integer.toString(examples).length());
        String cell = "%" + cellWidth + "d";
        StringBuilder head = new StringBuilder(" ".repeat(cellWidth));
        for (int j = 0; j < classes; j++) {
            head.append(String.format(cell, j));
        }
        out.println(head);
        for (int t = 0; t < classes; t++) {
            StringBuilder row = new StringBuilder(String.format(cell, t));
            for (int j = 0; j < classes; j++) {
                row.append(String.format(cell, confusion[t][j]));
            }
            out.println(row);
        }
    }

    private static String name(List<String> names, int c) {
        return names.isEmpty() ? Integer.toString(c) : names.get(c);
    }
}
