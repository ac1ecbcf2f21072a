package org.mlp4j;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** A java command line like this JVM's (the Vector API module, the data directory, the class path), for tests that need a process of its own. */
public final class ChildJvm {
    private ChildJvm() {
    }

    /** Skips the calling test where this JVM is not HotSpot, whose -XX options it gives its child JVMs. */
    public static void assumeHotSpot() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("java.vm.name", "").matches("(OpenJDK|Java HotSpot).*"), "HotSpot's options");
    }

    /** {@code java ... mainClass args}, output to a file or pipe as the caller sets it on the builder. */
    public static ProcessBuilder command(String mainClass, String... args) {
        return command(List.of(), mainClass, args);
    }

    /** As {@link #command(String, String...)}, with options for the JVM (e.g. -Xmx). */
    public static ProcessBuilder command(List<String> jvmOptions, String mainClass, String... args) {
        return commandOn(System.getProperty("java.class.path"), jvmOptions, mainClass, args);
    }

    /** As {@link #command(List, String, String...)}, on the given class path. */
    public static ProcessBuilder commandOn(String classPath, List<String> jvmOptions, String mainClass, String... args) {
        return build(classPath, jvmOptions, true, mainClass, args);
    }

    /** As {@link #commandOn}, in a JVM without the Vector API module, as a user who leaves out its option gets. */
    public static ProcessBuilder withoutVectorApi(String classPath, String mainClass, String... args) {
        return build(classPath, List.of(), false, mainClass, args);
    }

    private static ProcessBuilder build(String classPath, List<String> jvmOptions, boolean vectorApi, String mainClass, String... args) {
        List<String> cmd = new ArrayList<>(List.of(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOptions);
        if (vectorApi && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            cmd.add("--add-modules=jdk.incubator.vector");
        }
        cmd.addAll(List.of("-Dmlp4j.data=" + TestData.dir(), "-cp", classPath, mainClass));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    /** Runs {@code mlp4j args} in a child JVM to its end; returns the exit code and its output (stdout and stderr together). */
    public static Result mlp4j(String... args) throws IOException, InterruptedException {
        return run(command("org.mlp4j.cli.Main", args));
    }

    /** As {@link #mlp4j(String...)}, with options for the JVM. */
    public static Result mlp4j(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        return run(command(jvmOptions, "org.mlp4j.cli.Main", args));
    }

    /** Runs the command to its end; returns the exit code and its output (stdout and stderr together). */
    public static Result run(ProcessBuilder command) throws IOException, InterruptedException {
        Process p = command.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }

    public record Result(int code, String out) {
    }
}
