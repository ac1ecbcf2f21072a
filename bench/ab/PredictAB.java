import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Two builds' {@code Classifier.predict} of one example at a time, or of a few rows a call, alternating in one JVM
 * as {@link EpochAB} does (each build loaded twice, old, new, new, old, a round running the four copies forwards or
 * backwards): each round makes CALLS calls with every copy of a network of each shape, and reports the microseconds
 * a call, and the ratio new/old of rounds 3 and on.
 * {@code java --add-modules jdk.incubator.vector [-Drows=N] [-Dthreads=T] bench/ab/PredictAB.java OLD NEW ROUNDS CALLS SIZES...},
 * OLD and NEW each a jar or a classes directory of a checkout, SIZES such as 784-100-10; one example a call
 * ({@code predict(float[])}) unless {@code -Drows} asks for N rows a call ({@code predict(float[][])}); with
 * {@code -Dthreads}, T threads each make the CALLS calls at once (a server's threads, say), and a call's time is
 * the wall time over all T * CALLS calls.
 */
public class PredictAB {
    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[2]), calls = Integer.parseInt(args[3]), rows = Integer.getInteger("rows", 1);
        int threads = Integer.getInteger("threads", 1);
        if (rounds < 3) {
            throw new IllegalArgumentException("ROUNDS must be at least 3: the first two rounds warm the JIT up and are not compared");
        }
        for (int s = 4; s < args.length; s++) {
            int[] sizes = Arrays.stream(args[s].split("-")).mapToInt(Integer::parseInt).toArray();
            Random random = new Random(1);
            float[][][] batches = new float[rows == 1 ? 64 : 4][rows][sizes[0]];
            for (float[][] batch : batches) {
                for (float[] e : batch) {
                    for (int j = 0; j < e.length; j++) {
                        e[j] = (float) random.nextGaussian();
                    }
                }
            }
            int[] build = {0, 1, 1, 0};
            ClassLoader[] loaders = new ClassLoader[4];
            Object[] models = new Object[4];
            Method[] predict = new Method[4];
            for (int v = 0; v < 4; v++) {
                loaders[v] = new URLClassLoader(new URL[] {Path.of(args[build[v]]).toUri().toURL()}, ClassLoader.getPlatformClassLoader());
                Class<?> classifier = loaders[v].loadClass("org.mlp4j.Classifier");
                models[v] = classifier.getMethod("create", long.class, int[].class).invoke(null, 1L, sizes);
                predict[v] = classifier.getMethod("predict", rows == 1 ? float[].class : float[][].class);
            }
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            double[][] micros = new double[2][rounds];
            long checksum = 0;
            for (int r = 0; r < rounds; r++) {
                for (int q = 0; q < 4; q++) {
                    int v = r % 2 == 0 ? q : 3 - q;
                    Object model = models[v];
                    Method call = predict[v];
                    ClassLoader loader = loaders[v];
                    Callable<Long> caller = () -> {
                        // the backends are found with ServiceLoader, which looks in the context class loader
                        Thread.currentThread().setContextClassLoader(loader);
                        long sum = 0;
                        for (int i = 0; i < calls; i++) {
                            float[][] batch = batches[i % batches.length];
                            Object got = call.invoke(model, rows == 1 ? batch[0] : batch);
                            sum += rows == 1 ? (int) got : ((int[]) got)[rows - 1];
                        }
                        return sum;
                    };
                    long t0 = System.nanoTime();
                    for (Future<Long> f : pool.invokeAll(Collections.nCopies(threads, caller))) {
                        checksum += f.get();
                    }
                    micros[build[v]][r] += (System.nanoTime() - t0) / 1e3 / calls / threads / 2;
                }
                System.out.printf("%s round %d: old %.1f us, new %.1f us a call (wall time over calls; the mean of two copies)%n", args[s], r + 1, micros[0][r],
                        micros[1][r]);
            }
            double[] ratio = new double[rounds - 2];
            for (int r = 2; r < rounds; r++) {
                ratio[r - 2] = micros[1][r] / micros[0][r];
            }
            Arrays.sort(ratio);
            pool.shutdown();
            System.out.printf("%s, %s a call on %d threads: time new/old, rounds 3..%d: median %.3f, range %.3f-%.3f (classes summed: %d)%n", args[s],
                    (rows == 1 ? "one example" : rows + " rows"), threads, rounds, ratio[ratio.length / 2], ratio[0], ratio[ratio.length - 1], checksum);
        }
    }
}
