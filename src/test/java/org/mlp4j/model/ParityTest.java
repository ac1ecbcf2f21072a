package org.mlp4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mlp4j.Activation;
import org.mlp4j.Output;
import org.mlp4j.TestData;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.BackendProvider;
import org.mlp4j.backend.Backends;
import org.mlp4j.backend.cpu.CpuBackend;
import org.mlp4j.backend.BackendContractTest;
import org.mlp4j.data.Images;

/**
 * Two epochs on every non-CPU backend against the CPU backend, same seed, same data (the first 12,000
 * MNIST training images, 2,000 of them for validation).
 *
 * <p>Tolerances: both sides run the same float32 algorithm, but GEMM summation order differs (cuBLAS or
 * the OpenCL tiles vs the CPU's register tiles) and expf differs by an ulp or two, so each step differs
 * by ~1e-7 relative. Over 2 x 100 steps with eta = 0.0005 these differences stay tiny (SGD is not
 * chaotic this early): weights within 1e-4 absolute (they are ~0.1), cost within 1e-4 relative, and
 * accuracies within 0.1 points (a couple of examples sitting on a decision boundary may flip).
 */
class ParityTest {
    static Stream<String> accelerators() {
        return Backends.providers().stream().map(BackendProvider::name).filter(n -> !n.equals("cpu"));
    }

    @ParameterizedTest
    @MethodSource("accelerators")
    void twoEpochsAgreeWithTheCpuBackend(String name) {
        agree(name, new int[] {784, 100, 10});
    }

    /** Two hidden layers: the backward step through hidden weights (k = 32), not only the output's. */
    @ParameterizedTest
    @MethodSource("accelerators")
    void aDeeperNetAgreesToo(String name) {
        agree(name, new int[] {784, 64, 32, 10});
    }

    /**
     * ReLU under a softmax with the mean gradient (the other tools' way), and tanh units under the book's
     * output; then the same with Adam, and with momentum on a step schedule. ReLU's derivative jumps at 0, so a pre-activation that lands on the other side of it on one
     * backend changes that step's update outright: accuracies may differ by a few more examples, a few
     * weights by up to 1e-3 and the cost by up to 1e-3 relative. A GPU backend's layer steps fold or not as
     * timed on the device (Backend.tune), so which summation order runs, and which side of the kink a value
     * lands on, can change from run to run. (At a rate
     * of 0.05 the two sides drift apart by percents within an epoch, without either being wrong.)
     */
    @ParameterizedTest
    @MethodSource("accelerators")
    void otherActivationsAndOutputsAgree(String name) {
        Hyperparameters mean = new Hyperparameters(2, 100, 0.005f, 0.0001f, 1, true, 0);
        agree(name, new int[] {784, 64, 32, 10}, Activation.RELU, Output.SOFTMAX, mean);
        agree(name, new int[] {784, 64, 10}, Activation.TANH, Output.SIGMOID, Hyperparameters.book().withEpochs(2));
        // the optimizers with device state and the schedules: ReLU + softmax + Adam, tanh + momentum on a step schedule
        agree(name, new int[] {784, 64, 32, 10}, Activation.RELU, Output.SOFTMAX,
                mean.with(Hyperparameters.Optimization.BOOK.with(org.mlp4j.Optimizer.ADAM)));
        agree(name, new int[] {784, 64, 10}, Activation.TANH, Output.SIGMOID, Hyperparameters.book().withEpochs(2).with(
                new Hyperparameters.Optimization(org.mlp4j.Optimizer.MOMENTUM, 0.9f, 0.9f, 0.999f, org.mlp4j.Schedule.STEP, 1, 0.5f, 0f)));
    }

    static void agree(String name, int[] sizes) {
        agree(name, sizes, Activation.SIGMOID, Output.SIGMOID, Hyperparameters.book().withEpochs(2));
    }

    static void agree(String name, int[] sizes, Activation act, Output out, Hyperparameters hp) {
        Images data = TestData.trainHead(12000);
        Trainer.Fit want;
        try (CpuBackend cpu = new CpuBackend(2)) {
            want = new Trainer(cpu, hp).fit(sizes, act, out, data, 2000, TrainingListener.NONE);
        }
        Trainer.Fit got;
        try (Backend b = BackendContractTest.open(name)) {
            got = new Trainer(b, hp).fit(sizes, act, out, data, 2000, TrainingListener.NONE);
        }
        List<EpochResult> w = want.history(), g = got.history();
        for (int i = 0; i < w.size(); i++) {
            String what = act + "/" + out + " ";
            double costs = act == Activation.RELU ? 1e-3 : 1e-4;
            assertEquals(w.get(i).cost(), g.get(i).cost(), costs * w.get(i).cost(), what + "cost, epoch " + (i + 1));
            double flips = act == Activation.RELU ? 0.003 : 0.001;
            assertEquals(w.get(i).trainAccuracy(), g.get(i).trainAccuracy(), flips, what + "train accuracy, epoch " + (i + 1));
            assertEquals(w.get(i).validAccuracy(), g.get(i).validAccuracy(), flips, what + "valid accuracy, epoch " + (i + 1));
        }
        for (int l = 0; l < sizes.length - 1; l++) {
            double tolerance = act == Activation.RELU ? 1e-3 : 1e-4;
            BackendContractTest.close(want.network().weights()[l], got.network().weights()[l], tolerance, act + " weights " + l);
            BackendContractTest.close(want.network().biases()[l], got.network().biases()[l], tolerance, act + " biases " + l);
        }
    }
}
