package org.mlp4j.backend.opencl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.BackendFailure;
import org.mlp4j.backend.BackendProvider;
import org.mlp4j.backend.BackendUnavailableException;

/** OpenCL on any platform: the first discrete GPU by default, any device with {@code --device opencl:N}. */
public final class OpenClProvider implements BackendProvider {
    @Override
    public String name() {
        return "opencl";
    }

    @Override
    public int rank() {
        return 10;
    }

    @Override
    public boolean gpu() {
        return true;
    }

    private static List<OpenCl.Device> devices() throws BackendUnavailableException {
        try {
            return OpenCl.devices();
        } catch (NoClassDefFoundError e) {
            // where mlp4j is a module, LWJGL's modules on the module path are only resolved when asked for
            throw new BackendUnavailableException("LWJGL (org.lwjgl:lwjgl, lwjgl-opencl) is not on the class path" + (OpenClProvider.class.getModule()
                    .isNamed() ? " nor among the modules resolved (--add-modules org.lwjgl.opencl,org.lwjgl.natives)" : "") + " (" + e.getMessage() + ")");
        } catch (IllegalStateException | BackendFailure | LinkageError e) {
            throw new BackendUnavailableException(e.getMessage());
        }
    }

    @Override
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        try {
            List<OpenCl.Device> all = devices();
            if (all.isEmpty()) {
                lines.add("unusable: " + noDevice(System.getenv()));
            }
            for (OpenCl.Device d : all) {
                lines.add(d.describe());
            }
            if (!all.isEmpty()) {
                OpenCl.Device d = choose(all, -1, false);
                try (Backend b = open(d)) {
                    lines.add("usable: [" + d.index() + "] by default (--device opencl:N picks another)");
                }
            }
        } catch (BackendUnavailableException e) {
            lines.add("unusable: " + e.getMessage());
        }
        return lines;
    }

    @Override
    public Backend open(int deviceIndex, boolean gpuOnly, int threads) throws BackendUnavailableException {
        return open(devices(), deviceIndex, gpuOnly);
    }

    private static Backend open(List<OpenCl.Device> all, int deviceIndex, boolean gpuOnly) throws BackendUnavailableException {
        return open(choose(all, deviceIndex, gpuOnly));
    }

    /**
     * Which of the devices listed a choice means: device N, or the first GPU of memory of its own (a laptop's discrete
     * GPU before the integrated one, wherever the platforms list it), else the first GPU, else (unless gpuOnly) the
     * first device.
     */
    static OpenCl.Device choose(List<OpenCl.Device> all, int deviceIndex, boolean gpuOnly) throws BackendUnavailableException {
        if (all.isEmpty()) {
            throw new BackendUnavailableException(noDevice(System.getenv()));
        }
        OpenCl.Device chosen;
        if (deviceIndex >= 0) {
            if (deviceIndex >= all.size()) {
                throw new BackendUnavailableException("no OpenCL device " + deviceIndex + " (" + all.size() + " present)");
            }
            chosen = all.get(deviceIndex);
            if (gpuOnly && !chosen.gpu()) {
                throw new BackendUnavailableException("OpenCL device " + deviceIndex + " (" + chosen.name() + ") is not a GPU");
            }
        } else {
            chosen = all.stream().filter(d -> d.gpu() && !d.integrated()).findFirst()
                    .orElse(all.stream().filter(OpenCl.Device::gpu).findFirst().orElse(null));
            if (chosen == null) {
                if (gpuOnly) {
                    throw new BackendUnavailableException("no OpenCL GPU (devices: " + all.stream().map(OpenCl.Device::name).toList() + ")");
                }
                chosen = all.get(0);
            }
        }
        return chosen;
    }

    /**
     * Why the ICD loader gave no device, told apart by whether any driver is registered with it: where one is, it
     * failed to start (a GPU driver's library missing in a container, PoCL without a writable cache directory).
     */
    static String noDevice(Map<String, String> env) {
        List<String> drivers = registeredDrivers(env);
        return drivers.isEmpty()
                ? "no OpenCL driver is registered (no .icd file in " + vendors(env) + "): install one, e.g."
                        + " pocl-opencl-icd for the CPU or the GPU driver's OpenCL ICD"
                : "no OpenCL device: the drivers registered (" + String.join(", ", drivers) + ") gave none, so they failed to start"
                        + " (a driver's library missing or not loading; for PoCL, POCL_DEBUG=1 says why)";
    }

    private static Path vendors(Map<String, String> env) {
        String named = env.get("OCL_ICD_VENDORS");
        return Path.of(named == null || named.isBlank() ? "/etc/OpenCL/vendors" : named);
    }

    /** The drivers the ICD loaders read: OCL_ICD_FILENAMES' libraries, else the .icd files of OCL_ICD_VENDORS or /etc/OpenCL/vendors. */
    static List<String> registeredDrivers(Map<String, String> env) {
        String files = env.get("OCL_ICD_FILENAMES");
        if (files != null && !files.isBlank()) {
            return Arrays.stream(files.split(":")).filter(f -> !f.isBlank()).map(f -> Path.of(f).getFileName().toString()).toList();
        }
        Path vendors = vendors(env);
        if (Files.isRegularFile(vendors)) {
            return List.of(vendors.getFileName().toString());
        }
        try (Stream<Path> icds = Files.list(vendors)) {
            return icds.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".icd")).sorted().toList();
        } catch (IOException | UncheckedIOException e) {
            return List.of();
        }
    }

    private static Backend open(OpenCl.Device chosen) throws BackendUnavailableException {
        try {
            return new OpenClBackend(chosen);
        } catch (BackendFailure e) {
            throw new BackendUnavailableException(e.getMessage(), e);
        }
    }
}
