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
import org.lwjgl.opencl.KHRCommandBuffer;
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
import org.mlp4j.backend.Timings;
import org.mlp4j.util.Limits;

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
    /** gemm_reduce's work-groups: REDUCE_TILE x REDUCE_TILE items, an output each. */
    private static final int REDUCE_TILE = 16;

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

        /** The work-group gemm_tiled launches in with these tiles: an item for each {@code wptm x wptn} outputs. */
        Launch workGroup() {
            return new Launch(1, 1, 1, tsn / wptn, tsm / wptm);
        }

        /** The tile and slab, "64x64x16": one of {@link #TILES} each. */
        String name() {
            return tsm + "x" + tsn + "x" + tsk;
        }

        @Override
        public String toString() {
            return name() + " (" + wptm + "x" + wptn + " per item)";
        }
    }

    /**
     * gemm_tiled's sizes a product on a GPU may take, timed against gemm at its first use; all give gemm's bits.
     * Slabs 32 deep wait at half the barriers of 16 for the same multiply-adds, in twice the local memory; the
     * last is for few rows and a long k (100 x 2048 x 2048): small tiles make more work-groups.
     */
    static final List<Tiles> TILES = List.of(new Tiles(64, 64, 16, 4, 4), new Tiles(128, 64, 16, 8, 4), new Tiles(64, 128, 16, 4, 8),
            new Tiles(128, 128, 16, 8, 8), new Tiles(64, 64, 32, 4, 4), new Tiles(128, 64, 32, 8, 4), new Tiles(32, 32, 32, 4, 4));

    /**
     * whole_steps.cl's step_rows: work-groups of this many items at most (fewer where the device allows
     * fewer), and this many floats of local memory for an example's input, activations and deltas.
     */
    static final int ROW_THREADS = 1024, ROW_FLOATS = 4096;
    /** whole_steps.cl's step_tiles: the rows of w0's tiles, each a slice of k of the first layer's product. */
    static final int FIRST_TILE_ROWS = 4 * UPDATE_TILE;

    /** gemm.cl's epilogue that adds no bias (the others are activation codes: + bias, then the activation). */
    private static final int PLAIN = -1;
    /** gemm.cl's epilogue {@code DERIVATIVE - code(act)}: the product times act's derivative at a layer's activations. */
    private static final int DERIVATIVE = -2;
    /** Every constant the kernels share with this class, as build options. */
    static final Map<String, String> DEFINES = defines();
    /**
     * The helpers the kernels use, compiled first: the qualifiers of helpers CUDA shares, reductions, activations,
     * a row's softmax, an optimizer's step, update tiles' sums.
     */
    private static final List<String> HELPERS = List.of("dialect", "reduce", "activation", "softmax_row", "optimizer", "update_tile");

    private final OpenCl.Device device;
    /**
     * gemm_tiled's sizes products may take: the first built in the program of every kernel, the others each in
     * a program of the GEMM alone ({@link #tiledPrograms}); sizes the device failed to build are left out.
     */
    private final List<Tiles> sizes = new ArrayList<>();
    private final Map<Tiles, Long> tiledPrograms = new java.util.HashMap<>();
    private final Map<Tiles, Long> tiledKernels = new java.util.HashMap<>();
    /** gemm_tiled's sizes left out, and why: the device failed to build them, or cannot launch their work-groups. */
    private final Map<Tiles, String> leftOut = new java.util.LinkedHashMap<>();
    /**
     * Whether the device's choices are timed (on a GPU, and in tests): each product's kernel at its first use, and
     * how programs replay; otherwise the one size given runs every product, or gemm, and programs are enqueued.
     */
    private final boolean timed;
    /** The kernel each product (transposes and m x n x k) runs, chosen by timing them all. */
    private final Map<String, ProductChoice> products = new java.util.LinkedHashMap<>();
    private final long context;
    private final long queue;
    private long program;
    /** While timing: the kernel every product runs ({@link #GEMM_32}, or an index of {@link #sizes}), or null to take each product's choice. */
    private Integer forced;
    /** gemm_tiled's size for the launch being issued. */
    private Tiles launching;
    private final Map<GpuKernel, Long> kernels = new EnumMap<>(GpuKernel.class);
    private final List<Long> buffers = new ArrayList<>();
    /** Commands of the program being captured, or null when operations run at once. */
    private List<Programs.Command> recording;
    /** How recorded programs replay (tests record through it too). */
    final Programs programs;
    /**
     * Seconds a replay of {@link #REPLAY_LAUNCHES} kernels took enqueued and as a command buffer, once timed; empty
     * where not timed (or the command buffer failed); null before the first capture.
     */
    private double[] replay;
    /** Why programs are enqueued on a device that has command buffers: it refused one, or one computed other values. */
    private String replayFailure;
    private static final String REFUSED = "the device refused a command buffer: ";
    /** Kernel objects and launch sizes owned by recorded programs, freed on close. */
    private final List<Long> recordedKernels = new ArrayList<>();
    private final List<PointerBuffer> recordedSizes = new ArrayList<>();
    /** Split-K partial products; replaced by a larger one when needed, old ones kept for recorded programs. */
    private GpuMatrix<Long> scratch;
    /** Bytes of the buffers this backend created. */
    private long allocated;
    private boolean closed;
    /** The buffer object whose mapping {@link #allocateHost} gave as the staging buffer; 0 where none. */
    private long hostBuffer;

    /** On a GPU, each product of a run on gemm or a size of {@link #TILES}, whichever ran it fastest at its first use; elsewhere gemm alone. */
    OpenClBackend(OpenCl.Device device) throws BackendUnavailableException {
        this(device, device.gpu() ? TILES : List.of(), device.gpu());
    }

    /** gemm_tiled of these sizes for every product (tests). */
    OpenClBackend(OpenCl.Device device, Tiles tiles) throws BackendUnavailableException {
        this(device, List.of(tiles), false);
    }

    /**
     * gemm_tiled of {@code candidates}' sizes: {@code timed}, each product on gemm or one of them, whichever ran it
     * fastest at its first use, and programs replayed the faster way; otherwise every product on the one size
     * given, or on gemm, and programs enqueued.
     */
    OpenClBackend(OpenCl.Device device, List<Tiles> candidates, boolean timed) throws BackendUnavailableException {
        super(LAYOUT);
        if (!timed && candidates.size() > 1) {
            throw new IllegalArgumentException("one size of tiles for every product, or the products timed");
        }
        this.device = device;
        this.timed = timed;
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
            programs = new Programs(queue);
            boolean ok = false;
            try {
                build(stack, candidates);
                ok = true;
            } finally {
                if (!ok) {
                    close();
                }
            }
        }
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

    /** {@link #forced}'s and {@link ProductChoice#kernel}'s gemm, 32x32 tiles (the others are indexes of {@link #sizes}). */
    private static final int GEMM_32 = -1;

    /**
     * A product's kernel ({@link #GEMM_32} or an index of {@link #sizes}), the seconds a run took on each, gemm's
     * first (infinite: it failed to launch, disagreed with gemm or was left out), and how far each one's product lay
     * from gemm's or why it was left out ({@link Timings#check}); both null where it was not timed.
     */
    private record ProductChoice(int kernel, double[] seconds, Timings.Checked checked) {
    }

    /** gemm's "32x32", or gemm_tiled's tile and slab, "64x64x16". */
    private String kernelName(int kernel) {
        Tiles t = kernel == GEMM_32 ? null : sizes.get(kernel);
        return t == null ? "32x32" : t.name();
    }

    private String describe(ProductChoice c) {
        if (c.seconds() == null) {
            return kernelName(c.kernel()) + " (not timed: no device memory to spare)";
        }
        StringBuilder others = new StringBuilder();
        for (int kernel = GEMM_32; kernel < sizes.size(); kernel++) {
            double s = c.seconds()[kernel + 1];
            if (kernel != c.kernel()) {
                double off = c.checked().off()[kernel + 1];
                String leftOut = c.checked().leftOut()[kernel + 1];
                others.append(others.length() == 0 ? "" : ", ").append(kernelName(kernel)).append(' ')
                        .append(leftOut != null ? leftOut : Timings.disagrees(off) ? String.format(java.util.Locale.ROOT, "disagrees with 32x32 (off by %.1e)", off)
                                : Double.isInfinite(s) ? "failed" : String.format(java.util.Locale.ROOT, "%.3f", 1e3 * s));
            }
        }
        return String.format(java.util.Locale.ROOT, "%s %.3f ms (%s)", kernelName(c.kernel()), 1e3 * c.seconds()[c.kernel() + 1], others);
    }

    /**
     * The kernel of the product {@code op(A) (m x k) * op(B)}: on a device whose products are timed, the fastest
     * on that shape at its first use; otherwise the one size given, or gemm.
     */
    private int kernelFor(boolean transA, boolean transB, int m, int n, int k, int slices, boolean split) {
        if (forced != null) {
            return forced;
        }
        if (!timed) {
            return sizes.isEmpty() ? GEMM_32 : 0;
        }
        String key = (transA ? "T" : "N") + (transB ? "T" : "N") + " " + m + "x" + n + "x" + k + (split ? " (k in " + slices + " slices)" : "");
        ProductChoice c = products.get(key);
        if (c == null) {
            c = timeProduct(transA, transB, m, n, k);
            products.put(key, c);
        }
        return c.kernel();
    }

    /**
     * Times the product on every kernel by turns ({@link Timings#byTurns}: a run each, then the best of two rounds
     * of five, so that a small product's time is not mostly the wait for the device's end; of fewer where one takes
     * long, {@link Timings#repeats}), on
     * matrices of its own (so it may happen while a program is being recorded: the timing runs now, the recording
     * goes on after it); a size that fails to launch is out, and so is one whose product on random matrices
     * disagrees with gemm's ({@link Timings#check}: a kernel this device computes wrongly). Where the device
     * has no room for those matrices, the largest tiles, untimed.
     */
    private ProductChoice timeProduct(boolean transA, boolean transB, int m, int n, int k) {
        List<Programs.Command> held = recording;
        List<Matrix> own = new ArrayList<>();
        try {
            recording = null;
            Matrix a = matrix(transA ? k : m, transA ? m : k), b, c;
            own.add(a);
            own.add(b = matrix(transB ? n : k, transB ? k : n));
            own.add(c = matrix(m, n));
            // checked with beta 0 (C is then written, not read), timed with beta 1, as a weight's step reads C
            List<Runnable> checked = new ArrayList<>(), timed = new ArrayList<>();
            List<String> kinds = new ArrayList<>();
            for (int kernel = GEMM_32; kernel < sizes.size(); kernel++) {
                int chosen = kernel;
                for (float beta : new float[] {0f, 1f}) {
                    (beta == 0f ? checked : timed).add(() -> {
                        forced = chosen;
                        gemm(transA, transB, 1f, a, b, beta, c);
                    });
                }
                kinds.add(kernel == GEMM_32 ? null : "gemm_tiled of tiles " + kernelName(kernel));
            }
            Timings.Checked found = unrecorded(() -> check(() -> {
                java.util.SplittableRandom random = new java.util.SplittableRandom(k);
                uniform(a, random, -1, 1);
                uniform(b, random, -1, 1);
            }, checked, kinds, c));
            double[] seconds = Timings.byTurns(this, found.usable(timed), 2, Timings.repeats(5, found.seconds()));
            return new ProductChoice(Timings.fastest(seconds) + GEMM_32, seconds, found);
        } catch (DeviceMemoryException e) {
            int largest = 0;
            for (int t = 1; t < sizes.size(); t++) {
                largest = sizes.get(t).tsm() * sizes.get(t).tsn() > sizes.get(largest).tsm() * sizes.get(largest).tsn() ? t : largest;
            }
            return new ProductChoice(sizes.isEmpty() ? GEMM_32 : largest, null, null);
        } finally {
            forced = null;
            free(own.toArray(Matrix[]::new));
            recording = held;
        }
    }

    private static Map<String, String> defines() {
        Map<String, String> d = new TreeMap<>(GpuKernel.CODES);
        LAYOUT.defines().forEach((name, value) -> d.put(name, value.toString()));
        Map.of("TS", TS, "WPT", WPT, "PLAIN", PLAIN, "DERIVATIVE", DERIVATIVE, "ROW_THREADS", ROW_THREADS, "ROW_FLOATS", ROW_FLOATS, "UPDATE_TILE", UPDATE_TILE,
                "FIRST_TILE_ROWS", FIRST_TILE_ROWS).forEach((name, value) -> d.put(name, value.toString()));
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

    /**
     * Builds every kernel with the first of {@code candidates}' sizes (or any, where there are none), and the
     * GEMM alone with each other size, leaving out sizes that fail to build.
     */
    private void build(MemoryStack stack, List<Tiles> candidates) throws BackendUnavailableException {
        program = program(stack, sources(), candidates.isEmpty() ? TILES.get(0) : candidates.get(0));
        for (GpuKernel k : GpuKernel.values()) {
            if (k.onOpenCl()) {
                kernels.put(k, kernel(program, k));
            }
        }
        for (Tiles t : candidates) {
            if (sizes.isEmpty()) {
                sizes.add(t);
                continue;
            }
            try {
                long p = program(stack, gemmFiles(), t);
                tiledPrograms.put(t, p);
                tiledKernels.put(t, kernel(p, GpuKernel.GEMM_TILED));
                sizes.add(t);
            } catch (BackendUnavailableException e) {
                leftOut.put(t, "failed to build"); // sizes this device cannot build (registers, local memory)
            }
        }
        fitWorkGroups();
    }

    /**
     * The work-group a kernel launches in, every launch of it alike; null for the two that take theirs from the
     * device: gemm_tiled's items are its tiles' ({@link Tiles}), and step_rows takes as many as the device allows,
     * up to {@link #ROW_THREADS}.
     */
    static Launch workGroup(GpuKernel kernel) {
        return switch (kernel) {
            case GEMM -> new Launch(1, 1, 1, TS, TS / WPT);
            case GEMM_REDUCE -> new Launch(1, 1, 1, REDUCE_TILE, REDUCE_TILE);
            case OPTIMIZE_LAYER, STEP_UPDATES, STEP_TILES -> updates(1);
            case GEMM_TILED, STEP_ROWS -> null;
            default -> LAYOUT.launch(kernel.shape(), 1);
        };
    }

    /**
     * Refuses a device that cannot launch a kernel's work-groups (its most items a work-group, or as many as it
     * compiled that kernel for, or its most in a dimension, under what the kernel takes), so that a run is not
     * stopped by its first launch: the backend is unusable, with the reason, and a run trains elsewhere. gemm_tiled's
     * sizes it cannot launch are left out instead, as are those it cannot build.
     */
    private void fitWorkGroups() throws BackendUnavailableException {
        long[] dims = OpenCl.workItemSizes(device.id());
        for (Map.Entry<GpuKernel, Long> e : kernels.entrySet()) {
            Launch group = workGroup(e.getKey());
            String why = group == null ? null : unfit(group, OpenCl.workGroupSize(e.getValue(), device.id()), dims);
            if (why != null) {
                throw new BackendUnavailableException("OpenCL on " + device.name() + " cannot run the kernel " + e.getKey().entry() + ": " + why);
            }
        }
        for (Tiles t : List.copyOf(sizes)) {
            long kernel = tiledKernels.getOrDefault(t, kernels.get(GpuKernel.GEMM_TILED)); // the first size's is the program's
            String why = unfit(t.workGroup(), OpenCl.workGroupSize(kernel, device.id()), dims);
            if (why != null) {
                sizes.remove(t);
                leftOut.put(t, "cannot run here: " + why);
            }
        }
    }

    /**
     * Why a device whose kernel takes work-groups of at most {@code most} items, and at most {@code dims} items in each
     * dimension, cannot launch {@code group}'s; null where it can.
     */
    static String unfit(Launch group, long most, long[] dims) {
        long items = (long) group.threadsX() * group.threadsY();
        String shape = group.threadsX() + "x" + group.threadsY() + " items";
        if (items > most) {
            return "it runs in work-groups of " + shape + " (" + items + "), and the device takes at most " + most + " for it";
        }
        if (group.threadsX() > dims[0] || group.threadsY() > dims[1]) {
            return "it runs in work-groups of " + shape + ", and the device takes at most " + dims[0] + "x" + dims[1];
        }
        return null;
    }

    /** The program that holds {@code kernel} as launched now: gemm_tiled's of the size launching. */
    private long programOf(GpuKernel kernel) {
        return kernel == GpuKernel.GEMM_TILED ? tiledPrograms.getOrDefault(launching, program) : program;
    }

    /** {@code kernel}'s object in {@link #programOf}'s program, built once. */
    private long kernelOf(GpuKernel kernel) {
        return kernel == GpuKernel.GEMM_TILED ? tiledKernels.getOrDefault(launching, kernels.get(kernel)) : kernels.get(kernel);
    }

    /** The program of {@code files} built with {@code tiles}. */
    private long program(MemoryStack stack, List<String> files, Tiles tiles) throws BackendUnavailableException {
        IntBuffer err = stack.mallocInt(1);
        long p = clCreateProgramWithSource(context, texts(files), err);
        OpenCl.check(err.get(0), "clCreateProgramWithSource");
        if (clBuildProgram(p, device.id(), options(tiles), null, 0) != CL_SUCCESS) {
            String log = OpenCl.buildLog(p, device.id());
            clReleaseProgram(p);
            throw new BackendUnavailableException("OpenCL kernels failed to build on " + device.name() + ": " + log);
        }
        return p;
    }

    /** The text of each of {@code files} (kernels/NAME.cl in the jar), as a program is built from them. */
    static String[] texts(List<String> files) {
        return files.stream().map(f -> kernelFile(f + ".cl", "kernels/" + f + ".cl is missing from the jar")).toArray(String[]::new);
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
        d.append(sizes.isEmpty() ? "32x32 tiles" : !timed ? "register tiles " + sizes.get(0)
                : "32x32 or register tiles of " + sizes.stream().map(Tiles::toString).collect(Collectors.joining(", "))
                        + ", whichever ran a product fastest at its first use");
        leftOut.forEach((t, why) -> d.append("; tiles ").append(t).append(' ').append(why));
        products.forEach((shape, c) -> d.append("; ").append(shape).append(' ').append(describe(c)));
        if (replay != null && replay.length == 2) {
            d.append(String.format(java.util.Locale.ROOT, "; programs %s (%d kernels: command buffer %.1f us, enqueued %.1f us)",
                    replaysBuffered() ? "replayed as command buffers" : "enqueued", REPLAY_LAUNCHES, replay[1] * 1e6, replay[0] * 1e6));
        }
        if (replayFailure != null) {
            d.append("; programs enqueued: ").append(replayFailure);
        }
        return d.toString();
    }

    @Override
    public String device() {
        return "opencl: device " + device.describe();
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
                throw new DeviceMemoryException("opencl: cannot allocate " + Limits.mib(bytes) + " on " + device.name());
            }
            OpenCl.check(err.get(0), "clCreateBuffer");
            buffers.add(mem);
            allocated += size;
            OpenCl.check(CL12.clEnqueueFillBuffer(queue, mem, stack.calloc(4), 0, size, null, null), "clEnqueueFillBuffer");
            return mem;
        }
    }

    /**
     * Mapped from a buffer the driver allocates in host memory (CL_MEM_ALLOC_HOST_PTR), which drivers such as
     * NVIDIA's page-lock, so transfers from it need no bounce copy; plain direct memory where the driver refuses.
     */
    @Override
    protected ByteBuffer allocateHost(int bytes) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer err = stack.mallocInt(1);
            long mem = clCreateBuffer(context, CL_MEM_READ_WRITE | CL_MEM_ALLOC_HOST_PTR, bytes, err);
            if (err.get(0) != CL_SUCCESS) {
                return super.allocateHost(bytes);
            }
            ByteBuffer mapped = clEnqueueMapBuffer(queue, mem, true, CL_MAP_READ | CL_MAP_WRITE, 0, bytes, null, null, err, null);
            if (err.get(0) != CL_SUCCESS || mapped == null) {
                clReleaseMemObject(mem);
                return super.allocateHost(bytes);
            }
            hostBuffer = mem;
            return mapped;
        }
    }

    @Override
    protected void freeHost(ByteBuffer host) {
        if (hostBuffer != 0) {
            clEnqueueUnmapMemObject(queue, hostBuffer, host, null, null);  // on close too, where nothing may throw
            clReleaseMemObject(hostBuffer);
            hostBuffer = 0;
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
        issue(q -> {
            try (MemoryStack stack = MemoryStack.stackPush()) {
                OpenCl.check(CL12.clEnqueueFillBuffer(q, dst, stack.calloc(4), 0, bytes, null, null), "clEnqueueFillBuffer");
            }
        });
    }

    /** Runs a command now, or keeps it for the program being captured. */
    private void issue(Programs.Command command) {
        if (recording != null) {
            recording.add(command);
        } else {
            command.enqueue(queue);
        }
    }

    /**
     * Sets the arguments and enqueues. While capturing, the launch gets a kernel object of its own with the
     * arguments bound once, so replaying it is just the enqueue (or a command buffer's command).
     */
    @Override
    protected void enqueue(GpuKernel kernel, Launch l, Object[] args) {
        Launch group = workGroup(kernel);
        if (group != null && (l.threadsX() != group.threadsX() || l.threadsY() != group.threadsY())) {
            // fitWorkGroups checked the device against workGroup's, so a launch of another is a mistake here
            throw new IllegalStateException(kernel.entry() + " launched in work-groups of " + l.threadsX() + "x" + l.threadsY() + ", not "
                    + group.threadsX() + "x" + group.threadsY() + " as workGroup says");
        }
        long k = recording == null ? kernelOf(kernel) : kernel(programOf(kernel), kernel);
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
        Programs.Command launch = new Programs.Command() {
            @Override
            public void enqueue(long q) {
                OpenCl.check(clEnqueueNDRangeKernel(q, k, 3, null, global, local, null, null), kernel.entry());
            }

            @Override
            public boolean kernel() {
                return true;
            }

            @Override
            public void append(long commandBuffer) {
                OpenCl.check(KHRCommandBuffer.clCommandNDRangeKernelKHR(commandBuffer, 0, (java.nio.LongBuffer) null, k, 3, null, global, local,
                        (IntBuffer) null, (IntBuffer) null, null), kernel.entry() + " (clCommandNDRangeKernelKHR)");
            }
        };
        if (recording == null) {
            try {
                launch.enqueue(queue);
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

    /**
     * Records the commands of {@code ops} (kernels with their arguments bound) for replay; runs nothing now. The
     * program replays them as command buffers where the device has them and they replayed faster than the
     * enqueues ({@link #replaysBuffered}), otherwise (or where the device refuses this program's) by enqueueing each.
     */
    @Override
    protected Program capture(Runnable ops) {
        boolean buffered = replaysBuffered();
        List<Programs.Command> commands = commands(ops);
        if (buffered) {
            try {
                return programs.buffered(commands);
            } catch (BackendFailure e) {
                replayFailure = REFUSED + e.getMessage();
            }
        }
        return programs.enqueued(commands);
    }

    /** The commands of {@code ops}, recorded; none run. */
    List<Programs.Command> commands(Runnable ops) {
        List<Programs.Command> list = new ArrayList<>();
        recording = list;
        try {
            ops.run();
        } finally {
            recording = null;
        }
        return list;
    }

    /**
     * Whether programs replay as command buffers: on a device that has them and whose choices are timed (a GPU),
     * decided at the first capture by timing a program of {@link #REPLAY_LAUNCHES} small kernels both ways, by
     * turns, each replay to the device's end (a program of the trainer's runs once an epoch, and has long ended
     * when it runs again); a device that refuses to make the command buffer enqueues.
     */
    boolean replaysBuffered() {
        if (replay == null) {
            replay = device.commandBuffers() && timed ? timeReplays() : new double[0];
        }
        return replay.length == 2 && replay[1] < replay[0];
    }

    /** The seconds {@link #replaysBuffered} timed, enqueued and as a command buffer; empty where it timed none. */
    double[] replaySeconds() {
        replaysBuffered();
        return replay.clone();
    }

    /** The small kernels of the program {@link #replaysBuffered} times. */
    static final int REPLAY_LAUNCHES = 32;

    private double[] timeReplays() {
        Matrix z, bias;
        try {
            z = matrix(1, 64);
            bias = matrix(1, 64);
        } catch (DeviceMemoryException e) {
            return new double[0];
        }
        try {
            List<Programs.Command> commands = commands(() -> {
                for (int i = 0; i < REPLAY_LAUNCHES; i++) {
                    biasActivation(z, bias, Activation.IDENTITY);
                }
            });
            Program enqueued = programs.enqueued(commands), buffered;
            try {
                buffered = programs.buffered(commands);
            } catch (BackendFailure e) {
                replayFailure = REFUSED + e.getMessage();
                return new double[0];
            }
            // each launch adds the bias to z: a command buffer that dropped or repeated one ends elsewhere
            List<Runnable> ways = List.of(enqueued::run, buffered::run);
            Timings.Checked found = unrecorded(() -> check(() -> {
                java.util.SplittableRandom random = new java.util.SplittableRandom(REPLAY_LAUNCHES);
                uniform(z, random, -1, 1);
                uniform(bias, random, -1, 1);
            }, ways, java.util.Arrays.asList(null, "a command buffer"), z));
            double off = found.off()[1];
            if (found.leftOut()[1] != null) {
                replayFailure = "a command buffer was " + found.leftOut()[1];
                return new double[0];
            }
            if (Timings.disagrees(off)) {
                replayFailure = String.format(java.util.Locale.ROOT, "a command buffer of %d kernels disagrees with them enqueued (off by %.1e)",
                        REPLAY_LAUNCHES, off);
                return new double[0];
            }
            return Timings.byTurns(this, ways, 3, 1);
        } finally {
            free(z, bias);
        }
    }

    /**
     * Whole steps, their updates by step_updates or step_tiles (whole_steps.cl), which step every weight and bias
     * of up to {@link #WHOLE_STEPS_LAYERS} layers in one launch, in up to four ways. Where the network fits step_rows's
     * slots, an example's input, activations and deltas fit {@link #ROW_FLOATS} and it has
     * {@link #WHOLE_STEPS_PARAMETERS} weights at most: two launches a step (the book's net takes five layer by
     * layer), and, with a hidden layer, three: the first layer's forward product by the layer ops' GEMM, then
     * step_rows from it (each work-group otherwise reads all of w0 for its example). Up to
     * {@link #PRODUCT_STEPS_PARAMETERS} weights, of any depth: the products as the layer ops make them, each hidden
     * layer's delta in its product's epilogue ({@link #hiddenDelta}), the output's by output_step without its
     * bias's step; this takes a launch a layer each way and one for the updates of each three layers, where the
     * layer ops take three a hidden layer, and step_rows reads a layer's weights once per example. And with a
     * hidden layer, two launches a step again: step_tiles steps w0 by tiles and makes the first layer's product
     * from them, then step_rows from it ({@link #tileSteps}). The trainer times the ways against layer by layer.
     */
    @Override
    protected Steps steps(WholeStepSlots n, Activation act, Output output) {
        if (n.weights() > PRODUCT_STEPS_PARAMETERS) {
            return null;
        }
        int[] s = n.sizes();
        long values = s[0];
        List<Long> groups = new ArrayList<>();
        for (int g = 0; g < n.layers(); g += WHOLE_STEPS_LAYERS) {
            long tiles = 0;
            for (int l = g; l < Math.min(n.layers(), g + WHOLE_STEPS_LAYERS); l++) {
                values += 2L * s[l + 1];
                tiles += updateTiles(s[l], s[l + 1]);
            }
            groups.add(tiles);
        }
        List<Launch> updates = groups.stream().map(OpenClBackend::updates).toList();
        String updated = updatesLayout(groups);
        Steps products = productSteps(n, act, output, updates, "the layer ops' products, then "
                + (updates.size() == 1 ? "one launch of every update: " : "a launch of the updates of each " + WHOLE_STEPS_LAYERS + " layers: ") + updated);
        if (n.layers() > WHOLE_STEPS_LAYERS || values > ROW_FLOATS || n.weights() > WHOLE_STEPS_PARAMETERS) {
            return products;
        }
        long items = Math.min(Math.min(ROW_THREADS, OpenCl.workGroupSize(kernels.get(GpuKernel.STEP_ROWS), device.id())),
                OpenCl.workItemSizes(device.id())[0]);
        Launch rows = new Launch(n.batch(), 1, 1, (int) items, 1);
        String layout = String.format(java.util.Locale.ROOT, "%d work-groups of %d items, one an example, then %s", n.batch(), items, updated);
        List<Steps> others = new ArrayList<>();
        if (n.layers() > 1) {
            others.add(rowSteps(n.slots(0), act, output, rows, updates.get(0), true,
                    "three launches a step: the first layer's product as the layer ops make it, its slices of k added by the next, then " + layout, List.of()));
        }
        others.add(products);
        // last, since a checkpoint names the way by its place, and ways before this one were there first
        Steps tiled = n.layers() > 1 ? tileSteps(n.slots(0), act, output, rows, updates.get(0), items) : null;
        if (tiled != null) {
            others.add(tiled);
        }
        return rowSteps(n.slots(0), act, output, rows, updates.get(0), false, "two launches a step: " + layout, others);
    }

    /**
     * step_rows and step_updates a step, after the first layer's forward product where {@code forwarded}: its
     * slices of k unadded, or where it has one, the product in a1, which step_rows adds up, biases and activates
     * (a launch fewer than {@link #layerForward}'s of a sliced product).
     */
    private Steps rowSteps(WholeStepSlots n, Activation act, Output output, Launch rows, Launch updates, boolean forwarded, String layout,
                           List<Steps> alternatives) {
        int[] s = n.sizes();
        Matrix[] w = n.w(), b = n.b(), a = n.a(), d = n.d();
        return eachStep(n, layout, alternatives, (x, labels, first, rate, decay) -> {
            Matrix z1 = a[0];
            int slices = 0;
            if (forwarded) {
                Matrix in = x.rows(first, n.batch());
                Matrix sliced = unreducedProduct(false, in, w[0], a[0]);
                if (sliced == null) {
                    gemm(false, false, 1f, in, w[0], 0f, a[0]);
                } else {
                    z1 = sliced;
                }
                slices = sliced == null ? 1 : sliced.rows() / n.batch();
            }
            launch(GpuKernel.STEP_ROWS, rows, x, labels, w[0], b[0], w[1], b[1], w[2], b[2], a[0], a[1], a[2], d[0], d[1], d[2], z1, slices,
                    first, n.layers(), s[0], s[1], s[2], s[3], GpuKernel.code(act), GpuKernel.code(output));
            stepUpdates(n, updates, x, first, rate, decay);
        });
    }

    /**
     * Two launches a step, step_tiles then step_rows: each step's updates deferred to the next step's step_tiles,
     * which then makes the first layer's product by w0's tiles, and step_updates after a run's last step. Null
     * where the device lacks the memory for the product's slices.
     */
    private Steps tileSteps(WholeStepSlots n, Activation act, Output output, Launch rows, Launch updates, long items) {
        int[] s = n.sizes();
        Matrix[] w = n.w(), b = n.b(), a = n.a(), d = n.d();
        int slices = (int) blocks(s[0], FIRST_TILE_ROWS);
        Matrix z1;
        try {
            z1 = matrix(slices * n.batch(), s[1]);
        } catch (DeviceMemoryException e) {
            return null;
        }
        long first = blocks(s[0] + 1L, FIRST_TILE_ROWS) * blocks(s[1], UPDATE_TILE), above = 0;
        for (int l = 1; l < n.layers(); l++) {
            above += updateTiles(s[l], s[l + 1]);
        }
        Launch tiles = updates(first + above);
        String layout = String.format(java.util.Locale.ROOT, "two launches a step: %d work-groups of %dx%d of the first layer's weights, which step"
                + " them and make its product, and %d of %dx%d above, 2x2 an item, then %d work-groups of %d items, one an example", first,
                FIRST_TILE_ROWS, UPDATE_TILE, above, UPDATE_TILE, UPDATE_TILE, n.batch(), items);
        return new Steps() {
            @Override
            public void run(Matrix x, Matrix labels, float rate, float decay) {
                n.check(x, labels);
                int row = 0;
                for (; row < x.rows(); row += n.batch()) {
                    launch(GpuKernel.STEP_TILES, tiles, x, w[0], b[0], w[1], b[1], w[2], b[2], a[0], a[1], a[2], d[0], d[1], d[2], z1, row,
                            n.batch(), n.layers(), s[0], s[1], s[2], s[3], rate, decay);
                    launch(GpuKernel.STEP_ROWS, rows, x, labels, w[0], b[0], w[1], b[1], w[2], b[2], a[0], a[1], a[2], d[0], d[1], d[2], z1, slices,
                            row, n.layers(), s[0], s[1], s[2], s[3], GpuKernel.code(act), GpuKernel.code(output));
                }
                stepUpdates(n, updates, x, row - n.batch(), rate, decay);
            }

            @Override
            public String toString() {
                return layout;
            }
        };
    }

    /** step_updates on the layers in {@code n}'s slots, whose input is rows {@code first} on of {@code x}. */
    private void stepUpdates(WholeStepSlots n, Launch updates, Matrix x, int first, float rate, float decay) {
        int[] s = n.sizes();
        Matrix[] w = n.w(), b = n.b(), a = n.a(), d = n.d();
        launch(GpuKernel.STEP_UPDATES, updates, x, w[0], b[0], w[1], b[1], w[2], b[2], a[0], a[1], a[2], d[0], d[1], d[2], first,
                n.batch(), n.layers(), s[0], s[1], s[2], s[3], rate, decay);
    }

    /**
     * The layer ops' products and deltas a step ({@link #productsAndDeltas}), then step_updates on each
     * {@link #WHOLE_STEPS_LAYERS} layers ({@code updates}' launches).
     */
    private Steps productSteps(WholeStepSlots n, Activation act, Output output, List<Launch> updates, String layout) {
        List<WholeStepSlots> groups = new ArrayList<>();
        for (int g = 0; g < n.layers(); g += WHOLE_STEPS_LAYERS) {
            groups.add(n.slots(g));
        }
        return eachStep(n, layout, List.of(), (x, labels, first, rate, decay) -> {
            productsAndDeltas(n, act, output, x.rows(first, n.batch()), labels.rows(first, n.batch()));
            stepUpdates(groups.get(0), updates.get(0), x, first, rate, decay);
            for (int g = 1; g < groups.size(); g++) {
                stepUpdates(groups.get(g), updates.get(g), n.a()[g * WHOLE_STEPS_LAYERS - 1], 0, rate, decay);
            }
        });
    }

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        gemm(transA, transB, alpha, a, b, beta, c, c, PLAIN, true);
    }

    @Override
    public void layerForward(Matrix x, Matrix w, Matrix bias, Activation act, Matrix z) {
        Shapes.bias(z, bias);
        gemm(false, false, 1f, x, w, 0f, z, bias, GpuKernel.code(act), true);
    }

    /** A step's product in slices of k, left for the step kernel to add, where it has more than one. */
    @Override
    protected Matrix unreducedProduct(boolean transB, Matrix a, Matrix b, Matrix c) {
        int[] mnk = Shapes.gemm(false, transB, a, b, c);
        return slicing(false, transB, mnk[0], mnk[1], mnk[2]).count() == 1 ? null : gemm(false, transB, 1f, a, b, 0f, c, c, PLAIN, false);
    }

    /**
     * The slices of k a product runs in, {@code count} of them {@code depth} deep (the last may be less); {@code chosen}
     * where they are tune's split.
     */
    private record Slicing(int count, int depth, boolean chosen) {
    }

    /** tune's split of the product's k, where it chose one, else the shape's ({@link #slices}), in whole 32-deep slabs. */
    private Slicing slicing(boolean transA, boolean transB, int m, int n, int k) {
        boolean chosen = splits(transA, transB, m, n, k);
        int slices = chosen ? splitSlices(transB, m, n, k) : slices(m, n, k);
        int depth = (int) blocks((k + slices - 1) / slices, TS) * TS;
        return new Slicing((k + depth - 1) / depth, depth, chosen);
    }

    /** In one launch: the derivative taken in the product's epilogue. */
    @Override
    protected void hiddenDelta(Matrix dNext, Matrix wNext, Matrix a, Activation act, Matrix bias, Matrix g) {
        Shapes.same(g, a);  // the product's shapes are gemm's to check
        gemm(false, true, 1f, dNext, wNext, 0f, g, a, DERIVATIVE - GpuKernel.code(act), true);
    }

    /**
     * {@code kind}: gemm.cl's epilogue on {@code aux}: {@link #PLAIN}, an activation's code (+ aux, the bias, then
     * the activation), or {@link #DERIVATIVE} - an activation's code (times its derivative at aux[i][j]). With
     * k in slices and not {@code reduce}, the slices' partial products are left unadded in the scratch buffer,
     * which this returns (slices x m rows); otherwise C is the product, and this returns null.
     */
    private Matrix gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c, Matrix aux, int kind, boolean reduce) {
        int[] mnk = Shapes.gemm(transA, transB, a, b, c);
        int m = mnk[0], n = mnk[1], k = mnk[2];
        Slicing sliced = slicing(transA, transB, m, n, k);
        int slices = sliced.count(), kSlice = sliced.depth();
        int choice = kernelFor(transA, transB, m, n, k, slices, sliced.chosen());
        Tiles t = choice == GEMM_32 ? null : sizes.get(choice);
        GpuKernel kernel = t != null ? GpuKernel.GEMM_TILED : GpuKernel.GEMM;
        Launch group = t != null ? t.workGroup() : workGroup(GpuKernel.GEMM);
        int tileRows = t != null ? t.tsm() : TS, tileCols = t != null ? t.tsn() : TS;
        Launch grid = new Launch(blocks(n, tileCols), blocks(m, tileRows), slices, group.threadsX(), group.threadsY());
        launching = t;
        int ta = transA ? 1 : 0, tb = transB ? 1 : 0;
        if (slices == 1) {
            launch(kernel, grid, ta, tb, m, n, k, k, alpha, a, a.cols(), b, b.cols(), beta, c, c.cols(), aux, kind);
            return null;
        }
        if (scratch == null || scratch.size() < (long) slices * m * n) {
            scratch = gpu(matrix(slices * m, n));
        }
        launch(kernel, grid, ta, tb, m, n, k, kSlice, 1f, a, a.cols(), b, b.cols(), 0f, scratch, n, scratch, PLAIN);
        if (!reduce) {
            return new GpuMatrix<>(scratch.buffer(), scratch.offset(), slices * m, n);
        }
        Launch sums = workGroup(GpuKernel.GEMM_REDUCE); // an item an output
        launch(GpuKernel.GEMM_REDUCE, new Launch(blocks(n, sums.threadsX()), blocks(m, sums.threadsY()), 1, sums.threadsX(), sums.threadsY()),
                scratch, slices, m, n, alpha, beta, c, c.cols(), aux, kind);
        return null;
    }

    /**
     * The slices of k of a product of very few output tiles and a long k (the forward 100 x 100 x 784), so that more
     * compute units work; 1 for the others. Decided on gemm's tiles whichever kernel runs, so that the choice of
     * kernel never changes a bit.
     */
    private static int slices(int m, int n, int k) {
        long tiles32 = blocks(n, TS) * blocks(m, TS);
        return tiles32 >= 64 ? 1 : (int) Math.max(1, Math.min(8, Math.min(64 / tiles32, k / (4L * TS))));
    }

    /**
     * A product that {@link #slices} leaves whole but whose 32 x 32 tiles are still too few for eight work-groups a
     * compute unit (100 x 2048 x 2048 on a GPU of 132 units; a unit holds more than eight of gemm_tiled's 64 items
     * at once, and the more it holds, the more of their loads' latency it hides) may have its k split into as many
     * slices as make them enough, up to 8 and at least 128 deep; tune times that against the whole k.
     */
    @Override
    protected int splitSlices(boolean transB, int m, int n, int k) {
        if (slices(m, n, k) > 1) {
            return 1;
        }
        long tiles32 = blocks(n, TS) * blocks(m, TS), wanted = 8L * device.computeUnits();
        return (int) Math.max(1, Math.min(8, Math.min(k / (4L * TS), (wanted + tiles32 - 1) / tiles32)));
    }

    @Override
    public void synchronize() {
        OpenCl.check(clFinish(queue), "clFinish");
    }

    /** A marker's event, flushed so that no later call need hand it to the device; released once waited for. */
    @Override
    protected Mark marker() {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer event = stack.mallocPointer(1);
            OpenCl.check(CL12.clEnqueueMarkerWithWaitList(queue, null, event), "clEnqueueMarkerWithWaitList");
            long reached = event.get(0);
            OpenCl.check(clFlush(queue), "clFlush");
            return () -> {
                try {
                    OpenCl.check(clWaitForEvents(reached), "clWaitForEvents");
                } finally {
                    clReleaseEvent(reached);
                }
            };
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        clFinish(queue);
        programs.release();
        kernels.values().forEach(k -> clReleaseKernel(k));
        tiledKernels.values().forEach(k -> clReleaseKernel(k));
        tiledPrograms.values().forEach(p -> clReleaseProgram(p));
        recordedKernels.forEach(k -> clReleaseKernel(k));
        recordedSizes.forEach(MemoryUtil::memFree);
        buffers.forEach(b -> clReleaseMemObject(b));
        releaseStaging();
        if (program != 0) {
            clReleaseProgram(program);
        }
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
    }
}
