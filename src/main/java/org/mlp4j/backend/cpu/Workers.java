package org.mlp4j.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A fork-join for many tiny parallel sections (a training step's GEMMs take ~100 us each): workers spin
 * for a while before parking, so handing them a part costs well under a microsecond instead of the tens
 * of microseconds a parked pool thread takes to wake. The caller runs part 0 itself.
 */
final class Workers implements AutoCloseable {
    /** How long an idle worker spins before parking: longer than the gap between a step's GEMMs. */
    private static final long SPIN_NANOS = 2_000_000;

    private final Thread[] threads;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile IntConsumer body;
    private volatile long generation;
    private volatile boolean closed;
    private volatile Throwable failure;

    Workers(int count) {
        threads = new Thread[Math.max(0, count - 1)];
        for (int t = 0; t < threads.length; t++) {
            int part = t + 1;
            threads[t] = new Thread(() -> work(part), "mlp4j-cpu-" + part);
            threads[t].setDaemon(true);
            threads[t].start();
        }
    }

    /** The parts {@link #run} runs: one per worker thread, plus the caller's (so at least 1). */
    int size() {
        return threads.length + 1;
    }

    /** Runs {@code work.accept(p)} for p in [0, size()) in parallel and waits for all of them. */
    void run(IntConsumer work) {
        if (threads.length == 0) {
            work.accept(0);
            return;
        }
        failure = null;
        pending.set(threads.length);
        body = work;
        generation++;
        for (Thread t : threads) {
            LockSupport.unpark(t);
        }
        try {
            work.accept(0);
        } finally {
            while (pending.get() != 0) {
                Thread.onSpinWait();
            }
        }
        if (failure != null) {
            throw new IllegalStateException("cpu worker failed", failure);
        }
    }

    private void work(int part) {
        long seen = 0;
        while (!closed) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (generation == seen && !closed) {
                if (System.nanoTime() > spinUntil) {
                    LockSupport.parkNanos(this, 1_000_000);
                } else {
                    Thread.onSpinWait();
                }
            }
            if (closed) {
                return;
            }
            seen = generation;
            try {
                body.accept(part);
            } catch (Throwable t) {
                failure = t;
            } finally {
                pending.decrementAndGet();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : threads) {
            LockSupport.unpark(t);
        }
    }
}
