package org.mlp4j.backend.cpu;

import org.mlp4j.Activation;
import org.mlp4j.Output;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.Matrix;

/**
 * Whole SGD steps on several threads, the first hidden layer's units split between them. A part computes its
 * units' activations on the way up; on the way down their deltas, bias steps, the rows of the weights above
 * them and the columns of the first weights below them. The layers above run through the layer ops on the
 * calling thread in between (in the book's network only the small output layer). A part's way down is followed
 * by its way up for the next step in the same parallel section, since that reads only the part's own weights
 * and biases: one section a step, where the layer ops' GEMMs, split by rows, fork twice each and share their
 * packed B between the cores.
 *
 * <p>Each part keeps its columns of the first weights, its activations and its deltas in arrays of its own
 * for the whole run (the first weights copied in at the start and back at the end): a row of the model's
 * matrices holds several parts' columns, and two cores writing parts of the same cache line take it from
 * each other on every write, which made the first weights' step far slower (bench/RESULTS.md). Its first
 * weights stay in the strips the GEMM packs B into: its forward reads them as they are, and its weight step
 * writes them a strip at a time.
 *
 * <p>Each element is computed by the same operations in the same order as by the layer ops
 * ({@link org.mlp4j.model.DeviceNet#trainStep}), so the results are the same bits.
 */
final class SplitSteps implements Backend.Steps {
    private final CpuBackend backend;
    private final Workers workers;
    private final Matrix w0, b0, w1, hidden, above;
    private final Matrix[] layers, biases, activations, deltas;
    private final Activation act;
    private final Output output;
    /** The first weights' rows, the first hidden layer's units, and the next layer's. */
    private final int features, units, next;
    /** Part p is hidden units [bounds[p], bounds[p + 1]). */
    private final int[] bounds;
    /**
     * Each part's columns of the first weights (features x its units, in the GEMM's strips), activations and deltas
     * (batch x its units).
     */
    private final float[][] partWeights, partActivations, partDeltas;
    /** Columns of a strip of the GEMM's packed B. */
    private final int strip;
    /** A GEMM each part, for its packing buffers: parts run at the same time. */
    private final Gemm[] gemms;

    /** Null on one thread, without a hidden layer, or where the first is too narrow to split ({@link #parts}). */
    static SplitSteps of(CpuBackend backend, Kernels kernels, Workers workers, Matrix[] weights, Matrix[] biases, Matrix[] activations,
                         Matrix[] deltas, Activation act, Output output) {
        if (weights.length < 2 || workers.size() == 1) {
            return null;
        }
        int[] bounds = parts(weights[0].cols(), kernels.tileCols(), workers.size());
        return bounds.length > 2 ? new SplitSteps(backend, kernels, workers, weights, biases, activations, deltas, act, output, bounds) : null;
    }

    private SplitSteps(CpuBackend backend, Kernels kernels, Workers workers, Matrix[] weights, Matrix[] biases, Matrix[] activations,
                       Matrix[] deltas, Activation act, Output output, int[] bounds) {
        this.backend = backend;
        this.workers = workers;
        this.layers = weights;
        this.biases = biases;
        this.activations = activations;
        this.deltas = deltas;
        this.w0 = weights[0];
        this.b0 = biases[0];
        this.w1 = weights[1];
        this.hidden = activations[1];
        this.above = deltas[2];
        this.act = act;
        this.output = output;
        this.features = w0.rows();
        this.units = w0.cols();
        this.next = w1.cols();
        this.bounds = bounds;
        this.strip = kernels.tileCols();
        int parts = bounds.length - 1, batch = hidden.rows();
        this.partWeights = new float[parts][];
        this.partActivations = new float[parts][];
        this.partDeltas = new float[parts][];
        this.gemms = new Gemm[parts];
        Workers alone = new Workers(1);
        for (int p = 0; p < parts; p++) {
            int width = bounds[p + 1] - bounds[p];
            gemms[p] = new Gemm(kernels, alone);
            partWeights[p] = new float[gemms[p].packedSize(width, features)];
            partActivations[p] = new float[batch * width];
            partDeltas[p] = new float[batch * width];
        }
    }

    /**
     * Where the parts of {@code units} columns begin: at whole strips of the GEMM's kernel, as many strips to each
     * of at most {@code parts} parts as can be (a part of a strip would cost as much as a whole one).
     */
    static int[] parts(int units, int strip, int parts) {
        int strips = (units + strip - 1) / strip, count = Math.min(parts, strips);
        int[] b = new int[count + 1];
        for (int p = 0; p <= count; p++) {
            b[p] = Math.min(units, (int) ((long) strips * p / count) * strip);
        }
        return b;
    }

    @Override
    public void run(Matrix x, Matrix labels, float rate, float decay) {
        int batch = hidden.rows();
        if (x.rows() % batch != 0 || x.cols() != features || labels.rows() != x.rows() || labels.cols() != 1) {
            throw new IllegalArgumentException("whole steps of " + batch + " examples of " + features + " on " + x.rows() + "x" + x.cols()
                    + " and labels " + labels.rows() + "x" + labels.cols());
        }
        int parts = bounds.length - 1, steps = x.rows() / batch;
        if (steps == 0) {
            return;
        }
        copyFirstWeights(true);
        try {
            Matrix first = x.rows(0, batch);
            workers.run(parts, p -> forward(p, first));
            for (int s = 0; s < steps; s++) {
                Matrix xs = x.rows(s * batch, batch), next = s + 1 < steps ? x.rows((s + 1) * batch, batch) : null;
                above(labels.rows(s * batch, batch), rate, decay);
                workers.run(parts, p -> {
                    backward(p, xs, rate, decay);
                    if (next != null) {
                        forward(p, next);
                    }
                });
            }
        } finally {
            copyFirstWeights(false);
        }
    }

    /** The first weights' columns into the parts' arrays, in the GEMM's strips ({@code in}), or back. */
    private void copyFirstWeights(boolean in) {
        float[] w = CpuBackend.data(w0);
        int wo = CpuBackend.off(w0);
        for (int p = 0; p + 1 < bounds.length; p++) {
            int width = bounds[p + 1] - bounds[p];
            if (in) {
                gemms[p].pack(w, wo + bounds[p], units, width, features, partWeights[p]);
            } else {
                gemms[p].unpack(partWeights[p], width, features, w, wo + bounds[p], units);
            }
        }
    }

    /**
     * Between a step's way up and its way down: the parts' activations side by side for the layers above, which
     * read all the first hidden layer's units, then those layers as DeviceNet.trainStep takes them.
     */
    private void above(Matrix labels, float rate, float decay) {
        int parts = bounds.length - 1, last = layers.length;
        float[] h = CpuBackend.data(hidden);
        int ho = CpuBackend.off(hidden);
        for (int p = 0; p < parts; p++) {
            int width = bounds[p + 1] - bounds[p];
            for (int r = 0; r < hidden.rows(); r++) {
                System.arraycopy(partActivations[p], r * width, h, ho + r * units + bounds[p], width);
            }
        }
        for (int l = 1; l + 1 < last; l++) {
            backend.layerForward(activations[l], layers[l], biases[l], act, activations[l + 1]);
        }
        backend.outputLayerStep(activations[last - 1], layers[last - 1], biases[last - 1], labels, output, rate, activations[last], deltas[last]);
        for (int l = last - 1; l > 1; l--) {
            backend.hiddenLayerStep(deltas[l + 1], layers[l], decay, activations[l], act, rate, biases[l - 1], deltas[l]);
        }
    }

    /** Part p's hidden units: {@code act(x * w0[:, part] + b0[part])}. */
    private void forward(int p, Matrix x) {
        int from = bounds[p], width = bounds[p + 1] - from;
        gemms[p].runPacked(false, x.rows(), width, features, 1f, CpuBackend.data(x), CpuBackend.off(x), features, partWeights[p], 0f,
                partActivations[p], 0, width, backend.biasActivation(CpuBackend.data(b0), CpuBackend.off(b0) + from, act));
    }

    /**
     * Part p's hidden units, as {@link Backend#hiddenLayerStep} and the first weights' step do for all of them:
     * their errors {@code g = above * w1[part, :]'} (above: the next layer's deltas), their rows of w1 take their
     * step, g becomes their deltas and their biases take theirs, then the first weights' columns take theirs.
     */
    private void backward(int p, Matrix x, float rate, float decay) {
        Gemm gemm = gemms[p];
        int from = bounds[p], width = bounds[p + 1] - from, rows = x.rows();
        float[] d = CpuBackend.data(above), w = CpuBackend.data(w1), g = partDeltas[p], a = partActivations[p];
        int dO = CpuBackend.off(above), wo = CpuBackend.off(w1) + from * next;
        gemm.run(false, true, rows, width, next, 1f, d, dO, next, w, wo, next, 0f, g, 0, width, null);
        gemm.run(true, false, width, next, rows, -rate, a, 0, width, d, dO, next, decay, w, wo, next, null);
        backend.hiddenStep(g, 0, width, a, 0, width, rows, width, act, rate, CpuBackend.data(b0), CpuBackend.off(b0) + from);
        // the first weights' columns a strip at a time, each a features x strip-width matrix of the packed weights
        for (int s = 0; s * strip < width; s++) {
            gemm.run(true, false, features, Math.min(strip, width - s * strip), rows, -rate, CpuBackend.data(x), CpuBackend.off(x), features,
                    g, s * strip, width, decay, partWeights[p], s * features * strip, strip, null);
        }
    }

    /** They compute the same bits as the layer ops and ran faster on every network measured (bench/RESULTS.md). */
    @Override
    public boolean untimed() {
        return true;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(workers.size() + " threads, " + (layers.length > 2 ? "the first hidden layer's" : "the hidden")
                + " units split ");
        for (int p = 0; p + 1 < bounds.length; p++) {
            s.append(p == 0 ? "" : " + ").append(bounds[p + 1] - bounds[p]);
        }
        return s.toString();
    }
}
