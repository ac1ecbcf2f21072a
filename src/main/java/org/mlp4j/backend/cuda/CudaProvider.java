package org.mlp4j.backend.cuda;

import java.util.ArrayList;
import java.util.List;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.BackendFailure;
import org.mlp4j.backend.BackendProvider;
import org.mlp4j.backend.BackendUnavailableException;
import org.mlp4j.backend.NativeTemp;

/** The CUDA backend when an NVIDIA driver, a GPU, cuBLAS and the built kernels are all present. */
public final class CudaProvider implements BackendProvider {
    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public int rank() {
        return 20;
    }

    @Override
    public boolean gpu() {
        return true;
    }

    /**
     * Why JCuda's driver class did not load, once it has failed: its static initialiser does not run again, and a
     * later use reads "Could not initialize class", which says nothing of the cause.
     */
    private static volatile String driverFailure;

    /** Checks everything short of opening the device; returns the device count. */
    static int probe() throws BackendUnavailableException {
        if (CudaProvider.class.getResource("/kernels/gather.ptx") == null) {
            throw new BackendUnavailableException(CudaBackend.NOT_BUILT);
        }
        if (NativeLibraries.find("libcuda.so.1") == null) {
            throw new BackendUnavailableException("no NVIDIA driver (libcuda.so.1 not found)");
        }
        if (driverFailure != null) {
            throw new BackendUnavailableException(driverFailure);
        }
        int rc;
        try {
            JCudaDriver.setExceptionsEnabled(false);
            rc = JCudaDriver.cuInit(0);
        } catch (NoClassDefFoundError e) {
            driverFailure = "JCuda (org.jcuda:jcuda, jcublas) is not on the class path (" + e.getMessage() + ")";
            throw new BackendUnavailableException(driverFailure);
        } catch (Throwable t) {
            String temp = NativeTemp.problem();
            driverFailure = "the JCuda driver library failed to load: " + (temp != null ? temp : loadFailure(t));
            throw new BackendUnavailableException(driverFailure);
        }
        if (rc != CUresult.CUDA_SUCCESS) {
            throw new BackendUnavailableException("cuInit failed: " + CUresult.stringFor(rc));
        }
        int[] count = new int[1];
        JCudaDriver.cuDeviceGetCount(count);
        if (count[0] == 0) {
            throw new BackendUnavailableException("no CUDA device");
        }
        return count[0];
    }

    /**
     * JCuda's report of a library that did not load, in a line: its first (which library) and the last error it
     * quotes (the copy from the jar, tried after the library path), without the platform's details and the traces.
     */
    static String loadFailure(Throwable t) {
        if (t.getMessage() == null || t.getMessage().isBlank()) {
            return t.toString();
        }
        List<String> lines = t.getMessage().lines().toList();
        String error = lines.stream().filter(l -> l.matches("(java|jcuda)\\.[\\w.$]+(Error|Exception): .*")).reduce((a, b) -> b).orElse(null);
        return error == null ? lines.get(0) : lines.get(0) + ": " + error;
    }

    @Override
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        try {
            int count = probe();
            if (count > 1) {
                for (int i = 0; i < count; i++) {
                    lines.add("[" + i + "] " + CudaBackend.identity(i));
                }
            }
            try (Backend b = open(count, 0)) {
                lines.add("usable: " + b.description());
            }
            if (count > 1) {
                lines.add("usable: [0] by default (--device cuda:N picks another)");
            }
        } catch (BackendUnavailableException | BackendFailure e) {
            lines.add("unusable: " + e.getMessage());
        }
        return lines;
    }

    @Override
    public Backend open(int deviceIndex, boolean gpuOnly, int threads) throws BackendUnavailableException {
        return open(probe(), deviceIndex < 0 ? 0 : deviceIndex);
    }

    /** Opens device {@code index} of the {@code count} that {@link #probe} found. */
    private static Backend open(int count, int index) throws BackendUnavailableException {
        if (index >= count) {
            throw new BackendUnavailableException("no CUDA device " + index + " (" + count + " present)");
        }
        String route;
        try {
            route = NativeLibraries.prepareCublas();
        } catch (IllegalStateException e) {
            throw new BackendUnavailableException(e.getMessage());
        }
        try {
            return new CudaBackend(index, route);
        } catch (BackendFailure | IllegalStateException | LinkageError e) {
            throw new BackendUnavailableException(e.getMessage(), e);
        }
    }
}
