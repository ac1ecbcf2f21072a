package org.mlp4j.backend.cuda;

import static jcuda.driver.JCudaDriver.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.CUstreamCaptureMode;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.jcublas.cublasStatus;
import jcuda.runtime.cudaStream_t;
import org.mlp4j.Activation;
import org.mlp4j.Output;
import org.mlp4j.backend.BackendFailure;
import org.mlp4j.backend.DeviceMemoryException;
import org.mlp4j.backend.GpuBackend;
import org.mlp4j.backend.GpuKernel;
import org.mlp4j.backend.Matrix;
import org.mlp4j.backend.Shapes;
import org.mlp4j.util.Limits;

/**
 * CUDA: GEMMs through cuBLAS (JCublas2), everything else through the kernels in {@code kernels/*.cu}
 * (PTX packed in the jar), on one stream of the device's primary context so cuBLAS and the kernels
 * share buffers and ordering; a second stream, with a cuBLAS handle and workspace of its own, takes what {@link #aside}
 * gives it, from an event on the first to an event the first waits on before the first op that touches what it wrote
 * or writes what it read. {@link #capture} records a sequence of operations
 * into a CUDA graph (the second stream's a branch of it), so an epoch of 550 steps costs a handful of launches
 * instead of thousands.
 */
public final class CudaBackend extends GpuBackend<CUdeviceptr> {
    /**
     * The blocks of {@code kernels/*.cu}: element-wise kernels of 256 threads; the step kernels' 32 row
     * groups ({@code layout.cuh}'s ROW_GROUPS); the reductions' 1024 threads (its REDUCE_THREADS), which
     * those kernels declare with {@code __launch_bounds__} so they fit a block's registers; double sums.
     */
    static final Layout LAYOUT = new Layout(256, 32, 1024, 65535, 8);
    /** Why there is no CUDA backend in a jar built where nvcc was missing or could not compile (kernels/build-ptx.sh). */
    static final String NOT_BUILT = "the CUDA kernels were not built into this jar (at build time nvcc was missing or could not compile, or the build ran on Windows)";
    /**
     * train_steps's threads on a multiprocessor, as one block or as two of half as many (its launch bounds
     * hold a thread to the registers of that many): two blocks keep twice the tiles in shared memory, one makes
     * each grid-wide barrier wait for half the blocks. The trainer times both.
     */
    static final int WHOLE_STEPS_THREADS = 512;
    /**
     * The cluster kernels' blocks, their one cluster's size (a size that is not portable: the function is allowed it,
     * and a GPU may still refuse it), and their portable twins' (kernels/clusters.cuh's CLUSTER_BLOCKS and
     * PORTABLE_CLUSTER_BLOCKS); the floats of the next step's rows of x each of cluster_steps's threads holds at most
     * (kernels/cluster_steps.cu's CLUSTER_NEXT_FLOATS); the hidden units a block of deferred_steps holds at most, their
     * sums in its threads' registers (kernels/deferred_steps.cu's DEFERRED_UNITS). Their blocks are of
     * WHOLE_STEPS_THREADS threads.
     */
    static final int CLUSTER_BLOCKS = 16;
    static final int PORTABLE_CLUSTER_BLOCKS = 8;
    static final int CLUSTER_NEXT_FLOATS = 20;
    static final int DEFERRED_UNITS = 16;
    /**
     * The steps of a block of deferred_steps, a way each: fewer put more of cuBLAS's products between the cluster's
     * steps, more put more Gram terms into each step.
     */
    static final int[] DEFERRED_BLOCK_STEPS = {4, 8};
    /**
     * The rows of a block of deferred_steps (its steps times the batch) at most: its two buffers of Grams x x' are that
     * many squared, 16 MiB each at most (the book's batch in blocks of 8 steps is 800 rows). The deferral is for small
     * batches, where launches cost the time; its Grams grow with the square of a block's rows, so a small network at a
     * large batch would otherwise take gigabytes for each way, and as much again for the copy the ways are timed on.
     */
    static final int DEFERRED_GRAM_ROWS = 2048;
    /** The architectures of the kernels' PTX beside compute_75's, newest first (kernels/build-ptx.sh). */
    static final int[] NEWER_PTX = {90, 80};
    /** cuBLAS's own workspace, set up front so cuBLAS never allocates during graph capture (32 MiB suits Hopper). */
    private static final long CUBLAS_WORKSPACE = 32L << 20;
    /** The second stream's, for the small products {@link #aside} takes off the critical path (cuBLAS's advice before Hopper). */
    private static final long SIDE_CUBLAS_WORKSPACE = 4L << 20;
    /**
     * The backends open on this thread, in the order they opened: one that closes leaves the context of the last
     * of the others current (a prediction's backend opened within a fit's {@code Progress}, whose own calls go on).
     */
    private static final ThreadLocal<ArrayDeque<CudaBackend>> OPEN_ON_THIS_THREAD = ThreadLocal.withInitial(ArrayDeque::new);

    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUstream stream = new CUstream();
    private final cublasHandle cublas = new cublasHandle();
    /** {@link #aside}'s stream and cuBLAS handle, and the event it forks from {@link #stream} at. */
    private final CUstream side = new CUstream();
    private final cublasHandle sideBlas = new cublasHandle();
    private final CUevent forked = new CUevent();
    /** The ops of {@link #aside} that {@link #stream} has not yet been made to wait for, oldest first; the one being issued. */
    private final List<Aside> asides = new ArrayList<>();
    private Aside issuing;
    /** Events of asides waited for, to record again. */
    private final ArrayDeque<CUevent> spareEvents = new ArrayDeque<>();
    private final Map<GpuKernel, CUfunction> functions = new EnumMap<>(GpuKernel.class);
    private final List<CUmodule> modules = new ArrayList<>();
    private final List<CUdeviceptr> allocations = new ArrayList<>();
    private final List<CUgraphExec> graphs = new ArrayList<>();
    /** The page-locked host memory of {@link #allocateHost}, null where there is none. */
    private Pointer pinned;
    private final String identity, description;
    /** The device's compute capability as major * 10 + minor (90 for an H200). */
    private final int computeCapability;
    private String graphNote = "CUDA graphs";
    /** The dynamic shared memory each cluster kernel is allowed, in bytes: the most a network's steps asked of it so far. */
    private final Map<GpuKernel, Integer> clusterShared = new EnumMap<>(GpuKernel.class);
    private boolean closed;
    private boolean streamCreated;
    private boolean cublasCreated;
    private boolean sideCreated;
    private boolean sideBlasCreated;
    private final List<CUevent> events = new ArrayList<>();

    CudaBackend(int index, String cublasRoute) {
        super(LAYOUT);
        check(cuDeviceGet(device, index), "cuDeviceGet");
        check(cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        boolean ok = false;
        try {
            check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
            OPEN_ON_THIS_THREAD.get().addLast(this);
            computeCapability = 10 * attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)
                    + attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
            if (computeCapability < 75) {
                throw new BackendFailure(String.format("cuda: device %d has compute capability %d.%d; mlp4j's kernels need 7.5 (Turing) or later",
                        index, computeCapability / 10, computeCapability % 10));
            }
            check(cuStreamCreate(stream, 0), "cuStreamCreate");
            streamCreated = true;
            Map<String, CUmodule> loaded = new HashMap<>();
            for (GpuKernel k : GpuKernel.values()) {
                if (k.onCuda() && ptxFile(k.file(), computeCapability) != null) {
                    CUfunction f = new CUfunction();
                    check(cuModuleGetFunction(f, loaded.computeIfAbsent(k.file(), this::loadModule), k.entry()), "cuModuleGetFunction " + k.entry());
                    functions.put(k, f);
                }
            }
            checkBlas(JCublas2.cublasCreate(cublas), "cublasCreate");
            cublasCreated = true;
            checkBlas(JCublas2.cublasSetStream(cublas, new cudaStream_t(stream)), "cublasSetStream");
            CUdeviceptr workspace = allocate(CUBLAS_WORKSPACE);
            checkBlas(JCublas2.cublasSetWorkspace(cublas, workspace, CUBLAS_WORKSPACE), "cublasSetWorkspace");
            check(cuStreamCreate(side, 0), "cuStreamCreate");
            sideCreated = true;
            check(cuEventCreate(forked, CUevent_flags.CU_EVENT_DISABLE_TIMING), "cuEventCreate");
            events.add(forked);
            checkBlas(JCublas2.cublasCreate(sideBlas), "cublasCreate");
            sideBlasCreated = true;
            checkBlas(JCublas2.cublasSetStream(sideBlas, new cudaStream_t(side)), "cublasSetStream");
            // a workspace of its own: the two handles' GEMMs may run at once
            checkBlas(JCublas2.cublasSetWorkspace(sideBlas, allocate(SIDE_CUBLAS_WORKSPACE), SIDE_CUBLAS_WORKSPACE), "cublasSetWorkspace");
            int[] version = new int[1];
            checkBlas(JCublas2.cublasGetVersion(cublas, version), "cublasGetVersion");
            int[] driver = new int[1];
            cuDriverGetVersion(driver);
            identity = String.format("cuda: device %d %s, driver CUDA %d.%d", index, identity(device), driver[0] / 1000, driver[0] % 1000 / 10);
            description = String.format("%s, cuBLAS %d via %s", identity, version[0], cublasRoute);
            ok = true;
        } finally {
            if (!ok) {
                close();
            }
        }
    }

    /**
     * The PTX of kernel file {@code file} for a device of {@code computeCapability} (major * 10 + minor): the newest
     * of its PTX for compute_90, compute_80 (kernels with code for those on; kernels/build-ptx.sh) and compute_75
     * that the device runs; null where the file has PTX for newer GPUs only (cluster_steps's, for compute_90), so
     * that its kernels are not this device's; compute_75's, which then reports it missing, where the file has none.
     */
    static String ptxFile(String file, int computeCapability) {
        boolean newer = false;
        for (int arch : NEWER_PTX) {
            String name = file + ".compute_" + arch + ".ptx";
            boolean built = GpuBackend.class.getResource("/kernels/" + name) != null;
            if (built && computeCapability >= arch) {
                return name;
            }
            newer |= built;
        }
        String base = file + ".ptx";
        return newer && GpuBackend.class.getResource("/kernels/" + base) == null ? null : base;
    }

    private CUmodule loadModule(String file) {
        CUmodule m = new CUmodule();
        String name = ptxFile(file, computeCapability);
        String ptx = kernelFile(name, NOT_BUILT);
        int result = cuModuleLoadData(m, ptx + "\0");
        if (result == CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION) {
            throw new BackendFailure("cuda: loading kernels/" + name + " failed: " + CUresult.stringFor(result) + " (" + olderDriver(ptx) + ")");
        }
        check(result, "loading kernels/" + name);
        modules.add(m);
        return m;
    }

    private int attribute(int attribute) {
        return attribute(device, attribute);
    }

    private static int attribute(CUdevice device, int attribute) {
        int[] value = new int[1];
        check(cuDeviceGetAttribute(value, attribute, device), "cuDeviceGetAttribute");
        return value[0];
    }

    /** Device {@code index} of the driver's, as {@link #identity(CUdevice)} names it; the driver initialised. */
    static String identity(int index) {
        CUdevice device = new CUdevice();
        check(cuDeviceGet(device, index), "cuDeviceGet");
        return identity(device);
    }

    /** Its name, compute capability and memory: what tells one GPU of a machine from another. */
    private static String identity(CUdevice device) {
        byte[] name = new byte[256];
        check(cuDeviceGetName(name, name.length, device), "cuDeviceGetName");
        long[] mem = new long[1];
        check(cuDeviceTotalMem(mem, device), "cuDeviceTotalMem");
        return String.format("%s, compute capability %d.%d, %d MiB", new String(name, StandardCharsets.US_ASCII).replace("\0", "").trim(),
                attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
                attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR), mem[0] >> 20);
    }

    /**
     * Why a driver refuses {@code ptx}: the PTX ISA it declares (kernels/build-ptx.sh's) is newer than the
     * driver's. ISA x.y came with CUDA (x + 4).y, from 7.0 to 8.5 and for 9.0.
     */
    private static String olderDriver(String ptx) {
        Matcher v = Pattern.compile("(?m)^\\.version (\\d+)\\.(\\d+)$").matcher(ptx);
        if (!v.find()) {
            return "the NVIDIA driver is older than the kernels' PTX; update the driver";
        }
        return "the NVIDIA driver is older than the kernels' PTX ISA " + v.group(1) + "." + v.group(2) + ", which drivers of CUDA "
                + (Integer.parseInt(v.group(1)) + 4) + "." + v.group(2) + " and later take; update the driver";
    }

    static void check(int result, String what) {
        if (result != CUresult.CUDA_SUCCESS) {
            String name = CUresult.stringFor(result);
            if (result == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
                throw new DeviceMemoryException("cuda: out of GPU memory (" + what + ")");
            }
            throw new BackendFailure("cuda: " + what + " failed: " + name + (result == CUresult.CUDA_ERROR_DEVICE_UNAVAILABLE
                    ? " (the GPU takes no more work now: in the compute mode exclusive-process another process holds it, or its mode is"
                    + " prohibited; nvidia-smi shows both)" : ""));
        }
    }

    private static void checkBlas(int status, String what) {
        if (status != cublasStatus.CUBLAS_STATUS_SUCCESS) {
            throw new BackendFailure("cuda: " + what + " failed: " + cublasStatus.stringFor(status));
        }
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public String description() {
        return description + ", " + graphNote;
    }

    @Override
    public String device() {
        return identity;
    }

    @Override
    protected CUdeviceptr allocate(long bytes) {
        CUdeviceptr p = new CUdeviceptr();
        int rc = cuMemAlloc(p, Math.max(bytes, 4));
        if (rc == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
            throw new DeviceMemoryException(String.format("cuda: out of GPU memory allocating %s (%d MiB free)", Limits.mib(bytes),
                    memoryAvailable() >> 20));
        }
        check(rc, "cuMemAlloc");
        allocations.add(p);
        check(cuMemsetD8(p, (byte) 0, Math.max(bytes, 4)), "cuMemsetD8");
        return p;
    }

    /**
     * Page-locked, so the driver copies it by DMA instead of through a pageable bounce buffer; plain memory
     * where the system refuses to lock more.
     */
    @Override
    protected ByteBuffer allocateHost(int bytes) {
        Pointer p = new Pointer();
        int rc = cuMemAllocHost(p, bytes);
        if (rc == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
            return super.allocateHost(bytes);
        }
        check(rc, "cuMemAllocHost");
        pinned = p;
        return p.getByteBuffer(0, bytes);
    }

    @Override
    protected void freeHost(ByteBuffer host) {
        if (pinned != null) {
            cuMemFreeHost(pinned);
            pinned = null;
        }
    }

    /** After the work queued on the stream (a previous epoch may still read what is overwritten). */
    @Override
    protected void write(CUdeviceptr dst, long byteOffset, ByteBuffer src) {
        synchronize();
        check(cuMemcpyHtoD(dst.withByteOffset(byteOffset), Pointer.to(src), src.remaining()), "cuMemcpyHtoD");
    }

    @Override
    protected void read(CUdeviceptr src, long byteOffset, ByteBuffer dst) {
        synchronize();
        check(cuMemcpyDtoH(Pointer.to(dst), src.withByteOffset(byteOffset), dst.remaining()), "cuMemcpyDtoH");
    }

    @Override
    protected void zero(CUdeviceptr dst, long bytes) {
        touch(List.of(), List.of(Span.whole(dst)));
        check(cuMemsetD32Async(dst, 0, bytes / 4, target()), "cuMemsetD32Async");
    }

    @Override
    protected void enqueue(GpuKernel kernel, Launch l, Object[] args) {
        touch(kernel, args);
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof GpuMatrix<?> m) {
                params[i] = Pointer.to(((CUdeviceptr) m.buffer()).withByteOffset(4L * m.offset()));
            } else if (a instanceof CUdeviceptr p) {
                params[i] = Pointer.to(p);
            } else if (a instanceof Integer v) {
                params[i] = Pointer.to(new int[] {v});
            } else {
                params[i] = Pointer.to(new float[] {(Float) a});
            }
        }
        if (kernel.shape() == GpuKernel.Shape.COOPERATIVE) {
            check(cuLaunchCooperativeKernel(functions.get(kernel), (int) l.blocksX(), 1, 1, l.threadsX(), 1, 1, l.sharedBytes(), target(),
                    Pointer.to(params)), kernel.entry());
            return;
        }
        check(cuLaunchKernel(functions.get(kernel), (int) l.blocksX(), (int) l.blocksY(), (int) l.blocksZ(), l.threadsX(), l.threadsY(), 1,
                l.sharedBytes(), target(), Pointer.to(params), null), kernel.entry());
    }

    /**
     * train_steps on a grid no larger than the device holds at once (a cooperative launch's condition) nor
     * than the widest phase needs, with the weight tiles {@link WholeStepTiles#choose} picks for that grid: two
     * blocks a multiprocessor, and as their alternatives one of twice the threads and shared memory, and one of
     * twice the shared memory alone (each where the device holds them), where the device launches cooperatively;
     * then cluster_steps on each cluster size, where it applies ({@link #clusterSteps}); then deferred_steps on each
     * cluster size in blocks of each of {@link #DEFERRED_BLOCK_STEPS} ({@link #deferredSteps}). Null where none does,
     * and for networks of more layers than train_steps's slots.
     */
    @Override
    protected Steps steps(WholeStepSlots network, Activation act, Output output) {
        if (network.layers() > WHOLE_STEPS_LAYERS || network.weights() > WHOLE_STEPS_PARAMETERS) {
            return null;
        }
        WholeStepSlots n = network.slots(0);
        List<Way> ways = new ArrayList<>();
        if (attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COOPERATIVE_LAUNCH) != 0) {
            ways.addAll(trainSteps(n, act, output));
        }
        // last, so that the ways before them keep their numbers: 16 blocks, then 8, for a GPU that refuses 16
        for (GpuKernel k : new GpuKernel[] {GpuKernel.CLUSTER_STEPS, GpuKernel.PORTABLE_CLUSTER_STEPS}) {
            ClusterSteps cluster = clusterSteps(k, n, act, output);
            if (cluster != null) {
                ways.add(cluster);
            }
        }
        // after those, for the same reason
        for (GpuKernel k : new GpuKernel[] {GpuKernel.DEFERRED_STEPS, GpuKernel.PORTABLE_DEFERRED_STEPS}) {
            for (int blockSteps : DEFERRED_BLOCK_STEPS) {
                DeferredSteps deferred = deferredSteps(k, n, act, output, blockSteps);
                if (deferred != null) {
                    ways.add(deferred);
                }
            }
        }
        if (ways.isEmpty()) {
            return null;
        }
        ways.get(0).alternatives = List.copyOf(ways.subList(1, ways.size()));
        return ways.get(0);
    }

    /** train_steps's ways for {@code n}: on each grid the device holds. */
    private List<Way> trainSteps(WholeStepSlots n, Activation act, Output output) {
        int multiprocessors = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
        int[] value = new int[1];
        // blocks a multiprocessor, their threads and their shared memory: two blocks first, the way that ran before
        // there were others, which older checkpoints name; then one of twice the threads and shared memory; then one
        // of the shared memory of two and the threads of one, half the warps to issue each phase's code (added last,
        // so the ways before it keep their numbers)
        int[][] grids = {{2, WHOLE_STEPS_THREADS / 2, WholeStepTiles.SHARED_FLOATS / 2}, {1, WHOLE_STEPS_THREADS, WholeStepTiles.SHARED_FLOATS},
                {1, WHOLE_STEPS_THREADS / 2, WholeStepTiles.SHARED_FLOATS}};
        List<Way> ways = new ArrayList<>();
        for (int[] g : grids) {
            int perMultiprocessor = g[0], threads = g[1], sharedFloats = g[2];
            check(cuOccupancyMaxActiveBlocksPerMultiprocessor(value, functions.get(GpuKernel.TRAIN_STEPS), threads, 4L * sharedFloats),
                    "cuOccupancyMaxActiveBlocksPerMultiprocessor");
            if (value[0] >= perMultiprocessor) {
                ways.add(new TrainSteps(n, act, output, (long) perMultiprocessor * multiprocessors, threads, sharedFloats));
            }
        }
        return ways;
    }

    /** A way of whole steps; the first of a network's holds the others as its alternatives. */
    private abstract static class Way implements Steps {
        private List<Steps> alternatives = List.of();

        @Override
        public final List<Steps> alternatives() {
            return alternatives;
        }
    }

    /** train_steps for one network on one grid. */
    private final class TrainSteps extends Way {
        private final WholeStepSlots n;
        private final Activation act;
        private final Output output;
        private final WholeStepTiles tiles;
        private final Launch grid;
        private final Matrix partial;

        /** On {@code resident} blocks at most, of {@code threads} threads and {@code sharedFloats} of shared memory at most. */
        TrainSteps(WholeStepSlots n, Activation act, Output output, long resident, int threads, int sharedFloats) {
            this.n = n;
            this.act = act;
            this.output = output;
            int[] sizes = n.used();
            tiles = WholeStepTiles.choose(sizes, n.batch(), resident, threads, sharedFloats);
            // blocks: the tiles of all layers in the updates, and one a row in the row phase
            long widest = Math.max(tiles.tiles(sizes), n.batch());
            grid = new Launch(Math.min(widest, resident), 1, 1, threads, 1, tiles.sharedBytes());
            partial = matrix(tiles.down(sizes[0]) * n.batch(), sizes[1]);
        }

        @Override
        public void run(Matrix x, Matrix labels, float rate, float decay) {
            n.check(x, labels);
            Matrix[] w = n.w(), b = n.b(), a = n.a(), d = n.d();
            int[] size = n.sizes();
            launch(GpuKernel.TRAIN_STEPS, grid, x, labels, w[0], b[0], w[1], b[1], w[2], b[2], a[0], a[1], a[2], d[0], d[1], d[2], partial,
                    x.rows() / n.batch(), n.batch(), n.layers(), size[0], size[1], size[2], size[3], tiles.k(), tiles.cols(), tiles.chunkRows(),
                    rate, decay, GpuKernel.code(act), GpuKernel.code(output));
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d blocks of %d threads, weight tiles %dx%d, %d rows staged at a time, %d bytes of"
                    + " shared memory a block", grid.blocksX(), grid.threadsX(), tiles.k(), tiles.cols(), tiles.chunkRows(), tiles.sharedBytes());
        }
    }

    /**
     * {@code kernel} (CLUSTER_STEPS or PORTABLE_CLUSTER_STEPS) for {@code n}, where the device launches thread block
     * clusters and has the kernel (compute capability 9.0 on), the network has one hidden layer under sigmoid outputs,
     * and a block's share of it fits: the shared memory a block may have, the next step's rows of x in its threads'
     * registers, a label a thread. Null elsewhere, and where the driver will not give the kernel that shared memory
     * or that cluster's size.
     */
    private ClusterSteps clusterSteps(GpuKernel kernel, WholeStepSlots n, Activation act, Output output) {
        if (!clusterNetwork(kernel, n, output)) {
            return null;
        }
        int size = clusterBlocks(kernel);
        int[] s = n.used();
        if (n.batch() > WHOLE_STEPS_THREADS || (long) n.batch() * blocks(s[0], size) > (long) CLUSTER_NEXT_FLOATS * WHOLE_STEPS_THREADS) {
            return null;
        }
        long bytes = 4 * clusterStepsSharedFloats(s[0], s[1], s[2], n.batch(), size);
        return allowCluster(kernel, bytes) ? new ClusterSteps(kernel, n, act, (int) bytes) : null;
    }

    /**
     * {@code kernel} (DEFERRED_STEPS or PORTABLE_DEFERRED_STEPS) for {@code n} in blocks of {@code blockSteps} steps,
     * where the device launches thread block clusters and has the kernel, the network has one hidden layer under
     * sigmoid outputs, a block of the cluster holds DEFERRED_UNITS of its units at most, a block of steps has
     * DEFERRED_GRAM_ROWS rows at most, and a block's share of a block of steps fits the shared memory a block may
     * have. Null elsewhere, and where the driver will not give the kernel that shared memory or that cluster's size.
     */
    private DeferredSteps deferredSteps(GpuKernel kernel, WholeStepSlots n, Activation act, Output output, int blockSteps) {
        int size = clusterBlocks(kernel);
        if (!clusterNetwork(kernel, n, output) || blocks(n.used()[1], size) > DEFERRED_UNITS
                || (long) blockSteps * n.batch() > DEFERRED_GRAM_ROWS) {
            return null;
        }
        int[] s = n.used();
        long bytes = 4 * deferredSharedFloats(s[1], s[2], n.batch(), blockSteps, size, WHOLE_STEPS_THREADS);
        return allowCluster(kernel, bytes) ? new DeferredSteps(kernel, n, act, blockSteps, (int) bytes) : null;
    }

    /** Whether the device launches thread block clusters and has {@code kernel}, and the network is one they take: one hidden layer under sigmoid outputs. */
    private boolean clusterNetwork(GpuKernel kernel, WholeStepSlots n, Output output) {
        return functions.get(kernel) != null && attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_CLUSTER_LAUNCH) != 0 && n.layers() == 2
                && output == Output.SIGMOID;
    }

    /**
     * Whether the driver gives cluster kernel {@code kernel} {@code bytes} of dynamic shared memory a block and its
     * cluster's size, which it is then allowed.
     */
    private boolean allowCluster(GpuKernel kernel, long bytes) {
        if (bytes > attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN)) {
            return false;
        }
        CUfunction f = functions.get(kernel);
        // the most any network asked of the function: a graph recorded for another still launches with its own
        int allowed = clusterShared.merge(kernel, (int) bytes, Math::max);
        return cuFuncSetAttribute(f, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, allowed) == CUresult.CUDA_SUCCESS
                && (clusterBlocks(kernel) <= PORTABLE_CLUSTER_BLOCKS
                        || cuFuncSetAttribute(f, CUfunction_attribute.CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED, 1) == CUresult.CUDA_SUCCESS);
    }

    /**
     * A block's dynamic shared memory in floats for cluster_steps on a cluster of {@code size} blocks
     * (kernels/cluster_steps.cu's cluster_steps_shared_floats; CudaBuildTest checks that the two agree).
     */
    static long clusterStepsSharedFloats(int s0, int s1, int s2, int batch, int size) {
        // x's rows and a1's columns rounded up to fours, as the kernel reads them
        long kr4 = 4 * blocks(blocks(s0, size), 4), ld1 = 4 * blocks(s1, 4);
        return kr4 * ld1 + 2L * batch * kr4 + 2L * batch * ld1 + 2L * s1 * (s2 | 1) + s1 + s2 + (long) batch * s2 + 2L * batch;
    }

    /**
     * A block's dynamic shared memory in floats for deferred_steps on a cluster of {@code blocks} blocks of
     * {@code threads}, in blocks of {@code blockSteps} steps (kernels/deferred_steps.cu's deferred_shared_floats;
     * CudaBuildTest checks that the two agree).
     */
    static long deferredSharedFloats(int s1, int s2, int batch, int blockSteps, int blocks, int threads) {
        int ur = (int) blocks(s1, blocks);
        long outs = (long) ur * s2 + ur + s2;
        // a thread's Gram sums: 32 of them, for the fewest of 4, 8 and DEFERRED_UNITS units that hold ur, of rows of
        // the minibatch (gram_units, gram_rows); the rows of its columns of d1 of ur | 1 floats
        int gramUnits = ur <= 4 ? 4 : ur <= 8 ? 8 : DEFERRED_UNITS, gramRows = 32 / gramUnits;
        long partial = Math.max((long) batch * parts(threads, blocks(batch, gramRows)) * ur, outs * parts(threads, outs));
        return (long) blockSteps * batch * (ur | 1) + (long) batch * ur + (long) ur * s2 + ur + 2L * batch * s2 + s2 + blockSteps + partial;
    }

    /** The threads that share each of a step's {@code sums} (deferred_steps.cu's parts_of). */
    private static long parts(int threads, long sums) {
        return Math.max(threads / sums, 1);
    }

    /** The blocks of the cluster of {@code kernel}, one of the cluster kernels. */
    static int clusterBlocks(GpuKernel kernel) {
        return kernel == GpuKernel.CLUSTER_STEPS || kernel == GpuKernel.DEFERRED_STEPS ? CLUSTER_BLOCKS : PORTABLE_CLUSTER_BLOCKS;
    }

    /** cluster_steps for one network on one cluster size. */
    private final class ClusterSteps extends Way {
        private final GpuKernel kernel;
        private final WholeStepSlots n;
        private final Activation act;
        private final Launch grid;

        ClusterSteps(GpuKernel kernel, WholeStepSlots n, Activation act, int sharedBytes) {
            this.kernel = kernel;
            this.n = n;
            this.act = act;
            grid = new Launch(clusterBlocks(kernel), 1, 1, WHOLE_STEPS_THREADS, 1, sharedBytes);
        }

        @Override
        public void run(Matrix x, Matrix labels, float rate, float decay) {
            n.check(x, labels);
            Matrix[] w = n.w(), b = n.b(), a = n.a(), d = n.d();
            int[] s = n.sizes();
            launch(kernel, grid, x, labels, w[0], b[0], w[1], b[1], a[0], a[1], d[0], d[1], x.rows() / n.batch(), n.batch(), s[0],
                    s[1], s[2], rate, decay, GpuKernel.code(act));
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "one thread block cluster of %d blocks of %d threads, the network in their shared memory"
                    + " (%d bytes a block)", grid.blocksX(), grid.threadsX(), grid.sharedBytes());
        }
    }

    /**
     * deferred_steps for one network on one cluster size, in blocks of {@code blockSteps} steps (the last block of a
     * run shorter where they do not divide its steps): before each, p = x w0 of its rows; then the cluster's launch,
     * from p and its rows' Grams x x', made aside while the block before ran; then w0 = decay^steps w0 - step x' ds.
     */
    private final class DeferredSteps extends Way {
        private final GpuKernel kernel;
        private final WholeStepSlots n;
        private final Activation act;
        private final int blockSteps;
        private final Launch grid;
        /** A block's p and its first layer's deltas as the kernel scales them for w0's step. */
        private final Matrix products, scaled;
        /** Two blocks' Grams: the next block's are made while a block runs. */
        private final GpuMatrix<CUdeviceptr>[] grams;

        @SuppressWarnings("unchecked")
        DeferredSteps(GpuKernel kernel, WholeStepSlots n, Activation act, int blockSteps, int sharedBytes) {
            this.kernel = kernel;
            this.n = n;
            this.act = act;
            this.blockSteps = blockSteps;
            grid = new Launch(clusterBlocks(kernel), 1, 1, WHOLE_STEPS_THREADS, 1, sharedBytes);
            int rows = blockSteps * n.batch();
            products = matrix(rows, n.used()[1]);
            scaled = matrix(rows, n.used()[1]);
            grams = new GpuMatrix[] {gpu(matrix(rows, rows)), gpu(matrix(rows, rows))};
        }

        @Override
        public void run(Matrix x, Matrix labels, float rate, float decay) {
            n.check(x, labels);
            Matrix[] w = n.w(), b = n.b(), a = n.a(), d = n.d();
            int[] s = n.sizes();
            int batch = n.batch(), steps = x.rows() / batch;
            grams(x, 0, steps, 0);
            for (int first = 0, block = 0; first < steps; first += blockSteps, block++) {
                int rows = rows(first, steps), count = rows / batch, next = first + blockSteps, nextBlock = block + 1;
                Matrix xb = x.rows(first * batch, rows), p = products.prefix(rows), ds = scaled.prefix(rows), g = gram(block, rows);
                gemm(false, false, 1f, xb, w[0], 0f, p);
                if (next < steps) {
                    aside(() -> grams(x, next, steps, nextBlock));  // beside the launch, w0's step and the next product
                }
                launch(kernel, grid, p, g, labels.rows(first * batch, rows), b[0], w[1], b[1], ds, a[0], a[1], d[0], d[1], count, batch, s[1], s[2],
                        rate, decay, GpuKernel.code(act));
                float keep = 1f;
                for (int i = 0; i < count; i++) {
                    keep *= decay;  // as the kernel takes decay's powers
                }
                gemm(true, false, -rate, xb, ds, keep, w[0]);
            }
        }

        /** The rows of the block of steps from {@code first} on, of {@code steps}. */
        private int rows(int first, int steps) {
            return Math.min(blockSteps, steps - first) * n.batch();
        }

        /** Issues the Grams x x' of the block of steps from {@code first} on, block {@code block} of {@code steps}. */
        private void grams(Matrix x, int first, int steps, int block) {
            int rows = rows(first, steps);
            Matrix xb = x.rows(first * n.batch(), rows);
            gemm(false, true, 1f, xb, xb, 0f, gram(block, rows));
        }

        /** Block {@code block}'s Grams: {@code rows} x {@code rows} of one of the two buffers. */
        private Matrix gram(int block, int rows) {
            GpuMatrix<CUdeviceptr> buffer = grams[block % 2];
            return new GpuMatrix<>(buffer.buffer(), 0, rows, rows);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "one thread block cluster of %d blocks of %d threads, blocks of %d steps with the first"
                    + " layer's updates deferred to cuBLAS's products around each (%d bytes of shared memory a block)", grid.blocksX(),
                    grid.threadsX(), blockSteps, grid.sharedBytes());
        }
    }

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        int[] mnk = Shapes.gemm(transA, transB, a, b, c);
        touch(List.of(Span.of(a), Span.of(b)), List.of(Span.of(c)));
        // Row-major C = op(A) op(B) is column-major C' = op(B)' op(A)': swap the operands, keep the flags.
        checkBlas(JCublas2.cublasSgemm(issuing == null ? cublas : sideBlas,
                transB ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N,
                transA ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N,
                mnk[1], mnk[0], mnk[2], Pointer.to(new float[] {alpha}), ptr(b), b.cols(), ptr(a), a.cols(),
                Pointer.to(new float[] {beta}), ptr(c), c.cols()), "cublasSgemm");
    }

    /**
     * Issues {@code op} on the second stream, after the work issued so far on the first, which waits for it before the
     * first op issued later that touches what it writes or writes what it reads ({@link #touch}).
     */
    @Override
    protected void aside(Runnable op) {
        check(cuEventRecord(forked, stream), "cuEventRecord");
        check(cuStreamWaitEvent(side, forked, 0), "cuStreamWaitEvent");
        issuing = new Aside(spareEvent(), new ArrayList<>(), new ArrayList<>());
        int recorded;
        try {
            op.run();
        } finally {
            recorded = cuEventRecord(issuing.done(), side);
            asides.add(issuing);
            issuing = null;
        }
        check(recorded, "cuEventRecord");
    }

    /** Where kernels and GEMMs are issued: {@link #stream}, or {@link #side} within {@link #aside}. */
    private CUstream target() {
        return issuing == null ? stream : side;
    }

    /** An op of {@link #aside}: the event recorded after it, what it reads and what it writes. */
    private record Aside(CUevent done, List<Span> reads, List<Span> writes) {
        /** Whether an op that reads {@code reads} and writes {@code writes} must wait for this one. */
        boolean clashes(List<Span> reads, List<Span> writes) {
            return writes.stream().anyMatch(w -> w.overlapsAny(this.reads) || w.overlapsAny(this.writes))
                    || reads.stream().anyMatch(r -> r.overlapsAny(this.writes));
        }
    }

    /** An event waited for already, to record again, or a new one. */
    private CUevent spareEvent() {
        if (!spareEvents.isEmpty()) {
            return spareEvents.pop();
        }
        CUevent e = new CUevent();
        check(cuEventCreate(e, CUevent_flags.CU_EVENT_DISABLE_TIMING), "cuEventCreate");
        events.add(e);
        return e;
    }

    /** Makes the ops issued after it on the stream wait for all those of {@link #aside}. */
    private void join() {
        check(waitForAsides(asides.size()), "cuStreamWaitEvent");
    }

    /**
     * Before an op that reads {@code reads} and writes {@code writes} is issued: within {@link #aside}, notes them;
     * otherwise makes the stream wait for the last op of aside the op clashes with, and so for those before it.
     */
    private void touch(List<Span> reads, List<Span> writes) {
        if (issuing != null) {
            issuing.reads().addAll(reads);
            issuing.writes().addAll(writes);
            return;
        }
        for (int i = asides.size() - 1; i >= 0; i--) {
            if (asides.get(i).clashes(reads, writes)) {
                check(waitForAsides(i + 1), "cuStreamWaitEvent");
                return;
            }
        }
    }

    /**
     * {@link #touch} for a launch of {@code kernel} on {@code args} (flattened, so its matrices come in the order of
     * the kernel's MATRIX and INPUT arguments): its INPUT matrices read, all else it is given written.
     */
    private void touch(GpuKernel kernel, Object[] args) {
        List<Span> reads = new ArrayList<>(), writes = new ArrayList<>();
        Iterator<GpuKernel.Arg> matrices = kernel.args().stream()
                .filter(a -> a == GpuKernel.Arg.MATRIX || a == GpuKernel.Arg.INPUT).iterator();
        for (Object a : args) {
            if (a instanceof GpuMatrix<?> m) {
                (matrices.next() == GpuKernel.Arg.INPUT ? reads : writes).add(Span.of(m));
            } else if (a instanceof CUdeviceptr p) {
                writes.add(Span.whole(p));
            }
        }
        touch(reads, writes);
    }

    /** Floats [from, to) of a buffer. */
    private record Span(Object buffer, long from, long to) {
        static Span of(Matrix m) {
            GpuMatrix<?> g = (GpuMatrix<?>) m;
            return new Span(g.buffer(), g.offset(), g.offset() + (long) g.rows() * g.cols());
        }

        static Span whole(CUdeviceptr buffer) {
            return new Span(buffer, 0, Long.MAX_VALUE);
        }

        boolean overlapsAny(List<Span> spans) {
            return spans.stream().anyMatch(s -> s.buffer == buffer && s.from < to && from < s.to);
        }
    }

    /**
     * Makes the stream wait for the first {@code count} ops of {@link #aside} that it has not waited for (the side's
     * stream runs them in order, so for the last of them), returning the driver's error instead of throwing it.
     */
    private int waitForAsides(int count) {
        if (count == 0) {
            return CUresult.CUDA_SUCCESS;
        }
        int rc = cuStreamWaitEvent(stream, asides.get(count - 1).done(), 0);
        List<Aside> done = asides.subList(0, count);
        done.forEach(a -> spareEvents.push(a.done()));
        done.clear();
        return rc;
    }

    private CUdeviceptr ptr(Matrix m) {
        return gpu(m).buffer().withByteOffset(4L * gpu(m).offset());
    }

    /**
     * Captures {@code ops} into a CUDA graph (launching it replays every kernel and GEMM with the same
     * arguments). Should capture fail, the operations run eagerly instead and the description says why.
     */
    @Override
    protected Program capture(Runnable ops) {
        synchronize();
        check(cuStreamBeginCapture(stream, CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL), "cuStreamBeginCapture");
        CUgraph graph = new CUgraph();
        RuntimeException failure = null;
        try {
            ops.run();
        } catch (RuntimeException e) {
            failure = e;
        }
        try {
            join();  // where ops failed within aside too: the capture ends only with every stream joined back
        } catch (RuntimeException e) {
            failure = failure != null ? failure : e;
        }
        int end = cuStreamEndCapture(stream, graph);
        if (failure == null && end == CUresult.CUDA_SUCCESS) {
            CUgraphExec exec = new CUgraphExec();
            int inst = cuGraphInstantiate(exec, graph, 0);
            cuGraphDestroy(graph);
            if (inst == CUresult.CUDA_SUCCESS) {
                graphs.add(exec);
                return () -> check(cuGraphLaunch(exec, stream), "cuGraphLaunch");
            }
            failure = new BackendFailure("cuGraphInstantiate failed: " + CUresult.stringFor(inst));
        }
        // a failure of the driver or cuBLAS under capture falls back to eager launches; anything else is no capture problem
        if (failure instanceof DeviceMemoryException || failure != null && !(failure instanceof BackendFailure)) {
            cuCtxSynchronize();
            throw failure;
        }
        graphNote = "eager launches (graph capture failed: " + (failure != null ? failure.getMessage() : CUresult.stringFor(end)) + ")";
        cuCtxSynchronize();
        return ops::run;
    }

    @Override
    public long memoryAvailable() {
        long[] free = new long[1];
        long[] total = new long[1];
        check(cuMemGetInfo(free, total), "cuMemGetInfo");
        return free[0];
    }

    @Override
    public void synchronize() {
        join();
        check(cuStreamSynchronize(stream), "cuStreamSynchronize");
    }

    /** An event recorded on the stream after the work issued on both streams; back to the spares once waited for. */
    @Override
    protected Mark marker() {
        join();
        CUevent reached = spareEvent();
        check(cuEventRecord(reached, stream), "cuEventRecord");
        return () -> {
            int rc = cuEventSynchronize(reached);
            spareEvents.push(reached);
            check(rc, "cuEventSynchronize");
        };
    }

    /** Frees all GPU memory, graphs, modules and handles; safe to call twice and after a failure. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        cuCtxSetCurrent(context);
        waitForAsides(asides.size());
        if (streamCreated) {
            cuStreamSynchronize(stream);
        }
        graphs.forEach(g -> cuGraphExecDestroy(g));
        if (cublasCreated) {
            JCublas2.cublasDestroy(cublas);
        }
        if (sideBlasCreated) {
            JCublas2.cublasDestroy(sideBlas);
        }
        events.forEach(e -> cuEventDestroy(e));
        if (sideCreated) {
            cuStreamDestroy(side);
        }
        allocations.forEach(p -> cuMemFree(p));
        releaseStaging();
        modules.forEach(m -> cuModuleUnload(m));
        if (streamCreated) {
            cuStreamDestroy(stream);
        }
        // Leave no released context current on this thread: other CUDA users in the process (NVIDIA's
        // OpenCL runs on the CUDA driver) would otherwise find a dangling one there. Another backend still open
        // here keeps its context retained, and current.
        ArrayDeque<CudaBackend> open = OPEN_ON_THIS_THREAD.get();
        open.remove(this);
        cuCtxSetCurrent(open.isEmpty() ? new CUcontext() : open.peekLast().context);
        cuDevicePrimaryCtxRelease(device);
    }
}
