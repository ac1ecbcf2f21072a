package org.mlp4j;

import java.util.Objects;

/**
 * How {@link Classifier#fit} trains: minibatch SGD as the book's {@code NeuralNetMLP} (the gradient summed
 * over a minibatch, L2 decay on the weights, not the biases), on a device, reporting to a {@link Progress}.
 * Immutable: each {@code with} method returns a changed copy. {@link #book()} holds the book's settings.
 *
 * @param epochs passes over the training examples
 * @param batch examples per SGD step; a last partial batch of an epoch is skipped, as in the book
 * @param learningRate the step size (the book's eta)
 * @param l2 the L2 regularisation strength (the book's lambda)
 * @param seed draws the minibatch order (and a new {@link Classifier}'s weights)
 * @param device {@code cpu}, {@code cuda}, {@code opencl}, {@code gpu} (the best GPU backend, else the CPU
 *        with a {@link Progress#note}) or {@code auto} (the same without the note)
 * @param progress told of each epoch
 * @param meanGradient the minibatch's gradient averaged (as most other tools do, so their learning rates
 *        carry over) instead of summed (the book's)
 * @param patience stop after this many epochs without a better validation accuracy and keep the best
 *        epoch's parameters (0: train every epoch)
 */
public record Training(int epochs, int batch, float learningRate, float l2, long seed, String device, Progress progress,
                       boolean meanGradient, int patience) {
    public Training {
        if (epochs < 1 || batch < 1) {
            throw new IllegalArgumentException("epochs and batch must be at least 1, got " + epochs + " and " + batch);
        }
        if (!(learningRate > 0) || !(l2 >= 0) || !Float.isFinite(learningRate) || !Float.isFinite(l2)) {
            throw new IllegalArgumentException("learning rate must be positive and l2 at least 0, got " + learningRate + " and " + l2);
        }
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(progress, "progress");
        if (patience < 0) {
            throw new IllegalArgumentException("patience must be at least 0, got " + patience);
        }
    }

    /** The book's settings: 200 epochs, batches of 100, learning rate 0.0005, L2 0.01, seed 1, on the cpu. */
    public static Training book() {
        return new Training(200, 100, 0.0005f, 0.01f, 1, "cpu", Progress.NONE, false, 0);
    }

    public Training withEpochs(int n) {
        return new Training(n, batch, learningRate, l2, seed, device, progress, meanGradient, patience);
    }

    public Training withBatch(int n) {
        return new Training(epochs, n, learningRate, l2, seed, device, progress, meanGradient, patience);
    }

    public Training withLearningRate(float eta) {
        return new Training(epochs, batch, eta, l2, seed, device, progress, meanGradient, patience);
    }

    public Training withL2(float lambda) {
        return new Training(epochs, batch, learningRate, lambda, seed, device, progress, meanGradient, patience);
    }

    public Training withSeed(long s) {
        return new Training(epochs, batch, learningRate, l2, s, device, progress, meanGradient, patience);
    }

    public Training withDevice(String name) {
        return new Training(epochs, batch, learningRate, l2, seed, name, progress, meanGradient, patience);
    }

    public Training withProgress(Progress p) {
        return new Training(epochs, batch, learningRate, l2, seed, device, p, meanGradient, patience);
    }

    public Training withMeanGradient(boolean mean) {
        return new Training(epochs, batch, learningRate, l2, seed, device, progress, mean, patience);
    }

    public Training withPatience(int epochsWithoutBetter) {
        return new Training(epochs, batch, learningRate, l2, seed, device, progress, meanGradient, epochsWithoutBetter);
    }
}
