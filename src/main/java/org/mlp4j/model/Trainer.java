package org.mlp4j.model;

import java.util.ArrayList;
import java.util.List;
import org.mlp4j.Activation;
import org.mlp4j.Output;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.Backends;
import org.mlp4j.backend.DeviceChoices;
import org.mlp4j.backend.DeviceFaults;
import org.mlp4j.backend.DeviceMemoryException;
import org.mlp4j.backend.Backend.Accumulator;
import org.mlp4j.backend.Backend.Examples;
import org.mlp4j.backend.Backend.Order;
import org.mlp4j.backend.Backend.Program;
import org.mlp4j.backend.Matrix;
import org.mlp4j.backend.Timings;
import org.mlp4j.data.Dataset;

/**
 * Minibatch SGD as the seed chapter's {@code NeuralNetMLP.fit}, on any backend. The dataset is uploaded
 * once; per epoch only the shuffled order goes up and four sums come back. The steps of an epoch are
 * recorded once as a few {@link Program}s (CUDA graphs on CUDA) and replayed every epoch; between them
 * progress is reported and a stop is taken, and a stopped run continues from its {@link Checkpoint} exactly
 * as if it had not stopped. An epoch's minibatches are gathered from the dataset at once where the backend
 * has ample memory for them (the evaluation then reads them again as the training set), else a program's at
 * a time ({@link #segmentRows}), so that training holds a tenth of the training set as floats besides it.
 */
public final class Trainer {
    /**
     * Examples an evaluation gathers from the dataset at once, and the rows its layers take at once unless the
     * backend asks for more ({@link #evaluationRows}): bounds the evaluation's memory whatever the dataset size.
     */
    public static final int EVAL_CHUNK = 5000;
    /** An epoch's steps are recorded as this many programs at most (the last also evaluates). */
    static final int SEGMENTS = 10;

    private static final int COST = 0;
    private static final int TRAIN_CORRECT = 1;
    private static final int VALID_CORRECT = 2;
    private static final int SQUARED_WEIGHTS = 3;

    private final Backend backend;
    private final Hyperparameters hp;
    private final DeviceChoices memory;

    /** A trainer whose every run times its device's choices anew (a benchmark's). */
    public Trainer(Backend backend, Hyperparameters hp) {
        this(backend, hp, null);
    }

    /**
     * A trainer whose runs from the start take the choices an earlier run of the same network on this device made
     * where {@code memory} holds them ({@link DeviceChoices}: each fused way checked again, untimed, as a resumed run
     * takes its checkpoint's), so that the same run ends in the same bits; a run that finds none keeps the choices it
     * times there. Null: every run times its own.
     */
    public Trainer(Backend backend, Hyperparameters hp, DeviceChoices memory) {
        this.backend = backend;
        this.hp = hp;
        this.memory = memory;
    }

    /**
     * A run as it stands between two segments of an epoch: with the same data ({@code examples} of them,
     * the last {@code valid} for validation, whose {@link Dataset#digest} is {@code dataDigest}, or 0 in a
     * checkpoint written before digests were) it continues exactly as the run would have. {@code epoch} is
     * the epoch in progress, or the next one when {@code step} is 0;
     * {@code random} is the shuffling stream before that epoch's order was drawn; {@code history} holds the
     * finished epochs. {@code choices} are how the backend named {@code tunedOn} runs the steps (null where a
     * checkpoint does not say: its choices are taken wherever it resumes).
     */
    public record Checkpoint(Hyperparameters hp, int examples, int valid, long dataDigest, Network network, int epoch, int step,
                             NumpyRandom.State random, List<EpochResult> history, Best best, java.util.Map<String, float[]> optimizerState,
                             List<Backend.Choice> choices, String tunedOn) {
        public Checkpoint {
            history = List.copyOf(history);
            optimizerState = java.util.Map.copyOf(optimizerState);
            choices = List.copyOf(choices);
        }

        /** Whether {@code data} is what the run trained on, as far as its checkpoint tells (one without a digest: the count). */
        public boolean trainedOn(Dataset data) {
            return data.count() == examples && (dataDigest == 0 || dataDigest == data.digest());
        }

        /** Whether early stopping ended the run: its last whole epoch came its patience or more after its best. */
        public boolean stoppedEarly() {
            return step == 0 && patienceRanOut(hp, valid, best, history.size());
        }

        /** Whether the run has nothing left to train up to {@code epochs}: it stopped early, or has done them all. */
        public boolean finished(int epochs) {
            return stoppedEarly() || step == 0 && history.size() >= epochs;
        }

        /**
         * Where continuing this run up to {@code epochs} gives it other rates than a run of that many epochs from
         * the start, says so, else null: a schedule that spans the run (cosine) gave the epochs done (and the one
         * stopped within) their rates for the run's old length.
         */
        public String scheduleChange(int epochs) {
            Hyperparameters now = hp.withEpochs(epochs);
            int done = history.size() + (step > 0 ? 1 : 0);
            for (int e = 1; e <= done; e++) {
                if (hp.rate(e) != now.rate(e)) {
                    return "note: the " + hp.optimization().schedule().id() + " schedule now spans " + epochs + " epochs; "
                            + (done == 1 ? "epoch 1" : "epochs 1-" + done) + " took their rates from a run of " + hp.epochs()
                            + ", so this run's rates are not those of a run of " + epochs + " from the start";
                }
            }
            return null;
        }
    }

    /** Early stopping's rule: with validation examples, {@code epochs} (those done) came its patience or more after the best. */
    private static boolean patienceRanOut(Hyperparameters hp, int valid, Best best, int epochs) {
        return hp.patience() > 0 && valid > 0 && best != null && epochs - best.epoch() >= hp.patience();
    }

    /** With early stopping ({@link Hyperparameters#patience}): the epoch of the best validation accuracy so far and its parameters. */
    public record Best(int epoch, Network network) {
    }

    /**
     * The outcome of {@link #fit}: the last state; whether a stop request ended the run before its last
     * epoch; whether early stopping did. {@link #network} is the model to keep: with early stopping the
     * best epoch's, else the last.
     */
    public record Fit(Checkpoint last, boolean stopped, boolean stoppedEarly) {
        public Network network() {
            return last.best() != null ? last.best().network() : last.network();
        }

        public List<EpochResult> history() {
            return last.history();
        }
    }

    /**
     * Trains a network of the given layer sizes on the first {@code data.count - valid} examples and
     * validates on the last {@code valid}, like the book's 55,000/5,000 split. Minibatches that do not
     * fill a whole batch at the end of an epoch are skipped, as in the book.
     *
     * @throws DivergedException when the cost stops being finite
     */
    public Fit fit(int[] sizes, Dataset data, int valid, TrainingListener listener) {
        return fit(sizes, Activation.SIGMOID, Output.SIGMOID, data, valid, listener);
    }

    /** As {@link #fit(int[], Dataset, int, TrainingListener)} with hidden layers of {@code activation} and that {@code output}. */
    public Fit fit(int[] sizes, Activation activation, Output output, Dataset data, int valid, TrainingListener listener) {
        NumpyRandom random = new NumpyRandom(hp.seed());
        return fit(Network.initialize(sizes, data.input(), activation, output, random), random, data, valid, listener);
    }

    /**
     * As {@link #fit(int[], Dataset, int, TrainingListener)}, but from {@code initial}'s parameters instead of
     * the seed's random ones (warm start, fine-tuning); the seed still draws the minibatch order.
     */
    public Fit fit(Network initial, Dataset data, int valid, TrainingListener listener) {
        return fit(initial, new NumpyRandom(hp.seed()), data, valid, listener);
    }

    /**
     * As {@link #fit(Network, Dataset, int, TrainingListener)}, the minibatch order drawn from {@code order} as it
     * stands: the stream {@code initial}'s weights were drawn from, to go on with it as the book does.
     */
    public Fit fit(Network initial, NumpyRandom order, Dataset data, int valid, TrainingListener listener) {
        Session session = setUp(listener, () -> new Session(initial.copy(), order, data, valid, 1, 0, List.of(), null, java.util.Map.of(), null,
                listener));
        if (session == null) {
            // the run as it would have begun
            return new Fit(new Checkpoint(hp, data.count(), valid, 0, initial.copy(), 1, 0, order.state(), List.of(), null, java.util.Map.of(),
                    List.of(), null), true, false);
        }
        return run(session);
    }

    /**
     * Continues a checkpointed run on {@code data} (the data it was trained on) up to this trainer's epochs;
     * this trainer's other settings must be the checkpoint's. A run that early stopping ended, or that has done
     * those epochs, stays as it is.
     */
    public Fit resume(Checkpoint from, Dataset data, TrainingListener listener) {
        List<String> differences = hp.differences(from.hp());
        if (!differences.isEmpty()) {
            throw new IllegalArgumentException("resuming with other settings than the run's: " + String.join(", ", differences));
        }
        if (data.count() != from.examples()) {
            throw new IllegalArgumentException("the run was trained on " + from.examples() + " examples, not " + data.count());
        }
        if (!from.trainedOn(data)) {
            throw new IllegalArgumentException("the run was trained on other examples: as many, with other values, labels or order");
        }
        if (from.finished(hp.epochs())) {
            return new Fit(from, false, from.stoppedEarly());
        }
        // choices made on another backend are not this one's to keep (its kernels and ways are others): it makes its own
        boolean own = from.tunedOn() == null || from.tunedOn().equals(backend.name());
        Session session = setUp(listener, () -> new Session(from.network(), NumpyRandom.of(from.random()), data, from.valid(), from.epoch(),
                from.step(), from.history(), from.best(), from.optimizerState(), own ? from.choices() : null, listener));
        if (session == null) {
            return new Fit(from, true, false);
        }
        if (!own) {
            listener.note("the run's steps were chosen on " + from.tunedOn() + ": " + backend.name() + " chooses its own");
        }
        session.dataDigest = from.dataDigest();  // the data's, checked above (or 0, to be taken when a checkpoint needs it)
        return run(session);
    }

    /**
     * The session {@code setUp} makes, or null where {@code listener} asks to stop while it makes the device's choices
     * (seconds on a GPU, tens of them with OpenCL on a CPU), asked before each candidate runs: a stop is heard within
     * a candidate's run, not after them all (a user who stops the process meanwhile cuts off a check, which a later
     * run then takes for one that hung the device: {@link DeviceFaults}).
     */
    private static Session setUp(TrainingListener listener, java.util.function.Supplier<Session> setUp) {
        try {
            return Timings.stoppable(listener::stopRequested, setUp);
        } catch (Timings.Stopped e) {
            return null;
        }
    }

    private Fit run(Session session) {
        TrainingListener listener = session.listener;
        if (session.keptChoices != null) {
            listener.note(session.keptChoices);
        }
        // a fused way left out for computing other values than the plain one is a kernel this device gets wrong
        session.tuning.forEach(c -> {
            if (c.disagrees()) {
                listener.warning(c.toString());
            } else {
                listener.note(c.toString());
            }
        });
        session.wayTimes.forEach(listener::note);
        session.warnings.forEach(listener::warning);
        if (session.wholeSteps != null) {
            listener.note("whole steps: " + session.wholeSteps);
        }
        String setUp = backend.description();
        if (!setUp.equals(session.opened)) {
            listener.note("device, set up: " + setUp);
        }
        boolean early = hp.patience() > 0 && session.valid > 0;
        while (session.epoch <= hp.epochs()) {
            EpochResult r = session.next();
            if (r == null) {
                return new Fit(session.checkpoint(), true, false);
            }
            if (!Double.isFinite(r.cost())) {
                throw new DivergedException(r.epoch(), r.cost());
            }
            if (early && (session.best == null || r.validAccuracy() > session.history.get(session.best.epoch() - 1).validAccuracy())) {
                session.best = new Best(r.epoch(), session.net.download());
            }
            listener.epoch(r, session::checkpoint);
            if (patienceRanOut(hp, session.valid, session.best, r.epoch())) {
                return new Fit(session.checkpoint(), false, true);
            }
        }
        return new Fit(session.checkpoint(), false, false);
    }

    /**
     * The network as {@link DeviceChoices} keeps its choices: what picks the candidates and their kernels (its layers,
     * the batch, its units, the optimizer and whether the rate changes), none of the values they run with.
     */
    private String network(Network initial) {
        return String.format(java.util.Locale.ROOT, "%s, batch %d, %s units, %s outputs, %s, %s rate", Network.name(initial.sizes()), hp.batch(),
                initial.activation().id(), initial.output().id(), hp.optimization().optimizer().id(), hp.optimization().schedule().id());
    }

    /** One step of {@code net} through the layer ops: the general step with {@code o}'s buffers, else the book's fused SGD. */
    static void layerStep(Hyperparameters hp, DeviceNet net, DeviceNet.Optimizing o, DeviceNet.Workspace ws, Matrix x, Matrix y) {
        if (o != null) {
            net.trainStep(o, ws, x, y);
        } else {
            net.trainStep(ws, x, y, hp.eta(), hp.l2(), hp.meanGradient());
        }
    }

    /** Writes {@code epoch}'s rate, the gradient's scale, L2 and the optimizer's settings into {@code o}, after {@code stepsDone} steps. */
    static void setRates(Hyperparameters hp, DeviceNet.Optimizing o, int epoch, long stepsDone) {
        o.set(hp.rate(epoch), hp.meanGradient() ? 1f / hp.batch() : 1f, hp.l2(), hp.optimization(), stepsDone);
    }

    /** Sets up training (parameters, resident data, recorded programs) without running an epoch. */
    public Session start(int[] sizes, Activation activation, Output output, Dataset data, int valid) {
        NumpyRandom random = new NumpyRandom(hp.seed());
        Network initial = Network.initialize(sizes, data.input(), activation, output, random);
        return new Session(initial, random, data, valid, 1, 0, List.of(), null, java.util.Map.of(), null, TrainingListener.NONE);
    }

    /** A network being trained on one backend. */
    public final class Session {
        private final NumpyRandom random;
        private final DeviceNet net;
        private final Order shuffled;
        private final Accumulator acc;
        /** Gathers the minibatches of the whole epoch, or of each segment. */
        private final Program[] gathers;
        /** How this run's steps run: what {@link Backend#tune} and the timing of whole steps chose, or a resumed run's checkpoint. */
        private final List<Backend.Choice> tuning = new ArrayList<>();
        /** The backend's whole steps where they run (the way of them that was fastest), else null. */
        private final Backend.Steps wholeSteps;
        /** Where the run takes the choices an earlier run made ({@link DeviceChoices}), what they are and how to have them timed again. */
        private String keptChoices;
        /** Each way of whole steps and its time, where there were several to time. */
        private final List<String> wayTimes = new ArrayList<>();
        /** What is left out: each candidate that faulted this device in an earlier run, each way of whole steps that ends elsewhere than the layer ops. */
        private final List<String> warnings = new ArrayList<>();
        /** Where this device's faults are remembered, and those of its earlier runs ({@link DeviceFaults}). */
        private final DeviceFaults faults = DeviceFaults.ofUser();
        private final java.util.Map<String, String> remembered;
        /**
         * The backend's description before the session recorded its programs: a GPU backend may choose more as it
         * records them (OpenCL's kernel for each product, how its programs replay).
         */
        private final String opened;
        /** The optimizer's buffers, or null on the book's fused SGD path. */
        private final DeviceNet.Optimizing optimizing;
        private final Program[] segments;
        /** Steps done when segment s has run. */
        private final int[] ends;
        private final int[] order;
        private final Dataset data;
        /** Hears what the set-up does, the run's progress and notes, and says when to stop. */
        private final TrainingListener listener;
        /** {@link Dataset#digest} of data once a checkpoint has taken it, else 0. */
        private long dataDigest;
        private final int train;
        private final int valid;
        private final int steps;
        private final List<EpochResult> history;
        private NumpyRandom.State beforeOrder;
        private Best best;
        private int epoch;
        private int segment;
        /** The one of {@link #gathers} that has run in this epoch, or -1 before the first (which uploads its order). */
        private int gathered = -1;

        private Session(Network initial, NumpyRandom random, Dataset data, int valid, int epoch, int step, List<EpochResult> history,
                        Best best, java.util.Map<String, float[]> optimizerState, List<Backend.Choice> choices, TrainingListener listener) {
            this.listener = listener;
            opened = backend.description();
            this.random = random;
            this.best = best;
            this.valid = valid;
            this.epoch = epoch;
            this.history = new ArrayList<>(history);
            this.data = data;
            train = data.count() - valid;
            steps = train / hp.batch();
            if (train == 0) {
                throw new IllegalArgumentException("no training examples");
            }
            if (steps < 1) {
                throw new IllegalArgumentException("a batch of " + hp.batch() + " is larger than the " + train + " training examples");
            }
            if (hp.patience() > 0 && valid == 0) {
                throw new IllegalArgumentException("early stopping (a patience of " + hp.patience() + ") needs validation examples");
            }
            checkInputs(initial, data);
            // the layer steps' variants are chosen by timing them on the device, before anything is recorded (the
            // general step's products split their k or not as those of the book's step do, and a backend's whole
            // steps of it may run the fused layer steps); a resumed run takes the choices it was made with, each
            // checked again, so it goes on exactly as it would have
            remembered = faults.remembered(backend.device());
            warnings.addAll(faults.leftOut(remembered));
            // a run from the start takes the choices this device's earlier run of the network made, where they are kept
            String network = memory == null || choices != null || epoch != 1 || step != 0 ? null : network(initial);
            DeviceChoices.Remembered earlier = network == null ? null : memory.find(backend.device(), network);
            if (earlier != null) {
                choices = earlier.choices();
                keptChoices = "the steps' choices: as this device's run of " + earlier.date() + " made them, kept in " + memory.file()
                        + " so that the run's results repeat (to time them again, delete its line)";
            }
            listener.settingUp("choosing the layer steps' ways");
            tuning.addAll(backend.tune(hp.batch(), initial.sizes(), initial.output(),
                    choices == null ? null : choices.stream().filter(c -> c.part() != Backend.Choice.Part.WHOLE).toList()));
            net = new DeviceNet(backend, initial);
            optimizing = hp.optimization().general() ? net.optimizing(hp.optimization().optimizer()) : null;
            if (optimizing != null && !optimizerState.isEmpty()) {
                optimizing.restore(optimizerState);
            }
            Examples examples = data.upload(backend);
            shuffled = backend.order(train);
            int covered = steps * hp.batch();
            Order identity = identity(backend, data.count());
            DeviceNet.Workspace batch = net.workspace(hp.batch());
            DeviceNet.Workspace chunk = evaluationWorkspace(net, initial.sizes(), data.count());
            // the whole epoch's minibatches in one gather where they take at most a quarter of the memory the backend has
            // free: the evaluation then reads them again as the training set, where it otherwise gathers its own
            int segmentRows = segmentRows(steps, hp.batch());
            long epochFloats = (long) covered * (data.features() + 1);
            boolean wholeEpoch = segmentRows == covered
                    || epochFloats <= org.mlp4j.util.Limits.MAX_ELEMENTS && 4 * 4 * epochFloats <= backend.memoryAvailable();
            int gatheredRows = wholeEpoch ? covered : segmentRows;
            Matrix epochX = backend.matrix(gatheredRows, data.features());
            Matrix epochY = backend.matrix(gatheredRows, 1);
            acc = backend.accumulator(4);
            // whole steps where the backend has them and they were faster, or it knows they are (or a resumed run ran them)
            Backend.Steps offered;
            try {
                offered = net.wholeSteps(batch, optimizing);
            } catch (DeviceMemoryException | OutOfMemoryError e) {
                // their buffers are extra to the layer ops', which then run the steps as they do where there are none
                wayTimes.add("whole steps not offered: no device memory for their buffers (" + e.getMessage() + ")");
                offered = null;
            }
            Backend.Choice whole = choices == null ? null : choices.stream().filter(c -> c.part() == Backend.Choice.Part.WHOLE).findFirst().orElse(null);
            List<Backend.Steps> ways = offered == null ? List.of() : WholeStepsChoice.ways(offered);
            WholeStepsChoice choosing = new WholeStepsChoice(backend, hp, listener, faults, remembered, initial, examples, identity, epochX, epochY,
                    steps);
            // kept choices without whole steps are a run's that had no room for them, or no copy to time them on, and a
            // choice among other ways than these names another way by their place
            boolean timeWhole = offered != null && (choices == null || earlier != null && (whole == null || !earlier.ways().equals(DeviceChoices.ways(ways))));
            if (timeWhole) {
                whole = offered.untimed()
                        ? new Backend.Choice(Backend.Choice.Part.WHOLE, hp.batch(), initial.layers(), 0, true, Double.NaN, Double.NaN)
                        : choosing.timed();
                tuning.add(whole);
            }
            if (choices != null && !timeWhole && whole != null) {
                whole = choosing.kept(whole, ways, offered != null && offered.untimed());
                tuning.add(whole);
            }
            wayTimes.addAll(choosing.notes);
            warnings.addAll(choosing.warnings);
            wholeSteps = whole != null && whole.folded() ? ways.get(whole.cols()) : null;
            // whole steps untimed (a device's only way, or none for want of memory) are left to the next run to decide, and
            // a run that timed nothing (the cpu's, mostly) has nothing to keep
            List<Backend.Choice> timed = tuning.stream()
                    .filter(c -> c.part() != Backend.Choice.Part.WHOLE || !Double.isNaN(c.foldedSeconds()) || !Double.isNaN(c.unfoldedSeconds())).toList();
            if (network != null && (earlier == null || timeWhole) && !timed.isEmpty()) {
                String unkept = memory.keep(backend.device(), network, DeviceChoices.ways(ways), timed);
                if (unkept != null) {
                    warnings.add(unkept);
                }
            }
            order = new int[train];

            Runnable evaluation = () -> {
                backend.reset(acc);
                // the training set is the epoch's minibatches (order does not change sums) plus any examples a partial
                // last batch left out, in the same chunks whether the minibatches are gathered or not
                if (wholeEpoch) {
                    net.evaluate(chunk, epochX, epochY, acc, COST, TRAIN_CORRECT);
                } else {
                    net.evaluate(chunk, examples, shuffled, 0, covered, acc, COST, TRAIN_CORRECT);
                }
                if (covered < train) {
                    net.evaluate(chunk, examples, shuffled, covered, train - covered, acc, COST, TRAIN_CORRECT);
                }
                if (valid > 0) {
                    net.evaluate(chunk, examples, identity, train, valid, acc, -1, VALID_CORRECT);
                }
                net.sumOfSquaredWeights(acc, SQUARED_WEIGHTS);
            };
            // each step reads a row range of the gathered minibatches
            listener.settingUp("recording the epoch's steps");
            int count = segments(steps);
            gathers = new Program[wholeEpoch ? 1 : count];
            if (wholeEpoch) {
                gathers[0] = backend.record(() -> backend.gather(examples, shuffled, 0, epochX, epochY));
            }
            segments = new Program[count];
            ends = new int[count];
            for (int s = 0; s < count; s++) {
                int from = segmentStart(steps, s);
                int to = segmentStart(steps, s + 1);
                boolean last = s == count - 1;
                ends[s] = to;
                int rows = (to - from) * hp.batch();
                int first = wholeEpoch ? from * hp.batch() : 0;  // the segment's first row in epochX
                if (!wholeEpoch) {
                    gathers[s] = backend.record(() -> backend.gather(examples, shuffled, from * hp.batch(), epochX.rows(0, rows),
                            epochY.rows(0, rows)));
                }
                segments[s] = backend.record(() -> {
                    if (wholeSteps != null) {
                        net.trainSteps(wholeSteps, batch, epochX.rows(first, rows), epochY.rows(first, rows), hp.eta(), hp.l2(),
                                hp.meanGradient());
                    } else {
                        for (int row = first; row < first + rows; row += hp.batch()) {
                            layerStep(hp, net, optimizing, batch, epochX.rows(row, hp.batch()), epochY.rows(row, hp.batch()));
                        }
                    }
                    if (last) {
                        evaluation.run();
                    }
                });
            }
            while (step != stepsBefore(segment)) {
                if (++segment == count) {
                    throw new IllegalArgumentException("step " + step + " is not where a checkpoint is taken (" + steps + " steps per epoch)");
                }
            }
            // the order of the epoch in progress or next, once every choice is made (a set-up stopped while it made them
            // leaves the stream as it was); each epoch then draws the next one's
            shuffle();
        }

        private int stepsBefore(int s) {
            return s == 0 ? 0 : ends[s - 1];
        }

        /**
         * Runs the epoch in progress (or the next) to its end and returns its line of the history, or null
         * when the session's listener asked to stop before one of its segments.
         */
        public EpochResult next() {
            long start = System.nanoTime();
            Backend.Mark behind = null; // the end of the segment before, which the listener hears of once the device reaches it
            for (int s = segment; s < segments.length; s++) {
                if (listener.stopRequested()) {
                    backend.synchronize();
                    if (behind != null) {
                        behind.await();
                    }
                    segment = s;
                    return null;
                }
                int part = gathers.length == 1 ? 0 : s;
                if (gathered != part) {
                    if (gathered < 0) {
                        backend.upload(order, shuffled);
                    }
                    gathers[part].run();
                    gathered = part;
                }
                if (optimizing != null) {
                    // this epoch's rate, and the steps done before this segment (Adam's t) as a straight run has them
                    setRates(hp, optimizing, epoch, (long) (epoch - 1) * steps + stepsBefore(s));
                }
                segments[s].run(); // the last one also evaluates
                if (behind != null) {  // with this segment issued, so that the device runs it while the host waits and draws
                    behind.await();
                    behind = null;
                    listener.steps(epoch, ends[s - 1], steps);
                }
                if (s + 1 < segments.length && listener.showsProgress()) {
                    behind = backend.mark();
                    if (behind == null) {  // a backend that ran the segment as it was issued
                        listener.steps(epoch, ends[s], steps);
                    }
                }
            }
            // While an asynchronous backend runs the epoch, draw the next epoch's order: the same draws in
            // the same sequence as shuffling at the start of the next epoch.
            shuffle();
            double[] sums = backend.read(acc);
            listener.steps(epoch, steps, steps);
            double cost = sums[COST] + hp.l2() * sums[SQUARED_WEIGHTS];
            EpochResult r = new EpochResult(epoch, cost, sums[TRAIN_CORRECT] / train,
                    valid > 0 ? sums[VALID_CORRECT] / valid : Double.NaN, (System.nanoTime() - start) / 1e9);
            history.add(r);
            epoch++;
            segment = 0;
            gathered = -1;
            return r;
        }

        private void shuffle() {
            beforeOrder = random.state();
            for (int i = 0; i < train; i++) {
                order[i] = i; // the book shuffles a fresh np.arange every epoch
            }
            random.shuffle(order);
        }

        /** The run as it stands, the parameters copied to the host. */
        public Checkpoint checkpoint() {
            if (dataDigest == 0) {
                dataDigest = data.digest();
            }
            return new Checkpoint(hp, data.count(), valid, dataDigest, net.download(), epoch, stepsBefore(segment), beforeOrder, history, best,
                    optimizing != null ? optimizing.state() : java.util.Map.of(), tuning, backend.name());
        }
    }

    /** The programs an epoch of {@code steps} is recorded as. */
    static int segments(int steps) {
        return Math.min(SEGMENTS, steps);
    }

    /** The first step of segment {@code s} of an epoch of {@code steps} ({@code steps} for {@code s} past the last). */
    static int segmentStart(int steps, int s) {
        return (int) ((long) steps * s / segments(steps));
    }

    /**
     * The rows of minibatches gathered at once, where an epoch of {@code steps} of {@code batch} is not gathered
     * whole: the largest segment's, or the rows whole steps are timed on where those are more.
     */
    static int segmentRows(int steps, int batch) {
        int count = segments(steps);
        return count == 0 ? 0 : Math.max((steps + count - 1) / count, Math.min(steps, WholeStepsChoice.WHOLE_STEPS_TIMED)) * batch;
    }

    /**
     * The rows the evaluation of {@code count} examples by a network of {@code sizes} takes at once on
     * {@code backend}: the model's chunk, or more where the backend asks for more ({@link Backend#evaluationRows}).
     * It gathers examples from the dataset a chunk at a time whichever it takes.
     */
    public static int evaluationRows(Backend backend, int[] sizes, int count) {
        long floats = 0;
        for (int l = 1; l < sizes.length; l++) {
            floats += 2L * sizes[l];
        }
        return Math.min(count, Math.max(EVAL_CHUNK, backend.evaluationRows(floats)));
    }

    /** The workspace an evaluation of {@code count} examples by {@code net} (of {@code sizes}) takes: {@link #evaluationRows}. */
    public static DeviceNet.Workspace evaluationWorkspace(DeviceNet net, int[] sizes, int count) {
        return net.workspace(evaluationRows(net.backend(), sizes, count), Math.min(EVAL_CHUNK, count));
    }

    /**
     * About how many bytes training a network of {@code sizes} on {@code count} examples allocates on its
     * backend, whose evaluation takes {@code evaluationRows} at once ({@link #evaluationRows}), and then
     * predicting {@code testCount} examples: the parameters, an optimizer's gradients and state (where
     * {@code optimization} is not the book's fused SGD), the resident dataset and orders, a segment's gathered
     * minibatches, the step's and the evaluation's buffers, and scratch for the cpu backend's GEMM (packed copies
     * of a weight matrix and of an evaluation chunk's widest activations, and its tile sums). Not the copy of the
     * network that whole steps are timed on, which a run does without where the device has no room for it.
     * Refuses, naming it, any matrix larger than one can be.
     */
    public static long footprint(int[] sizes, int count, Network.Input input, int valid, int batch, int testCount, int evaluationRows,
                                 Hyperparameters.Optimization optimization) {
        long floats = 0;
        long largest = 0;
        for (int l = 0; l + 1 < sizes.length; l++) {
            long w = org.mlp4j.util.Limits.elements((long) sizes[l] * sizes[l + 1],
                    "layer " + (l + 1) + "'s weights (" + sizes[l] + " x " + sizes[l + 1] + ")");
            largest = Math.max(largest, w);
            floats += w + sizes[l + 1];
        }
        long params = floats;
        long state = optimization.general() ? DeviceNet.optimizingArrays(optimization.optimizer()) * params : 0;
        long widest = java.util.Arrays.stream(sizes).max().orElse(0);
        int gathered = segmentRows((count - valid) / batch, batch);
        floats += state + workspace(sizes, batch, batch, "a minibatch")
                + workspace(sizes, evaluationRows, Math.min(EVAL_CHUNK, count), "an evaluation chunk")
                + org.mlp4j.util.Limits.elements((long) gathered * sizes[0], "the minibatches gathered at once (" + gathered + " x " + sizes[0] + ")")
                + gathered + largest + 2L * Math.min(EVAL_CHUNK, count) * widest;
        long bytes = 4 * floats + datasetBytes(count, sizes[0], input) + 4L * (count - valid) + 4L * count;
        // predicting the test set: the parameters again, the test data, an evaluation chunk
        int chunk = Math.min(EVAL_CHUNK, Math.max(1, testCount));
        bytes += 4 * (params + workspace(sizes, chunk, chunk, "an evaluation chunk") + chunk) + (long) testCount * (sizes[0] + 1)
                + 8L * testCount;
        return bytes;
    }

    /**
     * The share of an epoch's multiply-adds that its evaluation takes: a forward pass over each of the {@code examples}
     * (the training ones and the last {@code valid}, which validate), beside its steps' over the training examples the
     * minibatches of {@code batch} cover (for each, the forward pass, each layer's weight gradient and each layer's but the
     * first's input gradient). A progress line counts an epoch's steps that much short of the epoch's end, so that within
     * the first epoch, before any evaluation has run, its time left counts one in.
     */
    public static double evaluationShare(int[] sizes, int examples, int valid, int batch) {
        double forward = 0;
        for (int l = 0; l + 1 < sizes.length; l++) {
            forward += (double) sizes[l] * sizes[l + 1];
        }
        double evaluation = (double) examples * forward;
        double steps = (double) ((examples - valid) / batch * batch) * (3 * forward - (double) sizes[0] * sizes[1]);
        return evaluation / (evaluation + steps);
    }

    /** A resident dataset's bytes: a byte a pixel and label, or a float a feature and an int a label. */
    private static long datasetBytes(int count, int features, Network.Input input) {
        return (long) count * (features + 1) * (input == Network.Input.PIXELS ? 1 : 4);
    }

    /**
     * Refuses, before it allocates anything, training a network of {@code sizes} on {@code data} (the last
     * {@code valid} examples to validate) and then predicting {@code testCount} examples of pixels on the same
     * backend, where {@link #footprint} does not fit ({@link Backends#requireMemory}: on a device as out of its
     * memory, so that a caller can fall back to the cpu). A device's run keeps the parameters on the host too:
     * the initial ones, and a checkpoint's copy while the last is still held.
     */
    public static void requireMemory(Backend backend, int[] sizes, Dataset data, int valid, int batch, int testCount,
                                     Hyperparameters.Optimization optimization) {
        int count = data.count();
        long bytes = footprint(sizes, count, data.input(), valid, batch, testCount, evaluationRows(backend, sizes, count), optimization);
        Backends.requireMemory(backend, bytes, datasetBytes(count, sizes[0], data.input()), "training " + Network.name(sizes) + " on " + count + " examples",
                3 * 4 * Network.parameters(sizes), "keeping the parameters of " + Network.name(sizes) + " on the host");
    }

    /**
     * Floats of a {@link DeviceNet.Workspace} of {@code rows} that gathers {@code inputRows}: input, labels, and
     * each layer's activations and deltas.
     */
    private static long workspace(int[] sizes, int rows, int inputRows, String what) {
        long floats = inputRows;
        for (int l = 0; l < sizes.length; l++) {
            int r = l == 0 ? inputRows : rows;
            long m = org.mlp4j.util.Limits.elements((long) r * sizes[l], what + " at layer " + l + " (" + r + " x " + sizes[l] + ")");
            floats += l == 0 ? m : 2 * m;
        }
        return floats;
    }

    /** Refuses data that is not what the network takes: another width, or pixels for features and the reverse. */
    static void checkInputs(Network network, Dataset data) {
        if (network.inputs() != data.features()) {
            throw new IllegalArgumentException("the network takes " + network.inputs() + " inputs, the data has " + data.features());
        }
        if (network.input() != data.input()) {
            throw new IllegalArgumentException("the network takes " + network.input().name().toLowerCase(java.util.Locale.ROOT)
                    + ", the data is " + data.input().name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    /** The order 0, 1, ..., n-1 on the backend, for passes over the data as it lies. */
    public static Order identity(Backend backend, int n) {
        Order order = backend.order(n);
        backend.upload(java.util.stream.IntStream.range(0, n).toArray(), order);
        return order;
    }

    /**
     * Class probabilities for every example of {@code data}, one row each: for sigmoid output units their
     * activations divided by their sum, for the softmax the softmax; each row sums to 1 and its largest entry
     * is the predicted class.
     */
    public static float[][] probabilities(Backend backend, Network network, Dataset data) {
        return probabilities(new DeviceNet(backend, network), network, data);
    }

    /** {@link #probabilities(Backend, Network, Dataset)} with {@code network}'s parameters already on a backend, as {@code net}. */
    public static float[][] probabilities(DeviceNet net, Network network, Dataset data) {
        checkInputs(network, data);
        if (data.count() == 0) {
            return new float[0][];
        }
        Backend backend = net.backend();
        Examples examples = data.upload(backend);
        float[] z = net.logits(net.workspace(Math.min(EVAL_CHUNK, data.count())), examples, identity(backend, data.count()), 0, data.count());
        int classes = network.outputs();
        float[][] p = new float[data.count()][classes];
        for (int r = 0; r < data.count(); r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < classes; j++) {
                max = Math.max(max, z[r * classes + j]);
            }
            double[] a = new double[classes];
            double sum = 0;
            for (int j = 0; j < classes; j++) {
                double v = z[r * classes + j];
                a[j] = network.output() == Output.SOFTMAX ? StrictMath.exp(v - max) : 1 / (1 + StrictMath.exp(-v));
                sum += a[j];
            }
            for (int j = 0; j < classes; j++) {
                p[r][j] = (float) (a[j] / sum);
            }
        }
        return p;
    }

    /** Predicted classes for every example of {@code data}. */
    public static int[] predict(Backend backend, Network network, Dataset data) {
        return predict(new DeviceNet(backend, network), network, data);
    }

    /** {@link #predict(Backend, Network, Dataset)} with {@code network}'s parameters already on a backend, as {@code net}. */
    public static int[] predict(DeviceNet net, Network network, Dataset data) {
        checkInputs(network, data);
        if (data.count() == 0) {
            return new int[0];
        }
        Backend backend = net.backend();
        Examples examples = data.upload(backend);
        Order identity = identity(backend, data.count());
        return net.predict(net.workspace(Math.min(EVAL_CHUNK, data.count())), examples, identity, 0, data.count());
    }
}
