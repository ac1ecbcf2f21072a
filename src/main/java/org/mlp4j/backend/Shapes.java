package org.mlp4j.backend;

/** Shape checks shared by every backend, so a wrong call fails the same way everywhere. */
public final class Shapes {
    private Shapes() {
    }

    /** Checks {@code c = op(a) op(b)} and returns {m, n, k}. */
    public static int[] gemm(boolean transA, boolean transB, Matrix a, Matrix b, Matrix c) {
        int m = transA ? a.cols() : a.rows();
        int k = transA ? a.rows() : a.cols();
        int kb = transB ? b.cols() : b.rows();
        int n = transB ? b.rows() : b.cols();
        if (k != kb || c.rows() != m || c.cols() != n) {
            throw new IllegalArgumentException(String.format("gemm shapes: op(a) %dx%d, op(b) %dx%d, c %dx%d",
                    m, k, kb, n, c.rows(), c.cols()));
        }
        return new int[] {m, n, k};
    }

    public static void same(Matrix x, Matrix y) {
        if (x.rows() != y.rows() || x.cols() != y.cols()) {
            throw new IllegalArgumentException(String.format("shapes differ: %dx%d vs %dx%d",
                    x.rows(), x.cols(), y.rows(), y.cols()));
        }
    }

    public static void bias(Matrix z, Matrix bias) {
        if (bias.rows() != 1 || bias.cols() != z.cols()) {
            throw new IllegalArgumentException(String.format("bias %dx%d for a matrix of %d columns",
                    bias.rows(), bias.cols(), z.cols()));
        }
    }

    public static void column(Matrix z, Matrix column) {
        if (column.cols() != 1 || column.rows() != z.rows()) {
            throw new IllegalArgumentException(String.format("expected a %dx1 column, got %dx%d",
                    z.rows(), column.rows(), column.cols()));
        }
    }

    /** {@link Backend#outputStep}'s operands: z with its bias, one label per row, a delta like z. */
    public static void outputStep(Matrix z, Matrix bias, Matrix labels, Matrix delta) {
        bias(z, bias);
        column(z, labels);
        same(z, delta);
    }

    /** {@link Backend#hiddenStep}'s operands: the error g like the activations a, and g's bias. */
    public static void hiddenStep(Matrix g, Matrix a, Matrix bias) {
        same(g, a);
        bias(g, bias);
    }

    public static void gather(Backend.Examples data, Backend.Order order, int offset, Matrix x, Matrix labels) {
        column(x, labels);
        if (x.cols() != data.features()) {
            throw new IllegalArgumentException("gather: " + x.cols() + " columns for " + data.features() + " features");
        }
        if (offset < 0 || offset + x.rows() > order.length()) {
            throw new IllegalArgumentException("gather: rows " + offset + ".." + (offset + x.rows())
                    + " outside an order of " + order.length());
        }
    }

    /** {@link Backend#optimize}'s operands: a gradient like the parameter, the state it reads like it too, the hyperparameters. */
    public static void optimize(Matrix param, Matrix grad, Matrix s1, Matrix s2, Matrix hyper, org.mlp4j.Optimizer kind) {
        same(param, grad);
        if (kind != org.mlp4j.Optimizer.SGD) {
            same(param, s1);
        }
        if (kind == org.mlp4j.Optimizer.ADAM) {
            same(param, s2);
        }
        hyper(hyper);
    }

    public static void hyper(Matrix hyper) {
        if (hyper.rows() != 1 || hyper.cols() != Backend.Hyper.values().length) {
            throw new IllegalArgumentException("hyperparameters " + hyper.rows() + "x" + hyper.cols() + ", not 1x" + Backend.Hyper.values().length);
        }
    }

    public static void slot(Backend.Accumulator acc, int slot) {
        if (slot < 0 || slot >= acc.slots()) {
            throw new IllegalArgumentException("accumulator slot " + slot + " of " + acc.slots());
        }
    }

    public static void length(float[] host, Matrix m) {
        if (host.length < m.size()) {
            throw new IllegalArgumentException("host array of " + host.length + " for a " + m.rows() + "x" + m.cols() + " matrix");
        }
    }
}
