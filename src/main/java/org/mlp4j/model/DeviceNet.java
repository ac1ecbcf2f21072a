package org.mlp4j.model;

import org.mlp4j.Activation;
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

    /** Buffers for a minibatch or an evaluation chunk of up to {@code rows} examples. */
    public final class Workspace {
        final Matrix x;
        final Matrix labels;
        /** activations[0] is x; activations[l + 1] is layer l's output. */
        final Matrix[] activations;
        /** deltas[l + 1] is the error at layer l's pre-activation. */
        final Matrix[] deltas;

        Workspace(int rows) {
            x = backend.matrix(rows, sizes[0]);
            labels = backend.matrix(rows, 1);
            activations = new Matrix[sizes.length];
            deltas = new Matrix[sizes.length];
            activations[0] = x;
            for (int i = 1; i < sizes.length; i++) {
                activations[i] = backend.matrix(rows, sizes[i]);
                deltas[i] = backend.matrix(rows, sizes[i]);
            }
        }

        public int rows() {
            return x.rows();
        }
    }

    public Workspace workspace(int rows) {
        return new Workspace(rows);
    }

    /**
     * One minibatch SGD step of the book: forward, {@code delta_out = a_out - y}, backprop through the
     * activations, {@code w -= eta (grad + l2 w)} folded into the weight-gradient GEMM and
     * {@code b -= eta grad_b} fused into each layer's backward op. Gradients are summed over the batch (the
     * book), or averaged when {@code mean} (as most other tools do, so their learning rates carry over; the
     * L2 decay stays {@code eta * l2}). Each bias is updated once its delta exists; no later op reads it.
     * {@code x} and {@code labels} are the minibatch (rows of the epoch's gathered data), {@code ws} holds the rest.
     */
    public void trainStep(Workspace ws, Matrix x, Matrix labels, float eta, float l2, boolean mean) {
        float step = mean ? eta / x.rows() : eta;
        Matrix[] a = ws.activations.clone();
        a[0] = x;
        Matrix[] d = ws.deltas;
        int last = weights.length;
        for (int l = 0; l + 1 < last; l++) {
            backend.layerForward(a[l], weights[l], biases[l], activation, a[l + 1]);
        }
        backend.outputLayerStep(a[last - 1], weights[last - 1], biases[last - 1], labels, output, step, a[last], d[last]);
        float decay = 1f - eta * l2;
        for (int l = last - 1; l > 0; l--) {
            // the error goes down through weights[l] as they were, then they take their step
            backend.hiddenLayerStep(d[l + 1], weights[l], decay, a[l], activation, step, biases[l - 1], d[l]);
        }
        backend.gemm(true, false, -step, a[0], d[1], decay, weights[0]);
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
            Matrix z = logits(ws, x.rows(done, rows));
            Matrix y = labels.rows(done, rows);
            if (costSlot >= 0) {
                backend.cost(z, y, output, acc, costSlot);
            }
            backend.countCorrect(z, y, acc, correctSlot);
        }
    }

    /** As {@link #evaluate(Workspace, Matrix, Matrix, Accumulator, int, int)} for examples {@code order[from .. from+count)}. */
    public void evaluate(Workspace ws, Examples data, Order order, int from, int count,
                         Accumulator acc, int costSlot, int correctSlot) {
        for (int done = 0; done < count; done += ws.rows()) {
            int rows = Math.min(ws.rows(), count - done);
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
        float[] host = new float[ws.rows() * outputs];
        for (int done = 0; done < count; done += ws.rows()) {
            int rows = Math.min(ws.rows(), count - done);
            backend.gather(data, order, from + done, ws.x.prefix(rows), ws.labels.prefix(rows));
            backend.download(logits(ws, ws.x.prefix(rows)), host);
            System.arraycopy(host, 0, out, done * outputs, rows * outputs);
        }
        return out;
    }

    /** Predicted classes of examples {@code order[from .. from+count)}. */
    public int[] predict(Workspace ws, Examples data, Order order, int from, int count) {
        int[] out = new int[count];
        Matrix classes = backend.matrix(ws.rows(), 1);
        float[] host = new float[ws.rows()];
        for (int done = 0; done < count; done += ws.rows()) {
            int rows = Math.min(ws.rows(), count - done);
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
