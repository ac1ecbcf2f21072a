package org.mlp4j.backend.cpu;

import java.util.Arrays;
import org.mlp4j.Activation;
import org.mlp4j.Optimizer;
import org.mlp4j.Output;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.Matrix;
import org.mlp4j.backend.Shapes;

/**
 * The reference backend: float32 on the Java heap. GEMMs are packed and blocked ({@link Gemm}) and split
 * over {@link Workers} when the product is big enough to pay for it. Every other op is a plain loop, the
 * twin the GPU kernels are tested against.
 */
public final class CpuBackend implements Backend {
    private final Kernels kernels = Kernels.best();
    /** Its size is the number of parts every parallel loop here splits into. */
    private final Workers workers;
    private final Gemm gemm;

    public CpuBackend(int threads) {
        this.workers = new Workers(threads);
        this.gemm = new Gemm(kernels, workers);
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String description() {
        return "cpu: " + threads(workers.size()) + ", " + kernels.name();
    }

    /** Its threads and kernels too: whether whole steps are timed against the layer ops, and how they split, hangs on them. */
    @Override
    public String device() {
        return description();
    }

    /** "1 thread", "2 threads", ... */
    static String threads(int n) {
        return n + (n == 1 ? " thread" : " threads");
    }

    @Override
    public Matrix matrix(int rows, int cols) {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("matrix of " + rows + "x" + cols);
        }
        return new CpuMatrix(new float[Math.multiplyExact(rows, cols)], 0, rows, cols);
    }

    static float[] data(Matrix m) {
        return ((CpuMatrix) m).data();
    }

    static int off(Matrix m) {
        return ((CpuMatrix) m).offset();
    }

    @Override
    public void upload(float[] src, Matrix dst) {
        Shapes.length(src, dst);
        System.arraycopy(src, 0, data(dst), off(dst), dst.size());
    }

    @Override
    public void download(Matrix src, float[] dst) {
        Shapes.length(dst, src);
        System.arraycopy(data(src), off(src), dst, 0, src.size());
    }

    /** uint8 pixels and labels, or (pixels null) float features and int labels. */
    private record CpuExamples(byte[] pixels, byte[] labels, float[] floats, int[] classes, int count, int features) implements Examples {
        int label(int example) {
            return pixels != null ? labels[example] & 0xff : classes[example];
        }
    }

    private record CpuOrder(int[] index) implements Order {
        @Override
        public int length() {
            return index.length;
        }
    }

    private record CpuAccumulator(double[] sums) implements Accumulator {
        @Override
        public int slots() {
            return sums.length;
        }
    }

    @Override
    public Examples upload(byte[] pixels, byte[] labels, int count, int features) {
        if (pixels.length < (long) count * features || labels.length < count) {
            throw new IllegalArgumentException("dataset arrays smaller than " + count + " examples");
        }
        return new CpuExamples(pixels, labels, null, null, count, features);
    }

    @Override
    public Examples upload(float[] features, int[] labels, int count, int width) {
        if (features.length < (long) count * width || labels.length < count) {
            throw new IllegalArgumentException("dataset arrays smaller than " + count + " examples");
        }
        return new CpuExamples(null, null, features, labels, count, width);
    }

    @Override
    public Order order(int length) {
        return new CpuOrder(new int[length]);
    }

    @Override
    public void upload(int[] src, Order dst) {
        int[] d = ((CpuOrder) dst).index();
        if (src.length < d.length) {
            throw new IllegalArgumentException("order of " + src.length + " for " + d.length);
        }
        System.arraycopy(src, 0, d, 0, d.length);
    }

    @Override
    public void gather(Examples data, Order order, int offset, Matrix x, Matrix labels) {
        Shapes.gather(data, order, offset, x, labels);
        CpuExamples e = (CpuExamples) data;
        int[] idx = ((CpuOrder) order).index();
        float[] xd = data(x);
        float[] yd = data(labels);
        int f = e.features(), xo = off(x), yo = off(labels), rows = x.rows();
        for (int r = 0; r < rows; r++) {
            int ex = idx[offset + r];
            if (ex < 0 || ex >= e.count()) {
                throw new IllegalArgumentException("gather: example " + ex + " of " + e.count());
            }
            yd[yo + r] = e.label(ex);
        }
        if (e.floats() != null) {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(e.floats(), idx[offset + r] * f, xd, xo + r * f, f);
            }
            return;
        }
        byte[] px = e.pixels();
        workers.forRange(rows, 1, (from, to) -> {
            for (int r = from; r < to; r++) {
                kernels.scalePixels(px, idx[offset + r] * f, xd, xo + r * f, f);
            }
        });
    }

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        gemm(transA, transB, alpha, a, b, beta, c, null);
    }

    private void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c, Gemm.Epilogue after) {
        int[] mnk = Shapes.gemm(transA, transB, a, b, c);
        int m = mnk[0], n = mnk[1], k = mnk[2];
        gemm.run(transA, transB, m, n, k, alpha, data(a), off(a), a.cols(), data(b), off(b), b.cols(), beta, data(c), off(c), n, after);
    }

    /** The GEMM with the bias and activation applied to each tile of z as it is finished, in cache and in parallel. */
    @Override
    public void layerForward(Matrix x, Matrix w, Matrix bias, Activation act, Matrix z) {
        Shapes.bias(z, bias);
        gemm(false, false, 1f, x, w, 0f, z, biasActivation(data(bias), off(bias), act));
    }

    /** A GEMM's epilogue that adds {@code bias[bo + j]} to each column j of its tiles and applies the activation. */
    Gemm.Epilogue biasActivation(float[] bias, int bo, Activation act) {
        return (c, ci, ldc, j, rows, cols) -> {
            for (int r = 0; r < rows; r++) {
                biasActivation(c, ci + r * ldc, 1, cols, bias, bo + j, act);
            }
        };
    }

    @Override
    public void biasActivation(Matrix z, Matrix bias, Activation act) {
        Shapes.bias(z, bias);
        biasActivation(data(z), off(z), z.rows(), z.cols(), data(bias), off(bias), act);
    }

    /** {@code z[from + r * cols + j] = act(z[from + r * cols + j] + bias[bo + j])} for the rows and columns given. */
    private void biasActivation(float[] z, int from, int rows, int cols, float[] bias, int bo, Activation act) {
        if (act == Activation.SIGMOID) {
            kernels.biasSigmoid(z, from, from + rows * cols, bias, bo, cols);
            return;
        }
        for (int r = 0; r < rows; r++) {
            kernels.biasActivate(z, from + r * cols, cols, bias, bo, act);
        }
    }

    @Override
    public void outputStep(Matrix z, Matrix bias, Matrix labels, Output output, float eta, Matrix delta) {
        Shapes.outputStep(z, bias, labels, delta);
        if (output == Output.SIGMOID) {
            biasActivation(z, bias, Activation.SIGMOID);
        } else {
            softmaxRows(z, bias);
        }
        // delta = a - onehot(y): a copied whole, then 1 taken from each row's true class (a - 0 is a, bit for bit)
        float[] ad = data(z), yd = data(labels), dd = data(delta);
        int cols = z.cols(), ao = off(z), yo = off(labels), dO = off(delta);
        System.arraycopy(ad, ao, dd, dO, z.size());
        for (int r = 0; r < z.rows(); r++) {
            int y = (int) yd[yo + r];
            if (y >= 0 && y < cols) {
                dd[dO + r * cols + y] = ad[ao + r * cols + y] - 1f;
            }
        }
        biasStep(delta, eta, bias);
    }

    /** z = softmax(z + bias) per row, its maximum subtracted first (the GPU kernels' order of operations). */
    private static void softmaxRows(Matrix z, Matrix bias) {
        float[] zd = data(z), bd = data(bias);
        int cols = z.cols(), bo = off(bias);
        for (int r = 0; r < z.rows(); r++) {
            int row = off(z) + r * cols;
            float m = zd[row] + bd[bo];
            for (int j = 1; j < cols; j++) {
                m = Math.max(m, zd[row + j] + bd[bo + j]);
            }
            float sum = 0f;
            for (int j = 0; j < cols; j++) {
                float e = FixedExp.exp(zd[row + j] + bd[bo + j] - m);
                zd[row + j] = e;
                sum += e;
            }
            for (int j = 0; j < cols; j++) {
                zd[row + j] /= sum;
            }
        }
    }

    @Override
    public void hiddenStep(Matrix g, Matrix a, Activation act, float eta, Matrix bias) {
        Shapes.hiddenStep(g, a, bias);
        hiddenStep(data(g), off(g), g.cols(), data(a), off(a), a.cols(), g.rows(), g.cols(), act, eta, data(bias), off(bias));
    }

    /**
     * {@link #hiddenStep} on {@code cols} columns of g and a (rows {@code ldg} and {@code lda} apart), a block of
     * columns of wider matrices or all of them: {@code g *= act'(a)}, then their biases' steps.
     */
    void hiddenStep(float[] g, int go, int ldg, float[] a, int ao, int lda, int rows, int cols, Activation act, float eta,
                    float[] bias, int bo) {
        float[] sums = new float[cols];
        kernels.activationDelta(g, go, ldg, a, ao, lda, rows, cols, act, sums);
        stepBias(sums, eta, bias, bo);
    }

    /** Below this many elements an optimizer step runs on the calling thread: forking would cost more. */
    private static final int PARALLEL_ELEMENTS = 1 << 14;

    @Override
    public void optimize(Matrix param, Matrix grad, Matrix s1, Matrix s2, Matrix hyper, Optimizer kind, boolean decay) {
        Shapes.optimize(param, grad, s1, s2, hyper, kind);
        optimize(optimizerStep(hyper, kind, decay), param, grad, s1, s2);
    }

    /** {@code step} on every element of a parameter matrix, its gradient and its state. */
    void optimize(Kernels.OptimizerStep step, Matrix param, Matrix grad, Matrix s1, Matrix s2) {
        int n = param.size();
        Workers.Range body = (from, to) -> optimize(step, param, grad, s1, s2, from, to);
        if (n < PARALLEL_ELEMENTS) {
            body.run(0, n);
        } else {
            workers.forRange(n, kernels.tileCols(), body);
        }
    }

    /** {@code step} on elements [from, to) of a parameter matrix, its gradient and its state, on the calling thread. */
    void optimize(Kernels.OptimizerStep step, Matrix param, Matrix grad, Matrix s1, Matrix s2, int from, int to) {
        kernels.optimize(step, data(param), off(param), data(grad), off(grad), data(s1), off(s1), data(s2), off(s2), from, to);
    }

    /** The constants of {@link #optimize}'s step as {@code hyper} holds them now (L2 only where {@code decay}). */
    static Kernels.OptimizerStep optimizerStep(Matrix hyper, Optimizer kind, boolean decay) {
        float[] h = Arrays.copyOfRange(data(hyper), off(hyper), off(hyper) + hyper.size());
        float b1 = h[Hyper.BETA1.ordinal()], b2 = h[Hyper.BETA2.ordinal()];
        return new Kernels.OptimizerStep(kind, h[Hyper.ETA.ordinal()], h[Hyper.GRADIENT_SCALE.ordinal()],
                decay ? h[Hyper.L2.ordinal()] : 0f, h[Hyper.MOMENTUM.ordinal()], b1, b2, h[Hyper.EPSILON.ordinal()],
                1f - h[Hyper.BETA1_POWER.ordinal()], 1f - h[Hyper.BETA2_POWER.ordinal()]);
    }

    @Override
    public void advance(Matrix hyper) {
        Shapes.hyper(hyper);
        float[] h = data(hyper);
        int o = off(hyper);
        h[o + Hyper.BETA1_POWER.ordinal()] *= h[o + Hyper.BETA1.ordinal()];
        h[o + Hyper.BETA2_POWER.ordinal()] *= h[o + Hyper.BETA2.ordinal()];
    }

    /** bias[j] -= eta * (column j's sum, taken in row order as the GPU kernels do). */
    private static void biasStep(Matrix delta, float eta, Matrix bias) {
        float[] d = data(delta), sums = new float[delta.cols()];
        int dO = off(delta), cols = delta.cols();
        for (int r = 0; r < delta.rows(); r++) {
            for (int j = 0; j < cols; j++) {
                sums[j] += d[dO + r * cols + j];
            }
        }
        stepBias(sums, eta, data(bias), off(bias));
    }

    /** {@code bias[bo + j] -= eta * sums[j]}: a bias's step from its gradient's column sums. */
    private static void stepBias(float[] sums, float eta, float[] bias, int bo) {
        for (int j = 0; j < sums.length; j++) {
            bias[bo + j] -= eta * sums[j];
        }
    }

    /** Index of the first maximum of the row starting at z[start]. */
    private static int argmax(float[] z, int start, int cols) {
        int best = 0;
        for (int j = 1; j < cols; j++) {
            if (z[start + j] > z[start + best]) {
                best = j;
            }
        }
        return best;
    }

    /**
     * On several threads, whole steps with the first hidden layer's units split between the threads
     * ({@link SplitSteps}); none on one thread, or where that layer is too narrow to split.
     */
    @Override
    public Steps steps(Matrix[] weights, Matrix[] biases, Matrix[] activations, Matrix[] deltas, Activation act, Output output,
                       OptimizerBuffers optimizer) {
        return SplitSteps.of(this, kernels, workers, weights, biases, activations, deltas, act, output, optimizer);
    }

    @Override
    public void rowArgmax(Matrix z, Matrix out) {
        Shapes.column(z, out);
        float[] zd = data(z), od = data(out);
        for (int r = 0; r < z.rows(); r++) {
            od[off(out) + r] = argmax(zd, off(z) + r * z.cols(), z.cols());
        }
    }

    @Override
    public Accumulator accumulator(int slots) {
        return new CpuAccumulator(new double[slots]);
    }

    @Override
    public void reset(Accumulator acc) {
        java.util.Arrays.fill(((CpuAccumulator) acc).sums(), 0.0);
    }

    @Override
    public double[] read(Accumulator acc) {
        return ((CpuAccumulator) acc).sums().clone();
    }

    /** Factors of a product in {@link #cost} before its log is taken: each is at most 2, so it cannot overflow. */
    private static final int FACTORS_PER_LOG = 512;

    /**
     * In float64 from the float logits, exp by {@link FixedExp#expNonPositive} and one log per
     * {@link #FACTORS_PER_LOG} units, since StrictMath's are slow native calls and the JIT may not change the
     * bits. The logistic cost of a unit is softplus(-z) for the true class and softplus(z) for the others,
     * softplus(t) = max(t, 0) + log(1 + e^-|t|), so a block of rows costs the sum of the max terms plus the
     * log of the product of the (1 + e^-|t|). Blocks of rows are taken in parallel and their costs summed in
     * order, so the thread count does not change a bit.
     */
    @Override
    public void cost(Matrix z, Matrix labels, Output output, Accumulator acc, int slot) {
        Shapes.column(z, labels);
        Shapes.slot(acc, slot);
        float[] zd = data(z), yd = data(labels);
        int rows = z.rows(), cols = z.cols(), zo = off(z), yo = off(labels);
        int per = Math.max(1, FACTORS_PER_LOG / cols), blocks = (rows + per - 1) / per;
        double[] costs = new double[blocks];
        workers.forRange(blocks, 1, (first, end) -> {
            for (int b = first; b < end; b++) {
                int from = b * per, to = Math.min(rows, (b + 1) * per);
                costs[b] = output == Output.SOFTMAX ? crossEntropy(zd, zo, yd, yo, cols, from, to)
                        : logistic(zd, zo, yd, yo, cols, from, to);
            }
        });
        double sum = 0;
        for (double c : costs) {
            sum += c;
        }
        ((CpuAccumulator) acc).sums()[slot] += sum;
    }

    /**
     * The logistic cost of rows [from, to) of z (row-major, {@code cols} wide, from {@code z[zo]}). Apart from
     * {@link #crossEntropy}: with both in one loop, the JIT compiled this one to far slower code.
     */
    private static double logistic(float[] z, int zo, float[] labels, int yo, int cols, int from, int to) {
        double sum = 0, product = 1;
        int factors = 0;
        for (int r = from; r < to; r++) {
            int y = (int) labels[yo + r], row = zo + r * cols;
            for (int j = 0; j < cols; j++) {
                double t = j == y ? -(double) z[row + j] : z[row + j];
                sum += Math.max(t, 0);
                product *= 1 + FixedExp.expNonPositive(-Math.abs(t));
                if (++factors == FACTORS_PER_LOG) {
                    sum += StrictMath.log(product);
                    product = 1;
                    factors = 0;
                }
            }
        }
        return sum + StrictMath.log(product);
    }

    /** The softmax's cross-entropy of rows [from, to) of z: -log(softmax(z)[y]) = log(sum_j e^z_j) - z_y, the maximum taken out first. */
    private static double crossEntropy(float[] z, int zo, float[] labels, int yo, int cols, int from, int to) {
        double sum = 0;
        for (int r = from; r < to; r++) {
            int y = (int) labels[yo + r], row = zo + r * cols;
            double m = z[row];
            for (int j = 1; j < cols; j++) {
                m = Math.max(m, z[row + j]);
            }
            double s = 0;
            for (int j = 0; j < cols; j++) {
                s += FixedExp.expNonPositive(z[row + j] - m);
            }
            sum += m + StrictMath.log(s) - z[row + y];
        }
        return sum;
    }

    @Override
    public void countCorrect(Matrix z, Matrix labels, Accumulator acc, int slot) {
        Shapes.column(z, labels);
        Shapes.slot(acc, slot);
        float[] zd = data(z), yd = data(labels);
        int cols = z.cols(), zo = off(z), yo = off(labels);
        java.util.concurrent.atomic.AtomicInteger correct = new java.util.concurrent.atomic.AtomicInteger();
        workers.forRange(z.rows(), 1, (from, to) -> {
            int c = 0;
            for (int r = from; r < to; r++) {
                if (argmax(zd, zo + r * cols, cols) == (int) yd[yo + r]) {
                    c++;
                }
            }
            correct.addAndGet(c);
        });
        ((CpuAccumulator) acc).sums()[slot] += correct.get();
    }

    @Override
    public void sumOfSquares(Matrix m, Accumulator acc, int slot) {
        Shapes.slot(acc, slot);
        float[] d = data(m);
        double sum = 0;
        for (int i = off(m); i < off(m) + m.size(); i++) {
            sum += (double) d[i] * d[i];
        }
        ((CpuAccumulator) acc).sums()[slot] += sum;
    }

    @Override
    public long memoryAvailable() {
        return org.mlp4j.util.Limits.freeHeap();
    }

    @Override
    public void synchronize() {
    }

    @Override
    public void close() {
        workers.close();
    }
}
