import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Two builds' epochs, alternating in one JVM: each round trains one more epoch of the same network with each
 * build's {@code Classifier} (the book's settings, 55,000 MNIST training images), and reports the time ratio
 * new/old round by round. Separate runs on a shared machine can differ by more than a change measured; rounds
 * side by side see the same load. Each build is loaded twice, in the order old, new, new, old, and a round
 * trains all four copies (in turn forwards and backwards) and adds each build's two: a build loaded later ran
 * its epochs slower (one jar given as both builds gave a ratio of 1.15), so one copy each favours the first.
 * Epochs here include each fit's setup (opening the backend, uploading the data), the same for both.
 * {@code java --add-modules jdk.incubator.vector [-Dbatch=N] bench/ab/EpochAB.java OLD_JAR NEW_JAR ROUNDS HIDDEN...}
 * from the repository root (data/mnist); the book's batch of 100 unless {@code -Dbatch} says otherwise; the cpu
 * backend takes every processor, so use {@code taskset -c 0 java ...} for one thread.
 */
public class EpochAB {
    public static void main(String[] args) throws Exception {
        // the IDX files read here, not with org.mlp4j.data.Mnist: with a checkout's classes on the class path
        // as well, the second build's epochs ran 3-4x slower than the first's, the same jar given as both
        byte[] images = Files.readAllBytes(Path.of("data/mnist/train-images-idx3-ubyte"));
        byte[] labels = Files.readAllBytes(Path.of("data/mnist/train-labels-idx1-ubyte"));
        int n = 55000, features = 784;
        float[][] x = new float[n][features];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = labels[8 + i];
            for (int j = 0; j < features; j++) {
                x[i][j] = ((images[16 + i * features + j] & 255) / 255f - 0.5f) * 2f;
            }
        }
        int rounds = Integer.parseInt(args[2]), batch = Integer.getInteger("batch", 100);
        if (rounds < 3) {
            throw new IllegalArgumentException("ROUNDS must be at least 3: the first two rounds warm the JIT up and are not compared");
        }
        int[] sizes = new int[args.length - 1];
        sizes[0] = features;
        sizes[sizes.length - 1] = 10;
        for (int i = 3; i < args.length; i++) {
            sizes[i - 2] = Integer.parseInt(args[i]);
        }
        // copy c is of build BUILD[c]: 0 old, 1 new
        int[] build = {0, 1, 1, 0};
        ClassLoader[] loaders = new ClassLoader[4];
        Object[] models = new Object[4], trainings = new Object[4];
        Method[] fit = new Method[4];
        for (int v = 0; v < 4; v++) {
            loaders[v] = new URLClassLoader(new URL[] {Path.of(args[build[v]]).toUri().toURL()}, ClassLoader.getPlatformClassLoader());
            // Training checks its device's name against the backends ServiceLoader finds there
            Thread.currentThread().setContextClassLoader(loaders[v]);
            Class<?> classifier = loaders[v].loadClass("org.mlp4j.Classifier"), training = loaders[v].loadClass("org.mlp4j.Training");
            models[v] = classifier.getMethod("create", long.class, int[].class).invoke(null, 1L, sizes);
            Object book = training.getMethod("withEpochs", int.class).invoke(training.getMethod("book").invoke(null), 1);
            trainings[v] = training.getMethod("withBatch", int.class).invoke(book, batch);
            fit[v] = classifier.getMethod("fit", float[][].class, int[].class, training);
        }
        double[][] seconds = new double[2][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int q = 0; q < 4; q++) {
                int v = r % 2 == 0 ? q : 3 - q;
                // the backends are found with ServiceLoader, which looks in the context class loader
                Thread.currentThread().setContextClassLoader(loaders[v]);
                long t0 = System.nanoTime();
                fit[v].invoke(models[v], x, y, trainings[v]);
                seconds[build[v]][r] += (System.nanoTime() - t0) / 1e9;
            }
            System.out.printf("round %d: old %.3f s, new %.3f s (an epoch, the mean of two copies)%n", r + 1, seconds[0][r] / 2, seconds[1][r] / 2);
        }
        double[] ratio = new double[rounds - 2];
        for (int r = 2; r < rounds; r++) {
            ratio[r - 2] = seconds[1][r] / seconds[0][r];
        }
        Arrays.sort(ratio);
        System.out.printf("%s batch %d: time new/old, rounds 3..%d: median %.3f, range %.3f-%.3f%n", Arrays.toString(sizes), batch, rounds,
                ratio[ratio.length / 2], ratio[0], ratio[ratio.length - 1]);
    }
}
