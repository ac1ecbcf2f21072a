package org.mlp4j.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mlp4j.Activation;
import org.mlp4j.Output;
import org.mlp4j.backend.GpuKernel;
import org.mlp4j.util.AtomicFiles;
import org.mlp4j.util.UserError;

/**
 * {@code model.npz}: {@code layer_sizes} (int32), {@code input_scaling} (float32 [scale, shift]: input =
 * x * scale + shift; [2/255, -1] for uint8 pixels, [1, 0] for float features), {@code activation} (int32,
 * the hidden layers': 1 sigmoid, 2 tanh, 3 relu, 4 leaky-relu with slope 0.01), {@code output} (int32: 0
 * sigmoid units, 1 softmax), and per layer l {@code w<l>} (float32, in x out) and {@code b<l>} (float32,
 * out); and where the classes have names (a CSV file's), {@code classes} (unicode, a name an output); where train was
 * told the CSV file's class column ({@code --label}), {@code label_column} (unicode, 1: as given, a header's name or a
 * number from 1), which evaluate and predict then take for their files. A file without
 * {@code activation} or {@code output} (written before they existed) is the book's sigmoid network. A file NumPy wrote
 * of its own arrays reads too: int64 for the int32 arrays, float64 or integers for the float32 ones (rounded to
 * float32), and arrays in Fortran order ({@code w.T} of a PyTorch layer's out x in weight).
 * In NumPy: {@code m = np.load("model.npz"); a = 1/(1+np.exp(-(x @ m["w0"] + m["b0"])))}. Loading checks
 * every array's shape against {@code layer_sizes} and that every parameter is finite.
 */
public final class ModelFile {
    /** The name {@code train} gives the model in its run's directory. */
    public static final String NAME = "model.npz";

    private ModelFile() {
    }

    public static void save(Network net, Path file) {
        save(net, List.of(), file);
    }

    /** The network with its classes' names (none: empty), one an output. */
    public static void save(Network net, List<String> classes, Path file) {
        save(net, classes, null, file);
    }

    /** As {@link #save(Network, List, Path)}, with the column of a CSV file's class ({@code --label}), where not null. */
    public static void save(Network net, List<String> classes, String labelColumn, Path file) {
        if (!classes.isEmpty() && classes.size() != net.outputs()) {
            throw new IllegalArgumentException(classes.size() + " class names for " + net.outputs() + " outputs");
        }
        Map<String, Npz.Array> arrays = arrays(net);
        if (!classes.isEmpty()) {
            arrays.put("classes", new Npz.Array(new int[] {classes.size()}, classes.toArray(String[]::new)));
        }
        if (labelColumn != null) {
            arrays.put(LABEL_COLUMN, new Npz.Array(new int[] {1}, new String[] {labelColumn}));
        }
        AtomicFiles.write(file, out -> Npz.write(out, arrays));
    }

    private static final String LABEL_COLUMN = "label_column";

    /**
     * A model file's network and the names of its classes, one an output (none where they are their indices); and the
     * column of its CSV file's class where train was told it, else null.
     */
    public record Model(Network network, List<String> classes, String labelColumn) {
    }

    /** The model's arrays by name, as {@link #save} writes them. */
    static Map<String, Npz.Array> arrays(Network net) {
        Map<String, Npz.Array> arrays = new LinkedHashMap<>();
        arrays.put("layer_sizes", new Npz.Array(new int[] {net.sizes().length}, net.sizes().clone()));
        arrays.put("input_scaling", new Npz.Array(new int[] {2}, new float[] {net.input().scale(), net.input().shift()}));
        arrays.put("activation", new Npz.Array(new int[] {1}, new int[] {GpuKernel.code(net.activation())}));
        arrays.put("output", new Npz.Array(new int[] {1}, new int[] {GpuKernel.code(net.output())}));
        for (int l = 0; l < net.layers(); l++) {
            arrays.put("w" + l, new Npz.Array(new int[] {net.sizes()[l], net.sizes()[l + 1]}, net.weights()[l]));
            arrays.put("b" + l, new Npz.Array(new int[] {net.sizes()[l + 1]}, net.biases()[l]));
        }
        return arrays;
    }

    public static Network load(Path file) {
        Map<String, Npz.Array> a = modelArrays(file);
        try {
            return network(a);
        } catch (IllegalArgumentException e) {
            throw new UserError(file + ": unreadable model file (" + e.getMessage() + ")");
        }
    }

    /** As {@link #load}, with the classes' names, from one reading of the file. */
    public static Model read(Path file) {
        Map<String, Npz.Array> a = modelArrays(file);
        try {
            Network net = network(a);
            List<String> names = a.containsKey("classes") ? List.of(a.get("classes").strings()) : List.of();
            if (!names.isEmpty() && names.size() != net.outputs()) {
                throw new IllegalArgumentException(names.size() + " classes for " + net.outputs() + " outputs");
            }
            return new Model(net, names, a.containsKey(LABEL_COLUMN) ? sized(a, LABEL_COLUMN, 1).strings()[0] : null);
        } catch (IllegalArgumentException e) {
            throw new UserError(file + ": unreadable model file (" + e.getMessage() + ")");
        }
    }

    private static Map<String, Npz.Array> modelArrays(Path file) {
        if (Files.isDirectory(file)) {  // a run's directory given for its model
            Path model = file.resolve(NAME);
            throw new UserError(file + ": a directory, not a model file" + (Files.isRegularFile(model) ? "; did you mean " + model + "?" : ""));
        }
        return readArrays(file, "model file");
    }

    /** Every array of an .npz file; a missing, unreadable, non-regular or malformed file is a {@link UserError}. */
    static Map<String, Npz.Array> readArrays(Path file, String what) {
        UserError.requireFile(file, what);
        try (InputStream in = Files.newInputStream(file)) {
            return Npz.read(in);
        } catch (IOException | RuntimeException e) {
            throw new UserError(file + ": unreadable " + what + " (" + e.getMessage() + ")");
        }
    }

    /** The network in {@code a}, every array checked against {@code layer_sizes}. */
    static Network network(Map<String, Npz.Array> a) {
        Npz.Array sizeArray = need(a, "layer_sizes");
        int[] sizes = ints(sizeArray, "layer_sizes");
        if (sizeArray.shape().length != 1 || sizes.length < 2) {
            throw new IllegalArgumentException("layer_sizes has shape " + Arrays.toString(sizeArray.shape()) + ", not (n,) with n >= 2");
        }
        if (!a.containsKey("input_scaling")) {
            throw new IllegalArgumentException("no array 'input_scaling': [2/255, -1] for a network of MNIST's pixels scaled as the book "
                    + "scales them, [1, 0] for features taken as they are");
        }
        float[] scaling = floats(a.get("input_scaling"), "input_scaling");
        Network.Input input = Arrays.stream(Network.Input.values())
                .filter(in -> scaling.length == 2 && scaling[0] == in.scale() && scaling[1] == in.shift()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("input_scaling " + Arrays.toString(scaling)
                        + " is neither [2/255, -1] (uint8 pixels as (x/255 - 0.5) * 2) nor [1, 0] (float features)"));
        for (int s : sizes) {
            if (s < 1) {
                throw new IllegalArgumentException("layer_sizes " + Arrays.toString(sizes) + " has a size below 1");
            }
        }
        int l = sizes.length - 1;
        float[][] w = new float[l][];
        float[][] b = new float[l][];
        for (int i = 0; i < l; i++) {
            w[i] = checked(need(a, "w" + i), "w" + i, sizes[i], sizes[i + 1]);
            b[i] = checked(need(a, "b" + i), "b" + i, sizes[i + 1]);
        }
        Activation activation = a.containsKey("activation") ? code(Activation.values(), a.get("activation"), "activation") : Activation.SIGMOID;
        if (activation == Activation.IDENTITY) {
            throw new IllegalArgumentException("activation 0 (identity) is not a hidden layer's");
        }
        Output output = a.containsKey("output") ? code(Output.values(), a.get("output"), "output") : Output.SIGMOID;
        return new Network(sizes, w, b, input, activation, output);
    }

    /** The constant whose code (its position, as {@link GpuKernel#code}) the one-element array holds. */
    private static <E extends Enum<E>> E code(E[] values, Npz.Array array, String name) {
        int[] v = ints(array, name);
        if (v.length != 1 || v[0] < 0 || v[0] >= values.length) {
            throw new IllegalArgumentException(name + " " + Arrays.toString(v) + " is not one code of 0.." + (values.length - 1));
        }
        return values[v[0]];
    }

    /** The array's floats, after checking its shape is exactly {@code shape} and every value is finite. */
    private static float[] checked(Npz.Array array, String name, int... shape) {
        if (!Arrays.equals(array.shape(), shape)) {
            throw new IllegalArgumentException(name + " has shape " + Arrays.toString(array.shape()) + " but layer_sizes needs "
                    + Arrays.toString(shape));
        }
        float[] v = floats(array, name);
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new IllegalArgumentException(name + " holds " + v[i] + " at index " + i);
            }
        }
        return v;
    }

    /** An integer array's values: int32, or int64 (NumPy's integers on most systems) within int32's range. */
    private static int[] ints(Npz.Array array, String name) {
        if (array.data() instanceof int[] v) {
            return v;
        }
        if (!(array.data() instanceof long[] v)) {
            throw new IllegalArgumentException(name + " is " + array.dtype() + ", not int32 or int64");
        }
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] != (int) v[i]) {
                throw new IllegalArgumentException(name + " holds " + v[i] + " at index " + i + ", beyond int32's range");
            }
            out[i] = (int) v[i];
        }
        return out;
    }

    /**
     * A real array's values: float32, or float64 (NumPy's floats, a model trained in NumPy) rounded to float32, or
     * integers (NumPy makes {@code [1, 0]} int64).
     */
    private static float[] floats(Npz.Array array, String name) {
        Object data = array.data();
        if (data instanceof float[] v) {
            return v;
        }
        if (data instanceof String[]) {
            throw new IllegalArgumentException(name + " is " + array.dtype() + ", not numbers");
        }
        float[] out = new float[java.lang.reflect.Array.getLength(data)];
        for (int i = 0; i < out.length; i++) {
            double v = data instanceof double[] d ? d[i] : data instanceof long[] l ? l[i] : ((int[]) data)[i];
            out[i] = (float) v;
            if (Double.isFinite(v) && !Float.isFinite(out[i])) {
                throw new IllegalArgumentException(name + " holds " + v + " at index " + i + ", beyond float32's range");
            }
        }
        return out;
    }

    static Npz.Array need(Map<String, Npz.Array> a, String name) {
        Npz.Array v = a.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no array '" + name + "'");
        }
        return v;
    }

    /** The array {@code name}, of {@code n} elements in one dimension. */
    static Npz.Array sized(Map<String, Npz.Array> a, String name, int n) {
        Npz.Array v = need(a, name);
        if (v.shape().length != 1 || v.shape()[0] != n) {
            throw new IllegalArgumentException(name + " has shape " + Arrays.toString(v.shape()) + ", not (" + n + ",)");
        }
        return v;
    }
}
