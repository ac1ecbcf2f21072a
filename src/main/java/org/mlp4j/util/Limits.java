package org.mlp4j.util;

import java.util.Locale;

/**
 * Sizes computed from input, checked before anything is allocated: exact products (no int or long
 * wrap-around), the largest array the JVM can make, and the heap that is left. Each refusal is a
 * {@link UserError} naming what did not fit and, for the heap, how to raise it.
 */
public final class Limits {
    /** The most elements one Java array (and so one matrix) can hold. */
    public static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private Limits() {
    }

    /** {@code a * b} for sizes (both at least 0), refusing a product past {@link Long#MAX_VALUE}. */
    public static long product(long a, long b, String what) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new UserError(what + ": sizes whose product overflows");
        }
    }

    /** {@code n} as an array length, or a refusal naming {@code what}. */
    public static int elements(long n, String what) {
        if (n < 0 || n > MAX_ELEMENTS) {
            throw new UserError(what + ": " + n + " elements, more than the " + MAX_ELEMENTS + " one array can hold");
        }
        return (int) n;
    }

    /** The heap this JVM can still allocate: its maximum less what is in use. */
    public static long freeHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    /** Refuses {@code bytes} more of heap for {@code what} when they do not fit into what is left (after one collection). */
    public static void heap(long bytes, String what) {
        if (bytes > freeHeap()) {
            System.gc();
            if (bytes > freeHeap()) {
                long max = Runtime.getRuntime().maxMemory();
                throw new UserError(what + " needs " + mib(bytes) + " of heap, but the JVM has " + mib(freeHeap()) + " free of its "
                        + mib(max) + " maximum; " + raiseHeap(max - freeHeap() + bytes));
            }
        }
    }

    /**
     * How a user of ./mlp4j gives the JVM a heap of {@code bytes} in all: an -Xmx a quarter larger, in steps of 256
     * MiB (of 1 GiB from 4 GiB on), so that the size named can be typed as it is.
     */
    public static String raiseHeap(long bytes) {
        long want = bytes + bytes / 4;
        String size = want > 4L << 30 ? (want + (1L << 30) - 1 >> 30) + "g" : (want + (256L << 20) - 1 >> 28) * 256 + "m";
        return "raise it with MLP4J_JAVA_OPTS=-Xmx" + size + " or java -Xmx" + size;
    }

    /** {@link #raiseHeap} after running out of heap, where the need is unknown: twice the maximum. */
    public static String raiseHeapAfterRunningOut() {
        return raiseHeap(2 * Runtime.getRuntime().maxMemory());
    }

    /** Bytes in MiB or GiB, for messages. */
    public static String mib(long bytes) {
        return bytes >= 10L << 30 ? String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30))
                : String.format(Locale.ROOT, "%d MiB", (bytes + (1 << 20) - 1) >> 20);
    }
}
