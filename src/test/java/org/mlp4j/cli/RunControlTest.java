package org.mlp4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlp4j.ChildJvm;
import org.mlp4j.TestData;
import org.mlp4j.data.IdxTest;
import org.mlp4j.data.Mnist;
import org.mlp4j.model.CheckpointFile;

/**
 * A training run stopped by a signal, in a child JVM as a user runs it: it saves what it has (model,
 * history, checkpoint, readable as any file the user makes) and {@code --resume} finishes it exactly as an
 * uninterrupted run. Nothing here waits for a time: the child trains until it has written a few epochs.
 */
class RunControlTest {
    /** A bound on each wait for the child, far above what it needs, so a hang fails instead of blocking CI. */
    private static final long LIMIT_SECONDS = 300;

    @TempDir
    Path dir;
    Path data;

    /** The endless runs a test started, killed after it (one that failed before it stopped its run leaves none behind). */
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void writeData() {
        data = TestData.small(dir.resolve("data"));
    }

    @AfterEach
    void killRuns() {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    List<String> train(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--device", "cpu", "--data", data.toString(), "--no-verify", "--out",
                out.toString(), "--valid", "50", "--batch", "10", "--hidden", "8", "--checkpoint-every", "0"));
        a.addAll(List.of(more));
        return a;
    }

    /** Waits until the run in {@code out} has written {@code epochs} lines of history; fails if the child ends first. */
    static void awaitEpochs(Process p, Path out, int epochs) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIMIT_SECONDS);
        Path history = out.resolve("history.csv");
        while (!Files.exists(history) || Files.readAllLines(history).size() <= epochs) {
            assertTrue(p.isAlive(), "the run ended before " + epochs + " epochs");
            assertTrue(System.nanoTime() < until, "no " + epochs + " epochs within " + LIMIT_SECONDS + " s");
            Thread.sleep(20);
        }
    }

    static void signal(String name, long pid) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start().waitFor());
    }

    static String finish(Process p, Path log) throws Exception {
        assertTrue(p.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS), "the run did not end after the signal");
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** history.csv without its seconds column, which is the one column allowed to differ. */
    static List<String> results(Path history) throws IOException {
        return Files.readAllLines(history).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
    }

    /** Resumes the run in {@code stopped} up to 2 epochs past where it stopped, and compares with a straight run of as many epochs. */
    void resumeMatchesAStraightRun(Path stopped) throws Exception {
        int epochs = CheckpointFile.load(stopped.resolve("checkpoint.npz")).history().size() + 2;
        BadInputTest.Result resumed = BadInputTest.run("train", "--resume", stopped.toString(), "--data", data.toString(), "--no-verify",
                "--epochs", Integer.toString(epochs));
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("resuming " + stopped + " at epoch"), resumed.out());
        Path straight = dir.resolve("straight");
        BadInputTest.Result s = BadInputTest.run(train(straight, "--epochs", Integer.toString(epochs)).toArray(String[]::new));
        assertEquals(0, s.code(), s.err());
        assertEquals(results(straight.resolve("history.csv")), results(stopped.resolve("history.csv")));
        assertArrayEquals(Files.readAllBytes(straight.resolve("model.npz")), Files.readAllBytes(stopped.resolve("model.npz")));
    }

    /** What the stopped run left: its three files, readable as a file the user creates there is, and no temporary file. */
    static void savedTheRun(Path out) throws IOException {
        Path reference = Files.createFile(out.resolve("reference"));
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(reference));
        for (String f : new String[] {"model.npz", "history.csv", "checkpoint.npz"}) {
            assertTrue(Files.exists(out.resolve(f)), f);
            assertEquals(mode, PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve(f))), f + "'s permissions");
        }
        Files.delete(reference);
        try (var files = Files.list(out)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList(), "temporary files left");
        }
    }

    /** Starts a run into {@code out} that would go on for a million epochs, its output into {@code log}. */
    Process endlessRun(Path out, Path log) throws IOException {
        Process p = ChildJvm.command("org.mlp4j.cli.Main", train(out, "--epochs", "1000000").toArray(String[]::new))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started.add(p);
        return p;
    }

    /** Starts an endless run, signals it after {@code epochs} epochs, and returns its directory once it has saved and exited. */
    Path stoppedBy(String signal, int exitCode, int epochs) throws Exception {
        Path out = dir.resolve("run");
        Path log = dir.resolve("run.log");
        Process p = endlessRun(out, log);
        awaitEpochs(p, out, epochs);
        signal(signal, p.pid());
        String said = finish(p, log);
        assertEquals(exitCode, p.exitValue(), said);
        // the command to continue names the run's --data and --device, which the resume needs to go on as the run would have
        assertTrue(said.contains("stopped by SIG" + signal + " at epoch ")
                && said.contains("; continue with: mlp4j train --resume " + out + " --data " + data + " --device cpu\n"), said);
        assertFalse(said.contains("\tat "), said);
        savedTheRun(out);
        return out;
    }

    @Test
    void sigintSavesTheRunAndResumeFinishesItAsAStraightRun() throws Exception {
        resumeMatchesAStraightRun(stoppedBy("INT", 130, 3));
    }

    @Test
    void sigtermDoesTheSame() throws Exception {
        stoppedBy("TERM", 143, 2);
    }

    /** A hang-up (the terminal closed, an ssh session dropped) saves the run too, where the JVM's default would end it unsaved. */
    @Test
    void sighupDoesTheSame() throws Exception {
        stoppedBy("HUP", 129, 2);
    }

    /**
     * Under nohup (SIGHUP ignored as the JVM starts) a hang-up leaves the run training, also where the OpenCL probe of
     * --device auto loads PoCL, whose LLVM installs a SIGHUP handler of its own; SIGTERM still stops it.
     */
    @Test
    void aHangUpUnderNohupLeavesTheRunTraining() throws Exception {
        Path out = dir.resolve("run");
        Path log = dir.resolve("run.log");
        List<String> args = train(out, "--epochs", "1000000");
        args.set(args.indexOf("cpu"), "auto");
        List<String> command = new ArrayList<>(List.of("bash", "-c", "trap '' HUP; exec \"$@\"", "nohup"));
        command.addAll(ChildJvm.command("org.mlp4j.cli.Main", args.toArray(String[]::new)).command());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started.add(p);
        awaitEpochs(p, out, 1);
        signal("HUP", p.pid());
        awaitEpochs(p, out, 3);
        signal("TERM", p.pid());
        String said = finish(p, log);
        assertEquals(143, p.exitValue(), said);
        assertTrue(said.contains("stopped by SIGTERM at epoch ") && !said.contains("SIGHUP"), said);
        savedTheRun(out);
    }

    /**
     * A second train into the directory a run is training into (before the run's first checkpoint, which would refuse it
     * anyway) is refused, naming the run's process; the run goes on, and its lock is gone once it has stopped.
     */
    @Test
    void aSecondRunIntoARunsDirectoryIsRefusedWhileTheRunTrains() throws Exception {
        Path out = dir.resolve("run");
        Path log = dir.resolve("run.log");
        Process p = endlessRun(out, log);
        awaitEpochs(p, out, 1);
        BadInputTest.Result second = BadInputTest.run(train(out, "--epochs", "1").toArray(String[]::new));
        assertEquals(2, second.code(), second.err());
        assertTrue(second.err().contains("another mlp4j train (PID " + p.pid() + ") is training into " + out), second.err());
        assertTrue(p.isAlive(), "the first run goes on");
        signal("TERM", p.pid());
        String said = finish(p, log);
        assertEquals(143, p.exitValue(), said);
        assertFalse(Files.exists(out.resolve(RunLock.NAME)), "the lock's file is deleted when the run ends");
        savedTheRun(out);
    }

    /** Runs without --out that start in the same second (a sweep started at once) each get a directory of their own. */
    @Test
    void runsOfTheSameSecondGetDirectoriesOfTheirOwn() throws Exception {
        Path first = dir.resolve("runs").resolve("20261203-010115");
        assertEquals(first, TrainCommand.freshRunDirectory(first));
        assertEquals(dir.resolve("runs").resolve("20261203-010115-2"), TrainCommand.freshRunDirectory(first));
        Files.createDirectory(dir.resolve("runs").resolve("20261203-010115-3"));
        assertEquals(dir.resolve("runs").resolve("20261203-010115-4"), TrainCommand.freshRunDirectory(first));
        assertTrue(Files.isDirectory(first) && Files.isDirectory(dir.resolve("runs").resolve("20261203-010115-2")));
    }

    /** On a terminal (a pseudo-terminal from script(1)) the progress line is drawn, and Ctrl-C still stops and saves. */
    @Test
    void ctrlCOnATerminalStopsAndSaves() throws Exception {
        try {  // script(1) installed, and a pseudo-terminal to be had (a chroot without devpts has none)
            Process probe = new ProcessBuilder("script", "-qec", "true", "/dev/null").redirectErrorStream(true).start();
            String said = new String(probe.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            Assumptions.assumeTrue(probe.waitFor() == 0, "script(1) cannot run a command on a pseudo-terminal here: " + said.strip());
        } catch (IOException e) {
            Assumptions.abort("script(1) is not installed: " + e.getMessage());
        }
        Path out = dir.resolve("tty");
        Path log = dir.resolve("tty.log");
        Path errors = dir.resolve("tty.err");
        // standard error to a file of its own: the progress line goes to standard output, with the epochs' lines (./mlp4j
        // passes standard error through a filter, whose output could reach the terminal after them)
        String java = String.join(" ", ChildJvm.command("org.mlp4j.cli.Main", train(out, "--epochs", "1000000").toArray(String[]::new))
                .command().stream().map(a -> "'" + a.replace("'", "'\\''") + "'").toList()) + " 2>'" + errors + "'";
        Process script = new ProcessBuilder("script", "-qec", java, "/dev/null").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started.add(script);
        awaitEpochs(script, out, 2);
        long pid = script.descendants().filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .findFirst().orElseThrow().pid();
        signal("INT", pid);
        String said = finish(script, log);
        assertEquals(130, script.exitValue(), said);
        assertTrue(said.contains("] ") && said.contains(" steps | run "), "the progress line was shown: " + said);
        String toErrors = Files.readString(errors);
        assertTrue(!toErrors.contains(" steps | run ") && toErrors.contains("stopped by SIGINT"), toErrors);
        savedTheRun(out);
        resumeMatchesAStraightRun(out);
    }

    @Test
    void resumingARunThatStoppedEarlyTrainsNothing() throws IOException {
        Path out = dir.resolve("early");
        // the rate falls to 1e-30 of itself after epoch 1, too little to move a weight: epoch 2 is no better than epoch 1
        BadInputTest.Result r = BadInputTest.run(train(out, "--epochs", "10", "--patience", "1", "--lr-schedule", "step", "--lr-step", "1",
                "--lr-gamma", "1e-30").toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("early stop after epoch 2: no better validation accuracy for 1 epoch; keeping epoch 1's model"), r.out());
        byte[] model = Files.readAllBytes(out.resolve("model.npz"));
        for (String epochs : new String[] {"10", "20"}) {
            BadInputTest.Result resumed = BadInputTest.run("train", "--resume", out.toString(), "--data", data.toString(), "--no-verify",
                    "--epochs", epochs);
            assertEquals(0, resumed.code(), resumed.err());
            assertEquals("the run in " + out + " stopped early after epoch 2, 1 epoch after its best (epoch 1): nothing to train",
                    resumed.out().strip());
        }
        assertArrayEquals(model, Files.readAllBytes(out.resolve("model.npz")));
    }

    /**
     * An epoch no better than always answering the most common class (84 of the 250 training examples) gets one note,
     * saying what the summed gradient's rate is as other tools average it; a run that learns gets none.
     */
    @Test
    void aRunNoBetterThanOneAnswerSaysSoOnce() {
        String note = "note: no better than always answering the most common class (33.60%)";
        BadInputTest.Result slow = BadInputTest.run(train(dir.resolve("slow"), "--epochs", "3").toArray(String[]::new));
        assertEquals(0, slow.code(), slow.err());
        assertEquals(List.of(note + "; summed over the batch, as the book's gradient is, --eta 0.0005 at batch 10 is a rate of 0.005 on the "
                + "averaged gradient of other tools (--gradient mean)"), slow.out().lines().filter(l -> l.startsWith("note: no better")).toList(),
                slow.out());
        assertTrue(slow.out().lines().filter(l -> l.startsWith("epoch ")).allMatch(l -> l.contains("train   0.00%")), "every epoch: " + slow.out());
        BadInputTest.Result mean = BadInputTest.run(train(dir.resolve("mean"), "--epochs", "1", "--gradient", "mean", "--eta", "0.05").toArray(String[]::new));
        assertTrue(mean.out().contains("\n" + note + "\n"), mean.out());
        BadInputTest.Result learns = BadInputTest.run(train(dir.resolve("learns"), "--epochs", "2", "--eta", "0.2").toArray(String[]::new));
        assertTrue(learns.out().contains("train 100.00%") && !learns.out().contains("note: no better"), learns.out());
        // not at the first of more epochs, which a small table's run often spends on the most common class: after five
        // such epochs in a row
        BadInputTest.Result longer = BadInputTest.run(train(dir.resolve("longer"), "--epochs", "7").toArray(String[]::new));
        List<String> lines = longer.out().lines().filter(l -> l.startsWith("epoch ") || l.startsWith("note: no better")).toList();
        assertEquals(5, lines.indexOf(lines.stream().filter(l -> l.startsWith("note")).findFirst().orElseThrow()), longer.out());
    }

    /** Extending a finished cosine run stretches its schedule, and the resumed run says so; extending a constant rate's says nothing. */
    @Test
    void extendingACosineRunSaysItsRatesAreNotAStraightRuns() {
        for (String schedule : List.of("cosine", "constant")) {
            Path out = dir.resolve(schedule);
            assertEquals(0, BadInputTest.run(train(out, "--epochs", "2", "--lr-schedule", schedule).toArray(String[]::new)).code());
            BadInputTest.Result more = BadInputTest.run("train", "--resume", out.toString(), "--data", data.toString(), "--no-verify",
                    "--epochs", "3");
            assertEquals(0, more.code(), more.err());
            assertEquals(schedule.equals("cosine"), more.out().contains("resuming " + out + " at epoch 3\nnote: the cosine schedule now spans 3 "
                    + "epochs; epochs 1-2 took their rates from a run of 2, so this run's rates are not those of a run of 3 from the start\n"),
                    more.out());
            assertTrue(more.out().contains("epoch 3/3"), more.out());
        }
    }

    /** The paths in that command are words a shell reads back as they were, whatever their characters. */
    @Test
    void theCommandToContinueQuotesWhatTheShellWouldSplit() throws Exception {
        for (String path : List.of("runs/20261203-081500", "/tmp/my runs/a", "it's", "a\"b$c`d", "*.npz")) {
            String word = org.mlp4j.util.UserError.shellWord(path);
            assertEquals(!path.startsWith("runs/"), word.startsWith("'"), word);
            Process p = new ProcessBuilder("sh", "-c", "printf %s " + word).start();
            assertEquals(path, new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(0, p.waitFor());
        }
    }

    @Test
    void aRunDirectoryIsNotOverwrittenAndResumeKeepsItsSettingsAndData() throws IOException {
        Path out = dir.resolve("done");
        assertEquals(0, BadInputTest.run(train(out, "--epochs", "1").toArray(String[]::new)).code());
        BadInputTest.Result again = BadInputTest.run(train(out, "--epochs", "1").toArray(String[]::new));
        assertEquals(2, again.code());
        assertTrue(again.err().contains("already holds a run") && again.err().contains("--resume " + out), again.err());
        // resuming a finished run without more epochs says so and writes nothing
        byte[] model = Files.readAllBytes(out.resolve("model.npz"));
        java.nio.file.attribute.FileTime written = Files.getLastModifiedTime(out.resolve("model.npz"));
        BadInputTest.Result done = BadInputTest.run("train", "--resume", out.toString(), "--data", data.toString(), "--no-verify");
        assertEquals(0, done.code(), done.err());
        assertEquals("the run in " + out + " has done its 1 epoch: nothing to train; --epochs N extends it to N", done.out().strip());
        assertArrayEquals(model, Files.readAllBytes(out.resolve("model.npz")));
        assertEquals(written, Files.getLastModifiedTime(out.resolve("model.npz")));
        BadInputTest.Result eta = BadInputTest.run("train", "--resume", out.toString(), "--data", data.toString(), "--no-verify", "--eta", "0.1");
        assertEquals(2, eta.code());
        assertTrue(eta.err().startsWith("mlp4j: --eta: a resumed run keeps its own settings"), eta.err());
        // the run's model or checkpoint given for its directory
        for (String file : List.of("model.npz", "checkpoint.npz")) {
            BadInputTest.Result wrong = BadInputTest.run("train", "--resume", out.resolve(file).toString(), "--data", data.toString(), "--no-verify");
            assertEquals(2, wrong.code());
            assertEquals(List.of("mlp4j: --resume: takes the run's directory, not a file; did you mean --resume " + out + "?"), wrong.err().lines().toList());
        }
        // a directory without a checkpoint: each case says what to do instead
        Path modelOnly = Files.createDirectories(dir.resolve("model only"));  // a path the suggested option quotes
        Files.copy(out.resolve("model.npz"), modelOnly.resolve("model.npz"));
        Path killed = Files.createDirectories(dir.resolve("killed"));
        Files.copy(out.resolve(TrainCommand.HISTORY), killed.resolve(TrainCommand.HISTORY));
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Map<Path, String> said = Map.of(dir.resolve("none"), dir.resolve("none") + ": no such directory",
                modelOnly, modelOnly + " holds a model but no checkpoint.npz to continue; start a run from the model's parameters with --init '"
                        + modelOnly.resolve("model.npz") + "'",
                killed, killed + " holds no checkpoint.npz: the run there ended before it wrote one (every --checkpoint-every epochs, at its end"
                        + " and when stopped by Ctrl-C, SIGTERM or SIGHUP); train it again with --out " + killed,
                empty, empty + " holds no run to continue (no checkpoint.npz)", Path.of("/dev/null"), "/dev/null is not a directory");
        said.forEach((runDir, why) -> {
            BadInputTest.Result none = BadInputTest.run("train", "--resume", runDir.toString(), "--data", data.toString(), "--no-verify");
            assertEquals(2, none.code(), none.out());
            assertEquals(List.of("mlp4j: --resume: " + why), none.err().lines().toList());
        });
        // other data than the run's
        Path fewer = TestData.small(dir.resolve("fewer"));
        Files.write(fewer.resolve(Mnist.TRAIN_IMAGES), IdxTest.idx(new int[] {200, 4, 4}, new byte[200 * 16]));
        byte[] labels = new byte[200];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (byte) (i % 3);
        }
        Files.write(fewer.resolve(Mnist.TRAIN_LABELS), IdxTest.idx(new int[] {200}, labels));
        BadInputTest.Result other = BadInputTest.run("train", "--resume", out.toString(), "--data", fewer.toString(), "--no-verify",
                "--epochs", "2");
        assertEquals(2, other.code());
        assertTrue(other.err().contains("was trained on 300 examples") && other.err().contains("has 200 of 16"), other.err());
        // as many examples of the same size, but not the run's (another dataset under MNIST's names, a forgotten --data)
        Path relabelled = TestData.small(dir.resolve("relabelled"));
        labels = new byte[300];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (byte) ((i + 1) % 3);
        }
        Files.write(relabelled.resolve(Mnist.TRAIN_LABELS), IdxTest.idx(new int[] {300}, labels));
        other = BadInputTest.run("train", "--resume", out.toString(), "--data", relabelled.toString(), "--no-verify", "--epochs", "2");
        assertEquals(2, other.code());
        assertEquals(List.of("mlp4j: the run in " + out + " was trained on other examples than " + relabelled + " holds (as many, with other "
                + "pixels or labels); give --data the directory it trained on"), other.err().lines().toList());
        // the run's examples in another directory are the run's
        Path copy = TestData.small(dir.resolve("copy"));
        BadInputTest.Result more = BadInputTest.run("train", "--resume", out.toString(), "--data", copy.toString(), "--no-verify", "--epochs", "2");
        assertEquals(0, more.code(), more.err());
    }
}
