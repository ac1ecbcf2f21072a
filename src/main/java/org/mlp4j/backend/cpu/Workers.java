package org.mlp4j.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A fork-join for many small parallel sections (a training step's GEMMs take tens of microseconds each) that
 * holds up when the machine is busy. A section is split into chunks that the caller and the workers claim
 * one at a time, so the caller never waits for a worker that the OS has not scheduled: it takes that
 * worker's chunks itself and waits only for chunks already being worked on. A section takes only as many workers
 * as it has chunks to share with the caller, the first slots' (a whole step's few parts on many cores leave the rest
 * parked, or never started). Idle threads poll for a short
 * while, yielding the core to any other runnable thread on each poll, then park; so on a quiet machine a
 * hand-off costs a microsecond or so, and on a busy one nobody burns a time slice spinning. A thread idle for
 * longer ends, and the next section starts it again: so a backend kept for occasional predictions holds no
 * thread between them, and needs no closing. Which thread computes a chunk never changes its result.
 */
final class Workers implements AutoCloseable {
    /** How long an idle thread polls before it parks: about the gap between a step's parallel sections. */
    private static final long POLL_NANOS = 100_000;
    /** How long an idle thread waits for work before it ends: long beside a restart, short beside a program's pauses. */
    private static final long IDLE_NANOS = 1_000_000_000;

    /** One parallel section: chunks [0, count) of body, claimed through next. */
    private static final class Job {
        final IntConsumer body;
        final int count;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        final Thread caller;
        /** The workers that take part, those in the first slots: one fewer than the chunks at most. */
        final int helpers;
        volatile Throwable failure;

        Job(IntConsumer body, int count, Thread caller, int helpers) {
            this.body = body;
            this.count = count;
            this.caller = caller;
            this.helpers = helpers;
        }

        /** Claims and runs chunks until none is left. */
        void work() {
            int c;
            while ((c = next.getAndIncrement()) < count) {
                try {
                    if (failure == null) {
                        body.accept(c);
                    }
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    if (done.incrementAndGet() == count) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }

        boolean finished() {
            return done.get() == count;
        }
    }

    /**
     * Started (null until then) by the first section that has work for them, so a backend that only predicts a
     * few rows needs none; a slot is null again once its thread has ended for idleness.
     */
    private final Thread[] threads;
    /** The slots of {@link #threads} that hold a thread; changed only under this object's lock. */
    private volatile int running;
    /** Threads started in all, restarts included. */
    private int started;
    private final long idleNanos;
    private volatile Job job;
    private volatile boolean closed;

    Workers(int count) {
        this(count, IDLE_NANOS);
    }

    /** {@code count} threads in all, each worker ending when idle for {@code idleNanos}. */
    Workers(int count, long idleNanos) {
        threads = new Thread[Math.max(0, count - 1)];
        this.idleNanos = idleNanos;
    }

    /** Starts a thread in each empty slot of the first {@code slots}. */
    private synchronized void start(int slots) {
        for (int t = 0; t < slots; t++) {
            if (threads[t] == null && !closed) {
                int slot = t;
                threads[t] = new Thread(() -> work(slot), "mlp4j-cpu-" + (t + 1));
                threads[t].setDaemon(true);
                threads[t].start();
                running++;
                started++;
            }
        }
    }

    /** Empties {@code slot} for its thread to end, unless a section other than {@code seen} has come or the workers are closed. */
    private synchronized boolean retire(int slot, Job seen) {
        if (job != seen || closed) {
            return false;
        }
        threads[slot] = null;
        running--;
        return true;
    }

    /** The worker threads started so far and not yet ended. */
    synchronized int liveThreads() {
        int live = 0;
        for (Thread t : threads) {
            live += t != null && t.isAlive() ? 1 : 0;
        }
        return live;
    }

    /** Threads started in all, each restart after idleness counted again. */
    synchronized int threadsStarted() {
        return started;
    }

    /** The threads that compute, the caller's included (so at least 1). */
    int size() {
        return threads.length + 1;
    }

    /** Chunks per thread in {@link #forRange}: enough that a late thread's share is taken by the others. */
    private static final int CHUNKS_PER_THREAD = 4;

    /** A loop body over [from, to). */
    @FunctionalInterface
    interface Range {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over [0, n) in chunks whose bounds are multiples of {@code align}, in parallel;
     * each index is in exactly one chunk, so results do not depend on the thread count.
     */
    void forRange(int n, int align, Range body) {
        int units = (n + align - 1) / align;
        int chunks = Math.min(units, size() * CHUNKS_PER_THREAD);
        if (chunks == 0) {
            return;
        }
        int per = (units + chunks - 1) / chunks * align;
        run((n + per - 1) / per, c -> body.run(c * per, Math.min(n, (c + 1) * per)));
    }

    /** Runs {@code body.accept(c)} for every chunk c in [0, chunks), in parallel, and waits for all of them. */
    void run(int chunks, IntConsumer body) {
        if (threads.length == 0 || chunks <= 1) {
            for (int c = 0; c < chunks; c++) {
                body.accept(c);
            }
            return;
        }
        int helpers = Math.min(threads.length, chunks - 1);
        if (running < threads.length) {
            start(helpers);
        }
        Job j = new Job(body, chunks, Thread.currentThread(), helpers);
        job = j;
        for (int t = 0; t < helpers; t++) {
            LockSupport.unpark(threads[t]);
        }
        j.work();
        // wait for chunks being worked on: yield the core for a poll's time, then park (the last chunk unparks).
        // A park returns at once on an interrupted thread, and a cancelled fit's thread stays interrupted while it
        // winds down, so the caller parks with its status cleared and sets it again once the section is done.
        long until = System.nanoTime() + POLL_NANOS;
        boolean interrupted = false;
        while (!j.finished()) {
            if (System.nanoTime() < until) {
                Thread.yield();
            } else {
                interrupted |= Thread.interrupted();
                LockSupport.park(this);
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (j.failure != null) {
            throw new IllegalStateException("cpu worker failed", j.failure);
        }
    }

    /** A worker's life in {@code slot}: the sections that come, until it is closed or idle for {@link #idleNanos}. */
    private void work(int slot) {
        Job seen = null;
        long idleSince = System.nanoTime();
        while (!closed) {
            Job j = job;
            if (j != null && j != seen) {
                seen = j;
                if (slot < j.helpers) {
                    j.work();
                    idleSince = System.nanoTime();
                }
                continue;
            }
            long idle = System.nanoTime() - idleSince;
            if (idle < POLL_NANOS) {
                Thread.yield();
            } else if (idle < idleNanos) {
                LockSupport.parkNanos(this, idleNanos - idle);  // an unpark ends it early
            } else if (retire(slot, seen)) {
                return;
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (Thread t : threads) {
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }
}
