import java.util.Arrays;
import java.util.Random;
import org.mlp4j.Activation;
import org.mlp4j.Output;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.Matrix;
import org.mlp4j.backend.cpu.CpuBackend;
import org.mlp4j.model.DeviceNet;
import org.mlp4j.model.Network;
import org.mlp4j.model.NumpyRandom;

/**
 * The cpu backend's steps both ways, side by side in one JVM: 550 steps of 100 random examples through the layer
 * ops (DeviceNet.trainStep), then the same 550 through the backend's whole steps (its Backend.steps), from the
 * same start, round after round, in microseconds a step. Only for finding the time; epochs are timed by
 * {@code mlp4j bench}. SIZES as {@code 784,100,10}.
 * {@code java --add-modules jdk.incubator.vector -cp target/classes bench/ab/WholeSteps.java THREADS SIZES [ROUNDS]}
 */
public class WholeSteps {
    public static void main(String[] args) {
        int threads = Integer.parseInt(args[0]), batch = 100, count = 550;
        int[] sizes = Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray();
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 12;
        float eta = 0.0005f, l2 = 0.01f;
        try (CpuBackend b = new CpuBackend(threads)) {
            Network initial = Network.initialize(sizes, Network.Input.FEATURES, Activation.SIGMOID, Output.SIGMOID, new NumpyRandom(3));
            DeviceNet layered = new DeviceNet(b, initial), whole = new DeviceNet(b, initial);
            DeviceNet.Workspace lws = layered.workspace(batch), wws = whole.workspace(batch);
            Backend.Steps steps = whole.wholeSteps(wws, null);
            if (steps == null) {
                System.out.println("the cpu backend has no whole steps for " + Arrays.toString(sizes) + " on " + threads + " thread(s)");
                return;
            }
            System.out.println("whole steps: " + steps);
            Random r = new Random(5);
            float[] x = new float[count * batch * sizes[0]];
            float[] y = new float[count * batch];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            for (int i = 0; i < y.length; i++) {
                y[i] = r.nextInt(sizes[sizes.length - 1]);
            }
            Matrix xs = b.matrix(count * batch, sizes[0]), ys = b.matrix(count * batch, 1);
            b.upload(x, xs);
            b.upload(y, ys);
            for (int round = 1; round <= rounds; round++) {
                long t0 = System.nanoTime();
                for (int s = 0; s < count; s++) {
                    layered.trainStep(lws, xs.rows(s * batch, batch), ys.rows(s * batch, batch), eta, l2, false);
                }
                long t1 = System.nanoTime();
                whole.trainSteps(steps, wws, xs, ys, eta, l2, false);
                long t2 = System.nanoTime();
                System.out.printf("round %2d: layer by layer %.1f us a step, whole %.1f us a step%n", round, (t1 - t0) / 1e3 / count,
                        (t2 - t1) / 1e3 / count);
            }
        }
    }
}
