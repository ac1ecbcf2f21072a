package org.mlp4j.bench;

import java.util.concurrent.TimeUnit;
import org.mlp4j.backend.Matrix;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The sigmoid (fused with its bias add) and the sigmoid-derivative product (fused with the bias step)
 * over 10^6 elements (1000 x 1000). The {@code bytes} counter's rate is the memory traffic in bytes/s:
 * the sigmoid reads and writes z (8 bytes an element), the derivative reads g and a and writes g (12).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class ElementwiseBenchmark {
    static final int ROWS = 1000;
    static final int COLS = 1000;

    @State(Scope.Benchmark)
    public static class Data extends BackendState {
        Matrix z;
        Matrix g;
        Matrix bias;

        @Setup(Level.Trial)
        public void setUp() {
            openBackend();
            z = randomMatrix(ROWS, COLS);
            g = randomMatrix(ROWS, COLS);
            bias = b.matrix(1, COLS);
        }
    }

    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Bytes {
        public long bytes;
    }

    @Benchmark
    public void sigmoid(Data d, Bytes counter) {
        d.b.biasActivation(d.z, d.bias, org.mlp4j.Activation.SIGMOID);
        d.b.synchronize();
        counter.bytes += 8L * ROWS * COLS;
    }

    @Benchmark
    public void sigmoidDerivative(Data d, Bytes counter) {
        d.b.hiddenStep(d.g, d.z, org.mlp4j.Activation.SIGMOID, 0f, d.bias);
        d.b.synchronize();
        counter.bytes += 12L * ROWS * COLS;
    }
}
