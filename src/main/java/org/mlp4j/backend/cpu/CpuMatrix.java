package org.mlp4j.backend.cpu;

import org.mlp4j.backend.Matrix;

/** A matrix on the Java heap: {@code rows x cols} floats of {@code data} starting at {@code offset}. */
record CpuMatrix(float[] data, int offset, int rows, int cols) implements Matrix {
    @Override
    public Matrix rows(int from, int count) {
        Matrix.checkRange(from, count, rows);
        return new CpuMatrix(data, offset + from * cols, count, cols);
    }
}
