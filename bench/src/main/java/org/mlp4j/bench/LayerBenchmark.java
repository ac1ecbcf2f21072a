package org.mlp4j.bench;

import java.util.concurrent.TimeUnit;
import org.mlp4j.backend.Matrix;
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
 * The layer ops of one SGD step of the book's 784-100-10 net on a batch of 100, each on its own with a
 * wait: the hidden layer's forward pass (GEMM 100 x 784 x 100, bias, sigmoid), the output layer's step
 * (GEMM 100 x 100 x 10, sigmoid, delta, bias step) and the hidden layer's backward step (GEMM 100 x 10 x 100
 * back through the output weights, their SGD step, the sigmoid derivative, bias step). A backend that
 * folds a GEMM into its step kernel shows it here as one launch.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class LayerBenchmark {
    @State(Scope.Benchmark)
    public static class Net extends BackendState {
        Matrix x;
        Matrix w0;
        Matrix b0;
        Matrix a1;
        Matrix d1;
        Matrix w1;
        Matrix b1;
        Matrix a2;
        Matrix d2;
        Matrix labels;

        @Setup(Level.Trial)
        public void setUp() {
            openBackend();
            x = randomMatrix(100, 784);
            w0 = randomMatrix(784, 100);
            b0 = randomMatrix(1, 100);
            a1 = randomMatrix(100, 100);
            d1 = randomMatrix(100, 100);
            w1 = randomMatrix(100, 10);
            b1 = randomMatrix(1, 10);
            a2 = randomMatrix(100, 10);
            d2 = randomMatrix(100, 10);
            labels = b.matrix(100, 1);
        }
    }

    @Benchmark
    public void hiddenForward(Net n) {
        n.b.layerForward(n.x, n.w0, n.b0, org.mlp4j.Activation.SIGMOID, n.a1);
        n.b.synchronize();
    }

    @Benchmark
    public void outputStep(Net n) {
        // eta 0 keeps the parameters as they are over the iterations
        n.b.outputLayerStep(n.a1, n.w1, n.b1, n.labels, org.mlp4j.Output.SIGMOID, 0f, n.a2, n.d2);
        n.b.synchronize();
    }

    @Benchmark
    public void hiddenBackward(Net n) {
        n.b.hiddenLayerStep(n.d2, n.w1, 1f, n.a1, org.mlp4j.Activation.SIGMOID, 0f, n.b0, n.d1);
        n.b.synchronize();
    }
}
