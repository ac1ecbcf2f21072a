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
 * <p>With an optimizer's buffers the way down computes gradients instead (alpha 1, beta 0, and the bias steps' rate
 * -1, as the model's general step passes them), and each part then takes the optimizer's step on its own slices of
 * the parameters: its rows of w1, its biases, and its columns of the first weights, whose gradient and state it
 * keeps in the strips as it keeps those weights. The layers above take theirs on the calling thread.
 *
 * <p>Each element is computed by the same operations in the same order as by the layer ops
 * ({@link org.mlp4j.model.DeviceNet#trainStep}), so the results are the same bits.
 */
final class SplitSteps implements Backend.Steps {
    private final CpuBackend backend;
    private final Kernels kernels;
    private final Workers workers;
    /** The general step's gradients, optimizer state and hyperparameters; null for the book's fused SGD. */
    private final Backend.OptimizerBuffers optimizer;
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
    /** With an optimizer: each part's gradient and state of its first weights, in the same strips (aliased where the optimizer's are). */
    private final float[][] partGradients, partState1, partState2;
    /** Columns of a strip of the GEMM's packed B. */
    private final int strip;
    /** A GEMM each part, for its packing buffers: parts run at the same time. */
    private final Gemm[] gemms;

    /** Null on one thread, without a hidden layer, or where the first is too narrow to split ({@link #parts}). */
    static SplitSteps of(CpuBackend backend, Kernels kernels, Workers workers, Matrix[] weights, Matrix[] biases, Matrix[] activations,
                         Matrix[] deltas, Activation act, Output output, Backend.OptimizerBuffers optimizer) {
        if (weights.length < 2 || workers.size() == 1) {
            return null;
        }
        int[] bounds = parts(weights[0].cols(), kernels.tileCols(), workers.size());
        return bounds.length > 2 ? new SplitSteps(backend, kernels, workers, weights, biases, activations, deltas, act, output, optimizer, bounds)
                : null;
    }

    private SplitSteps(CpuBackend backend, Kernels kernels, Workers workers, Matrix[] weights, Matrix[] biases, Matrix[] activations,
                       Matrix[] deltas, Activation act, Output output, Backend.OptimizerBuffers optimizer, int[] bounds) {
        this.backend = backend;
        this.kernels = kernels;
        this.workers = workers;
        this.optimizer = optimizer;
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
        this.partGradients = new float[parts][];
        this.partState1 = new float[parts][];
        this.partState2 = new float[parts][];
        Workers alone = new Workers(1);
        for (int p = 0; p < parts; p++) {
            int width = bounds[p + 1] - bounds[p];
            gemms[p] = new Gemm(kernels, alone);
            int packed = gemms[p].packedSize(width, features);
            partWeights[p] = new float[packed];
            partActivations[p] = new float[batch * width];
            partDeltas[p] = new float[batch * width];
            if (optimizer != null) {
                partGradients[p] = new float[packed];
                partState1[p] = optimizer.s1w()[0] == optimizer.gw()[0] ? partGradients[p] : new float[packed];
                partState2[p] = optimizer.s2w()[0] == optimizer.s1w()[0] ? partState1[p] : new float[packed];
            }
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
                Matrix ys = labels.rows(s * batch, batch);
                Kernels.OptimizerStep weightStep, biasStep;
                if (optimizer == null) {
                    weightStep = biasStep = null;
                    above(ys, rate, decay);
                } else {
                    backend.advance(optimizer.hyper());
                    weightStep = CpuBackend.optimizerStep(optimizer.hyper(), optimizer.kind(), true);
                    biasStep = CpuBackend.optimizerStep(optimizer.hyper(), optimizer.kind(), false);
                    aboveWithOptimizer(ys, weightStep, biasStep);
                }
                workers.run(parts, p -> {
                    if (optimizer == null) {
                        backward(p, xs, rate, decay);
                    } else {
                        backwardWithOptimizer(p, xs, weightStep, biasStep);
                    }
                    if (next != null) {
                        forward(p, next);
                    }
                });
            }
        } finally {
            copyFirstWeights(false);
        }
    }

    /** The first weights' columns (and their optimizer state) into the parts' arrays, in the GEMM's strips ({@code in}), or back. */
    private void copyFirstWeights(boolean in) {
        for (int p = 0; p + 1 < bounds.length; p++) {
            copyColumns(in, p, w0, partWeights[p]);
            if (optimizer != null && partState1[p] != partGradients[p]) {
                copyColumns(in, p, optimizer.s1w()[0], partState1[p]);
            }
            if (optimizer != null && partState2[p] != partState1[p]) {
                copyColumns(in, p, optimizer.s2w()[0], partState2[p]);
            }
        }
    }

    private void copyColumns(boolean in, int p, Matrix m, float[] packed) {
        int width = bounds[p + 1] - bounds[p];
        if (in) {
            gemms[p].pack(CpuBackend.data(m), CpuBackend.off(m) + bounds[p], units, width, features, packed);
        } else {
            gemms[p].unpack(packed, width, features, CpuBackend.data(m), CpuBackend.off(m) + bounds[p], units);
        }
    }

    /**
     * Between a step's way up and its way down: the parts' activations side by side for the layers above, which
     * read all the first hidden layer's units, then those layers as DeviceNet.trainStep takes them.
     */
    private void above(Matrix labels, float rate, float decay) {
        int last = layers.length;
        forwardAbove();
        backend.outputLayerStep(activations[last - 1], layers[last - 1], biases[last - 1], labels, output, rate, activations[last], deltas[last]);
        for (int l = last - 1; l > 1; l--) {
            backend.hiddenLayerStep(deltas[l + 1], layers[l], decay, activations[l], act, rate, biases[l - 1], deltas[l]);
        }
    }

    /**
     * As {@link #above} for the general step: the layers above forward, the output's deltas and bias gradient, the
     * errors, deltas and gradients of the layers above the first hidden one, and their optimizer steps.
     */
    private void aboveWithOptimizer(Matrix labels, Kernels.OptimizerStep weightStep, Kernels.OptimizerStep biasStep) {
        int last = layers.length;
        forwardAbove();
        backend.layerForward(activations[last - 1], layers[last - 1], biases[last - 1], Activation.IDENTITY, activations[last]);
        backend.outputStep(activations[last], optimizer.gb()[last - 1], labels, output, -1f, deltas[last]);
        for (int l = last - 1; l > 1; l--) {
            backend.gemm(false, true, 1f, deltas[l + 1], layers[l], 0f, deltas[l]);
            backend.gemm(true, false, 1f, activations[l], deltas[l + 1], 0f, optimizer.gw()[l]);
            backend.hiddenStep(deltas[l], activations[l], act, -1f, optimizer.gb()[l - 1]);
        }
        // w0 and w1 are the parts' (backwardWithOptimizer), as is b0
        for (int l = 2; l < last; l++) {
            backend.optimize(weightStep, layers[l], optimizer.gw()[l], optimizer.s1w()[l], optimizer.s2w()[l]);
        }
        for (int l = 1; l < last; l++) {
            backend.optimize(biasStep, biases[l], optimizer.gb()[l], optimizer.s1b()[l], optimizer.s2b()[l]);
        }
    }

    /** The parts' activations side by side in the first hidden layer's matrix, then the hidden layers above it forward. */
    private void forwardAbove() {
        float[] h = CpuBackend.data(hidden);
        int ho = CpuBackend.off(hidden);
        for (int p = 0; p + 1 < bounds.length; p++) {
            int width = bounds[p + 1] - bounds[p];
            for (int r = 0; r < hidden.rows(); r++) {
                System.arraycopy(partActivations[p], r * width, h, ho + r * units + bounds[p], width);
            }
        }
        for (int l = 1; l + 1 < layers.length; l++) {
            backend.layerForward(activations[l], layers[l], biases[l], act, activations[l + 1]);
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

    /**
     * As {@link #backward} for the general step: part p's errors, its rows of w1's gradient, its deltas and bias
     * gradient, its columns of the first weights' gradient, then the optimizer's step on each of its slices.
     */
    private void backwardWithOptimizer(int p, Matrix x, Kernels.OptimizerStep weightStep, Kernels.OptimizerStep biasStep) {
        Gemm gemm = gemms[p];
        int from = bounds[p], to = bounds[p + 1], width = to - from, rows = x.rows();
        float[] d = CpuBackend.data(above), w = CpuBackend.data(w1), g = partDeltas[p], a = partActivations[p];
        int dO = CpuBackend.off(above), wo = CpuBackend.off(w1);
        Matrix gw1 = optimizer.gw()[1], gb0 = optimizer.gb()[0];
        float[] gw = CpuBackend.data(gw1);
        int gwo = CpuBackend.off(gw1);
        gemm.run(false, true, rows, width, next, 1f, d, dO, next, w, wo + from * next, next, 0f, g, 0, width, null);
        gemm.run(true, false, width, next, rows, 1f, a, 0, width, d, dO, next, 0f, gw, gwo + from * next, next, null);
        backend.hiddenStep(g, 0, width, a, 0, width, rows, width, act, -1f, CpuBackend.data(gb0), CpuBackend.off(gb0) + from);
        for (int s = 0; s * strip < width; s++) {
            gemm.run(true, false, features, Math.min(strip, width - s * strip), rows, 1f, CpuBackend.data(x), CpuBackend.off(x), features,
                    g, s * strip, width, 0f, partGradients[p], s * features * strip, strip, null);
        }
        backend.optimize(weightStep, w1, gw1, optimizer.s1w()[1], optimizer.s2w()[1], from * next, to * next);
        backend.optimize(biasStep, b0, gb0, optimizer.s1b()[0], optimizer.s2b()[0], from, to);
        kernels.optimize(weightStep, partWeights[p], 0, partGradients[p], 0, partState1[p], 0, partState2[p], 0, 0, partWeights[p].length);
    }

    /**
     * Where every thread holds a part: they compute the same bits as the layer ops and ran faster on every network
     * measured (bench/RESULTS.md). With more threads than the first hidden layer has strips, the threads without a part
     * wait while the layer ops' products take every thread: which is faster then depends on the machine, so they are
     * timed, as on a GPU.
     */
    @Override
    public boolean untimed() {
        return bounds.length - 1 == workers.size();
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
