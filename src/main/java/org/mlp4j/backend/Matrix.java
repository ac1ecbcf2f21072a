package org.mlp4j.backend;

/**
 * A row-major float32 matrix owned by one backend. Its memory lives wherever the backend computes
 * (Java heap, GPU memory); only {@link Backend#upload} and {@link Backend#download} move data across.
 * Memory is released when the owning backend is closed.
 */
public interface Matrix {
    int rows();

    int cols();

    /** The first {@code rows} rows, sharing this matrix's memory (for a smaller last chunk). */
    Matrix prefix(int rows);

    default int size() {
        return rows() * cols();
    }
}
