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

    /** One backend's or reference's time on one shape, and its ratios to the shape's references. */
    record Row(String network, int batch, String name, Double secondsPerEpoch, Double firstEpoch, Double ratioToNumpyFloat32,
               Double ratioToTorchGraph, Double ratioToTorchEager, String detail) {
    }

    private record Report(String unit, int epochs, List<Row> rows) {
    }

    static int run(BenchCommand bench) {
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
        PrintWriter out = bench.spec.commandLine().getOut();
        List<Row> all = new ArrayList<>();
        out.printf(Locale.ROOT, "%-18s %6s %-20s %10s %10s %10s %10s  %s%n", "network", "batch", "backend", "s/epoch", "x numpy32",
                "x graph", "x eager", "details");
        for (String hidden : bench.gridHidden) {
            for (int batch : bench.gridBatch) {
                String network = "784-" + hidden.replace(',', '-') + "-10";
                List<BenchCommand.Row> rows = bench.backends(hidden, batch);
                String[] shape = {"--hidden", hidden, "--batch", Integer.toString(batch)};
                // NumPy (and PyTorch on the CPU, where installed) are the CPU rows' references, PyTorch the GPU rows'
                if (!bench.noReferences && bench.devices.stream().anyMatch(d -> d.trim().equals("cpu"))) {
                    rows.add(bench.reference("numpy float32", "numpy_mlp.py", concat(shape, "--dtype", "float32")));
                    rows.add(bench.reference("pytorch cpu", "torch_mlp.py", concat(shape, "--mode", "cpu")));
                }
                if (!bench.noReferences && bench.devices.stream().anyMatch(d -> !d.trim().equals("cpu"))) {
                    rows.add(bench.reference("pytorch eager", "torch_mlp.py", concat(shape, "--mode", "eager")));
                    rows.add(bench.reference("pytorch cuda graph", "torch_mlp.py", concat(shape, "--mode", "graph")));
                }
                double numpy = seconds(rows, "numpy float32"), graph = seconds(rows, "pytorch cuda graph"), eager = seconds(rows, "pytorch eager");
                for (BenchCommand.Row r : rows) {
                    Row row = new Row(network, batch, r.name(), num(r.secondsPerEpoch()), num(r.firstEpoch()), num(r.secondsPerEpoch() / numpy),
                            num(r.secondsPerEpoch() / graph), num(r.secondsPerEpoch() / eager), r.note().isEmpty() ? r.detail() : r.note());
                    all.add(row);
                    out.printf(Locale.ROOT, "%-18s %6d %-20s %10s %10s %10s %10s  %s%n", network, batch, r.name(), BenchCommand.fmt(r.secondsPerEpoch()),
                            ratio(row.ratioToNumpyFloat32()), ratio(row.ratioToTorchGraph()), ratio(row.ratioToTorchEager()), row.detail());
                }
                out.flush();
            }
        }
        out.println((bench.epochs > 1 ? "s/epoch: median of epochs 2.." + bench.epochs + " (epoch 1 is warm-up)" : "s/epoch: epoch 1, warm-up included")
                + "; an epoch is the SGD steps over 55,000 examples plus the evaluation pass; x: s/epoch over the reference's on the same shape");
        if (bench.json != null) {
            String text = Timing.JSON.newBuilder().setPrettyPrinting().create().toJson(new Report("seconds per epoch", bench.epochs, all)) + "\n";
            AtomicFiles.write(bench.json, os -> os.write(text.getBytes(StandardCharsets.UTF_8)));
        }
        return 0;
    }

    private static String[] concat(String[] a, String... b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static double seconds(List<BenchCommand.Row> rows, String name) {
        return rows.stream().filter(r -> r.name().equals(name)).mapToDouble(BenchCommand.Row::secondsPerEpoch).findFirst().orElse(Double.NaN);
    }

    private static Double num(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static String ratio(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }
}
