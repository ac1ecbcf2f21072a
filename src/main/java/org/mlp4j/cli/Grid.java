package org.mlp4j.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.mlp4j.util.AtomicFiles;
import org.mlp4j.util.UserError;

/**
 * {@code bench --grid}: every backend of --device on each network shape and batch size of the grid, beside
 * NumPy float32 (the CPU rows' reference, run when --device has cpu) and PyTorch eager and CUDA graph (the
 * GPU rows', run when it has another) of the same shape, in one table and, with --json, one JSON report
 * with the ratios.
 */
final class Grid {
    private Grid() {
    }

    /**
     * One backend's or reference's time on one shape, and its ratios to the shape's references (medians over the rounds);
     * its first round's last epoch's cost and training accuracy, null where it does not say.
     */
    record Row(String network, int batch, String name, Double secondsPerEpoch, Double firstEpoch, Double ratioToNumpyFloat32,
               Double ratioToTorchGraph, Double ratioToTorchEager, String detail, List<Double> secondsByRound, Double cost, Double trainAccuracy) {
    }

    /**
     * shapes: the grid's shapes (network and batch); complete: whether all were timed. --json is written again after
     * each shape, so that a run stopped midway (a time limit, Ctrl-C) leaves the rows it timed.
     */
    private record Report(String unit, int epochs, int rounds, Machine machine, Double otherWorkProcessors, int shapes, boolean complete,
                          List<Row> rows) {
    }

    /** Refuses --grid-hidden and --grid-batch values the grid cannot run, before any data is loaded. */
    static void check(BenchCommand bench) {
        for (String h : bench.gridHidden) {
            if (!h.matches("[1-9][0-9]*(,[1-9][0-9]*)*")) {
                throw new UserError("--grid-hidden: '" + h + "' is not a list of layer sizes such as 512,512");
            }
        }
        for (int b : bench.gridBatch) {
            if (b < 1) {
                throw new UserError("--grid-batch: batch sizes must be at least 1, got " + b);
            }
        }
    }

    static int run(BenchCommand bench, int training) {
        PrintWriter out = bench.spec.commandLine().getOut();
        Machine machine = Machine.here();  // when the run began
        OtherWork.Snapshot before = OtherWork.now();
        List<Row> all = new ArrayList<>();
        int shapes = bench.gridHidden.size() * bench.gridBatch.size();
        out.printf(Locale.ROOT, "%-18s %6s %-20s %10s %12s %10s %10s %10s  %s%n", "network", "batch", "backend", "s/epoch", "last cost",
                "x numpy32", "x graph", "x eager", "details");
        try {
            for (String hidden : bench.gridHidden) {
                for (int batch : bench.gridBatch) {
                    String network = "784-" + hidden.replace(',', '-') + "-10";
                    List<BenchCommand.Job> jobs = bench.backends(hidden, batch);
                    // NumPy (and PyTorch on the CPU, where installed) are the CPU rows' references, PyTorch the GPU rows'
                    if (!bench.noReferences && bench.devices.stream().anyMatch(d -> d.trim().equals("cpu"))) {
                        jobs.add(bench.reference("numpy float32", hidden, batch, "numpy_mlp.py", "--dtype", "float32"));
                        jobs.add(bench.reference("pytorch cpu", hidden, batch, "torch_mlp.py", "--mode", "cpu"));
                    }
                    if (!bench.noReferences && bench.devices.stream().anyMatch(d -> !d.trim().equals("cpu"))) {
                        jobs.add(bench.reference("pytorch eager", hidden, batch, "torch_mlp.py", "--mode", "eager"));
                        jobs.add(bench.reference("pytorch cuda graph", hidden, batch, "torch_mlp.py", "--mode", "graph"));
                    }
                    List<BenchCommand.Rounds> rows = bench.run(jobs);
                    BenchCommand.Rounds numpy = BenchCommand.find(rows, "numpy float32"), graph = BenchCommand.find(rows, "pytorch cuda graph");
                    BenchCommand.Rounds eager = BenchCommand.find(rows, "pytorch eager");
                    for (BenchCommand.Rounds r : rows) {
                        String ranges = r.range("x numpy32", numpy) + r.range("x graph", graph) + r.range("x eager", eager);
                        double toNumpy = r.ratio(numpy), toGraph = r.ratio(graph), toEager = r.ratio(eager);
                        Row row = new Row(network, batch, r.name(), BenchCommand.num(r.seconds()), BenchCommand.num(r.firstEpoch()),
                                BenchCommand.num(toNumpy), BenchCommand.num(toGraph), BenchCommand.num(toEager), ranges + r.detail(), r.secondsByRound(),
                                BenchCommand.num(r.cost()), BenchCommand.num(r.trainAccuracy()));
                        all.add(row);
                        out.printf(Locale.ROOT, "%-18s %6d %-20s %10s %12s %10s %10s %10s  %s%n", network, batch, r.name(), BenchCommand.fmt(r.seconds()),
                                BenchCommand.cost(r.cost()), BenchCommand.ratio(toNumpy), BenchCommand.ratio(toGraph), BenchCommand.ratio(toEager), row.detail());
                    }
                    out.flush();
                    // other work is not known before the timing commands end: their processor time counts once they have
                    write(bench, new Report("seconds per epoch", bench.epochs, bench.rounds, machine, null, shapes, false, all));
                }
            }
        } finally {
            bench.closeCommands();  // and waited for, before other work is counted
        }
        out.println((bench.epochs > 1 ? "s/epoch: median of epochs 2.." + bench.epochs + " (epoch 1 is warm-up)" : "s/epoch: epoch 1, warm-up included")
                + (bench.rounds > 1 ? ", and of the " + bench.rounds + " rounds; x: the median of the rounds' ratios" : "")
                + "; an epoch is the SGD steps over " + String.format(Locale.ROOT, "%,d", training)
                + " examples plus the evaluation pass; x: s/epoch over the reference's on the same shape; " + BenchCommand.LAST_COST);
        OtherWork.Snapshot after = OtherWork.now();
        OtherWork.print(out, before, after);
        out.println(machine.line());
        write(bench, new Report("seconds per epoch", bench.epochs, bench.rounds, machine, OtherWork.processorsIfKnown(before, after), shapes,
                true, all));
        return 0;
    }

    /** Writes --json, where given. */
    private static void write(BenchCommand bench, Report report) {
        if (bench.json != null) {
            String text = Timing.JSON.newBuilder().setPrettyPrinting().create().toJson(report) + "\n";
            AtomicFiles.write(bench.json, os -> os.write(text.getBytes(StandardCharsets.UTF_8)));
        }
    }

}
