package org.mlp4j.backend.cpu;

/**
 * {@code C = alpha * op(A) * op(B) + beta * C} on the Java heap, blocked as BLIS does: op(B) is packed into
 * strips of {@link Kernels#tileCols} columns, step of k by step, and op(A) into panels of
 * {@link Kernels#tileRows} rows, by groups of steps ({@link Kernels#panelOffset}), so the kernel streams them
 * whatever the transposes. k is cut into blocks small enough that a panel's block of A and one strip of B
 * fit in the L1 cache together, so the panel stays there while the block's strips pass over it from L2, and
 * the columns into blocks whose packed B stays in L2; each tile's sums wait in {@code partial} between
 * blocks of k. Panels of rows are split over the {@link Workers}; each thread packs its own, a block at a
 * time. Every element's sum is taken over k in order, so neither blocking nor threads change a bit.
 */
final class Gemm {
    /** Below this many multiply-adds a GEMM runs on the calling thread: forking would cost more. */
    private static final long PARALLEL_MACS = 1 << 18;
    /** Floats of a strip of B for one block of k: 16 KiB, half of a common L1 data cache. */
    private static final int STRIP_FLOATS = 4096;
    /** Floats of packed B for one block of k and of columns: 256 KiB, half of a common L2 cache. */
    private static final int BLOCK_FLOATS = 65536;
    /** Floats of packed A worked through at a time, over all blocks of k and columns: 128 KiB, in L2 with B's block. */
    private static final int PANEL_BLOCK_FLOATS = 32768;

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
     * A is row-major m x k from {@code a[ao]}, or k x m when {@code transA}; B is k x n from {@code b[bo]},
     * or n x k when {@code transB}; C is row-major m x n from {@code c[co]}. {@code after}, unless null, runs
     * on each tile of C once it is final.
     */
    void run(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int ao, float[] b, int bo,
             float beta, float[] c, int co, Epilogue after) {
        // op(A)(i, p) = a[ao + i * ars + p * aks] and op(B)(p, j) = b[bo + p * bks + j * bcs]
        int ars = transA ? 1 : k, aks = transA ? m : 1, bks = transB ? 1 : n, bcs = transB ? k : 1;
        int panels = (m + mr - 1) / mr, strips = (n + nr - 1) / nr;
        int blocksK = Math.max(1, (k * nr + STRIP_FLOATS - 1) / STRIP_FLOATS);
        // blocks of k begin groups of the panels' layout; a panel's last group is padded
        int kc = roundUp((k + blocksK - 1) / blocksK, Kernels.STEP_GROUP), kp = roundUp(k, Kernels.STEP_GROUP);
        int stripsPerBlock = Math.max(1, BLOCK_FLOATS / (kc * nr)), panelsPerBlock = Math.max(1, PANEL_BLOCK_FLOATS / (mr * kp));
        packedA = grow(packedA, panels * mr * kp);
        packedB = grow(packedB, strips * nr * k);
        partial = grow(partial, panels * strips * mr * nr);
        float[] pa = packedA, pb = packedB, part = partial;
        // B's rows are read whole where they are contiguous: strips of them, a row apart, would read
        // addresses a power of two apart for the usual layer widths, which share cache sets
        Workers.Range packB = bcs == 1 ? (from, to) -> kernels.packRows(b, bo, bks, n, from, to, k, pb) : (from, to) -> {
            for (int st = from; st < to; st++) {
                int valid = Math.min(nr, n - st * nr), d = st * nr * k;
                for (int j = 0; j < valid; j++) {
                    for (int p = 0, from2 = bo + (st * nr + j) * bcs, to2 = d + j; p < k; p++, from2 += bks, to2 += nr) {
                        pb[to2] = b[from2];
                    }
                }
                for (int p = 0, end = kernels.stripEnd(valid); valid < end && p < k; p++) {
                    java.util.Arrays.fill(pb, d + p * nr + valid, d + p * nr + end, 0f);
                }
            }
        };
        // a range's panels are packed and worked through a block at a time, each block packed where the range's
        // first panels go, so packed A and its sums stay in the same few hundred KiB of cache however tall A is
        Workers.Range rows = (from, to) -> {
            for (int g0 = from; g0 < to; g0 += panelsPerBlock) {
                int g1 = Math.min(to, g0 + panelsPerBlock), slot = from - g0;
                for (int panel = g0; panel < g1; panel++) {
                    int valid = Math.min(mr, m - panel * mr);
                    packPanel(a, ao + panel * mr * ars, ars, aks, valid, k, pa, (panel + slot) * mr * kp);
                }
                for (int s0 = 0; s0 < strips; s0 += stripsPerBlock) {
                    int s1 = Math.min(strips, s0 + stripsPerBlock);
                    for (int p0 = 0; p0 < k; p0 += kc) {
                        int steps = Math.min(kc, k - p0);
                        for (int panel = g0; panel < g1; panel++) {
                            int i = panel * mr, ai = ((panel + slot) * mr * kp + p0 * mr), valid = Math.min(mr, m - i);
                            for (int s = s0; s < s1; s++) {
                                int j = s * nr, acc = ((panel + slot) * strips + s) * mr * nr;
                                if (kernels.stripEnd(n - j) < nr) {
                                    kernels.halfTile(steps, pa, ai, pb, (s * k + p0) * nr, part, acc, p0 == 0);
                                } else {
                                    kernels.tile(steps, pa, ai, pb, (s * k + p0) * nr, part, acc, p0 == 0);
                                }
                                if (p0 + steps == k) {
                                    int cols = Math.min(nr, n - j);
                                    kernels.finish(part, acc, valid, cols, alpha, beta, c, co + i * n + j, n);
                                    if (after != null) {
                                        after.tile(c, co + i * n + j, n, j, valid, cols);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        };
        int packUnits = bcs == 1 ? k : strips;
        if ((long) m * n * k < PARALLEL_MACS || workers.size() == 1) {
            packB.run(0, packUnits);
            rows.run(0, panels);
            return;
        }
        workers.forRange(packUnits, 1, packB);
        workers.forRange(panels, 1, rows);
    }

    /**
     * Rows [i, i + valid) of op(A), from {@code a[s]}, as a panel of mr rows laid out as
     * {@link Kernels#panelOffset} says, zeros past the last row. Rows of a row-major A are copied a group
     * at a time; op(A) = A' is read a few neighbours at a time along A's rows.
     */
    private void packPanel(float[] a, int s, int ars, int aks, int valid, int k, float[] dst, int d) {
        int g = Kernels.STEP_GROUP;
        for (int p0 = 0; p0 < k; p0 += g, d += mr * g) {
            int steps = Math.min(g, k - p0);
            if (aks == 1 && steps == g) {
                for (int r = 0; r < mr; r++) {
                    if (r < valid) {
                        kernels.copyGroup(a, s + r * ars + p0, dst, d + r * g);
                    } else {
                        java.util.Arrays.fill(dst, d + r * g, d + (r + 1) * g, 0f);
                    }
                }
                continue;
            }
            if (ars == 1 && mr == 6 && valid == 6) {
                // the usual op(A) = A' spelled out: six neighbours of a row of A, one to each row of the panel
                for (int q = 0, src = s + p0 * aks; q < steps; q++, src += aks) {
                    dst[d + q] = a[src];
                    dst[d + g + q] = a[src + 1];
                    dst[d + 2 * g + q] = a[src + 2];
                    dst[d + 3 * g + q] = a[src + 3];
                    dst[d + 4 * g + q] = a[src + 4];
                    dst[d + 5 * g + q] = a[src + 5];
                }
                continue;
            }
            for (int q = 0; q < steps; q++) {
                for (int r = 0, src = s + (p0 + q) * aks; r < mr; r++, src += ars) {
                    dst[d + r * g + q] = r < valid ? a[src] : 0f;
                }
            }
        }
    }

    private static int roundUp(int x, int to) {
        return (x + to - 1) / to * to;
    }

    private static float[] grow(float[] a, int n) {
        return a.length >= n ? a : new float[n];
    }
}
