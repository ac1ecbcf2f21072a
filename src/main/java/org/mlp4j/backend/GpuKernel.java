package org.mlp4j.backend;

import static org.mlp4j.backend.GpuKernel.Arg.ACCUMULATOR;
import static org.mlp4j.backend.GpuKernel.Arg.EXAMPLES;
import static org.mlp4j.backend.GpuKernel.Arg.FEATURES;
import static org.mlp4j.backend.GpuKernel.Arg.FLOAT;
import static org.mlp4j.backend.GpuKernel.Arg.INPUT;
import static org.mlp4j.backend.GpuKernel.Arg.INT;
import static org.mlp4j.backend.GpuKernel.Arg.MATRIX;
import static org.mlp4j.backend.GpuKernel.Arg.ORDER;

import java.util.List;
import java.util.Locale;

/**
 * Every GPU kernel, declared once: its entry point (the constant's name in lower case), the file under
 * {@code kernels/} that holds it ({@code FILE.cu} for CUDA, {@code FILE.cl} for OpenCL), the launch shape
 * and the kinds of its arguments. {@link GpuBackend} launches only these and checks each launch's
 * arguments against them; the tests check each declaration against both sources, the CUDA build and the
 * CUDA stand-in driver (whose kernel list is generated from {@code kernels/*.cu}).
 */
public enum GpuKernel {
    GATHER("gather", Shape.ELEMENTWISE, EXAMPLES, ORDER, INT, INT, INT, MATRIX, MATRIX),
    GATHER_FEATURES("gather", Shape.ELEMENTWISE, FEATURES, ORDER, INT, INT, INT, MATRIX, MATRIX),
    /** z, bias, rows, cols, activation code. */
    BIAS_ACTIVATION("bias_activation", Shape.ELEMENTWISE, MATRIX, INPUT, INT, INT, INT),
    /** z, bias, rows, cols: a thread per row. */
    SOFTMAX_ROWS("softmax", Shape.ELEMENTWISE, MATRIX, INPUT, INT, INT),
    ROW_ARGMAX("argmax", Shape.ELEMENTWISE, INPUT, MATRIX, INT, INT),
    /**
     * x, w, k, z, bias, labels, eta, delta, rows, cols, output code, slices (with slices > 0, x holds a product's
     * partial sums over that many slices of its k, which the step adds into z first).
     */
    OUTPUT_STEP("output_step", Shape.COLUMNS, INPUT, INPUT, INT, MATRIX, MATRIX, INPUT, FLOAT, MATRIX, INT, INT, INT, INT),
    /**
     * dNext, wNext, k, decay, g, a, eta, bias, rows, cols, activation code, slices (with slices > 0, dNext holds the
     * error's product g in partial sums over that many slices of its k, which the step adds first).
     */
    HIDDEN_STEP("hidden_step", Shape.COLUMNS, INPUT, MATRIX, INT, FLOAT, MATRIX, INPUT, FLOAT, MATRIX, INT, INT, INT, INT),
    /** z, labels, rows, cols, output code, accumulator, slot. */
    COST("cost", Shape.REDUCTION, INPUT, INPUT, INT, INT, INT, ACCUMULATOR, INT),
    COUNT_CORRECT("argmax", Shape.REDUCTION, INPUT, INPUT, INT, INT, ACCUMULATOR, INT),
    /**
     * The end of an evaluation from a layer's product, a thread a row: z, labels, b0, w1, b1, rows, the layers it
     * finishes (1: z is the output layer's product; 2: the last hidden layer's, then the output layer), s1, s2,
     * activation code, output code, the cost's slot (negative: none), the accumulator, where its blocks' sums go
     * in it.
     */
    EVALUATE_ROWS("cost", Shape.ELEMENTWISE, INPUT, INPUT, INPUT, INPUT, INPUT, INT, INT, INT, INT, INT, INT, INT, ACCUMULATOR, INT),
    /** Adds evaluate_rows's blocks' sums to two slots: the accumulator, where the sums are, blocks, cost slot, correct slot. */
    ADD_PARTIALS("cost", Shape.REDUCTION, ACCUMULATOR, INT, INT, INT, INT),
    SUM_SQUARES("sum_squares", Shape.REDUCTION, INPUT, INT, ACCUMULATOR, INT),
    /** param, grad, state 1, state 2, n, hyper, optimizer code, 1 to L2-decay the param. */
    OPTIMIZE("optimize", Shape.ELEMENTWISE, MATRIX, MATRIX, MATRIX, MATRIX, INT, INPUT, INT, INT),
    /** hyper: counts a step. */
    ADVANCE("optimize", Shape.ELEMENTWISE, MATRIX),
    /**
     * One layer's weights and bias stepped by an optimizer from their gradients, summed from the rows' inputs and
     * deltas in tiles of UPDATE_TILE x UPDATE_TILE, 2 x 2 a thread. in, d, rows, inputs, outputs, w, b, the state
     * s1w, s2w, s1b, s2b, hyper, the optimizer's code.
     */
    OPTIMIZE_LAYER("optimize", Shape.CUSTOM, INPUT, INPUT, INT, INT, INT, MATRIX, MATRIX, MATRIX, MATRIX, MATRIX, MATRIX, INPUT, INT),
    /**
     * OpenCL's GEMM (CUDA's are cuBLAS): op flags, m, n, k, k per slice, alpha, A, lda, B, ldb, beta, C, ldc, the
     * epilogue's matrix (a bias, or a layer's activations), epilogue.
     */
    GEMM("gemm", On.OPENCL, Shape.CUSTOM, INT, INT, INT, INT, INT, INT, FLOAT, INPUT, INT, INPUT, INT, FLOAT, MATRIX, INT, INPUT, INT),
    /** GEMM with register tiles of sizes timed per GPU, for large products; the same arguments and bits. */
    GEMM_TILED("gemm", On.OPENCL, Shape.CUSTOM, INT, INT, INT, INT, INT, INT, FLOAT, INPUT, INT, INPUT, INT, FLOAT, MATRIX, INT, INPUT, INT),
    /** Adds GEMM's split-K slices: partial, slices, m, n, alpha, beta, C, ldc, the epilogue's matrix, epilogue. */
    GEMM_REDUCE("gemm", On.OPENCL, Shape.CUSTOM, INPUT, INT, INT, INT, FLOAT, FLOAT, MATRIX, INT, INPUT, INT),
    /**
     * CUDA only, a cooperative launch: whole SGD steps of a network of up to three layers. x, labels, w0, b0,
     * w1, b1, w2, b2, activations a1..a3, deltas d1..d3, the first layer's partial sums, steps, batch, layers,
     * sizes s0..s3, the weight tiles' rows and columns, rows staged at a time, step, decay, activation code,
     * output code.
     */
    TRAIN_STEPS("train_steps", On.CUDA, Shape.COOPERATIVE, INPUT, INPUT, MATRIX, MATRIX, MATRIX, MATRIX, MATRIX, MATRIX, MATRIX, MATRIX, MATRIX,
            MATRIX, MATRIX, MATRIX, MATRIX, INT, INT, INT, INT, INT, INT, INT, INT, INT, INT, FLOAT, FLOAT, INT, INT),
    /**
     * CUDA only, on GPUs of compute capability 9.0 on (its PTX is compute_90's alone): whole SGD steps of a network of
     * one hidden layer under sigmoid outputs, on one thread block cluster. x, labels, w0, b0, w1, b1, the last step's
     * a1, a2, d1, d2, steps, batch, sizes s0..s2, step, decay, activation code. A cluster of 16 blocks, a size that
     * is not portable.
     */
    CLUSTER_STEPS("cluster_steps", On.CUDA, Shape.CLUSTER, INPUT, INPUT, MATRIX, MATRIX, MATRIX, MATRIX, MATRIX, MATRIX, MATRIX, MATRIX, INT,
            INT, INT, INT, INT, FLOAT, FLOAT, INT),
    /** CLUSTER_STEPS on a cluster of 8 blocks, the most that CUDA calls portable; the same arguments. */
    PORTABLE_CLUSTER_STEPS("cluster_steps", On.CUDA, Shape.CLUSTER, INPUT, INPUT, MATRIX, MATRIX, MATRIX, MATRIX, MATRIX, MATRIX, MATRIX, MATRIX,
            INT, INT, INT, INT, INT, FLOAT, FLOAT, INT),
    /**
     * CUDA only, on GPUs of compute capability 9.0 on (its PTX is compute_90's alone): a block of whole SGD steps of a
     * network of one hidden layer under sigmoid outputs on one thread block cluster, the first layer's updates
     * deferred to the block's end, its products before and after the block cuBLAS's. x w0 of the block's rows, their
     * Grams x x', labels, b0, w1, b1, the first layer's deltas scaled for w0's step, the last step's a1, a2, d1, d2,
     * steps, batch, sizes s1, s2, step, decay, activation code. A cluster of 16 blocks, a size that is not portable.
     */
    DEFERRED_STEPS("deferred_steps", On.CUDA, Shape.CLUSTER, INPUT, INPUT, INPUT, MATRIX, MATRIX, MATRIX, MATRIX, MATRIX, MATRIX, MATRIX,
            MATRIX, INT, INT, INT, INT, FLOAT, FLOAT, INT),
    /** DEFERRED_STEPS on a cluster of 8 blocks, the most that CUDA calls portable; the same arguments. */
    PORTABLE_DEFERRED_STEPS("deferred_steps", On.CUDA, Shape.CLUSTER, INPUT, INPUT, INPUT, MATRIX, MATRIX, MATRIX, MATRIX, MATRIX, MATRIX,
            MATRIX, MATRIX, INT, INT, INT, INT, FLOAT, FLOAT, INT),
    /**
     * OpenCL only, a whole step in launches (OpenCL has no grid-wide barrier): its rows, a work-group per example of
     * the minibatch, then STEP_UPDATES, or after STEP_TILES. x, labels, w0, b0, w1, b1, w2, b2, activations a1..a3,
     * deltas d1..d3, the first layer's product x * w0 where it came before, in slices of k, and their count (0: none
     * came; step_rows makes it), the step's first row of x, layers, sizes s0..s3, activation code, output code.
     */
    STEP_ROWS("whole_steps", On.OPENCL, Shape.CUSTOM, INPUT, INPUT, INPUT, INPUT, INPUT, INPUT, INPUT, INPUT, MATRIX, MATRIX, MATRIX,
            MATRIX, MATRIX, MATRIX, INPUT, INT, INT, INT, INT, INT, INT, INT, INT, INT),
    /**
     * After STEP_ROWS: every weight's and bias's step from the rows' activations and deltas. x, w0, b0, w1, b1, w2,
     * b2, a1..a3, d1..d3, the step's first row of x, rows, layers, sizes s0..s3, step, decay.
     */
    STEP_UPDATES("whole_steps", On.OPENCL, Shape.CUSTOM, INPUT, MATRIX, MATRIX, MATRIX, MATRIX, MATRIX, MATRIX, INPUT, INPUT, INPUT, INPUT,
            INPUT, INPUT, INT, INT, INT, INT, INT, INT, INT, FLOAT, FLOAT),
    /**
     * Or before STEP_ROWS, two launches a step: the previous step's updates (where the step's first
     * row is past 0), then the first layer's product by tiles of w0, in slices of k for step_rows. x, w0, b0, w1,
     * b1, w2, b2, a1..a3, d1..d3, the product's slices, the step's first row of x, rows, layers, sizes s0..s3, step,
     * decay.
     */
    STEP_TILES("whole_steps", On.OPENCL, Shape.CUSTOM, INPUT, MATRIX, MATRIX, MATRIX, MATRIX, MATRIX, MATRIX, INPUT, INPUT, INPUT, INPUT,
            INPUT, INPUT, MATRIX, INT, INT, INT, INT, INT, INT, INT, FLOAT, FLOAT);

    /** Which devices have a kernel. */
    private enum On {
        BOTH, CUDA, OPENCL
    }

    /** What an argument is in Java, and so what the kernel's parameters are on each device. */
    public enum Arg {
        /** A {@link Matrix}: its buffer on CUDA (a {@code float*}); its buffer and element offset on OpenCL. */
        MATRIX,
        /**
         * A {@link Matrix} the kernel only reads, as MATRIX with {@code const float*}: a backend may run the kernel beside
         * other work that reads the matrix too.
         */
        INPUT,
        /** {@link Backend.Examples} of uint8 pixels: the pixels' and the labels' buffers ({@code unsigned char*} each). */
        EXAMPLES,
        /** {@link Backend.Examples} of float features: the features' ({@code float*}) and the labels' ({@code int*}) buffers. */
        FEATURES,
        /** {@link Backend.Order}: an {@code int*}. */
        ORDER,
        /** {@link Backend.Accumulator}: the slots, {@code double*} on CUDA and {@code float*} on OpenCL. */
        ACCUMULATOR,
        INT,
        FLOAT
    }

    /** How a kernel is spread over blocks (work-groups); {@link GpuBackend.Layout} turns it into a grid. */
    public enum Shape {
        /** A 1-D grid over n elements. */
        ELEMENTWISE,
        /** One block of {@link Fold#COLUMNS} columns by the device's row groups per 32 columns. */
        COLUMNS,
        /** One block that reduces everything in a fixed order (deterministic sums). */
        REDUCTION,
        /** A 1-D grid the backend computes, launched cooperatively: no more blocks than the device holds at once. */
        COOPERATIVE,
        /** One thread block cluster, launched plainly: the cluster's size is the kernel's own ({@code __cluster_dims__}). */
        CLUSTER,
        /** A grid the caller computes. */
        CUSTOM
    }

    /**
     * The codes the kernels know the activations and outputs by (their declaration order) and the leaky
     * ReLU's slope, by the names the kernel sources use: OpenCL gets them as build options, CUDA's
     * {@code kernels/layout.cuh} holds them and a test checks that it agrees. Also the optimizers' codes and the
     * slots of {@link Backend.Hyper}.
     */
    public static final java.util.Map<String, String> CODES = codes();

    private static java.util.Map<String, String> codes() {
        java.util.Map<String, String> c = new java.util.TreeMap<>();
        for (org.mlp4j.Activation a : org.mlp4j.Activation.values()) {
            c.put("ACT_" + a.name(), Integer.toString(code(a)));
        }
        for (org.mlp4j.Output o : org.mlp4j.Output.values()) {
            c.put("OUT_" + o.name(), Integer.toString(code(o)));
        }
        for (org.mlp4j.Optimizer o : org.mlp4j.Optimizer.values()) {
            c.put("OPT_" + o.name(), Integer.toString(code(o)));
        }
        for (Backend.Hyper h : Backend.Hyper.values()) {
            c.put("H_" + h.name(), Integer.toString(h.ordinal()));
        }
        c.put("LEAKY_SLOPE", org.mlp4j.Activation.LEAKY_SLOPE + "f");
        return java.util.Collections.unmodifiableMap(c);
    }

    /** The code a kernel knows {@code a} by. */
    public static int code(org.mlp4j.Activation a) {
        return a.ordinal();
    }

    /** The code a kernel knows {@code o} by. */
    public static int code(org.mlp4j.Output o) {
        return o.ordinal();
    }

    /** The code a kernel knows {@code o} by. */
    public static int code(org.mlp4j.Optimizer o) {
        return o.ordinal();
    }

    private final String file;
    private final On on;
    private final Shape shape;
    private final List<Arg> args;

    GpuKernel(String file, Shape shape, Arg... args) {
        this(file, On.BOTH, shape, args);
    }

    GpuKernel(String file, On on, Shape shape, Arg... args) {
        this.file = file;
        this.on = on;
        this.shape = shape;
        this.args = List.of(args);
    }

    /** The kernel's entry point in its source. */
    public String entry() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The source's base name under {@code kernels/}. */
    public String file() {
        return file;
    }

    public Shape shape() {
        return shape;
    }

    public List<Arg> args() {
        return args;
    }

    /** Whether CUDA has this kernel ({@code kernels/FILE.cu}); its GEMMs are cuBLAS's. */
    public boolean onCuda() {
        return on != On.OPENCL;
    }

    /** Whether OpenCL has this kernel ({@code kernels/FILE.cl}). */
    public boolean onOpenCl() {
        return on != On.CUDA;
    }
}
