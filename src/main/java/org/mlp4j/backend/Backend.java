package org.mlp4j.backend;

import org.mlp4j.Activation;
import org.mlp4j.Optimizer;
import org.mlp4j.Output;

/**
 * The compute backend SPI: everything the shared model and trainer need, on memory the backend owns.
 *
 * <p>Contract for implementations:
 * <ul>
 *   <li>Operations are issued in program order and may run asynchronously; only {@link #download},
 *       {@link #read(Accumulator)}, {@link #synchronize()} and a {@link #mark}'s await wait for them. No
 *       operation copies data between host and device except {@code upload}/{@code download}/{@code read}.</li>
 *   <li>All matrices are row-major float32. Backends check shapes with {@link Shapes} and throw
 *       {@link IllegalArgumentException} on a mismatch.</li>
 *   <li>Labels travel as a {@code rows x 1} matrix holding each class index as a float (exact below 2^24).</li>
 *   <li>{@link #record} turns a fixed sequence of operations into a replayable {@link Program}
 *       (a CUDA graph on CUDA); operations inside it must not upload, download or read.</li>
 * </ul>
 * The weight update is folded into {@link #gemm}'s alpha/beta ({@code W = (1-eta*l2)W - eta*A'D}), so no
 * gradient buffer or separate weight-update op is needed; {@link #outputStep} and {@link #hiddenStep} fuse
 * each layer's element-wise backward work with its bias gradient (column sums) and bias update, so a
 * training step is its GEMMs and one small op per layer each way (the trainer gathers many minibatches
 * at once and hands each step a row view). The model calls the layer ops {@link #layerForward},
 * {@link #outputLayerStep} and {@link #hiddenLayerStep}, whose defaults are those GEMMs and small ops; a
 * backend overrides them to fold a GEMM into its neighbour where launches, not arithmetic, cost the time.
 * The book's output layer is 10 wide, so a step of its net is 5 launches instead of 9 on OpenCL, and 3
 * cuBLAS calls fewer on CUDA. A backend may also run whole steps of a network at once ({@link #steps}): in
 * one launch on CUDA, in few on OpenCL, on the CPU with each thread keeping its share of the hidden units.
 */
public interface Backend extends AutoCloseable {
    /** The name users pass to {@code --device}. */
    String name();

    /** One line naming the device and libraries in use. */
    String description();

    /**
     * The device as later runs on this machine know it again: its model and driver, none of what this backend
     * chose or timed (as {@link #description} says). A way of whole steps that faulted it is remembered by it.
     */
    default String device() {
        return name();
    }

    /** A zero-filled matrix. */
    Matrix matrix(int rows, int cols);

    void upload(float[] src, Matrix dst);

    void download(Matrix src, float[] dst);

    /**
     * Keeps a whole dataset (uint8 pixels, uint8 labels) resident for {@link #gather}, which scales the pixels. The
     * arrays must not change while the dataset is in use: the cpu backend reads them in place.
     */
    Examples upload(byte[] pixels, byte[] labels, int count, int features);

    /**
     * Keeps a whole dataset of float features ({@code values}, row-major, {@code features} per example) and int labels
     * (class indices below 2^24) resident for {@link #gather}, which copies the features as they are. The arrays must
     * not change while the dataset is in use, as {@link #upload(byte[], byte[], int, int)}'s.
     */
    Examples upload(float[] values, int[] labels, int count, int features);

    /** An index vector (e.g. an epoch's shuffled order). */
    Order order(int length);

    void upload(int[] src, Order dst);

    /**
     * Minibatch gather: for r in [0, x.rows): example {@code order[offset + r]} of {@code data} is
     * written to row r of {@code x}, each uint8 pixel scaled to [-1, 1] as {@code (p/255 - 0.5) * 2} (float
     * features as they are), and its label to {@code labels[r]}.
     */
    void gather(Examples data, Order order, int offset, Matrix x, Matrix labels);

    /** One uint8 pixel as {@link #gather} scales it, {@code (p/255 - 0.5) * 2} in float, these operations in this order. */
    static float scaledPixel(byte p) {
        return ((p & 0xff) / 255f - 0.5f) * 2f;
    }

    /** {@code c = alpha * op(a) * op(b) + beta * c}; with beta 0, c's old contents are ignored (even NaN). */
    void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c);

    /**
     * A layer's forward end in place: {@code z[r][j] = act(z[r][j] + bias[j])}; bias is {@code 1 x z.cols};
     * {@link Activation#IDENTITY} adds the bias alone (the output layer's logits).
     */
    void biasActivation(Matrix z, Matrix bias, Activation act);

    /**
     * The output layer's forward end and backward start: {@code z = f(z + bias)} in place (the activations:
     * sigmoid per unit, or softmax per row), {@code delta = z - onehot(labels)} (the error of sigmoid units
     * under the logistic cost, and of the softmax under the cross-entropy), then the bias's SGD step
     * {@code bias[j] -= eta * sum_r delta[r][j]} (biases are never L2-decayed).
     */
    void outputStep(Matrix z, Matrix bias, Matrix labels, Output output, float eta, Matrix delta);

    /**
     * Backprop through a hidden layer of activations {@code a}: {@code g *= act'} (the derivative, from the
     * activation's value) turns the error propagated back into {@code g} into the layer's delta, then the
     * bias's SGD step {@code bias[j] -= eta * sum_r g[r][j]}.
     */
    void hiddenStep(Matrix g, Matrix a, Activation act, float eta, Matrix bias);

    /**
     * A layer's forward pass, {@code z = act(x * w + bias)}: {@link #gemm} and {@link #biasActivation},
     * which a backend may do in one launch.
     */
    default void layerForward(Matrix x, Matrix w, Matrix bias, Activation act, Matrix z) {
        gemm(false, false, 1f, x, w, 0f, z);
        biasActivation(z, bias, act);
    }

    /**
     * {@link #outputStep} preceded by the layer's GEMM {@code z = x * w} (beta 0). A backend may fuse the
     * two where the product is small (the book's 100 x 100 x 10): that saves a launch per step.
     */
    default void outputLayerStep(Matrix x, Matrix w, Matrix bias, Matrix labels, Output output, float eta, Matrix z, Matrix delta) {
        gemm(false, false, 1f, x, w, 0f, z);
        outputStep(z, bias, labels, output, eta, delta);
    }

    /**
     * The backward step across the weights {@code wNext} above a hidden layer: the next layer's delta goes
     * back through them, {@code g = dNext * wNext'} (the weights as they were), they take their SGD step
     * {@code wNext = decay * wNext - eta * a' * dNext}, and {@link #hiddenStep} turns g into this layer's
     * delta and steps its bias. A backend may do it in one launch where the products are small (k, the next
     * layer's width, is 10 in the book's network).
     */
    default void hiddenLayerStep(Matrix dNext, Matrix wNext, float decay, Matrix a, Activation act, float eta, Matrix bias, Matrix g) {
        gemm(false, true, 1f, dNext, wNext, 0f, g);
        gemm(true, false, -eta, a, dNext, decay, wNext);
        hiddenStep(g, a, act, eta, bias);
    }

    /**
     * One optimizer step of {@code param} from its gradient {@code grad}, then {@code grad = 0} (a step
     * kernel adds the next bias gradient into it): {@code g = grad * hyper[GRADIENT_SCALE] + hyper[L2] *
     * param} (L2 only when {@code decay}), then the update of {@link Optimizer} with {@code hyper[ETA]},
     * its state in {@code s1} (velocity, or Adam's first moment) and {@code s2} (Adam's second moment; not
     * read by the others, which may pass s1 or grad), and Adam's bias corrections {@code 1 - hyper[BETA1_POWER]}
     * and {@code 1 - hyper[BETA2_POWER]}. Reading the rate from the device lets a recorded program follow a
     * learning-rate schedule.
     */
    void optimize(Matrix param, Matrix grad, Matrix s1, Matrix s2, Matrix hyper, Optimizer kind, boolean decay);

    /**
     * {@code hyper[BETA1_POWER] *= hyper[BETA1]} and {@code hyper[BETA2_POWER] *= hyper[BETA2]} (Adam's beta^t for
     * step t), in float: once per step, before its {@link #optimize} calls.
     */
    void advance(Matrix hyper);

    /**
     * The buffers of a step that is not the book's fused SGD, per layer l: the gradients of its weights and biases
     * ({@code gw[l]}, {@code gb[l]}, zero between steps) and their {@link #optimize} state ({@code s1}, {@code s2};
     * the same matrix where the optimizer reads less), and the hyperparameters on the device.
     */
    record OptimizerBuffers(Optimizer kind, Matrix[] gw, Matrix[] gb, Matrix[] s1w, Matrix[] s2w, Matrix[] s1b, Matrix[] s2b, Matrix hyper) {
    }

    /** The slots of the {@code 1 x values().length} hyperparameter matrix {@link #optimize} reads. */
    enum Hyper {
        ETA, GRADIENT_SCALE, L2, MOMENTUM, BETA1, BETA2, EPSILON,
        /**
         * beta1^t and beta2^t, kept as products rather than computed with pow on the device: OpenCL lets pow be
         * 16 ulp off, and where 1 - beta2^t is small (0.001 at t = 1) that moved Adam's steps on an OpenCL GPU
         * far from the other backends'.
         */
        BETA1_POWER, BETA2_POWER
    }

    /**
     * Chooses between this backend's variants of the layer steps of a network of {@code sizes} trained in
     * batches of {@code rows} (a GPU backend folds a small GEMM into its step kernel or not; OpenCL splits the k
     * of a product of few outputs or not) by timing them on the device, before any program is recorded; the layer
     * steps then follow the choices, which it returns (for {@code train --verbose}, and for a checkpoint, so a
     * resumed run takes the same). Each fused variant must first compute what the plain one does, and is left out
     * where it faulted this device in an earlier run ({@link DeviceFaults}). Where {@code made} is not null (a
     * checkpoint's choices), nothing is timed: its choices decide, each fused variant it chose checked as before
     * (untimed, and not taken where that check now fails), and a part it does not name runs as untuned. The
     * default has no variants.
     */
    default java.util.List<Choice> tune(int rows, int[] sizes, Output output, java.util.List<Choice> made) {
        return java.util.List.of();
    }

    /**
     * How one part of a step runs, chosen by timing both ways on the device: a layer step's GEMM folded into
     * its step kernel or not, or a product of the step with its k split into slices or not ({@link #tune}), or
     * whole steps or layer by layer ({@link #steps}), with the seconds each way took (per step for whole steps;
     * NaN when not known, as for a checkpoint's choice or untimed whole steps; infinite for whole steps none of
     * whose ways launched and ended where the layer ops end).
     *
     * @param part which step: {@link Part#OUTPUT} and {@link Part#HIDDEN} for a layer step of {@code rows x k x
     *             cols}; {@link Part#FORWARD} and {@link Part#BACKWARD} for a product of {@code rows x k} by {@code k x
     *             cols}; {@link Part#WHOLE} for whole steps of {@code rows} examples ({@code k} the layers, {@code cols}
     *             which of the steps' ways: 0 the steps themselves, i their alternative i - 1, see {@link Steps#alternatives})
     * @param folded whether the fused way (folded, k split, or whole steps) runs
     * @param off how far the fused way of a layer step or product ended from the other, run once each on the same
     *            random inputs, as a share of the other's largest value ({@link Timings#check}; where it
     *            {@link #disagrees} the fused way is not taken, however fast); null where they were not compared
     *            (whole steps, which the model compares, or a checkpoint's choice as it is stored), NaN where
     *            nothing was judged
     */
    record Choice(Part part, int rows, int k, int cols, boolean folded, double foldedSeconds, double unfoldedSeconds, Double off) {
        /** A choice whose ways were not compared. */
        public Choice(Part part, int rows, int k, int cols, boolean folded, double foldedSeconds, double unfoldedSeconds) {
            this(part, rows, k, cols, folded, foldedSeconds, unfoldedSeconds, null);
        }

        /** Whether the fused way computed other values than the other, and is left out for it. */
        public boolean disagrees() {
            return off != null && Timings.disagrees(off);
        }

        /**
         * What a choice is about. The checkpoint file stores a part by its place here, so new parts go last.
         * FORWARD is a layer's product {@code z = x * w}, BACKWARD the error's {@code g = dNext * wNext'}; splitting
         * their k sums each output in another order, so the choice is kept with a run like the others.
         */
        public enum Part {
            OUTPUT, HIDDEN, WHOLE, FORWARD, BACKWARD
        }

        private static String time(double seconds) {
            return Double.isNaN(seconds) ? "not timed" : Double.isInfinite(seconds) ? "unusable (refused, or left out)"
                    : String.format(java.util.Locale.ROOT, "%.1f us", seconds * 1e6);
        }

        /** The fused way's time and how near the other it ended, or how far off where it disagrees, naming the other. */
        private String fused(String other) {
            if (disagrees()) {
                return String.format(java.util.Locale.ROOT, "disagrees with %s (off by %.1e of its largest value)", other, off);
            }
            return time(foldedSeconds) + (off == null || off.isNaN() ? "" : String.format(java.util.Locale.ROOT, " (within %.1e of %s)", off, other));
        }

        /**
         * What was chosen, each way's time and the choice; a choice not timed (a checkpoint's) says so instead of the
         * times, after how its fused way's check went where it was checked again.
         */
        @Override
        public String toString() {
            // the fused and plain ways' names, and the plain way's where the fused is measured against it
            String what, fusedWay, plainWay, against;
            if (part == Part.WHOLE) {
                what = String.format(java.util.Locale.ROOT, "steps of %d examples", rows);
                String ways = "whole " + (Double.isInfinite(foldedSeconds) ? "unusable" : time(foldedSeconds)) + ", layer by layer " + time(unfoldedSeconds);
                String chosen = !folded ? "layer by layer" : cols > 0 ? "whole, way " + (cols + 1) : "whole";
                return Double.isNaN(foldedSeconds) && Double.isNaN(unfoldedSeconds) ? what + ": " + chosen + " (not timed)" : what + ": " + ways + ": " + chosen;
            } else if (part == Part.FORWARD || part == Part.BACKWARD) {
                what = String.format(java.util.Locale.ROOT, "%s product %dx%dx%d", part == Part.FORWARD ? "forward" : "backward", rows, k, cols);
                fusedWay = "k split";
                plainWay = "whole";
                against = "the whole k";
            } else {
                what = String.format(java.util.Locale.ROOT, "%s step %dx%dx%d", part == Part.HIDDEN ? "hidden" : "output", rows, k, cols);
                fusedWay = "folded";
                plainWay = "GEMM and step";
                against = plainWay;
            }
            String chosen = folded ? fusedWay : plainWay;
            if (!Double.isNaN(unfoldedSeconds)) {
                return what + ": " + fusedWay + " " + fused(against) + ", " + plainWay + " " + time(unfoldedSeconds) + ": " + chosen;
            }
            // a checkpoint's choice, and where its fused way was checked again, how that went
            if (disagrees() || Double.isInfinite(foldedSeconds)) {
                return what + ": " + fusedWay + " " + (disagrees() ? fused(against) : time(foldedSeconds)) + ": " + chosen + " (not timed)";
            }
            return what + ": " + chosen + (off == null || off.isNaN() ? " (not timed)"
                    : String.format(java.util.Locale.ROOT, " (not timed; within %.1e of %s)", off, against));
        }
    }

    /**
     * Whole steps at once, where this backend has them for this network (where launches, not arithmetic, cost the
     * time: for the book's SGD on CUDA in one launch for small ones, on OpenCL in two or three a step for small ones,
     * or the layer ops' products and a launch of updates for each three layers; with an optimizer on a GPU the
     * products and a launch of updates a layer): what the model's step does with the layer ops, step after step, on the parameters {@code weights} and {@code biases}, with a minibatch's activations and
     * deltas in {@code activations} and {@code deltas} (layer l's output at index l + 1, as the model keeps them;
     * index 0 unread), and for another optimizer or a rate that changes ({@code optimizer} not null) its
     * gradients and state, each step's as {@link #advance} and {@link #optimize} take them. Null where it has
     * none. The model times them against the layer ops at the start of a run and keeps the faster, unless the
     * steps are {@link Steps#untimed} (a {@link Choice} of {@link Choice.Part#WHOLE} either way); steps with an
     * {@code optimizer} are timed on a copy of the network with state of its own.
     */
    default Steps steps(Matrix[] weights, Matrix[] biases, Matrix[] activations, Matrix[] deltas, Activation act, Output output,
                        OptimizerBuffers optimizer) {
        return null;
    }

    /**
     * A backend's whole steps for one network (see {@link #steps}); its {@code toString} says how they run on
     * the device (grid, tiles), for {@code train --verbose}.
     */
    @FunctionalInterface
    interface Steps {
        /**
         * {@code x.rows() / batch} steps, step s on rows [s * batch, (s + 1) * batch) of {@code x} and
         * {@code labels}: forward, deltas, then each weight {@code w = decay * w - rate * a' * d} and each bias
         * {@code b -= rate * colsum(d)}; or, for steps with an optimizer's buffers, which ignore {@code rate} and
         * {@code decay}, every gradient and then every parameter's {@link #optimize} step.
         */
        void run(Matrix x, Matrix labels, float rate, float decay);

        /**
         * Whether the model takes these steps without timing them against the layer ops: where the backend
         * knows they are the faster and compute the same bits (the CPU's, on several threads), a timing at the
         * start of a run would mostly measure which way the JVM's JIT had compiled sooner.
         */
        default boolean untimed() {
            return false;
        }

        /**
         * Other ways to run the same steps on this device (another grid, other tiles: the sums may be taken in
         * another order), which the model times with these and the layer ops, keeping the fastest; none by
         * default. The same network on the same device must get the same ways in the same order, since a
         * checkpoint names the way by its place.
         */
        default java.util.List<Steps> alternatives() {
            return java.util.List.of();
        }
    }

    /** Row argmax: {@code out[r] = argmax_j z[r][j]} (first maximum), {@code out} being {@code z.rows x 1}. */
    void rowArgmax(Matrix z, Matrix out);

    /** A few device-side sums that accumulate over an epoch's evaluation. */
    Accumulator accumulator(int slots);

    /** Sets every slot to zero (an ordinary operation: it may be recorded). */
    void reset(Accumulator acc);

    /** Waits for pending work and returns the slots. */
    double[] read(Accumulator acc);

    /**
     * The cost of the outputs from their logits z, added to {@code acc[slot]}, y = onehot(labels): for
     * sigmoid units the logistic cost {@code sum_r sum_j -y log(sigmoid(z)) - (1-y) log(1 - sigmoid(z))}, for
     * the softmax the cross-entropy {@code sum_r -log(softmax(z_r)[label_r])}.
     */
    void cost(Matrix z, Matrix labels, Output output, Accumulator acc, int slot);

    /** Adds the number of rows whose argmax equals the label to {@code acc[slot]}. */
    void countCorrect(Matrix z, Matrix labels, Accumulator acc, int slot);

    /**
     * The evaluation of the rows of {@code x} by a network (weights {@code w}, biases {@code b}; hidden layers of
     * {@code act}, the last of {@code output}): adds their {@link #cost} to {@code acc[costSlot]} (unless it is
     * negative) and how many of them {@link #countCorrect} finds to {@code acc[correctSlot]}. {@code z[l]}
     * ({@code x.rows() x w[l].cols()}) is scratch for layer l's outputs. The default is the layer ops then those
     * two; a backend may fuse what follows a layer's product, where launches, not arithmetic, cost the
     * time.
     */
    default void evaluate(Matrix x, Matrix[] w, Matrix[] b, Activation act, Output output, Matrix labels, Matrix[] z, Accumulator acc,
                          int costSlot, int correctSlot) {
        evaluateThroughLayerOps(this, x, w, b, act, output, labels, z, acc, costSlot, correctSlot);
    }

    /**
     * The rows an evaluation should take at once where more than the model's chunk pays, for a network whose
     * layers' outputs and deltas are {@code floats} a row; 0 (the default) for the model's chunk. A GPU's
     * products and the evaluation's end fill the device only with tens of thousands of rows at once.
     */
    default int evaluationRows(long floats) {
        return 0;
    }

    /**
     * {@link #evaluate}'s default on {@code backend}: the layer ops, then {@link #cost} and {@link #countCorrect}; what
     * a backend that fuses the evaluation's end compares with (bench/ab/Evaluation.java).
     */
    static void evaluateThroughLayerOps(Backend backend, Matrix x, Matrix[] w, Matrix[] b, Activation act, Output output, Matrix labels,
                                        Matrix[] z, Accumulator acc, int costSlot, int correctSlot) {
        Matrix in = x;
        for (int l = 0; l < w.length; l++) {
            backend.layerForward(in, w[l], b[l], l + 1 < w.length ? act : Activation.IDENTITY, z[l]);
            in = z[l];
        }
        if (costSlot >= 0) {
            backend.cost(in, labels, output, acc, costSlot);
        }
        backend.countCorrect(in, labels, acc, correctSlot);
    }

    /** Adds the sum of squared elements of {@code m} to {@code acc[slot]} (the L2 term). */
    void sumOfSquares(Matrix m, Accumulator acc, int slot);

    /**
     * Records {@code ops} into a program that replays them; recording itself runs nothing. The default
     * just re-runs them; CUDA captures a graph.
     */
    default Program record(Runnable ops) {
        return ops::run;
    }

    /** Waits until every issued operation has finished. */
    void synchronize();

    /**
     * Marks the operations issued so far, for the host to wait for them later while the device runs those issued
     * after: a trainer hears of a segment's steps once the device has reached the segment's end, with the next
     * segment issued, so that the device does not sit idle while the host draws a progress line and issues more.
     * Null where they have all finished by then: a backend that runs each operation as it is issued. The default
     * waits for them now and returns null.
     */
    default Mark mark() {
        synchronize();
        return null;
    }

    /**
     * Bytes this backend can still allocate: the device's free memory, or the JVM's free heap for a backend
     * on the heap. A run checks its estimate against it before allocating anything.
     */
    long memoryAvailable();

    /** Frees everything this backend allocated. */
    @Override
    void close();

    /** A resident dataset. */
    interface Examples {
        int count();

        int features();
    }

    /** A resident index vector. */
    interface Order {
        int length();
    }

    /** Device-side sums. */
    interface Accumulator {
        int slots();
    }

    /** A point in the operations issued, from {@link #mark}. */
    interface Mark {
        /** Waits until every operation issued before the mark has finished; once, which frees the mark. */
        void await();
    }

    /** A recorded sequence of operations. */
    @FunctionalInterface
    interface Program {
        void run();
    }
}
