package org.mlp4j.model;

import java.util.ArrayList;
import java.util.List;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.Backend.Accumulator;
import org.mlp4j.backend.Backend.Examples;
import org.mlp4j.backend.Backend.Order;
import org.mlp4j.backend.Backend.Program;
import org.mlp4j.backend.Matrix;
import org.mlp4j.data.Images;

/**
 * Minibatch SGD as the seed chapter's {@code NeuralNetMLP.fit}, on any backend. The dataset is uploaded
 * once; per epoch only the shuffled order goes up and four sums come back. An epoch (its steps and the
 * evaluation) is recorded once as one {@link Program} (a CUDA graph on CUDA), or a few when progress is
 * shown, and replayed every epoch. Each epoch starts with one gather of all its minibatches, so training
 * holds the training set as floats on the backend (172 MB for MNIST) besides the uint8 dataset.
 */
public final class Trainer {
    /** Examples per evaluation chunk: bounds the evaluation's memory whatever the dataset size. */
    static final int EVAL_CHUNK = 5000;
    /** An epoch is recorded as this many programs at most, so progress can be shown between them. */
    static final int SEGMENTS = 10;

    private static final int COST = 0;
    private static final int TRAIN_CORRECT = 1;
    private static final int VALID_CORRECT = 2;
    private static final int SQUARED_WEIGHTS = 3;

    private final Backend backend;
    private final Hyperparameters hp;

    public Trainer(Backend backend, Hyperparameters hp) {
        this.backend = backend;
        this.hp = hp;
    }

    /** The outcome of {@link #fit}. */
    public record Fit(Network network, List<EpochResult> history) {
    }

    /**
     * Trains a network of the given layer sizes on the first {@code data.count - valid} examples and
     * validates on the last {@code valid}, like the book's 55,000/5,000 split. Minibatches that do not
     * fill a whole batch at the end of an epoch are skipped, as in the book.
     *
     * @throws DivergedException when the cost stops being finite
     */
    public Fit fit(int[] sizes, Images data, int valid, TrainingListener listener) {
        Session session = start(sizes, data, valid, listener.showsProgress());
        List<EpochResult> history = new ArrayList<>();
        for (int epoch = 1; epoch <= hp.epochs(); epoch++) {
            EpochResult r = session.epoch(epoch, listener);
            if (!Double.isFinite(r.cost())) {
                throw new DivergedException(epoch, r.cost());
            }
            history.add(r);
            listener.epoch(r);
        }
        return new Fit(session.network(), history);
    }

    /** Sets up training (parameters, resident data, recorded programs) without running an epoch. */
    public Session start(int[] sizes, Images data, int valid, boolean showsProgress) {
        return new Session(sizes, data, valid, showsProgress);
    }

    /** A network being trained on one backend: {@link #epoch} runs one epoch as {@link #fit} does. */
    public final class Session {
        private final NumpyRandom random;
        private final DeviceNet net;
        private final Order shuffled;
        private final Accumulator acc;
        private final Program[] programs;
        private final int[] ends;
        private final int[] order;
        private final int train;
        private final int valid;
        private final int steps;

        private Session(int[] sizes, Images data, int valid, boolean showsProgress) {
            this.valid = valid;
            train = data.count() - valid;
            steps = train / hp.batch();
            if (steps < 1) {
                throw new IllegalArgumentException("a batch of " + hp.batch() + " is larger than the " + train + " training examples");
            }
            random = new NumpyRandom(hp.seed());
            net = new DeviceNet(backend, Network.initialize(sizes, random));
            Examples examples = backend.upload(data.pixels(), data.labels(), data.count(), data.features());
            shuffled = backend.order(train);
            int covered = steps * hp.batch();
            Order identity = identity(backend, data.count());
            DeviceNet.Workspace batch = net.workspace(hp.batch());
            Matrix epochX = backend.matrix(covered, data.features());
            Matrix epochY = backend.matrix(covered, 1);
            DeviceNet.Workspace chunk = net.workspace(Math.min(EVAL_CHUNK, data.count()));
            acc = backend.accumulator(4);
            order = new int[train];
            shuffle(); // the first epoch's order; each epoch then draws the next one's

            Runnable evaluation = () -> {
                backend.reset(acc);
                // the training set is the epoch's gathered rows (order does not change sums) plus any
                // examples a partial last batch left out
                net.evaluate(chunk, epochX, epochY, acc, COST, TRAIN_CORRECT);
                if (covered < train) {
                    net.evaluate(chunk, examples, shuffled, covered, train - covered, acc, COST, TRAIN_CORRECT);
                }
                if (valid > 0) {
                    net.evaluate(chunk, examples, identity, train, valid, acc, -1, VALID_CORRECT);
                }
                net.sumOfSquaredWeights(acc, SQUARED_WEIGHTS);
            };
            int segments = showsProgress ? Math.min(SEGMENTS, steps) : 1;
            programs = new Program[segments];
            ends = new int[segments];
            for (int s = 0; s < segments; s++) {
                int from = (int) ((long) steps * s / segments);
                int to = (int) ((long) steps * (s + 1) / segments);
                boolean first = s == 0;
                boolean last = s == segments - 1;
                ends[s] = to;
                programs[s] = backend.record(() -> {
                    if (first) {
                        // the whole epoch's minibatches in one gather: each step then reads a row range,
                        // and the evaluation reads them again as the training set
                        backend.gather(examples, shuffled, 0, epochX, epochY);
                    }
                    for (int step = from; step < to; step++) {
                        int row = step * hp.batch();
                        net.trainStep(batch, epochX.rows(row, hp.batch()), epochY.rows(row, hp.batch()), hp.eta(), hp.l2());
                    }
                    if (last) {
                        evaluation.run();
                    }
                });
            }
        }

        /** One epoch: its order uploaded, the SGD steps, the evaluation, the next order drawn; returns its line of the history. */
        public EpochResult epoch(int number, TrainingListener listener) {
            long start = System.nanoTime();
            backend.upload(order, shuffled);
            for (int s = 0; s < programs.length - 1; s++) {
                programs[s].run();
                backend.synchronize();
                listener.steps(number, ends[s], steps);
            }
            programs[programs.length - 1].run(); // the last steps and the evaluation
            // While an asynchronous backend runs the epoch, draw the next epoch's order: the same draws
            // in the same sequence as shuffling at the start of the next epoch.
            shuffle();
            double[] sums = backend.read(acc);
            listener.steps(number, steps, steps);
            double cost = sums[COST] + hp.l2() * sums[SQUARED_WEIGHTS];
            return new EpochResult(number, cost, sums[TRAIN_CORRECT] / train,
                    valid > 0 ? sums[VALID_CORRECT] / valid : Double.NaN, (System.nanoTime() - start) / 1e9);
        }

        private void shuffle() {
            for (int i = 0; i < train; i++) {
                order[i] = i; // the book shuffles a fresh np.arange every epoch
            }
            random.shuffle(order);
        }

        /** The parameters as they are now, copied to the host. */
        public Network network() {
            return net.download();
        }
    }

    /** The order 0, 1, ..., n-1 on the backend, for passes over the data as it lies. */
    public static Order identity(Backend backend, int n) {
        Order order = backend.order(n);
        backend.upload(java.util.stream.IntStream.range(0, n).toArray(), order);
        return order;
    }

    /** Predicted classes for every example of {@code data}. */
    public static int[] predict(Backend backend, Network network, Images data) {
        DeviceNet net = new DeviceNet(backend, network);
        Examples examples = backend.upload(data.pixels(), data.labels(), data.count(), data.features());
        Order identity = identity(backend, data.count());
        return net.predict(net.workspace(Math.min(EVAL_CHUNK, data.count())), examples, identity, 0, data.count());
    }
}
