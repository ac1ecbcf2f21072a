package org.mlp4j.cli;

import java.io.PrintWriter;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.BackendUnavailableException;
import org.mlp4j.backend.Backends;
import picocli.CommandLine.Option;

/** {@code --device}, {@code --strict}, {@code --opencl-device}, shared by the commands that compute. */
final class DeviceOptions {
    @Option(names = "--device", paramLabel = "NAME", defaultValue = "auto",
            description = "auto, cpu, gpu, cuda or opencl (default: ${DEFAULT-VALUE}: the best usable backend)")
    String device;

    @Option(names = "--strict", description = "fail (exit 2) instead of falling back to the cpu backend")
    boolean strict;

    @Option(names = "--opencl-device", paramLabel = "N", defaultValue = "-1",
            description = "which OpenCL device (index in `mlp4j devices`; default: the first GPU, else the first device)")
    int openclDevice;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "threads of the cpu backend (default: one per processor); results do not depend on it")
    int threads;

    Backend open(PrintWriter err) throws BackendUnavailableException {
        return open(device, err);
    }

    Backend open(String name, PrintWriter err) throws BackendUnavailableException {
        if (threads < 0) {
            throw new org.mlp4j.util.UserError("--threads: must be at least 1 (or 0 for one per processor), got " + threads);
        }
        return Backends.open(name, openclDevice, threads, strict, err::println);
    }
}
