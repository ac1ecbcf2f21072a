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

    Backend open(PrintWriter err) throws BackendUnavailableException {
        return open(device, err);
    }

    Backend open(String name, PrintWriter err) throws BackendUnavailableException {
        return Backends.open(name, openclDevice, strict, err::println);
    }
}
