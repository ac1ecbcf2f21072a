package org.mlp4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jcuda.driver.CUresult;
import org.junit.jupiter.api.Test;
import org.mlp4j.backend.BackendFailure;
import org.mlp4j.backend.DeviceMemoryException;

/** The CUDA backend's messages for what the driver and JCuda report, without a driver. */
class CudaMessagesTest {
    /** JCuda's own report of a library that did not load reads as its first line and the last error it quotes. */
    @Test
    void jcudasLoadFailureReadsAsALine() {
        String jcuda = "Error while loading native library \"JCudaDriver-12.6.0-linux-x86_64\"\nOperating system name: Linux\n"
                + "Architecture         : amd64\nArchitecture bit size: 64\n---(start of nested stack traces)---\n"
                + "Stack trace from the attempt to load the library as a file:\n"
                + "java.lang.UnsatisfiedLinkError: no JCudaDriver-12.6.0-linux-x86_64 in java.library.path: /usr/lib\n"
                + "\tat java.base/java.lang.ClassLoader.loadLibrary(ClassLoader.java:2434)\n"
                + "Stack trace from the attempt to load the library as a resource:\n"
                + "java.lang.UnsatisfiedLinkError: /x/libJCudaDriver-12.6.0-linux-x86_64.so: failed to map segment from shared object\n"
                + "\tat java.base/jdk.internal.loader.NativeLibraries.load(Native Method)\n---(end of nested stack traces)---\n";
        assertEquals("Error while loading native library \"JCudaDriver-12.6.0-linux-x86_64\": java.lang.UnsatisfiedLinkError:"
                + " /x/libJCudaDriver-12.6.0-linux-x86_64.so: failed to map segment from shared object", CudaProvider.loadFailure(new UnsatisfiedLinkError(jcuda)));
        assertEquals("a line", CudaProvider.loadFailure(new UnsatisfiedLinkError("a line")));
        assertEquals("java.lang.UnsatisfiedLinkError", CudaProvider.loadFailure(new UnsatisfiedLinkError()));
    }

    /** A GPU another process holds (exclusive-process mode) or that takes no work is named as such. */
    @Test
    void aDriverErrorNamesTheCallAndWhatItMeans() {
        assertEquals("cuda: cuDevicePrimaryCtxRetain failed: CUDA_ERROR_DEVICE_UNAVAILABLE (the GPU takes no more work now: in the"
                + " compute mode exclusive-process another process holds it, or its mode is prohibited; nvidia-smi shows both)",
                assertThrows(BackendFailure.class, () -> CudaBackend.check(CUresult.CUDA_ERROR_DEVICE_UNAVAILABLE, "cuDevicePrimaryCtxRetain")).getMessage());
        assertEquals("cuda: cuModuleLoadData failed: CUDA_ERROR_INVALID_PTX",
                assertThrows(BackendFailure.class, () -> CudaBackend.check(CUresult.CUDA_ERROR_INVALID_PTX, "cuModuleLoadData")).getMessage());
        assertEquals("cuda: out of GPU memory (cuMemAlloc)",
                assertThrows(DeviceMemoryException.class, () -> CudaBackend.check(CUresult.CUDA_ERROR_OUT_OF_MEMORY, "cuMemAlloc")).getMessage());
    }
}
