package org.mlp4j.cli;

import java.util.List;
import org.mlp4j.Activation;
import org.mlp4j.Optimizer;
import org.mlp4j.Output;
import org.mlp4j.Schedule;
import org.mlp4j.data.Dataset;
import org.mlp4j.data.Images;
import org.mlp4j.model.Hyperparameters;
import picocli.CommandLine.Option;

/** The book's hyperparameters as flags, checked before anything runs. */
final class TrainingOptions {
    /** The flags a resumed run takes from its checkpoint instead. */
    static final List<String> FIXED_BY_THE_RUN = List.of("--hidden", "--l2", "--eta", "--batch", "--valid", "--seed", "--activation",
            "--output", "--gradient", "--patience", "--optimizer", "--momentum", "--beta1", "--beta2", "--lr-schedule", "--lr-step",
            "--lr-gamma", "--lr-decay");

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "200", description = "epochs (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--hidden", paramLabel = "LIST", defaultValue = "100",
            description = "hidden layer sizes, e.g. 256,128, or none: the inputs straight to the outputs (softmax or logistic "
                    + "regression) (default: ${DEFAULT-VALUE})")
    String hidden;

    @Option(names = "--l2", paramLabel = "X", defaultValue = "0.01", description = "L2 regularisation (default: ${DEFAULT-VALUE})")
    float l2;

    @Option(names = "--eta", paramLabel = "X", defaultValue = "0.0005", description = "learning rate (default: ${DEFAULT-VALUE})")
    float eta;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "100", description = "minibatch size (default: ${DEFAULT-VALUE}; for a CSV --data of fewer training examples, all of them)")
    int batch;

    @Option(names = "--valid", paramLabel = "N", defaultValue = "5000",
            description = "validation examples: the last of MNIST's training file, as the book takes them (default: ${DEFAULT-VALUE}); "
                    + "of a CSV --data, drawn at random by --seed (default: a tenth of its examples)")
    int valid;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--activation", paramLabel = "NAME", defaultValue = "sigmoid",
            description = "hidden layers' activation: sigmoid, tanh, relu or leaky-relu (default: ${DEFAULT-VALUE}, the book's); "
                    + "the weights are initialised to suit it (N(0, 0.1), Xavier, He)")
    String activation;

    @Option(names = "--output", paramLabel = "NAME", defaultValue = "sigmoid",
            description = "output layer and cost: sigmoid (units with the logistic cost, the book's) or softmax (with the "
                    + "cross-entropy) (default: ${DEFAULT-VALUE})")
    String output;

    @Option(names = "--gradient", paramLabel = "sum|mean", defaultValue = "sum",
            description = "the minibatch's gradient summed (the book's) or averaged, as most other tools do; to compare, multiply "
                    + "--eta by the batch and divide --l2 by it (L2 decays by eta * l2 a step either way): the book's run averaged is "
                    + "--eta 0.05 --l2 0.0001 (default: ${DEFAULT-VALUE})")
    String gradient;

    @Option(names = "--patience", paramLabel = "N", defaultValue = "0",
            description = "stop after N epochs without a better validation accuracy and keep the best epoch's model "
                    + "(default: ${DEFAULT-VALUE}, every epoch)")
    int patience;

    @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "sgd",
            description = "sgd (the book's), momentum, nesterov or adam (default: ${DEFAULT-VALUE})")
    String optimizer;

    @Option(names = "--momentum", paramLabel = "X", defaultValue = "0.9", description = "momentum and nesterov's momentum (default: ${DEFAULT-VALUE})")
    float momentum;

    @Option(names = "--beta1", paramLabel = "X", defaultValue = "0.9", description = "adam's first moment decay (default: ${DEFAULT-VALUE})")
    float beta1;

    @Option(names = "--beta2", paramLabel = "X", defaultValue = "0.999", description = "adam's second moment decay (default: ${DEFAULT-VALUE})")
    float beta2;

    @Option(names = "--lr-schedule", paramLabel = "NAME", defaultValue = "constant",
            description = "the rate per epoch: constant (the book's), step (times --lr-gamma every --lr-step epochs), inverse "
                    + "(eta / (1 + --lr-decay * (epoch - 1)), the book's 2nd edition) or cosine (down to 0 at the last epoch) "
                    + "(default: ${DEFAULT-VALUE})")
    String schedule;

    @Option(names = "--lr-step", paramLabel = "N", defaultValue = "10", description = "epochs between the step schedule's steps (default: ${DEFAULT-VALUE})")
    int stepEvery;

    @Option(names = "--lr-gamma", paramLabel = "X", defaultValue = "0.1", description = "the step schedule's factor (default: ${DEFAULT-VALUE})")
    float gamma;

    @Option(names = "--lr-decay", paramLabel = "X", defaultValue = "0.0", description = "the inverse schedule's decay (default: ${DEFAULT-VALUE})")
    float decay;

    Hyperparameters.Optimization optimization() {
        Optimizer o;
        Schedule s;
        try {
            o = Optimizer.of(optimizer);
        } catch (IllegalArgumentException e) {
            throw TrainCommand.flag("--optimizer", "'" + optimizer + "' is not one of sgd, momentum, nesterov, adam");
        }
        try {
            s = Schedule.of(schedule);
        } catch (IllegalArgumentException e) {
            throw TrainCommand.flag("--lr-schedule", "'" + schedule + "' is not one of constant, step, inverse, cosine");
        }
        for (var f : List.of(java.util.Map.entry("--momentum", momentum), java.util.Map.entry("--beta1", beta1), java.util.Map.entry("--beta2", beta2))) {
            if (!(f.getValue() >= 0 && f.getValue() < 1)) {
                throw TrainCommand.flag(f.getKey(), "must be at least 0 and below 1, got " + f.getValue());
            }
        }
        if (stepEvery < 1) {
            throw TrainCommand.flag("--lr-step", "must be at least 1, got " + stepEvery);
        }
        if (!(gamma > 0) || !Float.isFinite(gamma)) {
            throw TrainCommand.flag("--lr-gamma", "must be a positive number, got " + gamma);
        }
        if (!(decay >= 0) || !Float.isFinite(decay)) {
            throw TrainCommand.flag("--lr-decay", "must be zero or positive, got " + decay);
        }
        return new Hyperparameters.Optimization(o, momentum, beta1, beta2, s, stepEvery, gamma, decay);
    }

    Activation activation() {
        try {
            Activation a = Activation.of(activation);
            if (a != Activation.IDENTITY) {
                return a;
            }
        } catch (IllegalArgumentException e) {
            // named below
        }
        throw TrainCommand.flag("--activation", "'" + activation + "' is not one of sigmoid, tanh, relu, leaky-relu");
    }

    Output output() {
        try {
            return Output.of(output);
        } catch (IllegalArgumentException e) {
            throw TrainCommand.flag("--output", "'" + output + "' is not one of sigmoid, softmax");
        }
    }

    Hyperparameters hyperparameters() {
        if (epochs < 1) {
            throw TrainCommand.flag("--epochs", "must be at least 1, got " + epochs);
        }
        if (batch < 1) {
            throw TrainCommand.flag("--batch", "must be at least 1, got " + batch);
        }
        hidden();
        if (!(eta > 0) || !Float.isFinite(eta)) {
            throw TrainCommand.flag("--eta", "must be a positive number, got " + eta);
        }
        if (!(l2 >= 0) || !Float.isFinite(l2)) {
            throw TrainCommand.flag("--l2", "must be zero or positive, got " + l2);
        }
        if (valid < 0) {
            throw TrainCommand.flag("--valid", "must be zero or positive, got " + valid);
        }
        if (seed < 0 || seed > 0xffffffffL) {
            throw TrainCommand.flag("--seed", "must be between 0 and 4294967295, got " + seed);
        }
        if (!gradient.equalsIgnoreCase("sum") && !gradient.equalsIgnoreCase("mean")) {
            throw TrainCommand.flag("--gradient", "'" + gradient + "' is not sum or mean");
        }
        if (patience < 0) {
            throw TrainCommand.flag("--patience", "must be zero or positive, got " + patience);
        }
        if (patience > 0 && valid == 0) {
            throw TrainCommand.flag("--patience", "needs validation examples (--valid is 0)");
        }
        activation();
        output();
        return new Hyperparameters(epochs, batch, eta, l2, seed, gradient.equalsIgnoreCase("mean"), patience, optimization());
    }

    /** Layer sizes: the data's features, the hidden layers, the data's classes. */
    int[] sizes(Dataset train) {
        return sizes(train, hidden());
    }

    /** --hidden's layer sizes: none, or sizes of at least 1 separated by commas. */
    List<Integer> hidden() {
        if (hidden.trim().equalsIgnoreCase("none")) {
            return List.of();
        }
        List<Integer> sizes = new java.util.ArrayList<>();
        for (String size : hidden.split(",", -1)) {
            int h;
            try {
                h = Integer.parseInt(size.trim());
            } catch (NumberFormatException e) {
                throw TrainCommand.flag("--hidden", "'" + size + "'" + (size.equals(hidden) ? "" : " in '" + hidden + "'")
                        + " is not a layer size (for no hidden layer: --hidden none)");
            }
            if (h < 1) {
                throw TrainCommand.flag("--hidden", "layer sizes must be at least 1, got " + h);
            }
            sizes.add(h);
        }
        return sizes;
    }

    /** Layer sizes: the data's features, {@code hidden}, the data's classes. */
    static int[] sizes(Dataset train, List<Integer> hidden) {
        int[] s = new int[hidden.size() + 2];
        s[0] = train.features();
        for (int i = 0; i < hidden.size(); i++) {
            s[i + 1] = hidden.get(i);
        }
        s[s.length - 1] = train.classCount();
        return s;
    }

    /** Refuses a split, batch or test set ({@code test} null where there is none) that cannot go with {@code train}. */
    static void checkAgainst(Dataset train, Dataset test, int valid, int batch) {
        if (valid >= train.count()) {
            throw TrainCommand.flag("--valid", valid + " is not less than the " + train.count() + " training examples");
        }
        if (batch > train.count() - valid) {
            throw TrainCommand.flag("--batch", batch + " is larger than the " + (train.count() - valid) + " examples left for training");
        }
        if (test != null && test.features() != train.features()) {
            throw new org.mlp4j.util.UserError(test instanceof Images t && train instanceof Images i
                    ? "test images are " + t.height() + "x" + t.width() + " but training images are " + i.height() + "x" + i.width()
                    : "test examples have " + test.features() + " features but training examples have " + train.features()
                    + (test.features() == train.features() - 1 ? " (the test file's lines need their class, as --data's have; mlp4j predict labels"
                    + " lines of features alone)" : ""));
        }
        int classes = train.classCount();
        if (classes < 2) {
            throw new org.mlp4j.util.UserError("the training labels are all 0: one class, nothing to tell apart");
        }
        for (int i = 0; test != null && i < test.count(); i++) {
            if (test.label(i) >= classes) {
                throw new org.mlp4j.util.UserError("test label " + test.label(i) + " (example " + i
                        + ") is not below the class count " + classes + " of the training labels");
            }
        }
    }
}
