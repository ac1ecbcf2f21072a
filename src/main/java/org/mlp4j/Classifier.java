package org.mlp4j;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.BackendUnavailableException;
import org.mlp4j.backend.Backends;
import org.mlp4j.data.Dataset;
import org.mlp4j.data.Features;
import org.mlp4j.data.Images;
import org.mlp4j.model.DivergedException;
import org.mlp4j.model.EpochResult;
import org.mlp4j.model.Hyperparameters;
import org.mlp4j.model.ModelFile;
import org.mlp4j.model.Network;
import org.mlp4j.model.NumpyRandom;
import org.mlp4j.model.Trainer;
import org.mlp4j.model.TrainingListener;
import org.mlp4j.util.UserError;

/**
 * A multilayer perceptron classifier, by default the book's {@code NeuralNetMLP} (sigmoid hidden and output
 * units, trained by minibatch SGD on the logistic cost with L2; see {@link Activation}, {@link Output} and
 * {@link Training} for the others), on the CPU or a GPU. This class, {@link Training},
 * {@link Progress}, {@link Epoch} and {@link Mnist} are mlp4j's API; every other package is internal.
 *
 * <p>Features are {@code float} rows, used as they are; labels are class indices from 0. A classifier
 * loaded from a model that the {@code mlp4j} command trained on MNIST takes pixel values 0..255 instead and
 * scales them as that model was trained ({@code (p/255 - 0.5) * 2}). Each call that computes opens its
 * device and closes it before it returns. Not thread-safe.
 *
 * <pre>{@code
 * Classifier c = Classifier.create(1, 4, 16, 3);            // 4 features, 16 hidden units, 3 classes
 * List<Epoch> h = c.fit(x, y, validX, validY, Training.book().withEpochs(50).withBatch(10).withLearningRate(0.01f));
 * float[][] p = c.predictProba(validX);                     // each row sums to 1
 * c.save(Path.of("model.npz"));
 * }</pre>
 */
public final class Classifier {
    private Network network;
    /**
     * Until the first fit of a classifier that {@link #create} made: its seed, and its random stream where the
     * initial weights' draws left it.
     */
    private long seed;
    private NumpyRandom.State afterWeights;

    private Classifier(Network network) {
        this.network = network;
    }

    /**
     * A new network of the given layer sizes (inputs, hidden layers..., classes), its weights drawn from
     * N(0, 0.1) by {@code seed} and its biases 0, as the book initialises them. Its first {@link #fit} with a
     * {@link Training} of the same seed draws the minibatch order on from where the weights' draws left that
     * seed's stream, as the book's {@code NeuralNetMLP} does with its one {@code RandomState}: so
     * {@code create(1, 784, 100, 10)} trained with {@link Training#book()} on {@link Mnist} is the book's run.
     */
    public static Classifier create(long seed, int... layerSizes) {
        return create(seed, Activation.SIGMOID, Output.SIGMOID, layerSizes);
    }

    /**
     * A new network with hidden layers of {@code activation} and that {@code output} layer, its weights drawn
     * by {@code seed} as suits the activation (see {@link Activation}), its biases 0.
     */
    public static Classifier create(long seed, Activation activation, Output output, int... layerSizes) {
        if (layerSizes.length < 2 || Arrays.stream(layerSizes).anyMatch(s -> s < 1)) {
            throw new IllegalArgumentException("layer sizes " + Arrays.toString(layerSizes) + ": at least inputs and classes, each at least 1");
        }
        if (activation == Activation.IDENTITY) {
            throw new IllegalArgumentException("hidden layers need an activation, not identity");
        }
        NumpyRandom random = new NumpyRandom(seed);
        Classifier c = new Classifier(Network.initialize(layerSizes, Network.Input.FEATURES, activation, output, random));
        c.seed = seed;
        c.afterWeights = random.state();
        return c;
    }

    /** The hidden layers' activation. */
    public Activation activation() {
        return network.activation();
    }

    /** The output layer. */
    public Output output() {
        return network.output();
    }

    /**
     * Reads a {@code model.npz} (written by {@link #save} or by {@code mlp4j train}).
     *
     * @throws IllegalArgumentException with the reason when the file is missing or is no valid model
     */
    public static Classifier load(Path file) {
        try {
            return new Classifier(ModelFile.load(file));
        } catch (UserError e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Writes the model as {@code model.npz}, readable by {@link #load}, the {@code mlp4j} command and NumPy. */
    public void save(Path file) {
        try {
            ModelFile.save(network, file);
        } catch (UserError e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Inputs, hidden layers' sizes, and classes. */
    public int[] layerSizes() {
        return network.sizes().clone();
    }

    /** Trains on {@code x}, {@code y} without a validation set; see {@link #fit(float[][], int[], float[][], int[], Training)}. */
    public List<Epoch> fit(float[][] x, int[] y, Training training) {
        return fit(x, y, new float[0][], new int[0], training);
    }

    /**
     * Trains from the current parameters (so a second call, or a call on a loaded model, continues where
     * they are: warm start, fine-tuning) on {@code x}, {@code y}, reporting each epoch's accuracy on the
     * validation set {@code validX}, {@code validY} (may be empty). Keeps the parameters of the last epoch,
     * of where {@link Progress#stop} ended training, or with {@link Training#patience} of the best epoch.
     * The minibatch order is drawn from {@link Training#seed}: from a new stream of it, or on the first fit of
     * a classifier {@link #create} made with that seed, from that stream where the weights' draws left it.
     *
     * @return each epoch's cost, accuracies and time
     * @throws IllegalArgumentException for data that does not fit the network (row widths, label range), or SGD with a
     *         learning rate times L2 of 1 or more
     * @throws IllegalStateException when the cost stops being finite (the learning rate is too large)
     */
    public List<Epoch> fit(float[][] x, int[] y, float[][] validX, int[] validY, Training training) {
        int classes = network.outputs();
        Dataset train = dataset(x, y, classes, "training");
        Dataset valid = dataset(validX, validY, classes, "validation");
        Dataset all = train instanceof Features f ? f.concat((Features) valid) : ((Images) train).concat((Images) valid);
        Hyperparameters hp = new Hyperparameters(training.epochs(), training.batch(), training.learningRate(), training.l2(), training.seed(),
                training.meanGradient(), training.patience(), new Hyperparameters.Optimization(training.optimizer(), training.momentum(),
                training.beta1(), training.beta2(), training.schedule(), training.stepEvery(), training.stepGamma(), training.inverseDecay()));
        List<Epoch> history = new ArrayList<>();
        TrainingListener listener = new TrainingListener() {
            @Override
            public void epoch(EpochResult r, Supplier<Trainer.Checkpoint> checkpoint) {
                Epoch e = new Epoch(r.epoch(), r.cost(), r.trainAccuracy(), r.validAccuracy(), r.seconds());
                history.add(e);
                training.progress().epoch(e);
            }

            @Override
            public boolean stopRequested() {
                return training.progress().stop();
            }
        };
        // the book's NeuralNetMLP draws its weights and then its minibatch order from one stream
        NumpyRandom order = afterWeights != null && seed == training.seed() ? NumpyRandom.of(afterWeights) : new NumpyRandom(training.seed());
        try (Backend backend = open(training.device(), training.threads(), training.progress())) {
            training.progress().note("device: " + backend.description());
            Trainer trainer = new Trainer(backend, hp);
            afterWeights = null;
            network = trainer.fit(network, order, all, valid.count(), listener).network();
        } catch (DivergedException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        return List.copyOf(history);
    }

    /** The predicted class of each row of {@code x}, on the cpu. */
    public int[] predict(float[][] x) {
        return predict(x, "cpu");
    }

    /** The predicted class of each row of {@code x}, computed on {@code device} (as {@link Training#device}). */
    public int[] predict(float[][] x, String device) {
        Dataset data = dataset(x, new int[x.length], network.outputs(), "input");
        try (Backend backend = open(device, 0, Progress.NONE)) {
            return Trainer.predict(backend, network, data);
        }
    }

    /** The predicted class of one example. */
    public int predict(float[] example) {
        return predict(new float[][] {example})[0];
    }

    /**
     * Each class's probability for each row of {@code x}, on the cpu: the sigmoid output units' activations
     * divided by their sum, so a row sums to 1 and its largest entry is the predicted class.
     */
    public float[][] predictProba(float[][] x) {
        Dataset data = dataset(x, new int[x.length], network.outputs(), "input");
        try (Backend backend = open("cpu", 0, Progress.NONE)) {
            return Trainer.probabilities(backend, network, data);
        }
    }

    /** Each class's probability for one example. */
    public float[] predictProba(float[] example) {
        return predictProba(new float[][] {example})[0];
    }

    private static Backend open(String device, int threads, Progress progress) {
        try {
            return Backends.open(device, -1, threads, false, progress::note);
        } catch (BackendUnavailableException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The rows as the network takes them: float features, or pixels 0..255 for a pixel model. */
    private Dataset dataset(float[][] x, int[] y, int classes, String what) {
        if (x.length != y.length) {
            throw new IllegalArgumentException(what + ": " + x.length + " rows but " + y.length + " labels");
        }
        int width = network.inputs();
        for (int r = 0; r < x.length; r++) {
            if (x[r].length != width) {
                throw new IllegalArgumentException(what + " row " + r + " has " + x[r].length + " values, the network takes " + width);
            }
            if (y[r] < 0 || y[r] >= classes) {
                throw new IllegalArgumentException(what + " label " + y[r] + " (row " + r + ") is not a class of 0.." + (classes - 1));
            }
        }
        if (network.input() == Network.Input.FEATURES) {
            // a NaN or infinite feature would end training as a diverging run, or give a prediction of nothing
            for (int r = 0; r < x.length; r++) {
                for (int j = 0; j < width; j++) {
                    if (!Float.isFinite(x[r][j])) {
                        throw new IllegalArgumentException(what + " row " + r + " value " + j + " is " + x[r][j] + ": features must be finite");
                    }
                }
            }
            float[] values = new float[x.length * width];
            for (int r = 0; r < x.length; r++) {
                System.arraycopy(x[r], 0, values, r * width, width);
            }
            return new Features(values, y.clone(), x.length, width);
        }
        byte[] pixels = new byte[x.length * width];
        byte[] labels = new byte[x.length];
        for (int r = 0; r < x.length; r++) {
            for (int j = 0; j < width; j++) {
                float p = x[r][j];
                if (!(p >= 0 && p <= 255) || p != Math.rint(p)) {
                    throw new IllegalArgumentException(what + " row " + r + " value " + p + ": this model takes pixel values 0..255 and scales them"
                            + " as the book does (rows scaled already, as Mnist's, are pixels again as Math.round((v / 2 + 0.5f) * 255))");
                }
                pixels[r * width + j] = (byte) (int) p;
            }
            labels[r] = (byte) y[r];
        }
        return new Images(pixels, labels, x.length, 1, width);
    }
}
