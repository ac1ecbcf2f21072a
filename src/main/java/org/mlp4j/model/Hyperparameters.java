package org.mlp4j.model;

import org.mlp4j.Optimizer;
import org.mlp4j.Schedule;

/**
 * Training settings; {@link #book()} gives the seed chapter's. {@code meanGradient}: the minibatch's
 * gradient averaged instead of summed (the book sums); {@code patience}: stop after that many epochs
 * without a better validation accuracy and keep the best epoch's model (0: train every epoch);
 * {@code optimization}: the optimizer and the learning-rate schedule (the book's: SGD, constant).
 */
public record Hyperparameters(int epochs, int batch, float eta, float l2, long seed, boolean meanGradient, int patience,
                              Optimization optimization) {
    public Hyperparameters {
        if (patience < 0) {
            throw new IllegalArgumentException("patience " + patience + " is below 0");
        }
        // SGD's step scales the weights by 1 - eta * l2 (DeviceNet.trainStep): at 0 or below, each step zeroes
        // them or flips their sign, which is no weight decay
        if (optimization.optimizer() == Optimizer.SGD && (double) eta * l2 >= 1) {
            throw new IllegalArgumentException("with SGD, eta times l2 must be below 1 (each step scales the weights by 1 - eta * l2), got eta "
                    + eta + " and l2 " + l2);
        }
    }

    /**
     * The optimizer with its settings, and the schedule with its: STEP multiplies the rate by {@code gamma}
     * every {@code every} epochs, INVERSE divides it by {@code 1 + decay * (epoch - 1)}.
     */
    public record Optimization(Optimizer optimizer, float momentum, float beta1, float beta2, Schedule schedule, int every, float gamma,
                               float decay) {
        /** The book's: plain SGD at a constant rate (with the usual defaults for the rest). */
        public static final Optimization BOOK = new Optimization(Optimizer.SGD, 0.9f, 0.9f, 0.999f, Schedule.CONSTANT, 10, 0.1f, 0f);
        /** Adam's epsilon. */
        public static final float EPSILON = 1e-8f;

        public Optimization {
            if (!(momentum >= 0 && momentum < 1) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("momentum, beta1 and beta2 must be in [0, 1), got " + momentum + ", " + beta1 + ", " + beta2);
            }
            if (every < 1 || !(gamma > 0) || !(decay >= 0)) {
                throw new IllegalArgumentException("a step schedule needs every >= 1 and gamma > 0, inverse decay >= 0");
            }
        }

        /** Whether steps take the general path (gradients, device-side rate and state) instead of the book's fused SGD. */
        public boolean general() {
            return optimizer != Optimizer.SGD || schedule != Schedule.CONSTANT;
        }

        public Optimization with(Optimizer o) {
            return new Optimization(o, momentum, beta1, beta2, schedule, every, gamma, decay);
        }

        public Optimization with(Schedule s) {
            return new Optimization(optimizer, momentum, beta1, beta2, s, every, gamma, decay);
        }
    }

    /** Summed gradients, every epoch trained: the book's way. */
    public Hyperparameters(int epochs, int batch, float eta, float l2, long seed) {
        this(epochs, batch, eta, l2, seed, false, 0);
    }

    /** Plain SGD at a constant rate. */
    public Hyperparameters(int epochs, int batch, float eta, float l2, long seed, boolean meanGradient, int patience) {
        this(epochs, batch, eta, l2, seed, meanGradient, patience, Optimization.BOOK);
    }

    public static Hyperparameters book() {
        return new Hyperparameters(200, 100, 0.0005f, 0.01f, 1);
    }

    public Hyperparameters withEpochs(int n) {
        return new Hyperparameters(n, batch, eta, l2, seed, meanGradient, patience, optimization);
    }

    public Hyperparameters withBatch(int n) {
        return new Hyperparameters(epochs, n, eta, l2, seed, meanGradient, patience, optimization);
    }

    public Hyperparameters with(Optimization o) {
        return new Hyperparameters(epochs, batch, eta, l2, seed, meanGradient, patience, o);
    }

    /** Epoch {@code epoch}'s learning rate under the schedule. */
    public float rate(int epoch) {
        Optimization o = optimization;
        return o.schedule().rate(eta, epoch, epochs, o.every(), o.gamma(), o.decay());
    }

    /**
     * Each setting but the epoch count in which these differ from {@code run}'s, as "batch 50 (the run's: 100)":
     * a resumed run must keep them all.
     */
    public java.util.List<String> differences(Hyperparameters run) {
        Optimization o = optimization;
        Optimization r = run.optimization;
        java.util.List<String> d = new java.util.ArrayList<>();
        differ(d, "batch", batch, run.batch);
        differ(d, "learning rate", eta, run.eta);
        differ(d, "l2", l2, run.l2);
        differ(d, "seed", seed, run.seed);
        differ(d, "gradient", meanGradient ? "mean" : "sum", run.meanGradient ? "mean" : "sum");
        differ(d, "patience", patience, run.patience);
        differ(d, "optimizer", o.optimizer(), r.optimizer());
        differ(d, "momentum", o.momentum(), r.momentum());
        differ(d, "beta1", o.beta1(), r.beta1());
        differ(d, "beta2", o.beta2(), r.beta2());
        differ(d, "schedule", o.schedule(), r.schedule());
        differ(d, "step every", o.every(), r.every());
        differ(d, "step gamma", o.gamma(), r.gamma());
        differ(d, "inverse decay", o.decay(), r.decay());
        return d;
    }

    private static void differ(java.util.List<String> d, String name, Object mine, Object run) {
        if (!mine.equals(run)) {
            d.add(name + " " + mine + " (the run's: " + run + ")");
        }
    }
}
