package org.mlp4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Worker threads start with the first section that has more than one chunk: opening a backend to predict a few
 * rows started and stopped a thread per call, which cost more than the prediction.
 */
class WorkersTest {
    @Test
    void threadsStartWithTheFirstParallelSectionAndEndWhenClosed() throws InterruptedException {
        Workers w = new Workers(3, Long.MAX_VALUE);
        assertEquals(3, w.size());
        int[] serial = new int[1];
        w.run(1, c -> serial[0]++);
        w.forRange(5, 8, (from, to) -> serial[0] += to - from);
        assertEquals(6, serial[0]);
        assertEquals(0, w.liveThreads(), "one chunk each: the caller ran them");
        AtomicIntegerArray seen = new AtomicIntegerArray(64);
        w.run(64, seen::incrementAndGet);
        int[] once = new int[64];
        java.util.Arrays.fill(once, 1);
        int[] got = new int[64];
        for (int i = 0; i < 64; i++) {
            got[i] = seen.get(i);
        }
        assertArrayEquals(once, got, "every chunk once");
        assertEquals(2, w.liveThreads(), "the two workers, started for the section");
        w.close();
        long until = System.nanoTime() + 60_000_000_000L; // a bound for a hang, not a speed: they end at once
        while (w.liveThreads() > 0 && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertEquals(0, w.liveThreads(), "closed: the workers end");
    }

    /** A backend kept between predictions holds no thread while idle, so a program may keep many and close none. */
    @Test
    void idleThreadsEndAndTheNextSectionStartsThemAgain() throws InterruptedException {
        try (Workers w = new Workers(3, 1_000_000)) {
            AtomicIntegerArray seen = new AtomicIntegerArray(64);
            w.run(64, seen::incrementAndGet);
            assertEquals(2, w.threadsStarted());
            awaitNoLiveThreads(w);
            w.run(64, seen::incrementAndGet);
            assertEquals(4, w.threadsStarted(), "both started again");
            for (int i = 0; i < 64; i++) {
                assertEquals(2, seen.get(i), "chunk " + i + " once in each section");
            }
            awaitNoLiveThreads(w);
        }
    }

    /**
     * A section of fewer chunks than threads starts and wakes only the workers it has chunks for: a whole step split
     * into a few parts on many cores woke every worker, and those without a part polled beside those with one.
     */
    @Test
    void aSectionOfFewChunksTakesOnlyTheWorkersItNeeds() {
        try (Workers w = new Workers(5, Long.MAX_VALUE)) {
            Set<String> ran = ConcurrentHashMap.newKeySet();
            for (int section = 0; section < 200; section++) {
                w.run(2, c -> ran.add(Thread.currentThread().getName()));
            }
            assertEquals(1, w.threadsStarted(), "one worker started for sections of two chunks");
            assertTrue(Set.of(Thread.currentThread().getName(), "mlp4j-cpu-1").containsAll(ran), "chunks ran on " + ran);
            w.run(64, c -> { });
            assertEquals(4, w.threadsStarted(), "the rest started for a section of many chunks");
        }
    }

    /**
     * A caller whose interrupt status is set (a cancelled fit's thread, which keeps it) sleeps while a worker
     * finishes its chunk: a park returns at once on such a thread, so it spun on its core, beside that worker.
     */
    @Test
    void anInterruptedCallerSleepsWhileAWorkerFinishes() throws InterruptedException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadCpuTimeSupported(), "this JVM does not measure a thread's processor time");
        try (Workers w = new Workers(2, Long.MAX_VALUE)) {
            AtomicReference<Thread> caller = new AtomicReference<>();
            AtomicBoolean workerHasOne = new AtomicBoolean();
            CountDownLatch release = new CountDownLatch(1);
            AtomicBoolean stillInterrupted = new AtomicBoolean();
            Thread t = new Thread(() -> {
                Thread.currentThread().interrupt();
                w.run(2, c -> {
                    if (Thread.currentThread() != caller.get()) {
                        workerHasOne.set(true);
                        awaitUninterruptibly(release);  // the worker's chunk lasts until the test has watched the caller
                    } else {
                        while (!workerHasOne.get()) {
                            Thread.onSpinWait();  // the caller's chunk ends once the worker holds the other
                        }
                    }
                });
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            });
            caller.set(t);
            t.start();
            long until = System.nanoTime() + 60_000_000_000L; // a bound for a hang, not a speed: it parks after a poll
            while (t.getState() != Thread.State.WAITING && System.nanoTime() < until) {
                Thread.sleep(1);
            }
            // processor time, not a speed: a parked thread takes none however slow the machine, a spinning one
            // takes its core's
            long before = threads.getThreadCpuTime(t.getId());
            Thread.sleep(200);
            long spent = threads.getThreadCpuTime(t.getId()) - before;
            release.countDown();
            t.join();
            assertTrue(spent < 100_000_000, "the caller took " + spent / 1_000_000 + " ms of processor time in 200 ms of waiting");
            assertTrue(stillInterrupted.get(), "its interrupt status is left for it");
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        while (true) {
            try {
                latch.await();
                return;
            } catch (InterruptedException e) {
                // not interrupted in this test
            }
        }
    }

    private static void awaitNoLiveThreads(Workers w) throws InterruptedException {
        long until = System.nanoTime() + 60_000_000_000L; // a bound for a hang, not a speed
        while (w.liveThreads() > 0 && System.nanoTime() < until) {
            Thread.sleep(1);
        }
        assertEquals(0, w.liveThreads(), "idle: the workers end");
    }
}
