import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.mlp4j.Activation;
import org.mlp4j.Output;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.Backends;
import org.mlp4j.backend.Matrix;

/**
 * An epoch's evaluation both ways on a backend, side by side in one JVM: the book's evaluation is 12 chunks of
 * 5,000 rows, each through Backend.evaluate (on a GPU backend the first layer's GEMM, then evaluate_rows and
 * add_partials) and through the layer ops with cost and countCorrect (Backend.evaluateThroughLayerOps, what
 * Backend.evaluate does by default), by turns, round after round, each timed to the device's end (ms). Random inputs and weights: the time does not
 * depend on them. Only for finding the time; epochs are timed by {@code mlp4j bench}. SIZES as {@code 784,100,10}.
 * {@code java -cp target/classes bench/ab/Evaluation.java DEVICE [SIZES [ROUNDS]]}; ci/gpu-check.sh runs it
 * compiled.
 */
public class Evaluation {
    private static final int CHUNK = 5000, CHUNKS = 12;

    public static void main(String[] args) throws Exception {
        String device = args[0];
        int[] sizes = Arrays.stream((args.length > 1 ? args[1] : "784,100,10").split(",")).mapToInt(Integer::parseInt).toArray();
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 8, layers = sizes.length - 1;
        try (Backend b = Backends.open(device, -1, 0, true, System.err::println)) {
            Random r = new Random(1);
            Matrix x = put(b, r, CHUNK, sizes[0], 1f), labels = b.matrix(CHUNK, 1);
            float[] y = new float[CHUNK];
            for (int i = 0; i < CHUNK; i++) {
                y[i] = r.nextInt(sizes[layers]);
            }
            b.upload(y, labels);
            Matrix[] w = new Matrix[layers], bias = new Matrix[layers], z = new Matrix[layers];
            for (int l = 0; l < layers; l++) {
                w[l] = put(b, r, sizes[l], sizes[l + 1], (float) Math.sqrt(1.0 / sizes[l]));
                bias[l] = put(b, r, 1, sizes[l + 1], 0.1f);
                z[l] = b.matrix(CHUNK, sizes[l + 1]);
            }
            Backend.Accumulator acc = b.accumulator(2);
            System.out.println(b.description());
            for (int round = 1; round <= rounds; round++) {
                long t0 = System.nanoTime();
                for (int c = 0; c < CHUNKS; c++) {
                    b.evaluate(x, w, bias, Activation.SIGMOID, Output.SIGMOID, labels, z, acc, 0, 1);
                }
                b.synchronize();
                long t1 = System.nanoTime();
                for (int c = 0; c < CHUNKS; c++) {
                    Backend.evaluateThroughLayerOps(b, x, w, bias, Activation.SIGMOID, Output.SIGMOID, labels, z, acc, 0, 1);
                }
                b.synchronize();
                long t2 = System.nanoTime();
                System.out.printf(Locale.ROOT, "%s, %d chunks of %d, round %d: Backend.evaluate %.3f ms, layer ops %.3f ms%n",
                        String.join("-", Arrays.stream(sizes).mapToObj(Integer::toString).toArray(String[]::new)), CHUNKS, CHUNK, round,
                        (t1 - t0) / 1e6, (t2 - t1) / 1e6);
            }
        }
    }

    private static Matrix put(Backend b, Random r, int rows, int cols, float scale) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian() * scale;
        }
        Matrix m = b.matrix(rows, cols);
        b.upload(v, m);
        return m;
    }
}
