package org.mlp4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.mlp4j.util.AtomicFiles;
import org.mlp4j.Activation;
import org.mlp4j.Output;
import org.mlp4j.util.UserError;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.DeviceChoices;
import org.mlp4j.backend.DeviceMemoryException;
import org.mlp4j.data.Csv;
import org.mlp4j.data.Dataset;
import org.mlp4j.data.Features;
import org.mlp4j.data.Images;
import org.mlp4j.model.CheckpointFile;
import org.mlp4j.model.EpochResult;
import org.mlp4j.model.FeatureScaling;
import org.mlp4j.model.Hyperparameters;
import org.mlp4j.model.ModelFile;
import org.mlp4j.model.Network;
import org.mlp4j.model.Trainer;
import org.mlp4j.model.TrainingListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a network (by default the book's: 784-100-10, 200 epochs).",
                "Writes model.npz, history.csv, checkpoint.npz and plots into --out.",
                "Ctrl-C (or SIGTERM, or a closed terminal) stops at the next tenth of an epoch and saves the run; --resume DIR continues it."})
final class TrainCommand implements Callable<Integer> {
    static final String HISTORY = "history.csv";
    static final String CHECKPOINT = "checkpoint.npz";

    @Spec
    CommandSpec spec;
    @Mixin
    CommonOptions common;
    @Mixin
    DeviceOptions device;
    @Mixin
    TrainingOptions training;

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (default: runs/<timestamp>, and -2, -3, ... after it for runs started in the same second)")
    Path out;

    @Option(names = "--resume", paramLabel = "DIR",
            description = "continue the run saved in DIR (its checkpoint.npz) with its own settings, on its own data (give the run's "
                    + "--data again), up to its epochs or --epochs, writing into DIR")
    Path resume;

    @Option(names = "--test", paramLabel = "FILE",
            description = "a CSV file of test examples, as --data holds them, for a CSV --data: the final model's "
                    + "test accuracy (default: none; with a directory --data, its t10k files)")
    Path test;

    @Option(names = "--label", paramLabel = "COLUMN", description = "the class's column of a CSV --data and --test, " + Datasets.LABEL
            + " (default: a resumed run's or --init's model's, else " + Datasets.LABEL_DEFAULT + ")")
    String label;

    @Option(names = "--init", paramLabel = "MODEL",
            description = "start from this model.npz's parameters instead of random ones (its layer sizes replace --hidden)")
    Path init;

    @Option(names = "--checkpoint-every", paramLabel = "N", defaultValue = "10",
            description = "write model.npz and checkpoint.npz every N epochs (default: ${DEFAULT-VALUE}; 0: only at the end "
                    + "and when stopped); history.csv is written every epoch")
    int checkpointEvery;

    @Option(names = "--verbose", description = "also say how the device runs the network: each layer step's variant "
            + "(folded into one kernel or not), whether whole steps run, and the times that chose them; then the device as set up, "
            + "where it chose more as the run's programs were recorded (OpenCL: each product's kernel)")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        if (checkpointEvery < 0) {
            throw flag("--checkpoint-every", "must be zero or positive, got " + checkpointEvery);
        }
        Trainer.Checkpoint from = null;
        Hyperparameters hp;
        Path dir;
        if (resume != null) {
            for (String fixed : TrainingOptions.FIXED_BY_THE_RUN) {
                if (spec.commandLine().getParseResult().hasMatchedOption(fixed)) {
                    throw flag(fixed, "a resumed run keeps its own settings; only --epochs can change");
                }
            }
            if (out != null || init != null) {
                throw flag(out != null ? "--out" : "--init", "a resumed run continues from its own directory, " + resume);
            }
            if (Files.isRegularFile(resume)) {  // the run's model or checkpoint given for its directory
                Path runDir = resume.getParent() != null ? resume.getParent() : resume.toAbsolutePath().getParent();
                throw flag("--resume", "takes the run's directory, not a file"
                        + (Files.isRegularFile(runDir.resolve(CHECKPOINT)) ? "; did you mean --resume " + UserError.shellWord(runDir.toString()) + "?" : ""));
            }
            if (!Files.exists(resume.resolve(CHECKPOINT))) {
                throw flag("--resume", noCheckpoint(resume));
            }
            from = CheckpointFile.load(resume.resolve(CHECKPOINT));
            boolean newEpochs = spec.commandLine().getParseResult().hasMatchedOption("--epochs");
            hp = from.hp().withEpochs(newEpochs ? training.hyperparameters().epochs() : from.hp().epochs());
            if (hp.epochs() < from.history().size()) {
                throw flag("--epochs", hp.epochs() + " is fewer than the " + from.history().size() + " epochs the run in " + resume + " has done");
            }
            dir = resume;
            if (from.stoppedEarly()) {
                spec.commandLine().getOut().printf("the run in %s stopped early after epoch %d, %s after its best (epoch %d): nothing to train%n",
                        resume, from.history().size(), epochs(from.history().size() - from.best().epoch()), from.best().epoch());
                return 0;
            }
            if (hp.epochs() == from.history().size()) {
                spec.commandLine().getOut().printf("the run in %s has done its %s: nothing to train; --epochs N extends it to N%n",
                        resume, epochs(hp.epochs()));
                return 0;
            }
        } else {
            hp = training.hyperparameters();
            dir = out != null ? out : Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            if (Files.exists(dir.resolve(CHECKPOINT))) {
                throw new UserError(dir + " already holds a run (" + CHECKPOINT + "): continue it with --resume " + UserError.shellWord(dir.toString())
                        + ", or choose another --out");
            }
        }
        boolean csv = Datasets.isCsv(common.data);
        if (test != null && !csv) {
            throw flag("--test", "takes a CSV file of test examples for a CSV --data; the test examples of a directory of IDX files "
                    + "are its t10k files");
        }
        // a resumed run's model, or --init's: a CSV file's class column where told none, and its classes numbered as the
        // model numbers them (numbered afresh, a file of some of the model's classes would shift them onto other outputs)
        ModelFile.Model kept = from != null && Files.isRegularFile(dir.resolve(ModelFile.NAME)) ? ModelFile.read(dir.resolve(ModelFile.NAME))
                : init != null ? ModelFile.read(init) : null;
        if (kept != null && label == null && csv) {
            label = kept.labelColumn();
        }
        Dataset trainSet = Datasets.load(common, kept != null && csv ? kept.classes() : List.of(), label, false, err);
        Dataset testSet = csv ? (test != null ? Csv.examples(test, trainSet.classes(), label) : null) : Datasets.load(common, List.of(), null, true, err);
        // a CSV file's tenth, where the book's 5000 of MNIST's 60000 would be most or all of it
        int valid = from != null ? from.valid()
                : csv && !spec.commandLine().getParseResult().hasMatchedOption("--valid") ? trainSet.count() / 10 : training.valid;
        if (csv && valid > 0 && valid < trainSet.count()) {
            // drawn, not the last lines as the book's MNIST split takes them: a file of one's own is often sorted by class
            ((Features) trainSet).drawValidation(valid, hp.seed());
        }
        int trainCount = trainSet.count() - valid;
        if (csv && from == null && !spec.commandLine().getParseResult().hasMatchedOption("--batch") && hp.batch() > trainCount && trainCount > 0) {
            hp = hp.withBatch(trainCount);  // a file of fewer examples than the book's batch: each epoch one step of them all
        }
        Network initial = null;
        if (init != null) {
            for (String f : List.of("--hidden", "--activation", "--output")) {
                if (spec.commandLine().getParseResult().hasMatchedOption(f)) {
                    throw flag(f, "the layer sizes, activation and output come from --init's model");
                }
            }
            initial = csv ? kept.network() : PredictCommand.takingImages(kept.network(), init, err);
            if (initial.inputs() != trainSet.features() || initial.outputs() < trainSet.classCount()) {
                throw new UserError(init + " takes " + initial.inputs() + " inputs and has " + initial.outputs() + " classes, but "
                        + common.data + " has " + trainSet.features() + " features and " + trainSet.classCount() + " classes");
            }
        }
        Network.Input input = from != null ? from.network().input() : initial != null ? initial.input() : trainSet.input();
        if (input == Network.Input.FEATURES && trainSet instanceof Images) {
            throw new UserError("the run in " + dir + " was trained on a CSV file's examples; give --data that file");
        }
        trainSet = Datasets.as(input, trainSet, common.data);
        testSet = testSet == null ? null : Datasets.as(input, testSet, test);
        int[] sizes = from != null ? from.network().sizes() : initial != null ? initial.sizes() : training.sizes(trainSet);
        TrainingOptions.checkAgainst(trainSet, testSet, valid, hp.batch());
        // a CSV file's features (not pixels, which are scaled as the book's) are scaled by their ranges over the
        // training examples, and the model saved takes them unscaled
        FeatureScaling scaling = trainSet instanceof Features f ? FeatureScaling.of(f, trainCount) : null;
        if (scaling != null) {
            scaling.scale((Features) trainSet);
            if (testSet != null) {
                scaling.scale((Features) testSet);
            }
            initial = initial == null ? null : scaling.unfolded(initial);
        }
        if (from == null) {
            Csv.Header header = csv ? Csv.header(common.data, label) : null;
            String byPlace = csv ? Datasets.classByPlace(common.data, header, trainSet) : null;  // names the column, which the next does not
            for (String note : new String[] {csv ? Datasets.ids(common.data, header) : null, byPlace,
                    byPlace == null ? Datasets.manyClasses(trainSet, common.data) : null,
                    Datasets.emptyClasses(trainSet, common.data),
                    Datasets.unlikeValidation(trainSet, valid, csv),
                    csv ? Datasets.fewSteps(trainCount, hp) : null}) {
                if (note != null) {
                    err.println(note);
                }
            }
        }
        if (from != null && (sizes[0] != trainSet.features() || sizes[sizes.length - 1] < trainSet.classCount()
                || from.examples() != trainSet.count())) {
            throw new UserError("the run in " + dir + " was trained on " + from.examples() + " examples of " + sizes[0] + " inputs and "
                    + sizes[sizes.length - 1] + " classes, but " + common.data + " has " + trainSet.count() + " of "
                    + trainSet.features() + " and " + trainSet.classCount());
        }
        if (from != null && !from.trainedOn(trainSet)) {
            throw new UserError("the run in " + dir + " was trained on other examples than " + common.data + " holds (as many, with other "
                    + (csv ? "values" : "pixels") + " or labels); give --data the " + (csv ? "file" : "directory") + " it trained on");
        }
        // refuses a matrix larger than one can be before any device is opened; requireMemory estimates the bytes with
        // the rows of an evaluation on the device that opens
        Trainer.footprint(sizes, trainSet.count(), trainSet.input(), valid, hp.batch(), testSet == null ? 0 : testSet.count(),
                Math.min(Trainer.EVAL_CHUNK, trainSet.count()), hp.optimization());
        boolean made;
        if (from == null && out == null) {
            dir = freshRunDirectory(dir);
            made = true;
        } else {
            made = makeRunDirectory(dir, from == null ? "; choose another --out" : "");
        }
        Run run = new Run(hp, trainSet, testSet, sizes, valid, dir, from, initial, scaling);
        try (RunLock lock = RunLock.take(dir)) {
            return trainFallingBack(run);
        } catch (Exception | Error e) {
            if (made) {
                removeIfEmpty(dir);  // a run that failed before it wrote anything (a device refused) leaves no directory
            }
            throw e;
        }
    }

    /**
     * The command that continues the run in {@code dir} as this one ran: with this run's --data and --test where given
     * (a resume refuses other data), and its --device where one was named (another device gives other bits).
     */
    private String resumeCommand(Path dir) {
        picocli.CommandLine.ParseResult given = spec.commandLine().getParseResult();
        StringBuilder c = new StringBuilder("mlp4j train --resume ").append(UserError.shellWord(dir.toString()));
        if (given.hasMatchedOption("--data")) {
            c.append(" --data ").append(UserError.shellWord(common.data.toString()));
        }
        if (test != null) {
            c.append(" --test ").append(UserError.shellWord(test.toString()));
        }
        if (given.hasMatchedOption("--device") && !device.device.equals("auto")) {
            c.append(" --device ").append(device.device);
        }
        return c.toString();
    }

    /**
     * Trains on --device; one without the memory for the run leaves it to the cpu, unless --strict. The signals are
     * taken before a device opens: an OpenCL compiler built on LLVM (PoCL) installs handlers of its own over a SIGHUP
     * ignored under nohup, which ours, taken after them, would then stop the run on.
     */
    private int trainFallingBack(Run run) throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        try (StopSignals signals = new StopSignals(() -> err.println("\nstopping at the next tenth of the epoch to save the run, or while"
                + " it sets up, before it trains (press Ctrl-C again to quit at once, without saving)"))) {
            try {
                return train(run, device.device, signals);
            } catch (DeviceMemoryException e) {
                if (device.strict) {
                    throw new UserError(e.getMessage());
                }
                err.println("warning: " + e.getMessage() + "; falling back to the cpu backend");
                return train(run, "cpu", signals);
            }
        }
    }

    /**
     * Makes the run's directory before it trains, so that a path that cannot hold it costs no epochs; {@code hint}
     * ends the error.
     *
     * @return whether it was not there before
     */
    private static boolean makeRunDirectory(Path dir, String hint) {
        String why;
        try {
            boolean made = !Files.isDirectory(dir);
            Files.createDirectories(dir);
            if (Files.isWritable(dir)) {
                return made;
            }
            why = dir + ": Permission denied";
        } catch (IOException e) {
            why = UserError.why(e);
        }
        throw new UserError("the run's directory cannot be written (" + why + ")" + hint);
    }

    /**
     * A new directory for a run without --out: {@code first} (runs/ and the time it started), or {@code first-2},
     * {@code first-3}, ... where runs that started in the same second (a sweep started at once) took those.
     */
    static Path freshRunDirectory(Path first) {
        try {
            Files.createDirectories(first.toAbsolutePath().getParent());
            for (int n = 1; ; n++) {
                try {
                    return Files.createDirectory(n == 1 ? first : first.resolveSibling(first.getFileName() + "-" + n));
                } catch (FileAlreadyExistsException taken) {
                    // by another run of the same second: the next name
                }
            }
        } catch (IOException e) {
            throw new UserError("the run's directory cannot be written (" + UserError.why(e) + "); choose another --out");
        }
    }

    private static void removeIfEmpty(Path dir) {
        try {
            Files.delete(dir);
        } catch (IOException notEmptyOrGone) {
            // it holds what the run wrote, or something of the user's
        }
    }

    /**
     * What a training run works from; testSet null where there is none (a CSV --data without --test); scaling null where
     * the examples are not scaled so (pixels).
     */
    private record Run(Hyperparameters hp, Dataset trainSet, Dataset testSet, int[] sizes, int valid, Path dir,
                       Trainer.Checkpoint from, Network initial, FeatureScaling scaling) {
        String network() {
            return Network.name(sizes);
        }
    }

    private int train(Run run, String deviceName, StopSignals signals) throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Hyperparameters hp = run.hp();
        try (Backend backend = device.open(deviceName, err)) {
            Trainer.requireMemory(backend, run.sizes(), run.trainSet(), run.valid(), hp.batch(), run.testSet() == null ? 0 : run.testSet().count(),
                    hp.optimization());
            o.printf("device: %s%n", backend.description());
            o.printf("network %s, %d training and %d validation examples, %s, batch %d, eta %s, l2 %s, seed %d%n",
                    run.network(), run.trainSet().count() - run.valid(), run.valid(), epochs(hp.epochs()),
                    hp.batch(), hp.eta(), hp.l2(), hp.seed());
            if (run.scaling() != null) {
                o.printf("features scaled into [-1, 1] by their ranges over the training examples; %s takes them unscaled%n", ModelFile.NAME);
            }
            Network shape = run.from() != null ? run.from().network() : run.initial();
            Activation act = shape != null ? shape.activation() : training.activation();
            Output out = shape != null ? shape.output() : training.output();
            Hyperparameters.Optimization opt = hp.optimization();
            if (act != Activation.SIGMOID || out != Output.SIGMOID || hp.meanGradient() || hp.patience() > 0 || opt.general()) {
                // the initialization only where the run draws its weights (not resumed, not from a model)
                o.printf("%s hidden units%s, %s output, %s, gradient %s over the batch, %s rate%s%n", act.id(),
                        shape == null ? " (weights: " + Network.initialization(act) + ")" : "", out.id(), switch (opt.optimizer()) {
                            case SGD -> "sgd";
                            case MOMENTUM, NESTEROV -> opt.optimizer().id() + " " + opt.momentum();
                            case ADAM -> "adam (" + opt.beta1() + ", " + opt.beta2() + ")";
                        }, hp.meanGradient() ? "averaged" : "summed", opt.schedule().id(),
                        hp.patience() > 0 ? ", early stopping after " + hp.patience() + " epochs without a better validation accuracy" : "");
            }
            if (run.from() != null) {
                o.printf("resuming %s at epoch %d%s%n", run.dir(), run.from().epoch(),
                        run.from().step() > 0 ? ", step " + run.from().step() : "");
                String change = run.from().scheduleChange(hp.epochs());
                if (change != null) {
                    o.println(change);
                }
            }
            if (run.initial() != null) {
                o.printf("starting from the parameters of %s%n", init);
            }
            o.flush();
            EpochPrinter printer = new EpochPrinter(o, run.from() != null ? run.from().history() : List.of(), hp.epochs(),
                    run.dir(), checkpointEvery, signals, Stall.of(run.trainSet(), run.trainSet().count() - run.valid(), hp),
                    Trainer.evaluationShare(run.sizes(), run.trainSet().count(), run.valid(), hp.batch()));
            printer.verbose = verbose;
            printer.classes = run.trainSet().classes();
            printer.label = label;
            printer.scaling = run.scaling();
            Trainer trainer = new Trainer(backend, hp, DeviceChoices.ofUser());
            Trainer.Fit fit;
            try {
                if (printer.showsProgress()) {
                    printer.progress.settingUp();
                }
                fit = run.from() != null ? trainer.resume(run.from(), run.trainSet(), printer)
                        : run.initial() != null ? trainer.fit(run.initial(), run.trainSet(), run.valid(), printer)
                        : trainer.fit(run.sizes(), training.activation(), training.output(), run.trainSet(), run.valid(), printer);
            } finally {
                printer.progress.clear();
            }
            Trainer.Checkpoint last = fit.last();
            if (fit.stoppedEarly()) {
                o.printf("early stop after epoch %d: no better validation accuracy for %s; keeping epoch %d's model%n",
                        last.history().size(), epochs(last.history().size() - last.best().epoch()), last.best().epoch());
            }
            if (fit.stopped()) {
                if (run.from() == null && last.history().isEmpty() && last.step() == 0) {
                    err.println("stopped by " + signals.name() + " before training began; nothing was written");
                    return signals.exitCode();
                }
                printer.save(last);
                err.printf("stopped by %s at epoch %d, step %d: wrote %s, %s and %s into %s; continue with: %s%n",
                        signals.name(), last.epoch(), last.step(), ModelFile.NAME, HISTORY, CHECKPOINT, run.dir(), resumeCommand(run.dir()));
                return signals.exitCode();
            }
            Dataset testSet = run.testSet();
            int[] predicted = testSet == null ? null : Trainer.predict(backend, fit.network(), testSet);
            int correct = 0;
            for (int i = 0; predicted != null && i < predicted.length; i++) {
                correct += predicted[i] == testSet.label(i) ? 1 : 0;
            }
            double accuracy = testSet == null ? Double.NaN : (double) correct / testSet.count();
            printer.save(last);
            try {
                Charts.learningCurves(fit.history(), accuracy, run.dir().resolve("learning-curves.png"));
                if (testSet instanceof Images images && images.height() > 1) {
                    Charts.misclassified(images, predicted, run.dir().resolve("misclassified.png"));
                }
            } catch (RuntimeException | java.awt.AWTError | LinkageError | InternalError | OutOfMemoryError e) {
                err.println("warning: plots not written: " + Charts.whyNotWritten(e));
            }
            o.printf("wrote %s%n", run.dir().resolve(ModelFile.NAME));
            if (testSet != null) {
                o.printf(Locale.ROOT, "test accuracy: %.2f%%%n", 100 * accuracy);
            }
        }
        return 0;
    }

    /** Why {@code dir}, which holds no checkpoint, has no run to continue, and what to do instead. */
    private static String noCheckpoint(Path dir) {
        if (!Files.isDirectory(dir)) {
            return dir + (Files.exists(dir) ? " is not a directory" : ": no such directory");
        }
        Path model = dir.resolve(ModelFile.NAME);
        if (Files.isRegularFile(model)) {
            return dir + " holds a model but no " + CHECKPOINT + " to continue; start a run from the model's parameters with --init " + UserError.shellWord(model.toString());
        }
        if (!Files.exists(dir.resolve(RunLock.NAME)) && !Files.exists(dir.resolve(HISTORY))) {
            return dir + " holds no run to continue (no " + CHECKPOINT + ")";
        }
        // a run writes its checkpoint every --checkpoint-every epochs, at its end and when stopped, so only a run killed
        // before its first leaves none
        return dir + " holds no " + CHECKPOINT + ": the run there ended before it wrote one (every --checkpoint-every epochs, at its end"
                + " and when stopped by Ctrl-C, SIGTERM or SIGHUP); train it again with --out " + UserError.shellWord(dir.toString());
    }

    /**
     * history.csv's text, each epoch's line formatted once, as it comes: formatting every epoch again each epoch made a
     * run of many short epochs (a small table's) slower with each.
     */
    static final class HistoryCsv {
        private final StringBuilder text = new StringBuilder("epoch,cost,train_acc,valid_acc,seconds\n");
        private int lines;

        /** Writes {@code history}, which goes on from the epochs written before, into {@code file}, atomically. */
        void write(List<EpochResult> history, Path file) {
            for (; lines < history.size(); lines++) {
                EpochResult r = history.get(lines);
                text.append(String.format(Locale.ROOT, "%d,%.4f,%.6f,%.6f,%.4f%n", r.epoch(), r.cost(), r.trainAccuracy(), r.validAccuracy(),
                        r.seconds()));
            }
            byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
            AtomicFiles.write(file, os -> os.write(bytes));
        }
    }

    /**
     * The training accuracy of always answering the most common class of a run's training examples, and the note a run
     * that does no better for {@link #EPOCHS} epochs in a row, or at its last epoch, gets: with the book's summed
     * gradient, what --eta amounts to on the averaged gradient other tools take.
     */
    private record Stall(double share, String note) {
        /**
         * Epochs in a row no better than the most common class that make a run stalled. A small table's run at a rate
         * that suits it often answers the most common class for its first epochs, or goes back to it once or twice, before
         * it learns; one that does so five epochs in a row is seldom about to.
         */
        static final int EPOCHS = 5;

        /** For the first {@code count} examples of {@code data}, trained with {@code hp}. */
        static Stall of(Dataset data, int count, Hyperparameters hp) {
            int[] n = new int[data.classCount()];
            int most = 0;
            for (int i = 0; i < count; i++) {
                most = Math.max(most, ++n[data.label(i)]);
            }
            double share = (double) most / count;
            String note = String.format(Locale.ROOT, "note: no better than always answering the most common class (%.2f%%)", 100 * share);
            if (!hp.meanGradient()) {
                java.math.BigDecimal eta = new java.math.BigDecimal(Float.toString(hp.eta()));
                note += "; summed over the batch, as the book's gradient is, --eta " + eta.stripTrailingZeros().toPlainString() + " at batch "
                        + hp.batch() + " is a rate of " + eta.multiply(java.math.BigDecimal.valueOf(hp.batch())).stripTrailingZeros().toPlainString()
                        + " on the averaged gradient of other tools (--gradient mean)";
            }
            return new Stall(share, note);
        }
    }

    /**
     * One line per epoch, history.csv after each, the checkpoint every N epochs, and on a terminal the
     * progress line; stops when a signal came.
     */
    static final class EpochPrinter implements TrainingListener {
        private final PrintWriter out;
        private final int epochs;
        private final Path dir;
        private final int checkpointEvery;
        private final StopSignals signals;
        private final List<EpochResult> history;
        private final boolean terminal = Terminal.attached();
        /** The names of the classes, which the model it saves keeps; none where they are indices. */
        List<String> classes = List.of();
        /** The CSV file's class column as --label gave it, which the model it saves keeps; null where not given. */
        String label;
        /** The scaling of the features the run trains on, which the model it saves takes unscaled; null for none. */
        FeatureScaling scaling;
        final ProgressLine progress;
        boolean verbose;
        private final Stall stall;
        private boolean stallSaid;
        /** Epochs in a row, to the last, no better than always answering the most common class. */
        private int stuck;
        private final HistoryCsv historyCsv = new HistoryCsv();

        /** {@code evaluation}: the share of an epoch its evaluation takes, as the progress line reckons it. */
        EpochPrinter(PrintWriter out, List<EpochResult> before, int epochs, Path dir, int checkpointEvery,
                     StopSignals signals, Stall stall, double evaluation) {
            this.out = out;
            this.history = new java.util.ArrayList<>(before);
            this.epochs = epochs;
            this.dir = dir;
            this.checkpointEvery = checkpointEvery;
            this.signals = signals;
            this.stall = stall;
            // on standard output, which the epoch lines go to: on another stream (./mlp4j passes standard error through a
            // filter) its last redraw could reach the terminal after the epoch's line, in the middle of it
            this.progress = new ProgressLine(out, before.size() + 1, epochs, evaluation, new Terminal());
        }

        @Override
        public boolean showsProgress() {
            return terminal;
        }

        @Override
        public void note(String line) {
            if (verbose) {
                progress.clear();
                out.println(line);
                out.flush();
            }
        }

        @Override
        public void warning(String line) {
            progress.clear();
            out.println("warning: " + line);
            out.flush();
        }

        @Override
        public boolean stopRequested() {
            return signals.received();
        }

        @Override
        public void settingUp(String what) {
            if (terminal) {
                progress.settingUp(what);
            }
        }

        @Override
        public void steps(int epoch, int done, int total) {
            if (terminal) {
                progress.show(epoch, done, total);
            }
        }

        /**
         * The run's files, each atomically: the history, the model (with early stopping the best epoch's so far; taking
         * features unscaled where the run trains on them, {@link #scaling}), then the checkpoint that a resume reads (of
         * the network that trains, on the scaled features, as the run goes on).
         */
        void save(Trainer.Checkpoint c) {
            historyCsv.write(c.history(), dir.resolve(HISTORY));
            Network model = c.best() != null ? c.best().network() : c.network();
            ModelFile.save(scaling == null ? model : scaling.folded(model), classes, label, dir.resolve(ModelFile.NAME));
            CheckpointFile.save(c, dir.resolve(CHECKPOINT));
        }

        @Override
        public void epoch(EpochResult r, Supplier<Trainer.Checkpoint> checkpoint) {
            progress.clear();
            String width = "%" + Integer.toString(epochs).length() + "d";
            // without validation examples (--valid 0) the validation accuracy is NaN: a dash, not "NaN%"
            String valid = Double.isNaN(r.validAccuracy()) ? "      -" : String.format(Locale.ROOT, "%6.2f%%", 100 * r.validAccuracy());
            out.printf(Locale.ROOT, "epoch " + width + "/%d | cost %10.2f | train %6.2f%% | valid %s | %.3f s%n",
                    r.epoch(), epochs, r.cost(), 100 * r.trainAccuracy(), valid, r.seconds());
            stuck = r.trainAccuracy() <= stall.share() ? stuck + 1 : 0;
            if (!stallSaid && stuck > 0 && (stuck >= Stall.EPOCHS || r.epoch() == epochs)) {  // once a run: no better than a constant
                stallSaid = true;
                out.println(stall.note());
            }
            out.flush();
            history.add(r);
            if (CheckpointFile.due(r.epoch(), checkpointEvery, epochs)) {
                save(checkpoint.get());
            } else {
                historyCsv.write(history, dir.resolve(HISTORY));
            }
        }
    }

    /** "1 epoch", "2 epochs", ... */
    private static String epochs(int n) {
        return n + (n == 1 ? " epoch" : " epochs");
    }

    static UserError flag(String flag, String problem) {
        return new UserError(flag + ": " + problem);
    }
}
