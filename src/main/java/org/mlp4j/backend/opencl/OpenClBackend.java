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
import org.mlp4j.Output;
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
    /** gemm.cl's gemm: TS x TS outputs per work-group of TS x TS/WPT items, WPT outputs each. */
    private static final int TS = 32, WPT = 4;

    /**
     * gemm.cl's gemm_tiled sizes: a work-group computes {@code tsm x tsn} outputs, each of its {@code (tsn /
     * wptn) x (tsm / wptm)} items {@code wptm x wptn} of them, over slabs {@code tsk} deep.
     */
    record Tiles(int tsm, int tsn, int tsk, int wptm, int wptn) {
        Tiles {
            // an item reads its rows and columns of a slab in runs of 4; its items load whole slabs
            if (wptm % 4 != 0 || wptn % 4 != 0 || tsm % wptm != 0 || tsn % wptn != 0 || tsm * tsk % (tsm / wptm * (tsn / wptn)) != 0
                    || tsk * tsn % (tsm / wptm * (tsn / wptn)) != 0) {
                throw new IllegalArgumentException("gemm_tiled cannot take tiles " + tsm + "x" + tsn + "x" + tsk + " of " + wptm + "x" + wptn);
            }
        }

        Map<String, Integer> defines() {
            return Map.of("TSM", tsm, "TSN", tsn, "TSK", tsk, "WPTM", wptm, "WPTN", wptn);
        }

        @Override
        public String toString() {
            return tsm + "x" + tsn + "x" + tsk + " (" + wptm + "x" + wptn + " per item)";
        }
    }

    /** gemm_tiled's sizes timed on a GPU against gemm when the backend opens; all give gemm's bits. */
    static final List<Tiles> TILES = List.of(new Tiles(64, 64, 16, 4, 4), new Tiles(128, 64, 16, 8, 4), new Tiles(64, 128, 16, 4, 8),
            new Tiles(128, 128, 16, 8, 8));

    /** What timing chose on a device (null sizes: gemm alone), and the times, kept for the JVM's later opens. */
    private record Timed(Tiles tiles, String timings) {
    }

    private static final Map<String, Timed> TIMED = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * whole_steps.cl's step_rows: work-groups of this many items at most (fewer where the device allows
     * fewer), and this many floats of local memory for an example's input, activations and deltas.
     */
    static final int ROW_THREADS = 1024, ROW_FLOATS = 4096;
    /** whole_steps.cl's step_updates: work-groups of UPDATE_TILE x UPDATE_TILE weights. */
    static final int UPDATE_TILE = 16;

    /** gemm.cl's epilogue that adds no bias (the others are activation codes: + bias, then the activation). */
    private static final int PLAIN = -1;
    /** Every constant the kernels share with this class, as build options. */
    static final Map<String, String> DEFINES = defines();
    /** The helpers the kernels use, compiled first: reductions, activations. */
    private static final List<String> HELPERS = List.of("reduce", "activation");

    private final OpenCl.Device device;
    /** gemm_tiled's sizes (built in either case), whether products may take it, and the timings that chose them. */
    private Tiles tiles;
    private boolean tiled;
    private String timings = "";
    /**
     * Whether each product's kernel is timed at its first use (with the tiles timed: on a GPU, and in tests);
     * otherwise gemm_tiled runs every product when sizes are given, and none on a CPU.
     */
    private final boolean timeProducts;
    /** The kernel each product (transposes and m x n x k) runs, chosen by timing both. */
    private final Map<String, ProductChoice> products = new java.util.LinkedHashMap<>();
    private final long context;
    private final long queue;
    private long program;
    /** While timing: the kernel every product runs (true for gemm_tiled), or null to take each product's choice. */
    private Boolean forcedTiled;
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

    /**
     * On a GPU, times gemm_tiled's sizes against gemm and keeps the fastest (once per device and JVM), then
     * each product of the run on both kernels at its first use; elsewhere gemm alone.
     */
    OpenClBackend(OpenCl.Device device) throws BackendUnavailableException {
        this(device, null, device.gpu(), 1024, device.gpu());
    }

    /** gemm_tiled of these sizes for every product (tests). */
    OpenClBackend(OpenCl.Device device, Tiles tiles) throws BackendUnavailableException {
        this(device, tiles, false);
    }

    /** gemm_tiled of these sizes, for every product or for those it runs faster than gemm (tests). */
    OpenClBackend(OpenCl.Device device, Tiles tiles, boolean timeProducts) throws BackendUnavailableException {
        this(device, tiles, false, 0, timeProducts);
    }

    /** Times the sizes on whatever device, on products {@code timingWidth} wide, and then each product (tests). */
    OpenClBackend(OpenCl.Device device, int timingWidth) throws BackendUnavailableException {
        this(device, null, true, timingWidth, true);
    }

    private OpenClBackend(OpenCl.Device device, Tiles fixed, boolean time, int timingWidth, boolean timeProducts) throws BackendUnavailableException {
        super(LAYOUT);
        this.device = device;
        this.timeProducts = timeProducts;
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
                Tiles chosen = fixed != null ? fixed : time ? timed(stack, timingWidth) : null;
                build(stack, chosen != null ? chosen : TILES.get(0));
                tiled = chosen != null;
                ok = true;
            } finally {
                if (!ok) {
                    close();
                }
            }
        }
    }

    /** {@link #fastestTiles} for this device, timed at its first open in this JVM. */
    private Tiles timed(MemoryStack stack, int timingWidth) throws BackendUnavailableException {
        String key = device.platformName() + "/" + device.name() + "/" + device.version() + "/" + device.id() + "/" + timingWidth;
        Timed t = TIMED.get(key);
        if (t == null) {
            t = fastestTiles(stack, timingWidth);
            TIMED.put(key, t);
        }
        timings = t.timings();
        return t.tiles();
    }

    /**
     * Builds gemm.cl with each of {@link #TILES} and times n x n x n products of every transpose with gemm
     * and with each size of gemm_tiled (each product of a run then takes the faster of gemm and these sizes);
     * returns the fastest sizes (null when gemm was fastest) with all the times.
     */
    private Timed fastestTiles(MemoryStack stack, int n) throws BackendUnavailableException {
        Matrix a = matrix(n, n), b = matrix(n, n), c = matrix(n, n);
        Runnable step = () -> {
            gemm(false, false, 1f, a, b, 0f, c);
            gemm(true, false, 1f, a, b, 1f, c);
            gemm(false, true, 1f, a, b, 0f, c);
        };
        Tiles best = null;
        double bestSeconds = Double.MAX_VALUE;
        StringBuilder timed = new StringBuilder();
        for (int candidate = -1; candidate < TILES.size(); candidate++) {
            Tiles t = TILES.get(Math.max(0, candidate));
            timed.append(candidate < 0 ? "32x32" : ", " + t.tsm() + "x" + t.tsn());
            long gemmOnly = 0;
            GpuKernel kernel = candidate < 0 ? GpuKernel.GEMM : GpuKernel.GEMM_TILED;
            try {
                gemmOnly = program(stack, gemmFiles(), t);
                kernels.put(kernel, kernel(gemmOnly, kernel));
                tiles = t;
                forcedTiled = candidate >= 0;
                double seconds = seconds(step);
                timed.append(String.format(java.util.Locale.ROOT, " %.2f ms", seconds * 1e3));
                if (seconds < bestSeconds) {
                    best = candidate < 0 ? null : t;
                    bestSeconds = seconds;
                }
            } catch (BackendUnavailableException | BackendFailure e) {
                if (candidate < 0) {
                    throw e;
                }
                timed.append(" failed"); // sizes this device cannot build or run (registers, local memory)
            } finally {
                forcedTiled = null;
                Long k = kernels.remove(kernel);
                if (k != null) {
                    clReleaseKernel(k);
                }
                if (gemmOnly != 0) {
                    clReleaseProgram(gemmOnly);
                }
            }
        }
        free(a, b, c);
        return new Timed(best, timed.toString());
    }

    /** Releases matrices made for a timing, each a buffer of its own. */
    private void free(Matrix... matrices) {
        for (Matrix m : matrices) {
            long mem = gpu(m).buffer();
            clReleaseMemObject(mem);
            buffers.remove(Long.valueOf(mem));
            allocated -= 4L * m.size();
        }
    }

    /** A product's kernel, and the seconds a run took on each. */
    private record ProductChoice(boolean tiled, double gemmSeconds, double tiledSeconds) {
    }

    /**
     * Whether gemm_tiled runs the product {@code op(A) (m x k) * op(B)}: on a device whose products are timed,
     * the faster kernel on that shape at its first use; otherwise yes (sizes were given).
     */
    private boolean tiledFor(boolean transA, boolean transB, int m, int n, int k) {
        if (!timeProducts) {
            return true;
        }
        String key = (transA ? "T" : "N") + (transB ? "T" : "N") + " " + m + "x" + n + "x" + k;
        ProductChoice c = products.get(key);
        if (c == null) {
            c = timeProduct(transA, transB, m, n, k);
            products.put(key, c);
        }
        return c.tiled();
    }

    /**
     * Times the product on both kernels, on matrices of its own (so it may happen while a program is being
     * recorded: the timing runs now, the recording goes on after it): after a run each, the best of two
     * runs, taken by turns. Where the device has no room for those matrices, gemm_tiled, untimed.
     */
    private ProductChoice timeProduct(boolean transA, boolean transB, int m, int n, int k) {
        List<Runnable> held = recording;
        List<Matrix> own = new ArrayList<>();
        try {
            recording = null;
            Matrix a = matrix(transA ? k : m, transA ? m : k), b, c;
            own.add(a);
            own.add(b = matrix(transB ? n : k, transB ? k : n));
            own.add(c = matrix(m, n));
            double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
            for (int round = 0; round < 3; round++) {
                for (int kernel = 0; kernel < 2; kernel++) {
                    forcedTiled = kernel == 1;
                    long start = System.nanoTime();
                    gemm(transA, transB, 1f, a, b, 1f, c);
                    synchronize();
                    double seconds = (System.nanoTime() - start) / 1e9;
                    best[kernel] = round == 0 ? best[kernel] : Math.min(best[kernel], seconds);
                }
            }
            return new ProductChoice(best[1] < best[0], best[0], best[1]);
        } catch (DeviceMemoryException e) {
            return new ProductChoice(true, Double.NaN, Double.NaN);
        } finally {
            forcedTiled = null;
            free(own.toArray(Matrix[]::new));
            recording = held;
        }
    }

    private static Map<String, String> defines() {
        Map<String, String> d = new TreeMap<>(GpuKernel.CODES);
        LAYOUT.defines().forEach((name, value) -> d.put(name, value.toString()));
        Map.of("TS", TS, "WPT", WPT, "PLAIN", PLAIN, "ROW_THREADS", ROW_THREADS, "ROW_FLOATS", ROW_FLOATS, "UPDATE_TILE", UPDATE_TILE).forEach((name, value) -> d.put(name, value.toString()));
        return d;
    }

    /** The sources in build order: the helpers, then each kernel's file once. */
    static List<String> sources() {
        Set<String> files = new LinkedHashSet<>(HELPERS);
        for (GpuKernel k : GpuKernel.values()) {
            if (k.onOpenCl()) {
                files.add(k.file());
            }
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
            if (k.onOpenCl()) {
                kernels.put(k, kernel(program, k));
            }
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
        StringBuilder d = new StringBuilder("opencl: device " + device.describe() + ", GEMM ");
        d.append(!tiled ? "32x32 tiles" : timeProducts ? "register tiles " + tiles + " or 32x32, timed per product" : "register tiles " + tiles);
        d.append(timings.isEmpty() ? "" : " (timed: " + timings + ")");
        products.forEach((shape, c) -> d.append(Double.isNaN(c.gemmSeconds()) ? "; " + shape + " register tiles (not timed: no device memory to spare)"
                : String.format(java.util.Locale.ROOT, "; %s %s (%.3f against %.3f ms)", shape, c.tiled() ? "register tiles" : "32x32",
                        1e3 * (c.tiled() ? c.tiledSeconds() : c.gemmSeconds()), 1e3 * (c.tiled() ? c.gemmSeconds() : c.tiledSeconds()))));
        return d.toString();
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
        long k = recording == null ? kernels.get(kernel) : kernel(program, kernel);
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

    /**
     * Whole steps in two launches a step (whole_steps.cl), where an example's input, activations and deltas
     * fit {@link #ROW_FLOATS} (the book's net takes five launches a step layer by layer).
     */
    @Override
    protected Steps steps(WholeStepSlots n, Activation act, Output output) {
        int[] s = n.sizes();
        long values = s[0], tiles = 0;
        for (int l = 0; l < n.layers(); l++) {
            values += 2L * s[l + 1];
            tiles += blocks(s[l] + 1L, UPDATE_TILE) * blocks(s[l + 1], UPDATE_TILE);
        }
        if (values > ROW_FLOATS) {
            return null;
        }
        long items;
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            OpenCl.check(clGetKernelWorkGroupInfo(kernels.get(GpuKernel.STEP_ROWS), device.id(), CL_KERNEL_WORK_GROUP_SIZE, size, null),
                    "clGetKernelWorkGroupInfo");
            items = Math.min(ROW_THREADS, size.get(0));
        }
        int batch = n.batch();
        Launch rows = new Launch(batch, 1, 1, (int) items, 1), updates = new Launch(tiles, 1, 1, UPDATE_TILE, UPDATE_TILE);
        Matrix[] w = n.w(), b = n.b(), a = n.a(), d = n.d();
        String layout = String.format(java.util.Locale.ROOT, "two launches a step: %d work-groups of %d items, one an example, then %d of"
                + " %dx%d weights", batch, items, tiles, UPDATE_TILE, UPDATE_TILE);
        return new Steps() {
            @Override
            public void run(Matrix x, Matrix labels, float rate, float decay) {
                n.check(x, labels);
                for (int first = 0; first < x.rows(); first += batch) {
                    launch(GpuKernel.STEP_ROWS, rows, x, labels, w[0], b[0], w[1], b[1], w[2], b[2], a[0], a[1], a[2], d[0], d[1], d[2], first,
                            n.layers(), s[0], s[1], s[2], s[3], GpuKernel.code(act), GpuKernel.code(output));
                    launch(GpuKernel.STEP_UPDATES, updates, x, w[0], b[0], w[1], b[1], w[2], b[2], a[0], a[1], a[2], d[0], d[1], d[2], first, batch,
                            n.layers(), s[0], s[1], s[2], s[3], rate, decay);
                }
            }

            @Override
            public String toString() {
                return layout;
            }
        };
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
        long tiles32 = blocks(n, TS) * blocks(m, TS);
        // few output tiles and a long k (the forward 100 x 100 x 784): split k so more compute units work;
        // decided on gemm's tiles whichever kernel runs, so that the choice never changes a bit
        int slices = tiles32 >= 64 ? 1 : (int) Math.max(1, Math.min(8, Math.min(64 / tiles32, k / (4L * TS))));
        int kSlice = (int) blocks((k + slices - 1) / slices, TS) * TS;
        slices = (k + kSlice - 1) / kSlice;
        boolean large = forcedTiled != null ? forcedTiled : tiled && tiledFor(transA, transB, m, n, k);
        GpuKernel kernel = large ? GpuKernel.GEMM_TILED : GpuKernel.GEMM;
        Launch grid = large ? new Launch(blocks(n, tiles.tsn()), blocks(m, tiles.tsm()), slices, tiles.tsn() / tiles.wptn(), tiles.tsm() / tiles.wptm())
                : new Launch(blocks(n, TS), blocks(m, TS), slices, TS, TS / WPT);
        int ta = transA ? 1 : 0, tb = transB ? 1 : 0;
        if (slices == 1) {
            launch(kernel, grid, ta, tb, m, n, k, k, alpha, a, a.cols(), b, b.cols(), beta, c, c.cols(), bias, kind);
            return;
        }
        if (scratch == null || scratch.size() < (long) slices * m * n) {
            scratch = gpu(matrix(slices * m, n));
        }
        launch(kernel, grid, ta, tb, m, n, k, kSlice, 1f, a, a.cols(), b, b.cols(), 0f, scratch, n, scratch, PLAIN);
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
        if (program != 0) {
            clReleaseProgram(program);
        }
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
    }
}
