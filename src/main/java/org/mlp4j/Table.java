package org.mlp4j;

import java.nio.file.Path;
import java.util.List;
import org.mlp4j.data.Csv;
import org.mlp4j.data.Features;
import org.mlp4j.util.UserError;

/**
 * Labelled examples read from a text file of one example a line, as {@code mlp4j train --data FILE.csv} reads it: the
 * features, a {@code float} row each, used as they are; the labels, class indices from 0; and the classes' names where
 * the file names them (empty where its labels are indices). The arrays are this record's own, not copies. The
 * features are as the file has them; {@code mlp4j train} scales each into [-1, 1] by its range before it trains, and
 * {@link Training#withScaledFeatures} does so for a fit.
 *
 * <p>A line holds its class's index (0, 1, ...) first and then its features, or its class's name first or last (as
 * Iris's {@code iris.data} ends each line with one); or a header line names the class's column {@code label},
 * {@code class} or {@code target} (in any case), wherever it is, as pandas writes a frame with its target column. Fields are separated by tabs, semicolons, commas or spaces;
 * between tabs or semicolons a comma is a decimal point, as European spreadsheets write it. A header line, blank lines,
 * a byte-order mark and quoted fields are read too (the text in UTF-8, in UTF-16 after its byte-order mark, as a
 * spreadsheet's "Unicode Text", or else in Windows-1252, as a spreadsheet's CSV on Windows), so pandas' {@code to_csv}, NumPy's {@code savetxt} and spreadsheets'
 * files are. Left out, not features: a column the header names as an id ({@code id}, {@code Id}, {@code PassengerId},
 * {@code patient_id}, {@code index} or pandas' {@code Unnamed: 0}, as Kaggle's Iris.csv starts with {@code Id}), a first
 * column it leaves unnamed, as pandas writes a frame's index without {@code index=False}, and those it leaves unnamed
 * after its last name, as separators ending every line make them. Lines of separators alone are skipped as blank.
 *
 * <pre>{@code
 * Table iris = Table.read(Path.of("iris.data"));            // 150 lines of 4 numbers and a name
 * Classifier c = Classifier.create(1, iris.featureCount(), 16, iris.classCount());
 * c.setClassNames(iris.classes());                          // kept in the model file, for mlp4j predict
 * c.fit(iris.features(), iris.labels(), Training.book().withEpochs(100).withBatch(10).withScaledFeatures(true));
 * }</pre>
 */
public record Table(float[][] features, int[] labels, List<String> classes) {
    /**
     * @throws IllegalArgumentException where the rows differ in length from one another or from the labels, or where
     *     there are names but not one for each label
     */
    public Table {
        classes = List.copyOf(classes);
        if (features.length != labels.length) {
            throw new IllegalArgumentException(features.length + " rows of features but " + labels.length + " labels");
        }
        for (float[] row : features) {
            if (row.length != features[0].length) {
                throw new IllegalArgumentException("rows of " + features[0].length + " and of " + row.length + " features");
            }
        }
        for (int label : labels) {
            if (label < 0 || !classes.isEmpty() && label >= classes.size()) {
                throw new IllegalArgumentException("the label " + label + " is no class index"
                        + (classes.isEmpty() ? "" : " of the " + classes.size() + " classes named"));
            }
        }
    }

    /**
     * The examples of {@code file}; classes given by name are numbered in the sorted order of their names.
     *
     * @throws IllegalArgumentException naming the file, line and column, where it cannot be read as such examples
     */
    public static Table read(Path file) {
        return read(file, List.of());
    }

    /**
     * As {@link #read(Path)}, but the class is in the column {@code column} names, wherever it is (as {@code mlp4j train
     * --label} takes it): its name in the header line, in any case (a wine-quality file's {@code quality}), or its
     * number, from 1. The header's column label, class or target, if any, is then a feature.
     *
     * @throws IllegalArgumentException where the file has no such column, or as {@link #read(Path)}
     */
    public static Table read(Path file, String column) {
        return read(file, List.of(), java.util.Objects.requireNonNull(column, "column"));
    }

    /**
     * As {@link #read(Path)}, but classes given by name are numbered as {@code classes} names them (a model's
     * {@link Classifier#classNames}), and a class outside them is refused; with no names, as {@link #read(Path)}.
     */
    public static Table read(Path file, List<String> classes) {
        return read(file, classes, null);
    }

    private static Table read(Path file, List<String> classes, String column) {
        try {
            Features f = Csv.examples(file, classes, column);
            return new Table(rows(f), f.labels(), f.classes());
        } catch (UserError e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * Rows to predict, of {@code features} numbers a line, as {@code mlp4j predict} reads them; a line may also be
     * labelled (the label is left out).
     *
     * @throws IllegalArgumentException naming the file and line where a line is neither
     */
    public static float[][] rows(Path file, int features) {
        try {
            return rows(Csv.rows(file, features));
        } catch (UserError e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** The features of each row. */
    public int featureCount() {
        return features.length == 0 ? 0 : features[0].length;
    }

    /** The classes' names if any, else one above the largest label: the output units a classifier of them needs. */
    public int classCount() {
        int top = -1;
        for (int label : labels) {
            top = Math.max(top, label);
        }
        return Math.max(classes.size(), top + 1);
    }

    private static float[][] rows(Features f) {
        float[][] rows = new float[f.count()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = java.util.Arrays.copyOfRange(f.values(), i * f.features(), (i + 1) * f.features());
        }
        return rows;
    }
}
