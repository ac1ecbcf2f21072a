import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.mlp4j.Activation;
import org.mlp4j.Output;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.Backends;
import org.mlp4j.backend.GpuBackend;
import org.mlp4j.backend.Matrix;
import org.mlp4j.model.Network;
import org.mlp4j.model.NumpyRandom;

/**
 * Where a layer-by-layer SGD step of 784-HIDDEN-10 goes on a backend: each op DeviceNet.trainStep issues, and
 * each part of the ops that fold a product in (both of their variants, and the GEMMs and the step kernel each
 * alone), recorded as a program of REPS launches of it alone and timed to the device's end, round after round;
 * the median of the rounds after the first, in us a launch, and the host's time to issue them. Random inputs:
 * the ops' times do not depend on the values. Only for finding the time; epochs are timed by {@code mlp4j bench}.
 * {@code java -cp target/classes bench/ab/LayerOps.java DEVICE HIDDEN BATCH [ROUNDS [REPS]]}; ci/gpu-check.sh runs
 * it compiled, since the GPU machine's JRE has no compiler.
 */
public class LayerOps {
    public static void main(String[] args) throws Exception {
        String device = args[0];
        String[] hidden = args[1].split(",");
        int batch = Integer.parseInt(args[2]);
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 6, reps = args.length > 4 ? Integer.parseInt(args[4]) : 200;
        int[] sizes = new int[hidden.length + 2];
        sizes[0] = 784;
        sizes[sizes.length - 1] = 10;
        for (int i = 0; i < hidden.length; i++) {
            sizes[i + 1] = Integer.parseInt(hidden[i]);
        }
        int last = sizes.length - 1;
        float eta = 0.0005f, decay = 1f - eta * 0.01f;
        String net = Arrays.stream(sizes).mapToObj(Integer::toString).reduce((a, b) -> a + "-" + b).orElseThrow();
        try (Backend b = Backends.open(device, Runtime.getRuntime().availableProcessors(), true, s -> { })) {
            List<Backend.Choice> choices = b.tune(batch, sizes, Output.SIGMOID, null);
            Network init = Network.initialize(sizes, new NumpyRandom(1));
            Matrix[] w = new Matrix[last], bias = new Matrix[last], a = new Matrix[last + 1], d = new Matrix[last + 1];
            NumpyRandom random = new NumpyRandom(2);
            for (int l = 0; l < last; l++) {
                w[l] = b.matrix(sizes[l], sizes[l + 1]);
                bias[l] = b.matrix(1, sizes[l + 1]);
                b.upload(init.weights()[l], w[l]);
            }
            for (int l = 0; l <= last; l++) {
                a[l] = b.matrix(batch, sizes[l]);
                d[l] = b.matrix(batch, sizes[l]);
                float[] v = new float[batch * sizes[l]];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) random.nextDouble();
                }
                b.upload(v, a[l]);
            }
            Matrix labels = b.matrix(batch, 1);
            float[] y = new float[batch];
            for (int i = 0; i < batch; i++) {
                y[i] = i % 10;
            }
            b.upload(y, labels);

            List<String> names = new ArrayList<>();
            List<Runnable> ops = new ArrayList<>();
            for (int l = 0; l + 1 < last; l++) {
                int ll = l;
                names.add("forward " + sizes[l] + "x" + sizes[l + 1]);
                ops.add(() -> b.layerForward(a[ll], w[ll], bias[ll], Activation.SIGMOID, a[ll + 1]));
            }
            String out = "output step " + batch + "x" + sizes[last - 1] + "x" + sizes[last];
            Runnable outputStep = () -> b.outputLayerStep(a[last - 1], w[last - 1], bias[last - 1], labels, Output.SIGMOID, eta, a[last], d[last]);
            names.add(out);
            ops.add(outputStep);
            List<Runnable> hiddenSteps = new ArrayList<>();
            for (int l = last - 1; l > 0; l--) {
                int ll = l;
                names.add("hidden step " + batch + "x" + sizes[l + 1] + "x" + sizes[l]);
                Runnable h = () -> b.hiddenLayerStep(d[ll + 1], w[ll], decay, a[ll], Activation.SIGMOID, eta, bias[ll - 1], d[ll]);
                hiddenSteps.add(h);
                ops.add(h);
            }
            names.add("first weights' step " + sizes[0] + "x" + sizes[1] + "x" + batch);
            ops.add(() -> b.gemm(true, false, -eta, a[0], d[1], decay, w[0]));
            int chosen = ops.size();
            // the parts of the steps that fold: their products and the step kernel, each alone
            names.add("  output's product z = a w");
            ops.add(() -> b.gemm(false, false, 1f, a[last - 1], w[last - 1], 0f, a[last]));
            names.add("  output's step kernel alone");
            ops.add(() -> b.outputStep(a[last], bias[last - 1], labels, Output.SIGMOID, eta, d[last]));
            for (int l = last - 1; l > 0; l--) {
                int ll = l;
                names.add("  hidden " + l + ": g = dNext wNext'");
                ops.add(() -> b.gemm(false, true, 1f, d[ll + 1], w[ll], 0f, d[ll]));
                names.add("  hidden " + l + ": wNext's step");
                ops.add(() -> b.gemm(true, false, -eta, a[ll], d[ll + 1], decay, w[ll]));
                names.add("  hidden " + l + ": step kernel alone");
                ops.add(() -> b.hiddenStep(d[ll], a[ll], Activation.SIGMOID, eta, bias[ll - 1]));
            }
            names.add("the step, layer by layer");
            ops.add(() -> ops.subList(0, chosen).forEach(Runnable::run));

            java.util.function.Function<Runnable, Backend.Program> repeated = op -> b.record(() -> {
                for (int r = 0; r < reps; r++) {
                    op.run();
                }
            });
            List<Backend.Program> programs = new ArrayList<>(ops.stream().map(repeated).toList());
            // each op a choice is about in the variant not chosen, recorded with that choice alone flipped
            for (Backend.Choice c : choices) {
                Backend.Choice.Part part = c.part();
                if (part == Backend.Choice.Part.WHOLE) {
                    continue;
                }
                ((GpuBackend) b).use(choices.stream().map(o -> o != c ? o : new Backend.Choice(o.part(), o.rows(), o.k(), o.cols(), !o.folded(), o.foldedSeconds(),
                        o.unfoldedSeconds())).toList());
                boolean product = part == Backend.Choice.Part.FORWARD || part == Backend.Choice.Part.BACKWARD;
                String variant = !product ? (c.folded() ? " (not chosen: unfolded)" : " (not chosen: folded)")
                        : c.folded() ? " (not chosen: whole k)" : " (not chosen: k split)";
                String shape = c.rows() + "x" + c.k() + "x" + c.cols();
                Runnable op;
                if (part == Backend.Choice.Part.FORWARD) {
                    int l = layer(sizes, c.k(), c.cols());
                    op = () -> b.gemm(false, false, 1f, a[l], w[l], 0f, a[l + 1]);
                    names.add("forward product " + shape + variant);
                } else if (part == Backend.Choice.Part.BACKWARD) {
                    int l = layer(sizes, c.cols(), c.k());
                    op = () -> b.gemm(false, true, 1f, d[l + 1], w[l], 0f, d[l]);
                    names.add("backward product " + shape + variant);
                } else {
                    op = part == Backend.Choice.Part.OUTPUT ? outputStep : hiddenSteps.get(last - 1 - layer(sizes, c.cols(), c.k()));
                    names.add((part == Backend.Choice.Part.OUTPUT ? out : "hidden step " + shape) + variant);
                }
                ops.add(op);
                programs.add(repeated.apply(op));
            }
            if (!choices.isEmpty()) {
                ((GpuBackend) b).use(choices); // the cpu has no choices to make
            }

            System.out.println(net + ", batch " + batch + ", " + b.name() + ": " + choices);
            // the time to the device's end, and the host's time to issue the program (where the two are close, the
            // host's launches, not the device, set the pace)
            double[][] us = new double[programs.size()][rounds], issued = new double[programs.size()][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int p = 0; p < programs.size(); p++) {
                    b.synchronize();
                    long t0 = System.nanoTime();
                    programs.get(p).run();
                    long t1 = System.nanoTime();
                    b.synchronize();
                    us[p][r] = (System.nanoTime() - t0) / 1e3 / reps;
                    issued[p][r] = (t1 - t0) / 1e3 / reps;
                }
            }
            for (int p = 0; p < programs.size(); p++) {
                System.out.printf(Locale.ROOT, "%s, batch %d, %s: %-50s %8.1f us (issued in %.1f)%n", net, batch, b.name(), names.get(p),
                        median(us[p]), median(issued[p]));
            }
        }
    }

    /** The median of the rounds after the first. */
    private static double median(double[] rounds) {
        double[] v = Arrays.copyOfRange(rounds, 1, rounds.length);
        Arrays.sort(v);
        return v[v.length / 2];
    }

    /** The last layer l whose weights are {@code in x out} (a hidden step's of layer l: in = its width, out = the next's). */
    private static int layer(int[] sizes, int in, int out) {
        for (int l = sizes.length - 2; l >= 0; l--) {
            if (sizes[l] == in && sizes[l + 1] == out) {
                return l;
            }
        }
        throw new IllegalArgumentException("no layer of " + in + "x" + out);
    }
}
