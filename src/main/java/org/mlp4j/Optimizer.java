package org.mlp4j;

/**
 * How each step moves the parameters along the gradient g (L2 added to the weights' g, as the book does).
 * {@link #SGD} is the book's {@code p -= eta g}; the others keep state per parameter on the device, as
 * PyTorch defines them: {@link #MOMENTUM} {@code v = mu v + g, p -= eta v}; {@link #NESTEROV}
 * {@code v = mu v + g, p -= eta (g + mu v)}; {@link #ADAM} with its bias-corrected moments
 * {@code m = b1 m + (1 - b1) g, s = b2 s + (1 - b2) g^2, p -= eta m' / (sqrt(s') + 1e-8)}.
 */
public enum Optimizer {
    SGD, MOMENTUM, NESTEROV, ADAM;

    /** The name used by the command line and files: lower case, '-' for '_'. */
    public String id() {
        return Ids.id(this);
    }

    /** The optimizer named {@code id} (as {@link #id()}). */
    public static Optimizer of(String id) {
        return Ids.of(values(), id, "optimizer");
    }
}
