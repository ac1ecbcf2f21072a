package org.mlp4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlp4j.Numpy;
import org.mlp4j.TestData;
import org.mlp4j.util.UserError;
import org.mlp4j.backend.cpu.CpuBackend;
import org.mlp4j.data.Images;

class ModelFileTest {
    @TempDir
    Path dir;

    @Test
    void saveLoadGivesIdenticalPredictions() throws java.io.IOException {
        Images data = TestData.trainHead(3000);
        try (CpuBackend cpu = new CpuBackend(2)) {
            Network net = new Trainer(cpu, new Hyperparameters(1, 100, 0.0005f, 0.01f, 1))
                    .fit(new int[] {784, 40, 20, 10}, data, 500, TrainingListener.NONE).network();
            Path file = dir.resolve("model.npz");
            ModelFile.save(net, file);
            Network back = ModelFile.load(file);
            assertEquals(net, back);
            assertArrayEquals(Trainer.predict(cpu, net, data), Trainer.predict(cpu, back, data));
            try (var files = Files.list(dir)) {
                assertEquals(1, files.count(), "no temporary file left behind");
            }
        }
    }

    @Test
    void numpyCanLoadTheModel() throws Exception {
        Network net = Network.initialize(new int[] {4, 3, 2}, new NumpyRandom(1));
        Path file = dir.resolve("model.npz");
        ModelFile.save(net, file);
        String out = Numpy.run("import numpy as np, sys; m = np.load(sys.argv[1]); "
                + "print(m['layer_sizes'].tolist(), m['w0'].dtype, m['w0'].shape, m['b1'].shape, repr(float(m['w0'][0,0])), m['input_scaling'].tolist())",
                file.toString());
        assertTrue(out.startsWith("[4, 3, 2] float32 (4, 3) (2,) " + (double) net.weights()[0][0]), out);
    }

    /**
     * The classes' names of a model trained on a CSV file: read back as written, by NumPy as unicode (the same names,
     * one past the Basic Multilingual Plane among them), and refused where they are not one an output.
     */
    @Test
    void classNamesRoundTripAndNumpyReadsThem() throws Exception {
        Network net = Network.initialize(new int[] {4, 3, 3}, Network.Input.FEATURES, new NumpyRandom(1));
        java.util.List<String> names = java.util.List.of("Iris-setosa", "Ægir", "\uD83D\uDE00 smile");
        Path file = dir.resolve("named.npz");
        ModelFile.save(net, names, file);
        assertEquals(names, ModelFile.read(file).classes());
        assertEquals(java.util.List.of(), ModelFile.read(saved(net)).classes());
        assertThrows(IllegalArgumentException.class, () -> ModelFile.save(net, java.util.List.of("a", "b"), file));
        java.util.Map<String, Npz.Array> arrays = ModelFile.arrays(net);
        arrays.put("classes", new Npz.Array(new int[] {2}, new String[] {"a", "b"}));
        Path two = dir.resolve("two.npz");
        try (var out = Files.newOutputStream(two)) {
            Npz.write(out, arrays);
        }
        assertTrue(assertThrows(UserError.class, () -> ModelFile.read(two).classes()).getMessage().contains("2 classes for 3 outputs"));
        // the CSV file's class column where train was told it (--label); one name, or refused
        Path labelled = dir.resolve("labelled.npz");
        ModelFile.save(net, names, "quality", labelled);
        assertEquals("quality", ModelFile.read(labelled).labelColumn());
        assertEquals(names, ModelFile.read(labelled).classes());
        assertEquals(null, ModelFile.read(file).labelColumn());
        arrays = ModelFile.arrays(net);
        arrays.put("label_column", new Npz.Array(new int[] {2}, new String[] {"a", "b"}));
        Path twoColumns = dir.resolve("two-columns.npz");
        try (var out = Files.newOutputStream(twoColumns)) {
            Npz.write(out, arrays);
        }
        assertTrue(assertThrows(UserError.class, () -> ModelFile.read(twoColumns)).getMessage().contains("label_column has shape [2], not (1,)"));
        String out = Numpy.run("import numpy as np, sys; m = np.load(sys.argv[1]); "
                + "sys.stdout.buffer.write(('|'.join(m['classes'].tolist()) + ' ' + str(m['classes'].dtype)).encode())", file.toString());
        assertEquals(String.join("|", names) + " <U11", out);
    }

    private Path saved(Network net) {
        Path file = dir.resolve("plain.npz");
        ModelFile.save(net, file);
        return file;
    }

    /** Writes a model with one array replaced (or added) and returns the load error. */
    String loadError(String name, Npz.Array replacement) throws Exception {
        Network net = Network.initialize(new int[] {784, 8, 10}, new NumpyRandom(1));
        java.util.Map<String, Npz.Array> arrays = ModelFile.arrays(net);
        arrays.put(name, replacement);
        Path file = dir.resolve("bad.npz");
        try (var out = Files.newOutputStream(file)) {
            Npz.write(out, arrays);
        }
        return assertThrows(UserError.class, () -> ModelFile.load(file)).getMessage();
    }

    /** Npz bytes of one entry whose header promises {@code shape} but which holds {@code dataBytes} bytes. */
    Path lyingEntry(String shape, int dataBytes) throws Exception {
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
        header = header + " ".repeat(117 - header.length()) + "\n";
        java.io.ByteArrayOutputStream npy = new java.io.ByteArrayOutputStream();
        npy.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length(), 0});
        npy.write(header.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        npy.write(new byte[dataBytes]);
        Path file = dir.resolve("lying.npz");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(file))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("w0.npy"));
            zip.write(npy.toByteArray());
            zip.closeEntry();
        }
        return file;
    }

    @Test
    void modelsThatDoNotMatchTheirLayerSizesAreRefused() throws Exception {
        float[] transposed = new float[8 * 784];
        assertTrue(loadError("w0", new Npz.Array(new int[] {8, 784}, transposed)).contains("w0 has shape [8, 784] but layer_sizes needs [784, 8]"));
        float[] nan = new float[784 * 8];
        nan[5] = Float.NaN;
        assertTrue(loadError("w0", new Npz.Array(new int[] {784, 8}, nan)).contains("w0 holds NaN at index 5"));
        float[] inf = new float[10];
        inf[9] = Float.POSITIVE_INFINITY;
        assertTrue(loadError("b1", new Npz.Array(new int[] {10}, inf)).contains("b1 holds Infinity"));
        assertTrue(loadError("layer_sizes", new Npz.Array(new int[] {3}, new int[] {784, 0, 10})).contains("size below 1"));
        // 65536 x 65536 wraps to 0 in int arithmetic
        assertTrue(loadError("layer_sizes", new Npz.Array(new int[] {3}, new int[] {65536, 65536, 10})).contains("layer_sizes needs [65536, 65536]"));
        assertTrue(loadError("input_scaling", new Npz.Array(new int[] {2}, new float[] {1f / 255, 0})).contains("input_scaling [0.003921569, 0.0]"));
    }

    /** The model says what it takes: uint8 pixels it scales, or float features as they are. */
    @Test
    void theInputKindRoundTrips() throws Exception {
        for (Network.Input input : Network.Input.values()) {
            Network net = Network.initialize(new int[] {3, 2}, input, new NumpyRandom(1));
            Path file = dir.resolve(input + ".npz");
            ModelFile.save(net, file);
            assertEquals(net, ModelFile.load(file));
            assertArrayEquals(new float[] {input.scale(), input.shift()}, ModelFile.arrays(net).get("input_scaling").floats());
        }
        assertArrayEquals(new float[] {1, 0}, ModelFile.arrays(Network.initialize(new int[] {3, 2}, Network.Input.FEATURES, new NumpyRandom(1)))
                .get("input_scaling").floats());
    }

    @Test
    void arraysThatLieAboutTheirSizeAreRefusedBeforeReadingThem() throws Exception {
        String negative = assertThrows(UserError.class, () -> ModelFile.load(lyingEntry("(-8, 784)", 16))).getMessage();
        assertTrue(negative.contains("dimension of -8"), negative);
        String huge = assertThrows(UserError.class, () -> ModelFile.load(lyingEntry("(65536, 65536)", 16))).getMessage();
        assertTrue(huge.contains("4294967296 elements, more than"), huge);
        String truncated = assertThrows(UserError.class, () -> ModelFile.load(lyingEntry("(784, 8)", 16))).getMessage();
        assertTrue(truncated.contains("truncated"), truncated);
        // a member that inflates far past its shape: only the promised bytes and one more are read
        String longer = assertThrows(UserError.class, () -> ModelFile.load(lyingEntry("(2,)", 64 << 20))).getMessage();
        assertTrue(longer.contains("more data than its shape"), longer);
        assertTrue(assertThrows(UserError.class, () -> ModelFile.load(Path.of("/dev/zero"))).getMessage().contains("not a regular file"));
    }

    @Test
    void theSameNetworkGivesTheSameBytes() throws Exception {
        Network net = Network.initialize(new int[] {20, 8, 3}, new NumpyRandom(4));
        ModelFile.save(net, dir.resolve("a.npz"));
        Thread.sleep(2100); // zip timestamps have a 2 s resolution
        ModelFile.save(net, dir.resolve("b.npz"));
        assertArrayEquals(Files.readAllBytes(dir.resolve("a.npz")), Files.readAllBytes(dir.resolve("b.npz")));
    }

    /** Arrays are stored, as np.savez stores them, not deflated: a large network's checkpoint costs a copy, not a compression. */
    @Test
    void theArraysAreStoredUncompressed() throws Exception {
        Network net = Network.initialize(new int[] {20, 8, 3}, new NumpyRandom(4));
        ModelFile.save(net, dir.resolve("a.npz"));
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(dir.resolve("a.npz").toFile())) {
            assertTrue(zip.size() > 4);
            zip.stream().forEach(e -> assertEquals(java.util.zip.ZipEntry.STORED, e.getMethod(), e.getName()));
        }
    }

    /**
     * A model NumPy wrote of its own arrays, as a model trained in NumPy or PyTorch is saved: int64 sizes, float64
     * parameters (rounded to float32 on reading), an int64 input_scaling and a weight in Fortran order (a PyTorch layer's out x in weight,
     * transposed). It loads as the float32 network; a type that is neither, or a value float32 or int32 cannot hold,
     * is refused naming the array.
     */
    @Test
    void numpysOwnTypesAndFortranOrderRead() throws Exception {
        Network net = Network.initialize(new int[] {3, 4, 2}, Network.Input.FEATURES, new NumpyRandom(2));
        double[] w0 = new double[12];
        for (int i = 0; i < 12; i++) {
            w0[i] = net.weights()[0][i] + 1e-12;  // float64 values that round to the float32 ones
        }
        float[] w1Fortran = new float[8];  // w1 is 4 x 2: column by column
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 2; c++) {
                w1Fortran[c * 4 + r] = net.weights()[1][r * 2 + c];
            }
        }
        java.util.Map<String, Npz.Array> arrays = new java.util.LinkedHashMap<>();
        arrays.put("layer_sizes", new Npz.Array(new int[] {3}, new long[] {3, 4, 2}));
        arrays.put("input_scaling", new Npz.Array(new int[] {2}, new long[] {1, 0}));  // NumPy's [1, 0]
        arrays.put("w0", new Npz.Array(new int[] {3, 4}, w0));
        arrays.put("b0", new Npz.Array(new int[] {4}, java.util.stream.IntStream.range(0, 4).mapToDouble(i -> net.biases()[0][i]).toArray()));
        arrays.put("w1", new Npz.Array(new int[] {4, 2}, w1Fortran));
        arrays.put("b1", new Npz.Array(new int[] {2}, net.biases()[1]));
        Path file = dir.resolve("numpy.npz");
        writeFortran(arrays, file, "w1");
        assertEquals(net, ModelFile.load(file));

        arrays.put("w0", new Npz.Array(new int[] {3, 4}, java.util.Collections.nCopies(12, "a").toArray(String[]::new)));
        assertTrue(refused(arrays).contains("w0 is unicode, not numbers"));
        double[] huge = w0.clone();
        huge[5] = 1e39;
        arrays.put("w0", new Npz.Array(new int[] {3, 4}, huge));
        assertTrue(refused(arrays).contains("w0 holds 1.0E39 at index 5, beyond float32's range"));
        arrays.put("w0", new Npz.Array(new int[] {3, 4}, w0));
        arrays.put("layer_sizes", new Npz.Array(new int[] {3}, new long[] {3, 1L << 32, 2}));
        assertTrue(refused(arrays).contains("layer_sizes holds 4294967296 at index 1, beyond int32's range"));
        arrays.put("layer_sizes", new Npz.Array(new int[] {3}, new long[] {3, 4, 2}));
        arrays.remove("input_scaling");  // says what to write
        assertTrue(refused(arrays).contains("no array 'input_scaling': [2/255, -1] for a network of MNIST's pixels"));
    }

    /** The message of the error loading these arrays. */
    private String refused(java.util.Map<String, Npz.Array> arrays) throws Exception {
        Path file = dir.resolve("refused.npz");
        writeFortran(arrays, file, "w1");
        return assertThrows(UserError.class, () -> ModelFile.load(file)).getMessage();
    }

    /** The arrays as an .npz file whose array {@code fortran} is marked as in Fortran order (its data already is). */
    private static void writeFortran(java.util.Map<String, Npz.Array> arrays, Path file, String fortran) throws Exception {
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(file))) {
            for (var e : arrays.entrySet()) {
                byte[] npy = Npz.npy(e.getValue());
                if (e.getKey().equals(fortran)) {
                    String latin = new String(npy, java.nio.charset.StandardCharsets.ISO_8859_1);
                    npy = latin.replace("'fortran_order': False", "'fortran_order': True ").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                }
                zip.putNextEntry(new java.util.zip.ZipEntry(e.getKey() + ".npy"));
                zip.write(npy);
                zip.closeEntry();
            }
        }
    }

    /** Fortran order rearranged into C order in three dimensions: element (i, j, k) of a 2 x 3 x 4 array. */
    @Test
    void fortranOrderBecomesCOrder() {
        int[] fortran = new int[24];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 4; k++) {
                    fortran[i + 2 * j + 6 * k] = 100 * i + 10 * j + k;
                }
            }
        }
        int[] c = (int[]) Npz.cOrder(fortran, new int[] {2, 3, 4});
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 4; k++) {
                    assertEquals(100 * i + 10 * j + k, c[12 * i + 4 * j + k]);
                }
            }
        }
    }

    /**
     * The README's lines that save a model trained in NumPy (the book's NeuralNetMLP's w_h, b_h, w_out, b_out, float64),
     * and a PyTorch layer's weight transposed, as NumPy writes them: mlp4j reads the same network.
     */
    @Test
    void aModelNumpySavedLoads() throws Exception {
        Path file = dir.resolve("book.npz"), features = dir.resolve("features.npz");
        String[] printed = Numpy.run(String.join("\n",
                "import numpy as np, sys",
                "rng = np.random.RandomState(3)",
                "w_h, b_h, w_out, b_out = rng.normal(0, 0.1, (6, 5)), rng.normal(0, 0.1, 5), rng.normal(0, 0.1, (5, 3)), np.zeros(3)",
                "np.savez(sys.argv[1], layer_sizes=[6, 5, 3], input_scaling=[2 / 255, -1], w0=w_h, b0=b_h,",
                "         w1=np.ascontiguousarray(w_out.T).astype(np.float32).T, b1=b_out)",
                "np.savez(sys.argv[2], layer_sizes=[6, 5, 3], input_scaling=[1, 0], w0=w_h, b0=b_h,",
                "         w1=np.ascontiguousarray(w_out.T).astype(np.float32).T, b1=b_out)",
                "print(repr(float(w_h[1, 2])), repr(float(np.float32(w_out[4, 1]))), np.load(sys.argv[1])['w1'].flags['F_CONTIGUOUS'])"),
                file.toString(), features.toString()).split(" ");
        assertEquals("True", printed[2], "w1 is stored in Fortran order");
        Network net = ModelFile.load(file);
        assertArrayEquals(new int[] {6, 5, 3}, net.sizes());
        assertEquals(Network.Input.PIXELS, net.input());
        assertEquals((float) Double.parseDouble(printed[0]), net.weights()[0][1 * 5 + 2]);
        assertEquals(Float.parseFloat(printed[1]), net.weights()[1][4 * 3 + 1]);
        assertEquals(Network.Input.FEATURES, ModelFile.load(features).input(), "input_scaling=[1, 0], which NumPy makes int64");
    }

    @Test
    void unreadableModelFilesAreUserErrors() throws Exception {
        Path junk = dir.resolve("junk.npz");
        Files.writeString(junk, "not a zip");
        assertTrue(assertThrows(UserError.class, () -> ModelFile.load(junk)).getMessage().contains("unreadable model file"));
        assertTrue(assertThrows(UserError.class, () -> ModelFile.load(dir.resolve("none.npz"))).getMessage().contains("not found"));
    }
}
