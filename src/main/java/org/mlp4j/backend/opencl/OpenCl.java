package org.mlp4j.backend.opencl;

import static org.lwjgl.opencl.CL10.*;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.lwjgl.PointerBuffer;
import org.lwjgl.opencl.CL;
import org.lwjgl.opencl.CLCapabilities;
import org.lwjgl.opencl.KHRCommandBuffer;
import org.lwjgl.system.Configuration;
import org.lwjgl.system.MemoryStack;
import org.mlp4j.backend.BackendFailure;
import org.mlp4j.backend.DeviceMemoryException;
import org.mlp4j.backend.NativeTemp;

/** Loading the OpenCL library and listing platforms and devices, for the provider and the backend. */
final class OpenCl {
    private static String loaded;
    private static String loadFailure;
    /** While {@link #load} tries the library's names: LWJGL's diagnostics are dropped then. */
    private static volatile boolean loading;

    private OpenCl() {
    }

    /**
     * One device in the flat list that {@code --device opencl:N} indexes. {@code integrated}: a GPU that shares the
     * host's memory (a laptop's beside its discrete one, as a rule the slower). {@code commandBuffers}: it records
     * commands for replay (cl_khr_command_buffer) on a queue like the backend's (in order, no properties).
     */
    record Device(int index, long platform, long id, String platformName, String name, boolean gpu, boolean integrated, long memory,
                  int computeUnits, String version, boolean commandBuffers) {
        String describe() {
            return String.format("[%d] %s: %s (%s, %d MiB, %d compute units, %s%s)", index, platformName, name,
                    !gpu ? "not a GPU" : integrated ? "integrated GPU" : "GPU", memory >> 20, computeUnits, version,
                    commandBuffers ? ", command buffers" : "");
        }
    }

    /**
     * Loads the ICD loader once. Many systems install it only as libOpenCL.so.1 while LWJGL asks for
     * libOpenCL.so, so both names are tried, or only -Dorg.lwjgl.opencl.libname where that is given. LWJGL's
     * advice on a failed load (five lines a name) is not printed but in its debug mode: the failure says what
     * failed in one line, and most machines without a GPU driver have no OpenCL library.
     *
     * @throws IllegalStateException with the reason when no OpenCL library can be loaded
     */
    static synchronized void load() {
        if (loaded != null) {
            return;
        }
        if (loadFailure != null) {
            throw new IllegalStateException(loadFailure);
        }
        if (!signalsChained()) {
            loadFailure = "not loaded: an OpenCL driver built on LLVM (PoCL's, Mesa's) replaces the JVM's signal handlers for a while"
                    + " as it loads, which can kill the JVM, and this one does not chain them; start java with LD_PRELOAD="
                    + Path.of(System.getProperty("java.home"), "lib", "libjsig.so") + " (./mlp4j does)";
            throw new IllegalStateException(loadFailure);
        }
        Configuration.OPENCL_EXPLICIT_INIT.set(true);
        if (Runtime.version().feature() < 25 && ModuleLayer.boot().findModule("jdk.unsupported").isEmpty()) {
            // before JDK 25 every way LWJGL has of reading memory takes sun.misc.Unsafe: without it, LWJGL prints pages of
            // stack traces as it fails, and the failure reads as a missing OpenCL library
            loadFailure = "not loaded: LWJGL reads memory through sun.misc.Unsafe of the module jdk.unsupported, which this JVM has not"
                    + " resolved (an application run as a module resolves only what its modules require): start java with --add-modules"
                    + " jdk.unsupported";
            throw new IllegalStateException(loadFailure);
        }
        if (Configuration.DEBUG_STREAM.get() == null && !Configuration.DEBUG.get(false)) {
            Configuration.DEBUG_STREAM.set(new PrintStream(new OutputStream() {
                @Override
                public void write(int b) {
                    if (!loading) {
                        System.err.write(b);
                    }
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    if (!loading) {
                        System.err.write(b, off, len);
                    }
                }
            }, true));
        }
        String configured = System.getProperty("org.lwjgl.opencl.libname");
        List<String> names = configured != null ? List.of(configured) : List.of("libOpenCL.so.1", "libOpenCL.so");
        List<String> errors = new ArrayList<>();
        loading = true;
        try {
            for (String name : names) {
                try {
                    CL.create(name);
                    loaded = name;
                    return;
                } catch (Throwable t) {
                    errors.add(name + ": " + t.getMessage());
                }
            }
        } finally {
            loading = false;
        }
        if (errors.get(0).contains("liblwjgl") && lwjglNativesPacked()) {
            String temp = NativeTemp.problem();
            loadFailure = "LWJGL's own native library, in its jar, could not be copied out to load (" + errors.get(0) + ")" + (temp != null
                    ? ": " + temp : "");
        } else if (errors.get(0).contains("liblwjgl")) {
            loadFailure = "LWJGL's own native library is not found (" + errors.get(0) + "): it is in the jar org.lwjgl:lwjgl:natives-linux"
                    + " (natives-linux-arm64 on ARM), to put beside LWJGL's" + (OpenCl.class.getModule().isNamed()
                    ? "; where mlp4j is a module, as a module: --add-modules org.lwjgl.natives" : "");
        } else {
            loadFailure = "no OpenCL library (" + String.join("; ", errors) + "); install an ICD loader (e.g. ocl-icd-libopencl1) and a driver";
        }
        throw new IllegalStateException(loadFailure);
    }

    /** Whether LWJGL's native library for this machine is on the class path (LWJGL copies it out to a directory to load it). */
    private static boolean lwjglNativesPacked() {
        String arch = System.getProperty("os.arch", "").matches("aarch64|arm64") ? "arm64" : "x64";
        return OpenCl.class.getClassLoader().getResource("linux/" + arch + "/org/lwjgl/liblwjgl.so") != null;
    }

    /**
     * Whether this JVM chains signal handlers (the JDK's libjsig preloaded), so that a driver that installs its own
     * for SIGSEGV and the others passes the JVM's signals on: PoCL's LLVM holds them for about a second as it loads,
     * and a safepoint poll then ends the process with a bare "Segmentation fault". Only Linux is checked.
     */
    static boolean signalsChained() {
        Path maps = Path.of("/proc/self/maps");
        if (!System.getProperty("os.name", "").startsWith("Linux") || !Files.isReadable(maps)) {
            return true;
        }
        try (Stream<String> lines = Files.lines(maps)) {
            return lines.anyMatch(l -> l.endsWith("/libjsig.so"));
        } catch (IOException | java.io.UncheckedIOException e) {
            return true;
        }
    }

    /**
     * Throws for an error code. Drivers may allocate a buffer only when a command first uses it (the spec
     * lets every enqueue report CL_MEM_OBJECT_ALLOCATION_FAILURE), so running out of device memory can
     * surface at any enqueue, not just at clCreateBuffer.
     */
    static void check(int err, String what) {
        if (err == CL_MEM_OBJECT_ALLOCATION_FAILURE) {
            throw new DeviceMemoryException("opencl: out of device memory (" + what + ": CL_MEM_OBJECT_ALLOCATION_FAILURE)");
        }
        if (err != CL_SUCCESS) {
            throw new BackendFailure("opencl: " + what + " failed: error " + err + errorName(err));
        }
    }

    static String errorName(int err) {
        return switch (err) {
            case CL_MEM_OBJECT_ALLOCATION_FAILURE -> " (CL_MEM_OBJECT_ALLOCATION_FAILURE)";
            case CL_OUT_OF_RESOURCES -> " (CL_OUT_OF_RESOURCES)";
            case CL_OUT_OF_HOST_MEMORY -> " (CL_OUT_OF_HOST_MEMORY)";
            case CL_BUILD_PROGRAM_FAILURE -> " (CL_BUILD_PROGRAM_FAILURE)";
            case CL_INVALID_WORK_GROUP_SIZE -> " (CL_INVALID_WORK_GROUP_SIZE)";
            case CL_DEVICE_NOT_FOUND -> " (CL_DEVICE_NOT_FOUND)";
            case -1001 -> " (CL_PLATFORM_NOT_FOUND_KHR: no OpenCL driver installed)";
            default -> "";
        };
    }

    /** Every device of every platform, in platform order. */
    static List<Device> devices() {
        load();
        List<Device> out = new ArrayList<>();
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer count = stack.mallocInt(1);
            int err = clGetPlatformIDs(null, count);
            if (err == -1001 || count.get(0) == 0) {
                return out;
            }
            check(err, "clGetPlatformIDs");
            PointerBuffer platforms = stack.mallocPointer(count.get(0));
            check(clGetPlatformIDs(platforms, (IntBuffer) null), "clGetPlatformIDs");
            for (int p = 0; p < platforms.capacity(); p++) {
                long platform = platforms.get(p);
                String pname = platformString(platform, CL_PLATFORM_NAME);
                IntBuffer n = stack.mallocInt(1);
                if (clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, null, n) != CL_SUCCESS || n.get(0) == 0) {
                    continue;
                }
                PointerBuffer ids = stack.mallocPointer(n.get(0));
                check(clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, ids, (IntBuffer) null), "clGetDeviceIDs");
                for (int d = 0; d < ids.capacity(); d++) {
                    long id = ids.get(d);
                    long type = deviceLong(id, CL_DEVICE_TYPE);
                    out.add(new Device(out.size(), platform, id, pname, deviceString(id, CL_DEVICE_NAME), (type & CL_DEVICE_TYPE_GPU) != 0,
                            hostUnifiedMemory(id), deviceLong(id, CL_DEVICE_GLOBAL_MEM_SIZE), deviceInt(id, CL_DEVICE_MAX_COMPUTE_UNITS),
                            deviceString(id, CL_DEVICE_VERSION), commandBuffers(id)));
                }
            }
        }
        return out;
    }

    /** Whether {@code device} shares the host's memory; false where it cannot say (OpenCL 1.0 has no such query). */
    private static boolean hostUnifiedMemory(long device) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer v = stack.callocInt(1);
            return clGetDeviceInfo(device, org.lwjgl.opencl.CL11.CL_DEVICE_HOST_UNIFIED_MEMORY, v, null) == CL_SUCCESS && v.get(0) != 0;
        }
    }

    /**
     * Whether {@code device} names cl_khr_command_buffer among its extensions, the loader has its functions, and it
     * asks no queue properties of command buffers (the backend's queue has none).
     */
    private static boolean commandBuffers(long device) {
        CLCapabilities icd = CL.getICD();
        if (!List.of(deviceString(device, CL_DEVICE_EXTENSIONS).split(" ")).contains("cl_khr_command_buffer")
                || java.util.stream.LongStream.of(icd.clCreateCommandBufferKHR, icd.clCommandNDRangeKernelKHR, icd.clFinalizeCommandBufferKHR,
                        icd.clEnqueueCommandBufferKHR, icd.clReleaseCommandBufferKHR).anyMatch(f -> f == 0)) {
            return false;
        }
        try (MemoryStack stack = MemoryStack.stackPush()) {
            java.nio.LongBuffer required = stack.mallocLong(1);
            return clGetDeviceInfo(device, KHRCommandBuffer.CL_DEVICE_COMMAND_BUFFER_REQUIRED_QUEUE_PROPERTIES_KHR, required, null) == CL_SUCCESS
                    && required.get(0) == 0;
        }
    }

    /** One of OpenCL's string queries: called once for the size, once for the value. */
    private interface StringInfo {
        int get(ByteBuffer value, PointerBuffer size);
    }

    private static String string(StringInfo info, String what) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            check(info.get(null, size), what);
            ByteBuffer buf = stack.malloc((int) size.get(0));
            check(info.get(buf, null), what);
            return org.lwjgl.system.MemoryUtil.memASCII(buf, buf.remaining() - 1).trim();
        }
    }

    static String platformString(long platform, int param) {
        return string((value, size) -> clGetPlatformInfo(platform, param, value, size), "clGetPlatformInfo");
    }

    static String deviceString(long device, int param) {
        return string((value, size) -> clGetDeviceInfo(device, param, value, size), "clGetDeviceInfo");
    }

    static int deviceInt(long device, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer v = stack.mallocInt(1);
            check(clGetDeviceInfo(device, param, v, null), "clGetDeviceInfo");
            return v.get(0);
        }
    }

    static long deviceLong(long device, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            java.nio.LongBuffer v = stack.mallocLong(1);
            check(clGetDeviceInfo(device, param, v, null), "clGetDeviceInfo");
            return v.get(0);
        }
    }

    /** The most items a work-group of {@code kernel} may have on {@code device}, as the device compiled it. */
    static long workGroupSize(long kernel, long device) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            check(clGetKernelWorkGroupInfo(kernel, device, CL_KERNEL_WORK_GROUP_SIZE, size, null), "clGetKernelWorkGroupInfo");
            return size.get(0);
        }
    }

    /** The most items a work-group of {@code device} may have in each of its three dimensions. */
    static long[] workItemSizes(long device) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer sizes = stack.mallocPointer(3);
            check(clGetDeviceInfo(device, CL_DEVICE_MAX_WORK_ITEM_SIZES, sizes, null), "clGetDeviceInfo");
            return new long[] {sizes.get(0), sizes.get(1), sizes.get(2)};
        }
    }

    /** The build log of {@code program} on {@code device}, on one line. */
    static String buildLog(long program, long device) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, (ByteBuffer) null, size);
            ByteBuffer log = org.lwjgl.system.MemoryUtil.memAlloc((int) Math.max(1, size.get(0)));
            try {
                clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, log, null);
                return org.lwjgl.system.MemoryUtil.memASCII(log, Math.max(0, log.remaining() - 1)).trim().replace('\n', ' ');
            } finally {
                org.lwjgl.system.MemoryUtil.memFree(log);
            }
        }
    }
}
