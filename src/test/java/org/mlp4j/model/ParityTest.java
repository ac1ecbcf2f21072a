package org.mlp4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
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

    static void agree(String name, int[] sizes) {
        Images data = TestData.trainHead(12000);
        Hyperparameters hp = Hyperparameters.book().withEpochs(2);
        Trainer.Fit want;
        try (CpuBackend cpu = new CpuBackend(2)) {
            want = new Trainer(cpu, hp).fit(sizes, data, 2000, TrainingListener.NONE);
        }
        Trainer.Fit got;
        try (Backend b = BackendContractTest.open(name)) {
            got = new Trainer(b, hp).fit(sizes, data, 2000, TrainingListener.NONE);
        }
        List<EpochResult> w = want.history(), g = got.history();
        for (int i = 0; i < w.size(); i++) {
            assertEquals(w.get(i).cost(), g.get(i).cost(), 1e-4 * w.get(i).cost(), "cost, epoch " + (i + 1));
            assertEquals(w.get(i).trainAccuracy(), g.get(i).trainAccuracy(), 0.001, "train accuracy, epoch " + (i + 1));
            assertEquals(w.get(i).validAccuracy(), g.get(i).validAccuracy(), 0.001, "valid accuracy, epoch " + (i + 1));
        }
        for (int l = 0; l < sizes.length - 1; l++) {
            BackendContractTest.close(want.network().weights()[l], got.network().weights()[l], 1e-4, "weights " + l);
            BackendContractTest.close(want.network().biases()[l], got.network().biases()[l], 1e-4, "biases " + l);
        }
    }
}
