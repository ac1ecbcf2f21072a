package org.mlp4j.backend;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.mlp4j.Activation;
import org.mlp4j.Optimizer;
import org.mlp4j.Output;

/**
 * What the GPU backends share: the matrices and datasets as (buffer, offset) values, host transfers through
 * direct buffers, every operation but the GEMM as a launch of a {@link GpuKernel} checked against its
 * declaration, the layer-step folds, the reductions and the rule that a recorded program holds no host
 * transfer. A device supplies only its own calls: allocate, copy, zero, enqueue a kernel, GEMM, record.
 *
 * @param <B> the device's buffer handle
 */
public abstract class GpuBackend<B> implements Backend {
    /**
     * The block sizes a device's kernels are written for. OpenCL receives them as build options; CUDA's
     * headers hold them and a test checks that they agree.
     *
     * @param threads threads of a block of an element-wise kernel, and of the whole steps' cooperative kernel
     * @param rowGroups row groups of a {@link GpuKernel.Shape#COLUMNS} block (so also when a fold pays)
     * @param reduceThreads threads of a reduction's single block
     * @param maxBlocks blocks of one grid dimension at most (the kernels stride beyond it)
     * @param sumBytes bytes of an accumulator slot: 8 for doubles, 4 for floats
     */
    public record Layout(int threads, int rowGroups, int reduceThreads, int maxBlocks, int sumBytes) {
        /** The grid of a kernel of {@code shape} over {@code n} elements. */
        public Launch launch(GpuKernel.Shape shape, long n) {
            return switch (shape) {
                case ELEMENTWISE -> new Launch(blocks(n, threads), 1, 1, threads, 1);
                case COLUMNS -> new Launch(blocks(n, Fold.COLUMNS), 1, 1, Fold.COLUMNS, rowGroups);
                case REDUCTION -> new Launch(1, 1, 1, reduceThreads, 1);
                case COOPERATIVE, CLUSTER, CUSTOM -> throw new IllegalArgumentException("a " + shape + " grid is the caller's");
            };
        }

        /** The constants the kernels are written for, by the names the kernel sources use. */
        public java.util.Map<String, Integer> defines() {
            return java.util.Map.of("BLOCK_THREADS", threads, "COLS_PER_BLOCK", Fold.COLUMNS, "ROW_GROUPS", rowGroups, "REDUCE_THREADS", reduceThreads,
                    "EVAL_OUTPUTS", EVAL_OUTPUTS, "GATHER_RUN", GATHER_RUN);
        }

        /** Threads of a block of {@code shape}. */
        public int blockThreads(GpuKernel.Shape shape) {
            Launch l = launch(shape, 1);
            return l.threadsX() * l.threadsY();
        }

        private long blocks(long n, int per) {
            return Math.max(1, Math.min((n + per - 1) / per, maxBlocks));
        }
    }

    /** A grid: blocks (work-groups) in x, y, z, each of threadsX by threadsY threads and sharedBytes of dynamic shared memory. */
    public record Launch(long blocksX, long blocksY, long blocksZ, int threadsX, int threadsY, int sharedBytes) {
        public Launch(long blocksX, long blocksY, long blocksZ, int threadsX, int threadsY) {
            this(blocksX, blocksY, blocksZ, threadsX, threadsY, 0);
        }
    }

    /** A matrix of a GPU backend: rows x cols floats from element {@code offset} of {@code buffer}. */
    public record GpuMatrix<B>(B buffer, int offset, int rows, int cols) implements Matrix {
        @Override
        public Matrix rows(int from, int count) {
            Matrix.checkRange(from, count, rows);
            return new GpuMatrix<>(buffer, offset + from * cols, count, cols);
        }
    }

    /** A resident dataset: uint8 pixels and labels, or float features and int labels. */
    record GpuExamples<B>(B pixels, B labels, int count, int features, boolean floats) implements Examples {
    }

    record GpuOrder<B>(B buffer, int length) implements Order {
    }

    record GpuAccumulator<B>(B buffer, int slots) implements Accumulator {
    }

    /** Elements a thread of the gathers copies, their loads issued together. */
    static final int GATHER_RUN = 8;
    /** The outputs of a network whose evaluation evaluate_rows finishes at most: a thread holds a row's logits. */
    static final int EVAL_OUTPUTS = 16;
    /**
     * evaluate_rows's blocks at most. Every accumulator keeps two sums for each past its slots, where the blocks
     * leave theirs for add_partials: no buffer is allocated while a program is recorded.
     */
    private static final int EVAL_BLOCKS = 1024;

    /** Floats an evaluation's layer outputs and deltas take at once at most (64 MiB): the rows of {@link #evaluationRows}. */
    private static final long EVAL_FLOATS = 1L << 24;

    /** The layer slots of the whole steps' kernels (w0..w2 and their buffers). */
    protected static final int WHOLE_STEPS_LAYERS = 3;
    /**
     * Whole steps whose phases are plain loops, not GEMMs (CUDA's train_steps, OpenCL's step_rows), are timed only for
     * networks of at most this many weights ({@link WholeStepSlots#weights}): they pay where launches, not arithmetic,
     * cost the time.
     */
    protected static final long WHOLE_STEPS_PARAMETERS = 1 << 20;
    /**
     * Whole steps that are the layer ops' products and launches of updates (OpenCL's step_updates, and every GPU's
     * steps with an optimizer) are offered for networks of at most this many weights: the trainer times whole steps
     * on a copy of the network (with an optimizer, and its state), which stays allocated for the run.
     */
    protected static final long PRODUCT_STEPS_PARAMETERS = 1 << 23;
    /** step_updates' (OpenCL) and optimize_layer's work-groups: UPDATE_TILE x UPDATE_TILE weights, 2 x 2 an item. */
    public static final int UPDATE_TILE = 16;

    /**
     * A network's buffers for whole steps, as {@link Backend#steps} gives them, a layer each: weights, biases, and
     * each layer's activations and deltas ({@code batch} rows), and an optimizer's buffers (null for the book's
     * SGD). The whole steps kernels take layers in {@link #WHOLE_STEPS_LAYERS} slots (w0..w2 and their buffers), as
     * {@link #slots} gives them.
     *
     * @param sizes the layer sizes, inputs first
     */
    protected record WholeStepSlots(int layers, int batch, int[] sizes, Matrix[] w, Matrix[] b, Matrix[] a, Matrix[] d,
                                    OptimizerBuffers optimizer) {
        static WholeStepSlots of(Matrix[] weights, Matrix[] biases, Matrix[] activations, Matrix[] deltas, OptimizerBuffers optimizer) {
            int layers = weights.length;
            int[] sizes = new int[layers + 1];
            sizes[0] = weights[0].rows();
            for (int l = 0; l < layers; l++) {
                sizes[l + 1] = weights[l].cols();
            }
            return new WholeStepSlots(layers, activations[1].rows(), sizes, weights.clone(), biases.clone(),
                    java.util.Arrays.copyOfRange(activations, 1, layers + 1), java.util.Arrays.copyOfRange(deltas, 1, layers + 1), optimizer);
        }

        /**
         * Layers {@code from} to {@code from + WHOLE_STEPS_LAYERS - 1}, those of them the network has, in the
         * kernels' slots; the slots past them hold the first's buffers, which the kernels do not read, and sizes 0.
         * Their input is layer {@code from - 1}'s activations ({@code a[from - 1]}), or the examples for layer 0.
         */
        public WholeStepSlots slots(int from) {
            int layers = Math.min(WHOLE_STEPS_LAYERS, this.layers - from);
            if (from < 0 || layers < 1) {
                throw new IllegalArgumentException("layer " + from + " of " + this.layers);
            }
            int[] sizes = new int[WHOLE_STEPS_LAYERS + 1];
            System.arraycopy(this.sizes, from, sizes, 0, layers + 1);
            Matrix[] w = new Matrix[WHOLE_STEPS_LAYERS], b = new Matrix[WHOLE_STEPS_LAYERS], a = new Matrix[WHOLE_STEPS_LAYERS],
                    d = new Matrix[WHOLE_STEPS_LAYERS];
            for (int l = 0; l < WHOLE_STEPS_LAYERS; l++) {
                int used = from + (l < layers ? l : 0);
                w[l] = this.w[used];
                b[l] = this.b[used];
                a[l] = this.a[used];
                d[l] = this.d[used];
            }
            return new WholeStepSlots(layers, batch, sizes, w, b, a, d, optimizer);
        }

        /** The network's weights, biases left out. */
        public long weights() {
            long weights = 0;
            for (int l = 0; l < layers; l++) {
                weights += (long) sizes[l] * sizes[l + 1];
            }
            return weights;
        }

        /** The layer sizes in use, inputs first. */
        public int[] used() {
            return java.util.Arrays.copyOf(sizes, layers + 1);
        }

        /** Refuses an epoch's rows that are not whole steps of this network. */
        public void check(Matrix x, Matrix labels) {
            if (x.rows() % batch != 0 || x.cols() != sizes[0] || labels.rows() != x.rows() || labels.cols() != 1) {
                throw new IllegalArgumentException("whole steps of " + batch + " examples of " + sizes[0] + " on " + x.rows() + "x" + x.cols()
                        + " and labels " + labels.rows() + "x" + labels.cols());
            }
        }
    }

    /**
     * The network's whole steps: with an optimizer, {@link #optimizerSteps} up to {@link #PRODUCT_STEPS_PARAMETERS}
     * weights; for the book's SGD, the device's, where it has them for the network.
     */
    @Override
    public final Steps steps(Matrix[] weights, Matrix[] biases, Matrix[] activations, Matrix[] deltas, Activation act, Output output,
                             OptimizerBuffers optimizer) {
        WholeStepSlots n = WholeStepSlots.of(weights, biases, activations, deltas, optimizer);
        if (optimizer != null) {
            return n.weights() <= PRODUCT_STEPS_PARAMETERS ? optimizerSteps(n, act, output) : null;
        }
        return steps(n, act, output);
    }

    /** This device's whole steps of the book's SGD for the network in {@code n}, or null where it has none for it (the default). */
    protected Steps steps(WholeStepSlots n, Activation act, Output output) {
        return null;
    }

    /**
     * An optimizer's whole steps: {@link #advance}, the products and deltas as {@link #productsAndDeltas} makes
     * them, then optimize_layer on each layer (its gradients summed and stepped in one launch), where the layer ops
     * take the weights' gradient product, the bias's sum in the step kernel, and an optimize launch each for the
     * weights and the bias.
     */
    private Steps optimizerSteps(WholeStepSlots n, Activation act, Output output) {
        int[] s = n.sizes();
        OptimizerBuffers o = n.optimizer();
        List<Long> tiles = new ArrayList<>();
        for (int l = 0; l < n.layers(); l++) {
            tiles.add(updateTiles(s[l], s[l + 1]));
        }
        List<Launch> layers = tiles.stream().map(GpuBackend::updates).toList();
        String layout = "the layer ops' products, then a launch of each layer's " + o.kind().name().toLowerCase(java.util.Locale.ROOT) + " steps: "
                + updatesLayout(tiles);
        Matrix[] w = n.w(), b = n.b(), a = n.a(), d = n.d();
        return eachStep(n, layout, List.of(), (x, labels, first, rate, decay) -> {
            Matrix in = x.rows(first, n.batch());
            advance(o.hyper());
            productsAndDeltas(n, act, output, in, labels.rows(first, n.batch()));
            for (int l = 0; l < n.layers(); l++) {
                launch(GpuKernel.OPTIMIZE_LAYER, layers.get(l), l == 0 ? in : a[l - 1], d[l], n.batch(), s[l], s[l + 1], w[l], b[l], o.s1w()[l],
                        o.s2w()[l], o.s1b()[l], o.s2b()[l], o.hyper(), GpuKernel.code(o.kind()));
            }
        });
    }

    /**
     * A step's activations and deltas from the weights as they are, by the layer ops' products: the output's by
     * {@link #outputLayerStep} at rate 0 (its bias unchanged), each hidden layer's by {@link #hiddenDelta}.
     */
    protected final void productsAndDeltas(WholeStepSlots n, Activation act, Output output, Matrix in, Matrix labels) {
        int last = n.layers() - 1;
        Matrix[] w = n.w(), b = n.b(), a = n.a(), d = n.d();
        for (int l = 0; l < last; l++) {
            layerForward(l == 0 ? in : a[l - 1], w[l], b[l], act, a[l]);
        }
        outputLayerStep(last == 0 ? in : a[last - 1], w[last], b[last], labels, output, 0f, a[last], d[last]);
        for (int l = last; l > 0; l--) {
            hiddenDelta(d[l], w[l], a[l - 1], act, b[l - 1], d[l - 1]);
        }
    }

    /**
     * A hidden layer's delta from the delta above, {@code g = (dNext * wNext') .* act'(a)}, the weights and its
     * {@code bias} unchanged: the product, then {@link #hiddenStep} at rate 0 (a device may take it in one launch).
     */
    protected void hiddenDelta(Matrix dNext, Matrix wNext, Matrix a, Activation act, Matrix bias, Matrix g) {
        gemm(false, true, 1f, dNext, wNext, 0f, g);
        hiddenStep(g, a, act, 0f, bias);
    }

    /** The work-groups of step_updates and optimize_layer on a layer of {@code ins} inputs and {@code outs} outputs (its bias a row more). */
    protected static long updateTiles(int ins, int outs) {
        return blocks(ins + 1L, UPDATE_TILE) * blocks(outs, UPDATE_TILE);
    }

    /** The blocks of {@code per} that cover {@code n}. */
    protected static long blocks(long n, int per) {
        return (n + per - 1) / per;
    }

    /** A launch of step_updates or optimize_layer on {@code tiles} work-groups. */
    protected static Launch updates(long tiles) {
        return new Launch(tiles, 1, 1, UPDATE_TILE / 2, UPDATE_TILE / 2);
    }

    /** For train --verbose: "120 and 6 work-groups of 16x16 weights, 2x2 an item", a count a launch. */
    protected static String updatesLayout(List<Long> tiles) {
        return String.format(java.util.Locale.ROOT, "%s work-groups of %dx%d weights, 2x2 an item",
                tiles.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(" and ")), UPDATE_TILE, UPDATE_TILE);
    }

    /** One whole step: the epoch's rows and labels, the step's first row, its rate and decay. */
    protected interface Step {
        void run(Matrix x, Matrix labels, int first, float rate, float decay);
    }

    /** Whole steps that run {@code step} on each batch of an epoch's rows in turn. */
    protected static Steps eachStep(WholeStepSlots n, String layout, List<Steps> alternatives, Step step) {
        return new Steps() {
            @Override
            public void run(Matrix x, Matrix labels, float rate, float decay) {
                n.check(x, labels);
                for (int first = 0; first < x.rows(); first += n.batch()) {
                    step.run(x, labels, first, rate, decay);
                }
            }

            @Override
            public List<Steps> alternatives() {
                return alternatives;
            }

            @Override
            public String toString() {
                return layout;
            }
        };
    }

    private final Layout layout;
    private final Fold fold;
    /** {@link #tune}'s choices by {@link #key}: whether to fold a layer step, or to split a product's k. */
    private final java.util.Map<String, Boolean> chosen = new java.util.HashMap<>();
    private boolean recording;

    protected GpuBackend(Layout layout) {
        this.layout = layout;
        this.fold = new Fold(layout.rowGroups());
    }

    /**
     * The text of a kernel file packed in the jar under {@code /kernels/}.
     *
     * @throws IllegalStateException with {@code missing} when the jar lacks it
     */
    protected static String kernelFile(String name, String missing) {
        try (java.io.InputStream in = GpuBackend.class.getResourceAsStream("/kernels/" + name)) {
            if (in == null) {
                throw new IllegalStateException(missing);
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read kernels/" + name + ": " + e.getMessage(), e);
        }
    }

    /** A zero-filled buffer of at least {@code bytes} (4 at least), freed on {@link #close}. */
    protected abstract B allocate(long bytes);

    /** Copies {@code src} (a direct buffer, all of it) to {@code dst} at {@code byteOffset}, after the work already issued. */
    protected abstract void write(B dst, long byteOffset, ByteBuffer src);

    /** Waits for the work issued, then copies from {@code src} at {@code byteOffset} into {@code dst} (a direct buffer, all of it). */
    protected abstract void read(B src, long byteOffset, ByteBuffer dst);

    /** Zeroes the first {@code bytes} of {@code dst}: an ordinary operation, recorded like a launch. */
    protected abstract void zero(B dst, long bytes);

    /**
     * Issues {@code kernel} on {@code launch}. The arguments are already checked against the kernel's
     * declaration and flattened: a {@link GpuMatrix} per MATRIX, the device's buffer handles for the others
     * (two for EXAMPLES), then Integer and Float values.
     */
    protected abstract void enqueue(GpuKernel kernel, Launch launch, Object[] args);

    /** {@link #record}: captures {@code ops} into a program that replays them; no host transfer happens inside. */
    protected abstract Program capture(Runnable ops);

    /** {@link #mark}: a mark after the work issued so far, which it does not wait for. */
    protected abstract Mark marker();

    @Override
    public final Matrix matrix(int rows, int cols) {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("matrix of " + rows + "x" + cols);
        }
        return new GpuMatrix<>(allocate(4L * rows * cols), 0, rows, cols);
    }

    /** This backend's own matrix. */
    @SuppressWarnings("unchecked")
    protected final GpuMatrix<B> gpu(Matrix m) {
        return (GpuMatrix<B>) m;
    }

    /** Bytes per host transfer at most, so the direct buffer staging it stays small. */
    private static final int CHUNK = 16 << 20;

    /** The host side of every transfer, reused: grown to the largest transfer up to CHUNK; null once released. */
    private ByteBuffer staging;

    /**
     * Host memory of {@code bytes} for transfers to stage through, one such buffer at a time: where the device
     * copies faster from memory of its own kind (page-locked), a backend gives that.
     */
    protected ByteBuffer allocateHost(int bytes) {
        return ByteBuffer.allocateDirect(bytes);
    }

    /** Frees what {@link #allocateHost} gave. */
    protected void freeHost(ByteBuffer host) {
    }

    /** {@link #staging}, made or grown to hold {@code bytes}, its position 0 and its limit {@code bytes}. */
    private ByteBuffer staging(int bytes) {
        if (staging == null || staging.capacity() < bytes) {
            releaseStaging();
            staging = allocateHost(Math.max(bytes, 4096)).order(ByteOrder.nativeOrder());
        }
        return staging.clear().limit(bytes);
    }

    /** Frees the staging buffer: on close, before the device's context goes. */
    protected final void releaseStaging() {
        if (staging != null) {
            freeHost(staging);
            staging = null;
        }
    }

    /** Fills {@code host} (cleared) with elements [from, from + count) of a Java array. */
    private interface Stage {
        void put(ByteBuffer host, int from, int count);
    }

    /** Copies {@code count} elements of {@code width} bytes to {@code dst} from element {@code offset} on, a chunk at a time. */
    private void write(B dst, long offset, int count, int width, Stage stage) {
        for (int from = 0; from < count; from += CHUNK / width) {
            int n = Math.min(CHUNK / width, count - from);
            ByteBuffer host = staging(n * width);
            stage.put(host, from, n);
            write(dst, (offset + from) * width, host.position(0));
        }
    }

    private void notRecording(String what) {
        if (recording) {
            throw new IllegalStateException(what + " inside a recorded program");
        }
    }

    @Override
    public final void upload(float[] src, Matrix dst) {
        notRecording("a host transfer");
        Shapes.length(src, dst);
        write(gpu(dst).buffer(), gpu(dst).offset(), dst.size(), 4, (host, from, n) -> host.asFloatBuffer().put(src, from, n));
    }

    @Override
    public final void download(Matrix src, float[] dst) {
        notRecording("a host transfer");
        Shapes.length(dst, src);
        for (int from = 0; from < src.size(); from += CHUNK / 4) {
            int n = Math.min(CHUNK / 4, src.size() - from);
            ByteBuffer host = staging(4 * n);
            read(gpu(src).buffer(), 4L * (gpu(src).offset() + from), host);
            host.position(0).asFloatBuffer().get(dst, from, n);
        }
    }

    @Override
    public final Examples upload(byte[] pixels, byte[] labels, int count, int features) {
        notRecording("a host transfer");
        long n = (long) count * features;
        if (pixels.length < n || labels.length < count || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("dataset arrays smaller than " + count + " examples");
        }
        B p = allocate(n);
        B l = allocate(count);
        write(p, 0, (int) n, 1, (host, from, k) -> host.put(pixels, from, k));
        write(l, 0, count, 1, (host, from, k) -> host.put(labels, from, k));
        return new GpuExamples<>(p, l, count, features, false);
    }

    @Override
    public final Examples upload(float[] features, int[] labels, int count, int width) {
        notRecording("a host transfer");
        if (features.length < (long) count * width || labels.length < count) {
            throw new IllegalArgumentException("dataset arrays smaller than " + count + " examples");
        }
        B f = allocate(4L * count * width);
        B l = allocate(4L * count);
        write(f, 0, count * width, 4, (host, from, k) -> host.asFloatBuffer().put(features, from, k));
        write(l, 0, count, 4, (host, from, k) -> host.asIntBuffer().put(labels, from, k));
        return new GpuExamples<>(f, l, count, width, true);
    }

    @Override
    public final Order order(int length) {
        return new GpuOrder<>(allocate(4L * length), length);
    }

    @Override
    public final void upload(int[] src, Order dst) {
        notRecording("a host transfer");
        if (src.length < dst.length()) {
            throw new IllegalArgumentException("order of " + src.length + " for " + dst.length());
        }
        write(((GpuOrder<B>) dst).buffer(), 0, dst.length(), 4, (host, from, n) -> host.asIntBuffer().put(src, from, n));
    }

    @Override
    public final Accumulator accumulator(int slots) {
        return new GpuAccumulator<>(allocate((long) layout.sumBytes() * (slots + 2 * EVAL_BLOCKS)), slots);
    }

    @Override
    public final void reset(Accumulator acc) {
        zero(((GpuAccumulator<B>) acc).buffer(), (long) layout.sumBytes() * acc.slots());
    }

    @Override
    public final double[] read(Accumulator acc) {
        notRecording("a host transfer");
        ByteBuffer host = staging(layout.sumBytes() * acc.slots());
        read(((GpuAccumulator<B>) acc).buffer(), 0, host);
        double[] out = new double[acc.slots()];
        for (int i = 0; i < out.length; i++) {
            out[i] = layout.sumBytes() == 8 ? host.getDouble(8 * i) : host.getFloat(4 * i);
        }
        return out;
    }

    @Override
    public final Mark mark() {
        notRecording("a mark");
        return marker();
    }

    /**
     * Runs {@code work} as if no program were being recorded, host transfers and all: a device's choice made at
     * an op's first use, which may come while a program is recorded (OpenCL's kernel for a product), on matrices
     * of its own that no program keeps.
     */
    protected final <T> T unrecorded(java.util.function.Supplier<T> work) {
        boolean held = recording;
        recording = false;
        try {
            return work.get();
        } finally {
            recording = held;
        }
    }

    @Override
    public final Program record(Runnable ops) {
        notRecording("record");
        recording = true;
        try {
            return capture(ops);
        } finally {
            recording = false;
        }
    }

    /** Launches {@code kernel} on the grid of its shape over {@code n} elements. */
    private void launch(GpuKernel kernel, long n, Object... args) {
        launch(kernel, layout.launch(kernel.shape(), n), args);
    }

    /** Launches {@code kernel} on {@code launch}, after checking each argument against its declaration. */
    protected final void launch(GpuKernel kernel, Launch launch, Object... args) {
        if (args.length != kernel.args().size()) {
            throw new IllegalArgumentException(kernel + ": " + args.length + " arguments for " + kernel.args().size());
        }
        Object[] flat = new Object[args.length + 1];
        int n = 0;
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            boolean ok = switch (kernel.args().get(i)) {
                case MATRIX, INPUT -> a instanceof GpuMatrix;
                case EXAMPLES -> a instanceof GpuExamples<?> e && !e.floats();
                case FEATURES -> a instanceof GpuExamples<?> e && e.floats();
                case ORDER -> a instanceof GpuOrder;
                case ACCUMULATOR -> a instanceof GpuAccumulator;
                case INT -> a instanceof Integer;
                case FLOAT -> a instanceof Float;
            };
            if (!ok) {
                throw new IllegalArgumentException(kernel + ": argument " + i + " is " + a + ", not a " + kernel.args().get(i));
            }
            if (a instanceof GpuExamples<?> e) {
                flat[n++] = e.pixels();
                flat[n++] = e.labels();
            } else if (a instanceof GpuOrder<?> o) {
                flat[n++] = o.buffer();
            } else if (a instanceof GpuAccumulator<?> s) {
                flat[n++] = s.buffer();
            } else {
                flat[n++] = a;
            }
        }
        enqueue(kernel, launch, java.util.Arrays.copyOf(flat, n));
    }

    @Override
    public final void gather(Examples data, Order order, int offset, Matrix x, Matrix labels) {
        Shapes.gather(data, order, offset, x, labels);
        GpuKernel kernel = ((GpuExamples<?>) data).floats() ? GpuKernel.GATHER_FEATURES : GpuKernel.GATHER;
        launch(kernel, ((long) x.size() + GATHER_RUN - 1) / GATHER_RUN, data, order, offset, x.rows(), x.cols(), x, labels);
    }

    @Override
    public final void biasActivation(Matrix z, Matrix bias, Activation act) {
        Shapes.bias(z, bias);
        launch(GpuKernel.BIAS_ACTIVATION, z.size(), z, bias, z.rows(), z.cols(), GpuKernel.code(act));
    }

    @Override
    public final void outputStep(Matrix z, Matrix bias, Matrix labels, Output output, float eta, Matrix delta) {
        outputStep(z, z, 0, z, bias, labels, output, eta, delta, 0);
    }

    private static String key(Choice.Part part, int rows, int k, int cols) {
        return part + " " + rows + "x" + k + "x" + cols;
    }

    /**
     * Times both variants of each candidate fold on this device, and before them (the folds' other variants run
     * the products) each product of the step whose k the device offers to split (see {@link Backend#tune}). Each
     * variant is first run on random inputs and must compute what the other does ({@link #choose}); where
     * {@code made} (a checkpoint's) chose the fused variant, that check alone decides ({@link #recheck}).
     */
    @Override
    public final java.util.List<Choice> tune(int rows, int[] sizes, Output output, java.util.List<Choice> made) {
        java.util.List<Choice> choices = new java.util.ArrayList<>();
        int last = sizes.length - 1;
        // each tried in the op that runs it: a hidden layer's forward, the output step, the hidden step, unfolded
        for (int l = 0; l < last; l++) {
            int in = sizes[l], out = sizes[l + 1];
            boolean hidden = l + 1 < last;
            if (splitSlices(false, rows, out, in) > 1) {
                decide(choices, made, Choice.Part.FORWARD, rows, in, out, () -> {
                    Matrix x = matrix(rows, in), w = matrix(in, out), b = matrix(1, out), z = matrix(rows, out);
                    if (hidden) {
                        return split(Choice.Part.FORWARD, rows, in, out, () -> layerForward(x, w, b, Activation.SIGMOID, z), () -> randomForward(x, w, b), z);
                    }
                    Matrix y = matrix(rows, 1), d = matrix(rows, out);
                    return split(Choice.Part.FORWARD, rows, in, out, () -> productThenOutputStep(x, w, b, y, output, 0f, z, d),
                            () -> randomOutputStep(x, w, b, y), d);
                });
            }
        }
        for (int l = last - 1; l > 0; l--) {
            int in = sizes[l], out = sizes[l + 1];
            if (splitSlices(true, rows, in, out) > 1) {
                decide(choices, made, Choice.Part.BACKWARD, rows, out, in, () -> {
                    Matrix dn = matrix(rows, out), wn = matrix(in, out), a = matrix(rows, in), b = matrix(1, in), g = matrix(rows, in);
                    return split(Choice.Part.BACKWARD, rows, out, in, () -> productThenHiddenStep(dn, wn, 1f, a, Activation.SIGMOID, 0f, b, g),
                            () -> randomHiddenStep(dn, wn, a, b), g);
                });
            }
        }
        int k = sizes[last - 1], cols = sizes[last];
        if (output == Output.SIGMOID && fold.outputCandidate(rows, k)) {
            decide(choices, made, Choice.Part.OUTPUT, rows, k, cols, () -> {
                Matrix x = matrix(rows, k), w = matrix(k, cols), b = matrix(1, cols), y = matrix(rows, 1), z = matrix(rows, cols), d = matrix(rows, cols);
                return new Variants(() -> outputStep(x, w, k, z, b, y, output, 0f, d, 0), () -> unfoldedOutputStep(x, w, b, y, output, z, d),
                        () -> randomOutputStep(x, w, b, y), d);
            });
        }
        for (int l = last - 1; l > 0; l--) {
            int kk = sizes[l + 1], cc = sizes[l];
            if (fold.hiddenCandidate(rows, kk)) {
                decide(choices, made, Choice.Part.HIDDEN, rows, kk, cc, () -> {
                    Matrix dn = matrix(rows, kk), wn = matrix(cc, kk), a = matrix(rows, cc), b = matrix(1, cc), g = matrix(rows, cc);
                    return new Variants(() -> hiddenStep(dn, wn, kk, 1f, a, Activation.SIGMOID, 0f, b, g, 0), () -> unfoldedHiddenStep(dn, wn, a, b, g),
                            () -> randomHiddenStep(dn, wn, a, b), g);
                });
            }
        }
        return use(choices);
    }

    /**
     * A part's two variants on matrices of their own (eta 0: nothing moves): the fused and the plain, what fills
     * their inputs with random values, and what they write.
     */
    private record Variants(Runnable fused, Runnable plain, Runnable fill, Matrix output) {
    }

    /** The {@link Variants} of a layer op whose product of {@code part} runs with its k split or whole, as the choice for its shape says. */
    private Variants split(Choice.Part part, int rows, int k, int cols, Runnable op, Runnable fill, Matrix output) {
        String key = key(part, rows, k, cols);
        return new Variants(() -> {
            chosen.put(key, true);
            op.run();
        }, () -> {
            chosen.put(key, false);
            op.run();
        }, fill, output);
    }

    /**
     * Adds the choice of a part of the step, once a shape: timed ({@link #choose}) where {@code made} is null; else
     * {@code made}'s choice for the shape, its fused variant checked again ({@link #recheck}), or none where
     * {@code made} has none (the run that made it did not try that part: it runs as untuned).
     */
    private void decide(java.util.List<Choice> choices, java.util.List<Choice> made, Choice.Part part, int rows, int k, int cols,
            java.util.function.Supplier<Variants> variants) {
        String key = key(part, rows, k, cols);
        java.util.function.Predicate<Choice> same = c -> key(c.part(), c.rows(), c.k(), c.cols()).equals(key);
        if (choices.stream().anyMatch(same)) {
            return;
        }
        Choice earlier = made == null ? null : made.stream().filter(same).findFirst().orElse(null);
        if (made != null && earlier == null) {
            return;
        }
        Choice choice = earlier == null ? choose(part, rows, k, cols, variants.get())
                : earlier.folded() ? recheck(part, rows, k, cols, variants.get()) : earlier;
        // a part chosen before the next is tried: the next's plain variant runs this part as it will run
        chosen.put(key, choice.folded());
        choices.add(choice);
    }

    /**
     * Random inputs for a layer op's variants to agree on: a layer's input {@code x} in [0, 1) and its weights and
     * biases at the scale that keeps its sums near 1, where a sigmoid still tells one sum from another.
     */
    private void randomForward(Matrix x, Matrix w, Matrix bias) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(x.rows() * 31L + w.rows());
        uniform(x, random, 0, 1);
        double scale = Math.sqrt(3.0 / w.rows());
        uniform(w, random, -scale, scale);
        uniform(bias, random, -1, 1);
    }

    /** {@link #randomForward}'s inputs of an output layer, and a label of one of its classes for each row. */
    private void randomOutputStep(Matrix x, Matrix w, Matrix bias, Matrix labels) {
        randomForward(x, w, bias);
        java.util.SplittableRandom random = new java.util.SplittableRandom(labels.rows());
        float[] y = new float[labels.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = random.nextInt(w.cols());
        }
        upload(y, labels);
    }

    /** A hidden layer's step's inputs: the next layer's deltas in [-1, 1), its weights as {@link #randomForward}'s, activations in [0, 1). */
    private void randomHiddenStep(Matrix dNext, Matrix wNext, Matrix a, Matrix bias) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(dNext.rows() * 31L + dNext.cols());
        uniform(dNext, random, -1, 1);
        double scale = Math.sqrt(3.0 / wNext.cols());
        uniform(wNext, random, -scale, scale);
        uniform(a, random, 0, 1);
        uniform(bias, random, -1, 1);
    }

    /** Fills {@code m} with values drawn uniformly from [from, to): inputs for variants of an op to agree on. */
    protected final void uniform(Matrix m, java.util.SplittableRandom random, double from, double to) {
        float[] v = new float[m.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextDouble(from, to);
        }
        upload(v, m);
    }

    /**
     * Makes the layer steps follow {@code choices} as they are, unchecked (what {@link #tune} ends with; for a
     * benchmark or a test to have a part run one way), but for a fused way that faulted this device in an earlier run
     * ({@link DeviceFaults}), which runs unfused; returns the choices as they run.
     */
    public final java.util.List<Choice> use(java.util.List<Choice> choices) {
        java.util.List<Choice> runs = new java.util.ArrayList<>();
        for (Choice c : choices) {
            if (c.part() != Choice.Part.WHOLE) {
                if (c.folded() && remembered().containsKey(fusedKind(c.part()))) {
                    c = new Choice(c.part(), c.rows(), c.k(), c.cols(), false, c.foldedSeconds(), c.unfoldedSeconds(), c.off());
                }
                chosen.put(key(c.part(), c.rows(), c.k(), c.cols()), c.folded());
            }
            runs.add(c);
        }
        return runs;
    }

    /**
     * The slices this device may split the k of a product {@code A (m x k) * op(B)} of a layer step into (a
     * layer's forward product, or with {@code transB} the error's going back), where its outputs are too few to
     * keep the device busy and k is long: {@link #tune} times the split against the whole k and {@link #splits}
     * then says which runs. Splitting adds the slices' partial sums, so each output is summed in another order.
     * 1 (the default): no split to offer.
     */
    protected int splitSlices(boolean transB, int m, int n, int k) {
        return 1;
    }

    /** Whether {@link #tune} (or a checkpoint's choice) splits this product's k into {@link #splitSlices}. */
    protected final boolean splits(boolean transA, boolean transB, int m, int n, int k) {
        return !transA && chosen.getOrDefault(key(transB ? Choice.Part.BACKWARD : Choice.Part.FORWARD, m, k, n), false);
    }

    /**
     * Times the unfolded and the folded variant of a step (or a product's whole k and its split) by turns, each
     * recorded as a program of {@link #TIMED_RUNS} runs (fewer where a run takes long: {@link Timings#repeats}), as
     * training replays its steps (a CUDA graph on CUDA): issued one by one, the host's cost of each launch would
     * count and favour the variant of fewer launches. Eta 0: nothing moves. The faster is the choice. Before the
     * timing, each variant runs once, recorded, after {@code fill} (random inputs): the folded one must leave in
     * {@code output} what the unfolded does ({@link Timings#check}), or it is out, however fast (a kernel this device
     * computes wrongly); the choice says how far off it was. It is out too where it faulted this device in an earlier
     * run, and one that faults it now stops the run ({@link DeviceFaults}).
     */
    private Choice choose(Choice.Part part, int rows, int k, int cols, Variants v) {
        java.util.List<Runnable> variants = java.util.List.of(v.plain(), v.fused());
        java.util.List<Runnable> once = programs(variants, 1);
        Timings.Checked checked = check(v.fill(), once, java.util.Arrays.asList(null, fusedKind(part)), v.output());
        int runs = Timings.repeats(TIMED_RUNS, checked.seconds());
        double[] t = Timings.byTurns(this, checked.usable(runs == 1 ? once : programs(variants, runs)), 3, 1);
        return new Choice(part, rows, k, cols, t[1] < t[0], t[1] / runs, t[0] / runs, checked.off()[1]);
    }

    /** Each of {@code variants} recorded as a program of {@code runs} runs of it. */
    private java.util.List<Runnable> programs(java.util.List<Runnable> variants, int runs) {
        java.util.List<Runnable> programs = new java.util.ArrayList<>();
        for (Runnable variant : variants) {
            programs.add(record(() -> {
                for (int r = 0; r < runs; r++) {
                    variant.run();
                }
            })::run);
        }
        return programs;
    }

    /**
     * A checkpoint's choice of the fused variant, checked as {@link #choose} checks it, untimed: it runs where it
     * still computes what the plain variant does; not where it now computes other values, fails to launch or
     * faulted this device in an earlier run (unusable: an infinite time), and a fault now stops the run.
     */
    private Choice recheck(Choice.Part part, int rows, int k, int cols, Variants v) {
        Timings.Checked checked = check(v.fill(), java.util.List.of(v.plain(), v.fused()), java.util.Arrays.asList(null, fusedKind(part)), v.output());
        double off = checked.off()[1];
        boolean usable = checked.leftOut()[1] == null && !Double.isNaN(off);
        return new Choice(part, rows, k, cols, usable && !Timings.disagrees(off), usable ? Double.NaN : Double.POSITIVE_INFINITY, Double.NaN, off);
    }

    /** What the fused way of {@code part} is ({@link DeviceFaults#kind}: the same kernel on every shape). */
    private static String fusedKind(Choice.Part part) {
        return switch (part) {
            case OUTPUT -> "the output step with its product folded in";
            case HIDDEN -> "the hidden step with its product folded in";
            case FORWARD -> "a forward product with its k split";
            case BACKWARD -> "a backward product with its k split";
            case WHOLE -> throw new IllegalArgumentException("whole steps are the model's to check");
        };
    }

    /** The faults this device's earlier runs remember ({@link DeviceFaults}), read at the first check of a run's choices. */
    private java.util.Map<String, String> remembered;
    private DeviceFaults faults;

    /** Where the faults of this device's runs are remembered: this user's cache. */
    protected DeviceFaults faults() {
        return DeviceFaults.ofUser();
    }

    /**
     * {@link Timings#check} of {@code candidates} of {@code kinds} on this device, with the faults its earlier runs
     * remember, read once.
     */
    protected final Timings.Checked check(Runnable fill, java.util.List<? extends Runnable> candidates, java.util.List<String> kinds,
            Matrix... outputs) {
        java.util.Map<String, String> known = remembered();
        return Timings.check(this, faults, known, fill, candidates, kinds, outputs);
    }

    private java.util.Map<String, String> remembered() {
        if (remembered == null) {
            faults = faults();
            remembered = faults.remembered(device());
        }
        return remembered;
    }

    /** Runs of a step in the program each of its variants is timed as: one is too short to time alone. */
    private static final int TIMED_RUNS = 5;

    /** Whether to fold a step: the choice for the shape ({@link #tune}, {@link #use}), else the prior of {@link Fold}. */
    private boolean folds(Choice.Part part, int rows, int k, int cols, boolean prior) {
        return chosen.getOrDefault(key(part, rows, k, cols), prior);
    }

    private void unfoldedOutputStep(Matrix x, Matrix w, Matrix bias, Matrix labels, Output output, Matrix z, Matrix delta) {
        productThenOutputStep(x, w, bias, labels, output, 0f, z, delta);
    }

    /**
     * The output step unfolded: z = x * w, then output_step; where the device leaves the product's slices of k
     * unadded ({@link #unreducedProduct}; not for the softmax, which needs whole rows of z first), output_step adds them.
     */
    private void productThenOutputStep(Matrix x, Matrix w, Matrix bias, Matrix labels, Output output, float eta, Matrix z, Matrix delta) {
        Matrix partial = output == Output.SIGMOID ? unreducedProduct(false, x, w, z) : null;
        if (partial == null) {
            Backend.super.outputLayerStep(x, w, bias, labels, output, eta, z, delta);
            return;
        }
        outputStep(partial, partial, 0, z, bias, labels, output, eta, delta, partial.rows() / z.rows());
    }

    /**
     * Where this device computes {@code c = a * op(b)} (alpha 1, beta 0; {@code op} transposes with {@code transB}) in
     * slices of k whose partial products a pass of their own would add: issues the slices' products and returns them
     * (slices x c.rows() rows of c.cols(), valid until the next product), for a step kernel to add in that pass's
     * order, so the result is the same bits a launch fewer. Null (the default): the device has issued nothing, and c
     * is computed by {@link #gemm}.
     */
    protected Matrix unreducedProduct(boolean transB, Matrix a, Matrix b, Matrix c) {
        return null;
    }

    /**
     * Issues {@code op}, which may run beside the ops issued after it up to the first that writes a matrix it reads or
     * touches one it writes (CUDA: on a second stream, a branch of a recorded graph; each op's matrices, and a
     * kernel's INPUT declarations, tell what it reads and writes): a weight step off the backward pass's path. Here,
     * in order with them.
     */
    protected void aside(Runnable op) {
        op.run();
    }

    private void unfoldedHiddenStep(Matrix dNext, Matrix wNext, Matrix a, Matrix bias, Matrix g) {
        productThenHiddenStep(dNext, wNext, 1f, a, Activation.SIGMOID, 0f, bias, g);
    }

    /**
     * The hidden step unfolded: g = dNext * wNext', then wNext's step and hidden_step, which neither reads what the
     * other writes: wNext's step {@link #aside}, so that it need not wait for hidden_step and what follows (the layers
     * below's steps) nor they for it. Where
     * the device leaves the product's slices of k unadded ({@link #unreducedProduct}), hidden_step adds them, before
     * wNext's step (which may use the device's room for slices itself).
     */
    private void productThenHiddenStep(Matrix dNext, Matrix wNext, float decay, Matrix a, Activation act, float eta, Matrix bias, Matrix g) {
        Matrix partial = unreducedProduct(true, dNext, wNext, g);
        if (partial == null) {
            gemm(false, true, 1f, dNext, wNext, 0f, g);
            aside(() -> gemm(true, false, -eta, a, dNext, decay, wNext));
            hiddenStep(g, a, act, eta, bias);
            return;
        }
        hiddenStep(partial, partial, 0, 1f, a, act, eta, bias, g, partial.rows() / g.rows());
        gemm(true, false, -eta, a, dNext, decay, wNext);
    }

    /** Folds the GEMM into the step where {@link #tune} (or the prior) says so; the softmax needs whole rows first, so it never folds. */
    @Override
    public final void outputLayerStep(Matrix x, Matrix w, Matrix bias, Matrix labels, Output output, float eta, Matrix z, Matrix delta) {
        int k = Shapes.gemm(false, false, x, w, z)[2];
        if (output == Output.SIGMOID && folds(Choice.Part.OUTPUT, z.rows(), k, z.cols(), fold.output(x, w, z) > 0)) {
            outputStep(x, w, k, z, bias, labels, output, eta, delta, 0);
        } else {
            productThenOutputStep(x, w, bias, labels, output, eta, z, delta);
        }
    }

    /**
     * output_step (after softmax_rows for the softmax); with k > 0 it computes z = x * w first, with {@code slices} > 0
     * it adds z from x's partial products.
     */
    private void outputStep(Matrix x, Matrix w, int k, Matrix z, Matrix bias, Matrix labels, Output output, float eta, Matrix delta, int slices) {
        Shapes.outputStep(z, bias, labels, delta);
        if (output == Output.SOFTMAX) {
            launch(GpuKernel.SOFTMAX_ROWS, z.rows(), z, bias, z.rows(), z.cols());
        }
        launch(GpuKernel.OUTPUT_STEP, z.cols(), x, w, k, z, bias, labels, eta, delta, z.rows(), z.cols(), GpuKernel.code(output), slices);
    }

    @Override
    public final void hiddenStep(Matrix g, Matrix a, Activation act, float eta, Matrix bias) {
        hiddenStep(g, g, 0, 1f, a, act, eta, bias, g, 0);
    }

    @Override
    public final void hiddenLayerStep(Matrix dNext, Matrix wNext, float decay, Matrix a, Activation act, float eta, Matrix bias, Matrix g) {
        int k = Shapes.gemm(false, true, dNext, wNext, g)[2];
        if (folds(Choice.Part.HIDDEN, g.rows(), k, g.cols(), fold.hidden(dNext, wNext, a, g) > 0)) {
            hiddenStep(dNext, wNext, k, decay, a, act, eta, bias, g, 0);
        } else {
            productThenHiddenStep(dNext, wNext, decay, a, act, eta, bias, g);
        }
    }

    /**
     * hidden_step; with k > 0 it computes g = dNext * wNext' first and steps wNext, with {@code slices} > 0 it adds g
     * from dNext's partial products.
     */
    private void hiddenStep(Matrix dNext, Matrix wNext, int k, float decay, Matrix a, Activation act, float eta, Matrix bias, Matrix g, int slices) {
        Shapes.hiddenStep(g, a, bias);
        launch(GpuKernel.HIDDEN_STEP, g.cols(), dNext, wNext, k, decay, g, a, eta, bias, g.rows(), g.cols(), GpuKernel.code(act), slices);
    }

    @Override
    public final void optimize(Matrix param, Matrix grad, Matrix s1, Matrix s2, Matrix hyper, Optimizer kind, boolean decay) {
        Shapes.optimize(param, grad, s1, s2, hyper, kind);
        launch(GpuKernel.OPTIMIZE, param.size(), param, grad, s1, s2, param.size(), hyper, GpuKernel.code(kind), decay ? 1 : 0);
    }

    @Override
    public final void advance(Matrix hyper) {
        Shapes.hyper(hyper);
        launch(GpuKernel.ADVANCE, 1, hyper);
    }

    @Override
    public final void rowArgmax(Matrix z, Matrix out) {
        Shapes.column(z, out);
        launch(GpuKernel.ROW_ARGMAX, z.rows(), z, out, z.rows(), z.cols());
    }

    @Override
    public final void cost(Matrix z, Matrix labels, Output output, Accumulator acc, int slot) {
        Shapes.column(z, labels);
        Shapes.slot(acc, slot);
        launch(GpuKernel.COST, 1, z, labels, z.rows(), z.cols(), GpuKernel.code(output), acc, slot);
    }

    @Override
    public final void countCorrect(Matrix z, Matrix labels, Accumulator acc, int slot) {
        Shapes.column(z, labels);
        Shapes.slot(acc, slot);
        launch(GpuKernel.COUNT_CORRECT, 1, z, labels, z.rows(), z.cols(), acc, slot);
    }

    @Override
    public final int evaluationRows(long floats) {
        return (int) Math.min(Integer.MAX_VALUE, EVAL_FLOATS / Math.max(1, floats));
    }

    /**
     * Where the network has at most {@link #EVAL_OUTPUTS} outputs and each row's output products are at most
     * {@link Fold#LIMIT} multiply-adds: the layer ops up to the last hidden layer's product (the first layer's,
     * for the book's net), then evaluate_rows for everything after it (a thread a row) and add_partials for its
     * blocks' sums: three launches a chunk for the book's net, where the layer ops take six on CUDA and four on
     * OpenCL (its GEMM adds the bias), the last two of those a single block each. Other networks take the layer
     * ops.
     */
    @Override
    public final void evaluate(Matrix x, Matrix[] w, Matrix[] b, Activation act, Output output, Matrix labels, Matrix[] z, Accumulator acc,
                               int costSlot, int correctSlot) {
        int last = w.length - 1, outputs = w[last].cols();
        if (outputs > EVAL_OUTPUTS || last > 0 && (long) w[last].size() > Fold.LIMIT) {
            Backend.super.evaluate(x, w, b, act, output, labels, z, acc, costSlot, correctSlot);
            return;
        }
        Shapes.column(x, labels);
        if (costSlot >= 0) {
            Shapes.slot(acc, costSlot);
        }
        Shapes.slot(acc, correctSlot);
        // evaluate_rows finishes layer `from` from its product: the output layer's (one layer), else the last hidden one's
        int from = Math.max(0, last - 1);
        Matrix in = x;
        for (int l = 0; l < from; l++) {
            layerForward(in, w[l], b[l], act, z[l]);
            in = z[l];
        }
        Shapes.bias(z[from], b[from]);
        if (last > from) {
            Shapes.gemm(false, false, z[from], w[last], z[last]);
            Shapes.bias(z[last], b[last]);
        }
        gemm(false, false, 1f, in, w[from], 0f, z[from]);
        int rows = x.rows(), at = acc.slots();
        Launch grid = layout.launch(GpuKernel.Shape.ELEMENTWISE, Math.min(rows, (long) EVAL_BLOCKS * layout.threads()));
        launch(GpuKernel.EVALUATE_ROWS, grid, z[from], labels, b[from], w[last], b[last], rows, last == 0 ? 1 : 2, w[from].cols(), outputs,
                GpuKernel.code(act), GpuKernel.code(output), costSlot, acc, at);
        launch(GpuKernel.ADD_PARTIALS, 1, acc, at, (int) grid.blocksX(), costSlot, correctSlot);
    }

    @Override
    public final void sumOfSquares(Matrix m, Accumulator acc, int slot) {
        Shapes.slot(acc, slot);
        launch(GpuKernel.SUM_SQUARES, 1, m, m.size(), acc, slot);
    }
}
