package org.mlp4j.backend.cpu;

/**
 * {@code C = alpha * op(A) * op(B) + beta * C} on the Java heap, blocked as BLIS does: op(B) is packed into
 * strips of {@link Kernels#tileCols} columns, step of k by step, so the kernel streams it whatever the
 * transposes; op(A) is taken in panels of {@link Kernels#tileRows} rows read where they lie, along rows of A
 * or, for A', down a few neighbouring columns (packing them first only cost a pass over A), but for a last
 * panel short of rows, which is packed with zeros below them. k is cut into blocks small enough that a
 * panel's block of A and one strip of B fit in the L1 cache together, and the columns into blocks whose
 * packed B stays in L2; each tile's sums wait in {@code partial} between blocks of k. A block of panels passes
 * all of B before the next block, but a B of 8 MiB or more is taken in slices of a few strips, all of k,
 * that stay in L2 while every block of panels passes each. Panels of rows are
 * split over the {@link Workers}, a block of them at a time, or strips of B where B is the larger and too large
 * to stay in cache. A GEMM of one or two rows, B's rows contiguous, reads B where it lies instead. Every
 * element's sum is taken over k in order, so neither blocking nor threads nor that change a bit.
 */
final class Gemm {
    /**
     * Up to this many rows a GEMM whose B has contiguous rows reads B where it lies, a pass over B per row: packing
     * B first pays only from a few rows on (bench/RESULTS.md).
     */
    private static final int ROW_BY_ROW = 2;
    /** Below this many multiply-adds a GEMM runs on the calling thread: forking would cost more. */
    private static final long PARALLEL_MACS = 1 << 18;
    /** Floats of a strip of B for one block of k: 16 KiB, half of a common L1 data cache. */
    private static final int STRIP_FLOATS = 4096;
    /** Floats of packed B for one block of k and of columns: 256 KiB, half of a common L2 cache. */
    private static final int BLOCK_FLOATS = 65536;
    /** Floats of A worked through at a time, over all blocks of k and columns: 128 KiB, in L2 with B's block. */
    private static final int PANEL_BLOCK_FLOATS = 32768;
    /** Rows of a strip of B written at a time when B is packed from its columns: 8 KiB of a 32-column strip. */
    private static final int TRANSPOSE_ROWS = 64;
    /** Floats of A up to which a range's panels are all one block when its B is larger than a block of B. */
    private static final int SHORT_A_FLOATS = 131072;
    /** Floats of packed B, all of k by a few strips, that stay in L2 while every block of panels passes them: 512 KiB. */
    private static final int SLICE_FLOATS = 131072;
    /** Floats of packed B (8 MiB) from which reading it again for each block of panels costs more than reading A again. */
    private static final int LARGE_B_FLOATS = 1 << 21;

    private final Kernels kernels;
    private final Workers workers;
    private final int mr, nr;
    private float[] packedA = new float[0], packedB = new float[0], partial = new float[0];

    Gemm(Kernels kernels, Workers workers) {
        this.kernels = kernels;
        this.workers = workers;
        this.mr = kernels.tileRows();
        this.nr = kernels.tileCols();
    }

    /** What runs on each finished tile of C while it is still in cache, such as a layer's bias and activation. */
    @FunctionalInterface
    interface Epilogue {
        /** The tile's {@code rows} x {@code cols} elements from {@code c[ci]}, row stride {@code ldc}; its first column is j. */
        void tile(float[] c, int ci, int ldc, int j, int rows, int cols);
    }

    /**
     * A is row-major m x k from {@code a[ao]}, or k x m when {@code transA}, its rows {@code lda} apart; B is
     * k x n from {@code b[bo]}, or n x k when {@code transB}, rows {@code ldb} apart; C is row-major m x n from
     * {@code c[co]}, rows {@code ldc} apart (so any of them may be a block of columns of a wider matrix).
     * {@code after}, unless null, runs on each tile of C once it is final.
     */
    void run(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int ao, int lda, float[] b, int bo, int ldb,
             float beta, float[] c, int co, int ldc, Epilogue after) {
        multiply(transA, transB, m, n, k, alpha, a, ao, lda, b, bo, ldb, null, beta, c, co, ldc, after);
    }

    /** {@link #run} with B, k x n, already in its strips ({@link #pack}): a layer's weights kept so between steps. */
    void runPacked(boolean transA, int m, int n, int k, float alpha, float[] a, int ao, int lda, float[] packed, float beta, float[] c,
                   int co, int ldc, Epilogue after) {
        multiply(transA, false, m, n, k, alpha, a, ao, lda, null, 0, 0, packed, beta, c, co, ldc, after);
    }

    /** Floats of a k x n matrix in strips ({@link #pack}). */
    int packedSize(int n, int k) {
        return (n + nr - 1) / nr * nr * k;
    }

    /**
     * The k x n row-major matrix at {@code b[bo]}, rows {@code ldb} apart, into strips of {@link Kernels#tileCols}
     * columns (column j of row p at {@code dst[(j / c * k + p) * c + j % c]}): the packed B {@link #runPacked}
     * reads. Strip s is then a k x c row-major matrix from {@code dst[s * k * c]}, so a GEMM can write its
     * columns with {@code ldc} c.
     */
    void pack(float[] b, int bo, int ldb, int n, int k, float[] dst) {
        kernels.packRows(b, bo, ldb, 0, n, 0, k, k, dst);
    }

    /** {@link #pack} undone: the strips' columns back into rows {@code ldb} apart from {@code b[bo]}. */
    void unpack(float[] packed, int n, int k, float[] b, int bo, int ldb) {
        for (int s = 0; s * nr < n; s++) {
            int valid = Math.min(nr, n - s * nr);
            for (int p = 0; p < k; p++) {
                System.arraycopy(packed, (s * k + p) * nr, b, bo + p * ldb + s * nr, valid);
            }
        }
    }

    /** {@link #run}, B from {@code packed} where that is not null. */
    private void multiply(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int ao, int lda, float[] b, int bo,
                          int ldb, float[] packed, float beta, float[] c, int co, int ldc, Epilogue after) {
        // op(A)(i, p) = a[ao + i * ars + p * aks] and op(B)(p, j) = b[bo + p * bks + j * bcs]
        int ars = transA ? 1 : lda, aks = transA ? lda : 1, bks = transB ? 1 : ldb, bcs = transB ? ldb : 1;
        int panels = (m + mr - 1) / mr, strips = (n + nr - 1) / nr;
        boolean serial = (long) m * n * k < PARALLEL_MACS || workers.size() == 1;
        if (packed == null && bcs == 1 && m <= ROW_BY_ROW) {
            rows(m, n, k, alpha, a, ao, ars, aks, b, bo, bks, beta, c, co, ldc, after, serial);
            return;
        }
        int blocksK = Math.max(1, (k * nr + STRIP_FLOATS - 1) / STRIP_FLOATS), kc = (k + blocksK - 1) / blocksK;
        packedA = grow(packedA, mr * k);
        if (packed == null) {
            packedB = grow(packedB, strips * nr * k);
        }
        partial = grow(partial, panels * strips * mr * nr);
        float[] pb = packed != null ? packed : packedB;
        // strips [from, to) of B into pb; with B's rows contiguous, in runs of those strips' columns along rows
        Workers.Range packStrips = bcs == 1 ? (from, to) -> kernels.packRows(b, bo, bks, from * nr, Math.min(n, to * nr), 0, k, k, pb)
                : (from, to) -> {
                    for (int st = from; st < to; st++) {
                        int valid = Math.min(nr, n - st * nr), d = st * nr * k;
                        // down a column of the strip a block of rows at a time, so the rows written stay in L1
                        for (int p0 = 0; p0 < k; p0 += TRANSPOSE_ROWS) {
                            int p1 = Math.min(k, p0 + TRANSPOSE_ROWS);
                            for (int j = 0; j < valid; j++) {
                                for (int p = p0, from2 = bo + (st * nr + j) * bcs + p0 * bks, to2 = d + p0 * nr + j; p < p1; p++, from2 += bks,
                                     to2 += nr) {
                                    pb[to2] = b[from2];
                                }
                            }
                        }
                        for (int p = 0, end = kernels.stripEnd(valid); valid < end && p < k; p++) {
                            java.util.Arrays.fill(pb, d + p * nr + valid, d + p * nr + end, 0f);
                        }
                    }
                };
        if (m % mr != 0) {
            packPanel(a, ao + (panels - 1) * mr * ars, ars, aks, m % mr, k, packedA);
        }
        if (n > m && (long) strips * nr * k > BLOCK_FLOATS && !serial) {
            // B wider than A is tall, and too large to stay in cache while the threads take ranges of panels, each
            // passing them by all of it: instead each thread packs a range of strips and passes all of A by them,
            // so each part of B is read once, and while it is still in this core's cache
            workers.forRange(strips, 1, (from, to) -> {
                if (packed == null) {
                    packStrips.run(from, to);
                }
                tiles(0, panels, from, to, a, ao, ars, aks, m, n, k, kc, alpha, pb, beta, c, co, ldc, after);
            });
            return;
        }
        // else B is packed first and the threads take ranges of A's panels, each passing them by all of B; B's
        // rows are read whole where they are contiguous: strips of them, a row apart, would read addresses a
        // power of two apart for the usual layer widths, which share cache sets
        if (packed == null && bcs == 1) {
            split(serial, k, (from, to) -> kernels.packRows(b, bo, bks, 0, n, from, to, k, pb));
        } else if (packed == null) {
            split(serial, strips, packStrips);
        }
        split(serial, panels, (from, to) -> tiles(from, to, 0, strips, a, ao, ars, aks, m, n, k, kc, alpha, pb, beta, c, co, ldc, after));
    }

    /**
     * A GEMM of {@link #ROW_BY_ROW} rows at most (the prediction of one example, say), B's rows contiguous: each
     * row of op(A) streams B where it lies. The threads, unless serial, take ranges of strips' columns.
     */
    private void rows(int m, int n, int k, float alpha, float[] a, int ao, int ars, int aks, float[] b, int bo, int ldb, float beta,
                      float[] c, int co, int ldc, Epilogue after, boolean serial) {
        partial = grow(partial, m * n);
        float[] sums = partial;
        split(serial, (n + nr - 1) / nr, (from, to) -> {
            int j0 = from * nr, j1 = Math.min(n, to * nr);
            for (int i = 0; i < m; i++) {
                kernels.row(k, a, ao + i * ars, aks, b, bo, ldb, j0, j1, sums, i * n);
                kernels.finish(sums, i * n + j0, 1, j1 - j0, alpha, beta, c, co + i * ldc + j0, ldc);
                if (after != null) {
                    after.tile(c, co + i * ldc + j0, ldc, j0, 1, j1 - j0);
                }
            }
        });
    }

    /** body over [0, n), in parallel unless serial. */
    private void split(boolean serial, int n, Workers.Range body) {
        if (serial) {
            body.run(0, n);
        } else {
            workers.forRange(n, 1, body);
        }
    }

    /**
     * The tiles of panels [from, to) of op(A) by strips [sFrom, sTo) of the packed B {@code pb}, into C. The
     * panels are worked through a block at a time, so A's block and its sums stay in the same few hundred KiB
     * of cache however tall A is. A short last panel is read from {@code packedA}, where the caller has packed it.
     */
    private void tiles(int from, int to, int sFrom, int sTo, float[] a, int ao, int ars, int aks, int m, int n, int k, int kc, float alpha,
                       float[] pb, float beta, float[] c, int co, int ldc, Epilogue after) {
        int strips = (n + nr - 1) / nr;
        int stripsPerBlock = Math.max(1, BLOCK_FLOATS / (kc * nr)), panelsPerBlock = Math.max(1, PANEL_BLOCK_FLOATS / (mr * k));
        // each block of panels passes all of the range's B: where B is too large to stay in cache between blocks
        // and A is short, one block of all the panels reads B once
        if ((long) (sTo - sFrom) * nr * k > BLOCK_FLOATS && (long) (to - from) * mr * k <= SHORT_A_FLOATS) {
            panelsPerBlock = to - from;
        }
        // each block of panels reads all of the range's B again, from L3 while B is under LARGE_B_FLOATS; a larger B
        // is cut into slices that stay in L2 while every block passes them, reading A again for each slice instead,
        // where that reads less
        int stripsPerSlice = Math.max(1, SLICE_FLOATS / (nr * k));
        long blocks = (to - from + panelsPerBlock - 1) / panelsPerBlock, slices = (sTo - sFrom + stripsPerSlice - 1) / stripsPerSlice;
        if ((long) (sTo - sFrom) * nr * k < LARGE_B_FLOATS || (blocks - 1) * (sTo - sFrom) * nr <= (slices - 1) * (to - from) * mr) {
            stripsPerSlice = sTo - sFrom;
        }
        float[] pa = packedA, part = partial;
        for (int q0 = sFrom; q0 < sTo; q0 += stripsPerSlice) {
            int q1 = Math.min(sTo, q0 + stripsPerSlice);
            for (int g0 = from; g0 < to; g0 += panelsPerBlock) {
                int g1 = Math.min(to, g0 + panelsPerBlock), slot = from - g0;
                for (int s0 = q0; s0 < q1; s0 += stripsPerBlock) {
                    int s1 = Math.min(q1, s0 + stripsPerBlock);
                    for (int p0 = 0; p0 < k; p0 += kc) {
                        int steps = Math.min(kc, k - p0);
                        // A's rows along its rows: a panel stays in L1 while the strips pass; down its columns, a panel
                        // spans a cache line of each of k rows, shared with its neighbours: the strip stays instead
                        int np = g1 - g0, ns = s1 - s0;
                        for (int t = 0; t < np * ns; t++) {
                            int panel = g0 + (aks == 1 ? t / ns : t % np), s = s0 + (aks == 1 ? t % ns : t / np);
                            int i = panel * mr, valid = Math.min(mr, m - i);
                            // the panel's rows along rows of A (or of the packed panel), else down A's columns
                            boolean shortPanel = valid < mr, alongRows = shortPanel || aks == 1;
                            float[] src = shortPanel ? pa : a;
                            int ai = shortPanel ? p0 : ao + i * ars + p0 * aks, ld = shortPanel ? k : alongRows ? ars : aks;
                            int j = s * nr, acc = ((panel + slot) * strips + s) * mr * nr, bi = (s * k + p0) * nr;
                            boolean half = kernels.stripEnd(n - j) < nr;
                            if (alongRows && half) {
                                kernels.halfTile(steps, src, ai, ld, pb, bi, part, acc, p0 == 0);
                            } else if (alongRows) {
                                kernels.tile(steps, src, ai, ld, pb, bi, part, acc, p0 == 0);
                            } else if (half) {
                                kernels.halfTileT(steps, src, ai, ld, pb, bi, part, acc, p0 == 0);
                            } else {
                                kernels.tileT(steps, src, ai, ld, pb, bi, part, acc, p0 == 0);
                            }
                            if (p0 + steps == k) {
                                int cols = Math.min(nr, n - j);
                                kernels.finish(part, acc, valid, cols, alpha, beta, c, co + i * ldc + j, ldc);
                                if (after != null) {
                                    after.tile(c, co + i * ldc + j, ldc, j, valid, cols);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Rows [i, i + valid) of op(A), from {@code a[s]}, as a panel of mr rows of k steps each from {@code dst[0]}, zeros
     * past the last row.
     */
    private void packPanel(float[] a, int s, int ars, int aks, int valid, int k, float[] dst) {
        for (int r = 0; r < valid; r++) {
            if (aks == 1) {
                System.arraycopy(a, s + r * ars, dst, r * k, k);
            } else {
                for (int q = 0, src = s + r * ars; q < k; q++, src += aks) {
                    dst[r * k + q] = a[src];
                }
            }
        }
        java.util.Arrays.fill(dst, valid * k, mr * k, 0f);
    }

    private static float[] grow(float[] a, int n) {
        return a.length >= n ? a : new float[n];
    }
}
