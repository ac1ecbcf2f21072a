package org.mlp4j;

import java.nio.file.Path;
import java.util.Objects;
import org.mlp4j.backend.Backends;

/**
 * How {@link Classifier#fit} trains: minibatch gradient descent as the book's {@code NeuralNetMLP} (the
 * gradient summed over a minibatch, L2 decay on the weights, not the biases, plain SGD at a constant rate)
 * unless told otherwise, on a device, reporting to a {@link Progress}. Immutable: each {@code with} method
 * returns a changed copy. {@link #book()} holds the book's settings.
 */
public final class Training {
    private final Fields f;

    /** A mutable copy of the settings, for the {@code with} methods. */
    private static final class Fields implements Cloneable {
        int epochs;
        int batch;
        float learningRate;
        float l2;
        long seed;
        String device;
        int threads;
        Progress progress;
        boolean meanGradient;
        boolean scaledFeatures;
        int patience;
        Optimizer optimizer;
        float momentum;
        float beta1;
        float beta2;
        Schedule schedule;
        int stepEvery;
        float stepGamma;
        float inverseDecay;
        Path checkpoint;
        int checkpointEvery;

        @Override
        protected Fields clone() {
            try {
                return (Fields) super.clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private Training(Fields f) {
        if (f.epochs < 1 || f.batch < 1) {
            throw new IllegalArgumentException("epochs and batch must be at least 1, got " + f.epochs + " and " + f.batch);
        }
        if (!(f.learningRate > 0) || !(f.l2 >= 0) || !Float.isFinite(f.learningRate) || !Float.isFinite(f.l2)) {
            throw new IllegalArgumentException("learning rate must be positive and l2 at least 0, got " + f.learningRate + " and " + f.l2);
        }
        if (f.threads < 0) {
            throw new IllegalArgumentException("threads must be at least 0 (0: one per processor), got " + f.threads);
        }
        if (f.patience < 0) {
            throw new IllegalArgumentException("patience must be at least 0, got " + f.patience);
        }
        if (!(f.momentum >= 0 && f.momentum < 1) || !(f.beta1 >= 0 && f.beta1 < 1) || !(f.beta2 >= 0 && f.beta2 < 1)) {
            throw new IllegalArgumentException("momentum and betas must be in [0, 1), got " + f.momentum + ", " + f.beta1 + ", " + f.beta2);
        }
        if (f.stepEvery < 1 || !(f.stepGamma > 0) || !(f.inverseDecay >= 0)) {
            throw new IllegalArgumentException("a step schedule needs every >= 1 and gamma > 0, the inverse one decay >= 0");
        }
        if (f.checkpointEvery < 0) {
            throw new IllegalArgumentException("a checkpoint's epochs between writes must be at least 0 (0: only at the end), got "
                    + f.checkpointEvery);
        }
        Objects.requireNonNull(f.device, "device");
        Backends.checkDeviceName(f.device);
        Objects.requireNonNull(f.progress, "progress");
        Objects.requireNonNull(f.optimizer, "optimizer");
        Objects.requireNonNull(f.schedule, "schedule");
        this.f = f;
    }

    /** This training with {@code change} made to a copy of its settings (checked). */
    private Training change(java.util.function.Consumer<Fields> change) {
        Fields copy = f.clone();
        change.accept(copy);
        return new Training(copy);
    }

    /**
     * The book's settings: 200 epochs, batches of 100, learning rate 0.0005 on the summed gradient, L2 0.01,
     * seed 1, plain SGD at a constant rate, on the cpu. (The optimizers' settings default to PyTorch's:
     * momentum 0.9, Adam's betas 0.9 and 0.999.)
     */
    public static Training book() {
        Fields f = new Fields();
        f.epochs = 200;
        f.batch = 100;
        f.learningRate = 0.0005f;
        f.l2 = 0.01f;
        f.seed = 1;
        f.device = "cpu";
        f.progress = Progress.NONE;
        f.optimizer = Optimizer.SGD;
        f.momentum = 0.9f;
        f.beta1 = 0.9f;
        f.beta2 = 0.999f;
        f.schedule = Schedule.CONSTANT;
        f.stepEvery = 10;
        f.stepGamma = 0.1f;
        return new Training(f);
    }

    /** Passes over the training examples. */
    public Training withEpochs(int n) {
        return change(c -> c.epochs = n);
    }

    /** Examples per step; a last partial batch of an epoch is skipped, as in the book. */
    public Training withBatch(int n) {
        return change(c -> c.batch = n);
    }

    /** The step size (the book's eta); a schedule starts from it. */
    public Training withLearningRate(float eta) {
        return change(c -> c.learningRate = eta);
    }

    /** The L2 regularisation strength (the book's lambda), added to the weights' gradient. */
    public Training withL2(float lambda) {
        return change(c -> c.l2 = lambda);
    }

    /**
     * Draws the minibatch order: on the first fit of a classifier {@link Classifier#create} made with this seed,
     * on from where its weights' draws left the seed's stream (the book's way); else from a new stream of it.
     */
    public Training withSeed(long s) {
        return change(c -> c.seed = s);
    }

    /**
     * {@code cpu}, {@code cuda}, {@code opencl}, {@code gpu} (the best GPU backend, else the CPU with a
     * {@link Progress#note}) or {@code auto} (the same without the note), in any case; {@code cuda:N} or {@code
     * opencl:N} for that backend's device N, as {@code mlp4j devices} numbers them. A named device that is
     * unusable, or a GPU without the memory for the run, leaves the fit to the CPU, with a note. On a GPU, a
     * network's first fit times the device's ways of taking its steps and keeps what it chose in the user's cache
     * ({@code mlp4j/choices.tsv}), and later fits of the network there take those choices: the ways add a step's
     * sums in other orders, and taken anew they could end a fit in other last bits.
     *
     * @throws IllegalArgumentException for another name
     */
    public Training withDevice(String name) {
        return change(c -> c.device = name);
    }

    /**
     * The cpu backend's threads; 0 (the default) is one per processor. Results do not depend on it: each
     * element is computed by one thread in a fixed order.
     */
    public Training withThreads(int n) {
        return change(c -> c.threads = n);
    }

    public Training withProgress(Progress p) {
        return change(c -> c.progress = p);
    }

    /**
     * The minibatch's gradient averaged (as most other tools do, so their learning rates carry over) instead of summed (the
     * book's). L2 decays the weights by the learning rate times l2 a step either way, so the book's run averaged takes the
     * learning rate times the batch and l2 divided by it.
     */
    public Training withMeanGradient(boolean mean) {
        return change(c -> c.meanGradient = mean);
    }

    /**
     * Each feature scaled into [-1, 1] by its range over the fit's training rows, as {@code mlp4j train} scales a CSV
     * file's (measurements in the thousands would saturate the sigmoid units), while the classifier goes on taking rows
     * as they are: the scaling is folded into its first layer after the fit, so predictions, {@link Classifier#save}d
     * models and a later fit all take the rows unscaled. A new classifier's first fit starts from the weights
     * {@link Classifier#create} drew, on the scaled features; a fitted or loaded one's, from its parameters. Not for a
     * model of pixels, which scales them as the book does.
     */
    public Training withScaledFeatures(boolean scale) {
        return change(c -> c.scaledFeatures = scale);
    }

    /** Stop after this many epochs without a better validation accuracy and keep the best epoch's parameters (0: every epoch). */
    public Training withPatience(int epochsWithoutBetter) {
        return change(c -> c.patience = epochsWithoutBetter);
    }

    public Training withOptimizer(Optimizer o) {
        return change(c -> c.optimizer = o);
    }

    /** The momentum of {@link Optimizer#MOMENTUM} and {@link Optimizer#NESTEROV} (default 0.9). */
    public Training withMomentum(float mu) {
        return change(c -> c.momentum = mu);
    }

    /** {@link Optimizer#ADAM}'s decay rates of its moments (default 0.9 and 0.999). */
    public Training withAdamBetas(float b1, float b2) {
        return change(c -> {
            c.beta1 = b1;
            c.beta2 = b2;
        });
    }

    /** A {@link Schedule}; {@link Schedule#STEP} multiplies by 0.1 every 10 epochs, {@link Schedule#INVERSE} has decay 0 unless set. */
    public Training withSchedule(Schedule s) {
        return change(c -> c.schedule = s);
    }

    /** {@link Schedule#STEP}: the rate multiplied by {@code gamma} every {@code every} epochs. */
    public Training withStepSchedule(int every, float gamma) {
        return change(c -> {
            c.schedule = Schedule.STEP;
            c.stepEvery = every;
            c.stepGamma = gamma;
        });
    }

    /** {@link Schedule#INVERSE}: the rate divided by {@code 1 + decay * (epoch - 1)} (the book's 2nd edition's decrease_const). */
    public Training withInverseSchedule(float decay) {
        return change(c -> {
            c.schedule = Schedule.INVERSE;
            c.inverseDecay = decay;
        });
    }

    /**
     * Makes the fit restartable: it writes the run's state to {@code file} every {@code everyEpochs} epochs (0:
     * only at the end) and when it ends (its last epoch, {@link Progress#stop} or early stopping), and a fit that
     * finds the file there continues that run instead of starting one. The state is the parameters, the optimizer's
     * state, the epoch and step reached, the minibatch order's stream and the epochs' history (the format of
     * {@code mlp4j train}'s {@code checkpoint.npz}), so a program that was stopped or killed and is run again
     * trains on exactly as if it had not been, and one that had finished returns the finished run without
     * training. The file's run must be of the same network, rows (training and validation counts, and the same
     * values and labels in the same order, which the file records a digest of) and settings as the fit, but for
     * the epochs, which may be more (a cosine schedule then spans the new count, so the rates are not those of a
     * run of that many from the start, as a note to {@link Progress#note} says). To start afresh, delete the file
     * or give another.
     *
     * @throws IllegalArgumentException for a negative {@code everyEpochs}
     */
    public Training withCheckpoint(Path file, int everyEpochs) {
        Objects.requireNonNull(file, "file");
        return change(c -> {
            c.checkpoint = file;
            c.checkpointEvery = everyEpochs;
        });
    }

    /**
     * The settings that make a difference, for a log: as "200 epochs of batches of 100, learning rate 5.0E-4 on the
     * summed gradient, l2 0.01, seed 1, sgd at a constant rate, on cpu".
     */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(f.epochs + (f.epochs == 1 ? " epoch" : " epochs") + " of batches of " + f.batch
                + ", learning rate " + f.learningRate + " on the " + (f.meanGradient ? "mean" : "summed") + " gradient, l2 " + f.l2
                + ", seed " + f.seed + ", " + f.optimizer.id());
        switch (f.optimizer) {
            case MOMENTUM, NESTEROV -> s.append(" ").append(f.momentum);
            case ADAM -> s.append(" (").append(f.beta1).append(", ").append(f.beta2).append(")");
            default -> {
            }
        }
        switch (f.schedule) {
            case CONSTANT -> s.append(" at a constant rate");
            case STEP -> s.append(", the rate times ").append(f.stepGamma).append(" every ").append(f.stepEvery).append(" epochs");
            case INVERSE -> s.append(", the rate over 1 + ").append(f.inverseDecay).append(" * (epoch - 1)");
            default -> s.append(", the rate on a ").append(f.schedule.id()).append(" schedule");
        }
        if (f.patience > 0) {
            s.append(", stopping after ").append(f.patience).append(" epochs without a better validation accuracy");
        }
        if (f.scaledFeatures) {
            s.append(", features scaled by their ranges");
        }
        s.append(", on ").append(f.device);
        if (f.threads > 0) {
            s.append(" (").append(f.threads).append(f.threads == 1 ? " thread)" : " threads)");
        }
        if (f.checkpoint != null) {
            s.append(", checkpoint ").append(f.checkpoint).append(f.checkpointEvery > 0 ? " every " + f.checkpointEvery + " epochs" : " at the end");
        }
        return s.toString();
    }

    public int epochs() {
        return f.epochs;
    }

    public int batch() {
        return f.batch;
    }

    public float learningRate() {
        return f.learningRate;
    }

    public float l2() {
        return f.l2;
    }

    public long seed() {
        return f.seed;
    }

    public String device() {
        return f.device;
    }

    public int threads() {
        return f.threads;
    }

    public Progress progress() {
        return f.progress;
    }

    public boolean meanGradient() {
        return f.meanGradient;
    }

    public boolean scaledFeatures() {
        return f.scaledFeatures;
    }

    public int patience() {
        return f.patience;
    }

    public Optimizer optimizer() {
        return f.optimizer;
    }

    public float momentum() {
        return f.momentum;
    }

    public float beta1() {
        return f.beta1;
    }

    public float beta2() {
        return f.beta2;
    }

    public Schedule schedule() {
        return f.schedule;
    }

    public int stepEvery() {
        return f.stepEvery;
    }

    public float stepGamma() {
        return f.stepGamma;
    }

    public float inverseDecay() {
        return f.inverseDecay;
    }

    /** The file {@link #withCheckpoint} gave, or null. */
    public Path checkpoint() {
        return f.checkpoint;
    }

    public int checkpointEvery() {
        return f.checkpointEvery;
    }
}
