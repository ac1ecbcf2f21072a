package org.mlp4j.bench;

import org.mlp4j.backend.Backend;
import org.mlp4j.backend.BackendUnavailableException;
import org.mlp4j.backend.Backends;
import org.mlp4j.backend.Matrix;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The backend under test, by {@code --device} name. {@link BenchMain} passes only the backends usable on
 * this machine and lists the others with the reason; run alone, an unusable one fails its trial with it.
 */
@State(Scope.Benchmark)
public class BackendState {
    @Param({"cpu", "cuda", "opencl"})
    public String backend;

    /** Threads of the cpu backend; 0 is one per processor. */
    @Param("0")
    public int threads;

    protected Backend b;

    protected void openBackend() {
        try {
            b = Backends.open(backend, threads, true, s -> { });
        } catch (BackendUnavailableException e) {
            throw new IllegalStateException(backend + " is unusable here: " + e.getMessage(), e);
        }
    }

    /** A matrix on the backend holding {@link #random} values. */
    protected Matrix randomMatrix(int rows, int cols) {
        Matrix m = b.matrix(rows, cols);
        b.upload(random(rows * cols), m);
        return m;
    }

    @TearDown
    public void close() {
        if (b != null) {
            b.close();
        }
    }

    /** Random uint8 images of MNIST's shape: timings do not depend on the pixel values. */
    static org.mlp4j.data.Images syntheticMnist(int count) {
        java.util.Random r = new java.util.Random(1);
        byte[] pixels = new byte[count * 784];
        byte[] labels = new byte[count];
        r.nextBytes(pixels);
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) r.nextInt(10);
        }
        return new org.mlp4j.data.Images(pixels, labels, count, 28, 28);
    }

    static float[] random(int n) {
        java.util.Random r = new java.util.Random(2);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * 0.1);
        }
        return a;
    }
}
