package org.mlp4j.backend.cuda;

import java.util.ArrayList;
import java.util.List;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.BackendFailure;
import org.mlp4j.backend.BackendProvider;
import org.mlp4j.backend.BackendUnavailableException;

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

    /** Checks everything short of opening the device; returns the device count. */
    static int probe() throws BackendUnavailableException {
        if (CudaProvider.class.getResource("/kernels/gather.ptx") == null) {
            throw new BackendUnavailableException(CudaBackend.NOT_BUILT);
        }
        if (NativeLibraries.find("libcuda.so.1") == null) {
            throw new BackendUnavailableException("no NVIDIA driver (libcuda.so.1 not found)");
        }
        int rc;
        try {
            JCudaDriver.setExceptionsEnabled(false);
            rc = JCudaDriver.cuInit(0);
        } catch (NoClassDefFoundError e) {
            throw new BackendUnavailableException("JCuda (org.jcuda:jcuda, jcublas) is not on the class path (" + e.getMessage() + ")");
        } catch (Throwable t) {
            throw new BackendUnavailableException("the JCuda driver library failed to load: " + t.getMessage());
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
