package org.mlp4j.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lwjgl.opencl.CL10.CL_INVALID_VALUE;
import static org.lwjgl.opencl.CL10.CL_MEM_OBJECT_ALLOCATION_FAILURE;

import org.junit.jupiter.api.Test;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.BackendContractTest;
import org.mlp4j.backend.BackendFailure;
import org.mlp4j.backend.DeviceMemoryException;
import org.mlp4j.backend.Matrix;

/**
 * Running out of device memory is a {@link DeviceMemoryException} (so {@code train --device gpu} falls back
 * to the cpu backend) wherever the driver reports it: at clCreateBuffer, or at the first command that uses
 * a buffer on drivers that allocate lazily.
 */
class OpenClMemoryTest {
    @Test
    void allocationFailureFromAnyCallIsOutOfDeviceMemory() {
        DeviceMemoryException e = assertThrows(DeviceMemoryException.class,
                () -> OpenCl.check(CL_MEM_OBJECT_ALLOCATION_FAILURE, "gemm"));
        assertTrue(e.getMessage().contains("opencl: out of device memory (gemm"), e.getMessage());
        BackendFailure other = assertThrows(BackendFailure.class, () -> OpenCl.check(CL_INVALID_VALUE, "gemm"));
        assertFalse(other instanceof DeviceMemoryException, other.getMessage());
    }

    @Test
    void matrixLargerThanTheDeviceIsOutOfDeviceMemoryAndTheBackendStaysUsable() {
        try (Backend b = BackendContractTest.open("opencl")) {
            // 2^20 x 2^20 floats: 4 TiB, more than any device's largest buffer
            DeviceMemoryException e = assertThrows(DeviceMemoryException.class, () -> b.matrix(1 << 20, 1 << 20));
            assertTrue(e.getMessage().startsWith("opencl: cannot allocate 4096.0 GiB on "), e.getMessage());
            Matrix m = b.matrix(2, 2);
            b.upload(new float[] {1, 2, 3, 4}, m);
            float[] back = new float[4];
            b.download(m, back);
            assertArrayEquals(new float[] {1, 2, 3, 4}, back);
        }
    }
}
