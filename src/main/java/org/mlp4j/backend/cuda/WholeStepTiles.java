package org.mlp4j.backend.cuda;

/**
 * How {@code train_steps} cuts its work ({@code kernels/train_steps.cu}): every layer's weights in tiles of
 * {@code k} rows by {@code cols} columns, each block taking tiles strided over the grid, with the tile and
 * {@code chunkRows} rows of the minibatch at a time in the block's shared memory, beside 4 floats a thread for the
 * sums of the products' slices. They are chosen for the first layer, whose inputs (784 for MNIST) make it the most
 * work.
 *
 * @param k rows of a layer's weights (inputs) a tile
 * @param cols columns of a layer's weights (units) a tile
 * @param chunkRows minibatch rows staged at a time
 * @param threads threads a block
 */
record WholeStepTiles(int k, int cols, int chunkRows, int threads) {
    /**
     * The dynamic shared memory of a multiprocessor's train_steps blocks at most, in floats: 48 KiB, the most
     * one launch may ask for without opting in; two blocks take half each, so they fit a multiprocessor of 64 KiB.
     */
    static final int SHARED_FLOATS = 12 << 10;
    /** What a float staged from L2 costs in the estimate, in multiply-adds. */
    private static final int LOAD_COST = 4;

    /** The dynamic shared memory a block needs, in bytes: the kernel's train_steps_shared_floats, 4 bytes each. */
    int sharedBytes() {
        return 4 * ((k + 1) * cols + chunkRows * (k + cols) + split(threads));
    }

    /**
     * Tiles down an {@code in}-input layer's weights: for the first layer, the partial sums a unit's input
     * adds up in the row phase.
     */
    int down(int in) {
        return (in + k - 1) / k;
    }

    /** The tiles of an {@code in x out} layer's weights. */
    long tiles(int in, int out) {
        return (long) down(in) * ((out + cols - 1) / cols);
    }

    /** The tiles of every layer of a network of layer sizes {@code sizes} (inputs first): those of the updates. */
    long tiles(int[] sizes) {
        long all = 0;
        for (int l = 0; l + 1 < sizes.length; l++) {
            all += tiles(sizes[l], sizes[l + 1]);
        }
        return all;
    }

    /**
     * The tiles for a network of layer sizes {@code sizes} (inputs first) and minibatches of {@code batch} rows
     * on {@code blocks} blocks of {@code threads} threads and {@code sharedFloats} floats of shared memory at most: those
     * of the least estimated time a step, counted as
     * the multiply-adds and staged floats that one thread of the busiest block does in series, in the first
     * layer's tile phase, the updates (every layer's tiles at once) and the row phase's sums of the partial
     * products. An estimate to choose among tilings, not a timing: the trainer times each way of whole steps (a
     * grid and its tiles) against layer by layer.
     */
    static WholeStepTiles choose(int[] sizes, int batch, long blocks, int threads, int sharedFloats) {
        int s0 = sizes[0], s1 = sizes[1];
        WholeStepTiles best = null;
        long bestCost = Long.MAX_VALUE;
        long rowRounds = ceil(batch, blocks);
        int tileFloats = sharedFloats - split(threads);
        for (int cols = 1; cols <= s1; cols++) {
            for (int k = 1; k <= s0 && (long) (k + 1) * cols + k + cols <= tileFloats; k++) {
                int chunk = Math.min(batch, (tileFloats - (k + 1) * cols) / (k + cols));
                WholeStepTiles t = new WholeStepTiles(k, cols, chunk, threads);
                long rounds = ceil(t.tiles(s0, s1), blocks) + ceil(t.tiles(sizes), blocks);
                long multiplyAdds = rounds * ceil((long) batch * k * cols, threads);
                long staged = rounds * ceil((long) k * cols + (long) batch * (k + cols), threads);
                long sums = rowRounds * t.down(s0) * ceil(s1, threads);
                long cost = multiplyAdds + LOAD_COST * (staged + sums);
                if (cost < bestCost) {
                    bestCost = cost;
                    best = t;
                }
            }
        }
        return best;
    }

    /** The floats of a block's sums of its products' slices: a 2 x 2 of outputs a thread. */
    private static int split(int threads) {
        return 4 * threads;
    }

    private static long ceil(long n, long per) {
        return (n + per - 1) / per;
    }
}
