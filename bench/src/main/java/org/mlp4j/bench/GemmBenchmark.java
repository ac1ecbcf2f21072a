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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Every GEMM shape of the book's network, with its transposes, those of 784-1024-10 and 784-512-512-10
 * that the book's lacks, the evaluation's, and one large square product. The device
 * is synchronised inside the measured call. Scores are calls/s; the {@code flop} counter is FLOP/s.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class GemmBenchmark {
    @State(Scope.Benchmark)
    public static class Shape extends BackendState {
        /** name:m x n x k:transposes, op(A) m x k times op(B) k x n. */
        @Param({"forward-hidden:100x100x784:NN", "forward-output:100x10x100:NN", "backprop-error:100x100x10:NT",
                "grad-w-hidden:784x100x100:TN", "grad-w-output:100x10x100:TN", "evaluate-hidden:5000x100x784:NN",
                "forward-1024:100x1024x784:NN", "grad-w-1024:784x1024x100:TN", "backprop-1024:100x1024x10:NT",
                "forward-512-512:100x512x512:NN", "backprop-512-512:100x512x512:NT", "grad-w-512-512:512x512x100:TN",
                "square:2048x2048x2048:NN"})
        public String shape;

        boolean transA;
        boolean transB;
        long flop;
        Matrix a;
        Matrix bm;
        Matrix c;

        @Setup(Level.Trial)
        public void setUp() {
            openBackend();
            String[] p = shape.split(":");
            String[] d = p[1].split("x");
            int m = Integer.parseInt(d[0]), n = Integer.parseInt(d[1]), k = Integer.parseInt(d[2]);
            transA = p[2].charAt(0) == 'T';
            transB = p[2].charAt(1) == 'T';
            a = transA ? randomMatrix(k, m) : randomMatrix(m, k);
            bm = transB ? randomMatrix(n, k) : randomMatrix(k, n);
            c = b.matrix(m, n);
            flop = 2L * m * n * k;
        }
    }

    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Flop {
        public long flop;
    }

    @Benchmark
    public void gemm(Shape s, Flop counter) {
        s.b.gemm(s.transA, s.transB, 1f, s.a, s.bm, 0f, s.c);
        s.b.synchronize();
        counter.flop += s.flop;
    }
}
