package org.mlp4j.model;

/**
 * The random stream of NumPy's legacy {@code np.random.RandomState(seed)}: MT19937 seeded by
 * {@code init_genrand}, {@code normal} by the polar Box-Muller method with its cached second value, and
 * {@code shuffle} by Fisher-Yates with masked rejection sampling. With it mlp4j draws the same initial
 * weights and the same minibatch order as the book's {@code NeuralNetMLP} for the same seed, so the
 * two runs differ only by float32 arithmetic.
 */
public final class NumpyRandom {
    private static final int N = 624;
    private static final int M = 397;
    private final int[] mt = new int[N];
    private int mti;
    private boolean hasGauss;
    private double gauss;

    public NumpyRandom(long seed) {
        if (seed < 0 || seed > 0xffffffffL) {
            throw new IllegalArgumentException("seed must be between 0 and 2^32 - 1, got " + seed);
        }
        mt[0] = (int) seed;
        for (int i = 1; i < N; i++) {
            mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
        }
        mti = N;
    }

    /** The generator's whole state, to continue its stream later exactly where it was. */
    public record State(int[] mt, int position, boolean hasGauss, double gauss) {
        public State {
            if (mt.length != N || position < 0 || position > N) {
                throw new IllegalArgumentException("not an MT19937 state (" + mt.length + " words, position " + position + ")");
            }
        }
    }

    public State state() {
        return new State(mt.clone(), mti, hasGauss, gauss);
    }

    public static NumpyRandom of(State s) {
        NumpyRandom r = new NumpyRandom(0);
        System.arraycopy(s.mt(), 0, r.mt, 0, N);
        r.mti = s.position();
        r.hasGauss = s.hasGauss();
        r.gauss = s.gauss();
        return r;
    }

    /** The next 32 random bits, as an unsigned value. */
    long nextUint32() {
        if (mti >= N) {
            for (int k = 0; k < N; k++) {
                int y = (mt[k] & 0x80000000) | (mt[(k + 1) % N] & 0x7fffffff);
                mt[k] = mt[(k + M) % N] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908b0df : 0);
            }
            mti = 0;
        }
        int y = mt[mti++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y & 0xffffffffL;
    }

    /** Uniform in [0, 1) with 53 random bits, as {@code random_sample}. */
    public double nextDouble() {
        long a = nextUint32() >>> 5;
        long b = nextUint32() >>> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    /** A standard normal draw, as {@code legacy_gauss}. */
    public double nextGaussian() {
        if (hasGauss) {
            hasGauss = false;
            return gauss;
        }
        double x1;
        double x2;
        double r2;
        do {
            x1 = 2.0 * nextDouble() - 1.0;
            x2 = 2.0 * nextDouble() - 1.0;
            r2 = x1 * x1 + x2 * x2;
        } while (r2 >= 1.0 || r2 == 0.0);
        double f = Math.sqrt(-2.0 * Math.log(r2) / r2);
        gauss = f * x1;
        hasGauss = true;
        return f * x2;
    }

    /** Uniform integer in [0, max], as {@code random_interval}. */
    int interval(int max) {
        if (max == 0) {
            return 0;
        }
        long mask = max;
        mask |= mask >>> 1;
        mask |= mask >>> 2;
        mask |= mask >>> 4;
        mask |= mask >>> 8;
        mask |= mask >>> 16;
        long v;
        do {
            v = nextUint32() & mask;
        } while (v > max);
        return (int) v;
    }

    /** In-place shuffle of a 1-d array, as {@code RandomState.shuffle}. */
    public void shuffle(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = interval(i);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
