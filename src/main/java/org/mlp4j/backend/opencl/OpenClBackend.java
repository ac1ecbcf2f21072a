package org.mlp4j.backend.opencl;

import static org.lwjgl.opencl.CL10.*;

import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.lwjgl.PointerBuffer;
import org.lwjgl.opencl.CL12;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;
import org.mlp4j.Activation;
import org.mlp4j.backend.BackendFailure;
import org.mlp4j.backend.BackendUnavailableException;
import org.mlp4j.backend.DeviceMemoryException;
import org.mlp4j.backend.GpuBackend;
import org.mlp4j.backend.GpuKernel;
import org.mlp4j.backend.Matrix;
import org.mlp4j.backend.Shapes;

/**
 * OpenCL through LWJGL: every operation, GEMM included, is a kernel from {@code kernels/*.cl}, compiled
 * for the device when the backend opens with the block sizes of {@link #LAYOUT} as build options. One
 * in-order queue; only uploads, downloads and reads wait.
 */
public final class OpenClBackend extends GpuBackend<Long> {
    /** Work-groups of 256 for element-wise kernels and reductions; 8 row groups per 32 columns; float sums. */
    static final Layout LAYOUT = new Layout(256, 8, 256, Integer.MAX_VALUE, 4);
    /**
     * gemm.cl's tile sizes: a work-group computes {@code tsm x tsn} outputs, each of its {@code (tsn / wptn) x
     * (tsm / wptm)} items {@code wptm x wptn} of them, over slabs {@code tsk} deep.
     */
    record Tiles(int tsm, int tsn, int tsk, int wptm, int wptn) {
        Map<String, Integer> defines() {
            return Map.of("TSM", tsm, "TSN", tsn, "TSK", tsk, "WPTM", wptm, "WPTN", wptn);
        }

        @Override
        public String toString() {
            return tsm + "x" + tsn + "x" + tsk + " (" + wptm + "x" + wptn + " per item)";
        }
    }

    /**
     * The tile sizes timed on a GPU when the backend opens (the fastest is kept for large products); other
     * devices take the first, which also serves products too small to fill a GPU with larger tiles. All of
     * them give the same bits.
     */
    static final List<Tiles> TILES = List.of(new Tiles(32, 32, 32, 4, 1), new Tiles(64, 64, 16, 4, 4),
            new Tiles(128, 64, 16, 8, 4), new Tiles(64, 128, 16, 4, 8));

    /** Split-K is decided on tiles of this size, whatever the GEMM's, so that the tiles never change a bit. */
    private static final int SPLIT_TILE = 32;
    /** gemm.cl's epilogue that adds no bias (the others are activation codes: + bias, then the activation). */
    private static final int PLAIN = -1;
    /** Every constant the kernels share with this class, as build options. */
    static final Map<String, String> DEFINES = defines();
    /** The helpers the kernels use, compiled first: reductions, activations. */
    private static final List<String> HELPERS = List.of("reduce", "activation");

    private final OpenCl.Device device;
    /** gemm.cl's tile sizes in use, and what timing them took when they were timed (else empty). */
    private Tiles tiles;
    private String tilesTimed = "";
    private final long context;
    private final long queue;
    private long program;
    /** gemm.cl alone, built with {@code TILES.get(0)} when the chosen tiles are others; else 0. */
    private long smallProgram;
    private long smallGemm;
    /** Below this many work-groups of the chosen tiles (one per compute unit) a GEMM takes the small program's. */
    private final int minGroups;
    /** Whether the GEMM being launched takes the small program's kernel. */
    private boolean launchingSmall;
    private final Map<GpuKernel, Long> kernels = new EnumMap<>(GpuKernel.class);
    private final List<Long> buffers = new ArrayList<>();
    /** Enqueues of the program being captured, or null when operations run at once. */
    private List<Runnable> recording;
    /** Kernel objects and launch sizes owned by recorded programs, freed on close. */
    private final List<Long> recordedKernels = new ArrayList<>();
    private final List<PointerBuffer> recordedSizes = new ArrayList<>();
    /** Split-K partial products; replaced by a larger one when needed, old ones kept for recorded programs. */
    private GpuMatrix<Long> scratch;
    /** Bytes of the buffers this backend created. */
    private long allocated;
    private boolean closed;

    OpenClBackend(OpenCl.Device device) throws BackendUnavailableException {
        this(device, device.gpu() ? null : TILES.get(0));
    }

    /** With {@code tiles} null, times {@link #TILES} on the device and keeps the fastest. */
    OpenClBackend(OpenCl.Device device, Tiles tiles) throws BackendUnavailableException {
        this(device, tiles, 1024);
    }

    /** {@code timingWidth}: the widest matrix {@link #fastestTiles} times, 1024 but in tests. */
    OpenClBackend(OpenCl.Device device, Tiles tiles, int timingWidth) throws BackendUnavailableException {
        super(LAYOUT);
        this.device = device;
        this.minGroups = OpenCl.deviceInt(device.id(), CL_DEVICE_MAX_COMPUTE_UNITS);
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer err = stack.mallocInt(1);
            PointerBuffer props = stack.mallocPointer(3).put(CL_CONTEXT_PLATFORM).put(device.platform()).put(0).flip();
            context = clCreateContext(props, device.id(), null, 0, err);
            OpenCl.check(err.get(0), "clCreateContext");
            queue = clCreateCommandQueue(context, device.id(), 0, err);
            if (err.get(0) != CL_SUCCESS) {
                clReleaseContext(context);
                OpenCl.check(err.get(0), "clCreateCommandQueue");
            }
            boolean ok = false;
            try {
                build(stack, tiles != null ? tiles : fastestTiles(stack, timingWidth));
                buildSmall(stack);
                ok = true;
            } finally {
                if (!ok) {
                    close();
                }
            }
        }
    }

    /**
     * Builds gemm.cl with each of {@link #TILES} and times n x n x n GEMMs of every transpose (the products
     * that take the chosen tiles are the large ones); returns the fastest.
     */
    private Tiles fastestTiles(MemoryStack stack, int n) throws BackendUnavailableException {
        Matrix a = matrix(n, n), b = matrix(n, n), c = matrix(n, n);
        Runnable step = () -> {
            gemm(false, false, 1f, a, b, 0f, c);
            gemm(true, false, 1f, a, b, 1f, c);
            gemm(false, true, 1f, a, b, 0f, c);
        };
        Tiles best = null;
        double bestSeconds = Double.MAX_VALUE;
        StringBuilder timed = new StringBuilder();
        String failure = null;
        for (Tiles t : TILES) {
            timed.append(timed.length() == 0 ? "" : ", ").append(t.tsm()).append('x').append(t.tsn());
            long gemmOnly = 0;
            try {
                gemmOnly = program(stack, gemmFiles(), t);
                kernels.put(GpuKernel.GEMM, kernel(gemmOnly, GpuKernel.GEMM));
                tiles = t;
                double seconds = seconds(step);
                timed.append(String.format(java.util.Locale.ROOT, " %.2f ms", seconds * 1e3));
                if (seconds < bestSeconds) {
                    best = t;
                    bestSeconds = seconds;
                }
            } catch (BackendUnavailableException | BackendFailure e) {
                // a size this device cannot build or run (registers, local memory) is left out
                timed.append(" failed");
                failure = failure != null ? failure : e.getMessage();
            } finally {
                Long k = kernels.remove(GpuKernel.GEMM);
                if (k != null) {
                    clReleaseKernel(k);
                }
                if (gemmOnly != 0) {
                    clReleaseProgram(gemmOnly);
                }
            }
        }
        if (best == null) {
            throw new BackendUnavailableException("OpenCL GEMM failed on " + device.name() + " with every tile size: " + failure);
        }
        for (Matrix m : List.of(a, b, c)) {
            long mem = gpu(m).buffer();
            clReleaseMemObject(mem);
            buffers.remove(Long.valueOf(mem));
            allocated -= 4L * m.size();
        }
        tilesTimed = timed.toString();
        return best;
    }

    private static Map<String, String> defines() {
        Map<String, String> d = new TreeMap<>(GpuKernel.CODES);
        LAYOUT.defines().forEach((name, value) -> d.put(name, value.toString()));
        Map.of("PLAIN", PLAIN).forEach((name, value) -> d.put(name, value.toString()));
        return d;
    }

    /** The sources in build order: the helpers, then each kernel's file once. */
    static List<String> sources() {
        Set<String> files = new LinkedHashSet<>(HELPERS);
        for (GpuKernel k : GpuKernel.values()) {
            files.add(k.file());
        }
        return List.copyOf(files);
    }

    /** The names of every build option: {@link #DEFINES} and the tile sizes. */
    static Set<String> optionNames() {
        Set<String> names = new java.util.TreeSet<>(DEFINES.keySet());
        names.addAll(TILES.get(0).defines().keySet());
        return names;
    }

    static String options(Tiles tiles) {
        Map<String, String> d = new TreeMap<>(DEFINES);
        tiles.defines().forEach((name, value) -> d.put(name, value.toString()));
        return d.entrySet().stream().map(e -> "-D" + e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }

    private void build(MemoryStack stack, Tiles tiles) throws BackendUnavailableException {
        program = program(stack, sources(), tiles);
        for (GpuKernel k : GpuKernel.values()) {
            kernels.put(k, kernel(program, k));
        }
        this.tiles = tiles;
    }

    /** The program of {@code files} built with {@code tiles}. */
    private long program(MemoryStack stack, List<String> files, Tiles tiles) throws BackendUnavailableException {
        IntBuffer err = stack.mallocInt(1);
        long p = clCreateProgramWithSource(context, files.stream()
                .map(f -> kernelFile(f + ".cl", "kernels/" + f + ".cl is missing from the jar")).toArray(CharSequence[]::new), err);
        OpenCl.check(err.get(0), "clCreateProgramWithSource");
        if (clBuildProgram(p, device.id(), options(tiles), null, 0) != CL_SUCCESS) {
            String log = OpenCl.buildLog(p, device.id());
            clReleaseProgram(p);
            throw new BackendUnavailableException("OpenCL kernels failed to build on " + device.name() + ": " + log);
        }
        return p;
    }

    /** The sources of the GEMM alone: the helpers and gemm.cl. */
    private static List<String> gemmFiles() {
        List<String> files = new ArrayList<>(HELPERS);
        files.add(GpuKernel.GEMM.file());
        return files;
    }

    /** gemm.cl with the first tiles, for the products too small for the chosen ones. */
    private void buildSmall(MemoryStack stack) throws BackendUnavailableException {
        if (!tiles.equals(TILES.get(0))) {
            smallProgram = program(stack, gemmFiles(), TILES.get(0));
            smallGemm = kernel(smallProgram, GpuKernel.GEMM);
        }
    }

    private long kernel(long program, GpuKernel k) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer err = stack.mallocInt(1);
            long kernel = clCreateKernel(program, k.entry(), err);
            OpenCl.check(err.get(0), "clCreateKernel " + k.entry());
            return kernel;
        }
    }

    @Override
    public String name() {
        return "opencl";
    }

    @Override
    public String description() {
        return "opencl: device " + device.describe() + ", GEMM tiles " + tiles
                + (tilesTimed.isEmpty() ? "" : " (the fastest of " + tilesTimed + ")");
    }

    /** OpenCL reports no free memory, only the total; this backend's own buffers are what it knows of. */
    @Override
    public long memoryAvailable() {
        return device.memory() - allocated;
    }

    /** Rounded up to whole floats: a fill's size must be a multiple of its 4-byte pattern (a dataset of bytes may not be). */
    @Override
    protected Long allocate(long bytes) {
        long size = Math.max(4, (bytes + 3) / 4 * 4);
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer err = stack.mallocInt(1);
            long mem = clCreateBuffer(context, CL_MEM_READ_WRITE, size, err);
            if (err.get(0) == CL_MEM_OBJECT_ALLOCATION_FAILURE || err.get(0) == CL_OUT_OF_RESOURCES
                    || err.get(0) == CL_INVALID_BUFFER_SIZE) {
                throw new DeviceMemoryException("opencl: cannot allocate " + (bytes >> 20) + " MiB on " + device.name());
            }
            OpenCl.check(err.get(0), "clCreateBuffer");
            buffers.add(mem);
            allocated += size;
            OpenCl.check(CL12.clEnqueueFillBuffer(queue, mem, stack.calloc(4), 0, size, null, null), "clEnqueueFillBuffer");
            return mem;
        }
    }

    @Override
    protected void write(Long dst, long byteOffset, ByteBuffer src) {
        OpenCl.check(clEnqueueWriteBuffer(queue, dst, true, byteOffset, src, null, null), "clEnqueueWriteBuffer");
    }

    @Override
    protected void read(Long src, long byteOffset, ByteBuffer dst) {
        OpenCl.check(clEnqueueReadBuffer(queue, src, true, byteOffset, dst, null, null), "clEnqueueReadBuffer");
    }

    @Override
    protected void zero(Long dst, long bytes) {
        issue(() -> {
            try (MemoryStack stack = MemoryStack.stackPush()) {
                OpenCl.check(CL12.clEnqueueFillBuffer(queue, dst, stack.calloc(4), 0, bytes, null, null), "clEnqueueFillBuffer");
            }
        });
    }

    /** Runs an enqueue now, or keeps it for the program being captured. */
    private void issue(Runnable enqueue) {
        if (recording != null) {
            recording.add(enqueue);
        } else {
            enqueue.run();
        }
    }

    /**
     * Sets the arguments and enqueues. While capturing, the launch gets a kernel object of its own with the
     * arguments bound once, so replaying it is just the enqueue.
     */
    @Override
    protected void enqueue(GpuKernel kernel, Launch l, Object[] args) {
        boolean small = launchingSmall && kernel == GpuKernel.GEMM;
        long k = recording == null ? (small ? smallGemm : kernels.get(kernel)) : kernel(small ? smallProgram : program, kernel);
        List<Object> values = new ArrayList<>();
        for (Object a : args) {
            values.addAll(a instanceof GpuMatrix<?> m ? List.of(m.buffer(), m.offset()) : List.of(a));
        }
        for (int i = 0; i < values.size(); i++) {
            Object v = values.get(i);
            OpenCl.check(v instanceof Long mem ? clSetKernelArg1p(k, i, mem) : v instanceof Integer n ? clSetKernelArg1i(k, i, n)
                    : clSetKernelArg1f(k, i, (Float) v), kernel.entry() + " argument " + i);
        }
        PointerBuffer global = MemoryUtil.memAllocPointer(3).put(l.blocksX() * l.threadsX()).put(l.blocksY() * l.threadsY()).put(l.blocksZ()).flip();
        PointerBuffer local = MemoryUtil.memAllocPointer(3).put(l.threadsX()).put(l.threadsY()).put(1).flip();
        Runnable launch = () -> OpenCl.check(clEnqueueNDRangeKernel(queue, k, 3, null, global, local, null, null), kernel.entry());
        if (recording == null) {
            try {
                launch.run();
            } finally {
                MemoryUtil.memFree(global);
                MemoryUtil.memFree(local);
            }
        } else {
            recordedKernels.add(k);
            recordedSizes.addAll(List.of(global, local));
            recording.add(launch);
        }
    }

    /** Records the enqueues of {@code ops} (with their arguments bound) for replay; runs nothing now. */
    @Override
    protected Program capture(Runnable ops) {
        List<Runnable> list = new ArrayList<>();
        recording = list;
        try {
            ops.run();
        } finally {
            recording = null;
        }
        return () -> list.forEach(Runnable::run);
    }

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        gemm(transA, transB, alpha, a, b, beta, c, c, PLAIN);
    }

    @Override
    public void layerForward(Matrix x, Matrix w, Matrix bias, Activation act, Matrix z) {
        Shapes.bias(z, bias);
        gemm(false, false, 1f, x, w, 0f, z, bias, GpuKernel.code(act));
    }

    /** {@code kind}: gemm.cl's epilogue, {@link #PLAIN} or an activation's code (+ bias, then the activation). */
    private void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c, Matrix bias, int kind) {
        int[] mnk = Shapes.gemm(transA, transB, a, b, c);
        int m = mnk[0], n = mnk[1], k = mnk[2];
        long splitTiles = blocks(n, SPLIT_TILE) * blocks(m, SPLIT_TILE);
        // few output tiles and a long k (the forward 100 x 100 x 784): split k so more compute units work
        int slices = splitTiles >= 64 ? 1 : (int) Math.max(1, Math.min(8, Math.min(64 / splitTiles, k / (4L * SPLIT_TILE))));
        int kSlice = (int) blocks((k + slices - 1) / slices, SPLIT_TILE) * SPLIT_TILE;
        slices = (k + kSlice - 1) / kSlice;
        Tiles t = smallProgram != 0 && blocks(n, tiles.tsn()) * blocks(m, tiles.tsm()) * slices < minGroups ? TILES.get(0) : tiles;
        Launch tiled = new Launch(blocks(n, t.tsn()), blocks(m, t.tsm()), slices, t.tsn() / t.wptn(), t.tsm() / t.wptm());
        int ta = transA ? 1 : 0, tb = transB ? 1 : 0;
        launchingSmall = t != tiles;
        try {
            if (slices == 1) {
                launch(GpuKernel.GEMM, tiled, ta, tb, m, n, k, k, alpha, a, a.cols(), b, b.cols(), beta, c, c.cols(), bias, kind);
                return;
            }
            if (scratch == null || scratch.size() < (long) slices * m * n) {
                scratch = gpu(matrix(slices * m, n));
            }
            launch(GpuKernel.GEMM, tiled, ta, tb, m, n, k, kSlice, 1f, a, a.cols(), b, b.cols(), 0f, scratch, n, scratch, PLAIN);
        } finally {
            launchingSmall = false;
        }
        launch(GpuKernel.GEMM_REDUCE, new Launch(blocks(n, 16), blocks(m, 16), 1, 16, 16), scratch, slices, m, n, alpha, beta, c, c.cols(),
                bias, kind);
    }

    private static long blocks(long n, int per) {
        return (n + per - 1) / per;
    }

    @Override
    public void synchronize() {
        OpenCl.check(clFinish(queue), "clFinish");
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        clFinish(queue);
        kernels.values().forEach(k -> clReleaseKernel(k));
        recordedKernels.forEach(k -> clReleaseKernel(k));
        recordedSizes.forEach(MemoryUtil::memFree);
        buffers.forEach(b -> clReleaseMemObject(b));
        if (smallProgram != 0) {
            clReleaseKernel(smallGemm);
            clReleaseProgram(smallProgram);
        }
        if (program != 0) {
            clReleaseProgram(program);
        }
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
    }
}
