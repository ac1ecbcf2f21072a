package org.mlp4j.backend.cuda;

import static jcuda.driver.JCudaDriver.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
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
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.BackendFailure;
import org.mlp4j.backend.DeviceMemoryException;
import org.mlp4j.backend.Fold;
import org.mlp4j.backend.Matrix;
import org.mlp4j.backend.Shapes;

/**
 * CUDA: GEMMs through cuBLAS (JCublas2), everything else through the kernels in {@code kernels/*.cu}
 * (PTX packed in the jar), all on one stream of the device's primary context so cuBLAS and the kernels
 * share buffers and ordering. {@link #record} captures a sequence of operations into a CUDA graph, so an
 * epoch of 550 steps costs a handful of launches instead of thousands.
 */
public final class CudaBackend implements Backend {
    /** Threads per block of the element-wise kernels. */
    private static final int BLOCK = 256;
    /** Row groups of the step kernels' blocks (column_sum.cuh's ROW_GROUPS), and so when they fold their GEMMs. */
    private static final int ROW_GROUPS = 32;
    private static final Fold FOLD = new Fold(ROW_GROUPS);
    /** Threads of the single-block reductions (block_sum.cuh's REDUCE_THREADS). */
    private static final int REDUCE_THREADS = 1024;
    /**
     * A kernel entry point: the PTX file it lives in and the block it is always launched with. The 1024-thread
     * ones declare it in their source ({@code __launch_bounds__}), so they fit in a block's registers.
     */
    record Kernel(String file, int blockX, int blockY) {
        int threads() {
            return blockX * blockY;
        }
    }

    /** Every kernel, by entry point: element-wise grids, the column-tiled steps, the single-block reductions. */
    static final Map<String, Kernel> KERNELS = Map.of(
            "gather", new Kernel("gather", BLOCK, 1), "bias_sigmoid", new Kernel("bias_sigmoid", BLOCK, 1),
            "add_bias", new Kernel("add_bias", BLOCK, 1), "row_argmax", new Kernel("argmax", BLOCK, 1),
            "output_step", new Kernel("output_step", Fold.COLUMNS, ROW_GROUPS),
            "hidden_step", new Kernel("hidden_step", Fold.COLUMNS, ROW_GROUPS),
            "logistic_cost", new Kernel("logistic_cost", REDUCE_THREADS, 1), "count_correct", new Kernel("argmax", REDUCE_THREADS, 1),
            "sum_squares", new Kernel("sum_squares", REDUCE_THREADS, 1));
    /** Why there is no CUDA backend in a jar built where nvcc was missing. */
    static final String NOT_BUILT = "the CUDA kernels were not built into this jar (nvcc was missing at build time)";
    /** cuBLAS's own workspace, set up front so cuBLAS never allocates during graph capture (32 MiB suits Hopper). */
    private static final long CUBLAS_WORKSPACE = 32L << 20;

    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUstream stream = new CUstream();
    private final cublasHandle cublas = new cublasHandle();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final List<CUmodule> modules = new ArrayList<>();
    private final List<CUdeviceptr> allocations = new ArrayList<>();
    private final List<CUgraphExec> graphs = new ArrayList<>();
    private final String description;
    private String graphNote = "CUDA graphs";
    private boolean closed;
    private boolean streamCreated;
    private boolean cublasCreated;

    CudaBackend(int index, String cublasRoute) {
        check(cuDeviceGet(device, index), "cuDeviceGet");
        check(cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        boolean ok = false;
        try {
            check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
            check(cuStreamCreate(stream, 0), "cuStreamCreate");
            streamCreated = true;
            Map<String, CUmodule> loaded = new HashMap<>();
            for (Map.Entry<String, Kernel> e : KERNELS.entrySet()) {
                CUmodule m = loaded.computeIfAbsent(e.getValue().file(), this::loadModule);
                CUfunction f = new CUfunction();
                check(cuModuleGetFunction(f, m, e.getKey()), "cuModuleGetFunction " + e.getKey());
                functions.put(e.getKey(), f);
            }
            checkBlas(JCublas2.cublasCreate(cublas), "cublasCreate");
            cublasCreated = true;
            checkBlas(JCublas2.cublasSetStream(cublas, new cudaStream_t(stream)), "cublasSetStream");
            checkBlas(JCublas2.cublasSetWorkspace(cublas, alloc(CUBLAS_WORKSPACE), CUBLAS_WORKSPACE), "cublasSetWorkspace");
            int[] version = new int[1];
            checkBlas(JCublas2.cublasGetVersion(cublas, version), "cublasGetVersion");
            byte[] name = new byte[256];
            cuDeviceGetName(name, name.length, device);
            long[] mem = new long[1];
            cuDeviceTotalMem(mem, device);
            int[] driver = new int[1];
            cuDriverGetVersion(driver);
            description = String.format("cuda: device %d %s, %d MiB, driver CUDA %d.%d, cuBLAS %d via %s",
                    index, new String(name, StandardCharsets.US_ASCII).trim().replace("\0", ""), mem[0] >> 20,
                    driver[0] / 1000, driver[0] % 1000 / 10, version[0], cublasRoute);
            ok = true;
        } finally {
            if (!ok) {
                close();
            }
        }
    }

    private CUmodule loadModule(String file) {
        CUmodule m = new CUmodule();
        check(cuModuleLoadData(m, ptx(file)), "loading kernels/" + file + ".ptx");
        modules.add(m);
        return m;
    }

    static String ptx(String file) {
        try (InputStream in = CudaBackend.class.getResourceAsStream("/kernels/" + file + ".ptx")) {
            if (in == null) {
                throw new IllegalStateException(NOT_BUILT);
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII) + "\0";
        } catch (IOException e) {
            throw new IllegalStateException("cannot read kernels/" + file + ".ptx: " + e.getMessage(), e);
        }
    }

    static void check(int result, String what) {
        if (result != CUresult.CUDA_SUCCESS) {
            String name = CUresult.stringFor(result);
            if (result == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
                throw new DeviceMemoryException("cuda: out of GPU memory (" + what + ")");
            }
            throw new BackendFailure("cuda: " + what + " failed: " + name);
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

    private CUdeviceptr alloc(long bytes) {
        CUdeviceptr p = new CUdeviceptr();
        long[] free = new long[1];
        long[] total = new long[1];
        int rc = cuMemAlloc(p, Math.max(bytes, 4));
        if (rc == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
            cuMemGetInfo(free, total);
            throw new DeviceMemoryException(String.format("cuda: out of GPU memory allocating %d MiB (%d MiB free)", bytes >> 20, free[0] >> 20));
        }
        check(rc, "cuMemAlloc");
        allocations.add(p);
        check(cuMemsetD8(p, (byte) 0, Math.max(bytes, 4)), "cuMemsetD8");
        return p;
    }

    private record CudaMatrix(CUdeviceptr ptr, int rows, int cols) implements Matrix {
        @Override
        public Matrix rows(int from, int count) {
            Matrix.checkRange(from, count, rows);
            return new CudaMatrix(ptr.withByteOffset((long) from * cols * Sizeof.FLOAT), count, cols);
        }
    }

    private record CudaExamples(CUdeviceptr pixels, CUdeviceptr labels, int count, int features) implements Examples {
    }

    private record CudaOrder(CUdeviceptr ptr, int length) implements Order {
    }

    private record CudaAccumulator(CUdeviceptr ptr, int slots) implements Accumulator {
    }

    private static CUdeviceptr ptr(Matrix m) {
        return ((CudaMatrix) m).ptr();
    }

    @Override
    public Matrix matrix(int rows, int cols) {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("matrix of " + rows + "x" + cols);
        }
        return new CudaMatrix(alloc((long) rows * cols * Sizeof.FLOAT), rows, cols);
    }

    @Override
    public void upload(float[] src, Matrix dst) {
        Shapes.length(src, dst);
        check(cuMemcpyHtoD(ptr(dst), Pointer.to(src), (long) dst.size() * Sizeof.FLOAT), "cuMemcpyHtoD");
    }

    @Override
    public void download(Matrix src, float[] dst) {
        Shapes.length(dst, src);
        synchronize();
        check(cuMemcpyDtoH(Pointer.to(dst), ptr(src), (long) src.size() * Sizeof.FLOAT), "cuMemcpyDtoH");
    }

    @Override
    public Examples upload(byte[] pixels, byte[] labels, int count, int features) {
        long n = (long) count * features;
        if (pixels.length < n || labels.length < count) {
            throw new IllegalArgumentException("dataset arrays smaller than " + count + " examples");
        }
        CUdeviceptr p = alloc(n);
        CUdeviceptr l = alloc(count);
        check(cuMemcpyHtoD(p, Pointer.to(pixels), n), "cuMemcpyHtoD");
        check(cuMemcpyHtoD(l, Pointer.to(labels), count), "cuMemcpyHtoD");
        return new CudaExamples(p, l, count, features);
    }

    @Override
    public Order order(int length) {
        return new CudaOrder(alloc((long) length * Sizeof.INT), length);
    }

    @Override
    public void upload(int[] src, Order dst) {
        if (src.length < dst.length()) {
            throw new IllegalArgumentException("order of " + src.length + " for " + dst.length());
        }
        // ordered after the work already queued on the stream (a previous epoch may still read the order)
        synchronize();
        check(cuMemcpyHtoD(((CudaOrder) dst).ptr(), Pointer.to(src), (long) dst.length() * Sizeof.INT), "cuMemcpyHtoD");
    }

    /** A 1-D grid of the kernel's blocks. */
    private void launch(String kernel, int grid, Object... args) {
        launch2d(kernel, grid, 1, args);
    }

    /** The backward-step kernels: one block per {@link Fold#COLUMNS} columns. */
    private void launchColumns(String kernel, int cols, Object... args) {
        launch(kernel, (cols + Fold.COLUMNS - 1) / Fold.COLUMNS, args);
    }

    private void launch2d(String kernel, int gridX, int gridY, Object... args) {
        Kernel k = KERNELS.get(kernel);
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof CUdeviceptr p) {
                params[i] = Pointer.to(p);
            } else if (a instanceof Integer v) {
                params[i] = Pointer.to(new int[] {v});
            } else if (a instanceof Float v) {
                params[i] = Pointer.to(new float[] {v});
            } else {
                throw new IllegalArgumentException("kernel argument " + a);
            }
        }
        check(cuLaunchKernel(functions.get(kernel), Math.max(1, gridX), Math.max(1, gridY), 1, k.blockX(), k.blockY(), 1, 0, stream,
                Pointer.to(params), null), kernel);
    }

    private static int grid(long n) {
        return (int) Math.min((n + BLOCK - 1) / BLOCK, 65535);
    }

    @Override
    public void gather(Examples data, Order order, int offset, Matrix x, Matrix labels) {
        Shapes.gather(data, order, offset, x, labels);
        CudaExamples e = (CudaExamples) data;
        launch2d("gather", grid(x.cols()), Math.min(x.rows(), 65535), e.pixels(), e.labels(), ((CudaOrder) order).ptr(), offset,
                x.rows(), x.cols(), ptr(x), ptr(labels));
    }

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        int[] mnk = Shapes.gemm(transA, transB, a, b, c);
        // Row-major C = op(A) op(B) is column-major C' = op(B)' op(A)': swap the operands, keep the flags.
        checkBlas(JCublas2.cublasSgemm(cublas,
                transB ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N,
                transA ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N,
                mnk[1], mnk[0], mnk[2], Pointer.to(new float[] {alpha}), ptr(b), b.cols(), ptr(a), a.cols(),
                Pointer.to(new float[] {beta}), ptr(c), c.cols()), "cublasSgemm");
    }

    @Override
    public void addBias(Matrix z, Matrix bias) {
        Shapes.bias(z, bias);
        launch("add_bias", grid(z.size()), ptr(z), ptr(bias), z.rows(), z.cols());
    }

    @Override
    public void biasSigmoid(Matrix z, Matrix bias) {
        Shapes.bias(z, bias);
        launch("bias_sigmoid", grid(z.size()), ptr(z), ptr(bias), z.rows(), z.cols());
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
        launchColumns("output_step", z.cols(), ptr(x), ptr(w), k, ptr(z), ptr(bias), ptr(labels), eta, ptr(delta), z.rows(), z.cols());
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
        launchColumns("hidden_step", g.cols(), ptr(dNext), ptr(wNext), k, decay, ptr(g), ptr(a), eta, ptr(bias), g.rows(), g.cols());
    }

    @Override
    public void rowArgmax(Matrix z, Matrix out) {
        Shapes.column(z, out);
        launch("row_argmax", grid(z.rows()), ptr(z), ptr(out), z.rows(), z.cols());
    }

    @Override
    public Accumulator accumulator(int slots) {
        return new CudaAccumulator(alloc((long) slots * Sizeof.DOUBLE), slots);
    }

    @Override
    public void reset(Accumulator acc) {
        CudaAccumulator a = (CudaAccumulator) acc;
        check(cuMemsetD32Async(a.ptr(), 0, 2L * a.slots(), stream), "cuMemsetD32Async");
    }

    @Override
    public double[] read(Accumulator acc) {
        CudaAccumulator a = (CudaAccumulator) acc;
        double[] out = new double[a.slots()];
        synchronize();
        check(cuMemcpyDtoH(Pointer.to(out), a.ptr(), (long) a.slots() * Sizeof.DOUBLE), "cuMemcpyDtoH");
        return out;
    }

    @Override
    public void logisticCost(Matrix z, Matrix labels, Accumulator acc, int slot) {
        Shapes.column(z, labels);
        Shapes.slot(acc, slot);
        launch("logistic_cost", 1, ptr(z), ptr(labels), z.rows(), z.cols(), ((CudaAccumulator) acc).ptr(), slot);
    }

    @Override
    public void countCorrect(Matrix z, Matrix labels, Accumulator acc, int slot) {
        Shapes.column(z, labels);
        Shapes.slot(acc, slot);
        launch("count_correct", 1, ptr(z), ptr(labels), z.rows(), z.cols(), ((CudaAccumulator) acc).ptr(), slot);
    }

    @Override
    public void sumOfSquares(Matrix m, Accumulator acc, int slot) {
        Shapes.slot(acc, slot);
        launch("sum_squares", 1, ptr(m), m.size(), ((CudaAccumulator) acc).ptr(), slot);
    }

    /**
     * Captures {@code ops} into a CUDA graph (launching it replays every kernel and GEMM with the same
     * arguments). Should capture fail, the operations run eagerly instead and the description says why.
     */
    @Override
    public Program record(Runnable ops) {
        synchronize();
        check(cuStreamBeginCapture(stream, CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL), "cuStreamBeginCapture");
        CUgraph graph = new CUgraph();
        RuntimeException failure = null;
        try {
            ops.run();
        } catch (RuntimeException e) {
            failure = e;
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
        if (failure instanceof DeviceMemoryException) {
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
        check(cuStreamSynchronize(stream), "cuStreamSynchronize");
    }

    /** Frees all GPU memory, graphs, modules and handles; safe to call twice and after a failure. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        cuCtxSetCurrent(context);
        if (streamCreated) {
            cuStreamSynchronize(stream);
        }
        graphs.forEach(g -> cuGraphExecDestroy(g));
        if (cublasCreated) {
            JCublas2.cublasDestroy(cublas);
        }
        allocations.forEach(p -> cuMemFree(p));
        modules.forEach(m -> cuModuleUnload(m));
        if (streamCreated) {
            cuStreamDestroy(stream);
        }
        // Leave no released context current on this thread: other CUDA users in the process (NVIDIA's
        // OpenCL runs on the CUDA driver) would otherwise find a dangling one there.
        cuCtxSetCurrent(new CUcontext());
        cuDevicePrimaryCtxRelease(device);
    }
}
