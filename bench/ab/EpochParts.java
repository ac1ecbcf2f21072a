import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.mlp4j.Output;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.Backends;
import org.mlp4j.backend.Matrix;
import org.mlp4j.data.Images;
import org.mlp4j.data.Mnist;
import org.mlp4j.model.DeviceNet;
import org.mlp4j.model.Network;
import org.mlp4j.model.NumpyRandom;
import org.mlp4j.model.Trainer;

/**
 * Where an epoch of the book's network (or of 784-HIDDEN-10) goes on a backend, as the trainer records it
 * (Trainer.Session): the order's upload, the epoch's gather, its steps (550 of 100 on MNIST) as 10 recorded
 * programs (whole steps where the backend has them, the first of their ways in the epoch and each other way on its
 * own, and layer by layer), the evaluation (the training examples
 * in the trainer's chunks, then the validation ones, and the squared weights) and reading its sums back; each part timed on
 * its own to the device's end, then all of them as an epoch runs them, round after round in one JVM (median
 * of the rounds after the first, in ms). Only for finding the time; epochs are timed by {@code mlp4j bench}.
 * {@code java [-Dbatch=N] -cp target/classes bench/ab/EpochParts.java DEVICE [HIDDEN [DATA_DIR [ROUNDS]]]}; ci/gpu-check.sh
 * runs it compiled, since the GPU machine's JRE has no compiler.
 */
public class EpochParts {
    /** Examples a step: the book's 100 unless {@code -Dbatch=N}. */
    private static final int BATCH = Integer.getInteger("batch", 100), SEGMENTS = 10;

    public static void main(String[] args) throws Exception {
        String device = args[0];
        String[] hidden = (args.length > 1 ? args[1] : "100").split(",");
        Images data = Mnist.load(Path.of(args.length > 2 ? args[2] : "data/mnist"), false, null);
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 12;
        // the book's split: 55,000 to train on and 5,000 to validate, of MNIST's 60,000
        int valid = data.count() / 12, train = data.count() - valid, steps = train / BATCH;
        int[] sizes = new int[hidden.length + 2];
        sizes[0] = data.features();
        sizes[sizes.length - 1] = 10;
        for (int i = 0; i < hidden.length; i++) {
            sizes[i + 1] = Integer.parseInt(hidden[i]);
        }
        float eta = 0.0005f, l2 = 0.01f;
        try (Backend b = Backends.open(device, Runtime.getRuntime().availableProcessors(), true, s -> { })) {
            System.out.println(b.description());
            b.tune(BATCH, sizes, Output.SIGMOID, null).forEach(System.out::println);
            DeviceNet net = new DeviceNet(b, Network.initialize(sizes, data.input(), new NumpyRandom(1)));
            Backend.Examples examples = data.upload(b);
            Backend.Order order = b.order(train), identity = Trainer.identity(b, data.count());
            int[] shuffled = new int[train];
            Arrays.setAll(shuffled, i -> i);
            new NumpyRandom(1).shuffle(shuffled);
            Matrix x = b.matrix(steps * BATCH, sizes[0]), y = b.matrix(steps * BATCH, 1);
            DeviceNet.Workspace ws = net.workspace(BATCH), chunk = Trainer.evaluationWorkspace(net, sizes, data.count());
            Backend.Accumulator acc = b.accumulator(4);
            Backend.Steps whole = net.wholeSteps(ws, null);
            Backend.Program gather = b.record(() -> b.gather(examples, order, 0, x, y));
            Backend.Program[] wholeSegments = whole == null ? null : new Backend.Program[SEGMENTS];
            // the backend's other ways of whole steps (Backend.Steps.alternatives), each timed as a part of its own
            java.util.List<Backend.Steps> others = whole == null ? java.util.List.of() : whole.alternatives();
            Backend.Program[][] otherSegments = new Backend.Program[others.size()][SEGMENTS];
            Backend.Program[] layered = new Backend.Program[SEGMENTS];
            for (int s = 0; s < SEGMENTS; s++) {
                int from = steps * s / SEGMENTS, to = steps * (s + 1) / SEGMENTS;
                Matrix xs = x.rows(from * BATCH, (to - from) * BATCH), ys = y.rows(from * BATCH, (to - from) * BATCH);
                if (whole != null) {
                    wholeSegments[s] = b.record(() -> net.trainSteps(whole, ws, xs, ys, eta, l2, false));
                }
                for (int i = 0; i < others.size(); i++) {
                    Backend.Steps other = others.get(i);
                    otherSegments[i][s] = b.record(() -> net.trainSteps(other, ws, xs, ys, eta, l2, false));
                }
                layered[s] = b.record(() -> {
                    for (int st = 0; st < to - from; st++) {
                        net.trainStep(ws, xs.rows(st * BATCH, BATCH), ys.rows(st * BATCH, BATCH), eta, l2, false);
                    }
                });
            }
            Backend.Program evaluation = b.record(() -> {
                b.reset(acc);
                net.evaluate(chunk, x, y, acc, 0, 1);
                net.evaluate(chunk, examples, identity, train, valid, acc, -1, 2);
                net.sumOfSquaredWeights(acc, 3);
            });
            Backend.Program[] stepping = whole != null ? wholeSegments : layered;
            java.util.List<String> names = new java.util.ArrayList<>(java.util.List.of("upload order", "gather",
                    "steps " + (whole != null ? "whole" : "layer by layer"), "steps layer by layer", "evaluation", "read sums", "epoch"));
            java.util.List<Runnable> parts = new java.util.ArrayList<>(java.util.List.of(() -> b.upload(shuffled, order), gather::run,
                    () -> Arrays.stream(stepping).forEach(Backend.Program::run), () -> Arrays.stream(layered).forEach(Backend.Program::run),
                    evaluation::run, () -> b.read(acc), () -> {
                        b.upload(shuffled, order);
                        gather.run();
                        Arrays.stream(stepping).forEach(Backend.Program::run);
                        evaluation.run();
                        b.read(acc);
                    }));
            if (whole == null) {
                names.set(3, null);
            }
            for (int i = 0; i < others.size(); i++) {
                Backend.Program[] segments = otherSegments[i];
                names.add("steps whole, way " + (i + 2));
                parts.add(() -> Arrays.stream(segments).forEach(Backend.Program::run));
            }
            System.out.println("784-" + String.join("-", hidden) + "-10, " + steps + " steps of " + BATCH + " as " + SEGMENTS
                    + " programs" + (whole != null ? "; whole steps: " + whole : "; no whole steps"));
            for (int i = 0; i < others.size(); i++) {
                System.out.println("784-" + String.join("-", hidden) + "-10, whole steps, way " + (i + 2) + ": " + others.get(i));
            }
            double[][] ms = new double[parts.size()][rounds];
            for (int r = 0; r < rounds; r++) {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "round %2d, ms:", r + 1));
                for (int p = 0; p < parts.size(); p++) {
                    if (names.get(p) == null) {
                        continue;
                    }
                    b.synchronize();
                    long t0 = System.nanoTime();
                    parts.get(p).run();
                    b.synchronize();
                    ms[p][r] = (System.nanoTime() - t0) / 1e6;
                    line.append(String.format(Locale.ROOT, " %s %.3f |", names.get(p), ms[p][r]));
                }
                System.out.println(line);
            }
            StringBuilder median = new StringBuilder("median of rounds 2 on, ms:");
            for (int p = 0; p < parts.size(); p++) {
                if (names.get(p) != null) {
                    double[] v = Arrays.copyOfRange(ms[p], 1, rounds);
                    Arrays.sort(v);
                    median.append(String.format(Locale.ROOT, " %s %.3f |", names.get(p), v[v.length / 2]));
                }
            }
            System.out.println(median);
        }
    }
}
