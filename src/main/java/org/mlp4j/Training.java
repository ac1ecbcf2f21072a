package org.mlp4j;

import java.util.Objects;

/**
 * How {@link Classifier#fit} trains: minibatch gradient descent as the book's {@code NeuralNetMLP} (the
 * gradient summed over a minibatch, L2 decay on the weights, not the biases, plain SGD at a constant rate)
 * unless told otherwise, on a device, reporting to a {@link Progress}. Immutable: each {@code with} method
 * returns a changed copy. {@link #book()} holds the book's settings.
 */
public final class Training {
    private final int epochs;
    private final int batch;
    private final float learningRate;
    private final float l2;
    private final long seed;
    private final String device;
    private final Progress progress;
    private final boolean meanGradient;
    private final int patience;
    private final Optimizer optimizer;
    private final float momentum;
    private final float beta1;
    private final float beta2;
    private final Schedule schedule;
    private final int stepEvery;
    private final float stepGamma;
    private final float inverseDecay;

    private Training(int epochs, int batch, float learningRate, float l2, long seed, String device, Progress progress, boolean meanGradient,
                     int patience, Optimizer optimizer, float momentum, float beta1, float beta2, Schedule schedule, int stepEvery,
                     float stepGamma, float inverseDecay) {
        if (epochs < 1 || batch < 1) {
            throw new IllegalArgumentException("epochs and batch must be at least 1, got " + epochs + " and " + batch);
        }
        if (!(learningRate > 0) || !(l2 >= 0) || !Float.isFinite(learningRate) || !Float.isFinite(l2)) {
            throw new IllegalArgumentException("learning rate must be positive and l2 at least 0, got " + learningRate + " and " + l2);
        }
        if (patience < 0) {
            throw new IllegalArgumentException("patience must be at least 0, got " + patience);
        }
        if (!(momentum >= 0 && momentum < 1) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("momentum and betas must be in [0, 1), got " + momentum + ", " + beta1 + ", " + beta2);
        }
        if (stepEvery < 1 || !(stepGamma > 0) || !(inverseDecay >= 0)) {
            throw new IllegalArgumentException("a step schedule needs every >= 1 and gamma > 0, the inverse one decay >= 0");
        }
        this.epochs = epochs;
        this.batch = batch;
        this.learningRate = learningRate;
        this.l2 = l2;
        this.seed = seed;
        this.device = Objects.requireNonNull(device, "device");
        this.progress = Objects.requireNonNull(progress, "progress");
        this.meanGradient = meanGradient;
        this.patience = patience;
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.momentum = momentum;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.stepEvery = stepEvery;
        this.stepGamma = stepGamma;
        this.inverseDecay = inverseDecay;
    }

    /**
     * The book's settings: 200 epochs, batches of 100, learning rate 0.0005 on the summed gradient, L2 0.01,
     * seed 1, plain SGD at a constant rate, on the cpu. (The optimizers' settings default to PyTorch's:
     * momentum 0.9, Adam's betas 0.9 and 0.999.)
     */
    public static Training book() {
        return new Training(200, 100, 0.0005f, 0.01f, 1, "cpu", Progress.NONE, false, 0, Optimizer.SGD, 0.9f, 0.9f, 0.999f,
                Schedule.CONSTANT, 10, 0.1f, 0f);
    }

    /** Passes over the training examples. */
    public Training withEpochs(int n) {
        return new Training(n, batch, learningRate, l2, seed, device, progress, meanGradient, patience, optimizer, momentum, beta1, beta2,
                schedule, stepEvery, stepGamma, inverseDecay);
    }

    /** Examples per step; a last partial batch of an epoch is skipped, as in the book. */
    public Training withBatch(int n) {
        return new Training(epochs, n, learningRate, l2, seed, device, progress, meanGradient, patience, optimizer, momentum, beta1, beta2,
                schedule, stepEvery, stepGamma, inverseDecay);
    }

    /** The step size (the book's eta); a schedule starts from it. */
    public Training withLearningRate(float eta) {
        return new Training(epochs, batch, eta, l2, seed, device, progress, meanGradient, patience, optimizer, momentum, beta1, beta2,
                schedule, stepEvery, stepGamma, inverseDecay);
    }

    /** The L2 regularisation strength (the book's lambda), added to the weights' gradient. */
    public Training withL2(float lambda) {
        return new Training(epochs, batch, learningRate, lambda, seed, device, progress, meanGradient, patience, optimizer, momentum, beta1,
                beta2, schedule, stepEvery, stepGamma, inverseDecay);
    }

    /** Draws the minibatch order (and a new {@link Classifier}'s weights). */
    public Training withSeed(long s) {
        return new Training(epochs, batch, learningRate, l2, s, device, progress, meanGradient, patience, optimizer, momentum, beta1, beta2,
                schedule, stepEvery, stepGamma, inverseDecay);
    }

    /**
     * {@code cpu}, {@code cuda}, {@code opencl}, {@code gpu} (the best GPU backend, else the CPU with a
     * {@link Progress#note}) or {@code auto} (the same without the note).
     */
    public Training withDevice(String name) {
        return new Training(epochs, batch, learningRate, l2, seed, name, progress, meanGradient, patience, optimizer, momentum, beta1, beta2,
                schedule, stepEvery, stepGamma, inverseDecay);
    }

    public Training withProgress(Progress p) {
        return new Training(epochs, batch, learningRate, l2, seed, device, p, meanGradient, patience, optimizer, momentum, beta1, beta2,
                schedule, stepEvery, stepGamma, inverseDecay);
    }

    /** The minibatch's gradient averaged (as most other tools do, so their learning rates carry over) instead of summed (the book's). */
    public Training withMeanGradient(boolean mean) {
        return new Training(epochs, batch, learningRate, l2, seed, device, progress, mean, patience, optimizer, momentum, beta1, beta2,
                schedule, stepEvery, stepGamma, inverseDecay);
    }

    /** Stop after this many epochs without a better validation accuracy and keep the best epoch's parameters (0: every epoch). */
    public Training withPatience(int epochsWithoutBetter) {
        return new Training(epochs, batch, learningRate, l2, seed, device, progress, meanGradient, epochsWithoutBetter, optimizer, momentum,
                beta1, beta2, schedule, stepEvery, stepGamma, inverseDecay);
    }

    public Training withOptimizer(Optimizer o) {
        return new Training(epochs, batch, learningRate, l2, seed, device, progress, meanGradient, patience, o, momentum, beta1, beta2,
                schedule, stepEvery, stepGamma, inverseDecay);
    }

    /** The momentum of {@link Optimizer#MOMENTUM} and {@link Optimizer#NESTEROV} (default 0.9). */
    public Training withMomentum(float mu) {
        return new Training(epochs, batch, learningRate, l2, seed, device, progress, meanGradient, patience, optimizer, mu, beta1, beta2,
                schedule, stepEvery, stepGamma, inverseDecay);
    }

    /** {@link Optimizer#ADAM}'s decay rates of its moments (default 0.9 and 0.999). */
    public Training withAdamBetas(float b1, float b2) {
        return new Training(epochs, batch, learningRate, l2, seed, device, progress, meanGradient, patience, optimizer, momentum, b1, b2,
                schedule, stepEvery, stepGamma, inverseDecay);
    }

    /** A {@link Schedule}; {@link Schedule#STEP} multiplies by 0.1 every 10 epochs, {@link Schedule#INVERSE} has decay 0 unless set. */
    public Training withSchedule(Schedule s) {
        return new Training(epochs, batch, learningRate, l2, seed, device, progress, meanGradient, patience, optimizer, momentum, beta1, beta2,
                s, stepEvery, stepGamma, inverseDecay);
    }

    /** {@link Schedule#STEP}: the rate multiplied by {@code gamma} every {@code every} epochs. */
    public Training withStepSchedule(int every, float gamma) {
        return new Training(epochs, batch, learningRate, l2, seed, device, progress, meanGradient, patience, optimizer, momentum, beta1, beta2,
                Schedule.STEP, every, gamma, inverseDecay);
    }

    /** {@link Schedule#INVERSE}: the rate divided by {@code 1 + decay * (epoch - 1)} (the book's 2nd edition's decrease_const). */
    public Training withInverseSchedule(float decay) {
        return new Training(epochs, batch, learningRate, l2, seed, device, progress, meanGradient, patience, optimizer, momentum, beta1, beta2,
                Schedule.INVERSE, stepEvery, stepGamma, decay);
    }

    public int epochs() {
        return epochs;
    }

    public int batch() {
        return batch;
    }

    public float learningRate() {
        return learningRate;
    }

    public float l2() {
        return l2;
    }

    public long seed() {
        return seed;
    }

    public String device() {
        return device;
    }

    public Progress progress() {
        return progress;
    }

    public boolean meanGradient() {
        return meanGradient;
    }

    public int patience() {
        return patience;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public float momentum() {
        return momentum;
    }

    public float beta1() {
        return beta1;
    }

    public float beta2() {
        return beta2;
    }

    public Schedule schedule() {
        return schedule;
    }

    public int stepEvery() {
        return stepEvery;
    }

    public float stepGamma() {
        return stepGamma;
    }

    public float inverseDecay() {
        return inverseDecay;
    }
}
