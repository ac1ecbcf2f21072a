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
import org.mlp4j.backend.DeviceFaults;
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
     * Two hidden layers of 512 at batch 250 (issue 23's shape), where a GPU backend times its layer steps folded
     * and not, and CUDA whole steps against layer by layer: whichever the timing keeps, the book's tolerances
     * hold. Two steps an epoch (500 training and 500 validation examples) keep it short on the CPU stand-ins.
     */
    @ParameterizedTest
    @MethodSource("accelerators")
    void twoWideLayersAtBatch250AgreeToo(String name) {
        agree(name, new int[] {784, 512, 512, 10}, Activation.SIGMOID, Output.SIGMOID, new Hyperparameters(2, 250, 0.0005f, 0.01f, 1),
                TestData.trainHead(1000), 500);
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

    /**
     * Where a backend runs whole steps (CUDA: train_steps, one launch, on each of its grids, and on compute capability
     * 9.0 cluster_steps for a net of one hidden layer under sigmoid outputs; OpenCL: each of its ways
     * to step_updates), 25 of them change a network as 25 steps through the layer ops do, within float rounding (the sums run
     * in another order): no hidden layer (as the library allows) under sigmoid units and under a softmax with the
     * averaged gradient, the book's net, ReLU under a softmax with the averaged gradient over two hidden layers,
     * tanh over one, sigmoid units over three layers one unit wide (the smallest products) and over one wider
     * than OpenCL's work-groups of an example (its outputs in two rounds), and a softmax over inputs too many for
     * OpenCL's step_rows (its products' way alone), and, on OpenCL, a net of more weights than the loops of CUDA's and
     * OpenCL's step_rows take on (its products' way alone), nets of four and seven layers (that way's updates in
     * groups of three layers), but not one past the weights that way takes on. The CPU's, which
     * give the same bits as its layer steps, are tested in CpuWholeStepsTest.
     */
    @ParameterizedTest
    @MethodSource("accelerators")
    void wholeStepsDoWhatTheLayerStepsDo(String name) {
        try (Backend b = BackendContractTest.open(name)) {
            wholeSteps(b, new int[] {37, 3}, Activation.SIGMOID, Output.SIGMOID, 7, false);
            wholeSteps(b, new int[] {37, 4}, Activation.SIGMOID, Output.SOFTMAX, 7, true);
            wholeSteps(b, new int[] {784, 100, 10}, Activation.SIGMOID, Output.SIGMOID, 100, false);
            wholeSteps(b, new int[] {50, 64, 32, 10}, Activation.RELU, Output.SOFTMAX, 30, true);
            wholeSteps(b, new int[] {37, 20, 3}, Activation.TANH, Output.SIGMOID, 7, false);
            wholeSteps(b, new int[] {40, 1, 1, 2}, Activation.SIGMOID, Output.SIGMOID, 20, false);
            wholeSteps(b, new int[] {40, 1100, 2}, Activation.SIGMOID, Output.SIGMOID, 3, false);
            wholeSteps(b, new int[] {4100, 3, 2}, Activation.SIGMOID, Output.SOFTMAX, 5, false);
            // more rows than a block of 256 has threads, which CUDA's deferred ways take in their shorter blocks of
            // steps alone (CudaBackend.DEFERRED_GRAM_ROWS)
            wholeSteps(b, new int[] {100, 20, 10}, Activation.SIGMOID, Output.SIGMOID, 300, false);
            if (b.name().equals("opencl")) {
                wholeSteps(b, new int[] {1100, 1000, 2}, Activation.SIGMOID, Output.SIGMOID, 3, false);
                // inputs two of step_tiles' tiles of w0 down (OpenClBackend.FIRST_TILE_ROWS): the bias's row a tile alone
                wholeSteps(b, new int[] {128, 20, 3}, Activation.SIGMOID, Output.SIGMOID, 7, false);
                // deeper than step_updates's three slots: its launches a group of three layers, the last group of one
                wholeSteps(b, new int[] {30, 16, 12, 8, 3}, Activation.SIGMOID, Output.SIGMOID, 10, false);
                wholeSteps(b, new int[] {23, 9, 8, 7, 6, 5, 4, 3}, Activation.RELU, Output.SOFTMAX, 6, true);
                // past GpuBackend.PRODUCT_STEPS_PARAMETERS weights, none: the trainer would time them on a copy
                DeviceNet large = new DeviceNet(b, Network.initialize(new int[] {4097, 2048, 1}, Network.Input.FEATURES, Activation.SIGMOID,
                        Output.SIGMOID, new NumpyRandom(3)));
                org.junit.jupiter.api.Assertions.assertNull(large.wholeSteps(large.workspace(2), null), "whole steps of 4097-2048-1");
            }
        }
    }

    /**
     * With another optimizer or a rate that changes (the general step): a GPU's whole steps (the layer ops'
     * products, then optimize_layer on each layer) change a network and its optimizer state as 25 general steps
     * through the layer ops do, within float rounding, for each optimizer, a schedule of SGD, a net of four layers,
     * one without a hidden layer and the README's 784-256-128-10.
     */
    @ParameterizedTest
    @MethodSource("accelerators")
    void wholeStepsWithAnOptimizerDoWhatTheLayerStepsDo(String name) {
        Hyperparameters.Optimization book = Hyperparameters.Optimization.BOOK;
        try (Backend b = BackendContractTest.open(name)) {
            optimizerSteps(b, new int[] {784, 100, 10}, Activation.SIGMOID, Output.SIGMOID, 100, false, book.with(org.mlp4j.Optimizer.ADAM));
            optimizerSteps(b, new int[] {784, 100, 10}, Activation.SIGMOID, Output.SIGMOID, 100, false, book.with(org.mlp4j.Schedule.COSINE));
            optimizerSteps(b, new int[] {50, 70, 3}, Activation.TANH, Output.SIGMOID, 7, false, book.with(org.mlp4j.Optimizer.MOMENTUM));
            optimizerSteps(b, new int[] {37, 200, 10}, Activation.RELU, Output.SOFTMAX, 30, true, book.with(org.mlp4j.Optimizer.NESTEROV));
            optimizerSteps(b, new int[] {40, 70, 33, 17, 5}, Activation.LEAKY_RELU, Output.SIGMOID, 7, false, book.with(org.mlp4j.Optimizer.ADAM));
            optimizerSteps(b, new int[] {37, 4}, Activation.SIGMOID, Output.SOFTMAX, 7, true, book.with(org.mlp4j.Optimizer.ADAM));
            optimizerSteps(b, new int[] {784, 256, 128, 10}, Activation.RELU, Output.SOFTMAX, 100, true, book.with(org.mlp4j.Optimizer.ADAM));
        }
    }

    private static void optimizerSteps(Backend b, int[] sizes, Activation act, Output out, int batch, boolean mean,
                                       Hyperparameters.Optimization optimizer) {
        List<java.util.Map<String, float[]>> states = new java.util.ArrayList<>();
        Network[] ends = bothWays(b, sizes, act, out, batch, mean, optimizer, states, null);
        String what = act + "/" + out + " " + optimizer.optimizer() + "/" + optimizer.schedule() + " " + java.util.Arrays.toString(sizes);
        org.junit.jupiter.api.Assertions.assertNotNull(ends, b.name() + " runs whole steps of " + what);
        double tolerance = act == Activation.SIGMOID ? 1e-5 : 1e-4;
        assertEquals(states.get(0).keySet(), states.get(1).keySet(), what);
        for (String state : states.get(0).keySet()) {
            BackendContractTest.close(states.get(0).get(state), states.get(1).get(state), tolerance, what + " " + state);
        }
        for (int l = 0; l < sizes.length - 1; l++) {
            BackendContractTest.close(ends[0].weights()[l], ends[1].weights()[l], tolerance, what + " layer " + l + " weights");
            BackendContractTest.close(ends[0].biases()[l], ends[1].biases()[l], tolerance, what + " layer " + l + " biases");
        }
    }

    /**
     * The trainer runs whole steps where a run chose them: an epoch resumed from a checkpoint whose choice
     * says "whole" (so untimed, whichever is faster on this machine) ends as the same epoch resumed
     * layer by layer does, within the rounding of {@link #wholeStepsDoWhatTheLayerStepsDo}, and says how
     * they run.
     */
    @ParameterizedTest
    @MethodSource("accelerators")
    void theTrainerRunsWholeStepsWhereTheyWereChosen(String name) {
        Images data = TestData.trainHead(3000);
        Hyperparameters hp = Hyperparameters.book().withEpochs(2);
        try (Backend b = BackendContractTest.open(name)) {
            Trainer.Fit part = new Trainer(b, hp).fit(new int[] {784, 30, 10}, data, 500, TrainerTest.stopAt(2, 0));
            Trainer.Checkpoint c = part.last();
            boolean timed = c.choices().stream().anyMatch(ch -> ch.part() == Backend.Choice.Part.WHOLE);
            org.junit.jupiter.api.Assertions.assertTrue(timed, "whole steps timed on " + b.name() + ": " + c.choices());
            Network[] ends = new Network[2];
            for (int i = 0; i < 2; i++) {
                boolean whole = i == 0;
                List<Backend.Choice> forced = c.choices().stream()
                        .map(ch -> ch.part() != Backend.Choice.Part.WHOLE ? ch
                                : new Backend.Choice(ch.part(), ch.rows(), ch.k(), ch.cols(), whole, ch.foldedSeconds(), ch.unfoldedSeconds()))
                        .toList();
                Trainer.Checkpoint f = new Trainer.Checkpoint(c.hp(), c.examples(), c.valid(), c.dataDigest(), c.network(), c.epoch(), c.step(), c.random(),
                        c.history(), c.best(), c.optimizerState(), forced, c.tunedOn());
                List<String> notes = new java.util.ArrayList<>();
                ends[i] = new Trainer(b, hp).resume(f, data, new TrainingListener() {
                    @Override
                    public void note(String line) {
                        notes.add(line);
                    }
                }).network();
                // whole steps name their way where the device has several and another than the first was fastest
                String said = whole ? ": whole(, way \\d+)?" : ": layer by layer";
                org.junit.jupiter.api.Assertions.assertTrue(notes.stream().anyMatch(n -> n.matches("steps of .*" + said)), notes.toString());
                // --verbose says how they run on the device where they run
                assertEquals(whole, notes.stream().anyMatch(n -> n.matches("whole steps: (\\d+ blocks of \\d+ threads, weight tiles |one thread block cluster |(two|three) launches a step: "
                        + "|the layer ops' products, then ).*")),
                        notes.toString());
            }
            for (int l = 0; l < 2; l++) {
                BackendContractTest.close(ends[1].weights()[l], ends[0].weights()[l], 1e-5, "layer " + l + " weights");
                BackendContractTest.close(ends[1].biases()[l], ends[0].biases()[l], 1e-5, "layer " + l + " biases");
            }
        }
    }

    /**
     * A run with an optimizer makes the choices a run of the book's SGD makes (each layer step's fold and each
     * product's split, which its products and its whole steps run), and times its whole steps as the book's are
     * timed.
     */
    @ParameterizedTest
    @MethodSource("accelerators")
    void aRunWithAnOptimizerTimesItsChoices(String name) {
        Images data = TestData.trainHead(1000);
        Hyperparameters sgd = Hyperparameters.book().withEpochs(1);
        Hyperparameters adam = sgd.with(Hyperparameters.Optimization.BOOK.with(org.mlp4j.Optimizer.ADAM));
        try (Backend b = BackendContractTest.open(name)) {
            List<Backend.Choice> book = new Trainer(b, sgd).fit(new int[] {784, 30, 10}, data, 200, TrainingListener.NONE).last().choices();
            List<Backend.Choice> made = new Trainer(b, adam).fit(new int[] {784, 30, 10}, data, 200, TrainingListener.NONE).last().choices();
            java.util.function.Function<List<Backend.Choice>, List<String>> layerSteps = cs -> cs.stream()
                    .filter(c -> c.part() != Backend.Choice.Part.WHOLE).map(c -> c.part() + " " + c.rows() + "x" + c.k() + "x" + c.cols()).toList();
            org.junit.jupiter.api.Assertions.assertFalse(layerSteps.apply(book).isEmpty(), b.name() + " chooses no layer step for the book's net");
            assertEquals(layerSteps.apply(book), layerSteps.apply(made), b.name());
            List<Backend.Choice> whole = made.stream().filter(c -> c.part() == Backend.Choice.Part.WHOLE).toList();
            assertEquals(1, whole.size(), made.toString());
            whole.forEach(c -> org.junit.jupiter.api.Assertions.assertFalse(Double.isNaN(c.foldedSeconds()), "timed: " + c));
        }
    }

    /**
     * Whole steps, each way of them (Backend.Steps#alternatives), against layer steps: the networks, and the last
     * step's activations and deltas each leaves.
     */
    private static void wholeSteps(Backend b, int[] sizes, Activation act, Output out, int batch, boolean mean) {
        for (int way = 0; ; way++) {
            List<float[]> last = new java.util.ArrayList<>();
            Network[] ends = bothWays(b, sizes, act, out, batch, mean, null, null, last, way);
            if (ends == null) {
                org.junit.jupiter.api.Assertions.assertTrue(way > 0, b.name() + " runs whole steps of " + java.util.Arrays.toString(sizes));
                return;
            }
            double tolerance = act == Activation.RELU ? 1e-4 : 1e-5;
            int layers = sizes.length - 1;
            for (int l = 0; l < layers; l++) {
                String what = act + "/" + out + " " + java.util.Arrays.toString(sizes) + " way " + (way + 1) + " layer " + l;
                BackendContractTest.close(ends[0].weights()[l], ends[1].weights()[l], tolerance, what + " weights");
                BackendContractTest.close(ends[0].biases()[l], ends[1].biases()[l], tolerance, what + " biases");
                BackendContractTest.close(last.get(2 * l), last.get(2 * (layers + l)), tolerance, what + " activations of the last step");
                BackendContractTest.close(last.get(2 * l + 1), last.get(2 * (layers + l) + 1), tolerance, what + " deltas of the last step");
            }
        }
    }

    /**
     * 25 steps on random data from the same start, through the layer ops and through the backend's whole steps:
     * the two networks, in that order, or null where the backend has no whole steps for the network.
     */
    static Network[] bothWays(Backend b, int[] sizes, Activation act, Output out, int batch, boolean mean) {
        return bothWays(b, sizes, act, out, batch, mean, null, null, null);
    }

    /**
     * As {@link #bothWays(Backend, int[], Activation, Output, int, boolean)}, by the general step with {@code optimizer}'s
     * buffers unless it is null; each way's optimizer state after the steps goes into {@code states}, and unless
     * {@code last} is null, the activations and deltas each way left in its workspace, layer after layer (each
     * layer's activations, then its deltas), the layer ops' first.
     */
    static Network[] bothWays(Backend b, int[] sizes, Activation act, Output out, int batch, boolean mean, Hyperparameters.Optimization optimizer,
                              java.util.List<java.util.Map<String, float[]>> states, List<float[]> last) {
        return bothWays(b, sizes, act, out, batch, mean, optimizer, states, last, 0);
    }

    /** As the above, through way {@code way} of the whole steps (numbered as a Backend.Choice numbers them); null where there is none. */
    static Network[] bothWays(Backend b, int[] sizes, Activation act, Output out, int batch, boolean mean, Hyperparameters.Optimization optimizer,
                              java.util.List<java.util.Map<String, float[]>> states, List<float[]> last, int way) {
        Network initial = Network.initialize(sizes, Network.Input.FEATURES, act, out, new NumpyRandom(3));
        DeviceNet layered = new DeviceNet(b, initial), whole = new DeviceNet(b, initial);
        DeviceNet.Workspace lws = layered.workspace(batch), wws = whole.workspace(batch);
        DeviceNet.Optimizing lo = null, wo = null;
        float eta = optimizer != null && optimizer.optimizer() == org.mlp4j.Optimizer.ADAM ? 0.001f : mean ? 0.05f : 0.0005f, l2 = 0.01f;
        if (optimizer != null) {
            lo = layered.optimizing(optimizer.optimizer());
            wo = whole.optimizing(optimizer.optimizer());
            for (DeviceNet.Optimizing o : new DeviceNet.Optimizing[] {lo, wo}) {
                o.set(eta, mean ? 1f / batch : 1f, l2, optimizer, 0);
            }
        }
        Backend.Steps first = whole.wholeSteps(wws, wo);
        if (first == null || way > first.alternatives().size()) {
            return null;
        }
        Backend.Steps steps = way == 0 ? first : first.alternatives().get(way - 1);
        // a way that faulted or hung this device in a run before (the GPU check's first runs) fails at once: run again, it
        // would stop or hang the tests after it too
        String fault = DeviceFaults.ofUser().remembered(b.device()).get(DeviceFaults.kind(steps));
        org.junit.jupiter.api.Assertions.assertNull(fault, "way " + (way + 1) + " (" + steps + ") faulted this device in an earlier run");
        int count = 25;
        java.util.Random r = new java.util.Random(5);
        float[] x = new float[count * batch * sizes[0]];
        float[] y = new float[count * batch];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < y.length; i++) {
            y[i] = r.nextInt(sizes[sizes.length - 1]);
        }
        org.mlp4j.backend.Matrix xs = b.matrix(count * batch, sizes[0]), ys = b.matrix(count * batch, 1);
        b.upload(x, xs);
        b.upload(y, ys);
        for (int s = 0; s < count; s++) {
            if (lo == null) {
                layered.trainStep(lws, xs.rows(s * batch, batch), ys.rows(s * batch, batch), eta, l2, mean);
            } else {
                layered.trainStep(lo, lws, xs.rows(s * batch, batch), ys.rows(s * batch, batch));
            }
        }
        // in two calls, as a run's segments make them: the parts' copies of the first weights and state go back between
        whole.trainSteps(steps, wws, xs.rows(0, 10 * batch), ys.rows(0, 10 * batch), eta, l2, mean);
        whole.trainSteps(steps, wws, xs.rows(10 * batch, (count - 10) * batch), ys.rows(10 * batch, (count - 10) * batch), eta, l2, mean);
        if (states != null && lo != null) {
            states.add(lo.state());
            states.add(wo.state());
        }
        for (DeviceNet.Workspace ws : last != null ? List.of(lws, wws) : List.<DeviceNet.Workspace>of()) {
            for (int l = 1; l < sizes.length; l++) {
                for (org.mlp4j.backend.Matrix m : new org.mlp4j.backend.Matrix[] {ws.activations[l], ws.deltas[l]}) {
                    float[] host = new float[m.size()];
                    b.download(m, host);
                    last.add(host);
                }
            }
        }
        Network[] ends = {layered.download(), whole.download()};
        // the trainer's check of each way at the start of a run (WholeStepsChoice.WAYS_AGREE) passes this way
        WholeStepsChoice.Disagreement d = WholeStepsChoice.disagreement(initial, ends[0], ends[1]);
        org.junit.jupiter.api.Assertions.assertTrue(d.agrees(), b.name() + " " + java.util.Arrays.toString(sizes) + " way " + (way + 1) + ": " + d);
        return ends;
    }

    /**
     * An epoch gathered a segment at a time, where the device has no ample memory for all its minibatches, trains as
     * the whole epoch gathered at once on the same device: its parameters and accuracies; its cost in the evaluation's
     * chunks of the dataset rather than of the device's rows.
     */
    @ParameterizedTest
    @MethodSource("accelerators")
    void anEpochGatheredASegmentAtATimeTrainsAsAWholeOne(String name) {
        Images data = TestData.trainHead(6500);
        Hyperparameters hp = new Hyperparameters(2, 230, 0.0005f, 0.01f, 1);
        int[] sizes = {784, 30, 10};
        try (Backend b = BackendContractTest.open(name)) {
            Backend tight = TrainerTest.answering(b, java.util.Map.of("memoryAvailable", 0L), new java.util.ArrayList<>());
            Backend roomy = TrainerTest.answering(b, java.util.Map.of("memoryAvailable", Long.MAX_VALUE), new java.util.ArrayList<>());
            Trainer.Fit whole = new Trainer(roomy, hp).fit(sizes, data, 500, TrainingListener.NONE);
            Trainer.Fit segments = new Trainer(tight, hp).fit(sizes, data, 500, TrainingListener.NONE);
            for (int i = 0; i < 2; i++) {
                EpochResult w = whole.history().get(i), s = segments.history().get(i);
                assertEquals(w.cost(), s.cost(), 1e-6 * w.cost(), "cost, epoch " + (i + 1));
                assertEquals(w.trainAccuracy(), s.trainAccuracy(), 0.0, "train accuracy, epoch " + (i + 1));
                assertEquals(w.validAccuracy(), s.validAccuracy(), 0.0, "valid accuracy, epoch " + (i + 1));
            }
            for (int l = 0; l < 2; l++) {
                BackendContractTest.close(whole.network().weights()[l], segments.network().weights()[l], 1e-6, "layer " + l + " weights");
                BackendContractTest.close(whole.network().biases()[l], segments.network().biases()[l], 1e-6, "layer " + l + " biases");
            }
        }
    }

    static void agree(String name, int[] sizes) {
        agree(name, sizes, Activation.SIGMOID, Output.SIGMOID, Hyperparameters.book().withEpochs(2));
    }

    static void agree(String name, int[] sizes, Activation act, Output out, Hyperparameters hp) {
        agree(name, sizes, act, out, hp, TestData.trainHead(12000), 2000);
    }

    /** The epochs of {@code hp} over {@code data} ({@code valid} of it for validation) on {@code name} and on the cpu backend. */
    static void agree(String name, int[] sizes, Activation act, Output out, Hyperparameters hp, Images data, int valid) {
        Trainer.Fit want;
        try (CpuBackend cpu = new CpuBackend(2)) {
            want = new Trainer(cpu, hp).fit(sizes, act, out, data, valid, TrainingListener.NONE);
        }
        Trainer.Fit got;
        try (Backend b = BackendContractTest.open(name)) {
            got = new Trainer(b, hp).fit(sizes, act, out, data, valid, TrainingListener.NONE);
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
