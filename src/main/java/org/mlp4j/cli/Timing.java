package org.mlp4j.cli;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.mlp4j.util.UserError;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.Backends;
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
 * What one timing command of {@code bench} reports, and the protocol of those commands: each runs in a
 * process of its own (a JVM per backend, or a reference script) and prints one JSON object,
 * {@code {"seconds_per_epoch": .., "first_epoch": .., "detail": ".."}}, as its last line on stdout, or
 * fails with its reason as the last line on stderr.
 */
record Timing(double secondsPerEpoch, double firstEpoch, String detail) {
    /** The examples a timed run holds out for validation, as the book's does: the others are its training set. */
    static final int VALID = 5000;

    /** The field names as the reference scripts write them. */
    static final Gson JSON = new GsonBuilder().setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
            .serializeNulls().serializeSpecialFloatingPointValues().create();

    /** The line a timing command prints. */
    String toJson() {
        return JSON.toJson(this);
    }

    /**
     * Reads the last line of a timing command's stdout.
     *
     * @throws IllegalArgumentException with the reason when it is no timing
     */
    static Timing parse(String stdout) {
        List<String> lines = stdout.strip().lines().toList();
        try {
            Timing t = lines.isEmpty() ? null : JSON.fromJson(lines.get(lines.size() - 1), Timing.class);
            if (t == null || !(t.secondsPerEpoch() > 0)) {
                throw new IllegalArgumentException("no seconds_per_epoch in its output");
            }
            return new Timing(t.secondsPerEpoch(), t.firstEpoch(), t.detail() == null ? "" : t.detail());
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("its output is not a timing (" + e.getMessage() + ")", e);
        }
    }

    /** How long one timing command may run before it is stopped. */
    static final int LIMIT_MINUTES = 60;

    /**
     * Runs one timing command.
     *
     * @throws IllegalArgumentException with the reason (its last line on stderr, a time-out, a missing program) when it gives no timing
     */
    static Timing run(List<String> cmd, Map<String, String> env) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().putAll(env);
            Process p = pb.start();
            CompletableFuture<String> err = text(p.getErrorStream());
            CompletableFuture<String> out = text(p.getInputStream());
            if (!p.waitFor(LIMIT_MINUTES, TimeUnit.MINUTES)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IllegalArgumentException("did not finish within " + LIMIT_MINUTES + " minutes");
            }
            if (p.exitValue() != 0) {
                List<String> lines = err.join().lines().filter(l -> !l.startsWith("WARNING: Using incubator")).toList();
                throw new IllegalArgumentException(lines.isEmpty() ? "exit " + p.exitValue() : lines.get(lines.size() - 1).replaceFirst("^mlp4j: ", ""));
            }
            return parse(out.join());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot run " + cmd.get(0) + " (" + e.getMessage() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted");
        }
    }

    /** A stream's text, read to its end on a thread of its own, so waiting for the process can have a limit. */
    private static CompletableFuture<String> text(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.getMessage();
            }
        }, r -> {
            Thread t = new Thread(r, "mlp4j-bench-reader");
            t.setDaemon(true);
            t.start();
        });
    }

    /** The median: robust to the odd slow epoch a shared machine gives. */
    static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** {@code bench}'s timing command for one backend, in a JVM of its own. */
    @Command(name = "bench-backend", hidden = true, description = "Internal: time one backend for bench.")
    static final class OneBackend implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        CommonOptions common;
        @Mixin
        DeviceOptions device;

        @Option(names = "--epochs", defaultValue = "3")
        int epochs;

        @Option(names = "--hidden", split = ",", defaultValue = "100")
        List<Integer> hidden;

        @Option(names = "--batch", defaultValue = "100")
        int batch;

        @Override
        public Integer call() throws Exception {
            Images train = Datasets.mnist(common, false, spec.commandLine().getErr());
            Hyperparameters book = Hyperparameters.book();
            Hyperparameters hp = new Hyperparameters(epochs, batch, book.eta(), book.l2(), book.seed());
            int[] sizes = TrainingOptions.sizes(train, hidden);
            try (Backend backend = Backends.open(device.device, device.threads, true, s -> { })) {
                Trainer.Fit fit = new Trainer(backend, hp).fit(sizes, train, VALID, TrainingListener.NONE);
                List<EpochResult> h = fit.history();
                double first = h.get(0).seconds();
                double rest = h.size() > 1 ? median(h.subList(1, h.size()).stream().mapToDouble(EpochResult::seconds).toArray()) : first;
                // what the timings at session start chose (whole steps or layer by layer, folds), as train --verbose says
                StringBuilder detail = new StringBuilder(backend.description());
                fit.last().choices().forEach(c -> detail.append("; ").append(c));
                spec.commandLine().getOut().println(new Timing(rest, first, detail.toString()).toJson());
            }
            return 0;
        }
    }
}
