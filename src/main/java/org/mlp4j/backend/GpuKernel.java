package org.mlp4j.backend;

import static org.mlp4j.backend.GpuKernel.Arg.ACCUMULATOR;
import static org.mlp4j.backend.GpuKernel.Arg.EXAMPLES;
import static org.mlp4j.backend.GpuKernel.Arg.FEATURES;
import static org.mlp4j.backend.GpuKernel.Arg.FLOAT;
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
    GATHER("gather", Shape.GATHER, EXAMPLES, ORDER, INT, INT, INT, MATRIX, MATRIX),
    GATHER_FEATURES("gather", Shape.GATHER, FEATURES, ORDER, INT, INT, INT, MATRIX, MATRIX),
    ADD_BIAS("add_bias", Shape.ELEMENTWISE, MATRIX, MATRIX, INT, INT),
    BIAS_SIGMOID("bias_sigmoid", Shape.ELEMENTWISE, MATRIX, MATRIX, INT, INT),
    ROW_ARGMAX("argmax", Shape.ELEMENTWISE, MATRIX, MATRIX, INT, INT),
    OUTPUT_STEP("output_step", Shape.COLUMNS, MATRIX, MATRIX, INT, MATRIX, MATRIX, MATRIX, FLOAT, MATRIX, INT, INT),
    HIDDEN_STEP("hidden_step", Shape.COLUMNS, MATRIX, MATRIX, INT, FLOAT, MATRIX, MATRIX, FLOAT, MATRIX, INT, INT),
    LOGISTIC_COST("logistic_cost", Shape.REDUCTION, MATRIX, MATRIX, INT, INT, ACCUMULATOR, INT),
    COUNT_CORRECT("argmax", Shape.REDUCTION, MATRIX, MATRIX, INT, INT, ACCUMULATOR, INT),
    SUM_SQUARES("sum_squares", Shape.REDUCTION, MATRIX, INT, ACCUMULATOR, INT),
    /** OpenCL's GEMM (CUDA's are cuBLAS): op flags, m, n, k, k per slice, alpha, A, lda, B, ldb, beta, C, ldc, bias, epilogue. */
    GEMM("gemm", Shape.CUSTOM, INT, INT, INT, INT, INT, INT, FLOAT, MATRIX, INT, MATRIX, INT, FLOAT, MATRIX, INT, MATRIX, INT),
    /** Adds GEMM's split-K slices: partial, slices, m, n, alpha, beta, C, ldc, bias, epilogue. */
    GEMM_REDUCE("gemm", Shape.CUSTOM, MATRIX, INT, INT, INT, FLOAT, FLOAT, MATRIX, INT, MATRIX, INT);

    /** What an argument is in Java, and so what the kernel's parameters are on each device. */
    public enum Arg {
        /** A {@link Matrix}: its buffer on CUDA (a {@code float*}); its buffer and element offset on OpenCL. */
        MATRIX,
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
        /** A row's features across x, the rows across y. */
        GATHER,
        /** One block of {@link Fold#COLUMNS} columns by the device's row groups per 32 columns. */
        COLUMNS,
        /** One block that reduces everything in a fixed order (deterministic sums). */
        REDUCTION,
        /** A grid the caller computes. */
        CUSTOM
    }

    private final String file;
    private final Shape shape;
    private final List<Arg> args;

    GpuKernel(String file, Shape shape, Arg... args) {
        this.file = file;
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
        return this != GEMM && this != GEMM_REDUCE;
    }
}
