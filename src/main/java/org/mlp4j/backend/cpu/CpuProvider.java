package org.mlp4j.backend.cpu;

import java.util.List;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.BackendProvider;

/** Always usable: the fallback and the reference. */
public final class CpuProvider implements BackendProvider {
    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public int rank() {
        return 0;
    }

    @Override
    public boolean gpu() {
        return false;
    }

    @Override
    public List<String> describe() {
        return List.of("usable: " + CpuBackend.threads(Runtime.getRuntime().availableProcessors()) + ", " + Kernels.best().name());
    }

    @Override
    public Backend open(int deviceIndex, boolean gpuOnly, int threads) {
        return new CpuBackend(threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
    }
}
