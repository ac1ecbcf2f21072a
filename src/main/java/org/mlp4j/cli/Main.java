package org.mlp4j.cli;

import java.io.PrintWriter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mlp4j.util.Build;
import org.mlp4j.util.UserError;
import org.mlp4j.backend.BackendFailure;
import org.mlp4j.backend.BackendUnavailableException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code mlp4j}: train, evaluate, predict, devices, bench. Exit codes: 0 ok, 2 user error, 1 internal error. */
@Command(name = "mlp4j", mixinStandardHelpOptions = true, versionProvider = Build.class,
        description = "The multilayer perceptron of Python Machine Learning, ch. 12, trained on CPU, CUDA or OpenCL.",
        subcommands = {TrainCommand.class, EvaluateCommand.class, PredictCommand.class, DevicesCommand.class, BenchCommand.class,
                Timing.OneBackend.class})
public final class Main implements Runnable {
    public static final int USER_ERROR = 2;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** No command: the usage, on stderr, as a usage error. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new MissingCommand();
    }

    /** Ends a run without a command after its usage was printed. */
    private static final class MissingCommand extends RuntimeException {
        MissingCommand() {
            super(null, null, false, false);
        }
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setOverwrittenOptionsAllowed(true); // the last of a repeated option wins, as in most CLIs
        boolean debug = java.util.Arrays.asList(args).contains("--debug");
        cli.setParameterExceptionHandler((e, a) -> {
            String hint = "";
            List<String> suggested = e instanceof CommandLine.UnmatchedArgumentException u ? suggestions(u) : List.of();
            if (!suggested.isEmpty()) {
                hint = "; did you mean " + String.join(" or ", suggested) + "?";
            } else if (e instanceof CommandLine.MissingParameterException m) {
                hint = missingOptionHint(m);
            }
            if (hint.isEmpty() && (e instanceof CommandLine.UnmatchedArgumentException || e instanceof CommandLine.MissingParameterException)) {
                hint = "; " + e.getCommandLine().getCommandSpec().qualifiedName() + " --help lists its options";
            }
            err.println("mlp4j: " + e.getMessage() + hint);
            return USER_ERROR;
        });
        cli.setExecutionExceptionHandler((e, c, p) -> {
            if (debug) {
                e.printStackTrace(err);
            }
            if (e instanceof MissingCommand) {
                return USER_ERROR;
            }
            OutOfMemoryError oom = outOfMemory(e);
            if (oom != null) {
                err.println(outOfMemoryLine(oom, args));
                return USER_ERROR;
            }
            if (e instanceof UserError || e instanceof BackendUnavailableException || e instanceof IllegalArgumentException) {
                err.println("mlp4j: " + e.getMessage());
                return USER_ERROR;
            }
            if (e instanceof BackendFailure) {
                err.println("mlp4j: " + e.getMessage() + "; stopped, nothing more was written");
                return 1;
            }
            err.println("mlp4j: internal error: " + e + (debug ? "" : " (run with --debug for the stack trace)"));
            return 1;
        });
        int code;
        try {
            code = cli.execute(args);
        } catch (Error e) {
            if (debug) {
                e.printStackTrace(err);
            }
            if (e instanceof OutOfMemoryError oom) {
                err.println(outOfMemoryLine(oom, args));
                return USER_ERROR;
            }
            err.println("mlp4j: internal error: " + e + (debug ? "" : " (run with --debug for the stack trace)"));
            return 1;
        }
        // output lost (a full disk, a closed pipe) is an error, not a silent success
        if (out.checkError()) {
            err.println("mlp4j: cannot write to standard output; what it printed is incomplete");
            return code == 0 ? USER_ERROR : code;
        }
        return code;
    }

    /** Other tools' names for options of ours (Keras', PyTorch's, scikit-learn's), and a device given as a flag. */
    private static final Map<String, String> OTHER_NAMES = Map.of("--learning-rate", "--eta", "--lr", "--eta", "--weight-decay", "--l2",
            "--gpu", "--device gpu", "--cuda", "--device cuda", "--opencl", "--device opencl", "--cpu", "--device cpu");

    /**
     * What an unknown option may have meant: its name in other tools mapped to ours, or the option its last word names
     * ({@code --num-epochs}: {@code --epochs}; {@code --cuda-device}: {@code --device}); then picocli's, which are
     * spelt alike.
     */
    static List<String> suggestions(CommandLine.UnmatchedArgumentException u) {
        Set<String> out = new LinkedHashSet<>();
        Map<String, CommandLine.Model.OptionSpec> options = u.getCommandLine().getCommandSpec().optionsMap();
        for (String arg : u.getUnmatched()) {
            String name = arg.split("=", 2)[0];
            if (!name.startsWith("--")) {
                continue;
            }
            String ours = OTHER_NAMES.get(name);
            String last = "--" + name.substring(name.lastIndexOf('-') + 1);
            if (ours != null && options.containsKey(ours.split(" ")[0])) {
                out.add(ours);
            } else if (name.lastIndexOf('-') > 1 && options.containsKey(last)) {
                out.add(last);
            }
            break;  // the first unknown option; what follows it may be its value
        }
        out.addAll(u.getSuggestions());
        return List.copyOf(out);
    }

    /**
     * For a required option left out while words without an option were given (as in {@code evaluate model.npz}): the
     * option with those words. Picocli reports the missing option before the words it could not place.
     */
    private static String missingOptionHint(CommandLine.MissingParameterException e) {
        List<String> words = e.getCommandLine().getParseResult().unmatched().stream().filter(w -> !w.startsWith("-")).toList();
        if (e.getMissing().size() != 1 || !(e.getMissing().get(0) instanceof CommandLine.Model.OptionSpec option) || words.isEmpty()
                || words.size() > option.arity().max()) {
            return "";
        }
        return "; did you mean " + option.longestName() + " " + String.join(" ", words) + "?";
    }

    /** The OutOfMemoryError that {@code e} is or was caused by, or null. */
    static OutOfMemoryError outOfMemory(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError oom) {
                return oom;
            }
        }
        return null;
    }

    static String outOfMemoryLine(OutOfMemoryError e, String[] args) {
        String command = args.length > 0 && !args[0].startsWith("-") ? "'" + args[0] + "'" : "mlp4j";
        return "mlp4j: " + command + " ran out of memory (" + e.getMessage() + ") with a heap of at most "
                + org.mlp4j.util.Limits.mib(Runtime.getRuntime().maxMemory()) + "; " + org.mlp4j.util.Limits.raiseHeapAfterRunningOut();
    }
}
