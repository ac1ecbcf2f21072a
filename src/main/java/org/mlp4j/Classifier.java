package org.mlp4j;

import java.lang.ref.SoftReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.BackendFailure;
import org.mlp4j.backend.BackendUnavailableException;
import org.mlp4j.backend.Backends;
import org.mlp4j.backend.DeviceChoices;
import org.mlp4j.backend.DeviceMemoryException;
import org.mlp4j.data.Dataset;
import org.mlp4j.data.Features;
import org.mlp4j.data.Images;
import org.mlp4j.model.CheckpointFile;
import org.mlp4j.model.DeviceNet;
import org.mlp4j.model.DivergedException;
import org.mlp4j.model.EpochResult;
import org.mlp4j.model.FeatureScaling;
import org.mlp4j.model.Hyperparameters;
import org.mlp4j.model.ModelFile;
import org.mlp4j.model.Network;
import org.mlp4j.model.NumpyRandom;
import org.mlp4j.model.Trainer;
import org.mlp4j.model.TrainingListener;
import org.mlp4j.util.Limits;
import org.mlp4j.util.UserError;

/**
 * A multilayer perceptron classifier, by default the book's {@code NeuralNetMLP} (sigmoid hidden and output
 * units, trained by minibatch SGD on the logistic cost with L2; see {@link Activation}, {@link Output} and
 * {@link Training} for the others), on the CPU or a GPU. This class, {@link Training},
 * {@link Progress}, {@link Epoch}, {@link Mnist} and {@link Table} are mlp4j's API; every other package is internal.
 *
 * <p>Features are {@code float} rows, used as they are; labels are class indices from 0 (a classifier may also keep
 * the classes' names, {@link #classNames}). A classifier
 * loaded from a model that the {@code mlp4j} command trained on MNIST takes pixels: their values 0..255, which
 * it scales as that model was trained ({@code (p/255 - 0.5) * 2}), or rows scaled so already, as {@link Mnist}'s.
 * A fit, or a prediction on a GPU, opens its device and closes it before it returns; predictions on the cpu reuse
 * a copy of the parameters kept there.
 * Thread-safe: predictions may run on several threads at once, also while
 * {@link #fit} trains (they take the parameters from before it); fits run one at a time. Within
 * {@link Progress#epoch}, on the thread that fits, {@link #save} and the predictions take the parameters that
 * epoch reached (to keep a model every few epochs, say).
 *
 * <pre>{@code
 * Classifier c = Classifier.create(1, 4, 16, 3);            // 4 features, 16 hidden units, 3 classes
 * List<Epoch> h = c.fit(x, y, validX, validY, Training.book().withEpochs(50).withBatch(10).withLearningRate(0.01f));
 * float[][] p = c.predictProba(validX);                     // each row sums to 1
 * c.save(Path.of("model.npz"));
 * }</pre>
 */
public final class Classifier {
    /** Replaced as a whole by each fit, so a prediction takes it once and sees one set of parameters. */
    private volatile Network network;
    /** The classes' names, one an output unit; empty where they are their indices. */
    private volatile List<String> classNames = List.of();
    /**
     * Held by a fit: fits run one at a time, each from the parameters the last one left. A lock rather than a monitor
     * so that a fit waiting for another gives way to an interrupt.
     */
    private final ReentrantLock fitting = new ReentrantLock();
    /**
     * While {@link Progress#epoch} runs on the thread that fits: the parameters that epoch reached, copied from the
     * device when first asked for, so that a save or prediction made there is of that epoch.
     */
    private final ThreadLocal<Supplier<Network>> epochReached = new ThreadLocal<>();
    /**
     * Until the first fit of a classifier that {@link #create} made: its seed, and its random stream where the
     * initial weights' draws left it.
     */
    private long seed;
    private NumpyRandom.State afterWeights;
    /** For predictions on the cpu: copies of the parameters kept ready there, each for one call at a time ({@link #onCpu}). */
    private final ConcurrentLinkedDeque<SoftReference<Ready>> ready = new ConcurrentLinkedDeque<>();
    /** Predictions on the cpu running now. */
    private final AtomicInteger predicting = new AtomicInteger();

    private Classifier(Network network) {
        this.network = network;
    }

    /**
     * A new network of the given layer sizes (inputs, hidden layers..., classes), its weights drawn from
     * N(0, 0.1) by {@code seed} and its biases 0, as the book initialises them. Its first {@link #fit} with a
     * {@link Training} of the same seed draws the minibatch order on from where the weights' draws left that
     * seed's stream, as the book's {@code NeuralNetMLP} does with its one {@code RandomState}: so
     * {@code create(1, 784, 100, 10)} trained with {@link Training#book()} on {@link Mnist} is the book's run.
     *
     * @throws IllegalArgumentException for sizes below 1, one output unit (one class), or a network whose weights do not fit
     *     in an array or in the heap
     */
    public static Classifier create(long seed, int... layerSizes) {
        return create(seed, Activation.SIGMOID, Output.SIGMOID, layerSizes);
    }

    /**
     * A new network with hidden layers of {@code activation} and that {@code output} layer, its weights drawn
     * by {@code seed} as suits the activation (see {@link Activation}), its biases 0.
     */
    public static Classifier create(long seed, Activation activation, Output output, int... layerSizes) {
        if (layerSizes.length < 2 || Arrays.stream(layerSizes).anyMatch(s -> s < 1)) {
            throw new IllegalArgumentException("layer sizes " + Arrays.toString(layerSizes) + ": at least inputs and classes, each at least 1");
        }
        if (layerSizes[layerSizes.length - 1] == 1) {  // a binary classifier of one sigmoid unit, as other tools write it
            throw new IllegalArgumentException("layer sizes " + Arrays.toString(layerSizes) + ": one output unit is one class; "
                    + "a classifier has an output unit per class, so two classes (labels 0 and 1) take 2");
        }
        if (activation == Activation.IDENTITY) {
            throw new IllegalArgumentException("hidden layers need an activation, not identity");
        }
        NumpyRandom random = new NumpyRandom(seed);
        Classifier c;
        try {
            c = new Classifier(Network.initialize(layerSizes, Network.Input.FEATURES, activation, output, random));
        } catch (UserError e) {
            throw new IllegalArgumentException(e.getMessage(), e);  // a layer too large for an array, or for the heap
        }
        c.seed = seed;
        c.afterWeights = random.state();
        return c;
    }

    /** The hidden layers' activation. */
    public Activation activation() {
        return network.activation();
    }

    /** The output layer. */
    public Output output() {
        return network.output();
    }

    /**
     * Reads a {@code model.npz} (written by {@link #save} or by {@code mlp4j train}).
     *
     * @throws IllegalArgumentException with the reason when the file is missing or is no valid model
     */
    public static Classifier load(Path file) {
        try {
            ModelFile.Model model = ModelFile.read(file);
            Classifier c = new Classifier(model.network());
            c.classNames = model.classes();
            return c;
        } catch (UserError e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * Writes the model as {@code model.npz}, readable by {@link #load}, the {@code mlp4j} command and NumPy; with the
     * {@link #classNames} if any, which {@code mlp4j evaluate} and {@code predict} then print.
     */
    public void save(Path file) {
        try {
            ModelFile.save(parameters(), classNames, file);
        } catch (UserError e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * The classes' names, one an output unit in their order ({@code predict}'s class {@code k} is the name at {@code k}):
     * those of a loaded model file that has them (one {@code mlp4j train} wrote from a CSV file of named classes, say),
     * or those set; empty where the classes are only their indices.
     */
    public List<String> classNames() {
        return classNames;
    }

    /**
     * Names the classes, one an output unit in their order (as {@link Table#classes} numbers them), for {@link #save}
     * to keep; an empty list leaves them unnamed.
     *
     * @throws IllegalArgumentException where they are not one an output, or a name is empty, repeated or holds a
     *     control character (a line break, say)
     */
    public void setClassNames(List<String> names) {
        List<String> copy = List.copyOf(names);
        int outputs = network.outputs();
        if (!copy.isEmpty() && copy.size() != outputs) {
            throw new IllegalArgumentException(copy.size() + " class names for " + outputs + " output units: one a class");
        }
        for (String name : copy) {
            if (name.isEmpty() || name.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("the class name '" + name + "' is empty or holds a control character");
            }
        }
        if (copy.stream().distinct().count() != copy.size()) {
            throw new IllegalArgumentException("class names repeated: " + copy);
        }
        classNames = copy;
    }

    /** Inputs, hidden layers' sizes, and classes. */
    public int[] layerSizes() {
        return network.sizes().clone();
    }

    /**
     * Layer {@code layer}'s weights (0: from the inputs), a copy: {@code [i][j]} from unit i of that layer to unit j
     * of the next, as model.npz's {@code w0, w1, ...} and the book's {@code w_h, w_out} hold them (a model of pixels
     * takes them scaled as {@link Mnist}'s rows are). Within {@link Progress#epoch}, on the thread that fits, that
     * epoch's.
     *
     * @throws IllegalArgumentException for a layer that is not one of the network's
     */
    public float[][] weights(int layer) {
        Network net = parameters();
        float[] w = net.weights()[checkedLayer(net, layer)];
        int inputs = net.sizes()[layer], outputs = net.sizes()[layer + 1];
        float[][] rows = new float[inputs][];
        for (int i = 0; i < inputs; i++) {
            rows[i] = Arrays.copyOfRange(w, i * outputs, (i + 1) * outputs);
        }
        return rows;
    }

    /** Layer {@code layer}'s biases (0: the first hidden layer's, or the outputs' where there is none), a copy; as {@link #weights}. */
    public float[] biases(int layer) {
        Network net = parameters();
        return net.biases()[checkedLayer(net, layer)].clone();
    }

    private static int checkedLayer(Network net, int layer) {
        int layers = net.sizes().length - 1;
        if (layer < 0 || layer >= layers) {
            throw new IllegalArgumentException("layer " + layer + " of a network of " + layers + (layers == 1 ? " layer (0)" : " layers (0.." + (layers - 1) + ")"));
        }
        return layer;
    }

    /** Trains on {@code x}, {@code y} without a validation set; see {@link #fit(float[][], int[], float[][], int[], Training)}. */
    public List<Epoch> fit(float[][] x, int[] y, Training training) {
        return fit(x, y, new float[0][], new int[0], training);
    }

    /**
     * Trains from the current parameters (so a second call, or a call on a loaded model, continues where
     * they are: warm start, fine-tuning) on {@code x}, {@code y}, reporting each epoch's accuracy on the
     * validation set {@code validX}, {@code validY} (may be empty). Keeps the parameters of the last epoch,
     * of where {@link Progress#stop} or an interrupt of the fitting thread ended training (as {@code
     * Future.cancel(true)} or {@code ExecutorService.shutdownNow} give: it stops a few times an epoch, returns the
     * epochs done and leaves the thread's interrupt status set; a fit that an interrupt finds waiting for another
     * fit, or that starts on an interrupted thread, returns no epochs at once and changes nothing), or with {@link
     * Training#patience} of the best epoch.
     * The minibatch order is drawn from {@link Training#seed}: from a new stream of it, or on the first fit of
     * a classifier {@link #create} made with that seed, from that stream where the weights' draws left it. Each
     * fit starts its optimizer's state (momentum, Adam's moments) and its learning-rate schedule afresh, so two
     * fits of 10 epochs are not one of 20; a run continued from its checkpoint ({@link Training#withCheckpoint}) is.
     *
     * @return each epoch's cost, accuracies and time; continuing a checkpoint's run, each of the whole run's epochs'
     * @throws IllegalArgumentException for data that does not fit the network (row widths, label range), SGD with a
     *         learning rate times L2 of 1 or more, or a checkpoint file that is unreadable or of another network, rows
     *         (their count, or their values, labels and order) or settings
     * @throws IllegalStateException when the cost stops being finite (the learning rate is too large), or when the
     *         JVM's heap has no room for the run (the message says how much it needs and how to raise it); a device
     *         without the memory for the run leaves it to the cpu, with a note to {@link Progress#note}; or when the
     *         device fails while it trains (a kernel fault: the message names the call and the driver's error)
     */
    public List<Epoch> fit(float[][] x, int[] y, float[][] validX, int[] validY, Training training) {
        java.util.Objects.requireNonNull(training, "training");
        try {
            fitting.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
        try {
            return fitInTurn(x, y, validX, validY, training);
        } finally {
            fitting.unlock();
        }
    }

    private List<Epoch> fitInTurn(float[][] x, int[] y, float[][] validX, int[] validY, Training training) {
        // training rows first, then validation rows, as the trainer splits them
        Dataset all = dataset(network, new Rows(x, y, "training"), new Rows(validX, validY, "validation"));
        // trained on the features scaled, the network is kept folded, taking them as they are
        FeatureScaling scaling = null;
        if (training.scaledFeatures()) {
            if (!(all instanceof Features f)) {
                throw new IllegalArgumentException("scaled features: this classifier takes pixels, which it scales as the book does");
            }
            scaling = FeatureScaling.of(f, x.length);
            scaling.scale(f);  // the classifier's own copy of the rows
        }
        UnaryOperator<Network> taking = scaling == null ? UnaryOperator.identity() : scaling::folded;
        // the weights create drew are for the features a first fit trains on, as the book draws them for its [-1, 1]
        // pixels; parameters a fit or a model file gave take the rows unscaled
        Network start = scaling == null || afterWeights != null ? network : scaling.unfolded(network);
        Hyperparameters hp = new Hyperparameters(training.epochs(), training.batch(), training.learningRate(), training.l2(), training.seed(),
                training.meanGradient(), training.patience(), new Hyperparameters.Optimization(training.optimizer(), training.momentum(),
                training.beta1(), training.beta2(), training.schedule(), training.stepEvery(), training.stepGamma(), training.inverseDecay()));
        Path file = training.checkpoint();
        Trainer.Checkpoint from = file != null && Files.exists(file) ? resumable(file, hp, all, validX.length) : null;
        if (file != null && from == null) {
            writable(file);
        }
        TrainingListener listener = new TrainingListener() {
            @Override
            public boolean showsProgress() {
                return training.progress() != Progress.NONE;
            }

            @Override
            public void steps(int epoch, int done, int total) {
                training.progress().steps(epoch, done, total);
            }

            @Override
            public void warning(String line) {
                training.progress().note("warning: " + line);
            }

            @Override
            public void epoch(EpochResult r, Supplier<Trainer.Checkpoint> checkpoint) {
                Trainer.Checkpoint[] reached = new Trainer.Checkpoint[1];
                Supplier<Trainer.Checkpoint> once = () -> reached[0] != null ? reached[0] : (reached[0] = checkpoint.get());
                if (file != null && CheckpointFile.due(r.epoch(), training.checkpointEvery(), hp.epochs())) {
                    CheckpointFile.save(once.get(), file);
                }
                epochReached.set(() -> taking.apply(once.get().network()));
                try {
                    training.progress().epoch(asEpoch(r));
                } finally {
                    epochReached.remove();
                }
            }

            @Override
            public boolean stopRequested() {
                // an interrupt (Future.cancel(true), shutdownNow) asks what stop does; its status stays for the caller to see
                return training.progress().stop() || Thread.currentThread().isInterrupted();
            }
        };
        Trainer.Fit fit;
        try {
            if (from != null && from.finished(hp.epochs())) {
                fit = new Trainer.Fit(from, false, from.stoppedEarly());
            } else {
                if (from != null) {
                    training.progress().note("resuming the run in " + file + " at epoch " + from.epoch()
                            + (from.step() > 0 ? ", step " + from.step() : ""));
                    String change = from.scheduleChange(hp.epochs());
                    if (change != null) {
                        training.progress().note(change);
                    }
                }
                try {
                    fit = fit(training.device(), training, hp, start, all, validX.length, from, listener);
                } catch (DeviceMemoryException e) {
                    // as the mlp4j command does: a device short of memory for this run leaves it to the cpu
                    training.progress().note("warning: " + e.getMessage() + "; falling back to the cpu backend");
                    fit = fit(Backends.CPU, training, hp, start, all, validX.length, from, listener);
                }
                Trainer.Checkpoint last = fit.last();
                if (file != null && (from != null || !last.history().isEmpty() || last.step() > 0)) {
                    CheckpointFile.save(last, file);
                }
            }
        } catch (DivergedException | BackendFailure e) {
            throw new IllegalStateException(e.getMessage(), e);  // a diverging run, or a device that failed (a kernel fault)
        } catch (UserError e) {
            throw new IllegalStateException(e.getMessage(), e);  // the heap, too small for the run, or a checkpoint not written
        }
        network = taking.apply(fit.network());
        afterWeights = null;
        return fit.history().stream().map(Classifier::asEpoch).toList();
    }

    /** Refuses, before a fit trains for nothing, a checkpoint file whose directory cannot be made. */
    private static void writable(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(file + ": the checkpoint's directory cannot be made (" + UserError.why(e) + ")", e);
        }
    }

    private static Epoch asEpoch(EpochResult r) {
        return new Epoch(r.epoch(), r.cost(), r.trainAccuracy(), r.validAccuracy(), r.seconds());
    }

    /**
     * The run in {@code file} that a fit of these settings on {@code all}'s rows, the last {@code valid} of them
     * for validation, continues: refused unless it is of this classifier's network, those rows and settings.
     */
    private Trainer.Checkpoint resumable(Path file, Hyperparameters hp, Dataset all, int valid) {
        int count = all.count();
        Trainer.Checkpoint from;
        try {
            from = CheckpointFile.load(file);
        } catch (UserError e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        String afresh = ": to start a new run, delete it or give another file";
        Network was = from.network();
        Network net = network;
        if (!Arrays.equals(was.sizes(), net.sizes()) || was.activation() != net.activation() || was.output() != net.output()
                || was.input() != net.input()) {
            throw new IllegalArgumentException(file + " holds the run of another network (" + describe(was) + ", not " + describe(net)
                    + ")" + afresh);
        }
        List<String> differences = hp.differences(from.hp());
        if (!differences.isEmpty()) {
            throw new IllegalArgumentException(file + " holds the run of other settings (" + String.join(", ", differences) + ")" + afresh);
        }
        if (from.examples() != count || from.valid() != valid) {
            throw new IllegalArgumentException(file + " holds a run of " + (from.examples() - from.valid()) + " training and " + from.valid()
                    + " validation rows, not " + (count - valid) + " and " + valid + afresh);
        }
        if (!from.trainedOn(all)) {
            throw new IllegalArgumentException(file + " holds a run of other rows: as many, with other values, labels or order" + afresh);
        }
        if (from.history().size() > hp.epochs()) {
            throw new IllegalArgumentException(file + " holds a run of " + from.history().size() + " epochs done, more than this fit's "
                    + hp.epochs() + afresh);
        }
        return from;
    }

    /** The network, as "Classifier 784-100-10 sigmoid, sigmoid output" (a model of pixels adds ", pixel input"). */
    @Override
    public String toString() {
        return "Classifier " + describe(network);
    }

    private static String describe(Network n) {
        return Network.name(n.sizes()) + " " + n.activation().id() + ", " + n.output().id() + " output"
                + (n.input() == Network.Input.FEATURES ? "" : ", pixel input");
    }

    /**
     * Trains on {@code device}, refusing first a run its memory cannot hold: the run {@code from} continues, or
     * without it a new one from {@code start}.
     */
    private Trainer.Fit fit(String device, Training training, Hyperparameters hp, Network start, Dataset all, int valid, Trainer.Checkpoint from,
                            TrainingListener listener) {
        try (Backend backend = open(device, training.threads(), training.progress())) {
            Trainer.requireMemory(backend, network.sizes(), all, valid, hp.batch(), 0, hp.optimization());
            training.progress().note("device: " + backend.description());
            Trainer trainer = new Trainer(backend, hp, DeviceChoices.ofUser());
            if (from != null) {
                return trainer.resume(from, all, listener);
            }
            // the book's NeuralNetMLP draws its weights and then its minibatch order from one stream
            NumpyRandom order = afterWeights != null && seed == training.seed() ? NumpyRandom.of(afterWeights) : new NumpyRandom(training.seed());
            return trainer.fit(start, order, all, valid, listener);
        }
    }

    /** The predicted class of each row of {@code x}, on the cpu, as {@link #predict(float[])} computes it. */
    public int[] predict(float[][] x) {
        return predict(x, Backends.CPU);
    }

    /**
     * The predicted class of each row of {@code x}, computed on {@code device} (as {@link Training#device}; where
     * it is unusable, or short of memory for these rows, on the cpu). A GPU is opened for the call and closed before
     * it returns, so a GPU pays for many rows a call, not for a few.
     *
     * @throws IllegalStateException when the device fails (the message names the call and the driver's error)
     */
    public int[] predict(float[][] x, String device) {
        return predict(new Rows(x, new int[x.length], "input"), device);
    }

    private int[] predict(Rows rows, String device) {
        Network net = parameters();
        Dataset data = dataset(net, rows);
        if (!device.equalsIgnoreCase(Backends.CPU)) {
            try (Backend backend = open(device, 0, Progress.NONE)) {
                // auto or gpu where no GPU is usable opens the cpu: its kept copies serve instead
                if (!backend.name().equals(Backends.CPU)) {
                    return Trainer.predict(backend, net, data);
                }
            } catch (DeviceMemoryException e) {
                // on the cpu, below
            } catch (BackendFailure e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
        return onCpu(net, data, Trainer::predict);
    }

    /** The fraction of the rows of {@code x} whose predicted class ({@link #predict(float[][])}, on the cpu) is their label in {@code y}. */
    public double accuracy(float[][] x, int[] y) {
        return accuracy(x, y, Backends.CPU);
    }

    /**
     * The fraction of the rows of {@code x} whose predicted class, computed on {@code device} as {@link
     * #predict(float[][], String)} computes it, is their label in {@code y}.
     *
     * @throws IllegalArgumentException where there are no rows, or a label is not one of the network's classes
     */
    public double accuracy(float[][] x, int[] y, String device) {
        int[] predicted = predict(new Rows(x, y, "input"), device);
        if (predicted.length == 0) {
            throw new IllegalArgumentException("the accuracy of no rows");
        }
        int correct = 0;
        for (int r = 0; r < predicted.length; r++) {
            correct += predicted[r] == y[r] ? 1 : 0;
        }
        return (double) correct / predicted.length;
    }

    /**
     * The predicted class of one example, on the cpu. Predictions on the cpu reuse a copy of the parameters
     * prepared there, kept while the heap has room for it, so a call of one example or of a few rows costs little
     * more than its arithmetic.
     */
    public int predict(float[] example) {
        return predict(new float[][] {example})[0];
    }

    /**
     * Each class's probability for each row of {@code x}, on the cpu: the sigmoid output units' activations
     * divided by their sum, so a row sums to 1 and its largest entry is the predicted class.
     */
    public float[][] predictProba(float[][] x) {
        Network net = parameters();
        return onCpu(net, dataset(net, new Rows(x, new int[x.length], "input")), Trainer::probabilities);
    }

    /** Each class's probability for one example, on the cpu, as {@link #predictProba(float[][])} gives it. */
    public float[] predictProba(float[] example) {
        return predictProba(new float[][] {example})[0];
    }

    /** A prediction from parameters already on a backend. */
    private interface Prepared<T> {
        T of(DeviceNet prepared, Network net, Dataset data);
    }

    /**
     * {@code predict} on {@code net}, the parameters {@link #parameters} gave, prepared on the cpu: a kept copy of
     * those parameters that no other call holds, else a new one. A call that runs alone gets a copy on every core;
     * one that runs beside others (a server's threads, say) gets a copy on one thread, since the cores have work
     * already. Each copy is kept for later calls, those on every core first, up to a copy a core. A cpu backend holds
     * no thread while idle, only heap, so the collector may take the kept copies whenever memory is short; one no
     * longer kept is closed to end its threads at once.
     */
    private <T> T onCpu(Network net, Dataset data, Prepared<T> predict) {
        int others = predicting.getAndIncrement();
        try {
            Ready p = kept(net);
            if (p == null) {
                Backend cpu = open(Backends.CPU, others == 0 ? 0 : 1, Progress.NONE);
                try {
                    p = new Ready(net, new DeviceNet(cpu, net), others == 0);
                } catch (RuntimeException | Error e) {
                    cpu.close();
                    throw e;
                }
            }
            T result;
            try {
                result = predict.of(p.device(), net, data);
            } catch (RuntimeException | Error e) {
                p.close();
                throw e;
            }
            keep(p);
            return result;
        } finally {
            predicting.decrementAndGet();
        }
    }

    /** A kept copy of {@code net} that no call holds now, taken for this one; null if none. Copies of other parameters are closed. */
    private Ready kept(Network net) {
        SoftReference<Ready> r;
        while ((r = ready.pollFirst()) != null) {
            Ready p = r.get();
            if (p != null && p.network() == net) {
                return p;
            } else if (p != null) {
                p.close();
            }
        }
        return null;
    }

    /** Keeps {@code p} for later calls, those on every core first, closing the last when there are more than cores. */
    private void keep(Ready p) {
        if (p.everyCore()) {
            ready.offerFirst(new SoftReference<>(p));
        } else {
            ready.offerLast(new SoftReference<>(p));
        }
        SoftReference<Ready> extra;
        while (ready.size() > Runtime.getRuntime().availableProcessors() && (extra = ready.pollLast()) != null) {
            Ready e = extra.get();
            if (e != null) {
                e.close();
            }
        }
    }

    /** Parameters on a cpu backend for predictions, on every core or on one thread, and the network they are a copy of. */
    private record Ready(Network network, DeviceNet device, boolean everyCore) {
        void close() {
            device.backend().close();
        }
    }

    private static Backend open(String device, int threads, Progress progress) {
        try {
            return Backends.open(device, threads, false, progress::note);
        } catch (BackendUnavailableException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The parameters a save or prediction takes: an epoch's within {@link Progress#epoch} on the fitting thread, else the last fit's. */
    private Network parameters() {
        Supplier<Network> reached = epochReached.get();
        return reached != null ? reached.get() : network;
    }

    /** Examples a call gives: rows of features (or pixels) and their labels, named for errors as {@code what}. */
    private record Rows(float[][] x, int[] y, String what) {
    }

    /**
     * The rows of {@code parts}, one part after the other, as {@code net} takes them: float features, or pixels for a
     * pixel model (given as 0..255, or scaled as {@link Mnist}'s rows are); one copy, checked first.
     */
    private static Dataset dataset(Network net, Rows... parts) {
        int width = net.inputs();
        boolean features = net.input() == Network.Input.FEATURES;
        int count = 0;
        boolean[] scaled = new boolean[parts.length];
        for (int i = 0; i < parts.length; i++) {
            scaled[i] = check(parts[i], width, net.outputs(), features);
            count += parts[i].x().length;
        }
        try {
            Limits.elements((long) count * width, count + " rows of " + width + " values");
        } catch (UserError e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        try {
            Limits.heap((long) count * (width + 1) * (features ? 4 : 1), "copying " + count + " rows of " + width + " values");
        } catch (UserError e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        float[] values = features ? new float[count * width] : null;
        int[] labels = features ? new int[count] : null;
        byte[] pixels = features ? null : new byte[count * width];
        byte[] pixelLabels = features ? null : new byte[count];
        int at = 0;
        for (int i = 0; i < parts.length; i++) {
            Rows part = parts[i];
            for (int r = 0; r < part.x().length; r++, at++) {
                if (features) {
                    System.arraycopy(part.x()[r], 0, values, at * width, width);
                    labels[at] = part.y()[r];
                } else {
                    for (int j = 0; j < width; j++) {
                        float v = part.x()[r][j];
                        pixels[at * width + j] = (byte) (scaled[i] ? pixelOf(v) : (int) v);
                    }
                    pixelLabels[at] = (byte) part.y()[r];
                }
            }
        }
        return features ? new Features(values, labels, count, width) : new Images(pixels, pixelLabels, count, 1, width);
    }

    /**
     * Refuses rows the network cannot take: another width, a label out of range, a value that is not finite, or for a
     * pixel model one that is neither a pixel 0..255 nor a pixel scaled as {@link Mnist}'s rows are. Returns true for a
     * pixel model's rows given scaled (some value not a pixel), so that the pixels are found again.
     */
    private static boolean check(Rows part, int width, int classes, boolean features) {
        float[][] x = part.x();
        int[] y = part.y();
        String what = part.what();
        Objects.requireNonNull(x, () -> what + " rows");
        Objects.requireNonNull(y, () -> what + " labels");
        if (x.length != y.length) {
            throw new IllegalArgumentException(what + ": " + x.length + " rows but " + y.length + " labels");
        }
        for (int r = 0; r < x.length; r++) {
            if (x[r] == null) {
                throw new NullPointerException(what + " row " + r + " is null");
            }
            if (x[r].length != width) {
                throw new IllegalArgumentException(what + " row " + r + " has " + x[r].length + " values, the network takes " + width);
            }
            if (y[r] < 0 || y[r] >= classes) {
                throw new IllegalArgumentException(what + " label " + y[r] + " (row " + r + ") is not a class of 0.." + (classes - 1));
            }
            for (int j = 0; features && j < width; j++) {
                // a NaN or infinite feature would end training as a diverging run, or give a prediction of nothing
                if (!Float.isFinite(x[r][j])) {
                    throw new IllegalArgumentException(what + " row " + r + " value " + j + " is " + x[r][j] + ": features must be finite");
                }
            }
        }
        if (features) {
            return false;
        }
        // in one pass: the first value that is not a pixel (the rows are given scaled), and the first that is not a
        // scaled pixel (they are given as pixels); a value that is neither is refused where it stands
        int[] scaledAt = null, pixelAt = null;
        for (int r = 0; r < x.length; r++) {
            for (int j = 0; j < width; j++) {
                float v = x[r][j];
                if (isPixel(v)) {
                    pixelAt = pixelAt == null && pixelOf(v) < 0 ? new int[] {r, j} : pixelAt;
                } else if (pixelOf(v) < 0) {
                    throw new IllegalArgumentException(what + " row " + r + " value " + j + " is " + v + ": this model, trained on MNIST's"
                            + " pixels, takes pixel values 0..255 or rows scaled from them as Mnist's are ((p / 255 - 0.5) * 2), and this"
                            + " value is neither");
                } else if (scaledAt == null) {
                    scaledAt = new int[] {r, j};
                }
            }
        }
        if (scaledAt != null && pixelAt != null) {
            throw new IllegalArgumentException(what + " rows mix pixel values 0..255 (row " + pixelAt[0] + " value " + pixelAt[1] + " is "
                    + x[pixelAt[0]][pixelAt[1]] + ") with values scaled as Mnist's are (row " + scaledAt[0] + " value " + scaledAt[1]
                    + " is " + x[scaledAt[0]][scaledAt[1]] + "): give this model one or the other");
        }
        return scaledAt != null;
    }

    private static boolean isPixel(double v) {
        return v >= 0 && v <= 255 && v == Math.rint(v);
    }

    /** The pixel that {@code v} is as {@link Mnist} scales it (to within 1e-4, a small part of the step of 2/255 between two), else -1. */
    private static int pixelOf(double v) {
        int p = (int) Math.round((v + 1) * 127.5);
        return p >= 0 && p <= 255 && Math.abs(Backend.scaledPixel((byte) p) - v) <= 1e-4f ? p : -1;
    }
}
