package org.mlp4j.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.mlp4j.Optimizer;
import org.mlp4j.data.Csv;
import org.mlp4j.data.Dataset;
import org.mlp4j.data.Features;
import org.mlp4j.data.Images;
import org.mlp4j.data.Mnist;
import org.mlp4j.model.Hyperparameters;
import org.mlp4j.model.Network;
import org.mlp4j.util.UserError;

/**
 * The examples {@code --data} names: MNIST's IDX files in a directory (fetched first when they are missing there), or
 * a CSV file of labelled examples ({@link Csv}).
 */
final class Datasets {
    private Datasets() {
    }

    /** The description of {@code --label}, which train, evaluate and predict take, after what it names, before its default. */
    static final String LABEL = "wherever it is: its name in the header line (in any case) or its number, from 1; train keeps it in "
            + "model.npz, for evaluate, predict, --resume and --init";

    /** How a CSV file's class column is found where {@code --label} names none. */
    static final String LABEL_DEFAULT = "the header's column label, class or target, else a column of names first or last, else the first";

    /** Whether {@code data} names a CSV file rather than a directory of IDX files. */
    static boolean isCsv(Path data) {
        if (Files.isDirectory(data)) {
            return false;
        }
        if (Csv.named(data)) {
            return true;
        }
        if (Files.exists(data)) {
            throw new UserError(data + " is a file, but --data takes the directory that holds MNIST's four IDX files"
                    + (data.getParent() != null && Mnist.present(data.getParent()) ? " (" + data.getParent() + ")" : "")
                    + ", or a CSV file of examples (" + Csv.SUFFIXES + ")");
        }
        return false;
    }

    /**
     * The training pair of a directory of IDX files, or the test pair ({@code test}); a CSV file's examples, its class in
     * the column {@code label} names (null: as the file lays it out), classes named numbered as {@code classes} (a
     * model's; none: in the order of their names).
     */
    static Dataset load(CommonOptions common, List<String> classes, String label, boolean test, PrintWriter err) {
        if (label != null && !isCsv(common.data)) {
            throw new UserError("--label names a CSV file's class column, but --data " + common.data + " is a directory of IDX files, whose "
                    + "labels are files of their own");
        }
        return isCsv(common.data) ? Csv.examples(common.data, classes, label) : mnist(common, test, err);
    }

    /** The training or the test pair of a directory of IDX files, for the commands that take no other data. */
    static Images mnist(CommonOptions common, boolean test, PrintWriter err) {
        if (isCsv(common.data)) {
            throw new UserError("--data: " + common.data + " is a CSV file, but this command takes the directory of MNIST's IDX files");
        }
        if (!Mnist.present(common.data)) {
            Mnist.fetch(common.data, err::println);
        }
        return Mnist.load(common.data, test, common.noVerify ? null : err::println);
    }

    /**
     * {@code data} as a network taking {@code input} takes it: a CSV file's numbers as pixels 0..255 for a network
     * trained on images ({@code file} names them in a refusal); else as it is.
     */
    static Dataset as(Network.Input input, Dataset data, Path file) {
        if (input != Network.Input.PIXELS || !(data instanceof Features f)) {
            return data;
        }
        int side = (int) Math.round(Math.sqrt(f.features()));
        return side * side == f.features() ? Csv.pixels(f, file, side, side) : Csv.pixels(f, file, 1, f.features());
    }

    /**
     * A note where a CSV file's classes, its lines' first numbers or a column of names, run to more than half its
     * examples: a column of something else (an id, a feature), where the class is last, say; else null.
     */
    static String manyClasses(Dataset data, Path file) {
        if (!(data instanceof Features f) || 2L * data.classCount() <= data.count()) {
            return null;
        }
        String what = f.classes().isEmpty() ? "its labels run to " + data.classCount() + " classes for " + data.count() + " examples; the first"
                + " number of a line is its label, the class index (0, 1, 2, ...)"
                : "its classes, the names first or last on its lines, run to " + data.classCount() + " for " + data.count() + " examples, as an"
                + " id's would";
        return "note: " + file + ": " + what + ": if another column holds the classes, name it with --label (its number, from 1), or label, class"
                + " or target in a header line";
    }

    /**
     * A note where a CSV file's first column holds the classes by its place alone: its header names none as the class's
     * (a header "Pregnancies,...,Outcome" would train on the pregnancies as classes), or it has no header (as pima's
     * file of 768 lines, whose first column, the pregnancies, runs to 18 classes), and --label names none; else null.
     * Without a header, {@link #manyClasses}'s note where it applies.
     */
    static String classByPlace(Path file, Csv.Header header, Dataset data) {
        if (!header.byPlace()) {
            return null;
        }
        if (header.classColumn() == null) {
            String many = manyClasses(data, file);
            return many != null ? many : "note: " + file + ": it has no header line, so its first column holds the classes ("
                    + data.classCount() + " of them); if another column does, name it with --label (its number, from 1)";
        }
        return "note: " + file + ": its header names no column label, class or target, so the first, '" + header.classColumn()
                + "', holds the classes (" + data.classCount() + " of them); if another column does, name it with --label (or label, class"
                + " or target in the header)";
    }

    /**
     * A note where a CSV file's header names columns as ids, which are left out (Kaggle's Iris.csv numbers its lines in
     * a column {@code Id}, which as a feature would tell the classes of a file sorted by class); else null.
     */
    static String ids(Path file, Csv.Header header) {
        List<String> ids = header.ids().stream().map(n -> "'" + n + "'").toList();
        if (ids.isEmpty()) {
            return null;
        }
        return "note: " + file + ": its column" + (ids.size() == 1 ? " " + ids.get(0) + " is" : "s " + String.join(", ", ids) + " are")
                + " left out: an id tells the lines apart, not their classes (to keep " + (ids.size() == 1 ? "it" : "one") + " as a feature, "
                + "rename it in the header)";
    }

    /**
     * A note where a CSV file's class indices skip some below their largest (a file that numbers its classes from 1, as
     * UCI's wine.data does, has none of class 0): the network has an output for each all the same; else null.
     */
    static String emptyClasses(Dataset data, Path file) {
        if (!(data instanceof Features f) || !f.classes().isEmpty() || manyClasses(data, file) != null) {
            return null;
        }
        int[] n = new int[data.classCount()];
        for (int i = 0; i < data.count(); i++) {
            n[data.label(i)]++;
        }
        List<String> empty = java.util.stream.IntStream.range(0, n.length).filter(c -> n[c] == 0).mapToObj(Integer::toString).toList();
        if (empty.isEmpty()) {
            return null;
        }
        return "note: " + file + ": no example is of class " + String.join(", ", empty) + " (of 0.." + (n.length - 1)
                + "): class indices are read as they are, from 0, so the network has an output for " + (empty.size() == 1 ? "it" : "each")
                + " all the same, which learns to stay off";
    }

    /**
     * Steps an epoch below which a CSV file's run at the book's batch and rate gets {@link #fewSteps}'s note. With the
     * summed gradient an epoch moves the weights by about the rate times its examples: the book's rate suits MNIST's
     * 55,000 (550 steps), and a table of a few hundred lines, a few steps an epoch, barely fits in the book's 200 epochs.
     */
    static final int FEW_STEPS = 20;

    /**
     * A note where {@code examples} training examples make fewer than {@link #FEW_STEPS} steps an epoch with the book's
     * summed SGD at its rate: smaller batches at a larger rate fit them faster; else null.
     */
    static String fewSteps(int examples, Hyperparameters hp) {
        Hyperparameters book = Hyperparameters.book();
        int steps = (examples + hp.batch() - 1) / hp.batch();
        if (steps >= FEW_STEPS || hp.eta() != book.eta() || hp.meanGradient() || hp.optimization().optimizer() != Optimizer.SGD) {
            return null;
        }
        return String.format(Locale.ROOT, "note: the %d training examples make %d %s of %d an epoch (MNIST's 55,000 make the book's 550):"
                + " at the book's --eta so few fit slowly; %s", examples, steps, steps == 1 ? "step" : "steps", hp.batch(), hp.batch() > 10
                ? "smaller batches at a larger rate fit them faster (--batch 10 --eta 0.01, say)" : "a larger rate fits them faster (--eta 0.01, say)");
    }

    /**
     * A note where the last {@code valid} examples, which validate, are unlike the ones before them (IDX files sorted
     * by class; or, {@code drawn} at random from a CSV file, few of a rare class): all of one class where the others
     * are of several, or of a class the others lack; else null.
     */
    static String unlikeValidation(Dataset data, int valid, boolean drawn) {
        int n = data.count() - valid;
        if (valid < 2 || n < 1) {
            return null;
        }
        int classes = data.classCount();
        int[] trained = new int[classes];
        int[] validated = new int[classes];
        for (int i = 0; i < data.count(); i++) {
            (i < n ? trained : validated)[data.label(i)]++;
        }
        int trainedClasses = 0;
        int validatedClasses = 0;
        int lacking = -1;
        for (int c = 0; c < classes; c++) {
            trainedClasses += trained[c] > 0 ? 1 : 0;
            validatedClasses += validated[c] > 0 ? 1 : 0;
            lacking = lacking < 0 && validated[c] > 0 && trained[c] == 0 ? c : lacking;
        }
        String why = lacking >= 0 ? "are of class " + lacking + ", which none of the " + n + " before them is"
                : validatedClasses == 1 && trainedClasses > 1 ? "are all of one class, where the " + n + " before them are of " + trainedClasses
                : null;
        if (why == null) {
            return null;
        }
        return drawn ? "note: the " + valid + " examples drawn at random to validate (--valid) " + why.replace("before them", "left to train on")
                + ": their accuracy says little of the others; a larger --valid, or another --seed, draws others"
                : "note: the last " + valid + " examples, which validate (--valid), " + why
                + ": their accuracy says little of the others; put the examples in random order first (a file sorted by class is not)";
    }
}
