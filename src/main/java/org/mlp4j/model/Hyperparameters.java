package org.mlp4j.model;

/**
 * Training settings; {@link #book()} gives the seed chapter's. {@code meanGradient}: the minibatch's
 * gradient averaged instead of summed (the book sums); {@code patience}: stop after that many epochs
 * without a better validation accuracy and keep the best epoch's model (0: train every epoch).
 */
public record Hyperparameters(int epochs, int batch, float eta, float l2, long seed, boolean meanGradient, int patience) {
    public Hyperparameters {
        if (patience < 0) {
            throw new IllegalArgumentException("patience " + patience + " is below 0");
        }
    }

    /** Summed gradients, every epoch trained: the book's way. */
    public Hyperparameters(int epochs, int batch, float eta, float l2, long seed) {
        this(epochs, batch, eta, l2, seed, false, 0);
    }

    public static Hyperparameters book() {
        return new Hyperparameters(200, 100, 0.0005f, 0.01f, 1);
    }

    public Hyperparameters withEpochs(int n) {
        return new Hyperparameters(n, batch, eta, l2, seed, meanGradient, patience);
    }

    /** The same settings but the epoch count: what a resumed run must keep. */
    public boolean sameRun(Hyperparameters o) {
        return batch == o.batch && eta == o.eta && l2 == o.l2 && seed == o.seed && meanGradient == o.meanGradient && patience == o.patience;
    }
}
