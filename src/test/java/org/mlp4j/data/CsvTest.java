package org.mlp4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlp4j.util.UserError;

class CsvTest {
    @TempDir
    Path dir;

    Path file(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    @Test
    void theWaysToolsWriteTheSameExamples() throws IOException {
        float[] values = {0.5f, -1.25f, 3, 1e-3f, 0, 2};
        int[] labels = {2, 0, 1};
        String[] texts = {
                "2,0.5,-1.25\n0,3,0.001\n1,0,2\n",                                   // plain, no header
                "label,a,b\r\n2,0.5,-1.25\r\n0,3,0.001\r\n1,0,2\r\n",                 // a header, Windows line ends
                "\uFEFFy;x1;x2\n2;0.5;-1.25\n\n0;3;0.001\n1;0;2\n\n",                   // a spreadsheet's: BOM, semicolons, blank lines
                "2\t0.5\t-1.25\n0\t3\t1e-3\n1\t0\t2\n",                               // tabs
                "2.000000000000000000e+00 5.000000000000000000e-01 -1.250000000000000000e+00\n"
                        + "0.000000000000000000e+00 3.000000000000000000e+00 1.000000000000000021e-03\n"
                        + "1.000000000000000000e+00 0.000000000000000000e+00 2.000000000000000000e+00\n", // NumPy's savetxt
                "\"label\",\"a\",\"b\"\n\"2\",\" 0.5\",\"-1.25\"\n\"0\",\"3\",\"0.001\"\n \"1\" , 0 , 2 \n", // quoted, spaced
                "Klasse;a;b\n2;0,5;-1,25\n0;3;0,001\n1;0;2\n",                        // decimal commas between semicolons
                "2\t0,5\t-1,25\n0\t3\t0,001\n1\t0\t2\n",                                // and between tabs
                "2,0.5,-1.25\r0,3,0.001\r1,0,2\r",                                   // old Mac OS's line ends
                "  2   0.5  -1.25  \n0 3\t0.001\n 1 0  2 \n",                             // runs of spaces (and a tab) between and around
                "2,0.5,-1.25\n\u3000\n0,3,0.001\n\u2003 \n1,0,2\n",                     // lines of wide spaces, blank but not to a count of bytes
        };
        for (int i = 0; i < texts.length; i++) {
            Features f = Csv.examples(file("e" + i + ".csv", texts[i]));
            assertEquals(3, f.count(), texts[i]);
            assertEquals(2, f.features(), texts[i]);
            assertArrayEquals(values, f.values(), texts[i]);
            assertArrayEquals(labels, f.labels(), texts[i]);
        }
    }

    /**
     * Every number reads as Float.parseFloat reads it, to the bit: plain decimals (read without that parse), with signs,
     * leading zeros, up to 9 digits and a point anywhere, and others (exponents), as written between commas and, with
     * decimal commas, between semicolons.
     */
    @Test
    void numbersReadAsFloatParseFloatReadsThem() throws IOException {
        java.util.Random r = new java.util.Random(5);
        int n = 20_000;
        String[] numbers = new String[n];
        for (int i = 0; i < n; i++) {
            StringBuilder d = new StringBuilder();
            for (int k = 1 + r.nextInt(9); k > 0; k--) {
                d.append((char) ('0' + r.nextInt(10)));
            }
            int point = r.nextInt(d.length() + 3);  // where the point goes, if within
            if (point <= d.length()) {
                d.insert(point, '.');
            }
            String sign = new String[] {"", "", "-", "+"}[r.nextInt(4)];
            numbers[i] = sign + d + (r.nextInt(20) == 0 ? "e-" + r.nextInt(12) : "");
        }
        StringBuilder commas = new StringBuilder(), semicolons = new StringBuilder();
        for (int i = 0; i < n; i++) {
            commas.append(i % 2).append(',').append(numbers[i]).append('\n');
            semicolons.append(i % 2).append(';').append(numbers[i].replace('.', ',')).append('\n');
        }
        for (String text : new String[] {commas.toString(), semicolons.toString()}) {
            float[] read = Csv.examples(file("numbers.csv", text)).values();
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToRawIntBits(Float.parseFloat(numbers[i])), Float.floatToRawIntBits(read[i]), numbers[i]);
            }
        }
    }

    /**
     * Spreadsheets' other encodings: "Unicode Text" is UTF-16 with its byte-order mark, and "CSV" on Windows is in
     * Windows-1252, whose letters beyond ASCII are no UTF-8: both read as their text, names and all.
     */
    @Test
    void utf16AndWindowsTextAreReadAsTheirText() throws IOException {
        String text = "Größe;Klasse\r\n1,5;Mädchen\r\n1,8;Junge\r\n";
        for (java.nio.charset.Charset cs : new java.nio.charset.Charset[] {StandardCharsets.UTF_8, java.nio.charset.Charset.forName("windows-1252"),
                StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE}) {
            byte[] bytes = (cs.name().startsWith("UTF-16") ? "\uFEFF" + text : text).getBytes(cs);
            Features f = Csv.examples(Files.write(dir.resolve("enc.csv"), bytes));
            assertEquals(List.of("Junge", "Mädchen"), f.classes(), cs.name());
            assertArrayEquals(new float[] {1.5f, 1.8f}, f.values(), cs.name());
            assertArrayEquals(new int[] {1, 0}, f.labels(), cs.name());
        }
        // a name with the separator in it, within quotes, as written
        Features quoted = Csv.examples(file("quoted.csv", "0.5,\"Smith, John\"\n3,Doe\n0,\"Smith, John\"\n"));
        assertEquals(List.of("Doe", "Smith, John"), quoted.classes());
        assertArrayEquals(new int[] {1, 0, 1}, quoted.labels());
        assertArrayEquals(new float[] {0.5f, 3, 0}, quoted.values());
        // more lines than reading UTF-16 starts with room for
        StringBuilder many = new StringBuilder("\uFEFFx,label\n");
        for (int i = 0; i < 100; i++) {
            many.append(i).append(',').append(i % 2).append('\n');
        }
        Features f = Csv.examples(Files.write(dir.resolve("many.csv"), many.toString().getBytes(StandardCharsets.UTF_16LE)));
        assertEquals(100, f.count());
        assertEquals(99, f.values()[99]);
        assertEquals(1, f.labels()[99]);
        // a byte-order mark over bytes that are no UTF-16 (a lone high surrogate)
        Path broken = Files.write(dir.resolve("broken.csv"), new byte[] {(byte) 0xFF, (byte) 0xFE, '1', 0, ',', 0, 0, (byte) 0xD8, '2', 0});
        UserError e = assertThrows(UserError.class, () -> Csv.examples(broken));
        assertTrue(e.getMessage().endsWith("broken.csv: not text in UTF-16, which its byte-order mark names"), e.getMessage());
    }

    /** A header that names a column label, class or target makes it the class's, wherever it is, as pandas writes frames. */
    @Test
    void theColumnAHeaderNamesAsTheClass() throws IOException {
        float[] values = {0.5f, -1.25f, 3, 1e-3f, 0, 2};
        for (String text : new String[] {"a,b,target\n0.5,-1.25,2\n3,0.001,0\n0,2,1\n", "a;Label;b\n0,5;2;-1,25\n3;0;0,001\n0;1;2\n",
                "class,a,b\n2,0.5,-1.25\n0,3,0.001\n1,0,2\n",
                ",a,b,target\n7,0.5,-1.25,2\n3,3,0.001,0\n5,0,2,1\n"}) {  // pandas' to_csv without index=False: its index first, unnamed
            Features f = Csv.examples(file("t.csv", text));
            assertArrayEquals(values, f.values(), text);
            assertArrayEquals(new int[] {2, 0, 1}, f.labels(), text);
            // the rows to predict, with the class's column or without it
            assertArrayEquals(values, Csv.rows(file("r.csv", text), 2).values(), text);
        }
        Features named = Csv.examples(file("n.csv", "a,Class,b\n0.5,dog,-1.25\n3,cat,0.001\n0,dog,2\n"));
        assertEquals(List.of("cat", "dog"), named.classes());
        assertArrayEquals(new int[] {1, 0, 1}, named.labels());
        assertArrayEquals(values, named.values());
        Features indexed = Csv.examples(file("i.csv", ",a,b,species\n0,0.5,-1.25,dog\n1,3,0.001,cat\n2,0,2,dog\n"));
        assertEquals(List.of("cat", "dog"), indexed.classes());
        assertArrayEquals(values, indexed.values());
        // a column the header names as an id is left out, wherever it is; a name that only ends in "id" is a feature's
        String[][] ids = {
                {"Id", "Id,a,b,species\n7,0.5,-1.25,dog\n8,3,0.001,cat\n9,0,2,dog\n"},  // Kaggle's Iris.csv
                {"patient_id", "a,patient_id,b,species\n0.5,7,-1.25,dog\n3,8,0.001,cat\n0,9,2,dog\n"},
                {"Unnamed: 0", ",Unnamed: 0,a,b,species\n0,7,0.5,-1.25,dog\n1,8,3,0.001,cat\n2,9,0,2,dog\n"},  // pandas' index, twice
                {"index", "index,a,b,species\n7,0.5,-1.25,dog\n8,3,0.001,cat\n9,0,2,dog\n"},
                {"PassengerId", "a,b,PassengerId,species\n0.5,-1.25,7,dog\n3,0.001,8,cat\n0,2,9,dog\n"},
                {"customerID", "customerID;a;b;species\nc7;0,5;-1,25;dog\nc8;3;0,001;cat\nc9;0;2;dog\n"},
        };
        for (String[] c : ids) {
            Features f = Csv.examples(file("id.csv", c[1]));
            assertArrayEquals(values, f.values(), c[1]);
            assertEquals(List.of("cat", "dog"), f.classes(), c[1]);
            assertArrayEquals(new int[] {1, 0, 1}, f.labels(), c[1]);
            assertEquals(new Csv.Header(false, null, List.of(c[0])), Csv.header(dir.resolve("id.csv"), null), c[1]);
            assertArrayEquals(values, Csv.rows(dir.resolve("id.csv"), 2).values(), c[1]);
        }
        for (String name : new String[] {"paid", "Acid", "fluid", "Thyroid", "identity", "idx", "ID number"}) {
            assertEquals(3, Csv.examples(file("f.csv", name + ",a,b,species\n0,0.5,-1.25,dog\n1,3,0.001,cat\n")).features(), name);
        }
        // Kaggle's copy of the Wisconsin breast cancer data: an id, the class's names second, and a comma ending every line
        Features kaggle = Csv.examples(file("data.csv", "\"id\",\"diagnosis\",\"a\",\"b\",\n842302,M,0.5,-1.25,\n842517,B,3,0.001,\n84300903,M,0,2,\n"));
        assertEquals(List.of("B", "M"), kaggle.classes());
        assertArrayEquals(new int[] {1, 0, 1}, kaggle.labels());
        assertArrayEquals(values, kaggle.values());
        // a spreadsheet's: columns unnamed after the last name, rows of separators alone below the data
        for (String text : new String[] {"label,a,b,,,\n2,0.5,-1.25,,,\n0,3,0.001,,,\n1,0,2,,,\n,,,,,\n,,,,,\n",
                "2;0,5;-1,25\n;;\n0;3;0,001\n\"\";\"\";\"\"\n1;0;2\n"}) {
            Features f = Csv.examples(file("sheet.csv", text));
            assertArrayEquals(values, f.values(), text);
            assertArrayEquals(new int[] {2, 0, 1}, f.labels(), text);
        }
        // the classes by place: the first column not left out, named in the header's note
        Features byPlace = Csv.examples(file("place.csv", "id,kind,a,b\n5,2,0.5,-1.25\n6,0,3,0.001\n7,1,0,2\n"));
        assertArrayEquals(new int[] {2, 0, 1}, byPlace.labels());
        assertArrayEquals(values, byPlace.values());
        assertEquals(new Csv.Header(true, "kind", List.of("id")), Csv.header(dir.resolve("place.csv"), null));
        assertEquals(new Csv.Header(true, null, List.of()), Csv.header(file("bare.csv", "2,0.5,-1.25\n"), null));
        assertEquals(new Csv.Header(false, null, List.of()), Csv.header(dir.resolve("bare.csv"), "1"));
        // without such a header (y is a coordinate as often as a class), a last column of numbers is a feature; named twice, or a line of other width, refused
        assertEquals(3, Csv.examples(file("p.csv", "a,x,y\n0,0.5,1\n1,0.5,0\n")).features() + 1);
        UserError twice = assertThrows(UserError.class, () -> Csv.examples(file("twice.csv", "label,Class,a\n0,1,2\n")));
        assertTrue(twice.getMessage().contains("line 1: the header names two columns as the class's ('label' and 'Class')"), twice.getMessage());
        UserError wide = assertThrows(UserError.class, () -> Csv.examples(file("wide.csv", "a,target\n1,0,2\n")));
        assertTrue(wide.getMessage().contains("line 2: 3 values, but the header names 2 columns"), wide.getMessage());
    }

    /** The class's column chosen by its header's name or its number (--label), wherever it is, in place of the header's. */
    @Test
    void theClassColumnChosenByNameOrNumber() throws IOException {
        float[] values = {0.5f, -1.25f, 3, 1e-3f, 0, 2};
        Path wine = file("wine.csv", "\"a\";\"quality\";\"b\"\n0,5;2;-1,25\n3;0;0,001\n0;1;2\n");
        for (String label : new String[] {"quality", "QUALITY", "2"}) {
            Features f = Csv.examples(wine, List.of(), label);
            assertArrayEquals(values, f.values(), label);
            assertArrayEquals(new int[] {2, 0, 1}, f.labels(), label);
        }
        // the header's class column is then a feature; a column of names is the class's wherever it is
        Features chosen = Csv.examples(file("c.csv", "label,a,kind\n5,0.5,dog\n6,3,cat\n"), List.of(), "kind");
        assertArrayEquals(new float[] {5, 0.5f, 6, 3}, chosen.values());
        assertEquals(List.of("cat", "dog"), chosen.classes());
        Features wdbc = Csv.examples(file("wdbc.data", "842302,M,0.5,-1.25\n842517,B,3,0.001\n84300903,M,0,2\n"), List.of(), "2");
        assertEquals(List.of("B", "M"), wdbc.classes());
        assertArrayEquals(new int[] {1, 0, 1}, wdbc.labels());
        assertEquals(3, wdbc.features());  // the id stays: no header names it
        // to predict: the column left out where the file has it, by name or by number; the lines as they are where not
        Path bare = file("bare.csv", "a;b\n0,5;-1,25\n3;0,001\n0;2\n");
        Path bareNoHeader = file("bare2.csv", "0.5,-1.25\n3,0.001\n0,2\n");
        for (Path f : new Path[] {wine, bare}) {
            assertArrayEquals(values, Csv.rows(f, 2, "quality").values(), f.toString());
        }
        for (Path f : new Path[] {wine, bare, bareNoHeader}) {
            assertArrayEquals(values, Csv.rows(f, 2, "2").values(), f.toString());
        }
        UserError which = assertThrows(UserError.class, () -> Csv.rows(file("n.csv", "0.5,2,-1.25\n"), 2, "quality"));
        assertTrue(which.getMessage().contains("a line holds a number besides the model's 2 features, but the class's column, 'quality', is none"
                + " the header names: give its number (from 1) with --label"), which.getMessage());
        // refused: a class that is no index, a name given twice
        UserError real = assertThrows(UserError.class, () -> Csv.examples(file("r.csv", "a,q\n1,2\n1,7.5\n"), List.of(), "q"));
        assertTrue(real.getMessage().endsWith("line 3, column 2: the class 7.5 is not a class index (0, 1, 2, ...) or a name"), real.getMessage());
        UserError twice = assertThrows(UserError.class, () -> Csv.examples(file("t.csv", "q,Q\n1,2\n"), List.of(), "q"));
        assertTrue(twice.getMessage().contains("its header names two columns 'q' (columns 1 and 2): give the class's column by its number"),
                twice.getMessage());
    }

    /** Classes by their names, last on a line as in Iris's file or first: numbered in the order of the names. */
    @Test
    void classesNamedFirstOrLast() throws IOException {
        for (String text : new String[] {"5.1,3.5,Iris-setosa\n7.0,3.2,Iris-versicolor\n6.3,3.3,Iris-virginica\n4.9,3.0,Iris-setosa\n\n",
                "class;a;b\n\"Iris-setosa\";5,1;3,5\nIris-versicolor;7,0;3,2\nIris-virginica;6,3;3,3\nIris-setosa;4,9;3,0\n",
                "5,1;3,5;Iris, setosa\n7,0;3,2;Iris, versicolor\n6,3;3,3;Iris, virginica\n4,9;3,0;Iris, setosa\n",
                // a separator within quotes is the field's own, as CSV writers quote such a name
                "5.1,3.5,\"Iris, setosa\"\n7.0,3.2,\"Iris, versicolor\"\n6.3,3.3,\"Iris, virginica\"\n\"4.9\",3.0,\"Iris, setosa\"\n"}) {
            Features f = Csv.examples(file("iris.csv", text));
            assertEquals(text.contains(", ") ? List.of("Iris, setosa", "Iris, versicolor", "Iris, virginica")
                    : List.of("Iris-setosa", "Iris-versicolor", "Iris-virginica"), f.classes(), text);
            assertArrayEquals(new int[] {0, 1, 2, 0}, f.labels(), text);
            assertArrayEquals(new float[] {5.1f, 3.5f, 7.0f, 3.2f, 6.3f, 3.3f, 4.9f, 3.0f}, f.values(), text);
            assertEquals(3, f.classCount());
        }
        // a quote within a quoted name, doubled as CSV writes it
        assertEquals(List.of("a \"big\" one", "small"), Csv.examples(file("q.csv", "1,2,\"a \"\"big\"\" one\"\n3,4,small\n")).classes());
        // numbered as a model's names number them, and refused where a name is none of them
        Path test = file("test.csv", "6.0,3.0,Iris-virginica\n5.0,3.4,Iris-setosa\n");
        Features t = Csv.examples(test, List.of("Iris-versicolor", "Iris-virginica", "Iris-setosa"));
        assertArrayEquals(new int[] {1, 2}, t.labels());
        UserError e = assertThrows(UserError.class, () -> Csv.examples(test, List.of("cat", "dog")));
        assertTrue(e.getMessage().contains("line 1: the class 'Iris-virginica' is none of the model's (cat, dog)"), e.getMessage());
        // to predict, the names are left out
        assertArrayEquals(new float[] {6.0f, 3.0f, 5.0f, 3.4f}, Csv.rows(test, 2).values());
    }

    /** Whole numbers, read by a path of their own, are what Float.parseFloat makes of them, as are all others. */
    @Test
    void everyNumberIsFloatParseFloats() throws IOException {
        String[] numbers = {"0", "0000255", "9999999", "1234567", "12345678", "16777217", "-7", "+3", "3.5", "1e3", "\"42\"", " 8 ", "0x1p4"};
        Features f = Csv.rows(file("n.csv", String.join(",", numbers) + "\n"), numbers.length);
        for (int i = 0; i < numbers.length; i++) {
            String s = numbers[i].trim().replace("\"", "");
            assertEquals(Float.parseFloat(s), f.values()[i], numbers[i]);
        }
    }

    @Test
    void rowsToPredictCarryTheirLabelsOrNone() throws IOException {
        Features unlabelled = Csv.rows(file("u.csv", "x,y\n0.5,1\n2,3\n"), 2);
        assertArrayEquals(new float[] {0.5f, 1, 2, 3}, unlabelled.values());
        assertArrayEquals(new int[] {0, 0}, unlabelled.labels());
        Features labelled = Csv.rows(file("l.csv", "1,0.5,1\n4,2,3\n"), 2);
        assertArrayEquals(new float[] {0.5f, 1, 2, 3}, labelled.values());
        assertArrayEquals(new int[] {1, 4}, labelled.labels());
        UserError e = assertThrows(UserError.class, () -> Csv.rows(dir.resolve("l.csv"), 5));
        assertTrue(e.getMessage().contains("3 numbers a line, but the model takes 5 features"), e.getMessage());
    }

    @Test
    void pixelsAreWholeNumbersFrom0To255() throws IOException {
        Features f = Csv.examples(file("p.csv", "1,0,255,17,3\n0,9,8,7,6\n"));
        Images i = Csv.pixels(f, dir.resolve("p.csv"), 2, 2);
        assertArrayEquals(new byte[] {0, (byte) 255, 17, 3, 9, 8, 7, 6}, i.pixels());
        assertArrayEquals(new byte[] {1, 0}, i.labels());
        for (String bad : new String[] {"256", "-1", "0.5"}) {
            Features b = Csv.examples(file("b.csv", "1,0,1,2,3\n0,9," + bad + ",7,6\n"));
            UserError e = assertThrows(UserError.class, () -> Csv.pixels(b, dir.resolve("b.csv"), 2, 2));
            assertTrue(e.getMessage().contains(bad + " (example 2, feature 2) is not a pixel value 0..255"), e.getMessage());
        }
    }

    @Test
    void badFilesAreRefusedNamingTheLine() throws IOException {
        String[][] cases = {
                {"1,2,3\n0,1\n", "line 2: 2 values, but the lines before it have 3"},
                {"a,b,c\n1,2,3\n0,x,2\n", "line 3, column 2: 'x' is not a number"},
                {"1,2,3\n0,,2\n", "line 2, column 2: no value"},
                {"1,2,3,\n0,1,2,\n", "line 1, column 4: no value"},
                {"1,2,a\n0,1,\"\"\n", "line 2, column 3: no class name"},
                {"1,2,3\n0,NaN,2\n", "line 2, column 2: 'NaN' (a missing value): mlp4j does not fill values in"},
                {"1,2,3\n0,-Infinity,2\n", "line 2, column 2: '-Infinity' is not a finite number"},
                {"label,x,y\n0,1,NA\n", "line 2, column 3: 'NA' (a missing value): mlp4j does not fill values in; fill it in (with the"
                        + " column's mean, say) or leave the line out"},
                {"1,2,3\n?,1,2\n", "line 2, column 1: '?' (a missing value)"},
                {"1,2,3\n1.5,1,2\n", "line 2: the label 1.5 is not a class index"},
                {"1,2,3\n-1,1,2\n", "line 2: the label -1 is not a class index"},
                {"x,y,kind\n5.1,3.5,0.5\n", "line 2: the label 5.1 is not a class index (0, 1, 2, ...); a class's index comes first on each"
                        + " line (a class's name first or last), the features after it, unless --label names its column, or a header line names it"
                        + " label, class or target"},
                // a class last, as whole numbers: --label names it, by its header's name or its number
                {"x,y,kind\n5.1,3.5,0\n", "line 2: the label 5.1 is not a class index (0, 1, 2, ...); the last column holds whole numbers, as"
                        + " classes are: --label kind takes the classes from it"},
                {"\"fixed acidity\";\"alcohol level\"\n7,4;5\n", "line 2: the label 7.4 is not a class index (0, 1, 2, ...); the last column"
                        + " holds whole numbers, as classes are: --label 'alcohol level' takes the classes from it"},
                {"3.6216,8.6661,-2.8073,-0.44699,0\n4.5459,8.1674,-2.4586,-1.4621,1\n", "line 1: the label 3.6216 is not a class index (0, 1,"
                        + " 2, ...); the last column holds whole numbers, as classes are: --label 5 takes the classes from it"},
                {"id,x,y,kind,\n1,5.1,3.5,0,\n", "line 2: the label 5.1 is not a class index (0, 1, 2, ...); the last column holds whole"
                        + " numbers, as classes are: --label kind takes the classes from it"},
                {"1,2,3\ncat,2,3\n", "line 2, column 1: 'cat' is not a number (a line's class comes first or last"},
                {"5.1,Iris-setosa,3.5\n", "line 1, column 2: 'Iris-setosa' is not a number (a line's class, its name here, comes first or last, or"
                        + " in the column --label names; a header's column named id is left out)"},
                {"5.1,3.5,a\n4.9,3.0,b\n4.7,c,0.2\n", "line 3, column 2: 'c' is not a number"},
                {"", "no examples (the file is empty)"},
                {"a,b,c\n\n", "no examples (no line of numbers)"},
                {"1\n2\n", "one number a line, but a line needs a label"},
                {"a,b,c,,\n0,1,2,,\n1,2,3,,4\n", "line 3, column 5: '4' under no name in the header, whose last columns are unnamed, as"
                        + " separators that end every line make them: name the column"},
                {"ID\n1\n2\n", "line 2: the header leaves every column out (ID)"},
                {"id,a,b\n1,2\n", "line 2: 2 values, but the header names 3 columns"},
        };
        for (String[] c : cases) {
            Path f = file("bad.csv", c[0]);
            UserError e = assertThrows(UserError.class, () -> Csv.examples(f), c[0]);
            assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains(c[1]), e.getMessage() + " for " + c[0]);
        }
        // where the class's column is known (a header names it, or it holds names), a feature's words get no hint of where
        // the class goes, but of what a feature is
        String words = " (features are numbers: a column of words wants a column of 0 or 1 for each of its words instead, as pandas'"
                + " get_dummies makes them, or leaving out)";
        for (String text : new String[] {"x,label,y\n1,0,abc\n", "1,2,5.1,cat\n2,3,abc,dog\n"}) {
            String message = assertThrows(UserError.class, () -> Csv.examples(file("labelled.csv", text))).getMessage();
            assertTrue(message.endsWith(", column 3: 'abc' is not a number" + words), message);
        }
        Path sign = file("sign.csv", "x,label,y\n1,0,1.2.3\n");
        assertTrue(assertThrows(UserError.class, () -> Csv.examples(sign)).getMessage().endsWith("line 2, column 3: '1.2.3' is not a number"));
        UserError missing = assertThrows(UserError.class, () -> Csv.examples(dir.resolve("none.csv")));
        assertTrue(missing.getMessage().contains("not found"), missing.getMessage());
    }

    @Test
    void namedByItsSuffix() {
        for (String n : new String[] {"a.csv", "B.CSV", "x.tsv", "rows.txt", "iris.data"}) {
            assertTrue(Csv.named(Path.of(n)), n);
        }
        for (String n : new String[] {"train-images-idx3-ubyte", "x.gz", "digit.png", "csv", "data", "metadata.json"}) {
            assertTrue(!Csv.named(Path.of(n)), n);
        }
    }
}
