package org.mlp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlp4j.Commands;
import org.mlp4j.TestData;

/** {@code mlp4j bench}: each backend timed in a child JVM, one table, unusable devices listed with the reason. */
class BenchCommandTest {
    @TempDir
    Path dir;

    @Test
    void timesTheCpuBackendInAChildJvmAndListsTheRest() throws Exception {
        TestData.train(); // MNIST present (fetched if needed) before the child starts
        Path json = dir.resolve("bench.json");
        BadInputTest.Result r = BadInputTest.run("bench", "--device", "cpu,tpu", "--epochs", "2", "--no-references",
                "--data", TestData.dir().toString(), "--json", json.toString());
        assertEquals(0, r.code(), r.err());
        String cpu = r.out().lines().filter(l -> l.startsWith("cpu ")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        String[] cols = cpu.trim().split("\\s+");
        double seconds = Double.parseDouble(cols[1]);
        assertTrue(seconds > 0, cpu);
        assertTrue(cpu.contains("cpu: "), "the child's backend description: " + cpu);
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("tpu ") && l.contains("skipped: --device: unknown device 'tpu'")), r.out());
        // the JSON report holds the table's numbers; an unusable device has nulls and its reason
        JsonObject report = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        JsonArray rows = report.getAsJsonArray("rows");
        assertEquals(2, rows.size(), report.toString());
        JsonObject first = rows.get(0).getAsJsonObject();
        assertEquals("cpu", first.get("name").getAsString());
        assertEquals(seconds, first.get("seconds_per_epoch").getAsDouble(), 1e-4 * seconds + 1e-4, report.toString());
        JsonObject tpu = rows.get(1).getAsJsonObject();
        assertTrue(tpu.get("seconds_per_epoch").isJsonNull(), report.toString());
        assertTrue(tpu.get("detail").getAsString().contains("unknown device 'tpu'"), report.toString());
        assertMachineNamed(report, r.out());
    }

    /**
     * Where the tests run in a git checkout (all but the GPU check, whose jar was built elsewhere), the build names the
     * commit it was built from, "-dirty" where tracked files had changes: one of this checkout's commits.
     */
    static void assertCommitOfThisCheckout(String commit) {
        try {
            if (Commands.succeeds("git", "rev-parse", "--is-inside-work-tree")) {
                assertTrue(commit != null && commit.matches("[0-9a-f]{7,40}(-dirty)?"), "the build's commit: " + commit);
                assertTrue(Commands.succeeds("git", "cat-file", "-e", commit.replace("-dirty", "") + "^{commit}"), commit + " is a commit here");
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** The report names the machine, the JVM, the build and when it ran, in the table's last line and in the JSON. */
    static void assertMachineNamed(JsonObject report, String table) {
        JsonObject machine = report.getAsJsonObject("machine");
        assertEquals(Runtime.getRuntime().availableProcessors(), machine.get("processors").getAsInt(), machine.toString());
        assertEquals("0.1.0", machine.get("mlp4j").getAsString());
        String commit = machine.get("commit").isJsonNull() ? null : machine.get("commit").getAsString();
        assertCommitOfThisCheckout(commit);
        assertTrue(machine.get("java").getAsString().startsWith("Java " + System.getProperty("java.version")), machine.toString());
        assertTrue(machine.get("os").getAsString().startsWith(System.getProperty("os.name") + " "), machine.toString());
        assertTrue(machine.get("date").getAsString().matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC"), machine.toString());
        String[] lines = table.strip().lines().toArray(String[]::new);
        String last = lines[lines.length - 1];
        // and, where Linux's counters say, how busy other work kept the processors (a number that may be anything)
        if (Files.isReadable(Path.of("/proc/self/stat"))) {
            assertTrue(report.get("other_work_processors").getAsDouble() >= 0, report.toString());
            assertTrue(lines[lines.length - 2].startsWith("other work: ") && lines[lines.length - 2].contains(" processors busy on average while timing"),
                    table);
        }
        assertTrue(last.startsWith("machine: " + machine.get("cpu").getAsString() + ", " + machine.get("processors").getAsInt() + " processors")
                && last.endsWith("; mlp4j 0.1.0" + (commit == null ? "" : " (commit " + commit + ")") + "; " + machine.get("date").getAsString()), table);
    }

    /**
     * --rounds: every row is timed once a round, the order reversed in the second round, and a ratio is the
     * median of the ratios within each round. A stand-in NumPy reference answers 1 s, then 3 s (float64) and
     * 0.5 s, then 1.5 s (float32), and logs the order it was asked in, and its starts: one a row, for both rounds.
     */
    @Test
    void roundsAlternateTheOrderAndTakeTheMedianOfEachRoundsRatio() throws Exception {
        assumeTrue(python3Runs(), "python3 runs the stand-in reference");
        TestData.train();
        Path refs = standInNumpy();
        Path json = dir.resolve("rounds.json");
        BadInputTest.Result r = BadInputTest.run("bench", "--device", "cpu", "--epochs", "1", "--rounds", "2", "--references", refs.toString(),
                "--data", TestData.dir().toString(), "--json", json.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("float64", "float32", "float32", "float64"), Files.readAllLines(refs.resolve("calls.log")), "round 2 runs the rows in reverse");
        assertEquals(List.of("float64", "float32"), Files.readAllLines(refs.resolve("starts.log")), "each row's command started once");
        assertEquals(java.util.Collections.nCopies(4, "{\"hidden\":\"100\",\"batch\":100}"), Files.readAllLines(refs.resolve("shapes.log")));
        JsonObject report = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals(2, report.get("rounds").getAsInt());
        JsonArray rows = report.getAsJsonArray("rows");
        JsonObject cpu = rows.get(0).getAsJsonObject(), numpy = rows.get(1).getAsJsonObject(), numpy32 = rows.get(2).getAsJsonObject();
        assertEquals("[1.0,3.0]", numpy.get("seconds_by_round").toString());
        assertEquals(2.0, numpy.get("seconds_per_epoch").getAsDouble());
        assertEquals(0.5, numpy32.get("ratio_to_numpy").getAsDouble(), 1e-12, "0.5 / 1 and 1.5 / 3");
        JsonArray cpuSeconds = cpu.getAsJsonArray("seconds_by_round"), cpuRatios = cpu.getAsJsonArray("ratio_to_numpy_by_round");
        double r1 = cpuSeconds.get(0).getAsDouble() / 1.0, r2 = cpuSeconds.get(1).getAsDouble() / 3.0;
        assertEquals(r1, cpuRatios.get(0).getAsDouble(), 1e-12);
        assertEquals(r2, cpuRatios.get(1).getAsDouble(), 1e-12);
        assertEquals((r1 + r2) / 2, cpu.get("ratio_to_numpy").getAsDouble(), 1e-12, "the median of two rounds' ratios");
        assertEquals((cpuSeconds.get(0).getAsDouble() / 0.5 + cpuSeconds.get(1).getAsDouble() / 1.5) / 2,
                cpu.get("ratio_to_numpy_float32").getAsDouble(), 1e-12, "and beside NumPy float32");
        assertEquals((cpuSeconds.get(0).getAsDouble() + cpuSeconds.get(1).getAsDouble()) / 2, cpu.get("seconds_per_epoch").getAsDouble(), 1e-12);
        String line = r.out().lines().filter(l -> l.startsWith("cpu ")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        assertTrue(line.contains("x numpy ") && line.contains("x numpy32 ") && line.contains("over 2 rounds"), line);
        JsonObject torch = rows.get(3).getAsJsonObject();
        assertTrue(torch.get("seconds_per_epoch").isJsonNull() && torch.get("detail").getAsString().contains("not found"), torch.toString());
        BadInputTest.Result bad = BadInputTest.run("bench", "--rounds", "0", "--data", TestData.dir().toString());
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("--rounds: must be at least 1, got 0"), bad.err());
    }

    /**
     * A stand-in NumPy reference in a directory of its own: it answers 1 s, then 3 s (float64) and 0.5 s, then 1.5 s
     * (float32), and logs its starts, the order it was asked in and the shapes; where report.path names bench's --json,
     * it copies that file as it is when asked for a shape, to report-N.json for the Nth.
     */
    private Path standInNumpy() throws Exception {
        Path refs = Files.createDirectories(dir.resolve("refs"));
        Files.writeString(refs.resolve("numpy_mlp.py"), String.join("\n",
                "import json, os, sys",
                "dtype = 'float32' if '--dtype' in sys.argv else 'float64'",
                "here = os.path.dirname(os.path.abspath(__file__))",
                "log = os.path.join(here, 'calls.log')",
                "open(os.path.join(here, 'starts.log'), 'a').write(dtype + '\\n')",
                "print(json.dumps({'ready': True}), flush=True)",
                "for n, line in enumerate(sys.stdin, 1):",
                "    open(os.path.join(here, 'shapes.log'), 'a').write(line)",
                "    path = os.path.join(here, 'report.path')",
                "    if os.path.exists(path) and os.path.exists(open(path).read()):",
                "        open(os.path.join(here, 'report-%d.json' % n), 'w').write(open(open(path).read()).read())",
                "    before = open(log).read().split() if os.path.exists(log) else []",
                "    open(log, 'a').write(dtype + '\\n')",
                "    base = 1.0 if dtype == 'float64' else 0.5",
                "    print(json.dumps({'seconds_per_epoch': base * (1 + 2 * before.count(dtype)), 'first_epoch': 9.0}), flush=True)", ""));
        return refs;
    }

    /**
     * A grid starts each row's command once, for all of its shapes: a JVM, or a Python loading MNIST, takes seconds. Its
     * --json is written after each shape, so that a run stopped midway leaves the rows it timed.
     */
    @Test
    void theGridStartsEachCommandOnceForAllItsShapes() throws Exception {
        assumeTrue(python3Runs(), "python3 runs the stand-in reference");
        TestData.train();
        Path refs = standInNumpy();
        Path json = dir.resolve("grid.json");
        Files.writeString(refs.resolve("report.path"), json.toString());
        BadInputTest.Result r = BadInputTest.run("bench", "--grid", "--grid-hidden", "8;4,4", "--grid-batch", "1000,2000", "--device", "cpu",
                "--epochs", "1", "--references", refs.toString(), "--data", TestData.dir().toString(), "--json", json.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("float32"), Files.readAllLines(refs.resolve("starts.log")));
        assertEquals(List.of("{\"hidden\":\"8\",\"batch\":1000}", "{\"hidden\":\"8\",\"batch\":2000}", "{\"hidden\":\"4,4\",\"batch\":1000}",
                "{\"hidden\":\"4,4\",\"batch\":2000}"), Files.readAllLines(refs.resolve("shapes.log")));
        assertEquals(4, r.out().lines().filter(l -> l.matches("784-\\S+ +\\d+ cpu +\\d.*")).count(), r.out());
        assertTrue(Files.notExists(refs.resolve("report-1.json")), "no report before the first shape");
        JsonObject midway = JsonParser.parseString(Files.readString(refs.resolve("report-3.json"))).getAsJsonObject();
        assertEquals(4, midway.get("shapes").getAsInt());
        assertFalse(midway.get("complete").getAsBoolean());
        assertTrue(midway.get("other_work_processors").isJsonNull(), "not known while the timing commands run");
        JsonArray rows = midway.getAsJsonArray("rows");
        assertEquals(2 * 3, rows.size(), "the first two shapes' cpu, numpy float32 and pytorch cpu rows: " + rows);
        assertEquals("784-8-10", rows.get(3).getAsJsonObject().get("network").getAsString());
        assertEquals(2000, rows.get(3).getAsJsonObject().get("batch").getAsInt());
        JsonObject done = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertTrue(done.get("complete").getAsBoolean());
        assertEquals(4 * 3, done.getAsJsonArray("rows").size());
    }

    /** A bench stopped by a signal stops the timing commands it started, rather than leave them to finish their shape. */
    @Test
    void aBenchStoppedStopsItsTimingCommands() throws Exception {
        assumeTrue(python3Runs(), "python3 runs the stand-in reference");
        TestData.train();
        Path refs = Files.createDirectories(dir.resolve("slow"));
        Path pid = refs.resolve("pid");
        Files.writeString(refs.resolve("numpy_mlp.py"), String.join("\n",
                "import json, os, sys, time",
                "print(json.dumps({'ready': True}), flush=True)",
                "for line in sys.stdin:",
                "    open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'pid.tmp'), 'w').write(str(os.getpid()))",
                "    os.rename(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'pid.tmp'), '" + pid + "')",
                "    time.sleep(600)", ""));
        Process bench = org.mlp4j.ChildJvm.command("org.mlp4j.cli.Main", "bench", "--device", "tpu", "--epochs", "1", "--references", refs.toString(),
                "--data", TestData.dir().toString()).redirectErrorStream(true).redirectOutput(dir.resolve("bench.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(5);
            while (Files.notExists(pid) && bench.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(Files.exists(pid), "the stand-in was asked for a shape: " + Files.readString(dir.resolve("bench.log")));
            ProcessHandle reference = ProcessHandle.of(Long.parseLong(Files.readString(pid))).orElseThrow();
            bench.destroy();  // SIGTERM
            assertTrue(bench.waitFor(1, java.util.concurrent.TimeUnit.MINUTES));
            assertTrue(reference.onExit().completeOnTimeout(null, 1, java.util.concurrent.TimeUnit.MINUTES).get() != null || !reference.isAlive(),
                    "the reference, asleep in its shape, was stopped with bench");
        } finally {
            bench.destroyForcibly();
            if (Files.exists(pid)) {
                ProcessHandle.of(Long.parseLong(Files.readString(pid))).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    /** --grid: each shape and batch of the grid on each backend beside NumPy float32 of the same shape (PyTorch skips without a GPU). */
    @Test
    void theGridTimesEachShapeBesideItsReferences() throws Exception {
        TestData.train();
        Path json = dir.resolve("grid.json");
        BadInputTest.Result r = BadInputTest.run("bench", "--grid", "--grid-hidden", "30;20,10", "--grid-batch", "250", "--device", "cpu,opencl",
                "--epochs", "1", "--data", TestData.dir().toString(), "--json", json.toString());
        assertEquals(0, r.code(), r.err());
        JsonObject report = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertMachineNamed(report, r.out());
        JsonArray rows = report.getAsJsonArray("rows");
        assertEquals(2 * 6, rows.size(), "2 shapes x (cpu, opencl, numpy float32, pytorch cpu, pytorch eager, pytorch cuda graph): " + rows);
        assertEquals(2, report.get("shapes").getAsInt());
        assertTrue(report.get("complete").getAsBoolean());
        JsonObject cpu = rows.get(6).getAsJsonObject();
        assertEquals("784-20-10-10", cpu.get("network").getAsString());
        assertEquals(250, cpu.get("batch").getAsInt());
        assertEquals("cpu", cpu.get("name").getAsString());
        assertTrue(cpu.get("seconds_per_epoch").getAsDouble() > 0, cpu.toString());
        JsonObject opencl = rows.get(7).getAsJsonObject();
        if (!opencl.get("seconds_per_epoch").isJsonNull()) { // a GPU backend's detail names what its timings at session start chose
            assertTrue(opencl.get("detail").getAsString().contains("; output step 250x10x10: folded "), opencl.toString());
        }
        JsonObject numpy = rows.get(8).getAsJsonObject();
        assertEquals("pytorch cpu", rows.get(9).getAsJsonObject().get("name").getAsString());
        if (!numpy.get("seconds_per_epoch").isJsonNull()) { // NumPy installed: the ratio is the two times' quotient
            assertEquals(cpu.get("seconds_per_epoch").getAsDouble() / numpy.get("seconds_per_epoch").getAsDouble(),
                    cpu.get("ratio_to_numpy_float32").getAsDouble(), 1e-9);
            assertTrue(numpy.get("detail").getAsString().contains("float32") && numpy.get("detail").getAsString().contains("784-20-10-10, batch 250"),
                    numpy.toString());
        }
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("784-30-10") && l.contains(" cpu ")), r.out());
        BadInputTest.Result bad = BadInputTest.run("bench", "--grid", "--grid-hidden", "30;x", "--data", TestData.dir().toString());
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("--grid-hidden: 'x'"), bad.err());
        // the grid's flags without --grid would time the book's net instead: refused, before the data is read
        String absent = dir.resolve("absent").toString();
        for (String flag : List.of("--grid-hidden=512", "--grid-batch=250")) {
            BadInputTest.Result alone = BadInputTest.run("bench", flag, "--data", absent, "--no-verify");
            assertEquals(2, alone.code(), alone.err());
            assertEquals("mlp4j: " + flag.substring(0, flag.indexOf('=')) + ": the grid's shapes are timed with --grid; without it, bench times the book's net",
                    alone.err().strip());
        }
        BadInputTest.Result early = BadInputTest.run("bench", "--grid", "--grid-batch", "0", "--data", absent, "--no-verify");
        assertEquals("mlp4j: --grid-batch: batch sizes must be at least 1, got 0", early.err().strip(), "checked before the data is read");
    }

    @Test
    void aTimingIsOneJsonLineThatReadsBack() {
        Timing t = new Timing(0.25, 1.5, "cpu: \"quoted\" \\ and more", 36066.27, 0.8453);
        assertEquals(t, Timing.parse(t.toJson()));
        assertEquals(new Timing(0.0443, 0.9, "", null, null), Timing.parse("{\"seconds_per_epoch\": 0.0443, \"first_epoch\": 0.9}"),
                "a reference script's line without detail or cost");
        assertEquals("MemoryError: a shape too large", assertThrows(IllegalArgumentException.class,
                () -> Timing.parse("{\"error\": \"MemoryError: a shape too large\"}")).getMessage(), "a command's answer where a shape gives no timing");
        assertTrue(Timing.ready("{\"ready\": true}"));
        assertFalse(Timing.ready(t.toJson()));
        assertFalse(Timing.ready("ready"));
        assertThrows(IllegalArgumentException.class, () -> Timing.parse(""));
        assertThrows(IllegalArgumentException.class, () -> Timing.parse("[1]"));
        assertThrows(IllegalArgumentException.class, () -> Timing.parse("{\"first_epoch\": 1}"));
        assertThrows(IllegalArgumentException.class, () -> Timing.parse("Traceback (most recent call last):"));
    }

    /**
     * Run outside a checkout (no bench/reference where it runs, as through a link to ./mlp4j), bench takes the NumPy
     * references from the copies its jar (here, its class path) carries, and leaves no copy behind.
     */
    @Test
    void outsideACheckoutTheReferencesComeFromTheJar() throws Exception {
        assumeTrue(python3Runs(), "python3 runs the references");
        TestData.train();
        Path json = dir.resolve("elsewhere.json");
        Path temp = Files.createDirectories(dir.resolve("tmp"));
        org.mlp4j.ChildJvm.Result r = org.mlp4j.ChildJvm.run(org.mlp4j.ChildJvm.command(List.of("-Djava.io.tmpdir=" + temp), "org.mlp4j.cli.Main",
                "bench", "--device", "cpu", "--epochs", "1", "--data", TestData.dir().toAbsolutePath().toString(), "--json", json.toString())
                .directory(dir.toFile()));
        assertEquals(0, r.code(), r.out());
        JsonArray rows = JsonParser.parseString(Files.readString(json)).getAsJsonObject().getAsJsonArray("rows");
        boolean numpy = numpyImports();
        for (int i = 1; i <= 2; i++) {
            JsonObject row = rows.get(i).getAsJsonObject();
            assertTrue(row.get("name").getAsString().startsWith("numpy") && !row.get("detail").getAsString().contains("not found"), row.toString());
            assertEquals(numpy, !row.get("seconds_per_epoch").isJsonNull(), row.toString());
            assertEquals(numpy, row.get("detail").getAsString().contains(", BLAS "), "the BLAS NumPy ran on: " + row);
        }
        try (var left = Files.list(temp)) {
            assertEquals(List.of(), left.toList(), "the references' copies are deleted when bench ends");
        }
    }

    /**
     * The NumPy reference names the BLAS its products ran on, from the libraries mapped into its process, and where
     * that is netlib's reference BLAS (which Debian's python3-numpy runs on where no other is installed), says so.
     */
    @Test
    void theNumpyReferenceNamesItsBlas() throws Exception {
        assumeTrue(numpyImports(), "NumPy");
        String code = String.join("\n", "import mnist_idx",
                "for paths in [['/usr/lib/x86_64-linux-gnu/lapack/liblapack.so.3', '/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.12.1'],",
                "              ['/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3'], ['/usr/lib64/libblas.so.3'],",
                "              ['/venv/numpy.libs/libscipy_openblas64_-32a4b2a6.so'], ['/opt/intel/lib/libmkl_rt.so.2'], ['/lib/libc.so.6']]:",
                "    print(mnist_idx.blas_of(paths))");
        Process p = new ProcessBuilder("python3", "-B", "-c", code).directory(Path.of("bench", "reference").toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertEquals(List.of("('blas/libblas.so.3.12.1', True)", "('openblas-pthread/libblas.so.3', False)", "('lib64/libblas.so.3', True)",
                "('numpy.libs/libscipy_openblas64_-32a4b2a6.so', False)", "('lib/libmkl_rt.so.2', False)", "None"), out.lines().toList());
    }

    /** The jar's reference files are the scripts bench runs and every module of bench/reference they import. */
    @Test
    void theJarCarriesTheReferencesAndWhatTheyImport() throws Exception {
        Path checkout = Path.of("bench", "reference");
        for (String name : BenchCommand.REFERENCE_FILES) {
            assertTrue(Files.isRegularFile(checkout.resolve(name)), name);
            for (String line : Files.readAllLines(checkout.resolve(name))) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(?:from (\\w+) import|import (\\w+))").matcher(line);
                if (m.find()) {
                    String module = (m.group(1) != null ? m.group(1) : m.group(2)) + ".py";
                    assertTrue(!Files.exists(checkout.resolve(module)) || BenchCommand.REFERENCE_FILES.contains(module), name + " imports " + module);
                }
            }
        }
    }

    /** Whether python3 is on the PATH and runs (a machine without it skips what needs it, as the README asks none). */
    static boolean python3Runs() throws InterruptedException {
        return python3Succeeds("--version");
    }

    /** Whether python3 runs and imports NumPy (the references' timings need it). */
    static boolean numpyImports() throws InterruptedException {
        return python3Succeeds("-c", "import numpy");
    }

    private static boolean python3Succeeds(String... args) throws InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("python3"));
        command.addAll(List.of(args));
        return org.mlp4j.Commands.succeeds(command.toArray(String[]::new));
    }
}
