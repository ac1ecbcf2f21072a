package org.mlp4j.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mlp4j.util.AtomicFiles;
import org.mlp4j.util.UserError;
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
            description = "threads of the cpu backend, and of the NumPy and PyTorch references (default: one per processor)")
    int threads;

    @Option(names = "--references", paramLabel = "DIR", defaultValue = "bench/reference",
            description = "directory of the NumPy and PyTorch reference scripts (default: ${DEFAULT-VALUE})")
    Path references;

    @Option(names = "--no-references", description = "skip the NumPy and PyTorch references")
    boolean noReferences;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the table as JSON")
    Path json;

    @Option(names = "--grid", description = "time a grid of network shapes and batch sizes instead of the book's net, each beside "
            + "NumPy float32 and PyTorch (eager and CUDA graph) of the same shape")
    boolean grid;

    @Option(names = "--grid-hidden", paramLabel = "LIST", split = ";", defaultValue = "100;100,100;256,256;512;512,512;1024;1000,1000;2048,2048",
            description = "the grid's hidden layers, shapes separated by ';' (default: ${DEFAULT-VALUE})")
    List<String> gridHidden;

    @Option(names = "--grid-batch", paramLabel = "LIST", split = ",", defaultValue = "100,250,500",
            description = "the grid's batch sizes (default: ${DEFAULT-VALUE})")
    List<Integer> gridBatch;

    record Row(String name, String detail, double secondsPerEpoch, double firstEpoch, String note) {
    }

    @Override
    public Integer call() {
        if (epochs < 1) {
            throw new UserError("--epochs: must be at least 1, got " + epochs);
        }
        PrintWriter err = spec.commandLine().getErr();
        Datasets.load(common, false, err); // fetch and check the data once, before any child starts
        if (grid) {
            return Grid.run(this);
        }
        List<Row> rows = backends("100", 100);
        if (!noReferences) {
            rows.add(reference("numpy (book, float64)", "numpy_mlp.py"));
            rows.add(reference("numpy float32", "numpy_mlp.py", "--dtype", "float32"));
            rows.add(reference("pytorch eager", "torch_mlp.py", "--mode", "eager"));
            rows.add(reference("pytorch cuda graph", "torch_mlp.py", "--mode", "graph"));
        }
        PrintWriter out = spec.commandLine().getOut();
        double numpy = rows.stream().filter(r -> r.name().startsWith("numpy")).mapToDouble(Row::secondsPerEpoch).findFirst().orElse(Double.NaN);
        out.printf(Locale.ROOT, "%-24s %14s %14s %12s  %s%n", "backend", "s/epoch", "first epoch", "x numpy", "details");
        for (Row r : rows) {
            out.printf(Locale.ROOT, "%-24s %14s %14s %12s  %s%n", r.name(), fmt(r.secondsPerEpoch()), fmt(r.firstEpoch()),
                    Double.isNaN(numpy) || Double.isNaN(r.secondsPerEpoch()) ? "-" : String.format(Locale.ROOT, "%.3f", r.secondsPerEpoch() / numpy),
                    r.note().isEmpty() ? r.detail() : r.note());
        }
        out.println((epochs > 1 ? "s/epoch: median of epochs 2.." + epochs + " (epoch 1 is warm-up)" : "s/epoch: epoch 1, warm-up included")
                + "; an epoch is 550 steps of 100 plus the evaluation pass");
        if (json != null) {
            AtomicFiles.write(json, os -> os.write(json(rows, numpy).getBytes(StandardCharsets.UTF_8)));
        }
        return 0;
    }

    /** Each backend of --device timed on one shape, each in a JVM of its own (as JMH forks: no JIT profile or driver state carries over). */
    List<Row> backends(String hidden, int batch) {
        List<Row> rows = new ArrayList<>();
        for (String d : devices) {
            List<String> cmd = new ArrayList<>(javaCommand());
            cmd.addAll(List.of(Main.class.getName(), "bench-backend", "--device", d.trim(), "--epochs", Integer.toString(epochs),
                    "--data", common.data.toString(), "--opencl-device", Integer.toString(openclDevice),
                    "--threads", Integer.toString(threads), "--hidden", hidden, "--batch", Integer.toString(batch)));
            if (common.noVerify) {
                cmd.add("--no-verify");
            }
            spec.commandLine().getErr().println("bench: " + d.trim() + ", 784-" + hidden.replace(',', '-') + "-10, batch " + batch + ", "
                    + epochs + " epochs");
            rows.add(measure(d.trim(), cmd, Map.of()));
        }
        return rows;
    }

    static String fmt(double s) {
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

    Row reference(String name, String script, String... extra) {
        Path file = references.resolve(script);
        if (!Files.isRegularFile(file)) {
            return new Row(name, "", Double.NaN, Double.NaN, "skipped: " + file + " not found");
        }
        List<String> cmd = new ArrayList<>(List.of("python3", file.toString(), "--data", common.data.toString(), "--epochs", Integer.toString(epochs)));
        cmd.addAll(List.of(extra));
        // --threads holds the references to as many threads as the cpu backend, so a row compares like with like
        Map<String, String> env = threads <= 0 ? Map.of() : Map.of("OPENBLAS_NUM_THREADS", Integer.toString(threads),
                "OMP_NUM_THREADS", Integer.toString(threads), "MKL_NUM_THREADS", Integer.toString(threads));
        return measure(name, cmd, env);
    }

    /** Runs one timing command ({@link Timing}) with {@code env} added to its environment; a row that says why when it gives no timing. */
    private static Row measure(String name, List<String> cmd, Map<String, String> env) {
        try {
            Timing t = Timing.run(cmd, env);
            return new Row(name, t.detail(), t.secondsPerEpoch(), t.firstEpoch(), "");
        } catch (IllegalArgumentException e) {
            return new Row(name, "", Double.NaN, Double.NaN, "skipped: " + e.getMessage());
        }
    }

    /** A row of the JSON report: null where there is no number. */
    private record JsonRow(String name, Double secondsPerEpoch, Double firstEpoch, Double ratioToNumpy, String detail) {
    }

    private record Report(String unit, List<JsonRow> rows) {
    }

    private static String json(List<Row> rows, double numpy) {
        List<JsonRow> out = rows.stream().map(r -> new JsonRow(r.name(), num(r.secondsPerEpoch()), num(r.firstEpoch()),
                num(r.secondsPerEpoch() / numpy), r.note().isEmpty() ? r.detail() : r.note())).toList();
        return Timing.JSON.newBuilder().setPrettyPrinting().create().toJson(new Report("seconds per epoch", out)) + "\n";
    }

    private static Double num(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
