package org.mlp4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mlp4j.Activation;
import org.mlp4j.Optimizer;
import org.mlp4j.Output;
import org.mlp4j.Schedule;
import org.mlp4j.TestData;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.cpu.CpuBackend;
import org.mlp4j.data.Images;

/**
 * The CPU backend's whole steps (several threads, the first hidden layer's units split between them) compute the
 * same bits as its layer steps, so a run ends where it ends on one thread; the trainer takes them untimed where every
 * thread holds a part of the units.
 */
class CpuWholeStepsTest {
    @Test
    void wholeStepsGiveTheBitsOfTheLayerSteps() {
        try (CpuBackend two = new CpuBackend(2); CpuBackend three = new CpuBackend(3)) {
            same(two, new int[] {784, 100, 10}, Activation.SIGMOID, Output.SIGMOID, 100, false);
            // 70 units: parts of 32 and 38, the second's last columns a half strip
            same(two, new int[] {50, 70, 3}, Activation.TANH, Output.SIGMOID, 7, false);
            same(three, new int[] {37, 200, 10}, Activation.RELU, Output.SOFTMAX, 30, true);
            // deeper: the layers above the first hidden layer through the layer ops between the sections
            same(two, new int[] {784, 100, 100, 10}, Activation.SIGMOID, Output.SIGMOID, 100, false);
            same(three, new int[] {50, 64, 32, 10}, Activation.RELU, Output.SOFTMAX, 30, true);
            same(two, new int[] {40, 70, 33, 17, 5}, Activation.TANH, Output.SIGMOID, 7, false);
        }
    }

    /** With another optimizer or a schedule (the general step): the same bits, and the same optimizer state, as its layer steps. */
    @Test
    void wholeStepsWithAnOptimizerGiveTheBitsOfTheLayerSteps() {
        Hyperparameters.Optimization book = Hyperparameters.Optimization.BOOK;
        try (CpuBackend two = new CpuBackend(2); CpuBackend three = new CpuBackend(3)) {
            same(two, new int[] {784, 100, 10}, Activation.SIGMOID, Output.SIGMOID, 100, false, book.with(Optimizer.ADAM));
            same(two, new int[] {784, 100, 10}, Activation.SIGMOID, Output.SIGMOID, 100, false, book.with(Schedule.COSINE));
            same(two, new int[] {50, 70, 3}, Activation.TANH, Output.SIGMOID, 7, false, book.with(Optimizer.MOMENTUM));
            same(three, new int[] {37, 200, 10}, Activation.RELU, Output.SOFTMAX, 30, true, book.with(Optimizer.NESTEROV));
            same(two, new int[] {784, 100, 100, 10}, Activation.RELU, Output.SOFTMAX, 100, true, book.with(Optimizer.ADAM));
            same(three, new int[] {50, 64, 32, 10}, Activation.TANH, Output.SOFTMAX, 30, true, book.with(Optimizer.MOMENTUM));
            same(two, new int[] {40, 70, 33, 17, 5}, Activation.LEAKY_RELU, Output.SIGMOID, 7, false, book.with(Optimizer.ADAM));
        }
    }

    @Test
    void noneWhereThereIsNothingToSplit() {
        try (CpuBackend one = new CpuBackend(1); CpuBackend two = new CpuBackend(2)) {
            assertNull(steps(one, new int[] {784, 100, 10}, 100), "one thread");
            assertNull(steps(two, new int[] {784, 20, 10}, 100), "a hidden layer of one strip");
            assertNull(steps(two, new int[] {784, 20, 300, 10}, 100), "a first hidden layer of one strip");
            assertNull(steps(two, new int[] {784, 10}, 100), "no hidden layer");
            assertNotNull(steps(two, new int[] {784, 64, 10}, 100), "a hidden layer of two strips");
        }
    }

    @Test
    void theTrainerTakesThemUntimedAndEndsWhereOneThreadDoes() {
        List<String> notes = new ArrayList<>();
        endsWhereOneThreadDoes(2, notes);
        assertTrue(notes.contains("steps of 100 examples: whole (not timed)"), notes.toString());
        assertTrue(notes.contains("whole steps: 2 threads, the hidden units split 64 + 36"), notes.toString());
    }

    /**
     * With more threads than the first hidden layer has strips (the book's 100 units are 4), a thread has no part:
     * the trainer times the whole steps against the layer ops, keeps the faster, and ends where one thread does.
     */
    @Test
    void withMoreThreadsThanStripsTheTrainerTimesThem() {
        try (CpuBackend four = new CpuBackend(4); CpuBackend five = new CpuBackend(5)) {
            assertTrue(steps(four, new int[] {784, 100, 10}, 100).untimed(), "a part a thread");
            assertFalse(steps(five, new int[] {784, 100, 10}, 100).untimed(), "a thread without a part");
        }
        List<String> notes = new ArrayList<>();
        endsWhereOneThreadDoes(5, notes);
        assertTrue(notes.stream().anyMatch(n -> n.matches("steps of 100 examples: whole [0-9.]+ us, layer by layer [0-9.]+ us: (whole|layer by layer)")),
                notes.toString());
    }

    /** Two epochs of the book's net on {@code threads}, its notes into {@code notes}: the history and parameters of one thread's. */
    private static void endsWhereOneThreadDoes(int threads, List<String> notes) {
        Images data = TestData.trainHead(3000);
        Hyperparameters hp = Hyperparameters.book().withEpochs(2);
        Trainer.Fit many, one;
        try (CpuBackend b = new CpuBackend(threads)) {
            many = new Trainer(b, hp).fit(new int[] {784, 100, 10}, data, 500, new TrainingListener() {
                @Override
                public void note(String line) {
                    notes.add(line);
                }
            });
        }
        try (CpuBackend b = new CpuBackend(1)) {
            one = new Trainer(b, hp).fit(new int[] {784, 100, 10}, data, 500, TrainingListener.NONE);
        }
        assertEquals(one.history().size(), many.history().size());
        for (int e = 0; e < one.history().size(); e++) {
            EpochResult w = one.history().get(e), g = many.history().get(e);
            assertEquals(w.cost(), g.cost(), "cost, epoch " + (e + 1));
            assertEquals(w.trainAccuracy(), g.trainAccuracy(), "train accuracy, epoch " + (e + 1));
            assertEquals(w.validAccuracy(), g.validAccuracy(), "valid accuracy, epoch " + (e + 1));
        }
        for (int l = 0; l < 2; l++) {
            assertArrayEquals(one.network().weights()[l], many.network().weights()[l], "layer " + l + " weights");
            assertArrayEquals(one.network().biases()[l], many.network().biases()[l], "layer " + l + " biases");
        }
    }

    private static Backend.Steps steps(Backend b, int[] sizes, int batch) {
        Network initial = Network.initialize(sizes, Network.Input.FEATURES, Activation.SIGMOID, Output.SIGMOID, new NumpyRandom(3));
        DeviceNet net = new DeviceNet(b, initial);
        return net.wholeSteps(net.workspace(batch), null);
    }

    /** 25 steps on random data each way from the same start ({@link ParityTest#bothWays}): the same bits. */
    private static void same(Backend b, int[] sizes, Activation act, Output out, int batch, boolean mean) {
        same(b, sizes, act, out, batch, mean, null);
    }

    private static void same(Backend b, int[] sizes, Activation act, Output out, int batch, boolean mean, Hyperparameters.Optimization optimizer) {
        List<Map<String, float[]>> states = new ArrayList<>();
        Network[] ends = ParityTest.bothWays(b, sizes, act, out, batch, mean, optimizer, states, null);
        assertNotNull(ends, Arrays.toString(sizes));
        if (optimizer != null && optimizer.optimizer() != Optimizer.SGD) {
            assertEquals(2, states.size());
            assertEquals(states.get(0).keySet(), states.get(1).keySet());
            assertFalse(states.get(0).isEmpty());
            for (String name : states.get(0).keySet()) {
                assertArrayEquals(states.get(0).get(name), states.get(1).get(name), optimizer.optimizer() + " " + Arrays.toString(sizes) + " " + name);
            }
        }
        for (int l = 0; l < sizes.length - 1; l++) {
            String what = act + "/" + out + " " + (optimizer == null ? "" : optimizer.optimizer() + "/" + optimizer.schedule() + " ")
                    + Arrays.toString(sizes) + " layer " + l;
            assertArrayEquals(ends[0].weights()[l], ends[1].weights()[l], what + " weights");
            assertArrayEquals(ends[0].biases()[l], ends[1].biases()[l], what + " biases");
        }
    }
}
