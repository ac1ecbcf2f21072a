package org.mlp4j.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels. The GEMM keeps a 4-row x 2-vector register tile (8 accumulators, FMA) across the
 * whole k loop, each B load reused by 4 rows, with no masks or branches inside it: register blocking is
 * what took this shape from 6 to ~70 GFLOP/s per core (../shared/notes/cpu-gemm.md).
 */
final class VectorKernels implements Kernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final FloatVector ONE = FloatVector.broadcast(S, 1f);

    @Override
    public void gemmRows(int r0, int r1, int n, int npad, int k, float alpha, float[] a, int ao, float[] bp, float beta, float[] c, int co) {
        for (int j = 0; j < npad; j += 2 * L) {
            boolean two = j + 2 * L <= npad;
            int i = r0;
            for (; i + 4 <= r1; i += 4) {
                if (two) {
                    tile4x2(i, j, n, npad, k, alpha, a, ao, bp, beta, c, co);
                } else {
                    for (int r = i; r < i + 4; r++) {
                        row1(r, j, n, npad, k, alpha, a, ao, bp, beta, c, co);
                    }
                }
            }
            for (; i < r1; i++) {
                row1(i, j, n, npad, k, alpha, a, ao, bp, beta, c, co);
                if (two) {
                    row1(i, j + L, n, npad, k, alpha, a, ao, bp, beta, c, co);
                }
            }
        }
    }

    private static void tile4x2(int i, int j, int n, int npad, int k, float alpha, float[] a, int ao, float[] bp, float beta, float[] c, int co) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        int a0 = ao + i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
        for (int p = 0, bo = j; p < k; p++, bo += npad) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + p]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + p]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + p]);
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

    private static void row1(int i, int j, int n, int npad, int k, float alpha, float[] a, int ao, float[] bp, float beta, float[] c, int co) {
        FloatVector acc = FloatVector.zero(S);
        int ar = ao + i * k;
        for (int p = 0, bo = j; p < k; p++, bo += npad) {
            acc = FloatVector.broadcast(S, a[ar + p]).fma(FloatVector.fromArray(S, bp, bo), acc);
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
            VectorMask<Float> m = S.indexInRange(j, n);
            if (beta != 0f) {
                v = FloatVector.fromArray(S, c, off, m).fma(FloatVector.broadcast(S, beta), v);
            }
            v.intoArray(c, off, m);
        }
    }

    @Override
    public void biasSigmoid(float[] z, int from, int to, float[] bias, int bo, int cols) {
        for (int row = from; row < to; row += cols) {
            int j = 0;
            for (; j + L <= cols; j += L) {
                FloatVector v = FloatVector.fromArray(S, z, row + j).add(FloatVector.fromArray(S, bias, bo + j));
                ONE.div(v.neg().lanewise(VectorOperators.EXP).add(1f)).intoArray(z, row + j);
            }
            for (; j < cols; j++) {
                z[row + j] = (float) (1.0 / (1.0 + Math.exp(-(z[row + j] + bias[bo + j]))));
            }
        }
    }

    @Override
    public String name() {
        return "Vector API kernels, " + S.vectorBitSize() + "-bit";
    }
}
