package org.mlp4j.bench;

import java.util.concurrent.TimeUnit;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.Matrix;
import org.mlp4j.data.Images;
import org.mlp4j.model.DeviceNet;
import org.mlp4j.model.Hyperparameters;
import org.mlp4j.model.Network;
import org.mlp4j.model.NumpyRandom;
import org.mlp4j.model.Trainer;
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
 * The book's 784-100-10 network: one SGD step of 100 examples, one epoch (550 steps plus the evaluation,
 * as {@code mlp4j train} runs it), and the evaluation pass (forward, cost and accuracy) over 60,000
 * examples. Each call waits for the device.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class TrainingBenchmark {
    static final int[] SIZES = {784, 100, 10};

    @State(Scope.Benchmark)
    public static class Model extends BackendState {
        Images data;
        DeviceNet net;
        DeviceNet.Workspace batch;
        DeviceNet.Workspace chunk;
        Matrix x;
        Matrix y;
        Backend.Examples examples;
        Backend.Order identity;
        Backend.Accumulator acc;
        Trainer.Session session;

        @Setup(Level.Trial)
        public void setUp() {
            openBackend();
            data = syntheticMnist(60000);
            net = new DeviceNet(b, Network.initialize(SIZES, new NumpyRandom(1)));
            batch = net.workspace(100);
            chunk = net.workspace(5000);
            examples = b.upload(data.pixels(), data.labels(), data.count(), data.features());
            identity = Trainer.identity(b, data.count());
            x = b.matrix(100, 784);
            y = b.matrix(100, 1);
            b.gather(examples, identity, 0, x, y);
            acc = b.accumulator(2);
            session = new Trainer(b, Hyperparameters.book()).start(SIZES, org.mlp4j.Activation.SIGMOID, org.mlp4j.Output.SIGMOID, data, 5000);
        }
    }

    @Benchmark
    public void sgdStep(Model m) {
        m.net.trainStep(m.batch, m.x, m.y, 0.0005f, 0.01f, false);
        m.b.synchronize();
    }

    @Benchmark
    public double epoch(Model m) {
        return m.session.next().cost();
    }

    @Benchmark
    public double evaluation60k(Model m) {
        m.b.reset(m.acc);
        m.net.evaluate(m.chunk, m.examples, m.identity, 0, m.data.count(), m.acc, 0, 1);
        return m.b.read(m.acc)[1];
    }
}
