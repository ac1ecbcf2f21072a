import java.lang.reflect.*;
import java.net.*;
import java.nio.file.*;
import java.util.*;
/**
 * Two builds of the cpu backend's GEMM timed in one JVM, alternating round by round, so both see the same
 * noise of a shared machine (separate runs there can differ by more than the change measured). Each build is a
 * classes directory (target/classes of a checkout); the median of rounds 6..30 is reported, and the best.
 * Each build is loaded twice, in the order old, new, new, old, and its two copies pooled: the copy loaded
 * later ran measurably slower when one build was loaded twice, so a single order favours the first.
 * {@code java --add-modules jdk.incubator.vector bench/ab/GemmAB.java THREADS OLD_CLASSES NEW_CLASSES MxNxK:NN ...}
 */
public class GemmAB {
    static class Impl {
        Object backend; Method matrix, upload, gemm; String name;
        Impl(String name, String dir, int threads) throws Exception {
            this.name = name;
            ClassLoader l = new URLClassLoader(new URL[] {Paths.get(dir).toUri().toURL()}, ClassLoader.getPlatformClassLoader());
            Class<?> c = l.loadClass("org.mlp4j.backend.cpu.CpuBackend");
            Class<?> m = l.loadClass("org.mlp4j.backend.Matrix");
            backend = c.getConstructor(int.class).newInstance(threads);
            matrix = c.getMethod("matrix", int.class, int.class);
            upload = c.getMethod("upload", float[].class, m);
            gemm = c.getMethod("gemm", boolean.class, boolean.class, float.class, m, m, float.class, m);
        }
        Object put(int r, int cc, Random rnd) throws Exception {
            Object mat = matrix.invoke(backend, r, cc);
            float[] x = new float[r * cc]; for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat();
            upload.invoke(backend, x, mat); return mat;
        }
    }
    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        Impl[] impls = {new Impl("old", args[1], threads), new Impl("new", args[2], threads),
                new Impl("new", args[2], threads), new Impl("old", args[1], threads)};
        for (int ai = 3; ai < args.length; ai++) {
            String[] p = args[ai].split(":"); String[] d = p[0].split("x");
            int m = Integer.parseInt(d[0]), n = Integer.parseInt(d[1]), k = Integer.parseInt(d[2]);
            boolean ta = p[1].charAt(0) == 'T', tb = p[1].charAt(1) == 'T';
            Object[][] mats = new Object[impls.length][];
            for (int v = 0; v < impls.length; v++) {
                Random r = new Random(1);
                mats[v] = new Object[] {ta ? impls[v].put(k, m, r) : impls[v].put(m, k, r), tb ? impls[v].put(n, k, r) : impls[v].put(k, n, r), impls[v].put(m, n, r)};
            }
            long flop = 2L * m * n * k; int reps = (int) Math.max(3, 3e8 / flop);
            int rounds = 30, warm = 5;
            double[][] t = new double[impls.length][rounds];
            for (int round = 0; round < rounds; round++) {
                for (int v = 0; v < impls.length; v++) {
                    long s = System.nanoTime();
                    for (int i = 0; i < reps; i++) impls[v].gemm.invoke(impls[v].backend, ta, tb, 1f, mats[v][0], mats[v][1], 0.5f, mats[v][2]);
                    t[v][round] = (System.nanoTime() - s) / 1e9 / reps;
                }
            }
            double[] med = new double[2], best = new double[2];
            for (int build = 0; build < 2; build++) {
                // old: copies 0 and 3; new: copies 1 and 2
                double[] x = new double[2 * (rounds - warm)];
                int c0 = build == 0 ? 0 : 1, c1 = build == 0 ? 3 : 2;
                System.arraycopy(t[c0], warm, x, 0, rounds - warm);
                System.arraycopy(t[c1], warm, x, rounds - warm, rounds - warm);
                Arrays.sort(x);
                med[build] = x[x.length / 2];
                best[build] = x[0];
            }
            System.out.printf("%-18s threads %d  old %7.1f GFLOP/s  new %7.1f GFLOP/s  (median; best %5.1f / %5.1f)  new/old time %.2f%n",
                    args[ai], threads, flop / med[0] / 1e9, flop / med[1] / 1e9, flop / best[0] / 1e9, flop / best[1] / 1e9, med[1] / med[0]);
        }
    }
}
