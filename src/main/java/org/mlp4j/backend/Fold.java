package org.mlp4j.backend;

/**
 * Whether a layer op's small GEMM is worth folding into the step kernel after it (a work-group or block per
 * 32 columns, its threads walking the rows in {@code rowGroups} strides): while each thread's multiply-adds
 * in sequence stay below {@link #LIMIT}, one launch is cheaper than a GEMM's launch plus the kernel's.
 * That is only a prior: the parallelism of the folded kernel (a block per 32 columns) and the device decide,
 * so {@link Backend#tune} times both variants of each candidate shape on the device before training, and
 * the GPU backends' {@link Backend#outputLayerStep} and {@link Backend#hiddenLayerStep} follow its choice.
 */
public final class Fold {
    static final int LIMIT = 4096;
    /** Up to this much sequential work a fold is worth timing against the unfolded ops ({@link Backend#tune}). */
    static final int TRY_LIMIT = 16 * LIMIT;
    /** Columns per work-group or block of the step kernels. */
    public static final int COLUMNS = 32;
    private final int rowGroups;
    private final int threads;

    /** For step kernels of {@link #COLUMNS} x {@code rowGroups} threads per group. */
    public Fold(int rowGroups) {
        this.rowGroups = rowGroups;
        this.threads = COLUMNS * rowGroups;
    }

    /**
     * The k of {@link Backend#outputLayerStep}'s product {@code z = x * w} when it folds, else 0; checks
     * the shapes either way.
     */
    public int output(Matrix x, Matrix w, Matrix z) {
        int k = Shapes.gemm(false, false, x, w, z)[2];
        return output(z.rows(), k) ? k : 0;
    }

    /**
     * The k of {@link Backend#hiddenLayerStep}'s products ({@code g = dNext * wNext'} and the weight step
     * {@code a' * dNext}) when they fold, else 0; checks the shapes either way.
     */
    public int hidden(Matrix dNext, Matrix wNext, Matrix a, Matrix g) {
        int k = Shapes.gemm(false, true, dNext, wNext, g)[2];
        Shapes.gemm(true, false, a, dNext, wNext);
        return hidden(g.rows(), k) ? k : 0;
    }

    /** Whether folding the output step's product is worth timing at all. */
    boolean outputCandidate(int rows, int k) {
        return (rows + rowGroups - 1L) / rowGroups * k <= TRY_LIMIT;
    }

    /** Whether folding the hidden step's products is worth timing at all. */
    boolean hiddenCandidate(int rows, int k) {
        return outputCandidate(rows, k) && ((long) COLUMNS * k + threads - 1) / threads * rows <= TRY_LIMIT;
    }

    /**
     * The output product ({@code rows x k} by {@code k x cols}): a thread computes at most ceil(rows /
     * rowGroups) dots of k (as many as when the group's 32 columns are all there).
     */
    boolean output(int rows, int k) {
        return (rows + rowGroups - 1L) / rowGroups * k <= LIMIT;
    }

    /** The backward products: one dot of k per row a thread walks, and up to ceil(32 k / threads) weights, a sum over the rows each. */
    boolean hidden(int rows, int k) {
        return output(rows, k) && ((long) COLUMNS * k + threads - 1) / threads * rows <= LIMIT;
    }
}
