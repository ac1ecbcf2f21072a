package org.mlp4j.backend.cpu;

import org.mlp4j.backend.Matrix;

/** A matrix on the Java heap; a prefix view shares the array. */
record CpuMatrix(float[] data, int rows, int cols) implements Matrix {
    @Override
    public Matrix prefix(int n) {
        if (n < 0 || n > rows) {
            throw new IllegalArgumentException("prefix of " + n + " rows from " + rows);
        }
        return new CpuMatrix(data, n, cols);
    }
}
