import java.nio.file.Path;
import org.mlp4j.Activation;
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
 * Where an epoch of the book's network (or of 784-HIDDEN-10) goes on the cpu backend: each op of the 550 SGD
 * steps timed on its own (the ops DeviceNet.trainStep calls, on the epoch's gathered rows), then the evaluation
 * of the 60,000 examples, round after round in one JVM. Only for finding the time; epochs are timed by
 * {@code mlp4j bench}.
 * {@code java --add-modules jdk.incubator.vector -cp target/classes bench/ab/StepPhases.java THREADS [HIDDEN [DATA_DIR]]}
 */
public class StepPhases {
    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        Images data = Mnist.load(Path.of(args.length > 2 ? args[2] : "data/mnist"), false, null);
        int steps = 550, batch = 100, hidden = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        float eta = 0.0005f, decay = 1f - eta * 0.01f;
        try (Backend b = Backends.open("cpu", threads, true, s -> { })) {
            Network init = Network.initialize(new int[] {784, hidden, 10}, new NumpyRandom(1));
            Matrix w0 = b.matrix(784, hidden), b0 = b.matrix(1, hidden), w1 = b.matrix(hidden, 10), b1 = b.matrix(1, 10);
            b.upload(init.weights()[0], w0);
            b.upload(init.weights()[1], w1);
            Backend.Examples examples = b.upload(data.pixels(), data.labels(), data.count(), data.features());
            Backend.Order identity = Trainer.identity(b, data.count());
            Matrix xs = b.matrix(steps * batch, 784), ys = b.matrix(steps * batch, 1);
            Matrix a1 = b.matrix(batch, hidden), z = b.matrix(batch, 10), d2 = b.matrix(batch, 10), d1 = b.matrix(batch, hidden);
            DeviceNet net = new DeviceNet(b, init);
            DeviceNet.Workspace chunk = net.workspace(5000);
            Backend.Accumulator acc = b.accumulator(2);
            for (int round = 1; round <= 12; round++) {
                long[] t = new long[6];
                long g = System.nanoTime();
                b.gather(examples, identity, 0, xs, ys);
                t[0] = System.nanoTime() - g;
                for (int s = 0; s < steps; s++) {
                    Matrix x = xs.rows(s * batch, batch), y = ys.rows(s * batch, batch);
                    long q0 = System.nanoTime();
                    b.layerForward(x, w0, b0, Activation.SIGMOID, a1);
                    long q1 = System.nanoTime();
                    b.outputLayerStep(a1, w1, b1, y, Output.SIGMOID, eta, z, d2);
                    long q2 = System.nanoTime();
                    b.hiddenLayerStep(d2, w1, decay, a1, Activation.SIGMOID, eta, b0, d1);
                    long q3 = System.nanoTime();
                    b.gemm(true, false, -eta, x, d1, decay, w0);
                    long q4 = System.nanoTime();
                    t[1] += q1 - q0;
                    t[2] += q2 - q1;
                    t[3] += q3 - q2;
                    t[4] += q4 - q3;
                }
                long e = System.nanoTime();
                b.reset(acc);
                net.evaluate(chunk, examples, identity, 0, data.count(), acc, 0, 1);
                b.read(acc);
                t[5] = System.nanoTime() - e;
                System.out.printf("round %2d, %d thread(s), ms: gather %.1f | forward %.1f | outputLayerStep %.1f | hiddenLayerStep %.1f"
                        + " | weight step X'D %.1f | evaluation of %d %.1f%n", round, threads, t[0] / 1e6, t[1] / 1e6, t[2] / 1e6,
                        t[3] / 1e6, t[4] / 1e6, data.count(), t[5] / 1e6);
            }
        }
    }
}
