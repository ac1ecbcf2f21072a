package org.mlp4j.cli;

import java.io.PrintWriter;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.BackendUnavailableException;
import org.mlp4j.backend.Backends;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --device}, {@code --strict}, {@code --threads}, shared by the commands that compute. */
final class DeviceOptions {
    String device;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** Checked as it is parsed, so that a misspelt name fails before MNIST is fetched or loaded. */
    @Option(names = "--device", paramLabel = "NAME", defaultValue = "auto",
            description = "auto, gpu, cpu, cuda, opencl, or cuda:N or opencl:N for that backend's device N in `mlp4j devices` "
                    + "(default: ${DEFAULT-VALUE}: the best usable backend)")
    void device(String name) {
        try {
            Backends.checkDeviceName(name);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--device: " + e.getMessage());
        }
        device = name;
    }

    @Option(names = "--strict", description = "fail (exit 2) instead of falling back to the cpu backend")
    boolean strict;

    int threads;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "threads of the cpu backend (default: one per processor); results do not depend on it")
    void threads(int n) {
        if (n < 0) {
            throw new ParameterException(spec.commandLine(), "--threads: must be at least 1 (or 0 for one per processor), got " + n);
        }
        threads = n;
    }

    Backend open(PrintWriter err) throws BackendUnavailableException {
        return open(device, err);
    }

    Backend open(String name, PrintWriter err) throws BackendUnavailableException {
        return Backends.open(name, threads, strict, err::println);
    }
}
