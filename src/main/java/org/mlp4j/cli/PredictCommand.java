package org.mlp4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.mlp4j.util.UserError;
import org.mlp4j.backend.Backend;
import org.mlp4j.data.Csv;
import org.mlp4j.data.Dataset;
import org.mlp4j.data.Features;
import org.mlp4j.data.Images;
import org.mlp4j.data.Pictures;
import org.mlp4j.model.ModelFile;
import org.mlp4j.model.Network;
import org.mlp4j.model.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "predict", mixinStandardHelpOptions = true, description = "Print one predicted label (the class's name, where the model "
        + "has names) per image of IDX image files or pictures, or per line of CSV files (with --proba, each class's probability too).")
final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    DeviceOptions device;

    @Option(names = "--model", paramLabel = "FILE", required = true, description = "a model.npz written by train")
    Path model;

    @Option(names = "--images", paramLabel = "FILE", required = true, arity = "1..*",
            description = "IDX image files (raw or .gz) or pictures (PNG, JPEG, GIF, BMP: greyscale; dark strokes on a lighter "
                    + "background inverted into MNIST's light digits on dark); a picture of another size than the model's square "
                    + "images (a digit drawn large, a photo) has its background made black, is read digit by digit where it holds "
                    + "several side by side (a number), has thin strokes widened, and is scaled and centred as MNIST's digits were; "
                    + "or CSV files (" + Csv.SUFFIXES + ") of examples, a line each: the features, or a label and the features, as "
                    + "train's --data takes them")
    List<Path> images;

    @Option(names = "--label", paramLabel = "COLUMN", description = "CSV files' class column, " + Datasets.LABEL + "; a line without that "
            + "column holds the features alone (default: the model's, else " + Datasets.LABEL_DEFAULT + ")")
    String label;

    @Option(names = "--debug", description = "print stack traces of errors")
    boolean debug;

    @Option(names = "--proba", description = "after each label, every class's probability (the output units' activations "
            + "divided by their sum), space separated, from class 0's on (evaluate lists a model's class names in that order)")
    boolean proba;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        long csv = images.stream().filter(Csv::named).count();
        if (csv > 0 && csv < images.size()) {
            throw new UserError("--images: CSV files and images together; give the one or the other");
        }
        ModelFile.Model saved = ModelFile.read(model);
        Network net = saved.network();
        if (label != null && csv == 0) {
            throw new UserError("--label names a CSV file's class column, but --images are image files");
        }
        Dataset data = csv > 0 ? rows(net, label != null ? label : saved.labelColumn()) : Pictures.read(images, net.inputs(), err::println);
        checkFits(net, data, images.size() == 1 ? images.get(0).toString() : images.size() + (csv > 0 ? " CSV files" : " image files"));
        net = csv > 0 ? net : takingImages(net, model, err);
        List<String> names = saved.classes();
        StringBuilder s = new StringBuilder(data.count() * (proba ? 12 * net.outputs() : 2));
        try (Backend backend = device.open(spec.commandLine().getErr())) {
            if (proba) {
                for (float[] row : Trainer.probabilities(backend, net, data)) {
                    int best = 0;
                    for (int j = 1; j < row.length; j++) {
                        best = row[j] > row[best] ? j : best;
                    }
                    s.append(names.isEmpty() ? Integer.toString(best) : names.get(best));
                    for (float p : row) {
                        s.append(' ').append(String.format(java.util.Locale.ROOT, "%.6f", p));
                    }
                    s.append('\n');
                }
            } else {
                for (int p : Trainer.predict(backend, net, data)) {
                    s.append(names.isEmpty() ? Integer.toString(p) : names.get(p)).append('\n');
                }
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(s);
        out.flush();
        return 0;
    }

    /**
     * The model as the CLI gives it images: a model of float features (trained on a CSV file or through the Java API)
     * is given their pixels scaled as {@code org.mlp4j.Mnist}'s rows are, which is the same network taking pixels, with
     * a note saying so (a model trained on other features gives other predictions than its own).
     */
    static Network takingImages(Network net, Path model, PrintWriter err) {
        if (net.input() == Network.Input.PIXELS) {
            return net;
        }
        err.println("note: " + model + " takes float features (it was trained on a CSV file or through the Java API): it is given each "
                + "image's pixels"
                + " scaled as org.mlp4j.Mnist's rows are ((p / 255 - 0.5) * 2)");
        return new Network(net.sizes(), net.weights(), net.biases(), Network.Input.PIXELS, net.activation(), net.output());
    }

    /** Refuses {@code data} (named {@code source}) where {@code net}, as saved, takes another number of inputs. */
    static void checkFits(Network net, Dataset data, String source) {
        if (data.features() != net.inputs()) {
            throw new UserError(source + ": " + (data instanceof Images i ? "images have " + i.features() + " pixels (" + i.height() + "x"
                    + i.width() + ")" : "examples have " + data.features() + " features") + " but the model takes " + net.inputs() + " inputs"
                    + (data instanceof Images && net.input() == Network.Input.FEATURES
                    ? " (it was trained on a CSV file's examples, or through the Java API: give it a CSV file of such examples)"
                    : data instanceof Features && data.features() == net.inputs() - 1
                    ? " (each line needs its class, as training's had; mlp4j predict labels lines of features alone)" : ""));
        }
    }

    /** Every line of the CSV files, in order, as {@code net} takes them; {@code column} the class's, where a line has it. */
    private Dataset rows(Network net, String column) {
        List<Dataset> parts = new java.util.ArrayList<>();
        for (Path f : images) {
            parts.add(Datasets.as(net.input(), Csv.rows(f, net.inputs(), column), f));
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        if (parts.get(0) instanceof Images) {
            return Images.concat(parts.stream().map(Images.class::cast).toList());
        }
        return Features.concat(parts.stream().map(Features.class::cast).toList());
    }
}
