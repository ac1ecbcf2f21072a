package org.mlp4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicIntegerArray;
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

    private static void awaitNoLiveThreads(Workers w) throws InterruptedException {
        long until = System.nanoTime() + 60_000_000_000L; // a bound for a hang, not a speed
        while (w.liveThreads() > 0 && System.nanoTime() < until) {
            Thread.sleep(1);
        }
        assertEquals(0, w.liveThreads(), "idle: the workers end");
    }
}
