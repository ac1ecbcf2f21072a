package org.mlp4j.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.mlp4j.util.UserError;

/**
 * One timing command of {@code bench} (a backend's JVM, a reference script), started once and kept for every shape it
 * times: starting a JVM, or a Python that imports PyTorch, and loading MNIST take seconds, while a shape's epochs on a
 * GPU take a fraction of one. See {@link Timing} for what it reads and answers. A command that ends before it is
 * ready is not started again: every shape gets its reason. One that ends later (a crash on one shape) is started
 * again for the next shape.
 */
final class TimingProcess implements AutoCloseable {
    /** How long one shape may take before its command is stopped. */
    static final int LIMIT_MINUTES = 60;

    /** What {@link #lines} holds after the command's last line of stdout. */
    private static final String END = new String("end of stdout");

    private final List<String> cmd;
    private final Map<String, String> env;
    private Process process;
    private Writer requests;
    private BlockingQueue<String> lines;
    private Thread errReader;
    private volatile String lastErr;
    /** Why the command cannot time anything: it ended before it was ready. */
    private String cannotStart;

    TimingProcess(List<String> cmd, Map<String, String> env) {
        this.cmd = List.copyOf(cmd);
        this.env = Map.copyOf(env);
    }

    /**
     * The timing of one shape.
     *
     * @throws IllegalArgumentException with the reason (the command's answer, its last line on stderr where it ended, a
     *                                  time-out, a missing program) when it gives no timing
     */
    Timing time(String hidden, int batch) {
        if (cannotStart != null) {
            throw new IllegalArgumentException(cannotStart);
        }
        if (process == null) {
            start();
        }
        try {
            requests.write(Timing.JSON.toJson(new Timing.Request(hidden, batch)) + "\n");
            requests.flush();
        } catch (IOException e) {
            // it ended meanwhile: its reason is on stderr
        }
        String answer = next();
        if (answer == null) {
            throw new IllegalArgumentException(ended());
        }
        return Timing.parse(answer);
    }

    /** Starts the command and waits for its ready line; where it ends before, remembers why, for every later shape. */
    private void start() {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().putAll(env);
            process = pb.start();
        } catch (IOException e) {
            cannotStart = "cannot run " + cmd.get(0) + " (" + e.getMessage() + ")";
            throw new IllegalArgumentException(cannotStart, e);
        }
        requests = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        lines = new LinkedBlockingQueue<>();
        BlockingQueue<String> into = lines;
        Process p = process;
        daemon(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    // a timing's JSON line; anything else a command prints (a library's notice) is not an answer
                    if (line.startsWith("{")) {
                        into.add(line);
                    }
                }
            } catch (IOException e) {
                // ended: END follows
            }
            into.add(END);
        });
        lastErr = null;
        errReader = daemon(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (!line.isBlank() && !line.startsWith("WARNING: Using incubator")) {
                        lastErr = line;
                    }
                }
            } catch (IOException e) {
                // ended
            }
        });
        String ready = next();
        if (ready == null) {
            cannotStart = ended();
            throw new IllegalArgumentException(cannotStart);
        }
        if (!Timing.ready(ready)) {
            stop();
            cannotStart = "it does not answer as bench asks (a script of an older mlp4j?): its first line is " + ready;
            throw new IllegalArgumentException(cannotStart);
        }
    }

    /** The command's next answer, or null where it ended without one (then it is started again for the next shape). */
    private String next() {
        String line;
        try {
            line = lines.poll(LIMIT_MINUTES, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop();
            throw new UserError("interrupted");
        }
        if (line == null) {
            stop();
            throw new IllegalArgumentException("did not finish within " + LIMIT_MINUTES + " minutes");
        }
        if (line == END) {
            return null;
        }
        return line;
    }

    /** Why the command ended: its last line on stderr, else its exit status. Forgets the process, to start it again. */
    private String ended() {
        Process p = process;
        process = null;
        try {
            p.waitFor();
            errReader.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String err = lastErr;
        return err != null ? err.replaceFirst("^mlp4j: ", "") : "exit " + p.exitValue();
    }

    private void stop() {
        if (process != null) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process = null;
        }
    }

    /** Ends the command: its stdin closed, it exits once done; waited for, so that its processor time counts as bench's. */
    @Override
    public void close() {
        if (process == null) {
            return;
        }
        try {
            requests.close();
        } catch (IOException e) {
            // it ended already
        }
        try {
            if (!process.waitFor(1, TimeUnit.MINUTES)) {
                stop();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop();
        }
        process = null;
    }

    private static Thread daemon(Runnable r) {
        Thread t = new Thread(r, "mlp4j-bench-reader");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The running command's process id, or -1 where none runs. */
    long pid() {
        return process == null ? -1 : process.pid();
    }

    /** Why the command cannot time anything (it ended before it was ready), or null. */
    String cannotStart() {
        return cannotStart;
    }
}
