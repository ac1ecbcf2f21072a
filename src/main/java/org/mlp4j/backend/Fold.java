package org.mlp4j.backend;

/**
 * Whether a layer op's small GEMM is worth folding into the step kernel after it (a work-group or block per
 * 32 columns, its threads walking the rows in {@code rowGroups} strides): while each thread's multiply-adds
 * in sequence stay below {@link #LIMIT}, one launch is cheaper than a GEMM's launch plus the kernel's.
 */
public final class Fold {
    static final int LIMIT = 4096;
    private final int rowGroups;
    private final int threads;

    /** For step kernels of {@code threads} per group, 32 columns by {@code rowGroups}. */
    public Fold(int rowGroups, int threads) {
        this.rowGroups = rowGroups;
        this.threads = threads;
    }

    /** {@link Backend#outputLayerStep}'s {@code z = x * w} ({@code rows x k} by {@code k x cols}): ceil(rows / rowGroups) dots of k. */
    public boolean output(int rows, int k) {
        return (rows + rowGroups - 1L) / rowGroups * k <= LIMIT;
    }

    /**
     * {@link Backend#hiddenLayerStep}'s {@code g = dNext * wNext'} as above, and the weight step: each thread
     * sums over the rows for up to ceil(32 k / threads) weights.
     */
    public boolean hidden(int rows, int k) {
        return output(rows, k) && (32L * k + threads - 1) / threads * rows <= LIMIT;
    }
}
