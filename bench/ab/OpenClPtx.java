package org.mlp4j.backend.opencl;

import static org.lwjgl.opencl.CL10.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;

/**
 * What a GPU's OpenCL compiler made of the kernels: builds every kernel OpenClBackend builds, in one program for
 * each candidate size of gemm_tiled's tiles, on the first GPU (else the first device), and writes each program's
 * binary, which NVIDIA's driver gives as PTX, to DIR/opencl-TILES.ptx. ci/gpu-check.sh then has ptxas report
 * each kernel's registers, stack frame and spills: OpenClPtxTest checks for local memory with clang standing in
 * for the GPU's compiler, and only the GPU's own compiler says what runs. In OpenClBackend's package for its
 * sources and build options; {@code java -cp mlp4j-all.jar:CLASSES org.mlp4j.backend.opencl.OpenClPtx DIR}.
 */
public class OpenClPtx {
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        List<OpenCl.Device> devices = OpenCl.devices();
        // the first GPU, else the first device (the rehearsal's PoCL, whose binaries are not PTX)
        OpenCl.Device device = devices.stream().filter(OpenCl.Device::gpu).findFirst().orElseGet(() -> devices.get(0));
        System.out.println("OpenCL programs of " + device.name() + " (" + device.platformName() + ")");
        String[] sources = OpenClBackend.texts(OpenClBackend.sources());
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer err = stack.mallocInt(1);
            PointerBuffer props = stack.mallocPointer(3).put(CL_CONTEXT_PLATFORM).put(device.platform()).put(0).flip();
            long context = clCreateContext(props, device.id(), null, 0, err);
            OpenCl.check(err.get(0), "clCreateContext");
            for (OpenClBackend.Tiles tiles : OpenClBackend.TILES) {
                long program = clCreateProgramWithSource(context, sources, err);
                OpenCl.check(err.get(0), "clCreateProgramWithSource");
                Path file = out.resolve("opencl-" + tiles.name() + ".ptx");
                if (clBuildProgram(program, device.id(), OpenClBackend.options(tiles), null, 0) != CL_SUCCESS) {
                    System.out.println(file.getFileName() + ": failed to build: " + OpenCl.buildLog(program, device.id()));
                } else {
                    Files.write(file, binary(stack, program));
                    System.out.println(file.getFileName() + " written");
                }
                clReleaseProgram(program);
            }
            clReleaseContext(context);
        }
    }

    /**
     * The program's binary for its one device, less any NUL bytes it ends in: PTX given as a C string keeps its
     * terminator, which ptxas reads as an unexpected end of file (and the check's report then lists no kernel).
     */
    private static byte[] binary(MemoryStack stack, long program) {
        PointerBuffer size = stack.mallocPointer(1);
        OpenCl.check(clGetProgramInfo(program, CL_PROGRAM_BINARY_SIZES, size, null), "CL_PROGRAM_BINARY_SIZES");
        ByteBuffer bytes = MemoryUtil.memAlloc((int) size.get(0));
        try {
            PointerBuffer to = stack.mallocPointer(1).put(0, MemoryUtil.memAddress(bytes));
            OpenCl.check(clGetProgramInfo(program, CL_PROGRAM_BINARIES, to, null), "CL_PROGRAM_BINARIES");
            int n = bytes.remaining();
            while (n > 0 && bytes.get(n - 1) == 0) {
                n--;
            }
            byte[] b = new byte[n];
            bytes.get(b);
            return b;
        } finally {
            MemoryUtil.memFree(bytes);
        }
    }
}
