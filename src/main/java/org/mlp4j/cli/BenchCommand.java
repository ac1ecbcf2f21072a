package org.mlp4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mlp4j.AtomicFiles;
import org.mlp4j.UserError;
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
 * End-to-end seconds per epoch (550 SGD steps of 100 + the per-epoch evaluation, the book's network),
 * for each backend side by side in one run, next to the book's NumPy code and PyTorch when present.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Seconds per epoch of the book's network on each backend, side by side, with the NumPy (and PyTorch) references.")
final class BenchCommand implements Callable<Integer> {
    /** The fields of a timing command's JSON line ({@link #measure}). */
    private static final Pattern SECONDS = Pattern.compile("\"seconds_per_epoch\"\\s*:\\s*([0-9.eE+-]+)");
    private static final Pattern FIRST_EPOCH = Pattern.compile("\"first_epoch\"\\s*:\\s*([0-9.eE+-]+)");
    private static final Pattern DETAIL = Pattern.compile("\"detail\"\\s*:\\s*\"([^\"]*)\"");

    /** How long one timing command may run before it is stopped and its row skipped. */
    private static final int CHILD_LIMIT_MINUTES = 60;

    @Spec
    CommandSpec spec;
    @Mixin
    CommonOptions common;

    @Option(names = "--device", paramLabel = "LIST", split = ",", defaultValue = "cpu,cuda,opencl",
            description = "backends to time (default: ${DEFAULT-VALUE}; unusable ones are listed with the reason)")
    List<String> devices;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "3", description = "epochs per backend (default: ${DEFAULT-VALUE}); the first is reported apart as warm-up, the rest by their median")
    int epochs;

    @Option(names = "--opencl-device", paramLabel = "N", defaultValue = "-1", description = "which OpenCL device")
    int openclDevice;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "threads of the cpu backend (default: one per processor)")
    int threads;

    @Option(names = "--references", paramLabel = "DIR", defaultValue = "bench/reference",
            description = "directory of the NumPy and PyTorch reference scripts (default: ${DEFAULT-VALUE})")
    Path references;

    @Option(names = "--no-references", description = "skip the NumPy and PyTorch references")
    boolean noReferences;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the table as JSON")
    Path json;

    record Row(String name, String detail, double secondsPerEpoch, double firstEpoch, String note) {
    }

    @Override
    public Integer call() {
        if (epochs < 1) {
            throw new UserError("--epochs: must be at least 1, got " + epochs);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Datasets.load(common, false, err); // fetch and check the data once, before any child starts
        List<Row> rows = new ArrayList<>();
        for (String d : devices) {
            // each backend in a JVM of its own, as JMH forks: no JIT profile or driver state carries over
            List<String> cmd = new ArrayList<>(javaCommand());
            cmd.addAll(List.of(Main.class.getName(), "bench-backend", "--device", d.trim(), "--epochs", Integer.toString(epochs),
                    "--data", common.data.toString(), "--opencl-device", Integer.toString(openclDevice),
                    "--threads", Integer.toString(threads)));
            if (common.noVerify) {
                cmd.add("--no-verify");
            }
            err.println("bench: " + d.trim() + ", " + epochs + " epochs");
            rows.add(measure(d.trim(), cmd));
        }
        if (!noReferences) {
            rows.add(reference("numpy (book, float64)", "numpy_mlp.py"));
            rows.add(reference("pytorch eager", "torch_mlp.py", "--mode", "eager"));
            rows.add(reference("pytorch cuda graph", "torch_mlp.py", "--mode", "graph"));
        }
        double numpy = rows.stream().filter(r -> r.name().startsWith("numpy")).mapToDouble(Row::secondsPerEpoch).findFirst().orElse(Double.NaN);
        out.printf(Locale.ROOT, "%-24s %14s %14s %12s  %s%n", "backend", "s/epoch", "first epoch", "x numpy", "details");
        for (Row r : rows) {
            out.printf(Locale.ROOT, "%-24s %14s %14s %12s  %s%n", r.name(), fmt(r.secondsPerEpoch()), fmt(r.firstEpoch()),
                    Double.isNaN(numpy) || Double.isNaN(r.secondsPerEpoch()) ? "-" : String.format(Locale.ROOT, "%.3f", r.secondsPerEpoch() / numpy),
                    r.note().isEmpty() ? r.detail() : r.note());
        }
        out.println("s/epoch: median of epochs 2.." + epochs + " (epoch 1 is warm-up); an epoch is 550 steps of 100 plus the evaluation pass");
        if (json != null) {
            AtomicFiles.write(json, os -> os.write(json(rows, numpy).getBytes(StandardCharsets.UTF_8)));
        }
        return 0;
    }

    /** The median: robust to the odd slow epoch a shared machine gives. */
    static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String fmt(double s) {
        return Double.isNaN(s) ? "-" : String.format(Locale.ROOT, "%.4f", s);
    }

    /** This JVM's java binary, its options (--add-modules, -D...) and class path, to start a child like it. */
    static List<String> javaCommand() {
        String binary = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(binary));
        cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
        return cmd;
    }

    private Row reference(String name, String script, String... extra) {
        Path file = references.resolve(script);
        if (!Files.isRegularFile(file)) {
            return new Row(name, "", Double.NaN, Double.NaN, "skipped: " + file + " not found");
        }
        List<String> cmd = new ArrayList<>(List.of("python3", file.toString(), "--data", common.data.toString(), "--epochs", Integer.toString(epochs)));
        cmd.addAll(List.of(extra));
        return measure(name, cmd);
    }

    /**
     * Runs one timing command, which prints {@code {"seconds_per_epoch": .., "first_epoch": .., "detail": ".."}}
     * on stdout, or fails with its reason as the last line on stderr.
     */
    private static Row measure(String name, List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).start();
            java.util.concurrent.CompletableFuture<String> errText = text(p.getErrorStream());
            java.util.concurrent.CompletableFuture<String> outText = text(p.getInputStream());
            if (!p.waitFor(CHILD_LIMIT_MINUTES, TimeUnit.MINUTES)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return new Row(name, "", Double.NaN, Double.NaN, "skipped: did not finish within " + CHILD_LIMIT_MINUTES + " minutes");
            }
            if (p.exitValue() != 0) {
                List<String> lines = errText.join().lines().filter(l -> !l.startsWith("WARNING: Using incubator")).toList();
                return new Row(name, "", Double.NaN, Double.NaN, "skipped: " + (lines.isEmpty() ? "exit " + p.exitValue()
                        : lines.get(lines.size() - 1).replaceFirst("^mlp4j: ", "")));
            }
            String stdout = outText.join();
            Matcher m = SECONDS.matcher(stdout);
            if (!m.find()) {
                return new Row(name, "", Double.NaN, Double.NaN, "skipped: no seconds_per_epoch in its output");
            }
            Matcher first = FIRST_EPOCH.matcher(stdout);
            Matcher detail = DETAIL.matcher(stdout);
            return new Row(name, detail.find() ? detail.group(1) : "", Double.parseDouble(m.group(1)),
                    first.find() ? Double.parseDouble(first.group(1)) : Double.NaN, "");
        } catch (IOException e) {
            return new Row(name, "", Double.NaN, Double.NaN, "skipped: cannot run " + cmd.get(0) + " (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted");
        }
    }

    /** A stream's text, read to its end on a thread of its own, so waiting for the process can have a limit. */
    private static java.util.concurrent.CompletableFuture<String> text(java.io.InputStream in) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                return e.getMessage();
            }
        }, r -> {
            Thread t = new Thread(r, "mlp4j-bench-reader");
            t.setDaemon(true);
            t.start();
        });
    }

    /** {@code bench}'s child: times one backend and prints the JSON line {@link #measure} reads. */
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

        @Override
        public Integer call() throws Exception {
            Images train = Datasets.load(common, false, spec.commandLine().getErr());
            Hyperparameters hp = Hyperparameters.book().withEpochs(epochs);
            try (Backend backend = Backends.open(device.device, device.openclDevice, device.threads, true, s -> { })) {
                List<EpochResult> h = new Trainer(backend, hp).fit(new int[] {train.features(), 100, train.classCount()},
                        train, 5000, TrainingListener.NONE).history();
                double first = h.get(0).seconds();
                double rest = h.size() > 1 ? median(h.subList(1, h.size()).stream().mapToDouble(EpochResult::seconds).toArray()) : first;
                spec.commandLine().getOut().printf(Locale.ROOT, "{\"seconds_per_epoch\": %.6f, \"first_epoch\": %.6f, \"detail\": \"%s\"}%n",
                        rest, first, esc(backend.description()));
            }
            return 0;
        }
    }

    private static String json(List<Row> rows, double numpy) {
        StringBuilder s = new StringBuilder("{\n  \"unit\": \"seconds per epoch\",\n  \"rows\": [\n");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            s.append(String.format(Locale.ROOT, "    {\"name\": \"%s\", \"seconds_per_epoch\": %s, \"first_epoch\": %s, \"ratio_to_numpy\": %s, \"detail\": \"%s\"}%s%n",
                    esc(r.name()), num(r.secondsPerEpoch()), num(r.firstEpoch()), num(r.secondsPerEpoch() / numpy),
                    esc(r.note().isEmpty() ? r.detail() : r.note()), i + 1 < rows.size() ? "," : ""));
        }
        return s.append("  ]\n}\n").toString();
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6f", v) : "null";
    }

    private static String esc(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
