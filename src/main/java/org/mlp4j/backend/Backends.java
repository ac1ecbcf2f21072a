package org.mlp4j.backend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import org.mlp4j.util.Limits;
import org.mlp4j.util.UserError;

/** Chooses a backend by name at run time from the providers {@link ServiceLoader} finds. */
public final class Backends {
    public static final String CPU = "cpu";

    private Backends() {
    }

    /** Found once: a scan of the class path for them costs more than a prediction of a few rows. */
    private static List<BackendProvider> providers;

    /** Every provider on the class path, best first. */
    public static synchronized List<BackendProvider> providers() {
        if (providers == null) {
            List<BackendProvider> list = new ArrayList<>();
            ServiceLoader.load(BackendProvider.class).forEach(list::add);
            list.sort(Comparator.comparingInt(BackendProvider::rank).reversed());
            providers = List.copyOf(list);
        }
        return providers;
    }

    /** Opens {@code p}; a library it needs that is missing (a GPU library left off the class path) is its reason. */
    private static Backend open(BackendProvider p, int deviceIndex, boolean gpuOnly, int threads) throws BackendUnavailableException {
        try {
            return p.open(deviceIndex, gpuOnly, threads);
        } catch (LinkageError e) {
            throw new BackendUnavailableException(missing(e));
        }
    }

    /** {@code p}'s description lines, or why it cannot run when a library it needs is missing. */
    public static List<String> describe(BackendProvider p) {
        try {
            return p.describe();
        } catch (LinkageError e) {
            return List.of("unusable: " + missing(e));
        }
    }

    private static String missing(LinkageError e) {
        return "a library it needs is not on the class path (" + e + ")";
    }

    /**
     * Refuses, before anything is allocated, {@code bytes} for {@code what} that {@code backend} has no room for:
     * on the cpu backend, whose memory is the heap, as a {@link UserError} saying how to raise it; on a device as
     * {@link DeviceMemoryException}, after checking the heap for {@code hostBytes} that {@code hostWhat} keeps
     * on the host beside. {@code uploaded} of the bytes are a dataset's upload, which the cpu backend reads where
     * the heap already holds it.
     */
    public static void requireMemory(Backend backend, long bytes, long uploaded, String what, long hostBytes, String hostWhat) {
        boolean onHeap = backend.name().equals(CPU);
        if (!onHeap) {
            Limits.heap(hostBytes, hostWhat);
        } else {
            bytes -= uploaded;
        }
        long have = backend.memoryAvailable();
        if (bytes > have && onHeap) {
            System.gc();  // the heap's garbage is room too, as Limits.heap counts it
            have = backend.memoryAvailable();
        }
        if (bytes <= have) {
            return;
        }
        String needs = what + " needs about " + Limits.mib(bytes);
        if (onHeap) {
            long max = Runtime.getRuntime().maxMemory();
            throw new UserError(needs + " of heap, but the JVM has " + Limits.mib(have) + " free of its " + Limits.mib(max) + " maximum; "
                    + Limits.raiseHeap(max - have + bytes));
        }
        throw new DeviceMemoryException(backend.name() + ": out of device memory: " + needs + ", " + Limits.mib(have) + " are free");
    }

    /** The names {@code --device} accepts. */
    public static List<String> deviceNames() {
        List<String> names = new ArrayList<>(List.of("auto", "gpu"));
        providers().forEach(p -> names.add(p.name()));
        return names;
    }

    /** A {@code --device} value: a name of {@link #deviceNames}, in lower case, and the device number after it, or -1. */
    private record Choice(String name, int index) {
    }

    /**
     * {@code device} as {@link #open} takes it: a name of {@link #deviceNames}, in any case, and after a GPU backend's
     * name, a colon and which of its devices ({@code cuda:1}, {@code opencl:0}; as {@code mlp4j devices} numbers them).
     *
     * @throws IllegalArgumentException naming the names it could be
     */
    public static void checkDeviceName(String device) {
        choice(device);
    }

    private static Choice choice(String device) {
        String value = device.toLowerCase(Locale.ROOT);
        int colon = value.indexOf(':');
        String name = colon < 0 ? value : value.substring(0, colon);
        List<String> numbered = numbered();
        if (!deviceNames().contains(name)) {
            throw new IllegalArgumentException("unknown device '" + device + "' (expected one of " + String.join(", ", deviceNames())
                    + (numbered.isEmpty() ? "" : "; " + String.join(" or ", numbered.stream().map(n -> n + ":N").toList()) + " for its device N")
                    + ")");
        }
        if (colon < 0) {
            return new Choice(name, -1);
        }
        String number = value.substring(colon + 1);
        if (!numbered.contains(name)) {
            throw new IllegalArgumentException("device '" + device + "': " + name + " takes no device number"
                    + (numbered.isEmpty() ? "" : " (" + String.join(" and ", numbered) + " do)"));
        }
        if (!number.matches("[0-9]{1,9}")) {
            throw new IllegalArgumentException("device '" + device + "': after '" + name + ":' a device number (0, 1, ...), not '" + number + "'");
        }
        return new Choice(name, Integer.parseInt(number));
    }

    /** The backends whose devices are chosen by number: the GPU backends. */
    private static List<String> numbered() {
        return providers().stream().filter(BackendProvider::gpu).map(BackendProvider::name).toList();
    }

    /**
     * Opens the backend for a {@code --device} value.
     * {@code auto}: the best usable GPU backend, else the cpu backend, silently. {@code gpu}: the same, but
     * a fallback is warned about. A named backend: that one (OpenCL then takes any device), and with a number,
     * that device of it ({@code cuda:1}). When the
     * choice cannot run, the CPU backend is opened instead and {@code warn} gets one line with the reason,
     * unless {@code strict}, which throws instead ({@code auto} never needs a fallback, so never throws).
     * {@code threads} is the cpu backend's thread count (0: one per processor), also when it is the fallback.
     *
     * @throws IllegalArgumentException for an unknown device name
     */
    public static Backend open(String device, int threads, boolean strict, Consumer<String> warn) throws BackendUnavailableException {
        Choice choice = choice(device);
        String name = choice.name();
        List<BackendProvider> all = providers();
        List<BackendProvider> candidates = new ArrayList<>();
        boolean gpuOnly = false;
        switch (name) {
            // auto: a GPU when there is one (never OpenCL on a CPU, which is slower than the cpu backend)
            case "auto", "gpu" -> {
                gpuOnly = true;
                all.stream().filter(BackendProvider::gpu).forEach(candidates::add);
            }
            default -> all.stream().filter(p -> p.name().equals(name)).forEach(candidates::add);
        }
        List<String> reasons = new ArrayList<>();
        for (BackendProvider p : candidates) {
            try {
                return open(p, choice.index(), gpuOnly, threads);
            } catch (BackendUnavailableException e) {
                // a backend's own messages may name it already ("cuda: out of GPU memory ...")
                String message = String.valueOf(e.getMessage());
                reasons.add(message.startsWith(p.name() + ": ") ? message : p.name() + ": " + message);
            }
        }
        String why = reasons.isEmpty() ? "no GPU backend is installed" : String.join("; ", reasons);
        if (strict && !name.equals("auto")) {
            throw new BackendUnavailableException("device '" + device + "' is unusable: " + why);
        }
        if (!name.equals("auto")) {
            warn.accept("warning: device '" + device + "' is unusable (" + why + "); falling back to the cpu backend");
        }
        for (BackendProvider p : all) {
            if (p.name().equals(CPU)) {
                return open(p, -1, false, threads);
            }
        }
        throw new BackendUnavailableException("no cpu backend on the class path");
    }
}
