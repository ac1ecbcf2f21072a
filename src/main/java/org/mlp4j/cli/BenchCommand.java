package org.mlp4j.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.DoubleStream;
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

    // 4: the median of three epochs after the warm-up, so that one slow epoch (on the CPU the JIT is still at work in
    // the second) does not move it, as it moves the mean of two
    @Option(names = "--epochs", paramLabel = "N", defaultValue = "4", description = "epochs per backend (default: ${DEFAULT-VALUE}); the first is reported apart as warm-up, the rest by their median")
    int epochs;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "threads of the cpu backend, and of the NumPy and PyTorch references (default: one per processor)")
    int threads;

    @Option(names = "--references", paramLabel = "DIR",
            description = "directory of the NumPy and PyTorch reference scripts (default: bench/reference where it exists, as in a "
                    + "checkout, else the copies in mlp4j's jar)")
    Path references;

    /** The scripts the references run and the module they import: the jar carries these (pom.xml), as bench/reference holds them. */
    static final List<String> REFERENCE_FILES = List.of("numpy_mlp.py", "torch_mlp.py", "mnist_idx.py");

    /** {@link #referenceDir()}'s answer, once found. */
    private Path referenceDir;

    @Option(names = "--no-references", description = "skip the NumPy and PyTorch references")
    boolean noReferences;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "1",
            description = "time every row N times, the rows in turn, their order reversed each round, and report the medians: a ratio is "
                    + "the median of the ratios within a round, so a machine whose speed drifts still compares like with like (default: ${DEFAULT-VALUE})")
    int rounds;

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

    /** One timing of a row; cost and trainAccuracy: its last epoch's, NaN where its command does not say. */
    record Row(String name, String detail, double secondsPerEpoch, double firstEpoch, String note, double cost, double trainAccuracy) {
    }

    /** One row: the shape its command times, or, with command null, why there is none. */
    record Job(String name, TimingProcess command, String hidden, int batch, String skipped) {
    }

    /** Whether this JVM stops its children when it exits. */
    private static final java.util.concurrent.atomic.AtomicBoolean STOPS_CHILDREN = new java.util.concurrent.atomic.AtomicBoolean();

    /** The timing commands by row name, each started once for all the rows of that name. */
    private final Map<String, TimingProcess> commands = new java.util.LinkedHashMap<>();

    /** A row's timings, one a round; a row skipped in the first round is not run again. */
    record Rounds(String name, List<Row> byRound) {
        /** The median over the rounds that gave a time; NaN when none did. */
        double seconds() {
            return median(byRound.stream().mapToDouble(Row::secondsPerEpoch));
        }

        double firstEpoch() {
            return median(byRound.stream().mapToDouble(Row::firstEpoch));
        }

        /** The first round's last cost (each round trains from the same start in the same order), NaN where it has none. */
        double cost() {
            return byRound.get(0).cost();
        }

        double trainAccuracy() {
            return byRound.get(0).trainAccuracy();
        }

        /** This row's time over {@code reference}'s, round by round (NaN where either has none). */
        double[] ratios(Rounds reference) {
            double[] r = new double[byRound.size()];
            for (int i = 0; i < r.length; i++) {
                r[i] = reference == null ? Double.NaN : byRound.get(i).secondsPerEpoch() / reference.byRound.get(i).secondsPerEpoch();
            }
            return r;
        }

        /** The median of {@link #ratios}, NaN when no round has one. */
        double ratio(Rounds reference) {
            return median(Arrays.stream(ratios(reference)));
        }

        /** "what min-max over N rounds; " of the ratios to {@code reference}, or "" for the reference itself or fewer than two. */
        String range(String what, Rounds reference) {
            double[] v = Arrays.stream(ratios(reference)).filter(Double::isFinite).sorted().toArray();
            return reference == this || v.length < 2 ? ""
                    : String.format(Locale.ROOT, "%s %.3f-%.3f over %d rounds; ", what, v[0], v[v.length - 1], v.length);
        }

        /** The rounds' times in their order, null where a round gave none. */
        List<Double> secondsByRound() {
            return byRound.stream().map(x -> num(x.secondsPerEpoch())).toList();
        }

        /** The first round's detail, or why the row was skipped. */
        String detail() {
            Row first = byRound.get(0);
            return first.note().isEmpty() ? first.detail() : first.note();
        }
    }

    /** The median of the finite values, NaN when there are none. */
    static double median(DoubleStream values) {
        double[] v = values.filter(Double::isFinite).toArray();
        return v.length == 0 ? Double.NaN : Timing.median(v);
    }

    /** Runs the jobs {@link #rounds} times, in turn, their order reversed every other round. */
    List<Rounds> run(List<Job> jobs) {
        List<List<Row>> rows = new ArrayList<>();
        jobs.forEach(j -> rows.add(new ArrayList<>()));
        for (int round = 0; round < rounds; round++) {
            for (int n = 0; n < jobs.size(); n++) {
                int i = round % 2 == 0 ? n : jobs.size() - 1 - n;
                Job job = jobs.get(i);
                Row previous = round == 0 ? null : rows.get(i).get(0);
                String skipped = job.command() == null ? job.skipped()
                        : job.command().cannotStart() != null ? "skipped: " + job.command().cannotStart()
                        : previous != null && !previous.note().isEmpty() ? previous.note() : null;
                if (skipped != null) {
                    rows.get(i).add(new Row(job.name(), "", Double.NaN, Double.NaN, skipped, Double.NaN, Double.NaN));
                    continue;
                }
                spec.commandLine().getErr().println("bench: " + (rounds > 1 ? "round " + (round + 1) + " of " + rounds + ": " : "")
                        + job.name() + ", 784-" + job.hidden().replace(',', '-') + "-10, batch " + job.batch() + ", " + epochs + " epochs");
                rows.get(i).add(measure(job));
            }
        }
        List<Rounds> out = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            out.add(new Rounds(jobs.get(i).name(), rows.get(i)));
        }
        return out;
    }

    /** The named row, or null. */
    static Rounds find(List<Rounds> rows, String name) {
        return rows.stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
    }

    @Override
    public Integer call() {
        if (epochs < 1) {
            throw new UserError("--epochs: must be at least 1, got " + epochs);
        }
        if (rounds < 1) {
            throw new UserError("--rounds: must be at least 1, got " + rounds);
        }
        for (String gridOnly : List.of("--grid-hidden", "--grid-batch")) {
            if (!grid && spec.commandLine().getParseResult().hasMatchedOption(gridOnly)) {
                throw new UserError(gridOnly + ": the grid's shapes are timed with --grid; without it, bench times the book's net");
            }
        }
        if (grid) {
            Grid.check(this);
        }
        PrintWriter err = spec.commandLine().getErr();
        int training = Datasets.mnist(common, false, err).count() - Timing.VALID; // fetched and checked once, before any child starts
        if (STOPS_CHILDREN.compareAndSet(false, true)) {
            // a bench stopped by a signal stops its timing commands too, which would otherwise finish the shape they time
            Runtime.getRuntime().addShutdownHook(new Thread(() -> ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly)));
        }
        if (grid) {
            return Grid.run(this, training);
        }
        List<Job> jobs = backends("100", 100);
        if (!noReferences) {
            jobs.add(reference("numpy (book, float64)", "100", 100, "numpy_mlp.py"));
            jobs.add(reference("numpy float32", "100", 100, "numpy_mlp.py", "--dtype", "float32"));
            jobs.add(reference("pytorch eager", "100", 100, "torch_mlp.py", "--mode", "eager"));
            jobs.add(reference("pytorch cuda graph", "100", 100, "torch_mlp.py", "--mode", "graph"));
        }
        Machine machine = Machine.here();  // when the run began
        OtherWork.Snapshot before = OtherWork.now();
        List<Rounds> rows;
        try {
            rows = run(jobs);
        } finally {
            closeCommands();
        }
        OtherWork.Snapshot after = OtherWork.now();
        Rounds numpy = find(rows, "numpy (book, float64)"), numpy32 = find(rows, "numpy float32");
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%-24s %14s %14s %12s %10s %10s  %s%n", "backend", "s/epoch", "first epoch", "last cost", "x numpy", "x numpy32",
                "details");
        for (Rounds r : rows) {
            out.printf(Locale.ROOT, "%-24s %14s %14s %12s %10s %10s  %s%n", r.name(), fmt(r.seconds()), fmt(r.firstEpoch()), cost(r.cost()),
                    ratio(r.ratio(numpy)), ratio(r.ratio(numpy32)), r.range("x numpy", numpy) + r.range("x numpy32", numpy32) + r.detail());
        }
        out.println((epochs > 1 ? "s/epoch: median of epochs 2.." + epochs + " (epoch 1 is warm-up)" : "s/epoch: epoch 1, warm-up included")
                + (rounds > 1 ? ", and of the " + rounds + " rounds; x: the median of the rounds' ratios" : "")
                + "; an epoch is " + training / 100 + " steps of 100 plus the evaluation pass; " + LAST_COST);
        OtherWork.print(out, before, after);
        out.println(machine.line());
        if (json != null) {
            AtomicFiles.write(json, os -> os.write(json(rows, numpy, numpy32, machine, OtherWork.processorsIfKnown(before, after)).getBytes(StandardCharsets.UTF_8)));
        }
        return 0;
    }

    /**
     * Each backend of --device on one shape, each timed in a JVM of its own, kept for all its shapes (as JMH forks:
     * neither the JIT's profile nor a driver's state carries over from another backend, nor from bench).
     */
    List<Job> backends(String hidden, int batch) {
        List<Job> jobs = new ArrayList<>();
        for (String d : devices) {
            TimingProcess command = commands.computeIfAbsent(d.trim(), name -> {
                List<String> cmd = new ArrayList<>(javaCommand());
                cmd.addAll(List.of(Main.class.getName(), "bench-backend", "--device", name, "--epochs", Integer.toString(epochs),
                        "--data", common.data.toString(), "--threads", Integer.toString(threads)));
                if (common.noVerify) {
                    cmd.add("--no-verify");
                }
                return new TimingProcess(cmd, Map.of());
            });
            jobs.add(new Job(d.trim(), command, hidden, batch, null));
        }
        return jobs;
    }

    /** Ends the timing commands, and waits for them. */
    void closeCommands() {
        commands.values().forEach(TimingProcess::close);
        commands.clear();
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

    /**
     * --references; else bench/reference in the working directory (a checkout's, whose scripts may be newer than the jar's);
     * else the jar's copies, written to a temporary directory, so that bench run anywhere has its references.
     */
    Path referenceDir() {
        if (referenceDir == null) {
            Path checkout = Path.of("bench", "reference");
            referenceDir = references != null ? references : Files.isDirectory(checkout) ? checkout : jarReferences(checkout);
        }
        return referenceDir;
    }

    /** The jar's copies of {@link #REFERENCE_FILES} in a directory deleted when the JVM exits; {@code otherwise} where the jar has none. */
    private static Path jarReferences(Path otherwise) {
        try {
            Path dir = Files.createTempDirectory("mlp4j-references");
            dir.toFile().deleteOnExit();
            for (String name : REFERENCE_FILES) {
                try (java.io.InputStream in = BenchCommand.class.getResourceAsStream("/bench/reference/" + name)) {
                    if (in == null) {
                        return otherwise;
                    }
                    Files.copy(in, dir.resolve(name));
                    dir.resolve(name).toFile().deleteOnExit();  // registered after the directory, so deleted before it
                }
            }
            return dir;
        } catch (java.io.IOException e) {
            throw new UserError("cannot copy the references out of the jar into a temporary directory (" + e.getMessage()
                    + "): give --references DIR, or --no-references");
        }
    }

    /** A reference script's row on one shape: {@code extra} are its options (a mode, a dtype); one script runs a row name's shapes. */
    Job reference(String name, String hidden, int batch, String script, String... extra) {
        Path file = referenceDir().resolve(script);
        if (!Files.isRegularFile(file)) {
            return new Job(name, null, hidden, batch, "skipped: " + file + " not found");
        }
        TimingProcess command = commands.computeIfAbsent(name, n -> {
            // -B: the import of mnist_idx leaves no __pycache__ behind (in a checkout, or in the jar's copies' directory)
            List<String> cmd = new ArrayList<>(List.of("python3", "-B", file.toString(), "--serve", "--data", common.data.toString(), "--epochs",
                    Integer.toString(epochs)));
            cmd.addAll(List.of(extra));
            // --threads holds the references to as many threads as the cpu backend, so a row compares like with like
            Map<String, String> env = threads <= 0 ? Map.of() : Map.of("OPENBLAS_NUM_THREADS", Integer.toString(threads),
                    "OMP_NUM_THREADS", Integer.toString(threads), "MKL_NUM_THREADS", Integer.toString(threads));
            return new TimingProcess(cmd, env);
        });
        return new Job(name, command, hidden, batch, null);
    }

    /** Times one row's shape; a row that says why when it gives no timing. */
    private static Row measure(Job job) {
        try {
            Timing t = job.command().time(job.hidden(), job.batch());
            return new Row(job.name(), t.detail(), t.secondsPerEpoch(), t.firstEpoch(), "", t.cost() == null ? Double.NaN : t.cost(),
                    t.trainAccuracy() == null ? Double.NaN : t.trainAccuracy());
        } catch (IllegalArgumentException e) {
            return new Row(job.name(), "", Double.NaN, Double.NaN, "skipped: " + e.getMessage(), Double.NaN, Double.NaN);
        }
    }

    /** A row of the JSON report: null where there is no number; the rounds' times and ratios in their order. */
    record JsonRow(String name, Double secondsPerEpoch, Double firstEpoch, Double ratioToNumpy, Double ratioToNumpyFloat32, String detail,
                   List<Double> secondsByRound, List<Double> ratioToNumpyByRound, List<Double> ratioToNumpyFloat32ByRound, Double cost,
                   Double trainAccuracy) {
    }

    /** otherWorkProcessors: {@link OtherWork#processorsIfKnown}. */
    private record Report(String unit, int rounds, Machine machine, Double otherWorkProcessors, List<JsonRow> rows) {
    }

    private String json(List<Rounds> rows, Rounds numpy, Rounds numpy32, Machine machine, Double otherWork) {
        List<JsonRow> out = rows.stream().map(r -> new JsonRow(r.name(), num(r.seconds()), num(r.firstEpoch()), num(r.ratio(numpy)),
                num(r.ratio(numpy32)), r.detail(), r.secondsByRound(), Arrays.stream(r.ratios(numpy)).mapToObj(BenchCommand::num).toList(),
                Arrays.stream(r.ratios(numpy32)).mapToObj(BenchCommand::num).toList(), num(r.cost()), num(r.trainAccuracy()))).toList();
        return Timing.JSON.newBuilder().setPrettyPrinting().create().toJson(new Report("seconds per epoch", rounds, machine, otherWork, out)) + "\n";
    }

    /** What the tables' last cost is, for their footnote. */
    static final String LAST_COST = "last cost: the last epoch's (mlp4j's backends and NumPy train from the same start in the same order, "
            + "so theirs should agree; PyTorch's start is its own)";

    /** A cost for the table, "-" when there is none. */
    static String cost(double c) {
        return Double.isNaN(c) ? "-" : String.format(Locale.ROOT, "%.2f", c);
    }

    /** A ratio for the table, "-" when there is none. */
    static String ratio(double r) {
        return Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "%.3f", r);
    }

    static Double num(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
