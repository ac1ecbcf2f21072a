package org.mlp4j.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels. The GEMM keeps a register tile of 4 rows x 2 vectors (8 accumulators, FMA) across
 * the whole k loop, each B load reused by 4 rows, with no masks or branches inside it; a last single
 * vector of columns gets a 4 x 1 tile. Register blocking is what took this shape from 6 to ~70 GFLOP/s
 * per core (../shared/notes/cpu-gemm.md). A is read through strides, so a transposed A needs no copy.
 */
final class VectorKernels implements Kernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final FloatVector ONE = FloatVector.broadcast(S, 1f);

    @Override
    public void gemmRows(int r0, int r1, int n, int npad, int k, float alpha, float[] a, int ao, int rs, int ks,
                         float[] bp, float beta, float[] c, int co) {
        for (int j = 0; j < npad; j += 2 * L) {
            boolean two = j + 2 * L <= npad;
            int i = r0;
            for (; i + 4 <= r1; i += 4) {
                if (two) {
                    tile4x2(i, j, n, npad, k, alpha, a, ao, rs, ks, bp, beta, c, co);
                } else {
                    tile4x1(i, j, n, npad, k, alpha, a, ao, rs, ks, bp, beta, c, co);
                }
            }
            for (; i < r1; i++) {
                row1(i, j, n, npad, k, alpha, a, ao, rs, ks, bp, beta, c, co);
                if (two) {
                    row1(i, j + L, n, npad, k, alpha, a, ao, rs, ks, bp, beta, c, co);
                }
            }
        }
    }

    private static void tile4x2(int i, int j, int n, int npad, int k, float alpha, float[] a, int ao, int rs, int ks,
                                float[] bp, float beta, float[] c, int co) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        int a0 = ao + i * rs, a1 = a0 + rs, a2 = a1 + rs, a3 = a2 + rs;
        for (int p = 0, bo = j, ap = 0; p < k; p++, bo += npad, ap += ks) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + ap]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + ap]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + ap]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        store(c00, i, j, n, alpha, beta, c, co);
        store(c01, i, j + L, n, alpha, beta, c, co);
        store(c10, i + 1, j, n, alpha, beta, c, co);
        store(c11, i + 1, j + L, n, alpha, beta, c, co);
        store(c20, i + 2, j, n, alpha, beta, c, co);
        store(c21, i + 2, j + L, n, alpha, beta, c, co);
        store(c30, i + 3, j, n, alpha, beta, c, co);
        store(c31, i + 3, j + L, n, alpha, beta, c, co);
    }

    private static void tile4x1(int i, int j, int n, int npad, int k, float alpha, float[] a, int ao, int rs, int ks,
                                float[] bp, float beta, float[] c, int co) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S), c3 = FloatVector.zero(S);
        int a0 = ao + i * rs, a1 = a0 + rs, a2 = a1 + rs, a3 = a2 + rs;
        for (int p = 0, bo = j, ap = 0; p < k; p++, bo += npad, ap += ks) {
            FloatVector b = FloatVector.fromArray(S, bp, bo);
            c0 = FloatVector.broadcast(S, a[a0 + ap]).fma(b, c0);
            c1 = FloatVector.broadcast(S, a[a1 + ap]).fma(b, c1);
            c2 = FloatVector.broadcast(S, a[a2 + ap]).fma(b, c2);
            c3 = FloatVector.broadcast(S, a[a3 + ap]).fma(b, c3);
        }
        store(c0, i, j, n, alpha, beta, c, co);
        store(c1, i + 1, j, n, alpha, beta, c, co);
        store(c2, i + 2, j, n, alpha, beta, c, co);
        store(c3, i + 3, j, n, alpha, beta, c, co);
    }

    private static void row1(int i, int j, int n, int npad, int k, float alpha, float[] a, int ao, int rs, int ks,
                             float[] bp, float beta, float[] c, int co) {
        FloatVector acc = FloatVector.zero(S);
        int ar = ao + i * rs;
        for (int p = 0, bo = j, ap = 0; p < k; p++, bo += npad, ap += ks) {
            acc = FloatVector.broadcast(S, a[ar + ap]).fma(FloatVector.fromArray(S, bp, bo), acc);
        }
        store(acc, i, j, n, alpha, beta, c, co);
    }

    /** c = alpha*acc + beta*c on the columns of this vector that lie inside n (edges masked, outside the k loop). */
    private static void store(FloatVector acc, int i, int j, int n, float alpha, float beta, float[] c, int co) {
        if (j >= n) {
            return;
        }
        int off = co + i * n + j;
        FloatVector v = acc.mul(alpha);
        if (j + L <= n) {
            if (beta != 0f) {
                v = FloatVector.fromArray(S, c, off).fma(FloatVector.broadcast(S, beta), v);
            }
            v.intoArray(c, off);
        } else {
            // the columns past the last whole vector one by one, with the same operations (so the same bits):
            // without AVX-512 a masked store is not compiled to vector code, and its Java fallback is slow
            float[] lanes = v.toArray();
            for (int lane = 0; lane < n - j; lane++) {
                c[off + lane] = beta != 0f ? Math.fma(c[off + lane], beta, lanes[lane]) : lanes[lane];
            }
        }
    }

    @Override
    public void biasSigmoid(float[] z, int from, int to, float[] bias, int bo, int cols) {
        for (int row = from; row < to; row += cols) {
            int j = 0;
            for (; j + L <= cols; j += L) {
                FloatVector v = FloatVector.fromArray(S, z, row + j).add(FloatVector.fromArray(S, bias, bo + j));
                ONE.div(exp(v.neg()).add(1f)).intoArray(z, row + j);
            }
            for (; j < cols; j++) {
                z[row + j] = FixedExp.sigmoid(z[row + j] + bias[bo + j]);
            }
        }
    }

    private static final FloatVector LOG2E = FloatVector.broadcast(S, FixedExp.LOG2E);
    private static final FloatVector ROUND = FloatVector.broadcast(S, FixedExp.ROUND);
    private static final FloatVector MINUS_LN2_HI = FloatVector.broadcast(S, -FixedExp.LN2_HI);
    private static final FloatVector MINUS_LN2_LO = FloatVector.broadcast(S, -FixedExp.LN2_LO);
    private static final FloatVector P0 = FloatVector.broadcast(S, FixedExp.P0);
    private static final FloatVector P1 = FloatVector.broadcast(S, FixedExp.P1);
    private static final FloatVector P2 = FloatVector.broadcast(S, FixedExp.P2);
    private static final FloatVector P3 = FloatVector.broadcast(S, FixedExp.P3);
    private static final FloatVector P4 = FloatVector.broadcast(S, FixedExp.P4);
    private static final FloatVector P5 = FloatVector.broadcast(S, FixedExp.P5);

    /** {@link FixedExp#exp} lane by lane: the same operations in the same order, so the same bits. */
    private static FloatVector exp(FloatVector x) {
        FloatVector t = x.max(FixedExp.LO).min(FixedExp.HI);
        FloatVector k = t.fma(LOG2E, ROUND);
        FloatVector n = k.sub(ROUND);
        FloatVector r = n.fma(MINUS_LN2_HI, t);
        r = n.fma(MINUS_LN2_LO, r);
        FloatVector p = P5.fma(r, P4).fma(r, P3).fma(r, P2).fma(r, P1).fma(r, P0);
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        FloatVector scale = k.reinterpretAsInts().add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return y.mul(scale);
    }

    @Override
    public String name() {
        return "Vector API kernels, " + S.vectorBitSize() + "-bit";
    }
}
