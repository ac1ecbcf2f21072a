package org.mlp4j.cli;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mlp4j.util.UserError;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.BackendUnavailableException;
import org.mlp4j.backend.Backends;
import org.mlp4j.backend.DeviceMemoryException;
import org.mlp4j.data.Images;
import org.mlp4j.model.EpochResult;
import org.mlp4j.model.Hyperparameters;
import org.mlp4j.model.Trainer;
import org.mlp4j.model.TrainingListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What a timing command of {@code bench} answers, and the protocol of those commands. Each runs in a process of its
 * own (a JVM per backend, or a reference script) kept for all the shapes it times ({@link TimingProcess}). Once it has
 * loaded what it needs it prints {@code {"ready": true}}; then it reads one request a line on stdin,
 * {@code {"hidden": "512,512", "batch": 250}}, and answers each with one line on stdout,
 * {@code {"seconds_per_epoch": .., "first_epoch": .., "detail": "..", "cost": .., "train_accuracy": ..}} (the last epoch's
 * cost and training accuracy, null where the command does not say), or {@code {"error": ".."}} where that shape gives
 * no timing. It exits when stdin ends.
 */
record Timing(double secondsPerEpoch, double firstEpoch, String detail, Double cost, Double trainAccuracy) {
    /** The examples a timed run holds out for validation, as the book's does: the others are its training set. */
    static final int VALID = 5000;

    /** The field names as the reference scripts write them. */
    static final Gson JSON = new GsonBuilder().setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
            .serializeNulls().serializeSpecialFloatingPointValues().create();

    /** The line a timing command prints. */
    String toJson() {
        return JSON.toJson(this);
    }

    /** A request: the shape to time. */
    record Request(String hidden, int batch) {
    }

    /** Whether {@code line} is a command's ready line. */
    static boolean ready(String line) {
        try {
            JsonElement e = JsonParser.parseString(line);
            return e.isJsonObject() && e.getAsJsonObject().has("ready");
        } catch (JsonParseException e) {
            return false;
        }
    }

    /**
     * Reads a timing command's answer.
     *
     * @throws IllegalArgumentException with the reason when it is no timing
     */
    static Timing parse(String line) {
        try {
            JsonElement e = JsonParser.parseString(line);
            if (e.isJsonObject() && e.getAsJsonObject().has("error")) {
                throw new IllegalArgumentException(e.getAsJsonObject().get("error").getAsString());
            }
            Timing t = JSON.fromJson(e, Timing.class);
            if (t == null || !(t.secondsPerEpoch() > 0)) {
                throw new IllegalArgumentException("no seconds_per_epoch in its answer");
            }
            return new Timing(t.secondsPerEpoch(), t.firstEpoch(), t.detail() == null ? "" : t.detail(), t.cost(), t.trainAccuracy());
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalArgumentException("its answer is not a timing (" + e.getMessage() + ")", e);
        }
    }

    /** The median: robust to the odd slow epoch a shared machine gives. */
    static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /**
     * {@code bench}'s timing command for one backend, in a JVM of its own: it loads MNIST once and times each requested
     * shape on a backend opened for it, as a run of {@code train} would.
     */
    @Command(name = "bench-backend", hidden = true, description = "Internal: time one backend for bench, a shape a line of stdin.")
    static final class OneBackend implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        CommonOptions common;
        @Mixin
        DeviceOptions device;

        @Option(names = "--epochs", defaultValue = "3")
        int epochs;

        @Override
        public Integer call() throws Exception {
            Images train = Datasets.mnist(common, false, spec.commandLine().getErr());
            PrintWriter out = spec.commandLine().getOut();
            out.println("{\"ready\": true}");
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                String answer;
                try {
                    answer = time(train, JSON.fromJson(line, Request.class)).toJson();
                } catch (UserError | IllegalArgumentException | BackendUnavailableException | DeviceMemoryException | OutOfMemoryError e) {
                    // this shape gives no timing, and leaves nothing behind that would change the next one's; any other
                    // failure ends the JVM with its reason, and bench starts another for the next shape
                    answer = JSON.toJson(Map.of("error", e instanceof OutOfMemoryError oom ? Main.outOfMemoryLine(oom, new String[] {"bench"})
                            .replaceFirst("^mlp4j: ", "") : e.getMessage()));
                }
                out.println(answer);
                out.flush();
            }
            return 0;
        }

        private Timing time(Images train, Request shape) throws BackendUnavailableException {
            List<Integer> hidden = new ArrayList<>();
            for (String h : shape.hidden().split(",")) {
                hidden.add(Integer.parseInt(h.trim()));
            }
            Hyperparameters book = Hyperparameters.book();
            Hyperparameters hp = new Hyperparameters(epochs, shape.batch(), book.eta(), book.l2(), book.seed());
            int[] sizes = TrainingOptions.sizes(train, hidden);
            try (Backend backend = Backends.open(device.device, device.threads, true, s -> { })) {
                // a way of the steps left out as computing wrongly on this device is told in the row's detail
                List<String> warnings = new ArrayList<>();
                Trainer.Fit fit = new Trainer(backend, hp).fit(sizes, train, VALID, new TrainingListener() {
                    @Override
                    public void warning(String line) {
                        warnings.add(line);
                    }
                });
                List<EpochResult> h = fit.history();
                double first = h.get(0).seconds();
                double rest = h.size() > 1 ? median(h.subList(1, h.size()).stream().mapToDouble(EpochResult::seconds).toArray()) : first;
                // what the timings at session start chose (whole steps or layer by layer, folds), as train --verbose says
                StringBuilder detail = new StringBuilder(backend.description());
                fit.last().choices().forEach(c -> detail.append("; ").append(c));
                // (a choice that disagreed is among the choices already)
                warnings.stream().filter(w -> fit.last().choices().stream().map(Object::toString).noneMatch(w::equals))
                        .forEach(w -> detail.append("; warning: ").append(w));
                EpochResult last = h.get(h.size() - 1);
                return new Timing(rest, first, detail.toString(), last.cost(), last.trainAccuracy());
            }
        }
    }
}
