import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.mlp4j.Activation;
import org.mlp4j.Output;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.Backends;
import org.mlp4j.backend.Matrix;
import org.mlp4j.model.Trainer;

/**
 * An epoch's evaluation of 60,000 rows through Backend.evaluate in two sizes of chunk, side by side in one JVM: the
 * model's chunk (Trainer.EVAL_CHUNK rows) and the rows the trainer takes on this backend (Trainer.evaluationRows;
 * a GPU asks for more), by turns, round after round, each timed to the device's end (ms), with the sums each way
 * (the same counts; the cost added in another grouping). Random inputs and weights: the time does not depend on
 * them. Only for finding the time; epochs are timed by {@code mlp4j bench}. SIZES as {@code 784,100,10}.
 * {@code java -cp target/classes bench/ab/Evaluation.java DEVICE [SIZES [ROUNDS]]}; ci/gpu-check.sh runs it
 * compiled.
 */
public class Evaluation {
    private static final int ROWS = 60000;

    public static void main(String[] args) throws Exception {
        String device = args[0];
        int[] sizes = Arrays.stream((args.length > 1 ? args[1] : "784,100,10").split(",")).mapToInt(Integer::parseInt).toArray();
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 8, layers = sizes.length - 1;
        try (Backend b = Backends.open(device, 0, true, System.err::println)) {
            Random r = new Random(1);
            Matrix x = put(b, r, ROWS, sizes[0], 1f), labels = b.matrix(ROWS, 1);
            float[] y = new float[ROWS];
            for (int i = 0; i < ROWS; i++) {
                y[i] = r.nextInt(sizes[layers]);
            }
            b.upload(y, labels);
            Matrix[] w = new Matrix[layers], bias = new Matrix[layers];
            for (int l = 0; l < layers; l++) {
                w[l] = put(b, r, sizes[l], sizes[l + 1], (float) Math.sqrt(1.0 / sizes[l]));
                bias[l] = put(b, r, 1, sizes[l + 1], 0.1f);
            }
            int[] chunks = {Math.min(Trainer.EVAL_CHUNK, ROWS), Trainer.evaluationRows(b, sizes, ROWS)};
            Matrix[][] z = new Matrix[2][layers];
            for (int c = 0; c < 2; c++) {
                for (int l = 0; l < layers; l++) {
                    z[c][l] = b.matrix(chunks[c], sizes[l + 1]);
                }
            }
            Backend.Accumulator acc = b.accumulator(2);
            System.out.println(b.description());
            String net = String.join("-", Arrays.stream(sizes).mapToObj(Integer::toString).toArray(String[]::new));
            for (int round = 1; round <= rounds; round++) {
                String[] ways = new String[2];
                for (int c = 0; c < 2; c++) {
                    b.reset(acc);
                    b.synchronize();
                    long t0 = System.nanoTime();
                    for (int done = 0; done < ROWS; done += chunks[c]) {
                        int n = Math.min(chunks[c], ROWS - done);
                        Matrix[] zc = new Matrix[layers];
                        for (int l = 0; l < layers; l++) {
                            zc[l] = z[c][l].prefix(n);
                        }
                        b.evaluate(x.rows(done, n), w, bias, Activation.SIGMOID, Output.SIGMOID, labels.rows(done, n), zc, acc, 0, 1);
                    }
                    b.synchronize();
                    long t1 = System.nanoTime();
                    double[] sums = b.read(acc);
                    ways[c] = String.format(Locale.ROOT, "chunks of %d %.3f ms (cost %.6f, correct %.0f)", chunks[c], (t1 - t0) / 1e6, sums[0],
                            sums[1]);
                }
                System.out.printf(Locale.ROOT, "%s, %d rows, round %d: %s; %s%n", net, ROWS, round, ways[0], ways[1]);
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
