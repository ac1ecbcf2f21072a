package org.mlp4j.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.mlp4j.util.Limits;
import org.mlp4j.util.UserError;

/**
 * Examples in a text file of one example a line: numbers separated by tabs, semicolons, commas or spaces (the first
 * of these the first line holds; between tabs or semicolons a comma is a decimal point), as spreadsheets, pandas'
 * {@code to_csv} and NumPy's {@code savetxt} write them. A first line without a single number is a header and is
 * skipped, as are blank lines. Labelled, a line is its class index (0, 1, ...) and then its features; or its class is
 * in the column the header names {@code label}, {@code class} or {@code target}, wherever that is.
 */
public final class Csv {
    /**
     * The endings of the file names {@code --data} and {@code predict} read as such text, as messages list them (a
     * constant, for the options' descriptions); any other file is taken for something else. {@code .data} is how
     * Iris's file and others of its collection are named.
     */
    public static final String SUFFIXES = ".csv, .tsv, .txt or .data";
    private static final List<String> ENDINGS = List.of(SUFFIXES.split(",? or |, "));

    private Csv() {
    }

    /** Whether {@code file} is named as a file of this kind. */
    public static boolean named(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        return ENDINGS.stream().anyMatch(name::endsWith);
    }

    /**
     * Labelled examples: each line's class, its first number or a name first or last on it (or the column the header
     * names as the class's), and its other numbers, its features. Classes named are numbered in the order of their names.
     */
    public static Features examples(Path file) {
        return examples(file, List.of(), null);
    }

    /** As {@link #examples(Path)}, but classes named are numbered as {@code classes} (a model's) names them. */
    public static Features examples(Path file, List<String> classes) {
        return examples(file, classes, null);
    }

    /**
     * As {@link #examples(Path, List)}, with the class in the column {@code label} names, where not null: a name of the
     * header's (in any case) or the column's number, from 1. That column holds class indices or names, wherever it is.
     */
    public static Features examples(Path file, List<String> classes, String label) {
        return examples(Table.read(file, label), file, classes);
    }

    private static Features examples(Table t, Path file, List<String> classes) {
        if (t.names != null) {
            List<String> order = !classes.isEmpty() ? classes : Arrays.stream(t.names).distinct().sorted().toList();
            java.util.Map<String, Integer> index = new java.util.HashMap<>();
            for (int c = 0; c < order.size(); c++) {
                index.put(order.get(c), c);
            }
            int[] labels = new int[t.rows];
            for (int i = 0; i < t.rows; i++) {
                Integer c = index.get(t.names[i]);
                if (c == null) {
                    throw new UserError(file + ", line " + t.lines[i] + ": the class '" + t.names[i] + "' is none of the model's ("
                            + String.join(", ", order) + ")");
                }
                labels[i] = c;
            }
            return new Features(t.values, labels, t.rows, t.columns, order);
        }
        if (t.columns < 2) {
            throw new UserError(file + ": one number a line, but a line needs a label (the class index, first) and features after it");
        }
        int[] labels = new int[t.rows];
        for (int i = 0; i < t.rows; i++) {
            labels[i] = label(t, i, file);
            if (!classes.isEmpty() && labels[i] >= classes.size()) {
                throw new UserError(file + ", line " + t.lines[i] + ": the label " + labels[i] + " is not below the model's "
                        + classes.size() + " classes");
            }
        }
        return new Features(t.values, labels, t.rows, t.columns - 1, classes);
    }

    /**
     * Where {@code file}'s classes come from, and what its header leaves out: {@code byPlace} where they are the first
     * column's (not left out) by its place alone, with no header to name the class's column label, class or target, nor
     * --label, nor a column of names; {@code classColumn} that column's name in the header, null where there is none;
     * {@code ids} the names of the columns left out as ids (see {@link #isId}), as the header writes them.
     */
    public record Header(boolean byPlace, String classColumn, List<String> ids) {
    }

    /** The header of {@code file} ({@link Header}), read with its first line of numbers; {@code label} as {@link #examples(Path, List, String)}'s. */
    public static Header header(Path file, String label) {
        Table t = Table.read(file, 1, label, -1);
        return new Header(t.byPlace(), t.classColumn(), t.ids());
    }

    /**
     * Whether a header's column name is an id's, a number or code that tells the lines apart and nothing of their
     * classes, which {@code train} would otherwise take as a feature: {@code id} (Kaggle's Iris.csv starts with one),
     * a name ending {@code _id} or an "Id" or "ID" after a small letter ({@code PassengerId}, {@code customerID}),
     * {@code index} (pandas' {@code reset_index()}) and pandas' {@code Unnamed: 0}, its name for a first column a header
     * left unnamed (a frame's index, read back). Any case, but for the ending after a small letter.
     */
    static boolean isId(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        int n = name.length();
        return lower.equals("id") || lower.equals("index") || lower.endsWith("_id") || lower.equals("unnamed: 0")
                || n > 2 && Character.isLowerCase(name.charAt(n - 3)) && (name.endsWith("Id") || name.endsWith("ID"));
    }

    /**
     * Examples to predict, of {@code features} numbers a line, or labelled ones (a class index first, or a class's name
     * first or last, as {@link #examples} reads them): the label of an example is 0, or its index first on the line.
     */
    public static Features rows(Path file, int features) {
        return rows(file, features, null);
    }

    /**
     * As {@link #rows(Path, int)}, with the class, where a line has it, in the column {@code label} names (as {@link
     * #examples(Path, List, String)}'s): the header names it, or, by its number, a line holds {@code features} numbers
     * besides it.
     */
    public static Features rows(Path file, int features, String label) {
        Table t = Table.read(file, Integer.MAX_VALUE, label, features);
        if (label != null && t.chosenColumn < 0 && t.names == null && t.columns == features + 1) {
            throw new UserError(file + ": a line holds a number besides the model's " + features + " features, but the class's column, '" + label
                    + "', is none the header names: give its number (from 1) with --label");
        }
        if (t.columns == features) {
            return new Features(t.values, new int[t.rows], t.rows, features);
        }
        if (t.names != null || t.columns != features + 1) {
            throw new UserError(file + ": " + t.columns + " numbers a line, but the model takes " + features + " features (a line: "
                    + features + " features, or a label and " + features + " features)");
        }
        return examples(t, file, List.of());
    }

    /**
     * {@code data} as pixels: for a model trained on images, whose inputs are pixel values 0..255 (scaled as MNIST's
     * are); {@code height} and {@code width} those of its images, or 1 and the features.
     */
    public static Images pixels(Features data, Path file, int height, int width) {
        int f = data.features();
        if ((long) height * width != f) {
            throw new IllegalArgumentException(height + "x" + width + " images for " + f + " features");
        }
        byte[] pixels = new byte[data.values().length];
        for (int i = 0; i < pixels.length; i++) {
            float v = data.values()[i];
            if (!(v >= 0 && v <= 255 && v == Math.rint(v))) {
                throw new UserError(file + ": " + format(v) + " (example " + (i / f + 1) + ", feature " + (i % f + 1) + ") is not a pixel "
                        + "value 0..255, but the model takes images' pixels (it was trained on images)");
            }
            pixels[i] = (byte) (int) v;
        }
        byte[] labels = new byte[data.count()];
        for (int i = 0; i < labels.length; i++) {
            if (data.label(i) > 255) {
                throw new UserError(file + ": label " + data.label(i) + " (example " + (i + 1) + ") is not an image's class 0..255");
            }
            labels[i] = (byte) data.label(i);
        }
        return new Images(pixels, labels, data.count(), height, width);
    }

    private static int label(Table t, int row, Path file) {
        float v = t.firsts[row];
        if (isClassIndex(v)) {
            return (int) v;
        }
        if (t.chosenColumn >= 0) {
            throw new UserError(file + ", line " + t.lines[row] + ", column " + (t.chosenColumn + 1) + ": the class " + format(v)
                    + " is not a class index (0, 1, 2, ...) or a name");
        }
        String where = file + ", line " + t.lines[row] + ": the label " + format(v) + " is not a class index (0, 1, 2, ...); ";
        if (t.byPlace && t.columns > 1 && classIndices(t, t.columns - 1)) {  // as a file with its class last has it
            throw new UserError(where + "the last column holds whole numbers, as classes are: --label " + UserError.shellWord(t.lastColumn)
                    + " takes the classes from it");
        }
        throw new UserError(where + "a class's index comes first on each line (a class's name first or last), the features after it, "
                + "unless --label names its column, or a header line names it label, class or target");
    }

    /** Whether {@code v} is a class index: a whole number from 0, below the 2^24 classes a label can name. */
    private static boolean isClassIndex(float v) {
        return v >= 0 && v < 1 << 24 && v == Math.rint(v);
    }

    /** Whether every row's value in {@code column} (of its numbers) is a class index. */
    private static boolean classIndices(Table t, int column) {
        for (int i = 0; i < t.rows; i++) {
            if (!isClassIndex(t.number(i, column))) {
                return false;
            }
        }
        return true;
    }

    private static String format(float v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : Float.toString(v);
    }

    /**
     * The numbers of a file, row-major, and the line each row came from; and where the first line of numbers has a
     * word first or last (a class's name, as Iris's file ends each line with one), or in the column the header names
     * as the class's, that column's text a row, which {@code columns} leaves out ({@code names} null where there is
     * none). A column of numbers the header names as the class's is read first, as a class index first on a line is.
     * Columns the header names as ids ({@link Csv#isId}, named in {@code ids}) are left out, and so is a first column it
     * leaves unnamed, as pandas' {@code to_csv} writes a frame's index without {@code index=False}, and those it leaves
     * unnamed after its last name, as separators that end every line make them (whose fields must then be empty). Lines of
     * separators alone are skipped, as blank ones are. Where a row's first number is its class, or may be, {@code firsts}
     * holds the first numbers and {@code values} the others, as the examples' features; else {@code firsts} is null.
     */
    private record Table(float[] values, float[] firsts, int rows, int columns, int[] lines, String[] names, boolean byPlace,
            String classColumn, String lastColumn, List<String> ids, int chosenColumn) {
        /** A header's names for the class's column, in lower case. */
        static final java.util.Set<String> LABEL_NAMES = java.util.Set.of("label", "class", "target");

        /** Column {@code column} of {@code row}'s numbers. */
        float number(int row, int column) {
            return firsts == null ? values[row * columns + column]
                    : column == 0 ? firsts[row] : values[row * (columns - 1) + column - 1];
        }

        static Table read(Path file, String label) {
            return read(file, Integer.MAX_VALUE, label, -1);
        }

        /**
         * The first {@code most} lines of numbers of the file (and its header); {@code byPlace} where the first column not
         * left out holds the classes by place alone (neither the header nor {@code label} names the class's column, and no
         * column holds names), and {@code classColumn} the header's name of that column, else null; {@code lastColumn}
         * the last column not left out as {@code label} would name it (its header name, else its number from 1). {@code label}, where not null, names the class's column
         * (see {@link Csv#examples(Path, List, String)}) in place of the header's label, class or target; with {@code
         * optionalFor} of 0 or more, only where the file has it: the header names it, or, by its number, a line holds
         * {@code optionalFor} features besides it.
         */
        static Table read(Path file, int most, String label, int optionalFor) {
            UserError.requireFile(file, "the data file");
            Charset charset = charset(file);
            try {
                return read(file, charset, most, label, optionalFor);
            } catch (CharacterCodingException e) {
                if (charset != StandardCharsets.UTF_8) {
                    throw new UserError(file + ": not text in " + charset + ", which its byte-order mark names");
                }
                try {
                    return read(file, WINDOWS_1252, most, label, optionalFor);  // bytes that are no UTF-8: a spreadsheet's Windows CSV
                } catch (IOException again) {
                    throw new UserError("cannot read " + UserError.why(again), again);
                }
            } catch (IOException e) {
                throw new UserError("cannot read " + UserError.why(e), e);
            }
        }

        /**
         * Windows' code page for Western European text, in which a spreadsheet on Windows saves "CSV (Comma delimited)":
         * names with letters such as 'é' or 'ß' are bytes that are no UTF-8. Every byte is a character in it.
         */
        private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

        /**
         * UTF-16 where the file starts with its byte-order mark (as a spreadsheet's "Unicode Text" starts, tab separated),
         * else UTF-8.
         */
        private static Charset charset(Path file) {
            try (java.io.InputStream in = Files.newInputStream(file)) {
                byte[] b = in.readNBytes(2);
                boolean utf16 = b.length == 2 && (b[0] == (byte) 0xFF && b[1] == (byte) 0xFE || b[0] == (byte) 0xFE && b[1] == (byte) 0xFF);
                return utf16 ? StandardCharsets.UTF_16 : StandardCharsets.UTF_8;
            } catch (IOException e) {
                throw new UserError("cannot read " + UserError.why(e), e);
            }
        }

        /** As {@link #read(Path, int, String, int)}, the file's text in {@code charset}, which must fit it. */
        private static Table read(Path file, Charset charset, int most, String label, int optionalFor) throws IOException {
            try (BufferedReader in = Files.newBufferedReader(file, charset)) {
                float[] values = null;  // from the first line of numbers, room for as many rows as the file can hold
                float[] firsts = null;
                int[] lines = null;
                int stride = 0;  // the numbers of a row values holds
                int rows = 0;
                int columns = -1;
                int named = -1;  // the column of the names, of all the line's fields
                int labelled = -1;  // the class's column, of all the fields: the one label names, else the header's label, class or target
                int moved = -1;  // a column of class indices other than the first, read first
                boolean[] leftOut = null;  // of all the fields: the columns left out (an id's, ...)
                int trailing = -1;  // the first of the empty columns after the last the header names, where it names none after some
                int chosenColumn = -1;  // labelled, where the caller chose it
                int width = -1;  // the fields of a line, as many as the first line of numbers has
                String[] header = null;  // the header's names, unquoted
                int headerLine = 0;
                boolean byPlace = false;
                String classColumn = null;
                String lastColumn = null;
                String[] names = null;
                char separator = 0;
                Fields fields = new Fields();
                int lineNo = 0;
                String line;
                while (rows < most && (line = in.readLine()) != null) {
                    lineNo++;
                    if (lineNo == 1 && line.startsWith("\uFEFF")) {
                        line = line.substring(1);  // the byte-order mark spreadsheets write
                    }
                    if (line.isBlank()) {
                        continue;
                    }
                    if (separator == 0) {
                        separator = separator(line);
                    }
                    fields.split(line, separator);
                    if (fields.empty()) {
                        continue;  // separators alone, as spreadsheets write rows below the data whose cells were once touched
                    }
                    String[] texts = columns < 0 ? fields.texts() : null;  // up to the first line of numbers, each field as a string
                    if (columns < 0 && rows == 0 && Arrays.stream(texts).noneMatch(Table::isNumber)) {
                        header = Arrays.stream(texts).map(Table::unquoted).toArray(String[]::new);  // a header: names of the columns
                        headerLine = lineNo;
                        continue;
                    }
                    if (columns < 0) {
                        labelled = label == null ? header == null ? -1 : labelColumn(header, file, headerLine)
                                : chosen(label, header, texts.length, file, optionalFor >= 0);
                        leftOut = leftOut(header, labelled, texts.length);
                        if (optionalFor >= 0 && labelled >= 0 && label != null && isColumnNumber(label) && kept(leftOut) != optionalFor + 1) {
                            labelled = -1;  // a line of the features alone, without the class's column
                            leftOut = leftOut(header, labelled, texts.length);
                        }
                        boolean omits = kept(leftOut) < leftOut.length;
                        if (header != null && (labelled >= 0 || omits) && texts.length != header.length) {
                            throw new UserError(file + ", line " + lineNo + ": " + texts.length + " values, but the header names " + header.length
                                    + " columns");
                        }
                        if (!omits) {
                            leftOut = new boolean[texts.length];  // no header, or one that leaves none out (of any width)
                        }
                        int lastName = omits ? lastNamed(header) : -1;
                        trailing = lastName >= 0 && lastName < header.length - 1 && header.length > 2 ? lastName + 1 : -1;
                        chosenColumn = label == null ? -1 : labelled;
                        int first = 0;
                        int last = texts.length - 1;
                        for (; first <= last && leftOut[first]; first++) {
                        }
                        for (; last >= first && leftOut[last]; last--) {
                        }
                        if (first > last) {
                            throw new UserError(file + ", line " + lineNo + ": the header leaves every column out (" + String.join(", ", header) + ")");
                        }
                        named = labelled >= 0 ? (isName(texts[labelled]) ? labelled : -1)
                                : last > first && isName(texts[first]) ? first : last > first && isName(texts[last]) ? last : -1;
                        moved = labelled > 0 && named < 0 ? labelled : -1;
                        width = texts.length;
                        columns = kept(leftOut) - (named < 0 ? 0 : 1);
                        // the first number apart where it is the class, or may be, so that the features need no copy without it
                        boolean split = named < 0 && (optionalFor < 0 || columns == optionalFor + 1);
                        stride = columns - (split ? 1 : 0);
                        long counted = most < Integer.MAX_VALUE ? most  // the first lines, as header() reads: no count of them all
                                : upTo(file, charset, separator) - (header == null ? 0 : 1);
                        int room = (int) Math.max(1, Math.min(most, counted));
                        int size = Limits.elements(Limits.product(room, stride, file.toString()), file + ": its numbers");
                        // refused at once, with what it needs, where the heap cannot hold them
                        Limits.heap(4L * size + 8L * room, file + ": reading its " + room + " lines of " + columns + " numbers");
                        values = new float[size];
                        firsts = split ? new float[room] : null;
                        lines = new int[room];
                        names = named < 0 ? null : new String[room];
                        byPlace = labelled < 0 && named < 0;
                        classColumn = header != null && byPlace ? header[first] : null;
                        lastColumn = header != null && header.length == texts.length && !header[last].isEmpty() ? header[last]
                                : Integer.toString(last + 1);
                    } else if (fields.count != width) {
                        throw new UserError(file + ", line " + lineNo + ": " + fields.count + " values, but the lines before it have " + width);
                    }
                    if (rows == lines.length) {  // more lines than counted: a file written to since, or UTF-16's, not counted
                        int room = Limits.elements(Math.min(2L * rows, Limits.MAX_ELEMENTS / Math.max(1, stride)), file + ": its lines");
                        values = Arrays.copyOf(values, Limits.elements(Limits.product(room, stride, file.toString()), file + ": its numbers"));
                        firsts = firsts == null ? null : Arrays.copyOf(firsts, room);
                        lines = Arrays.copyOf(lines, room);
                        names = names == null ? null : Arrays.copyOf(names, room);
                    }
                    int at = rows * stride - (firsts == null ? 0 : 1);  // where the row's number c goes in values
                    int c = 0;
                    for (int f = moved >= 0 ? -1 : 0; f < width; f++) {
                        int field = f < 0 ? moved : f;
                        if (f >= 0 && (f == named || f == moved || leftOut[f])) {
                            continue;
                        }
                        float v = fields.number(field, file, lineNo, f < 0 || labelled >= 0 || named >= 0);
                        if (c == 0 && firsts != null) {
                            firsts[rows] = v;
                        } else {
                            values[at + c] = v;
                        }
                        c++;
                    }
                    for (int f = trailing; trailing >= 0 && f < width; f++) {
                        if (!fields.empty(f)) {
                            throw new UserError(where(file, lineNo, f) + "'" + unquoted(fields.text(f)) + "' under no name in the header, whose last "
                                    + "columns are unnamed, as separators that end every line make them: name the column");
                        }
                    }
                    if (names != null) {
                        names[rows] = unquoted(fields.raw(named));  // as written, commas and all
                        if (names[rows].isEmpty()) {
                            throw new UserError(where(file, lineNo, named) + "no class name");
                        }
                    }
                    lines[rows++] = lineNo;
                }
                if (rows == 0) {
                    throw new UserError(file + ": no examples (" + (lineNo == 0 ? "the file is empty" : "no line of numbers") + ")");
                }
                List<String> ids = new java.util.ArrayList<>();
                for (int c = 0; header != null && header.length == width && c < width; c++) {
                    if (leftOut[c] && isId(header[c])) {
                        ids.add(header[c]);
                    }
                }
                // copied only where the file held lines that looked like lines of numbers and were not
                return new Table(rows * stride == values.length ? values : Arrays.copyOf(values, rows * stride),
                        firsts == null ? null : Arrays.copyOf(firsts, rows), rows, columns, Arrays.copyOf(lines, rows),
                        names == null ? null : Arrays.copyOf(names, rows), byPlace, classColumn, lastColumn, ids, chosenColumn);
            }
        }

        /**
         * At least as many as the lines of {@code file} that hold something besides the separator, spaces and quotes (its
         * header and lines of numbers), counted in its bytes where a line ends in a byte of its own (not in UTF-16: there
         * 64), so that its numbers are read into an array of their size, not copied as it grows and again as it is trimmed.
         */
        private static long upTo(Path file, Charset charset, char separator) throws IOException {
            if (charset == StandardCharsets.UTF_16) {
                return 64;
            }
            long lines = 0;
            boolean something = false;
            byte[] buffer = new byte[1 << 16];
            try (java.io.InputStream in = Files.newInputStream(file)) {
                for (int n; (n = in.read(buffer)) > 0;) {
                    for (int i = 0; i < n; i++) {
                        byte b = buffer[i];
                        if (something) {
                            // the rest of a line that holds something: only its end matters
                            for (; i < n && buffer[i] != '\n' && buffer[i] != '\r'; i++) {
                            }
                            if (i < n) {
                                lines++;
                                something = false;
                            }
                        } else if ((b > '"' || b < 0) && b != separator) {  // above the quote: neither a space, a tab nor a line's end
                            something = true;
                        }
                    }
                }
            }
            return lines + (something ? 1 : 0);
        }

        /**
         * The column a header names as the class's ({@link #LABEL_NAMES}, in any case), as pandas writes a frame's
         * target column, wherever it is; -1 where it names none.
         */
        private static int labelColumn(String[] header, Path file, int line) {
            int found = -1;
            for (int c = 0; c < header.length; c++) {
                if (LABEL_NAMES.contains(unquoted(header[c]).toLowerCase(Locale.ROOT))) {
                    if (found >= 0) {
                        throw new UserError(file + ", line " + line + ": the header names two columns as the class's ('"
                                + unquoted(header[found]) + "' and '" + unquoted(header[c]) + "'): rename one");
                    }
                    found = c;
                }
            }
            return found;
        }

        /**
         * The column (of a line's {@code width} fields) that {@code label} names: a name of the header's, in any case, or
         * a number from 1; -1 where the file has no such column and it is {@code optional}.
         */
        private static int chosen(String label, String[] header, int width, Path file, boolean optional) {
            if (isColumnNumber(label)) {
                int n = label.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(label);
                if (n >= 1 && n <= width) {
                    return n - 1;
                }
                if (optional) {
                    return -1;
                }
                throw new UserError(file + ": its lines have " + width + " columns, so none is the class's column " + label + " (numbered from 1)");
            }
            int found = -1;
            for (int c = 0; header != null && c < header.length; c++) {
                if (header[c].equalsIgnoreCase(label.trim())) {
                    if (found >= 0) {
                        throw new UserError(file + ": its header names two columns '" + label.trim() + "' (columns " + (found + 1) + " and " + (c + 1)
                                + "): give the class's column by its number");
                    }
                    found = c;
                }
            }
            if (found < 0 && !optional) {
                throw new UserError(file + ": " + (header == null ? "no header line names its columns, so none is '" + label
                        + "'; give the class's column by its number, from 1" : "its header names no column '" + label + "' (it names "
                        + String.join(", ", Arrays.stream(header).map(n -> "'" + n + "'").toList()) + ")"));
            }
            return found;
        }

        /** Whether {@code label} gives a column by its number rather than its name. */
        private static boolean isColumnNumber(String label) {
            return !label.isEmpty() && label.chars().allMatch(ch -> ch >= '0' && ch <= '9');
        }

        /**
         * The columns {@code header} leaves out, of its own: those it names as ids, a first it leaves unnamed (pandas'
         * index, which to_csv writes unless told index=False), and those it leaves unnamed after its last name (after
         * separators that end every line); never the class's, {@code labelled}. Without a header, none of a line's
         * {@code width}.
         */
        private static boolean[] leftOut(String[] header, int labelled, int width) {
            boolean[] out = new boolean[header == null ? width : header.length];
            int last = out.length - 1;
            int named = header == null ? -1 : lastNamed(header);
            for (int c = 0; header != null && c <= last; c++) {
                out[c] = c != labelled && (isId(header[c]) || last > 1 && header[c].isEmpty() && (c == 0 || c > named));
            }
            return out;
        }

        /** The last column {@code header} names; -1 where it names none. */
        private static int lastNamed(String[] header) {
            int c = header.length - 1;
            for (; c >= 0 && header[c].isEmpty(); c--) {
            }
            return c;
        }

        private static int kept(boolean[] leftOut) {
            int n = 0;
            for (boolean out : leftOut) {
                n += out ? 0 : 1;
            }
            return n;
        }

        /**
         * A line's fields as places in it, each as written (its quotes kept, for {@link #unquoted}), so that a number is
         * parsed where it is written, with no string of its own: a separator within double quotes, as in a name written
         * {@code "Smith, John"}, is the field's own; between spaces, a run of them separates, and quotes are text.
         */
        private static final class Fields {
            private String line;
            private char separator;
            /** How many fields the line holds. */
            int count;
            private int[] start = new int[16], end = new int[16];

            void split(String line, char separator) {
                this.line = line;
                this.separator = separator;
                count = 0;
                int n = line.length();
                if (separator == ' ') {
                    int from = 0, to = n;
                    for (; from < to && line.charAt(from) <= ' '; from++) {
                    }
                    for (; to > from && line.charAt(to - 1) <= ' '; to--) {
                    }
                    int at = from;
                    for (int i = from; i < to; i++) {
                        if (isSpace(line.charAt(i))) {
                            add(at, i);
                            for (; i + 1 < to && isSpace(line.charAt(i + 1)); i++) {
                            }
                            at = i + 1;
                        }
                    }
                    add(at, Math.max(at, to));
                    return;
                }
                boolean quoted = false;
                int at = 0;
                for (int i = 0; i < n; i++) {
                    char c = line.charAt(i);
                    if (c == '"') {
                        quoted = !quoted;  // a doubled quote within quotes, as CSV escapes one, closes and opens again
                    } else if (c == separator && !quoted) {
                        add(at, i);
                        at = i + 1;
                    }
                }
                add(at, n);
            }

            /** The whitespace a regular expression's {@code \s} matches. */
            private static boolean isSpace(char c) {
                return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
            }

            private void add(int from, int to) {
                if (count == start.length) {
                    start = Arrays.copyOf(start, 2 * count);
                    end = Arrays.copyOf(end, 2 * count);
                }
                start[count] = from;
                end[count++] = to;
            }

            /** Field {@code i} as written. */
            String raw(int i) {
                return line.substring(start[i], end[i]);
            }

            /**
             * Field {@code i}, a decimal comma made a point where another separator leaves commas to numbers (as
             * spreadsheets in much of Europe write them between semicolons).
             */
            String text(int i) {
                String s = raw(i);
                return separator == ',' ? s : s.replace(',', '.');
            }

            String[] texts() {
                String[] all = new String[count];
                Arrays.setAll(all, this::text);
                return all;
            }

            /** Whether field {@code i} is empty once {@link #unquoted}. */
            boolean empty(int i) {
                for (int k = start[i]; k < end[i]; k++) {
                    if (line.charAt(k) > ' ') {
                        return unquoted(raw(i)).isEmpty();
                    }
                }
                return true;
            }

            /** Whether every field holds nothing. */
            boolean empty() {
                for (int i = 0; i < count; i++) {
                    if (!empty(i)) {
                        return false;
                    }
                }
                return true;
            }

            /** Field {@code i} as a number, as {@link Table#number} reads it. */
            float number(int i, Path file, int lineNo, boolean classKnown) {
                float v = plain(line, start[i], end[i], separator != ',');
                return v == v ? v : Table.number(text(i), file, lineNo, i, classKnown);
            }
        }

        /** The first of tab, semicolon and comma on the line (a comma can be a decimal point between the others); else spaces. */
        private static char separator(String line) {
            for (char c : new char[] {'\t', ';', ','}) {
                if (line.indexOf(c) >= 0) {
                    return c;
                }
            }
            return ' ';
        }

        /**
         * The field without the spaces around it and the double quotes some spreadsheets put around every field (and
         * around one that holds a separator or a quote, which they double within).
         */
        private static String unquoted(String field) {
            String s = field.trim();
            return s.length() >= 2 && s.charAt(0) == '"' && s.charAt(s.length() - 1) == '"' ? s.substring(1, s.length() - 1).replace("\"\"", "\"").trim() : s;
        }

        /** Text that is no number (nor nothing, as after a separator that ends a line). */
        private static boolean isName(String field) {
            return !unquoted(field).isEmpty() && !isNumber(field);
        }

        private static boolean isNumber(String field) {
            try {
                Float.parseFloat(unquoted(field));
                return true;
            } catch (NumberFormatException e) {
                return false;
            }
        }

        /** How files mark a value missing: pandas writes nothing (or NaN), R NA, UCI's files '?'. In lower case. */
        private static final java.util.Set<String> MISSING = java.util.Set.of("", "na", "n/a", "nan", "?", "null", "none", "missing");
        private static final String MISSING_WHAT = " (a missing value): mlp4j does not fill values in; fill it in (with the column's mean, say)"
                + " or leave the line out";

        /** What a feature of words, as a column of categories holds, wants before it can train. */
        private static final String WORDS = " (features are numbers: a column of words wants a column of 0 or 1 for each of its words instead,"
                + " as pandas' get_dummies makes them, or leaving out)";

        /** {@code field} as a number; {@code classKnown} where the class's column is known, so that no hint places it. */
        private static float number(String field, Path file, int line, int column, boolean classKnown) {
            String s = unquoted(field);
            float v;
            try {
                v = Float.parseFloat(s);
            } catch (NumberFormatException e) {
                String where = where(file, line, column);
                if (MISSING.contains(s.toLowerCase(Locale.ROOT))) {
                    throw new UserError(where + (s.isEmpty() ? "no value" : "'" + s + "'") + MISSING_WHAT);
                }
                boolean words = s.chars().anyMatch(Character::isLetter);
                throw new UserError(where + "'" + s + "' is not a number" + (classKnown ? words ? WORDS : ""
                        : column == 0 ? " (a line's class comes first or last: an index 0, 1, 2, ... or a name, as on every other line)"
                        : words ? " (a line's class, its name here, comes first or last, or in"
                                + " the column --label names; a header's column named id is left out)" : ""));
            }
            if (!Float.isFinite(v)) {
                throw new UserError(where(file, line, column) + "'" + s + (Float.isNaN(v) ? "'" + MISSING_WHAT : "' is not a finite number"));
            }
            return v;
        }

        /** "FILE, line L, column C: ", C counted from 1. */
        private static String where(Path file, int line, int column) {
            return file + ", line " + line + ", column " + (column + 1) + ": ";
        }

        /** The powers of ten a float holds exactly, from 10^0. */
        private static final float[] TENS = {1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f};

        /**
         * The value of {@code text}'s characters {@code from} to {@code to} where they are a plain decimal of 1 to 7
         * digits, a sign before them and a point (or, with {@code decimalComma}, a comma) among them as may be, as pixels,
         * counts and most measurements are written; else NaN. Its digits and the power of ten its point divides them by
         * are floats exactly, so the one rounding is the division's, correctly rounded: Float.parseFloat's value, without
         * that general parse or a string to give it.
         */
        private static float plain(String text, int from, int to, boolean decimalComma) {
            if (to == from || to - from > 9) {  // at most a sign, 7 digits and a point
                return Float.NaN;
            }
            char c = text.charAt(from);
            boolean negative = c == '-';
            int first = negative || c == '+' ? from + 1 : from;
            int m = 0, point = -1;
            for (int i = first; i < to; i++) {
                c = text.charAt(i);
                int d = c - '0';
                if (d >= 0 && d <= 9) {
                    m = 10 * m + d;
                } else if ((c == '.' || c == ',' && decimalComma) && point < 0) {
                    point = i;
                } else {
                    return Float.NaN;
                }
            }
            int digits = to - first - (point < 0 ? 0 : 1);
            if (digits == 0 || digits > 7) {
                return Float.NaN;
            }
            float v = point < 0 ? m : m / TENS[to - point - 1];
            return negative ? -v : v;
        }
    }
}
