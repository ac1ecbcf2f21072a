package org.mlp4j.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.mlp4j.AtomicFiles;
import org.mlp4j.UserError;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.DeviceMemoryException;
import org.mlp4j.data.Images;
import org.mlp4j.model.EpochResult;
import org.mlp4j.model.Hyperparameters;
import org.mlp4j.model.ModelFile;
import org.mlp4j.model.Trainer;
import org.mlp4j.model.TrainingListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train the network (defaults: the book's 784-100-10, 200 epochs) and write model.npz, history.csv and plots.")
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    CommonOptions common;
    @Mixin
    DeviceOptions device;
    @Mixin
    TrainingOptions training;

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (default: runs/<timestamp>)")
    Path out;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Hyperparameters hp = training.hyperparameters();
        Images trainSet = Datasets.load(common, false, err);
        Images testSet = Datasets.load(common, true, err);
        int[] sizes = training.sizes(trainSet);
        training.checkAgainst(trainSet, testSet);
        Path dir = out != null ? out : Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        try {
            return train(o, err, hp, trainSet, testSet, sizes, dir, device.device);
        } catch (DeviceMemoryException e) {
            if (device.strict) {
                throw e;
            }
            err.println("warning: " + e.getMessage() + "; falling back to the cpu backend");
            return train(o, err, hp, trainSet, testSet, sizes, dir, "cpu");
        }
    }

    private int train(PrintWriter o, PrintWriter err, Hyperparameters hp, Images trainSet, Images testSet, int[] sizes,
                      Path dir, String deviceName) throws Exception {
        try (Backend backend = device.open(deviceName, err)) {
            o.printf("device: %s%n", backend.description());
            o.printf("network %s, %d training and %d validation examples, %d epoch%s, batch %d, eta %s, l2 %s, seed %d%n",
                    String.join("-", java.util.Arrays.stream(sizes).mapToObj(Integer::toString).toList()),
                    trainSet.count() - training.valid, training.valid, hp.epochs(), hp.epochs() == 1 ? "" : "s",
                    hp.batch(), hp.eta(), hp.l2(), hp.seed());
            o.flush();
            Trainer.Fit fit;
            try (EpochPrinter printer = new EpochPrinter(o, hp.epochs())) {
                fit = new Trainer(backend, hp).fit(sizes, trainSet, training.valid, printer);
            }
            int[] predicted = Trainer.predict(backend, fit.network(), testSet);
            int correct = 0;
            for (int i = 0; i < predicted.length; i++) {
                correct += predicted[i] == (testSet.labels()[i] & 0xff) ? 1 : 0;
            }
            ModelFile.save(fit.network(), dir.resolve("model.npz"));
            writeHistory(fit.history(), dir.resolve("history.csv"));
            try {
                Charts.learningCurves(fit.history(), dir.resolve("learning-curves.png"));
                Charts.misclassified(testSet, predicted, dir.resolve("misclassified.png"));
            } catch (RuntimeException | java.awt.AWTError | LinkageError e) {
                err.println("warning: plots not written (" + e + ")");
            }
            o.printf("wrote %s%n", dir.resolve("model.npz"));
            o.printf(Locale.ROOT, "test accuracy: %.2f%%%n", 100.0 * correct / testSet.count());
        }
        return 0;
    }

    static void writeHistory(List<EpochResult> history, Path file) {
        StringBuilder s = new StringBuilder("epoch,cost,train_acc,valid_acc,seconds\n");
        for (EpochResult r : history) {
            s.append(String.format(Locale.ROOT, "%d,%.4f,%.6f,%.6f,%.4f%n", r.epoch(), r.cost(), r.trainAccuracy(), r.validAccuracy(), r.seconds()));
        }
        AtomicFiles.write(file, os -> os.write(s.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** One line per epoch; a progress bar within each epoch when a terminal is attached. */
    static final class EpochPrinter implements TrainingListener, AutoCloseable {
        private final PrintWriter out;
        private final int epochs;
        private final boolean terminal = System.console() != null;
        private ProgressBar bar;

        EpochPrinter(PrintWriter out, int epochs) {
            this.out = out;
            this.epochs = epochs;
        }

        @Override
        public boolean showsProgress() {
            return terminal;
        }

        @Override
        public void steps(int epoch, int done, int total) {
            if (!terminal) {
                return;
            }
            if (bar == null) {
                bar = new ProgressBarBuilder().setTaskName(String.format("epoch %d/%d", epoch, epochs))
                        .setInitialMax(total).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(100)
                        .continuousUpdate().clearDisplayOnFinish().build();
            }
            bar.stepTo(done);
        }

        @Override
        public void epoch(EpochResult r) {
            close();
            String width = "%" + Integer.toString(epochs).length() + "d";
            out.printf(Locale.ROOT, "epoch " + width + "/%d | cost %10.2f | train %6.2f%% | valid %6.2f%% | %.3f s%n",
                    r.epoch(), epochs, r.cost(), 100 * r.trainAccuracy(), 100 * r.validAccuracy(), r.seconds());
            out.flush();
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }
    }

    static UserError flag(String flag, String problem) {
        return new UserError(flag + ": " + problem);
    }
}
