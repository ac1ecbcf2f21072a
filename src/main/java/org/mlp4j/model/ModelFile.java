package org.mlp4j.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mlp4j.AtomicFiles;
import org.mlp4j.UserError;

/**
 * {@code model.npz}: {@code layer_sizes} (int32), {@code input_scaling} (float32 [scale, shift]: input =
 * pixel * scale + shift), and per layer l {@code w<l>} (float32, in x out) and {@code b<l>} (float32, out).
 * In NumPy: {@code m = np.load("model.npz"); a = 1/(1+np.exp(-(x @ m["w0"] + m["b0"])))}.
 */
public final class ModelFile {
    private ModelFile() {
    }

    public static void save(Network net, Path file) {
        Map<String, Npz.Array> arrays = new LinkedHashMap<>();
        arrays.put("layer_sizes", new Npz.Array(new int[] {net.sizes().length}, net.sizes().clone()));
        arrays.put("input_scaling", new Npz.Array(new int[] {2}, new float[] {Network.INPUT_SCALE, Network.INPUT_SHIFT}));
        for (int l = 0; l < net.layers(); l++) {
            arrays.put("w" + l, new Npz.Array(new int[] {net.sizes()[l], net.sizes()[l + 1]}, net.weights()[l]));
            arrays.put("b" + l, new Npz.Array(new int[] {net.sizes()[l + 1]}, net.biases()[l]));
        }
        AtomicFiles.write(file, out -> Npz.write(out, arrays));
    }

    public static Network load(Path file) {
        Map<String, Npz.Array> a;
        try (InputStream in = Files.newInputStream(file)) {
            a = Npz.read(in);
        } catch (NoSuchFileException e) {
            throw new UserError(file + ": model file not found");
        } catch (IOException | RuntimeException e) {
            throw new UserError(file + ": unreadable model file (" + e.getMessage() + ")");
        }
        try {
            int[] sizes = need(a, "layer_sizes").ints();
            float[] scaling = need(a, "input_scaling").floats();
            if (scaling.length != 2 || scaling[0] != Network.INPUT_SCALE || scaling[1] != Network.INPUT_SHIFT) {
                throw new IllegalArgumentException("input_scaling is not the (x/255 - 0.5) * 2 this engine uses");
            }
            if (sizes.length < 2) {
                throw new IllegalArgumentException("layer_sizes has " + sizes.length + " entries");
            }
            int l = sizes.length - 1;
            float[][] w = new float[l][];
            float[][] b = new float[l][];
            for (int i = 0; i < l; i++) {
                w[i] = need(a, "w" + i).floats();
                b[i] = need(a, "b" + i).floats();
                if (sizes[i] <= 0 || sizes[i + 1] <= 0 || w[i].length != sizes[i] * sizes[i + 1] || b[i].length != sizes[i + 1]) {
                    throw new IllegalArgumentException("layer " + i + " does not match layer_sizes");
                }
            }
            return new Network(sizes, w, b);
        } catch (IllegalArgumentException e) {
            throw new UserError(file + ": unreadable model file (" + e.getMessage() + ")");
        }
    }

    private static Npz.Array need(Map<String, Npz.Array> a, String name) {
        Npz.Array v = a.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no array '" + name + "'");
        }
        return v;
    }
}
