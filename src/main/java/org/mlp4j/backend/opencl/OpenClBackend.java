package org.mlp4j.backend.opencl;

import static org.lwjgl.opencl.CL10.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.lwjgl.PointerBuffer;
import org.lwjgl.opencl.CL12;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.BackendUnavailableException;
import org.mlp4j.backend.DeviceMemoryException;
import org.mlp4j.backend.Fold;
import org.mlp4j.backend.Matrix;
import org.mlp4j.backend.Shapes;

/**
 * OpenCL through LWJGL: every operation, GEMM included, is a kernel from {@code kernels/*.cl}, compiled
 * for the device when the backend opens. One in-order queue; only uploads, downloads and reads wait.
 */
public final class OpenClBackend implements Backend {
    /** Sources in build order: reduce.cl holds helpers the others use. */
    static final List<String> SOURCES = List.of("reduce", "gemm", "gather", "bias_sigmoid", "add_bias",
            "output_step", "hidden_step", "argmax", "logistic_cost", "sum_squares");
    static final List<String> KERNELS = List.of("gemm", "gemm_reduce", "gather", "bias_sigmoid", "add_bias", "output_step",
            "hidden_step", "row_argmax", "count_correct", "logistic_cost", "sum_squares");
    private static final int TS = 32;
    private static final int RTS = 8;
    private static final int GROUP = 256;
    /** gemm.cl's epilogues: none, + bias, sigmoid(+ bias). */
    private static final int PLAIN = 0, BIAS = 1, BIAS_SIGMOID = 2;
    /** Row groups of the step kernels' work-groups (reduce.cl's ROW_GROUPS), and so when they fold their GEMMs. */
    private static final int ROW_GROUPS = 8;
    private static final Fold FOLD = new Fold(ROW_GROUPS);

    private final OpenCl.Device device;
    private final long context;
    private final long queue;
    private long program;
    private final Map<String, Long> kernels = new HashMap<>();
    private final List<Long> buffers = new ArrayList<>();
    /** Enqueues of the program being recorded, or null when operations run at once. */
    private List<Runnable> recording;
    /** Kernel objects and launch sizes owned by recorded programs, freed on close. */
    private final List<Long> recordedKernels = new ArrayList<>();
    private final List<PointerBuffer> recordedSizes = new ArrayList<>();
    /** Split-K partial products; replaced by a larger one when needed, old ones kept for recorded programs. */
    private long scratch;
    /** Bytes of the buffers this backend created. */
    private long allocated;
    private long scratchFloats;
    private boolean closed;

    OpenClBackend(OpenCl.Device device) throws BackendUnavailableException {
        this.device = device;
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
                build(stack);
                ok = true;
            } finally {
                if (!ok) {
                    close();
                }
            }
        }
    }

    private void build(MemoryStack stack) throws BackendUnavailableException {
        IntBuffer err = stack.mallocInt(1);
        List<String> sources = new ArrayList<>();
        for (String name : SOURCES) {
            sources.add(source(name));
        }
        program = clCreateProgramWithSource(context, sources.toArray(CharSequence[]::new), err);
        OpenCl.check(err.get(0), "clCreateProgramWithSource");
        int rc = clBuildProgram(program, device.id(), "", null, 0);
        if (rc != CL_SUCCESS) {
            throw new BackendUnavailableException("OpenCL kernels failed to build on " + device.name() + ": " + buildLog());
        }
        for (String k : KERNELS) {
            long kernel = clCreateKernel(program, k, err);
            OpenCl.check(err.get(0), "clCreateKernel " + k);
            kernels.put(k, kernel);
        }
    }

    private String buildLog() {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            clGetProgramBuildInfo(program, device.id(), CL_PROGRAM_BUILD_LOG, (ByteBuffer) null, size);
            ByteBuffer log = MemoryUtil.memAlloc((int) Math.max(1, size.get(0)));
            try {
                clGetProgramBuildInfo(program, device.id(), CL_PROGRAM_BUILD_LOG, log, null);
                return MemoryUtil.memASCII(log, Math.max(0, log.remaining() - 1)).trim().replace('\n', ' ');
            } finally {
                MemoryUtil.memFree(log);
            }
        }
    }

    static String source(String name) {
        try (InputStream in = OpenClBackend.class.getResourceAsStream("/kernels/" + name + ".cl")) {
            if (in == null) {
                throw new IllegalStateException("kernels/" + name + ".cl is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read kernels/" + name + ".cl: " + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return "opencl";
    }

    @Override
    public String description() {
        return "opencl: device " + device.describe();
    }

    /** OpenCL reports no free memory, only the total; this backend's own buffers are what it knows of. */
    @Override
    public long memoryAvailable() {
        return device.memory() - allocated;
    }

    private long buffer(long bytes, boolean zero) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer err = stack.mallocInt(1);
            long mem = clCreateBuffer(context, CL_MEM_READ_WRITE, Math.max(bytes, 4), err);
            if (err.get(0) == CL_MEM_OBJECT_ALLOCATION_FAILURE || err.get(0) == CL_OUT_OF_RESOURCES
                    || err.get(0) == CL_INVALID_BUFFER_SIZE) {
                throw new DeviceMemoryException("opencl: cannot allocate " + (bytes >> 20) + " MiB on " + device.name());
            }
            OpenCl.check(err.get(0), "clCreateBuffer");
            buffers.add(mem);
            allocated += Math.max(bytes, 4);
            if (zero) {
                ByteBuffer pattern = stack.calloc(4);
                OpenCl.check(CL12.clEnqueueFillBuffer(queue, mem, pattern, 0, Math.max(bytes, 4), null, null), "clEnqueueFillBuffer");
            }
            return mem;
        }
    }

    private record ClMatrix(long mem, int offset, int rows, int cols) implements Matrix {
        @Override
        public Matrix rows(int from, int count) {
            Matrix.checkRange(from, count, rows);
            return new ClMatrix(mem, offset + from * cols, count, cols);
        }
    }

    private record ClExamples(long pixels, long labels, int count, int features) implements Examples {
    }

    private record ClOrder(long mem, int length) implements Order {
    }

    private record ClAccumulator(long mem, int slots) implements Accumulator {
    }

    private static ClMatrix cl(Matrix m) {
        return (ClMatrix) m;
    }

    @Override
    public Matrix matrix(int rows, int cols) {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("matrix of " + rows + "x" + cols);
        }
        return new ClMatrix(buffer(4L * rows * cols, true), 0, rows, cols);
    }

    @Override
    public void upload(float[] src, Matrix dst) {
        notRecording("a host transfer");
        Shapes.length(src, dst);
        FloatBuffer host = MemoryUtil.memAllocFloat(dst.size());
        try {
            host.put(src, 0, dst.size()).flip();
            OpenCl.check(clEnqueueWriteBuffer(queue, cl(dst).mem(), true, 4L * cl(dst).offset(), host, null, null), "clEnqueueWriteBuffer");
        } finally {
            MemoryUtil.memFree(host);
        }
    }

    @Override
    public void download(Matrix src, float[] dst) {
        notRecording("a host transfer");
        Shapes.length(dst, src);
        FloatBuffer host = MemoryUtil.memAllocFloat(src.size());
        try {
            OpenCl.check(clEnqueueReadBuffer(queue, cl(src).mem(), true, 4L * cl(src).offset(), host, null, null), "clEnqueueReadBuffer");
            host.get(dst, 0, src.size());
        } finally {
            MemoryUtil.memFree(host);
        }
    }

    private long uploadBytes(byte[] src, int n) {
        long mem = buffer(n, false);
        ByteBuffer host = MemoryUtil.memAlloc(Math.max(n, 1));
        try {
            host.put(src, 0, n).flip();
            OpenCl.check(clEnqueueWriteBuffer(queue, mem, true, 0, host, null, null), "clEnqueueWriteBuffer");
        } finally {
            MemoryUtil.memFree(host);
        }
        return mem;
    }

    @Override
    public Examples upload(byte[] pixels, byte[] labels, int count, int features) {
        long n = (long) count * features;
        if (pixels.length < n || labels.length < count || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("dataset arrays smaller than " + count + " examples");
        }
        return new ClExamples(uploadBytes(pixels, (int) n), uploadBytes(labels, count), count, features);
    }

    @Override
    public Order order(int length) {
        return new ClOrder(buffer(4L * length, true), length);
    }

    @Override
    public void upload(int[] src, Order dst) {
        notRecording("a host transfer");
        if (src.length < dst.length()) {
            throw new IllegalArgumentException("order of " + src.length + " for " + dst.length());
        }
        IntBuffer host = MemoryUtil.memAllocInt(dst.length());
        try {
            host.put(src, 0, dst.length()).flip();
            OpenCl.check(clEnqueueWriteBuffer(queue, ((ClOrder) dst).mem(), true, 0, host, null, null), "clEnqueueWriteBuffer");
        } finally {
            MemoryUtil.memFree(host);
        }
    }

    private static long roundUp(long n, long multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }

    /**
     * Sets the arguments (Long: a cl_mem, Integer, Float) and enqueues; local may be null. While recording,
     * the launch gets a kernel object of its own with the arguments bound once, so replaying it is just
     * the enqueue.
     */
    private void run(String kernel, long[] global, long[] local, Object... args) {
        long k;
        if (recording == null) {
            k = kernels.get(kernel);
        } else {
            try (MemoryStack stack = MemoryStack.stackPush()) {
                IntBuffer err = stack.mallocInt(1);
                k = clCreateKernel(program, kernel, err);
                OpenCl.check(err.get(0), "clCreateKernel " + kernel);
                recordedKernels.add(k);
            }
        }
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            int rc;
            if (a instanceof Long mem) {
                rc = clSetKernelArg1p(k, i, mem);
            } else if (a instanceof Integer v) {
                rc = clSetKernelArg1i(k, i, v);
            } else if (a instanceof Float v) {
                rc = clSetKernelArg1f(k, i, v);
            } else {
                throw new IllegalArgumentException("kernel argument " + a);
            }
            OpenCl.check(rc, kernel + " argument " + i);
        }
        if (recording == null) {
            try (MemoryStack stack = MemoryStack.stackPush()) {
                PointerBuffer g = stack.pointers(global);
                PointerBuffer l = local == null ? null : stack.pointers(local);
                OpenCl.check(clEnqueueNDRangeKernel(queue, k, global.length, null, g, l, null, null), kernel);
            }
        } else {
            PointerBuffer g = MemoryUtil.memAllocPointer(global.length).put(global).flip();
            PointerBuffer l = local == null ? null : MemoryUtil.memAllocPointer(local.length).put(local).flip();
            recordedSizes.add(g);
            if (l != null) {
                recordedSizes.add(l);
            }
            long kk = k;
            recording.add(() -> OpenCl.check(clEnqueueNDRangeKernel(queue, kk, global.length, null, g, l, null, null), kernel));
        }
    }

    private void notRecording(String what) {
        if (recording != null) {
            throw new IllegalStateException(what + " inside a recorded program");
        }
    }

    /** Records the enqueues of {@code ops} (with their arguments bound) for replay; runs nothing now. */
    @Override
    public Program record(Runnable ops) {
        notRecording("record");
        List<Runnable> list = new ArrayList<>();
        recording = list;
        try {
            ops.run();
        } finally {
            recording = null;
        }
        return () -> list.forEach(Runnable::run);
    }

    private void elementwise(String kernel, int n, Object... args) {
        run(kernel, new long[] {roundUp(n, GROUP)}, new long[] {GROUP}, args);
    }

    @Override
    public void gather(Examples data, Order order, int offset, Matrix x, Matrix labels) {
        Shapes.gather(data, order, offset, x, labels);
        ClExamples e = (ClExamples) data;
        run("gather", new long[] {roundUp(x.cols(), 64), x.rows()}, null, e.pixels(), e.labels(), ((ClOrder) order).mem(),
                offset, x.rows(), x.cols(), cl(x).mem(), cl(x).offset(), cl(labels).mem(), cl(labels).offset());
    }

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        gemm(transA, transB, alpha, a, b, beta, c, c, PLAIN);
    }

    @Override
    public void layerForward(Matrix x, Matrix w, Matrix bias, boolean sigmoid, Matrix z) {
        Shapes.bias(z, bias);
        gemm(false, false, 1f, x, w, 0f, z, bias, sigmoid ? BIAS_SIGMOID : BIAS);
    }

    /** {@code kind}: gemm.cl's epilogue, {@link #PLAIN}, {@link #BIAS} or {@link #BIAS_SIGMOID}. */
    private void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c, Matrix bias, int kind) {
        int[] mnk = Shapes.gemm(transA, transB, a, b, c);
        int m = mnk[0], n = mnk[1], k = mnk[2];
        long tiles = roundUp(n, TS) / TS * (roundUp(m, TS) / TS);
        // few output tiles and a long k (the forward 100 x 100 x 784): split k so more compute units work
        int slices = tiles >= 64 ? 1 : (int) Math.max(1, Math.min(8, Math.min(64 / tiles, k / (4L * TS))));
        int kSlice = (int) roundUp((k + slices - 1) / slices, TS);
        slices = (k + kSlice - 1) / kSlice;
        long[] global = {roundUp(n, TS), roundUp(m, TS) / TS * RTS, slices};
        long[] local = {TS, RTS, 1};
        if (slices == 1) {
            run("gemm", global, local, transA ? 1 : 0, transB ? 1 : 0, m, n, k, k, alpha, cl(a).mem(), cl(a).offset(), a.cols(),
                    cl(b).mem(), cl(b).offset(), b.cols(), beta, cl(c).mem(), cl(c).offset(), c.cols(), cl(bias).mem(), cl(bias).offset(), kind);
            return;
        }
        long partial = scratch((long) slices * m * n);
        run("gemm", global, local, transA ? 1 : 0, transB ? 1 : 0, m, n, k, kSlice, 1f, cl(a).mem(), cl(a).offset(), a.cols(),
                cl(b).mem(), cl(b).offset(), b.cols(), 0f, partial, 0, n, partial, 0, PLAIN);
        run("gemm_reduce", new long[] {roundUp(n, 16), roundUp(m, 16)}, new long[] {16, 16},
                partial, slices, m, n, alpha, beta, cl(c).mem(), cl(c).offset(), c.cols(), cl(bias).mem(), cl(bias).offset(), kind);
    }

    private long scratch(long floats) {
        if (floats > scratchFloats) {
            scratch = buffer(4 * floats, false);
            scratchFloats = floats;
        }
        return scratch;
    }

    @Override
    public void addBias(Matrix z, Matrix bias) {
        Shapes.bias(z, bias);
        elementwise("add_bias", z.size(), cl(z).mem(), cl(z).offset(), cl(bias).mem(), cl(bias).offset(), z.rows(), z.cols());
    }

    @Override
    public void biasSigmoid(Matrix z, Matrix bias) {
        Shapes.bias(z, bias);
        elementwise("bias_sigmoid", z.size(), cl(z).mem(), cl(z).offset(), cl(bias).mem(), cl(bias).offset(), z.rows(), z.cols());
    }

    /** The backward-step kernels' work-groups: {@link Fold#COLUMNS} columns x {@link #ROW_GROUPS}. */
    private void columns(String kernel, int cols, Object... args) {
        run(kernel, new long[] {roundUp(cols, Fold.COLUMNS), ROW_GROUPS}, new long[] {Fold.COLUMNS, ROW_GROUPS}, args);
    }

    @Override
    public void outputStep(Matrix z, Matrix bias, Matrix labels, float eta, Matrix delta) {
        outputStep(z, z, 0, z, bias, labels, eta, delta);
    }

    @Override
    public void outputLayerStep(Matrix x, Matrix w, Matrix bias, Matrix labels, float eta, Matrix z, Matrix delta) {
        int k = FOLD.output(x, w, z);
        if (k > 0) {
            outputStep(x, w, k, z, bias, labels, eta, delta);
        } else {
            Backend.super.outputLayerStep(x, w, bias, labels, eta, z, delta);
        }
    }

    /** output_step; with k > 0 it computes z = x * w first. */
    private void outputStep(Matrix x, Matrix w, int k, Matrix z, Matrix bias, Matrix labels, float eta, Matrix delta) {
        Shapes.outputStep(z, bias, labels, delta);
        columns("output_step", z.cols(), cl(x).mem(), cl(x).offset(), cl(w).mem(), cl(w).offset(), k, cl(z).mem(), cl(z).offset(),
                cl(bias).mem(), cl(bias).offset(), cl(labels).mem(), cl(labels).offset(), eta, cl(delta).mem(), cl(delta).offset(),
                z.rows(), z.cols());
    }

    @Override
    public void hiddenStep(Matrix g, Matrix a, float eta, Matrix bias) {
        hiddenStep(g, g, 0, 1f, a, eta, bias, g);
    }

    @Override
    public void hiddenLayerStep(Matrix dNext, Matrix wNext, float decay, Matrix a, float eta, Matrix bias, Matrix g) {
        int k = FOLD.hidden(dNext, wNext, a, g);
        if (k > 0) {
            hiddenStep(dNext, wNext, k, decay, a, eta, bias, g);
        } else {
            Backend.super.hiddenLayerStep(dNext, wNext, decay, a, eta, bias, g);
        }
    }

    /** hidden_step; with k > 0 it computes g = dNext * wNext' first and steps wNext. */
    private void hiddenStep(Matrix dNext, Matrix wNext, int k, float decay, Matrix a, float eta, Matrix bias, Matrix g) {
        Shapes.hiddenStep(g, a, bias);
        columns("hidden_step", g.cols(), cl(dNext).mem(), cl(dNext).offset(), cl(wNext).mem(), cl(wNext).offset(), k, decay,
                cl(g).mem(), cl(g).offset(), cl(a).mem(), cl(a).offset(), eta, cl(bias).mem(), cl(bias).offset(), g.rows(), g.cols());
    }

    @Override
    public void rowArgmax(Matrix z, Matrix out) {
        Shapes.column(z, out);
        elementwise("row_argmax", z.rows(), cl(z).mem(), cl(z).offset(), cl(out).mem(), cl(out).offset(), z.rows(), z.cols());
    }

    @Override
    public Accumulator accumulator(int slots) {
        return new ClAccumulator(buffer(4L * slots, true), slots);
    }

    @Override
    public void reset(Accumulator acc) {
        ClAccumulator a = (ClAccumulator) acc;
        Runnable fill = () -> {
            try (MemoryStack stack = MemoryStack.stackPush()) {
                OpenCl.check(CL12.clEnqueueFillBuffer(queue, a.mem(), stack.calloc(4), 0, 4L * a.slots(), null, null), "clEnqueueFillBuffer");
            }
        };
        if (recording != null) {
            recording.add(fill);
        } else {
            fill.run();
        }
    }

    @Override
    public double[] read(Accumulator acc) {
        notRecording("a host transfer");
        ClAccumulator a = (ClAccumulator) acc;
        FloatBuffer host = MemoryUtil.memAllocFloat(a.slots());
        try {
            OpenCl.check(clEnqueueReadBuffer(queue, a.mem(), true, 0, host, null, null), "clEnqueueReadBuffer");
            double[] out = new double[a.slots()];
            for (int i = 0; i < out.length; i++) {
                out[i] = host.get(i);
            }
            return out;
        } finally {
            MemoryUtil.memFree(host);
        }
    }

    private void reduce(String kernel, Object... args) {
        run(kernel, new long[] {GROUP}, new long[] {GROUP}, args);
    }

    @Override
    public void logisticCost(Matrix z, Matrix labels, Accumulator acc, int slot) {
        Shapes.column(z, labels);
        Shapes.slot(acc, slot);
        reduce("logistic_cost", cl(z).mem(), cl(z).offset(), cl(labels).mem(), cl(labels).offset(), z.rows(), z.cols(),
                ((ClAccumulator) acc).mem(), slot);
    }

    @Override
    public void countCorrect(Matrix z, Matrix labels, Accumulator acc, int slot) {
        Shapes.column(z, labels);
        Shapes.slot(acc, slot);
        reduce("count_correct", cl(z).mem(), cl(z).offset(), cl(labels).mem(), cl(labels).offset(), z.rows(), z.cols(),
                ((ClAccumulator) acc).mem(), slot);
    }

    @Override
    public void sumOfSquares(Matrix m, Accumulator acc, int slot) {
        Shapes.slot(acc, slot);
        reduce("sum_squares", cl(m).mem(), cl(m).offset(), m.size(), ((ClAccumulator) acc).mem(), slot);
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
