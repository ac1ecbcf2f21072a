package org.mlp4j.model;

import org.mlp4j.Activation;
import org.mlp4j.Optimizer;
import org.mlp4j.Output;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.Backend.Accumulator;
import org.mlp4j.backend.Backend.Examples;
import org.mlp4j.backend.Backend.Order;
import org.mlp4j.backend.Matrix;

/**
 * A {@link Network} living on a backend, with the forward pass, backpropagation and SGD step written
 * once against the SPI. Knows nothing of which backend it runs on.
 */
public final class DeviceNet {
    private final Backend backend;
    private final int[] sizes;
    private final Network.Input input;
    private final Activation activation;
    private final Output output;
    private final Matrix[] weights;
    private final Matrix[] biases;

    public DeviceNet(Backend backend, Network net) {
        this.backend = backend;
        this.sizes = net.sizes().clone();
        this.input = net.input();
        this.activation = net.activation();
        this.output = net.output();
        int l = net.layers();
        weights = new Matrix[l];
        biases = new Matrix[l];
        for (int i = 0; i < l; i++) {
            weights[i] = backend.matrix(sizes[i], sizes[i + 1]);
            biases[i] = backend.matrix(1, sizes[i + 1]);
        }
        set(net);
    }

    /** Puts {@code net}'s parameters (a network of these sizes) into the device's. */
    public void set(Network net) {
        if (!java.util.Arrays.equals(net.sizes(), sizes)) {
            throw new IllegalArgumentException("a network of sizes " + java.util.Arrays.toString(net.sizes()) + ", not " + java.util.Arrays.toString(sizes));
        }
        for (int i = 0; i < weights.length; i++) {
            backend.upload(net.weights()[i], weights[i]);
            backend.upload(net.biases()[i], biases[i]);
        }
    }

    public Backend backend() {
        return backend;
    }

    /** Copies the parameters back to the host. */
    public Network download() {
        int l = weights.length;
        float[][] w = new float[l][];
        float[][] b = new float[l][];
        for (int i = 0; i < l; i++) {
            w[i] = new float[weights[i].size()];
            b[i] = new float[biases[i].size()];
            backend.download(weights[i], w[i]);
            backend.download(biases[i], b[i]);
        }
        return new Network(sizes.clone(), w, b, input, activation, output);
    }

    /**
     * Buffers for a minibatch or an evaluation chunk of up to {@code rows} examples, of which up to
     * {@code inputRows} are gathered into it at a time (an evaluation of the epoch's gathered minibatches takes
     * more rows at once than it gathers from the dataset).
     */
    public final class Workspace {
        final Matrix x;
        final Matrix labels;
        /** activations[0] is x; activations[l + 1] is layer l's output. */
        final Matrix[] activations;
        /** deltas[l + 1] is the error at layer l's pre-activation. */
        final Matrix[] deltas;

        Workspace(int rows, int inputRows) {
            x = backend.matrix(inputRows, sizes[0]);
            labels = backend.matrix(inputRows, 1);
            activations = new Matrix[sizes.length];
            deltas = new Matrix[sizes.length];
            activations[0] = x;
            for (int i = 1; i < sizes.length; i++) {
                activations[i] = backend.matrix(rows, sizes[i]);
                deltas[i] = backend.matrix(rows, sizes[i]);
            }
        }

        /** The rows the layers take at once. */
        public int rows() {
            return activations[1].rows();
        }

        /** The rows gathered at once. */
        int inputRows() {
            return x.rows();
        }
    }

    public Workspace workspace(int rows) {
        return new Workspace(rows, rows);
    }

    /** A workspace whose layers take {@code rows} at once, and which gathers {@code inputRows} (at most rows) at a time. */
    public Workspace workspace(int rows, int inputRows) {
        if (inputRows > rows) {
            throw new IllegalArgumentException(inputRows + " rows gathered at once into a workspace of " + rows);
        }
        return new Workspace(rows, inputRows);
    }

    /**
     * One minibatch SGD step of the book: forward, {@code delta_out = a_out - y}, backprop through the
     * activations, {@code w -= eta (grad + l2 w)} folded into the weight-gradient GEMM and
     * {@code b -= eta grad_b} fused into each layer's backward op. Gradients are summed over the batch (the
     * book), or averaged when {@code mean} (as most other tools do, so their learning rates carry over; the
     * L2 decay stays {@code eta * l2}). Each bias is updated once its delta exists; no later op reads it.
     * {@code x} and {@code labels} are the minibatch (rows of the gathered minibatches), {@code ws} holds the rest.
     */
    public void trainStep(Workspace ws, Matrix x, Matrix labels, float eta, float l2, boolean mean) {
        float step = rate(eta, x.rows(), mean);
        Matrix[] a = ws.activations.clone();
        a[0] = x;
        Matrix[] d = ws.deltas;
        int last = weights.length;
        for (int l = 0; l + 1 < last; l++) {
            backend.layerForward(a[l], weights[l], biases[l], activation, a[l + 1]);
        }
        backend.outputLayerStep(a[last - 1], weights[last - 1], biases[last - 1], labels, output, step, a[last], d[last]);
        float decay = decay(eta, l2);
        for (int l = last - 1; l > 0; l--) {
            // the error goes down through weights[l] as they were, then they take their step
            backend.hiddenLayerStep(d[l + 1], weights[l], decay, a[l], activation, step, biases[l - 1], d[l]);
        }
        backend.gemm(true, false, -step, a[0], d[1], decay, weights[0]);
    }

    /** The rate the gradient of a batch of {@code rows} is taken at: eta, or eta / rows for the averaged gradient. */
    private static float rate(float eta, int rows, boolean mean) {
        return mean ? eta / rows : eta;
    }

    /** The weights' L2 decay per step, {@code 1 - eta * l2}, whichever the gradient's scale. */
    private static float decay(float eta, float l2) {
        return 1f - eta * l2;
    }

    /**
     * The backend's whole steps for this network on {@code ws}'s buffers ({@link Backend#steps}), of the book's SGD
     * or, with {@code o}, of {@link #trainStep(Optimizing, Workspace, Matrix, Matrix)}; null where it has none.
     */
    public Backend.Steps wholeSteps(Workspace ws, Optimizing o) {
        return backend.steps(weights, biases, ws.activations, ws.deltas, activation, output, o == null ? null : o.buffers());
    }

    /**
     * {@link #trainStep} on each {@code ws.rows()} rows of {@code x} in turn, by the backend's {@code whole} steps
     * (steps with an optimizer read their rate from the device, not {@code eta}).
     */
    public void trainSteps(Backend.Steps whole, Workspace ws, Matrix x, Matrix labels, float eta, float l2, boolean mean) {
        whole.run(x, labels, rate(eta, ws.rows(), mean), decay(eta, l2));
    }

    /**
     * The arrays of each parameter's size that {@link Optimizing} allocates for {@code kind}: the gradient, and the
     * state the kind reads (SGD none, momentum one array, Adam two).
     */
    static int optimizingArrays(Optimizer kind) {
        return kind == Optimizer.SGD ? 1 : kind == Optimizer.ADAM ? 3 : 2;
    }

    /**
     * What a step needs besides the book's fused SGD: each parameter's gradient and optimizer state, and the
     * hyperparameters on the device ({@link Backend.Hyper}), which the trainer writes before each segment.
     */
    public final class Optimizing {
        final Optimizer kind;
        final Matrix[] gw, gb, s1w, s2w, s1b, s2b;
        final Matrix hyper = backend.matrix(1, Backend.Hyper.values().length);

        Optimizing(Optimizer kind) {
            this.kind = kind;
            int l = weights.length;
            gw = new Matrix[l];
            gb = new Matrix[l];
            s1w = new Matrix[l];
            s2w = new Matrix[l];
            s1b = new Matrix[l];
            s2b = new Matrix[l];
            for (int i = 0; i < l; i++) {
                gw[i] = backend.matrix(sizes[i], sizes[i + 1]);
                gb[i] = backend.matrix(1, sizes[i + 1]);
                // SGD reads no state, momentum one array, Adam two (optimizingArrays counts them)
                s1w[i] = kind == Optimizer.SGD ? gw[i] : backend.matrix(sizes[i], sizes[i + 1]);
                s1b[i] = kind == Optimizer.SGD ? gb[i] : backend.matrix(1, sizes[i + 1]);
                s2w[i] = kind == Optimizer.ADAM ? backend.matrix(sizes[i], sizes[i + 1]) : s1w[i];
                s2b[i] = kind == Optimizer.ADAM ? backend.matrix(1, sizes[i + 1]) : s1b[i];
            }
        }

        Backend.OptimizerBuffers buffers() {
            return new Backend.OptimizerBuffers(kind, gw, gb, s1w, s2w, s1b, s2b, hyper);
        }

        /** Writes the hyperparameters a step reads (outside a recorded program). */
        public void set(float eta, float gradientScale, float l2, Hyperparameters.Optimization o, long stepsDone) {
            float[] h = new float[Backend.Hyper.values().length];
            h[Backend.Hyper.ETA.ordinal()] = eta;
            h[Backend.Hyper.GRADIENT_SCALE.ordinal()] = gradientScale;
            h[Backend.Hyper.L2.ordinal()] = l2;
            h[Backend.Hyper.MOMENTUM.ordinal()] = o.momentum();
            h[Backend.Hyper.BETA1.ordinal()] = o.beta1();
            h[Backend.Hyper.BETA2.ordinal()] = o.beta2();
            h[Backend.Hyper.EPSILON.ordinal()] = Hyperparameters.Optimization.EPSILON;
            // each step's advance multiplies these by the betas
            h[Backend.Hyper.BETA1_POWER.ordinal()] = (float) StrictMath.pow(o.beta1(), stepsDone);
            h[Backend.Hyper.BETA2_POWER.ordinal()] = (float) StrictMath.pow(o.beta2(), stepsDone);
            backend.upload(h, hyper);
        }

        /** The matrices of the optimizer's state by name ({@code s1_w0}, {@code s2_b1}, ...); none for SGD. */
        private java.util.Map<String, Matrix> slots() {
            java.util.Map<String, Matrix> slots = new java.util.LinkedHashMap<>();
            for (int i = 0; kind != Optimizer.SGD && i < weights.length; i++) {
                slots.put("s1_w" + i, s1w[i]);
                slots.put("s1_b" + i, s1b[i]);
                if (kind == Optimizer.ADAM) {
                    slots.put("s2_w" + i, s2w[i]);
                    slots.put("s2_b" + i, s2b[i]);
                }
            }
            return slots;
        }

        /** The optimizer's state by name, copied to the host; empty for SGD. */
        public java.util.Map<String, float[]> state() {
            java.util.Map<String, float[]> out = new java.util.LinkedHashMap<>();
            slots().forEach((name, m) -> out.put(name, host(m)));
            return out;
        }

        /** Puts back a {@link #state()}; a missing or misshapen array is an IllegalArgumentException. */
        public void restore(java.util.Map<String, float[]> state) {
            slots().forEach((name, m) -> {
                float[] v = state.get(name);
                if (v == null || v.length != m.size()) {
                    throw new IllegalArgumentException("optimizer state " + name + (v == null ? " is missing" : " has " + v.length + " values, not " + m.size()));
                }
                backend.upload(v, m);
            });
        }

        private float[] host(Matrix m) {
            float[] v = new float[m.size()];
            backend.download(m, v);
            return v;
        }
    }

    public Optimizing optimizing(Optimizer kind) {
        return new Optimizing(kind);
    }

    /**
     * One minibatch step that is not the book's fused SGD: forward, the gradients of every parameter (the
     * bias gradients added into their zeroed buffers by the step kernels at rate -1), then each parameter's
     * optimizer step, which reads the rate, gradient scale and L2 from the device and zeroes its gradient.
     */
    public void trainStep(Optimizing o, Workspace ws, Matrix x, Matrix labels) {
        Matrix[] a = ws.activations.clone();
        a[0] = x;
        Matrix[] d = ws.deltas;
        int last = weights.length;
        backend.advance(o.hyper);
        for (int l = 0; l + 1 < last; l++) {
            backend.layerForward(a[l], weights[l], biases[l], activation, a[l + 1]);
        }
        backend.layerForward(a[last - 1], weights[last - 1], biases[last - 1], Activation.IDENTITY, a[last]);
        backend.outputStep(a[last], o.gb[last - 1], labels, output, -1f, d[last]);
        for (int l = last - 1; l > 0; l--) {
            backend.gemm(false, true, 1f, d[l + 1], weights[l], 0f, d[l]);
            backend.gemm(true, false, 1f, a[l], d[l + 1], 0f, o.gw[l]);
            backend.hiddenStep(d[l], a[l], activation, -1f, o.gb[l - 1]);
        }
        backend.gemm(true, false, 1f, a[0], d[1], 0f, o.gw[0]);
        for (int l = 0; l < last; l++) {
            backend.optimize(weights[l], o.gw[l], o.s1w[l], o.s2w[l], o.hyper, o.kind, true);
            backend.optimize(biases[l], o.gb[l], o.s1b[l], o.s2b[l], o.hyper, o.kind, false);
        }
    }

    /** Output pre-activations (logits) of the rows of {@code x} (at most the workspace's rows), in the workspace. */
    public Matrix logits(Workspace ws, Matrix x) {
        int rows = x.rows();
        Matrix in = x;
        for (int l = 0; l < weights.length; l++) {
            Matrix out = ws.activations[l + 1].prefix(rows);
            backend.layerForward(in, weights[l], biases[l], l + 1 < weights.length ? activation : Activation.IDENTITY, out);
            in = out;
        }
        return in;
    }

    /**
     * Adds, over the rows of {@code x} in chunks of the workspace's size, the cost (logistic or cross-entropy) to
     * {@code acc[costSlot]} (unless it is negative) and the number classified correctly to {@code acc[correctSlot]}.
     */
    public void evaluate(Workspace ws, Matrix x, Matrix labels, Accumulator acc, int costSlot, int correctSlot) {
        for (int done = 0; done < x.rows(); done += ws.rows()) {
            int rows = Math.min(ws.rows(), x.rows() - done);
            Matrix[] z = new Matrix[weights.length];
            for (int l = 0; l < z.length; l++) {
                z[l] = ws.activations[l + 1].prefix(rows);
            }
            backend.evaluate(x.rows(done, rows), weights, biases, activation, output, labels.rows(done, rows), z, acc, costSlot, correctSlot);
        }
    }

    /** As {@link #evaluate(Workspace, Matrix, Matrix, Accumulator, int, int)} for examples {@code order[from .. from+count)}. */
    public void evaluate(Workspace ws, Examples data, Order order, int from, int count,
                         Accumulator acc, int costSlot, int correctSlot) {
        for (int done = 0; done < count; done += ws.inputRows()) {
            int rows = Math.min(ws.inputRows(), count - done);
            backend.gather(data, order, from + done, ws.x.prefix(rows), ws.labels.prefix(rows));
            evaluate(ws, ws.x.prefix(rows), ws.labels.prefix(rows), acc, costSlot, correctSlot);
        }
    }

    /** Adds the sum of squared weights (biases excluded), the L2 term's sum, to {@code acc[slot]}. */
    public void sumOfSquaredWeights(Accumulator acc, int slot) {
        for (Matrix w : weights) {
            backend.sumOfSquares(w, acc, slot);
        }
    }

    /** Output pre-activations (logits) of examples {@code order[from .. from+count)}, row-major count x outputs. */
    public float[] logits(Workspace ws, Examples data, Order order, int from, int count) {
        int outputs = sizes[sizes.length - 1];
        float[] out = new float[org.mlp4j.util.Limits.elements((long) count * outputs, "the outputs of " + count + " examples")];
        float[] host = new float[ws.inputRows() * outputs];
        for (int done = 0; done < count; done += ws.inputRows()) {
            int rows = Math.min(ws.inputRows(), count - done);
            backend.gather(data, order, from + done, ws.x.prefix(rows), ws.labels.prefix(rows));
            backend.download(logits(ws, ws.x.prefix(rows)), host);
            System.arraycopy(host, 0, out, done * outputs, rows * outputs);
        }
        return out;
    }

    /** Predicted classes of examples {@code order[from .. from+count)}. */
    public int[] predict(Workspace ws, Examples data, Order order, int from, int count) {
        int[] out = new int[count];
        Matrix classes = backend.matrix(ws.inputRows(), 1);
        float[] host = new float[ws.inputRows()];
        for (int done = 0; done < count; done += ws.inputRows()) {
            int rows = Math.min(ws.inputRows(), count - done);
            backend.gather(data, order, from + done, ws.x.prefix(rows), ws.labels.prefix(rows));
            Matrix z = logits(ws, ws.x.prefix(rows));
            backend.rowArgmax(z, classes.prefix(rows));
            backend.download(classes.prefix(rows), host);
            for (int r = 0; r < rows; r++) {
                out[done + r] = (int) host[r];
            }
        }
        return out;
    }
}
