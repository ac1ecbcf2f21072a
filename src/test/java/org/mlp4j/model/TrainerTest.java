package org.mlp4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mlp4j.TestData;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.cpu.CpuBackend;
import org.mlp4j.data.Images;

class TrainerTest {
    static final Hyperparameters SHORT = new Hyperparameters(2, 100, 0.0005f, 0.01f, 1);

    static List<EpochResult> train(Images data, Hyperparameters hp, int valid) {
        try (CpuBackend cpu = new CpuBackend(2)) {
            return new Trainer(cpu, hp).fit(new int[] {784, 30, 10}, data, valid, TrainingListener.NONE).history();
        }
    }

    /** A run's estimate counts an optimizer's gradients and state: an array a parameter for each it keeps. */
    @Test
    void theFootprintCountsTheOptimizersArrays() {
        int[] sizes = {784, 256, 128, 10};
        long params = 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10;
        Hyperparameters.Optimization book = Hyperparameters.Optimization.BOOK;
        long base = Trainer.footprint(sizes, 60000, Network.Input.PIXELS, 5000, 100, 10000, 5000, book);
        assertEquals(base + 4 * params, Trainer.footprint(sizes, 60000, Network.Input.PIXELS, 5000, 100, 10000, 5000, book.with(org.mlp4j.Schedule.COSINE)), "sgd");
        assertEquals(base + 8 * params, Trainer.footprint(sizes, 60000, Network.Input.PIXELS, 5000, 100, 10000, 5000, book.with(org.mlp4j.Optimizer.MOMENTUM)));
        assertEquals(base + 12 * params, Trainer.footprint(sizes, 60000, Network.Input.PIXELS, 5000, 100, 10000, 5000, book.with(org.mlp4j.Optimizer.ADAM)));
    }

    /** Features lie on the backend as floats and their labels as ints, four times a pixel and its label byte. */
    @Test
    void theFootprintCountsFeaturesAsFloats() {
        int[] sizes = {784, 100, 10};
        Hyperparameters.Optimization book = Hyperparameters.Optimization.BOOK;
        assertEquals(Trainer.footprint(sizes, 60000, Network.Input.PIXELS, 5000, 100, 0, 5000, book) + 3L * 60000 * 785,
                Trainer.footprint(sizes, 60000, Network.Input.FEATURES, 5000, 100, 0, 5000, book));
    }

    /**
     * The evaluation's share of an epoch's multiply-adds: the book's forward pass over 60,000 examples against its
     * 550 steps of 100 (forward, both weight gradients, and the hidden layer's input gradient only); the minibatches
     * cover only whole batches, and the first layer's input gradient is never computed.
     */
    @Test
    void theEvaluationsShareOfAnEpochCountsItsForwardPassesAgainstItsSteps() {
        double forward = 784 * 100 + 100 * 10;
        assertEquals(60000 * forward / (60000 * forward + 55000 * (3 * forward - 784 * 100)),
                Trainer.evaluationShare(new int[] {784, 100, 10}, 60000, 5000, 100), 1e-12);
        assertEquals(0.3515, Trainer.evaluationShare(new int[] {784, 100, 10}, 60000, 5000, 100), 1e-4);
        forward = 784 * 50 + 50 * 50 + 50 * 3;
        assertEquals(1000 * forward / (1000 * forward + 768 * (3 * forward - 784 * 50)),
                Trainer.evaluationShare(new int[] {784, 50, 50, 3}, 1000, 100, 256), 1e-12);
    }

    @Test
    void sameSeedGivesTheSameHistory() {
        Images data = TestData.trainHead(4000);
        List<EpochResult> a = train(data, SHORT, 1000);
        List<EpochResult> b = train(data, SHORT, 1000);
        assertEquals(2, a.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).cost(), b.get(i).cost(), 0.0, "cost at epoch " + (i + 1));
            assertEquals(a.get(i).trainAccuracy(), b.get(i).trainAccuracy(), 0.0);
            assertEquals(a.get(i).validAccuracy(), b.get(i).validAccuracy(), 0.0);
        }
        List<EpochResult> other = train(data, new Hyperparameters(2, 100, 0.0005f, 0.01f, 2), 1000);
        assertTrue(other.get(1).cost() != a.get(1).cost(), "another seed gives another run");
    }

    /** Stops before the first segment of epoch {@code epoch} that starts at or after step {@code step}. */
    static TrainingListener stopAt(int epoch, int step) {
        return new TrainingListener() {
            int at = 1;
            int done;

            @Override
            public void steps(int e, int d, int total) {
                at = d == total ? e + 1 : e;
                done = d == total ? 0 : d;
            }

            @Override
            public boolean showsProgress() {
                return true;
            }

            @Override
            public boolean stopRequested() {
                return at > epoch || at == epoch && done >= step;
            }
        };
    }

    /**
     * The listener is asked after each segment of an epoch but the last is issued whether it hears of its steps. Where
     * it does, it hears of them once the device has reached the segment's end, with the next segment issued, so that
     * an asynchronous device runs that one meanwhile; a backend that runs each operation as it is issued (the cpu)
     * gives no mark, and the listener hears at once.
     */
    @Test
    void theListenerHearsOfASegmentOnceTheDeviceReachesItsEndWithTheNextIssued() {
        for (boolean marks : new boolean[] {true, false}) {
            Images data = TestData.trainHead(1500);
            List<String> events = new java.util.ArrayList<>();
            try (CpuBackend cpu = new CpuBackend(2)) {
                org.mlp4j.backend.Backend backend = (org.mlp4j.backend.Backend) java.lang.reflect.Proxy.newProxyInstance(
                        TrainerTest.class.getClassLoader(), new Class<?>[] {org.mlp4j.backend.Backend.class}, (proxy, method, args) -> {
                            if (method.getName().equals("mark")) {
                                events.add("mark");
                                return marks ? (org.mlp4j.backend.Backend.Mark) () -> events.add("await") : null;
                            }
                            if (method.getName().equals("synchronize")) {
                                events.add("synchronize");
                            }
                            try {
                                return method.invoke(cpu, args);
                            } catch (java.lang.reflect.InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
                Trainer.Fit fit = new Trainer(backend, SHORT).fit(new int[] {784, 30, 10}, data, 500, new TrainingListener() {
                    int polls;

                    @Override
                    public boolean showsProgress() {
                        boolean hears = polls++ % 3 == 0;
                        events.add("asked: " + hears);
                        return hears;
                    }

                    @Override
                    public void steps(int epoch, int done, int total) {
                        events.add("steps " + done + "/" + total);
                    }
                });
                assertEquals(2, fit.history().size());
            }
            // 10 steps an epoch in 10 segments: asked after segments 1 to 9, hearing of 1, 4 and 7 in epoch 1 and of 2, 5 and 8
            // in epoch 2
            List<String> expected = new java.util.ArrayList<>();
            for (int epoch = 1, polls = 0; epoch <= 2; epoch++) {
                boolean heard = false;
                for (int s = 1; s <= 10; s++) {
                    if (heard && marks) {
                        expected.addAll(List.of("await", "steps " + (s - 1) + "/10"));
                    }
                    heard = s < 10 && polls++ % 3 == 0;
                    if (s < 10) {
                        expected.add("asked: " + heard);
                    }
                    if (heard) {
                        expected.addAll(marks ? List.of("mark") : List.of("mark", "steps " + s + "/10"));
                    }
                }
                expected.add("steps 10/10");
            }
            assertEquals(expected, events.subList(events.indexOf("asked: true"), events.size()), marks ? "marks" : "no marks");
        }
    }

    @Test
    void aStoppedRunResumesToTheSameResultAsAStraightRun() {
        Images data = TestData.trainHead(3000);
        Hyperparameters six = new Hyperparameters(6, 100, 0.0005f, 0.01f, 1);
        int[] sizes = {784, 40, 10};
        try (CpuBackend cpu = new CpuBackend(2)) {
            Trainer.Fit straight = new Trainer(cpu, six).fit(sizes, data, 500, TrainingListener.NONE);
            assertFalse(straight.stopped());
            // after epoch 3 of 6, and in the middle of epoch 4
            for (int step : new int[] {0, 12}) {
                Trainer.Fit part = new Trainer(cpu, six).fit(sizes, data, 500, stopAt(4, step));
                assertTrue(part.stopped());
                assertEquals(3, part.history().size());
                assertEquals(4, part.last().epoch());
                assertEquals(step, part.last().step());
                Trainer.Fit rest = new Trainer(cpu, six).resume(part.last(), data, TrainingListener.NONE);
                assertFalse(rest.stopped());
                assertEquals(straight.network(), rest.network(), "parameters after resuming at step " + step);
                for (int i = 0; i < 6; i++) {
                    EpochResult a = straight.history().get(i), b = rest.history().get(i);
                    assertEquals(a.cost(), b.cost(), 0.0, "cost at epoch " + (i + 1));
                    assertEquals(a.trainAccuracy(), b.trainAccuracy(), 0.0);
                    assertEquals(a.validAccuracy(), b.validAccuracy(), 0.0);
                }
            }
        }
    }

    /**
     * Adam's moments and its step count, a cosine rate and the best epoch so far all survive a stop, a
     * checkpoint file and a resume: the parameters end bit for bit where a straight run's do. The 40 hidden units
     * are more than a strip, so the steps run whole on two threads, each keeping its share of the state.
     */
    @Test
    void anAdamRunResumesFromItsCheckpointFileToTheSameResult(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Images data = TestData.trainHead(3000);
        Hyperparameters adam = new Hyperparameters(5, 100, 0.001f, 0.0001f, 1, true, 4,
                new Hyperparameters.Optimization(org.mlp4j.Optimizer.ADAM, 0.9f, 0.9f, 0.999f, org.mlp4j.Schedule.COSINE, 10, 0.1f, 0f));
        int[] sizes = {784, 40, 10};
        try (CpuBackend cpu = new CpuBackend(2)) {
            Trainer.Fit straight = new Trainer(cpu, adam).fit(sizes, org.mlp4j.Activation.RELU, org.mlp4j.Output.SOFTMAX, data, 500,
                    TrainingListener.NONE);
            Trainer.Fit part = new Trainer(cpu, adam).fit(sizes, org.mlp4j.Activation.RELU, org.mlp4j.Output.SOFTMAX, data, 500, stopAt(3, 8));
            assertTrue(part.stopped());
            java.nio.file.Path file = dir.resolve("checkpoint.npz");
            CheckpointFile.save(part.last(), file);
            Trainer.Checkpoint loaded = CheckpointFile.load(file);
            assertEquals(adam, loaded.hp());
            assertEquals(8, loaded.optimizerState().size(), "Adam's two moments of each layer's weights and biases: " + loaded.optimizerState().keySet());
            assertEquals(List.of(org.mlp4j.backend.Backend.Choice.Part.WHOLE), loaded.choices().stream().map(org.mlp4j.backend.Backend.Choice::part).toList(),
                    "the cpu backend's whole steps, and no variants of the layer steps");
            Trainer.Fit rest = new Trainer(cpu, adam).resume(loaded, data, TrainingListener.NONE);
            assertEquals(straight.network(), rest.network());
            assertEquals(straight.history().get(4).cost(), rest.history().get(4).cost(), 0.0);
        }
    }

    /**
     * A GPU backend's timed choices of the layer steps' variants and of whole steps travel with the checkpoint,
     * so a resumed run runs its steps as the stopped one did (here on OpenCL, which times them like CUDA).
     */
    @Test
    void theLayerStepChoicesTravelWithTheCheckpoint(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Images data = TestData.trainHead(1000);
        try (org.mlp4j.backend.Backend gpu = org.mlp4j.backend.BackendContractTest.open("opencl")) {
            Trainer.Fit part = new Trainer(gpu, SHORT).fit(new int[] {784, 8, 10}, data, 200, stopAt(2, 0));
            List<org.mlp4j.backend.Backend.Choice> chosen = part.last().choices();
            assertEquals(List.of(org.mlp4j.backend.Backend.Choice.Part.OUTPUT, org.mlp4j.backend.Backend.Choice.Part.HIDDEN,
                    org.mlp4j.backend.Backend.Choice.Part.WHOLE), chosen.stream().map(org.mlp4j.backend.Backend.Choice::part).toList(),
                    "the output step, the hidden step and whole steps were timed: " + chosen);
            java.nio.file.Path file = dir.resolve("checkpoint.npz");
            CheckpointFile.save(part.last(), file);
            List<org.mlp4j.backend.Backend.Choice> loaded = CheckpointFile.load(file).choices();
            for (int i = 0; i < chosen.size(); i++) {
                org.mlp4j.backend.Backend.Choice a = chosen.get(i), b = loaded.get(i);
                assertEquals(List.of(a.part(), a.rows(), a.k(), a.cols(), a.folded()), List.of(b.part(), b.rows(), b.k(), b.cols(), b.folded()));
            }
            List<String> notes = new java.util.ArrayList<>();
            new Trainer(gpu, SHORT).resume(CheckpointFile.load(file), data, new TrainingListener() {
                @Override
                public void note(String line) {
                    notes.add(line);
                }
            });
            // each fused way it chose is checked again, and says how near it ended; where whole steps were chosen, the
            // run also says how near their way ended to the layer ops, and how they run
            List<String> choices = notes.stream().filter(n -> !n.startsWith("whole steps")).toList();
            assertEquals(loaded.size(), choices.size(), notes.toString());
            for (int i = 0; i < loaded.size(); i++) {
                String stored = loaded.get(i).toString();
                assertTrue(loaded.get(i).part() == org.mlp4j.backend.Backend.Choice.Part.WHOLE || !loaded.get(i).folded() ? choices.get(i).equals(stored)
                        : choices.get(i).matches(java.util.regex.Pattern.quote(stored.substring(0, stored.length() - 1))
                                + "; within [0-9.e+-]+ of (GEMM and step|the whole k)\\)"), "the resumed run runs the checkpoint's choices, untimed: " + choices);
            }
            assertEquals(loaded.get(2).folded(), notes.stream().anyMatch(n -> n.startsWith("whole steps: ")), notes.toString());
            assertEquals(loaded.get(2).folded(), notes.stream().anyMatch(n -> n.startsWith("whole steps, way " + (loaded.get(2).cols() + 1) + " of ")
                    && n.contains(": within ")), notes.toString());
            assertTrue(notes.stream().allMatch(n -> n.startsWith("whole steps: ") || n.matches(".* \\(not timed(; within .*)?\\)")), notes.toString());
            // resumed on another backend, the run's steps are chosen anew there: its own ways, which its checkpoint then names
            Trainer.Checkpoint onOpenCl = CheckpointFile.load(file);
            assertEquals("opencl", onOpenCl.tunedOn());
            try (CpuBackend cpu = new CpuBackend(2)) {
                notes.clear();
                Trainer.Fit there = new Trainer(cpu, SHORT).resume(onOpenCl, data, new TrainingListener() {
                    @Override
                    public void note(String line) {
                        notes.add(line);
                    }
                });
                assertEquals("the run's steps were chosen on opencl: cpu chooses its own", notes.get(0), notes.toString());
                assertFalse(notes.stream().anyMatch(n -> n.startsWith("output step") || n.startsWith("hidden step")), notes.toString());
                assertEquals("cpu", there.last().tunedOn());
                assertEquals(new Trainer(cpu, SHORT).fit(new int[] {784, 8, 10}, data, 200, TrainingListener.NONE).last().choices().stream()
                        .map(org.mlp4j.backend.Backend.Choice::part).toList(),
                        there.last().choices().stream().map(org.mlp4j.backend.Backend.Choice::part).toList(), "the cpu's own choices: " + notes);
                // a checkpoint that does not say where its choices were made (written before it did) keeps them: the cpu has
                // no variants of the layer steps, and no whole steps of this network, so the whole steps' choice (which a
                // run of its own would not make) runs layer by layer
                Trainer.Checkpoint c = onOpenCl;
                Trainer.Checkpoint older = new Trainer.Checkpoint(c.hp(), c.examples(), c.valid(), c.dataDigest(), c.network(), c.epoch(), c.step(),
                        c.random(), c.history(), c.best(), c.optimizerState(), c.choices(), null);
                notes.clear();
                new Trainer(cpu, SHORT).resume(older, data, new TrainingListener() {
                    @Override
                    public void note(String line) {
                        notes.add(line);
                    }
                });
                assertEquals(List.of("steps of 100 examples: layer by layer (not timed)"), notes, "kept, not chosen anew");
            }
        }
    }

    /**
     * The cpu backend's whole steps offered as two ways, the first and the layer ops slowed by a sleep far longer
     * than the steps: the second way runs, with every way's time in the notes; the checkpoint names it, and the
     * resumed run checks it and runs it again, untimed, ending where a straight run of the cpu backend's own steps ends.
     */
    @Test
    void theFastestWayOfWholeStepsRunsAndTravelsWithTheCheckpoint(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Images data = TestData.trainHead(250);
        Hyperparameters three = new Hyperparameters(3, 100, 0.0005f, 0.01f, 1);
        int[] sizes = {784, 100, 10}; // the cpu backend splits whole steps of several strips of units over its threads
        try (CpuBackend cpu = new CpuBackend(2)) {
            int[] slowRuns = new int[1];
            List<String> notes = new java.util.ArrayList<>();
            TrainingListener stop = stopAt(2, 0);
            Trainer.Fit part = new Trainer(twoWays(cpu, slowRuns, 1), three).fit(sizes, data, 50, new TrainingListener() {
                @Override
                public void steps(int epoch, int done, int total) {
                    stop.steps(epoch, done, total);
                }

                @Override
                public boolean showsProgress() {
                    return true;
                }

                @Override
                public boolean stopRequested() {
                    return stop.stopRequested();
                }

                @Override
                public void note(String line) {
                    notes.add(line);
                }
            });
            assertTrue(part.stopped());
            org.mlp4j.backend.Backend.Choice whole = part.last().choices().get(0);
            assertEquals(List.of(org.mlp4j.backend.Backend.Choice.Part.WHOLE, 1, true), List.of(whole.part(), whole.cols(), whole.folded()),
                    notes.toString());
            assertTrue(notes.get(1).startsWith("whole steps, way 1 of 2: slow: ") && notes.get(2).startsWith("whole steps, way 2 of 2: fast: ")
                    && notes.get(3).equals("whole steps: fast"), notes.toString());
            java.nio.file.Path file = dir.resolve("checkpoint.npz");
            CheckpointFile.save(part.last(), file);
            slowRuns[0] = 0;
            notes.clear();
            Trainer.Fit rest = new Trainer(twoWays(cpu, slowRuns, 1), three).resume(CheckpointFile.load(file), data, new TrainingListener() {
                @Override
                public void note(String line) {
                    notes.add(line);
                }
            });
            assertEquals(3, notes.size(), notes.toString());
            assertEquals(List.of("steps of 100 examples: whole, way 2 (not timed)", "whole steps: fast"), List.of(notes.get(0), notes.get(2)));
            assertTrue(notes.get(1).matches("whole steps, way 2 of 2: fast: within [0-9.e+-]+ of the layer ops' largest change \\(not timed\\)"),
                    notes.get(1));
            assertEquals(0, slowRuns[0], "the resumed run ran the first way");
            Network straight = new Trainer(cpu, three).fit(sizes, data, 50, TrainingListener.NONE).network();
            assertEquals(straight, rest.network());
            // resumed where that way is not there (as on another device): the backend's first runs, or layer by layer on
            // one thread, which has no whole steps; the notes and the next checkpoint say which (the cpu's bits are the same)
            try (CpuBackend one = new CpuBackend(1)) {
                for (CpuBackend b : List.of(cpu, one)) {
                    notes.clear();
                    Trainer.Fit other = new Trainer(b, three).resume(CheckpointFile.load(file), data, new TrainingListener() {
                        @Override
                        public void note(String line) {
                            notes.add(line);
                        }
                    });
                    boolean wholeSteps = b == cpu;
                    assertEquals("steps of 100 examples: " + (wholeSteps ? "whole" : "layer by layer") + " (not timed)", notes.get(0), notes.toString());
                    org.mlp4j.backend.Backend.Choice ran = other.last().choices().get(0);
                    assertEquals(List.of(0, wholeSteps), List.of(ran.cols(), ran.folded()));
                    assertEquals(straight, other.network());
                }
            }
            // resumed on a device where that way has faulted since (of its own name, so that no other test's runs leave
            // it out): the first way that has not runs, with a warning, and the next checkpoint names it
            String device = "cpu, a device on which way 2 faulted " + System.nanoTime();
            org.mlp4j.backend.DeviceFaults.ofUser().remember(device, org.mlp4j.backend.DeviceFaults.kind(new org.mlp4j.backend.Backend.Steps() {
                @Override
                public void run(org.mlp4j.backend.Matrix x, org.mlp4j.backend.Matrix labels, float rate, float decay) {
                }

                @Override
                public String toString() {
                    return "fast";
                }
            }), "a fault");
            notes.clear();
            List<String> warnings = new java.util.ArrayList<>();
            slowRuns[0] = 0;
            Trainer.Fit after = new Trainer(twoWays(cpu, slowRuns, 1, device), three).resume(CheckpointFile.load(file), data, collecting(notes, warnings));
            assertEquals(3, notes.size(), notes.toString());
            assertEquals(List.of("steps of 100 examples: whole (not timed)", "whole steps: slow"), List.of(notes.get(0), notes.get(2)));
            assertTrue(notes.get(1).startsWith("whole steps, way 1 of 2: slow: within "), notes.get(1));
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).matches("left out on this device: whole steps, fast: it faulted it in an earlier run \\(\\d{4}-\\d\\d-\\d\\d: a"
                    + " fault\\); to try it again, delete its line in .*faults.tsv"), warnings.get(0));
            assertTrue(slowRuns[0] > 0, "the first way ran");
            assertEquals(List.of(0, true), List.of(after.last().choices().get(0).cols(), after.last().choices().get(0).folded()));
            assertEquals(straight, after.network());
        }
    }

    /**
     * A resumed run checks the way of whole steps its checkpoint names before it runs it, as the run that chose it
     * did: where the way now ends elsewhere than the layer ops, the run warns and goes layer by layer (the notes and
     * the next checkpoint say so), ending where a straight run ends; where it now faults the device, the run stops
     * saying so, and the next resume leaves the way out as remembered.
     */
    @Test
    void aResumedRunChecksTheWayItsCheckpointNames(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Images data = TestData.trainHead(250);
        Hyperparameters three = new Hyperparameters(3, 100, 0.0005f, 0.01f, 1);
        int[] sizes = {784, 100, 10};
        try (CpuBackend cpu = new CpuBackend(2)) {
            Trainer.Fit part = new Trainer(twoWays(cpu, new int[1], 1), three).fit(sizes, data, 50, stopAt(2, 0));
            assertEquals(List.of(1, true), List.of(part.last().choices().get(0).cols(), part.last().choices().get(0).folded()));
            java.nio.file.Path file = dir.resolve("checkpoint.npz");
            CheckpointFile.save(part.last(), file);
            Network straight = new Trainer(cpu, three).fit(sizes, data, 50, TrainingListener.NONE).network();

            List<String> notes = new java.util.ArrayList<>(), warnings = new java.util.ArrayList<>();
            Trainer.Fit skewed = new Trainer(twoWays(cpu, new int[1], 1.5f), three).resume(CheckpointFile.load(file), data, collecting(notes, warnings));
            assertEquals(List.of("steps of 100 examples: layer by layer (not timed)"), notes);
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).matches("whole steps, way 2 of 2: fast: disagrees with the layer ops: layer [01] (weights|biases) off by "
                    + "[0-9.e+-]+ of the layer ops' largest change \\(at most 5e-02; from a start an ulp away, the layer ops end within "
                    + "[0-9.e+-]+\\); not taken"), warnings.get(0));
            assertEquals(List.of(0, false), List.of(skewed.last().choices().get(0).cols(), skewed.last().choices().get(0).folded()));
            assertEquals(straight, skewed.network());

            // a device of its own name, so that no other test's runs leave the way out
            String device = "cpu, a device that way 2 faults on resuming " + System.nanoTime();
            notes.clear();
            warnings.clear();
            org.mlp4j.backend.DeviceFaults.Fault fault = assertThrows(org.mlp4j.backend.DeviceFaults.Fault.class, () -> new Trainer(
                    twoWays(cpu, new int[1], Float.NaN, device), three).resume(CheckpointFile.load(file), data, collecting(notes, warnings)));
            assertTrue(fault.getMessage().startsWith("whole steps, way 2 of 2 (fast) faulted the device as the run checked it (an illegal address); "
                    + "later runs on this device leave it out"), fault.getMessage());
            int[] slowRuns = new int[1];
            Trainer.Fit after = new Trainer(twoWays(cpu, slowRuns, Float.NaN, device), three).resume(CheckpointFile.load(file), data,
                    collecting(notes, warnings));
            assertEquals(List.of("steps of 100 examples: whole (not timed)", "whole steps: slow"), List.of(notes.get(0), notes.get(2)), notes.toString());
            assertTrue(warnings.size() == 1 && warnings.get(0).startsWith("left out on this device: whole steps, fast: it faulted it in an earlier run ("),
                    warnings.toString());
            assertTrue(slowRuns[0] > 0, "the first way ran");
            assertEquals(straight, after.network());
        }
    }

    /**
     * A run from the start takes the choices kept from the device's earlier run of the same network: untimed, its way
     * checked, ending in the first run's bits; a run of another network, or on another device, times its own, and kept
     * choices that name no whole steps (a run's that had no room for them) have the run time those and keep them.
     */
    @Test
    void aRunTakesTheChoicesKeptFromTheDevicesEarlierRunOfTheNetwork(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Images data = TestData.trainHead(250);
        Hyperparameters three = new Hyperparameters(3, 100, 0.0005f, 0.01f, 1);
        int[] sizes = {784, 100, 10};
        org.mlp4j.backend.DeviceChoices memory = new org.mlp4j.backend.DeviceChoices(dir.resolve("choices.tsv"));
        try (CpuBackend cpu = new CpuBackend(2)) {
            List<String> notes = new java.util.ArrayList<>(), warnings = new java.util.ArrayList<>();
            int[] slowRuns = new int[1];
            Trainer.Fit first = new Trainer(twoWays(cpu, slowRuns, 1), three, memory).fit(sizes, data, 50, collecting(notes, warnings));
            assertTrue(slowRuns[0] > 0 && notes.get(1).startsWith("whole steps, way 1 of 2: slow: "), "timed: " + notes);
            assertEquals(List.of(1, true), List.of(first.last().choices().get(0).cols(), first.last().choices().get(0).folded()));

            notes.clear();
            slowRuns[0] = 0;
            Trainer.Fit again = new Trainer(twoWays(cpu, slowRuns, 1), three, memory).fit(sizes, data, 50, collecting(notes, warnings));
            assertTrue(notes.get(0).matches("the steps' choices: as this device's run of \\d{4}-\\d\\d-\\d\\d made them, kept in .*choices.tsv so that"
                    + " the run's results repeat \\(to time them again, delete its line\\)"), notes.get(0));
            assertEquals(List.of("steps of 100 examples: whole, way 2 (not timed)", "whole steps: fast"), List.of(notes.get(1), notes.get(3)), notes.toString());
            assertTrue(notes.get(2).matches("whole steps, way 2 of 2: fast: within [0-9.e+-]+ of the layer ops' largest change \\(not timed\\)"), notes.get(2));
            assertEquals(0, slowRuns[0], "the slow way was not timed");
            assertEquals(first.network(), again.network());
            assertEquals(List.of(), warnings);
            assertEquals(1, java.nio.file.Files.readAllLines(memory.file()).size(), "nothing more kept");

            // another batch is another network, and another device another device: each is timed, and kept
            for (Trainer trainer : List.of(new Trainer(twoWays(cpu, slowRuns, 1), new Hyperparameters(3, 50, 0.0005f, 0.01f, 1), memory),
                    new Trainer(twoWays(cpu, slowRuns, 1, "cpu, another device " + System.nanoTime()), three, memory))) {
                slowRuns[0] = 0;
                notes.clear();
                trainer.fit(sizes, data, 50, collecting(notes, warnings));
                assertTrue(slowRuns[0] > 0 && notes.get(0).startsWith("steps of "), "timed: " + notes);
            }
            assertEquals(3, java.nio.file.Files.readAllLines(memory.file()).size());

            // kept without whole steps: the run times them, and keeps its choices as a line of their own, the last, taken next
            List<String> lines = java.nio.file.Files.readAllLines(memory.file());
            java.nio.file.Files.write(memory.file(), List.of(lines.get(0).replaceAll("\tWHOLE [0-9 ]+$", "\t")));
            slowRuns[0] = 0;
            notes.clear();
            Trainer.Fit timed = new Trainer(twoWays(cpu, slowRuns, 1), three, memory).fit(sizes, data, 50, collecting(notes, warnings));
            assertTrue(slowRuns[0] > 0 && notes.get(0).startsWith("the steps' choices: ") && notes.get(1).startsWith("steps of 100 examples: whole "),
                    notes.toString());
            assertEquals(first.network(), timed.network());
            lines = java.nio.file.Files.readAllLines(memory.file());
            assertEquals(2, lines.size(), lines.toString());
            assertTrue(lines.get(1).endsWith("\tWHOLE 100 2 1 1"), lines.toString());

            // kept among other ways (the device offered others when it chose): way 2 of those is not this device's way 2
            java.nio.file.Files.write(memory.file(), List.of(lines.get(1).replaceAll("\t2 ways, [0-9a-f]+\t", "\t3 ways, 0\t")));
            slowRuns[0] = 0;
            notes.clear();
            new Trainer(twoWays(cpu, slowRuns, 1), three, memory).fit(sizes, data, 50, collecting(notes, warnings));
            assertTrue(slowRuns[0] > 0 && notes.get(1).startsWith("steps of 100 examples: whole "), notes.toString());
            assertEquals(2, java.nio.file.Files.readAllLines(memory.file()).size());
            assertEquals(List.of(), warnings);

            // a run that times nothing (the cpu's own whole steps on two threads) keeps nothing
            org.mlp4j.backend.DeviceChoices untouched = new org.mlp4j.backend.DeviceChoices(dir.resolve("untouched").resolve("choices.tsv"));
            new Trainer(cpu, three, untouched).fit(sizes, data, 50, TrainingListener.NONE);
            assertFalse(java.nio.file.Files.exists(untouched.file().getParent()));
        }
    }

    /**
     * A backend that chooses more as it records the run's programs (as OpenCL times each product's kernel then)
     * says so in its description, and the run notes the description as it stands once they are recorded; one whose
     * description stays as it was (the test above) is not noted again.
     */
    @Test
    void theDescriptionIsNotedAgainWhereRecordingChangedIt() {
        try (CpuBackend cpu = new CpuBackend(1)) {
            int[] recorded = new int[1];
            org.mlp4j.backend.Backend b = intercepted(cpu, (name, args) -> {
                recorded[0] += name.equals("record") ? 1 : 0;
                return name.equals("description") ? "cpu, programs recorded: " + recorded[0] : null;
            });
            List<String> notes = new java.util.ArrayList<>();
            new Trainer(b, new Hyperparameters(1, 50, 0.0005f, 0.01f, 1)).fit(new int[] {784, 20, 10}, TestData.trainHead(200), 50,
                    new TrainingListener() {
                        @Override
                        public void note(String line) {
                            notes.add(line);
                        }
                    });
            assertEquals("device, set up: cpu, programs recorded: " + recorded[0], notes.get(notes.size() - 1), notes.toString());
            assertTrue(recorded[0] > 0);
        }
    }

    /**
     * A way of whole steps that ends elsewhere than the layer ops (its rate half as high again, then half as high),
     * however fast, is left out with a warning, and the run takes the next fastest, which ends where they end.
     */
    @Test
    void aWayThatEndsElsewhereThanTheLayerOpsIsLeftOutWithAWarning() {
        Images data = TestData.trainHead(250);
        Hyperparameters hp = new Hyperparameters(1, 100, 0.0005f, 0.01f, 1);
        int[] sizes = {784, 100, 10};
        try (CpuBackend cpu = new CpuBackend(2)) {
            Network straight = new Trainer(cpu, hp).fit(sizes, data, 50, TrainingListener.NONE).network();
            for (float skew : new float[] {1.5f, 0.5f}) {
                List<String> notes = new java.util.ArrayList<>();
                Trainer.Fit fit = new Trainer(twoWays(cpu, new int[1], skew), hp).fit(sizes, data, 50, new TrainingListener() {
                    @Override
                    public void note(String line) {
                        notes.add(line);
                    }
                });
                org.mlp4j.backend.Backend.Choice whole = fit.last().choices().get(0);
                assertEquals(List.of(0, true), List.of(whole.cols(), whole.folded()), notes.toString());
                assertTrue(notes.get(1).matches("whole steps, way 1 of 2: slow: [0-9.]+ us \\(within [0-9.e+-]+ of the layer ops' largest change\\)"),
                        notes.toString());
                assertTrue(notes.get(2).matches("warning: whole steps, way 2 of 2: fast: disagrees with the layer ops: layer [01] (weights|biases) "
                        + "off by [0-9.e+-]+ of the layer ops' largest change \\(at most 5e-02; from a start an ulp away, the layer ops end within "
                        + "[0-9.e+-]+\\); not taken"), notes.toString());
                assertEquals("whole steps: slow", notes.get(3), notes.toString());
                assertEquals(straight, fit.network());
            }
        }
    }

    /**
     * Where rounding alone moves the layer ops far (a ReLU unit whose sums are exactly 0, its weights and bias being 0,
     * so that an ulp's nudge makes it live for some examples, and it learns), a way that ends as far from them as they
     * end from a start an ulp away is taken, its note saying how far it may end; one at 1.5 times the rate is still
     * left out.
     */
    @Test
    void aWayThatEndsAsFarAsRoundingMovesTheLayerOpsIsTaken() {
        Images data = TestData.trainHead(2000);
        Hyperparameters hp = new Hyperparameters(1, 100, 0.0005f, 0.01f, 1);
        int[] sizes = {784, 100, 10};
        int unit = 7;
        Network initial = Network.initialize(sizes, Network.Input.PIXELS, org.mlp4j.Activation.RELU, org.mlp4j.Output.SIGMOID, new NumpyRandom(1));
        for (int i = 0; i < sizes[0]; i++) {
            initial.weights()[0][i * sizes[1] + unit] = 0;
        }
        initial.biases()[0][unit] = 0;
        String widened = "at most ([0-9.e+-]+): 2 times as far as the layer ops end from a start an ulp away";
        try (CpuBackend cpu = new CpuBackend(2)) {
            // the cpu's steps, from where the check's last run of the layer ops from a nudged start takes them
            Backend nudging = withWay(cpu, "nudged", (steps, params, x, labels, rate, decay) -> {
                float[][] host = new float[params.length][];
                for (int i = 0; i < params.length; i++) {
                    host[i] = new float[params[i].size()];
                    cpu.download(params[i], host[i]);
                }
                Network nudged = WholeStepsChoice.nudged(new Network(sizes, new float[][] {host[0], host[1]}, new float[][] {host[2], host[3]},
                        initial.input(), initial.activation(), initial.output()), WholeStepsChoice.NUDGES);
                for (int i = 0; i < params.length; i++) {
                    cpu.upload(i < 2 ? nudged.weights()[i] : nudged.biases()[i - 2], params[i]);
                }
                steps.run(x, labels, rate, decay);
            });
            List<String> notes = new java.util.ArrayList<>(), warnings = new java.util.ArrayList<>();
            new Trainer(nudging, hp).fit(initial.copy(), data, 0, collecting(notes, warnings));
            assertEquals(List.of(), warnings);
            java.util.regex.Matcher taken = java.util.regex.Pattern.compile("whole steps, way 2 of 2: nudged: [0-9.]+ us \\(within ([0-9.e+-]+) of the "
                    + "layer ops' largest change, " + widened + "\\)").matcher(notes.get(2));
            assertTrue(taken.matches(), notes.toString());
            assertTrue(Double.parseDouble(taken.group(1)) > WholeStepsChoice.WAYS_AGREE, "more than rounding moves most networks: " + notes.get(2));

            Backend faster = withWay(cpu, "faster", (steps, params, x, labels, rate, decay) -> steps.run(x, labels, 1.5f * rate, decay));
            notes.clear();
            new Trainer(faster, hp).fit(initial.copy(), data, 0, collecting(notes, warnings));
            assertEquals(1, warnings.size(), warnings.toString());
            java.util.regex.Matcher left = java.util.regex.Pattern.compile("whole steps, way 2 of 2: faster: disagrees with the layer ops: layer [01] "
                    + "(weights|biases) off by [0-9.e+-]+ of the layer ops' largest change \\(" + widened + "\\); not taken").matcher(warnings.get(0));
            assertTrue(left.matches(), warnings.get(0));
            assertTrue(Double.parseDouble(left.group(2)) > WholeStepsChoice.WAYS_AGREE, warnings.get(0));
        }
    }

    /**
     * A choice of the backend's whose fused way computed other values than the plain one is a warning, heard
     * without asking for notes; the other choices are notes.
     */
    @Test
    void aFusedLayerStepThatDisagreedIsAWarning() {
        Backend.Choice wrong = new Backend.Choice(Backend.Choice.Part.OUTPUT, 50, 100, 10, false, 1e-6, 2e-6, 0.5);
        Backend.Choice agreed = new Backend.Choice(Backend.Choice.Part.HIDDEN, 50, 10, 100, true, 1e-6, 2e-6, 1e-7);
        try (CpuBackend cpu = new CpuBackend(1)) {
            Backend backend = answering(cpu, java.util.Map.of("tune", List.of(wrong, agreed)), new java.util.ArrayList<>());
            List<String> warnings = new java.util.ArrayList<>(), notes = new java.util.ArrayList<>();
            new Trainer(backend, new Hyperparameters(1, 50, 0.0005f, 0.01f, 1)).fit(new int[] {784, 100, 10}, TestData.trainHead(100), 0,
                    collecting(notes, warnings));
            assertEquals(List.of("output step 50x100x10: folded disagrees with GEMM and step (off by 5.0e-01 of its largest value), GEMM and step "
                    + "2.0 us: GEMM and step"), warnings);
            assertTrue(notes.contains("hidden step 50x10x100: folded 1.0 us (within 1.0e-07 of GEMM and step), GEMM and step 2.0 us: folded")
                    && !notes.contains(wrong.toString()), notes.toString());
        }
    }

    /**
     * A way's end against the layer ops': off by each array's largest difference over the largest change the layer
     * ops made to it, the worst array named; NaN where they have a number is off; a reference that diverged judges
     * nothing; an array that did not move must not move.
     */
    @Test
    void howFarAWayEndsFromTheLayerOps() {
        int[] sizes = {3, 1};
        java.util.function.BiFunction<float[], Float, Network> net = (w, b) -> new Network(sizes, new float[][] {w}, new float[][] {{b}},
                Network.Input.FEATURES, org.mlp4j.Activation.SIGMOID, org.mlp4j.Output.SIGMOID);
        Network start = net.apply(new float[] {0.1f, -0.2f, 0.3f}, 0.5f);
        Network reference = net.apply(new float[] {0.11f, -0.22f, 0.305f}, 0.49f);
        WholeStepsChoice.Disagreement rounding = WholeStepsChoice.disagreement(start, reference, net.apply(new float[] {0.11f, -0.22f + 1e-7f, 0.305f}, 0.49f));
        assertTrue(rounding.agrees() && rounding.off() > 0 && rounding.off() < 1e-5, rounding.toString());
        WholeStepsChoice.Disagreement wrong = WholeStepsChoice.disagreement(start, reference, net.apply(new float[] {0.11f, -0.22f, 0.307f}, 0.49f));
        assertFalse(wrong.agrees(), wrong.toString());
        assertEquals("layer 0 weights off by 1.0e-01 of the layer ops' largest change (at most 5e-02)", wrong.toString());
        // against the largest change of any array (the weights'), not the biases' own
        WholeStepsChoice.Disagreement bias = WholeStepsChoice.disagreement(start, reference, net.apply(new float[] {0.11f, -0.22f, 0.305f}, 0.5f));
        assertEquals("layer 0 biases off by 5.0e-01 of the layer ops' largest change (at most 5e-02)", bias.toString());
        assertTrue(WholeStepsChoice.disagreement(start, reference, net.apply(new float[] {0.11f, -0.22f, 0.305f}, 0.4901f)).agrees());
        WholeStepsChoice.Disagreement nan = WholeStepsChoice.disagreement(start, reference, net.apply(new float[] {Float.NaN, -0.22f, 0.405f}, 0.49f));
        assertFalse(nan.agrees(), nan.toString());
        assertTrue(nan.toString().startsWith("layer 0 weights off by NaN"), nan.toString());
        Network diverged = net.apply(new float[] {0.11f, Float.POSITIVE_INFINITY, 0.305f}, Float.NaN);
        assertTrue(WholeStepsChoice.disagreement(start, diverged, net.apply(new float[] {1, 2, 3}, 4f)).agrees());
        assertTrue(WholeStepsChoice.disagreement(start, start, start).agrees());
        assertFalse(WholeStepsChoice.disagreement(start, start, net.apply(new float[] {0.1f, -0.2f, 0.3f}, 0.501f)).agrees());
        // beside how far the layer ops end from a start an ulp away: twice that, where it is further than the bound
        assertTrue(wrong.besideRounding(0.06).agrees(), wrong.besideRounding(0.06).toString());
        assertEquals("within 1.0e-01 of the layer ops' largest change, at most 1.2e-01: 2 times as far as the layer ops end from a start an ulp away",
                wrong.besideRounding(0.06).within());
        assertEquals("layer 0 weights off by 1.0e-01 of the layer ops' largest change (at most 5e-02; from a start an ulp away, the layer ops end "
                + "within 1.0e-03)", wrong.besideRounding(1e-3).toString());
        assertFalse(wrong.besideRounding(1e-3).agrees());
        assertEquals("layer 0 biases off by 5.0e-01 of the layer ops' largest change (at most 2.0e-01: 2 times as far as the layer ops end from a "
                + "start an ulp away)", bias.besideRounding(0.1).toString());
        assertFalse(nan.besideRounding(1).agrees());
    }

    /**
     * Where the layer ops' checked steps take long (their output step slowed by 150 ms), whole steps are timed over
     * fewer of them ({@link org.mlp4j.backend.Timings#repeats}): here one, so each of the layer ops' timed runs takes one
     * output step, where over the 19 checked steps they would take 19.
     */
    @Test
    void onASlowDeviceWholeStepsAreTimedOverFewerSteps() {
        Images data = TestData.trainHead(1950);
        Hyperparameters one = new Hyperparameters(1, 100, 0.0005f, 0.01f, 1);
        try (CpuBackend cpu = new CpuBackend(2)) {
            int[] outputSteps = new int[1];
            org.mlp4j.backend.Backend counted = intercepted(twoWays(cpu, new int[1], 1), (name, args) -> {
                outputSteps[0] += name.equals("outputLayerStep") ? 1 : 0;
                return null;
            });
            List<String> notes = new java.util.ArrayList<>();
            Trainer.Fit fit = new Trainer(counted, one).fit(new int[] {784, 100, 10}, data, 50, collecting(notes, new java.util.ArrayList<>()));
            assertEquals("whole steps: fast", notes.get(3), notes.toString());
            // 19 steps checked, then a warm-up and the timed rounds, one step each; the fast way trains
            assertEquals(19 + 1 + WholeStepsChoice.TIMED_ROUNDS, outputSteps[0]);
            assertEquals(1, fit.history().size());
        }
    }

    /**
     * {@code cpu} with its whole steps as two timed ways, "slow" (first) and "fast", and its layer ops' output
     * step slowed more: each slow run sleeps 100 ms and is counted in {@code slowRuns}, each output step 150 ms (so
     * that the layer ops are the slowest over any count of steps the ways are timed on). The fast way takes
     * its steps at {@code skew} times the rate; a skew of NaN has it fault the device (it fails, and so does
     * every later wait, as after a GPU kernel's fault).
     */
    private static org.mlp4j.backend.Backend twoWays(CpuBackend cpu, int[] slowRuns, float skew) {
        return twoWays(cpu, slowRuns, skew, cpu.device());
    }

    /** A listener that keeps a run's notes and warnings. */
    private static TrainingListener collecting(List<String> notes, List<String> warnings) {
        return new TrainingListener() {
            @Override
            public void note(String line) {
                notes.add(line);
            }

            @Override
            public void warning(String line) {
                warnings.add(line);
            }
        };
    }

    /** {@link #twoWays(CpuBackend, int[], float)} on a device of that name. */
    private static org.mlp4j.backend.Backend twoWays(CpuBackend cpu, int[] slowRuns, float skew, String device) {
        boolean[] lost = new boolean[1];
        return withWays(cpu, (proxy, method, args) -> {
            if (method.getName().equals("device")) {
                return device;
            }
            if (method.getName().equals("synchronize") && lost[0]) {
                throw new org.mlp4j.backend.BackendFailure("the context is lost");
            }
            if (method.getName().equals("outputLayerStep")) {
                Thread.sleep(150);
            }
            return null;
        }, new Named("slow", (steps, params, x, labels, rate, decay) -> {
            slowRuns[0]++;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            steps.run(x, labels, rate, decay);
        }), new Named("fast", (steps, params, x, labels, rate, decay) -> {
            if (Float.isNaN(skew)) {
                lost[0] = true;
                throw new org.mlp4j.backend.BackendFailure("an illegal address");
            }
            steps.run(x, labels, skew * rate, decay);
        }));
    }

    /** {@code cpu}, whose whole steps (for two layers) have one more way, {@code name}, taken as {@code way} takes them. */
    private static Backend withWay(CpuBackend cpu, String name, Way way) {
        return withWays(cpu, (proxy, method, args) -> null, new Named("the cpu's", (steps, params, x, labels, rate, decay) -> steps.run(x, labels,
                rate, decay)), new Named(name, way));
    }

    /** How a way of {@link #withWays} takes its steps: in place of {@code steps}, the cpu's, on {@code params}, the network's weights, then biases. */
    private interface Way {
        void run(Backend.Steps steps, org.mlp4j.backend.Matrix[] params, org.mlp4j.backend.Matrix x, org.mlp4j.backend.Matrix labels, float rate,
                 float decay);
    }

    /** A way of {@link #withWays}, and what it is called. */
    private record Named(String name, Way way) {
        /** The way over the cpu's {@code steps}, with {@code alternatives} after it. */
        Backend.Steps over(Backend.Steps steps, org.mlp4j.backend.Matrix[] params, List<Backend.Steps> alternatives) {
            return new Backend.Steps() {
                @Override
                public void run(org.mlp4j.backend.Matrix x, org.mlp4j.backend.Matrix labels, float rate, float decay) {
                    way.run(steps, params, x, labels, rate, decay);
                }

                @Override
                public List<Backend.Steps> alternatives() {
                    return alternatives;
                }

                @Override
                public String toString() {
                    return name;
                }
            };
        }
    }

    /**
     * {@code cpu}, each call first put to {@code before} (a result other than null answers it), whose whole steps (for
     * two layers) are {@code first}, then {@code second}.
     */
    private static Backend withWays(CpuBackend cpu, java.lang.reflect.InvocationHandler before, Named first, Named second) {
        return (Backend) java.lang.reflect.Proxy.newProxyInstance(TrainerTest.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, method, args) -> {
                    Object answer = before.invoke(proxy, method, args);
                    if (answer != null) {
                        return answer;
                    }
                    Object result;
                    try {
                        result = method.invoke(cpu, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (!method.getName().equals("steps") || result == null) {
                        return result;
                    }
                    Backend.Steps steps = (Backend.Steps) result;
                    org.mlp4j.backend.Matrix[] weights = (org.mlp4j.backend.Matrix[]) args[0], biases = (org.mlp4j.backend.Matrix[]) args[1];
                    org.mlp4j.backend.Matrix[] params = {weights[0], weights[1], biases[0], biases[1]};
                    return first.over(steps, params, List.of(second.over(steps, params, List.of())));
                });
    }

    /**
     * A stop asked for while the run sets up (here while the layer ops' steps are checked, before the ways of whole steps
     * are) ends the run before the next candidate runs and before it trains: no epoch, the network as it began, the
     * minibatch order's stream where it was; a resumed run stopped so gives back its checkpoint. The listener hears
     * what the set-up does as it goes.
     */
    @Test
    void aStopAskedForWhileTheRunSetsUpEndsItBeforeItTrains() {
        Images data = TestData.trainHead(600);
        Hyperparameters hp = new Hyperparameters(1, 50, 0.0005f, 0.01f, 1);
        try (CpuBackend cpu = new CpuBackend(2)) {
            boolean[] armed = {false}, asked = {false};
            int[] wayRuns = {0};
            Way counted = (steps, params, x, labels, rate, decay) -> {
                wayRuns[0]++;
                steps.run(x, labels, rate, decay);
            };
            Backend backend = withWays(cpu, (proxy, method, args) -> {
                asked[0] |= armed[0] && method.getName().equals("outputLayerStep");
                return null;
            }, new Named("first", counted), new Named("second", counted));
            List<String> setUp = new java.util.ArrayList<>();
            TrainingListener stopping = new TrainingListener() {
                @Override
                public boolean stopRequested() {
                    return asked[0];
                }

                @Override
                public void settingUp(String what) {
                    setUp.add(what);
                }

                @Override
                public void steps(int epoch, int done, int total) {
                    throw new AssertionError("a step trained after the stop");
                }
            };
            NumpyRandom random = new NumpyRandom(1);
            Network initial = Network.initialize(new int[] {784, 100, 10}, data.input(), org.mlp4j.Activation.SIGMOID, org.mlp4j.Output.SIGMOID, random);
            NumpyRandom.State before = random.state();
            armed[0] = true;
            Trainer.Fit fit = new Trainer(backend, hp).fit(initial, random, data, 100, stopping);
            assertTrue(asked[0] && fit.stopped() && !fit.stoppedEarly());
            assertEquals(0, wayRuns[0], "no way of whole steps ran after the stop");
            assertEquals(List.of("choosing the layer steps' ways", "checking whole steps: the layer ops' steps to check them against"), setUp);
            assertEquals(List.of(), fit.history());
            assertEquals(initial, fit.network(), "the network as it began");
            assertEquals(List.of(1, 0), List.of(fit.last().epoch(), fit.last().step()));
            assertTrue(java.util.Arrays.equals(before.mt(), random.state().mt()) && before.position() == random.state().position(),
                    "the order not drawn");

            // not stopped, the run sets up, times both ways and trains; its checkpoint, as if made on another backend (so that
            // its ways are timed again), resumed with a stop asked for during the set-up, comes back as it was
            armed[0] = false;
            asked[0] = false;
            setUp.clear();
            Trainer.Checkpoint done = new Trainer(backend, hp).fit(initial, new NumpyRandom(1), data, 100, new TrainingListener() {
                @Override
                public void settingUp(String what) {
                    setUp.add(what);
                }
            }).last();
            assertTrue(wayRuns[0] > 0 && done.history().size() == 1);
            assertEquals(List.of("choosing the layer steps' ways", "checking whole steps: the layer ops' steps to check them against",
                    "checking whole steps, way 1 of 2 (first)", "checking whole steps, way 2 of 2 (second)", "timing whole steps' 2 ways against the layer ops",
                    "recording the epoch's steps"), setUp);
            Trainer.Checkpoint from = new Trainer.Checkpoint(done.hp(), done.examples(), done.valid(), done.dataDigest(), done.network(), done.epoch(),
                    done.step(), done.random(), done.history(), done.best(), done.optimizerState(), done.choices(), "opencl");
            wayRuns[0] = 0;
            armed[0] = true;
            Trainer.Fit resumed = new Trainer(backend, hp.withEpochs(2)).resume(from, data, stopping);
            assertTrue(asked[0] && resumed.stopped());
            assertEquals(0, wayRuns[0]);
            assertSame(from, resumed.last());
        }
    }

    /** With patience, training ends that many epochs after the best validation accuracy and keeps that epoch's model. */
    @Test
    void earlyStoppingKeepsTheBestEpoch() {
        Images data = TestData.trainHead(2000);
        // a rate that overshoots: the validation accuracy peaks early, then wanders
        Hyperparameters hp = new Hyperparameters(30, 50, 0.02f, 0f, 1, false, 2);
        try (CpuBackend cpu = new CpuBackend(1)) {
            Trainer.Fit fit = new Trainer(cpu, hp).fit(new int[] {784, 20, 10}, data, 500, TrainingListener.NONE);
            List<EpochResult> h = fit.history();
            assertTrue(fit.stoppedEarly(), "stopped early: " + h.size() + " epochs");
            int best = fit.last().best().epoch();
            for (EpochResult r : h) {
                assertTrue(r.validAccuracy() <= h.get(best - 1).validAccuracy(), "epoch " + best + " is the best: " + h);
                if (r.epoch() < best) {
                    assertTrue(r.validAccuracy() < h.get(best - 1).validAccuracy(), "the first best");
                }
            }
            assertEquals(best + 2, h.size(), "two epochs without a better one");
            assertEquals(fit.last().best().network(), fit.network());
            assertTrue(!fit.network().equals(fit.last().network()), "the kept model is not the last epoch's");
            // the checkpoint knows the run ended, and resuming it trains no further epoch
            assertTrue(fit.last().stoppedEarly());
            Trainer.Fit resumed = new Trainer(cpu, hp).resume(fit.last(), data, new TrainingListener() {
                @Override
                public void epoch(EpochResult result, java.util.function.Supplier<Trainer.Checkpoint> checkpoint) {
                    throw new AssertionError("epoch " + result.epoch() + " trained after early stopping ended the run");
                }
            });
            assertTrue(resumed.stoppedEarly());
            assertEquals(h, resumed.history());
            assertEquals(fit.network(), resumed.network());
        }
    }

    @Test
    void resumingWithOtherSettingsIsRefused() {
        Images data = TestData.trainHead(1000);
        try (CpuBackend cpu = new CpuBackend(1)) {
            Trainer.Fit part = new Trainer(cpu, SHORT).fit(new int[] {784, 8, 10}, data, 200, stopAt(2, 0));
            assertThrows(IllegalArgumentException.class, () -> new Trainer(cpu, new Hyperparameters(2, 50, 0.0005f, 0.01f, 1))
                    .resume(part.last(), data, TrainingListener.NONE));
        }
    }

    /**
     * A checkpoint records a digest of its run's examples, so that a resume on other data of the same count and
     * size (one label changed, or one pixel) is refused; a checkpoint written before digests (none in its file)
     * resumes on the count alone.
     */
    @Test
    void resumingOnOtherExamplesIsRefused(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Images data = TestData.trainHead(1000);
        byte[] labels = data.labels().clone();
        labels[7] = (byte) ((labels[7] + 1) % 10);
        byte[] pixels = data.pixels().clone();
        pixels[999 * 784 + 400] ^= 1;
        try (CpuBackend cpu = new CpuBackend(1)) {
            Trainer.Fit part = new Trainer(cpu, SHORT).fit(new int[] {784, 8, 10}, data, 200, stopAt(2, 0));
            java.nio.file.Path file = dir.resolve("checkpoint.npz");
            CheckpointFile.save(part.last(), file);
            Trainer.Checkpoint loaded = CheckpointFile.load(file);
            assertEquals(data.digest(), loaded.dataDigest());
            // as the README gives it, for NumPy: SHA-256 of "uint8", count and width (int32 LE), pixels, labels; 8 bytes big-endian
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            sha.update("uint8".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            sha.update(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(1000).putInt(784).array());
            sha.update(data.pixels(), 0, 1000 * 784);
            sha.update(data.labels(), 0, 1000);
            assertEquals(java.nio.ByteBuffer.wrap(sha.digest()).getLong(), data.digest());
            for (Images other : List.of(new Images(data.pixels(), labels, 1000, 28, 28), new Images(pixels, data.labels(), 1000, 28, 28))) {
                String why = assertThrows(IllegalArgumentException.class, () -> new Trainer(cpu, SHORT).resume(loaded, other, TrainingListener.NONE))
                        .getMessage();
                assertEquals("the run was trained on other examples: as many, with other values, labels or order", why);
            }
            Images copy = new Images(data.pixels().clone(), data.labels().clone(), 1000, 1, 784);
            assertEquals(data.digest(), copy.digest(), "the same examples, as rows of 784 or images of 28 x 28");
            Trainer.Fit rest = new Trainer(cpu, SHORT).resume(loaded, copy, TrainingListener.NONE);
            assertEquals(data.digest(), rest.last().dataDigest());
            // the file as a checkpoint before digests wrote it
            java.util.Map<String, Npz.Array> arrays = new java.util.HashMap<>(ModelFile.readArrays(file, "checkpoint"));
            arrays.remove("data_i8");
            try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(file)) {
                Npz.write(out, arrays);
            }
            Trainer.Checkpoint old = CheckpointFile.load(file);
            assertEquals(0, old.dataDigest());
            assertEquals(rest.network(), new Trainer(cpu, SHORT).resume(old, data, TrainingListener.NONE).network());
        }
    }

    @Test
    void aWarmStartContinuesFromTheModelsCost() {
        Images data = TestData.trainHead(3000);
        try (CpuBackend cpu = new CpuBackend(2)) {
            Hyperparameters three = new Hyperparameters(3, 100, 0.0005f, 0.01f, 1);
            Trainer.Fit first = new Trainer(cpu, three).fit(new int[] {784, 30, 10}, data, 500, TrainingListener.NONE);
            Trainer.Fit warm = new Trainer(cpu, three.withEpochs(1)).fit(first.network(), data, 500, TrainingListener.NONE);
            double before = first.history().get(2).cost();
            double after = warm.history().get(0).cost();
            assertTrue(after < before, "one more epoch from the model lowers its cost: " + before + " -> " + after);
            assertTrue(after < first.history().get(1).cost(), "not a fresh start");
            assertEquals(784, warm.network().inputs());
        }
    }

    /**
     * A backend that asks for more rows an evaluation (as the GPU backends do) gets them for the epoch's gathered
     * minibatches, while the dataset is still gathered a chunk at a time; the accuracies are the same as in chunks
     * of the model's size, and the cost is the same sum in another grouping.
     */
    @Test
    void theEvaluationTakesTheRowsTheBackendAsksFor() {
        Images data = TestData.trainHead(6500);
        int valid = 500, train = data.count() - valid;
        try (CpuBackend cpu = new CpuBackend(1)) {
            List<Integer> rows = new java.util.ArrayList<>();
            org.mlp4j.backend.Backend b = answering(cpu, java.util.Map.of("evaluationRows", 1 << 20, "memoryAvailable", Long.MAX_VALUE), rows);
            assertEquals(Trainer.EVAL_CHUNK, Trainer.evaluationRows(cpu, new int[] {784, 20, 10}, data.count()));
            assertEquals(data.count(), Trainer.evaluationRows(b, new int[] {784, 20, 10}, data.count()));
            Hyperparameters hp = new Hyperparameters(1, 100, 0.0005f, 0.01f, 1);
            EpochResult wide = new Trainer(b, hp).fit(new int[] {784, 20, 10}, data, valid, TrainingListener.NONE).history().get(0);
            assertEquals(List.of(train, valid), rows, "the training set in one evaluation, then the validation set");
            EpochResult chunked = new Trainer(cpu, hp).fit(new int[] {784, 20, 10}, data, valid, TrainingListener.NONE).history().get(0);
            assertEquals(chunked.trainAccuracy(), wide.trainAccuracy(), 0.0);
            assertEquals(chunked.validAccuracy(), wide.validAccuracy(), 0.0);
            assertEquals(chunked.cost(), wide.cost(), 1e-9 * chunked.cost());
        }
    }

    /**
     * {@code backend}, giving the answers named by the methods that give them (as a GPU backend asks for more
     * rows an evaluation); the rows of each evaluation's input go into {@code evaluated}.
     */
    static org.mlp4j.backend.Backend answering(org.mlp4j.backend.Backend backend, java.util.Map<String, Object> answers, List<Integer> evaluated) {
        return intercepted(backend, (name, args) -> {
            if (name.equals("evaluate")) {
                evaluated.add(((org.mlp4j.backend.Matrix) args[0]).rows());
            }
            return answers.get(name);
        });
    }

    /**
     * {@code backend} with each call first heard by {@code heard}, given the method's name and arguments: what it
     * returns answers the call, or where that is null, {@code backend} does.
     */
    static org.mlp4j.backend.Backend intercepted(org.mlp4j.backend.Backend backend,
            java.util.function.BiFunction<String, Object[], Object> heard) {
        return (org.mlp4j.backend.Backend) java.lang.reflect.Proxy.newProxyInstance(TrainerTest.class.getClassLoader(),
                new Class<?>[] {org.mlp4j.backend.Backend.class}, (proxy, method, args) -> {
                    Object answer = heard.apply(method.getName(), args);
                    if (answer != null) {
                        return answer;
                    }
                    try {
                        return method.invoke(backend, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /**
     * Where the backend has no ample memory for an epoch's minibatches, they are gathered a segment at a time, and
     * the run is the same as with the whole epoch gathered at once: the same parameters and history, with a partial
     * last batch too; a run stopped within an epoch resumes to the same end, here with the other way of gathering.
     */
    @Test
    void minibatchesGatheredASegmentAtATimeTrainAsTheWholeEpochGathered() {
        Images data = TestData.trainHead(6500);
        int[] sizes = {784, 20, 10};
        try (CpuBackend cpu = new CpuBackend(2)) {
            List<Integer> evaluated = new java.util.ArrayList<>();
            org.mlp4j.backend.Backend roomy = answering(cpu, java.util.Map.of("memoryAvailable", Long.MAX_VALUE), evaluated);
            org.mlp4j.backend.Backend tight = answering(cpu, java.util.Map.of("memoryAvailable", 0L), evaluated);
            for (int batch : new int[] {100, 230}) {
                Hyperparameters hp = new Hyperparameters(3, batch, 0.0005f, 0.01f, 1);
                int steps = 6000 / batch;
                assertTrue(Trainer.segmentRows(steps, batch) < steps * batch, "batch " + batch);
                Trainer.Fit whole = new Trainer(roomy, hp).fit(sizes, data, 500, TrainingListener.NONE);
                Trainer.Fit segments = new Trainer(tight, hp).fit(sizes, data, 500, TrainingListener.NONE);
                assertEquals(whole.network(), segments.network(), "batch " + batch);
                assertEquals(whole.history().stream().map(TrainerTest::withoutTime).toList(),
                        segments.history().stream().map(TrainerTest::withoutTime).toList());
                Trainer.Fit part = new Trainer(roomy, hp).fit(sizes, data, 500, stopAt(2, steps / 2));
                assertTrue(part.stopped());
                Trainer.Fit rest = new Trainer(tight, hp).resume(part.last(), data, TrainingListener.NONE);
                assertEquals(whole.network(), rest.network(), "resumed at step " + part.last().step() + ", batch " + batch);
                assertEquals(whole.history().stream().map(TrainerTest::withoutTime).toList(),
                        rest.history().stream().map(TrainerTest::withoutTime).toList());
            }
        }
    }

    private static EpochResult withoutTime(EpochResult r) {
        return new EpochResult(r.epoch(), r.cost(), r.trainAccuracy(), r.validAccuracy(), 0);
    }

    /** A workspace that gathers fewer rows than its layers take evaluates, predicts and takes logits as one that gathers them all. */
    @Test
    void aWorkspaceGathersItsInputRowsAtATime() {
        Images data = TestData.trainHead(300);
        try (CpuBackend cpu = new CpuBackend(1)) {
            DeviceNet net = new DeviceNet(cpu, Network.initialize(new int[] {784, 20, 10}, new NumpyRandom(1)));
            org.mlp4j.backend.Backend.Examples examples = data.upload(cpu);
            org.mlp4j.backend.Backend.Order order = Trainer.identity(cpu, data.count());
            DeviceNet.Workspace all = net.workspace(300), some = net.workspace(300, 70);
            org.mlp4j.backend.Backend.Accumulator acc = cpu.accumulator(2);
            net.evaluate(all, examples, order, 10, 290, acc, 0, 1);
            double[] want = cpu.read(acc);
            cpu.reset(acc);
            net.evaluate(some, examples, order, 10, 290, acc, 0, 1);
            double[] got = cpu.read(acc);
            assertEquals(want[1], got[1], 0.0);
            assertEquals(want[0], got[0], 1e-9 * want[0]);
            assertTrue(java.util.Arrays.equals(net.predict(all, examples, order, 10, 290), net.predict(some, examples, order, 10, 290)));
            assertTrue(java.util.Arrays.equals(net.logits(all, examples, order, 10, 290), net.logits(some, examples, order, 10, 290)));
            assertThrows(IllegalArgumentException.class, () -> net.workspace(70, 300));
        }
    }

    @Test
    void probabilitiesSumToOneAndAgreeWithThePredictions() {
        Images data = TestData.trainHead(1000);
        try (CpuBackend cpu = new CpuBackend(2)) {
            Network net = new Trainer(cpu, SHORT).fit(new int[] {784, 20, 10}, data, 200, TrainingListener.NONE).network();
            float[][] p = Trainer.probabilities(cpu, net, data);
            int[] predicted = Trainer.predict(cpu, net, data);
            assertEquals(data.count(), p.length);
            for (int r = 0; r < p.length; r++) {
                double sum = 0;
                int best = 0;
                for (int j = 0; j < p[r].length; j++) {
                    assertTrue(p[r][j] >= 0 && p[r][j] <= 1, "row " + r);
                    sum += p[r][j];
                    best = p[r][j] > p[r][best] ? j : best;
                }
                assertEquals(1.0, sum, 1e-6, "row " + r);
                assertEquals(predicted[r], best, "row " + r);
            }
        }
    }

    @Test
    void divergenceStopsWithAClearError() {
        Images data = TestData.trainHead(2000);
        DivergedException e = assertThrows(DivergedException.class,
                () -> train(data, new Hyperparameters(3, 100, 1e10f, 1f, 1, false, 0, Hyperparameters.Optimization.BOOK.with(org.mlp4j.Optimizer.MOMENTUM)),
                        500));
        assertTrue(e.getMessage().contains("diverged"), e.getMessage());
    }

    /** SGD's weight decay of 1 - eta * l2 at 0 or below is refused up front; Adam's steps take any l2. */
    @Test
    void sgdNeedsEtaTimesL2BelowOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Hyperparameters(3, 100, 0.5f, 2f, 1));
        assertTrue(e.getMessage().contains("eta times l2 must be below 1"), e.getMessage());
        assertEquals(1.99f, new Hyperparameters(3, 100, 0.5f, 1.99f, 1).l2());
        assertEquals(2f, new Hyperparameters(3, 100, 0.5f, 2f, 1, false, 0, Hyperparameters.Optimization.BOOK.with(org.mlp4j.Optimizer.ADAM)).l2());
    }
}
