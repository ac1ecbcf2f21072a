package org.mlp4j.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mlp4j.Activation;

/**
 * The GPU skeleton on a device of byte arrays that only logs its launches: what {@link GpuBackend} hands
 * a device (flattened, checked arguments on the grid of the kernel's shape), host transfers in chunks, and
 * the refusals every GPU backend shares. The kernels themselves run in BackendContractTest (OpenCL on PoCL,
 * CUDA on the stand-in driver).
 */
class GpuBackendTest {
    /** Memory is Java arrays; a launch is logged, not run. */
    static class LoggingGpu extends GpuBackend<byte[]> {
        static final Layout LAYOUT = new Layout(128, 4, 64, 1000, 8);
        final List<String> log = new ArrayList<>();

        LoggingGpu() {
            super(LAYOUT);
        }

        @Override
        protected byte[] allocate(long bytes) {
            return new byte[(int) Math.max(bytes, 4)];
        }

        @Override
        protected void write(byte[] dst, long byteOffset, ByteBuffer src) {
            log.add("write " + byteOffset + " " + src.remaining());
            src.duplicate().get(dst, (int) byteOffset, src.remaining());
        }

        @Override
        protected void read(byte[] src, long byteOffset, ByteBuffer dst) {
            dst.duplicate().put(src, (int) byteOffset, dst.remaining());
        }

        @Override
        protected void zero(byte[] dst, long bytes) {
            Arrays.fill(dst, 0, (int) bytes, (byte) 0);
        }

        @Override
        protected void enqueue(GpuKernel kernel, Launch launch, Object[] args) {
            List<String> kinds = new ArrayList<>();
            for (Object a : args) {
                kinds.add(a instanceof GpuMatrix<?> m ? "matrix@" + m.offset() : a instanceof byte[] ? "buffer" : a.toString());
            }
            log.add(kernel.entry() + " " + launch + " " + kinds);
        }

        /** As a device captures: the operations are issued now, into the program. */
        @Override
        protected Program capture(Runnable ops) {
            ops.run();
            return () -> { };
        }

        /** Its operations run as they are issued. */
        @Override
        protected Mark marker() {
            return null;
        }

        @Override
        public void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
            log.add("gemm");
        }

        void launchRaw(GpuKernel kernel, Object... args) {
            launch(kernel, new Launch(1, 1, 1, 1, 1), args);
        }

        @Override
        public String name() {
            return "logging";
        }

        @Override
        public String description() {
            return name();
        }

        @Override
        public void synchronize() {
        }

        @Override
        public long memoryAvailable() {
            return Long.MAX_VALUE;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void operationsLaunchTheirKernelOnItsShapeWithFlattenedArguments() {
        LoggingGpu gpu = new LoggingGpu();
        Matrix z = gpu.matrix(300, 33);
        Matrix bias = gpu.matrix(1, 33);
        gpu.biasActivation(z.rows(100, 200), bias, org.mlp4j.Activation.TANH);
        assertEquals("bias_activation Launch[blocksX=52, blocksY=1, blocksZ=1, threadsX=128, threadsY=1, sharedBytes=0] [matrix@3300, matrix@0, 200, 33, 2]",
                gpu.log.get(0));
        Backend.Examples data = gpu.upload(new byte[250 * 33], new byte[250], 250, 33);
        Backend.Order order = gpu.order(250);
        gpu.log.clear();
        gpu.gather(data, order, 50, z.prefix(200), gpu.matrix(200, 1));
        assertEquals("gather Launch[blocksX=7, blocksY=1, blocksZ=1, threadsX=128, threadsY=1, sharedBytes=0] [buffer, buffer, buffer, 50, 200, 33, matrix@0, matrix@0]",
                gpu.log.get(0), "the dataset is two buffers, the order one; a thread per " + GpuBackend.GATHER_RUN + " of the 6,600 elements");
        gpu.log.clear();
        gpu.sumOfSquares(bias, gpu.accumulator(2), 1);
        assertEquals("sum_squares Launch[blocksX=1, blocksY=1, blocksZ=1, threadsX=64, threadsY=1, sharedBytes=0] [matrix@0, 33, buffer, 1]", gpu.log.get(0));
        // a fold the layout allows: one step launch on blocks of 32 columns x 4 row groups, no GEMM
        gpu.log.clear();
        gpu.outputLayerStep(gpu.matrix(8, 5), gpu.matrix(5, 33), bias, gpu.matrix(8, 1), org.mlp4j.Output.SIGMOID, 0.1f, gpu.matrix(8, 33),
                gpu.matrix(8, 33));
        assertEquals(1, gpu.log.size(), gpu.log.toString());
        assertTrue(gpu.log.get(0).startsWith("output_step Launch[blocksX=2, blocksY=1, blocksZ=1, threadsX=32, threadsY=4, sharedBytes=0] [matrix@0, matrix@0, 5,"),
                gpu.log.get(0));
        // the softmax needs whole rows before the step: its GEMM, the rows' softmax, then the step unfolded
        gpu.log.clear();
        gpu.outputLayerStep(gpu.matrix(8, 5), gpu.matrix(5, 33), bias, gpu.matrix(8, 1), org.mlp4j.Output.SOFTMAX, 0.1f, gpu.matrix(8, 33),
                gpu.matrix(8, 33));
        assertEquals(List.of("gemm", "softmax_rows", "output_step"), gpu.log.stream().map(l -> l.split(" ")[0]).toList());
        assertTrue(gpu.log.get(2).endsWith(", 8, 33, 1, 0]"), "output code 1, the softmax, no slices: " + gpu.log.get(2));
    }

    /**
     * Where the device leaves a step's product's slices of k unadded, the step launch adds them (their count its
     * last argument, the slices in place of x and w, or of dNext and wNext) and no other launch does; the softmax,
     * which needs whole rows first, takes the GEMM as before.
     */
    @Test
    void theStepsAddTheSlicesADeviceLeftUnadded() {
        LoggingGpu gpu = new LoggingGpu() {
            @Override
            protected Matrix unreducedProduct(boolean transB, Matrix a, Matrix b, Matrix c) {
                log.add(transB ? "slices of g" : "slices of z");
                return matrix(3 * c.rows(), c.cols());
            }
        };
        gpu.use(List.of(new Backend.Choice(Backend.Choice.Part.OUTPUT, 8, 5, 33, false, Double.NaN, Double.NaN)));
        gpu.outputLayerStep(gpu.matrix(8, 5), gpu.matrix(5, 33), gpu.matrix(1, 33), gpu.matrix(8, 1), org.mlp4j.Output.SIGMOID, 0.1f,
                gpu.matrix(8, 33), gpu.matrix(8, 33));
        assertEquals(List.of("slices of z", "output_step"), gpu.log.stream().map(l -> l.startsWith("slices") ? l : l.split(" ")[0]).toList());
        assertTrue(gpu.log.get(1).endsWith("[matrix@0, matrix@0, 0, matrix@0, matrix@0, matrix@0, 0.1, matrix@0, 8, 33, 0, 3]"), gpu.log.get(1));
        // the hidden step likewise, before wNext's step (which hidden_step does not read)
        gpu.use(List.of(new Backend.Choice(Backend.Choice.Part.HIDDEN, 8, 5, 33, false, Double.NaN, Double.NaN)));
        gpu.log.clear();
        gpu.hiddenLayerStep(gpu.matrix(8, 5), gpu.matrix(33, 5), 0.9f, gpu.matrix(8, 33), Activation.TANH, 0.1f, gpu.matrix(1, 33), gpu.matrix(8, 33));
        assertEquals(List.of("slices of g", "hidden_step", "gemm"), gpu.log.stream().map(l -> l.startsWith("slices") ? l : l.split(" ")[0]).toList());
        assertTrue(gpu.log.get(1).endsWith("[matrix@0, matrix@0, 0, 1.0, matrix@0, matrix@0, 0.1, matrix@0, 8, 33, " + GpuKernel.code(Activation.TANH) + ", 3]"),
                gpu.log.get(1));
        gpu.log.clear();
        gpu.outputLayerStep(gpu.matrix(8, 5), gpu.matrix(5, 33), gpu.matrix(1, 33), gpu.matrix(8, 1), org.mlp4j.Output.SOFTMAX, 0.1f,
                gpu.matrix(8, 33), gpu.matrix(8, 33));
        assertEquals(List.of("gemm", "softmax_rows", "output_step"), gpu.log.stream().map(l -> l.split(" ")[0]).toList());
    }

    /**
     * tune runs both variants of each candidate step and reports its choice; the layer steps then take the
     * variant it chose (which one wins on this logging device is the clock's business, not the test's).
     */
    @Test
    void layerStepsFollowWhatTuneChose() {
        LoggingGpu gpu = new LoggingGpu();
        List<String> report = gpu.tune(8, new int[] {20, 33, 5}, org.mlp4j.Output.SIGMOID, null).stream().map(Backend.Choice::toString).toList();
        assertEquals(2, report.size(), report.toString());
        assertTrue(report.get(0).startsWith("output step 8x33x5: folded ") && report.get(1).startsWith("hidden step 8x5x33: folded "), report.toString());
        assertTrue(gpu.log.stream().anyMatch(l -> l.equals("gemm")) && gpu.log.stream().anyMatch(l -> l.startsWith("output_step")),
                "both variants ran: " + gpu.log);
        gpu.log.clear();
        gpu.outputLayerStep(gpu.matrix(8, 33), gpu.matrix(33, 5), gpu.matrix(1, 5), gpu.matrix(8, 1), org.mlp4j.Output.SIGMOID, 0.1f,
                gpu.matrix(8, 5), gpu.matrix(8, 5));
        boolean folded = report.get(0).endsWith(": folded");
        assertEquals(folded ? List.of("output_step") : List.of("gemm", "output_step"), gpu.log.stream().map(l -> l.split(" ")[0]).toList(),
                report.get(0));
        assertEquals(List.of(), gpu.tune(8, new int[] {20, 33, 5}, org.mlp4j.Output.SOFTMAX, null).stream()
                .filter(c -> c.part() == Backend.Choice.Part.OUTPUT).toList(), "the softmax never folds, so there is nothing to time");
        // a checkpoint's choices decide as tune's did: here the reverse of what was timed
        gpu.use(List.of(new Backend.Choice(Backend.Choice.Part.OUTPUT, 8, 33, 5, !folded, Double.NaN, Double.NaN)));
        gpu.log.clear();
        gpu.outputLayerStep(gpu.matrix(8, 33), gpu.matrix(33, 5), gpu.matrix(1, 5), gpu.matrix(8, 1), org.mlp4j.Output.SIGMOID, 0.1f,
                gpu.matrix(8, 5), gpu.matrix(8, 5));
        assertEquals(!folded ? List.of("output_step") : List.of("gemm", "output_step"), gpu.log.stream().map(l -> l.split(" ")[0]).toList());
        assertEquals(List.of(), new LoggingGpu().tune(100000, new int[] {20, 4096, 4096}, org.mlp4j.Output.SIGMOID, null),
                "far past the prior's limit nothing is tried");
    }

    /**
     * tune keeps the variant that ran faster (issue 23: "the faster is kept when one is made artificially slow"):
     * with the GEMM slowed both steps fold; with the folded kernels slowed (a step kernel given the GEMM's k)
     * neither does. Both variants write the same values, and each choice says they agreed.
     */
    @Test
    void tuneKeepsTheFasterVariant() {
        for (boolean slowGemm : new boolean[] {true, false}) {
            List<Backend.Choice> choices = tunable(slowGemm, 1).tune(8, new int[] {20, 33, 5}, org.mlp4j.Output.SIGMOID, null);
            assertEquals(List.of(Backend.Choice.Part.OUTPUT, Backend.Choice.Part.HIDDEN), choices.stream().map(Backend.Choice::part).toList());
            for (Backend.Choice c : choices) {
                assertEquals(slowGemm, c.folded(), (slowGemm ? "GEMM slowed: " : "folded kernels slowed: ") + c);
                assertEquals(List.of(0.0, false), List.of(c.off(), c.disagrees()), c.toString());
                assertTrue(c.toString().matches("(output|hidden) step 8x(33|5)x(5|33): folded [0-9.]+ us \\(within 0\\.0e\\+00 of GEMM and step\\), "
                        + "GEMM and step [0-9.]+ us: " + (slowGemm ? "folded" : "GEMM and step")), c.toString());
            }
        }
    }

    /**
     * Where a variant's run takes {@link Timings#RUN_SECONDS} or longer (here the GEMM of the plain variants sleeps that
     * long), each is timed as a program of one run, not five: the plain variant runs for its check, its warm-up and
     * each of the three rounds, five runs, where it ran 25 before.
     */
    @Test
    void aVariantThatTakesLongIsTimedInProgramsOfOneRun() {
        int[] gemms = new int[1];
        LoggingGpu gpu = new LoggingGpu() {
            @Override
            public void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
                super.gemm(transA, transB, alpha, a, b, beta, c);
                gemms[0]++;
                try {
                    Thread.sleep((long) Math.ceil(Timings.RUN_SECONDS * 1000));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            protected Program capture(Runnable ops) {
                return ops::run;
            }
        };
        List<Backend.Choice> choices = gpu.tune(8, new int[] {20, 33, 5}, org.mlp4j.Output.SIGMOID, null);
        assertEquals(List.of(Backend.Choice.Part.OUTPUT, Backend.Choice.Part.HIDDEN), choices.stream().map(Backend.Choice::part).toList());
        // the plain output step runs a GEMM a run, the plain hidden step two; the folded steps none
        assertEquals((1 + 2) * (1 + 1 + 3), gemms[0]);
    }

    /**
     * A folded step that computes other values than its GEMM and step (here every matrix it touches set to 2 where
     * the plain step kernel sets 1) is left out however fast, and its choice says by how much it was off.
     */
    @Test
    void aFoldThatComputesOtherValuesIsLeftOutHoweverFast() {
        List<Backend.Choice> choices = tunable(true, 2).tune(8, new int[] {20, 33, 5}, org.mlp4j.Output.SIGMOID, null);
        assertEquals(List.of(Backend.Choice.Part.OUTPUT, Backend.Choice.Part.HIDDEN), choices.stream().map(Backend.Choice::part).toList());
        for (Backend.Choice c : choices) {
            assertEquals(List.of(false, true, 1.0), List.of(c.folded(), c.disagrees(), c.off()), c.toString());
            assertTrue(c.toString().matches("(output|hidden) step 8x(33|5)x(5|33): folded disagrees with GEMM and step \\(off by 1\\.0e\\+00 of its "
                    + "largest value\\), GEMM and step [0-9.]+ us: GEMM and step"), c.toString());
        }
    }

    /**
     * A device whose GEMM ({@code slowGemm}) or else folded step kernels (a step kernel given the GEMM's k) pause
     * at each launch, and whose step kernels write into every matrix they are given 1, or {@code folded} where
     * given the GEMM's k; its variants are timed as recorded programs that issue their operations again.
     */
    private static LoggingGpu tunable(boolean slowGemm, float folded) {
        return new LoggingGpu() {
            @Override
            protected void enqueue(GpuKernel kernel, Launch launch, Object[] args) {
                super.enqueue(kernel, launch, args);
                if (kernel == GpuKernel.OUTPUT_STEP || kernel == GpuKernel.HIDDEN_STEP) {
                    boolean fused = (Integer) args[2] != 0;
                    for (Object a : args) {
                        if (a instanceof Matrix m) {
                            float[] v = new float[m.size()];
                            Arrays.fill(v, fused ? folded : 1);
                            upload(v, m);
                        }
                    }
                    if (!slowGemm && fused) {
                        TimingsTest.pause();
                    }
                }
            }

            @Override
            public void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
                super.gemm(transA, transB, alpha, a, b, beta, c);
                if (slowGemm) {
                    TimingsTest.pause();
                }
            }

            @Override
            protected Program capture(Runnable ops) {
                return ops::run;
            }
        };
    }

    /**
     * tune times each product of the step whose k the device offers to split, split and whole, once a shape, before
     * the folds (whose GEMM variants run those products), and keeps the faster when one is made artificially slow;
     * the products then split as chosen, or as a checkpoint's choice says. A device that offers no split (the
     * default, as on CUDA) gets no such choice.
     */
    @Test
    void tuneSplitsAProductsKWhereTheSplitRanFaster() {
        for (boolean slowSplit : new boolean[] {true, false}) {
            LoggingGpu gpu = new LoggingGpu() {
                /** Offers to split the products 33 wide (x w into the hidden layer, and the error going back to it). */
                @Override
                protected int splitSlices(boolean transB, int m, int n, int k) {
                    return n == 33 ? 4 : 1;
                }

                @Override
                public void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
                    int[] mnk = Shapes.gemm(transA, transB, a, b, c);
                    log.add(splits(transA, transB, mnk[0], mnk[1], mnk[2]) ? "gemm split" : "gemm");
                    if (splitSlices(transB, mnk[0], mnk[1], mnk[2]) > 1 && splits(transA, transB, mnk[0], mnk[1], mnk[2]) == slowSplit) {
                        TimingsTest.pause();
                    }
                }

                @Override
                protected Program capture(Runnable ops) {
                    return ops::run;
                }
            };
            List<Backend.Choice> choices = gpu.tune(8, new int[] {20, 33, 5, 3}, org.mlp4j.Output.SIGMOID, null);
            List<Backend.Choice> products = choices.stream().filter(c -> c.part() == Backend.Choice.Part.FORWARD || c.part() == Backend.Choice.Part.BACKWARD)
                    .toList();
            assertEquals(List.of("FORWARD 8x20x33", "BACKWARD 8x5x33"), products.stream().map(c -> c.part() + " " + c.rows() + "x" + c.k() + "x" + c.cols())
                    .toList(), choices.toString());
            assertEquals(choices.subList(0, 2), products, "the products are timed first");
            for (Backend.Choice c : products) {
                assertEquals(!slowSplit, c.folded(), (slowSplit ? "split slowed: " : "whole k slowed: ") + c);
                assertTrue(c.toString().matches("(forward|backward) product 8x(20|5)x33: k split [0-9.]+ us, whole [0-9.]+ us: "
                        + (slowSplit ? "whole" : "k split")), c.toString());
            }
            gpu.log.clear();
            gpu.layerForward(gpu.matrix(8, 20), gpu.matrix(20, 33), gpu.matrix(1, 33), Activation.SIGMOID, gpu.matrix(8, 33));
            gpu.layerForward(gpu.matrix(8, 33), gpu.matrix(33, 5), gpu.matrix(1, 5), Activation.SIGMOID, gpu.matrix(8, 5));
            assertEquals(List.of(slowSplit ? "gemm" : "gemm split", "gemm"), gpu.log.stream().filter(l -> l.startsWith("gemm")).toList());
            gpu.use(List.of(new Backend.Choice(Backend.Choice.Part.FORWARD, 8, 20, 33, slowSplit, Double.NaN, Double.NaN)));
            assertEquals(slowSplit, gpu.splits(false, false, 8, 33, 20), "a checkpoint's choice decides");
            assertEquals(false, gpu.splits(true, false, 8, 33, 20), "a product of A' is never split by choice");
        }
        assertEquals(List.of(Backend.Choice.Part.OUTPUT, Backend.Choice.Part.HIDDEN, Backend.Choice.Part.HIDDEN),
                new LoggingGpu().tune(8, new int[] {20, 33, 5, 3}, org.mlp4j.Output.SIGMOID, null).stream().map(Backend.Choice::part).toList());
    }

    /**
     * Given a checkpoint's choices, tune times nothing: a fused way the checkpoint chose is checked again, and runs
     * where it still computes what the plain way does (its choice says how near), not where it now computes other
     * values; a plain choice runs as it is, unchecked; a part the checkpoint does not name is not chosen (it runs
     * as untuned).
     */
    @Test
    void givenACheckpointsChoicesTuneChecksTheFusedOnesAgain() {
        int[] sizes = {20, 33, 5};
        Backend.Choice output = new Backend.Choice(Backend.Choice.Part.OUTPUT, 8, 33, 5, true, Double.NaN, Double.NaN);
        Backend.Choice hidden = new Backend.Choice(Backend.Choice.Part.HIDDEN, 8, 5, 33, true, Double.NaN, Double.NaN);
        assertEquals(List.of("output step 8x33x5: folded (not timed; within 0.0e+00 of GEMM and step)"),
                tunable(true, 1).tune(8, sizes, org.mlp4j.Output.SIGMOID, List.of(output)).stream().map(Backend.Choice::toString).toList());

        LoggingGpu wrong = tunable(true, 2);
        List<Backend.Choice> checked = wrong.tune(8, sizes, org.mlp4j.Output.SIGMOID, List.of(hidden, output));
        assertEquals(List.of("output step 8x33x5: folded disagrees with GEMM and step (off by 1.0e+00 of its largest value): GEMM and step (not timed)",
                "hidden step 8x5x33: folded disagrees with GEMM and step (off by 1.0e+00 of its largest value): GEMM and step (not timed)"),
                checked.stream().map(Backend.Choice::toString).toList());
        assertTrue(checked.stream().allMatch(Backend.Choice::disagrees), "a warning, in the trainer: " + checked);
        wrong.log.clear();
        wrong.outputLayerStep(wrong.matrix(8, 33), wrong.matrix(33, 5), wrong.matrix(1, 5), wrong.matrix(8, 1), org.mlp4j.Output.SIGMOID, 0.1f,
                wrong.matrix(8, 5), wrong.matrix(8, 5));
        assertEquals(List.of("gemm", "output_step"), wrong.log.stream().map(l -> l.split(" ")[0]).filter(l -> !l.equals("write")).toList(),
                "the step unfolded (its kernel here writes its matrices)");

        wrong.log.clear();
        Backend.Choice plain = new Backend.Choice(Backend.Choice.Part.OUTPUT, 8, 33, 5, false, Double.NaN, Double.NaN);
        assertEquals(List.of(plain), wrong.tune(8, sizes, org.mlp4j.Output.SIGMOID, List.of(plain)));
        assertEquals(List.of(), wrong.log, "nothing ran");
    }

    /**
     * A folded step whose kernel faults the device (it then fails even a wait for its idle queue) stops tune, named
     * and remembered, whether tune times it or checks a checkpoint's choice of it again; the next run's tune on that
     * device leaves the fold out unrun and runs the step unfolded, as it does where a checkpoint's choice folds it.
     */
    @Test
    void aFoldThatFaultsTheDeviceStopsTuneAndLaterRunsLeaveItOut(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        class FaultingGpu extends LoggingGpu {
            final DeviceFaults faults;
            boolean lost;

            FaultingGpu(DeviceFaults faults) {
                this.faults = faults;
            }

            @Override
            protected void enqueue(GpuKernel kernel, Launch launch, Object[] args) {
                super.enqueue(kernel, launch, args);
                lost |= kernel == GpuKernel.OUTPUT_STEP && (Integer) args[2] != 0;
            }

            @Override
            public void synchronize() {
                if (lost) {
                    throw new BackendFailure("cuStreamSynchronize failed: CUDA_ERROR_ILLEGAL_ADDRESS");
                }
            }

            @Override
            protected DeviceFaults faults() {
                return faults;
            }

            @Override
            protected Program capture(Runnable ops) {
                return ops::run;
            }
        }
        int[] sizes = {20, 33, 5, 3};
        Backend.Choice folded = new Backend.Choice(Backend.Choice.Part.OUTPUT, 8, 5, 3, true, Double.NaN, Double.NaN);
        DeviceFaults faults = new DeviceFaults(dir.resolve("faults.tsv"));
        for (List<Backend.Choice> made : java.util.Arrays.asList(null, List.of(folded))) {
            DeviceFaults where = made == null ? faults : new DeviceFaults(dir.resolve("resumed.tsv"));
            DeviceFaults.Fault fault = assertThrows(DeviceFaults.Fault.class, () -> new FaultingGpu(where).tune(8, sizes, org.mlp4j.Output.SIGMOID, made));
            assertEquals("the output step with its product folded in faulted the device as the run checked it (cuStreamSynchronize failed:"
                    + " CUDA_ERROR_ILLEGAL_ADDRESS); later runs on this device leave it out (remembered in " + where.file() + ")", fault.getMessage());
        }

        FaultingGpu next = new FaultingGpu(faults);
        List<Backend.Choice> choices = next.tune(8, sizes, org.mlp4j.Output.SIGMOID, null);
        assertEquals(List.of(Backend.Choice.Part.OUTPUT, Backend.Choice.Part.HIDDEN, Backend.Choice.Part.HIDDEN), choices.stream().map(Backend.Choice::part).toList());
        assertTrue(choices.get(0).toString().matches("output step 8x5x3: folded unusable \\(refused, or left out\\), GEMM and step [0-9.]+ us: GEMM and step"),
                choices.get(0).toString());
        assertFalse(next.lost, "the fold left out unrun");
        assertEquals(List.of("output step 8x5x3: folded unusable (refused, or left out): GEMM and step (not timed)"),
                next.tune(8, sizes, org.mlp4j.Output.SIGMOID, List.of(folded)).stream().map(Backend.Choice::toString).toList(),
                "a checkpoint's fold that has faulted this device since runs unfolded");
        assertEquals(List.of(new Backend.Choice(Backend.Choice.Part.OUTPUT, 8, 5, 3, false, Double.NaN, Double.NaN)), next.use(List.of(folded)),
                "as where the choice is used as it is");
        next.outputLayerStep(next.matrix(8, 5), next.matrix(5, 3), next.matrix(1, 3), next.matrix(8, 1), org.mlp4j.Output.SIGMOID, 0f,
                next.matrix(8, 3), next.matrix(8, 3));
        assertFalse(next.lost, "the step unfolded");
    }

    @Test
    void aLaunchThatDisagreesWithItsDeclarationIsRefused() {
        LoggingGpu gpu = new LoggingGpu();
        Matrix m = gpu.matrix(2, 2);
        assertThrows(IllegalArgumentException.class, () -> gpu.launchRaw(GpuKernel.BIAS_ACTIVATION, m, m, 2, 2), "too few");
        assertThrows(IllegalArgumentException.class, () -> gpu.launchRaw(GpuKernel.BIAS_ACTIVATION, m, m, 2, 2, 1f), "a float for an int");
        assertThrows(IllegalArgumentException.class, () -> gpu.launchRaw(GpuKernel.SUM_SQUARES, m, 4, m, 0), "a matrix for an accumulator");
        gpu.launchRaw(GpuKernel.BIAS_ACTIVATION, m, m, 2, 2, 1);
        assertEquals(1, gpu.log.size());
    }

    @Test
    void hostTransfersGoInChunksAndNeverIntoARecording() {
        LoggingGpu gpu = new LoggingGpu();
        int n = (16 << 20) / 4 + 3; // one float past a 16 MiB chunk
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = i;
        }
        Matrix m = gpu.matrix(1, n);
        gpu.upload(data, m);
        assertEquals(List.of("write 0 16777216", "write 16777216 12"), gpu.log);
        float[] back = new float[n];
        gpu.download(m, back);
        assertArrayEquals(data, back);
        Backend.Accumulator acc = gpu.accumulator(1);
        assertThrows(IllegalStateException.class, () -> gpu.record(() -> gpu.upload(data, m)));
        assertThrows(IllegalStateException.class, () -> gpu.record(() -> gpu.read(acc)));
        assertThrows(IllegalStateException.class, () -> gpu.record(() -> gpu.record(() -> { })));
        assertEquals(0.0, gpu.read(acc)[0], "usable again after a refused recording");
    }

    /** One epoch of the book's settings for 784-30-10 on 300 of MNIST's training images on {@code gpu}, its notes added to {@code notes}. */
    private static org.mlp4j.model.Trainer.Fit fitOneEpoch(Backend gpu, List<String> notes) {
        return new org.mlp4j.model.Trainer(gpu, org.mlp4j.model.Hyperparameters.book().withEpochs(1))
                .fit(new int[] {784, 30, 10}, org.mlp4j.TestData.trainHead(300), 100, new org.mlp4j.model.TrainingListener() {
                    @Override
                    public void note(String line) {
                        notes.add(line);
                    }
                });
    }

    /**
     * Whole steps are timed on a copy of the network; where the device has no room for it the run goes on layer by
     * layer and says why (train --verbose), instead of failing as a device out of memory.
     */
    @Test
    void aRunWithoutRoomToTimeWholeStepsGoesLayerByLayer() {
        class NoRoomForACopy extends LoggingGpu {
            boolean full;

            @Override
            protected byte[] allocate(long bytes) {
                if (full) {
                    full = false;
                    throw new DeviceMemoryException("logging: out of memory");
                }
                return super.allocate(bytes);
            }

            /** Offered for the run's network, after which the next allocation (the copy's first) fails. */
            @Override
            protected Steps steps(WholeStepSlots n, Activation act, org.mlp4j.Output output) {
                full = true;
                return (x, labels, rate, decay) -> log.add("whole steps");
            }
        }
        NoRoomForACopy gpu = new NoRoomForACopy();
        List<String> notes = new ArrayList<>();
        org.mlp4j.model.Trainer.Fit fit = fitOneEpoch(gpu, notes);
        assertTrue(notes.stream().anyMatch(n -> n.startsWith("whole steps not timed, and not taken: no device memory for the copy")), notes.toString());
        assertTrue(fit.last().choices().stream().anyMatch(c -> c.part() == Backend.Choice.Part.WHOLE && !c.folded()), fit.last().choices().toString());
        assertTrue(!gpu.log.contains("whole steps") && gpu.log.stream().anyMatch(l -> l.startsWith("output_step")), "layer by layer");
    }

    /**
     * Whole steps' buffers are extra to the layer ops': where the device has no room for them (for the run's network,
     * before any timing), the run goes on layer by layer and says why, instead of failing as a device out of memory
     * (which {@code train} without --strict takes for a fall back to the cpu).
     */
    @Test
    void aRunWithoutRoomForWholeStepsBuffersGoesLayerByLayer() {
        class NoRoomForWholeSteps extends LoggingGpu {
            @Override
            protected Steps steps(WholeStepSlots n, Activation act, org.mlp4j.Output output) {
                matrix(1, 1); // a buffer of its own, made before the one there is no room for
                throw new DeviceMemoryException("logging: out of memory");
            }
        }
        NoRoomForWholeSteps gpu = new NoRoomForWholeSteps();
        List<String> notes = new ArrayList<>();
        org.mlp4j.model.Trainer.Fit fit = fitOneEpoch(gpu, notes);
        assertTrue(notes.contains("whole steps not offered: no device memory for their buffers (logging: out of memory)"), notes.toString());
        assertEquals(1, fit.history().size());
        assertTrue(fit.last().choices().stream().noneMatch(c -> c.part() == Backend.Choice.Part.WHOLE), fit.last().choices().toString());
        assertTrue(gpu.log.stream().anyMatch(l -> l.startsWith("output_step")), "layer by layer");
    }
}
