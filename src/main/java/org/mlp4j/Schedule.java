package org.mlp4j;

/**
 * The learning rate of epoch e (from 1) of n, from the rate eta given: {@link #CONSTANT} eta (the book's);
 * {@link #STEP} {@code eta * gamma^floor((e - 1) / every)}; {@link #INVERSE} the book's 2nd edition's
 * {@code eta / (1 + decay * (e - 1))}; {@link #COSINE} {@code eta * (1 + cos(pi * (e - 1) / n)) / 2}.
 */
public enum Schedule {
    CONSTANT, STEP, INVERSE, COSINE;

    /** The name used by the command line and files: lower case, '-' for '_'. */
    public String id() {
        return Ids.id(this);
    }

    /** The schedule named {@code id} (as {@link #id()}). */
    public static Schedule of(String id) {
        return Ids.of(values(), id, "learning-rate schedule");
    }

    /** Epoch {@code epoch}'s rate (from 1) of {@code epochs}, from {@code eta}; {@code every}, {@code gamma}: STEP's; {@code decay}: INVERSE's. */
    public float rate(float eta, int epoch, int epochs, int every, float gamma, float decay) {
        return switch (this) {
            case CONSTANT -> eta;
            case STEP -> (float) (eta * StrictMath.pow(gamma, (epoch - 1) / every));
            case INVERSE -> eta / (1f + decay * (epoch - 1));
            case COSINE -> (float) (eta * (1 + StrictMath.cos(StrictMath.PI * (epoch - 1) / epochs)) / 2);
        };
    }
}
