package org.mlp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.mlp4j.Commands.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ci/targets.py, which ci/gpu-check.sh runs on bench's and the grid's JSON to judge the issues' speed targets: on
 * reports written by this code's own records, with times made up to meet or miss each target.
 */
class TargetsScriptTest {
    @TempDir
    Path dir;

    /** Rows of the grid: network, batch, then seconds of cuda, opencl, PyTorch eager and its CUDA graph (NaN: none). */
    private String grid(Object[]... shapes) throws Exception {
        List<Grid.Row> rows = new ArrayList<>();
        String[] names = {"cuda", "opencl", "pytorch eager", "pytorch cuda graph"};
        for (Object[] s : shapes) {
            for (int i = 0; i < names.length; i++) {
                double seconds = (double) s[2 + i];
                rows.add(new Grid.Row((String) s[0], (int) s[1], names[i], BenchCommand.num(seconds), null, null, null, null, "", List.of(), null, null));
            }
        }
        return targets(Map.of("unit", "seconds per epoch", "rows", rows));
    }

    private String targets(Object report) throws Exception {
        assumeTrue(BenchCommandTest.python3Runs(), "python3 runs ci/targets.py");
        Path json = dir.resolve("report.json");
        Files.writeString(json, Timing.JSON.toJson(report));
        return run("python3", Path.of("ci/targets.py").toString(), json.toString());
    }

    @Test
    void gridRowsOverTheirTargetsAreNamed() throws Exception {
        String out = grid(new Object[] {"784-100-10", 100, 0.0118, 0.0201, 0.1470, 0.0445},
                new Object[] {"784-512-512-10", 100, 0.0370, 0.0847, 0.2138, 0.0681},
                new Object[] {"784-2048-2048-10", 100, 0.1061, 0.2178, 0.0900, 0.1556},
                new Object[] {"784-2048-2048-10", 500, 0.0675, 0.1079, 0.0807, 0.0755});
        assertTrue(out.contains("cuda / pytorch eager (target <= 1.0): NOT met, 3 of 4 rows within it; not on 784-2048-2048-10 batch 100 (1.18)"), out);
        // launch-bound: batch 100 and no hidden layer over 512 wide
        assertTrue(out.contains("cuda / pytorch cuda graph, launch-bound rows (batch 100, widths <= 512) (target <= 1.0): met, 2 of 2 rows within it"
                + " (the most: 0.54, 784-512-512-10 batch 100)"), out);
        assertTrue(out.contains("opencl / cuda (target <= 2.0): NOT met, 2 of 4 rows within it; not on 784-512-512-10 batch 100 (2.29), "
                + "784-2048-2048-10 batch 100 (2.05)"), out);
        assertTrue(out.contains("no cliff along a network's row (a step of over 1.1x the batch is no faster): met on 4 rows"), out);
        assertTrue(out.contains("no cliff across networks (at each batch, a network with over 1.1x the multiply-adds is no faster): met on 4 rows"), out);
    }

    /** A grid that stopped before its last shapes says how many it timed: "every row" is judged on all of them only. */
    @Test
    void aGridStoppedMidwaySaysHowManyShapesItTimed() throws Exception {
        List<Grid.Row> rows = List.of(new Grid.Row("784-100-10", 100, "cuda", 0.0098, null, null, null, null, "", List.of(), null, null),
                new Grid.Row("784-100-10", 250, "cuda", 0.0070, null, null, null, null, "", List.of(), null, null));
        String out = targets(Map.of("unit", "seconds per epoch", "shapes", 24, "complete", false, "rows", rows));
        assertTrue(out.startsWith("the grid's shapes: 2 of 24 timed, the run stopped before the rest\n"), out);
        String all = targets(Map.of("unit", "seconds per epoch", "shapes", 2, "complete", true, "rows", rows));
        assertTrue(all.startsWith("the grid's shapes: 2 of 2 timed\n"), all);
    }

    /** The cliff issue 23 was filed on: 784-512-512-10 at batch 250 16x slower than a net of 2.9x its multiply-adds. */
    @Test
    void aLargerNetworkFasterAtTheSameBatchIsACliff() throws Exception {
        double none = Double.NaN;
        String out = grid(new Object[] {"784-512-512-10", 250, 0.566, 0.062, none, none},
                new Object[] {"784-1000-1000-10", 250, 0.035, 0.112, none, none},
                new Object[] {"784-1000-1000-10", 500, 0.030, 0.100, none, none},
                new Object[] {"784-100-10", 500, 0.008, 0.0097, none, none});
        assertTrue(out.contains("cuda / pytorch eager (target <= 1.0): not measured"), out);
        assertTrue(out.contains("NOT met; 784-1000-1000-10 (0.0350, 2.87x the multiply-adds) under 784-512-512-10 (0.5660) at batch 250"), out);
        // only within a batch: 784-1000-1000-10 at 500 is faster than 784-512-512-10 at 250, and is not named
        assertEquals(1, out.split(" under ", -1).length - 1, out);
        // along 784-1000-1000-10's row, batch 500 takes 0.030 * 500 against 0.035 * 250: slower a step, no cliff
        assertTrue(out.contains("no cliff along a network's row (a step of over 1.1x the batch is no faster): met on 4 rows"), out);
    }

    /** The cliff of the issue's own example: 784-512-512-10 at batch 250 33x slower an epoch than at 500, so 16x a step. */
    @Test
    void aLargerBatchFasterAStepIsACliff() throws Exception {
        double none = Double.NaN;
        String out = grid(new Object[] {"784-512-512-10", 100, 0.571, 0.107, none, none},
                new Object[] {"784-512-512-10", 250, 0.566, 0.062, none, none},
                new Object[] {"784-512-512-10", 500, 0.017, 0.050, none, none},
                new Object[] {"784-100-10", 100, 0.018, 0.040, none, none},
                new Object[] {"784-100-10", 500, 0.0045, 0.010, none, none});
        assertTrue(out.contains("no cliff along a network's row (a step of over 1.1x the batch is no faster): NOT met; "
                + "784-512-512-10: batch 500 (0.0170 s an epoch) faster a step than batch 100 (0.5710); "
                + "784-512-512-10: batch 500 (0.0170 s an epoch) faster a step than batch 250 (0.5660)"), out);
        // 784-100-10 at 500: 0.0045 * 500 = 2.25 against 0.018 * 100 = 1.8, slower a step though four times faster an epoch
        assertFalse(out.contains("784-100-10: batch"), out);
    }

    /**
     * mlp4j's backends and NumPy train from the same start in the same order: a shape whose last costs spread over
     * 0.1 % of the least is named with them; PyTorch's, from its own start, and rows without a cost are left out.
     */
    @Test
    void aShapeWhoseBackendsEndAtOtherCostsIsNamed() throws Exception {
        java.util.function.BiFunction<String, Double, Grid.Row> row = (name, cost) -> new Grid.Row("784-512-512-10", 250, name, 0.02, null, null,
                null, null, "", List.of(), cost, null);
        List<Grid.Row> rows = new ArrayList<>(List.of(row.apply("cuda", 30123.45), row.apply("opencl", 30125.1), row.apply("numpy float32", 30124.0),
                row.apply("pytorch eager", 31000.0), row.apply("cpu", null)));
        rows.add(new Grid.Row("784-100-10", 100, "cuda", 0.01, null, null, null, null, "", List.of(), 36066.27, 0.9));
        rows.add(new Grid.Row("784-100-10", 100, "opencl", 0.02, null, null, null, null, "", List.of(), 36120.0, 0.9));
        String out = targets(Map.of("unit", "seconds per epoch", "rows", rows));
        assertTrue(out.contains("the same training on every backend and NumPy (the last epoch's cost; target: within 0.1 %): NOT met, 1 of 2 rows "
                + "within it; not on 784-100-10 batch 100 (cuda 36066.27, opencl 36120.00)"), out);
        String met = targets(Map.of("unit", "seconds per epoch", "rows", rows.subList(0, 5)));
        assertTrue(met.contains("target: within 0.1 %): met, 1 of 1 row within it (the most: 0.0055 %, 784-512-512-10 batch 250)"), met);
    }

    @Test
    void theBookNetsTargetsFromBench() throws Exception {
        List<BenchCommand.JsonRow> rows = new ArrayList<>();
        for (Object[] r : new Object[][] {{"cuda", 0.0118}, {"opencl", 0.0226}, {"pytorch cuda graph", 0.0478}}) {
            rows.add(new BenchCommand.JsonRow((String) r[0], (Double) r[1], null, null, null, "", List.of(), List.of(), List.of(),
                    r[0].equals("pytorch cuda graph") ? 40000.0 : 5067.83, null));
        }
        String out = targets(Map.of("unit", "seconds per epoch", "rows", rows));
        assertTrue(out.contains("the same training on every backend and NumPy (the last epoch's cost; target: within 0.1 %): met, 1 of 1 row within it "
                + "(the most: 0.0000 %, the book's net)"), out);
        assertTrue(out.contains("cuda / pytorch cuda graph = 0.0118 / 0.0478 = 0.247 (target <= 0.5: met)"), out);
        assertTrue(out.contains("cuda / pytorch cuda graph = 0.0118 / 0.0478 = 0.247 (target <= 0.12: NOT met)"), out);
        assertTrue(out.contains("opencl / cuda = 0.0226 / 0.0118 = 1.915 (target <= 2.0: met)"), out);
    }
}
