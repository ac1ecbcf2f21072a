package org.mlp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What bench says of other work on the machine: Linux's counters read, and this process's own time and its children's taken out. */
class OtherWorkTest {
    static final String STATUS = "Name:\tjava\nCpus_allowed:\td\nCpus_allowed_list:\t0,2-3\n";

    /** /proc/stat with each processor's user nice system idle iowait irq softirq steal guest guest_nice. */
    static String stat(long... perProcessor) {
        StringBuilder s = new StringBuilder("cpu  1 2 3 4 5 6 7 8 0 0\n");
        for (int cpu = 0; cpu < 4; cpu++) {
            s.append("cpu").append(cpu);
            for (int i = 0; i < 8; i++) {
                s.append(' ').append(perProcessor[cpu * 8 + i]);
            }
            s.append(" 0 0\n");
        }
        return s.append("intr 12345 0 0\nctxt 999\n").toString();
    }

    /** /proc/self/stat of a command whose name holds spaces and parentheses, with utime, stime, cutime and cstime. */
    static String self(long utime, long stime, long cutime, long cstime) {
        return "4242 (a (java) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 " + utime + " " + stime + " " + cutime + " " + cstime + " 20 0 30 0 1\n";
    }

    @Test
    void theAllowedProcessorsAreSummedAndOwnTimeTakenOut() {
        long[] a = new long[32], b = new long[32];
        for (int cpu = 0; cpu < 4; cpu++) {
            // user 10, system 5, idle 80 on each; processor 1, not allowed, is left out whatever it does
            a[cpu * 8] = 10;
            a[cpu * 8 + 2] = 5;
            a[cpu * 8 + 3] = 80;
        }
        System.arraycopy(a, 0, b, 0, 32);
        b[8] += 1000;     // processor 1: not counted
        b[0] += 60;       // processor 0: 60 user, 40 idle
        b[3] += 40;
        b[16 + 2] += 30;  // processor 2: 30 system, 50 steal (another machine's), 20 idle
        b[16 + 7] += 50;
        b[16 + 3] += 20;
        b[24 + 4] += 100; // processor 3: waiting on I/O, which is idle
        OtherWork.Snapshot before = OtherWork.of(stat(a), self(3, 1, 0, 0), STATUS);
        OtherWork.Snapshot after = OtherWork.of(stat(b), self(13, 1, 25, 5), STATUS);
        assertEquals(3, after.processors());
        assertEquals(3 * 15, before.busy());
        assertEquals(3 * 95, before.total());
        assertEquals(4, before.own());
        assertEquals(44, after.own());
        // 140 ticks busy of 300, 40 of them this process's and its children's: 100 of 300 ticks on 3 processors
        assertEquals(1.0, OtherWork.processors(before, after), 1e-12);
        assertTrue(OtherWork.line(before, after).startsWith("other work: 1.00 of the 3 processors busy on average while timing"));
        // more time of its own than the processors counted (ticks rounded apart): none, not less than none
        assertEquals(0.0, OtherWork.processors(before, OtherWork.of(stat(b), self(500, 0, 0, 0), STATUS)));
        assertEquals(null, OtherWork.line(before, null));
        // without an allowed list, every processor
        assertEquals(4, OtherWork.of(stat(a), self(0, 0, 0, 0), "Name:\tjava\n").processors());
    }

    /** On Linux, the time of a child waited for is this process's own: not other work. */
    @Test
    void aChildsTimeIsCountedAsOwn() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "Linux's counters");
        OtherWork.Snapshot before = OtherWork.now();
        assertNotNull(before);
        Process p = new ProcessBuilder("sh", "-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done").start();
        assertEquals(0, p.waitFor());
        OtherWork.Snapshot after = OtherWork.now();
        assertTrue(after.own() > before.own(), before + " " + after);
        double others = OtherWork.processors(before, after);
        assertTrue(others >= 0 && others <= after.processors(), Double.toString(others));
    }
}
