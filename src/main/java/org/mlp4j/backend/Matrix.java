package org.mlp4j.backend;

/**
 * A row-major float32 matrix owned by one backend. Its memory lives wherever the backend computes
 * (Java heap, GPU memory); only {@link Backend#upload} and {@link Backend#download} move data across.
 * Memory is released when the owning backend is closed.
 */
public interface Matrix {
    int rows();

    int cols();

    /** Rows [from, from + count) as a matrix sharing this one's memory (a minibatch of an epoch's data). */
    Matrix rows(int from, int count);

    /** The first {@code rows} rows, sharing this matrix's memory (for a smaller last chunk). */
    default Matrix prefix(int rows) {
        return rows(0, rows);
    }

    /** Checks a row range of a matrix with {@code rows} rows. */
    static void checkRange(int from, int count, int rows) {
        if (from < 0 || count < 1 || from + count > rows) {
            throw new IllegalArgumentException("rows " + from + ".." + (from + count) + " of a matrix of " + rows);
        }
    }

    default int size() {
        return rows() * cols();
    }
}
