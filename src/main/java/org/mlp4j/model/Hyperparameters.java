package org.mlp4j.model;

/** Training settings; {@link #book()} gives the seed chapter's. */
public record Hyperparameters(int epochs, int batch, float eta, float l2, long seed) {
    public static Hyperparameters book() {
        return new Hyperparameters(200, 100, 0.0005f, 0.01f, 1);
    }

    public Hyperparameters withEpochs(int n) {
        return new Hyperparameters(n, batch, eta, l2, seed);
    }
}
