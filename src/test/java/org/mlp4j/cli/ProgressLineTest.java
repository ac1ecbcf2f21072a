package org.mlp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The progress line stays narrower than the terminal, whose last column would wrap it: a wrapped line is redrawn on
 * a new row at every carriage return, which filled an 80-column terminal with rows of it (the book's run draws 83
 * characters there at full width).
 */
class ProgressLineTest {
    @Test
    void theLineFitsEveryWidthAndKeepsItsFullFormWhereThereIsRoom() {
        String head = "epoch 100/200", tail = "300/550 steps | run  50%, 1m05s left";
        assertEquals("epoch 100/200 [================              ] 300/550 steps | run  50%, 1m05s left",
                ProgressLine.line(head, 300, 550, tail, 119), "a bar of 30 where there is room");
        assertEquals("epoch 100/200 [==============            ] 300/550 steps | run  50%, 1m05s left",
                ProgressLine.line(head, 300, 550, tail, 79), "the bar narrower on 80 columns");
        assertEquals("epoch 100/200 300/550 steps | run  50%, 1m05s left", ProgressLine.line(head, 300, 550, tail, 55), "no bar");
        assertEquals("epoch 100/200 300/550 steps | run  5", ProgressLine.line(head, 300, 550, tail, 36), "cut");
        assertEquals("", ProgressLine.line(head, 300, 550, tail, 0));
    }

    /**
     * The time left is reckoned from the steps since the first redraw, at their rate: the run's set-up before them (a
     * minute here) counts for nothing. Redraws within 100 ms of the last are skipped, but for an epoch's last step.
     */
    @Test
    void theTimeLeftIsAtTheRateOfTheStepsSinceTheFirstRedraw() {
        StringWriter text = new StringWriter();
        long[] now = {60_000_000_000L};  // a minute after the line was made
        ProgressLine p = new ProgressLine(new PrintWriter(text), 1, 2, 0, () -> 200, () -> now[0]);
        p.show(1, 10, 100);  // 5 % of the run: no rate yet
        now[0] += 50_000_000;
        p.show(1, 15, 100);  // within 100 ms: not drawn
        now[0] += 950_000_000;
        p.show(1, 20, 100);  // 5 % more of the run in a second: 90 % left, 18 s
        now[0] += 9_000_000_000L;
        p.show(2, 100, 100);  // the run's last step
        List<String> rows = redraws(text);
        assertEquals(List.of("epoch 1/2 [===                           ] 10/100 steps | run   5%, ? left",
                "epoch 1/2 [======                        ] 20/100 steps | run  10%, 18s left",
                "epoch 2/2 [==============================] 100/100 steps | run 100%, 0s left"), rows);
    }

    /**
     * An epoch's evaluation, after its last step, is counted in from the first epoch on, as the share of the epoch it is
     * said to take: here a quarter (100 steps of 30 ms, then a second's evaluation), so that the time left is the run's
     * (counted in steps alone, it was 4.5 s where 6.8 s were left, and a run of one epoch showed "0s left" before it
     * evaluated). The epoch's end is heard of after its evaluation.
     */
    @Test
    void theTimeLeftCountsInTheEvaluationsOfTheEpochs() {
        StringWriter text = new StringWriter();
        long[] now = {0};
        ProgressLine p = new ProgressLine(new PrintWriter(text), 1, 2, 0.25, () -> 200, () -> now[0]);
        for (int epoch = 1; epoch <= 2; epoch++) {
            long start = (epoch - 1) * 4_000_000_000L;
            for (int done : new int[] {10, 40, 100}) {
                now[0] = start + done * 30_000_000L + (done == 100 ? 1_000_000_000L : 0);
                p.show(epoch, done, 100);
            }
        }
        List<String> rows = redraws(text);
        assertEquals(List.of("epoch 1/2 [===                           ] 10/100 steps | run   4%, ? left",
                "epoch 1/2 [============                  ] 40/100 steps | run  15%, 7s left",
                "epoch 1/2 [==============================] 100/100 steps | run  50%, 4s left",
                "epoch 2/2 [===                           ] 10/100 steps | run  54%, 4s left",
                "epoch 2/2 [============                  ] 40/100 steps | run  65%, 3s left",
                "epoch 2/2 [==============================] 100/100 steps | run 100%, 0s left"), rows);
    }

    /**
     * The time left is at the rate of the later half of the run so far, or a little more (from the end of epoch 1, 2, 4,
     * 8, ...): the first epochs run slower than the rest (the JIT compiles the cpu backend's kernels during them), here 5 s
     * and 2 s against 1 s for each of the eight after them. Reckoned from the first redraw, the line said 23 s at 40 % of
     * the third epoch, where 7.6 s were left, and 12 s at 40 % of the fifth, where 5.6 s were left; reckoned from the first
     * epoch's end, 7 s there.
     */
    @Test
    void theTimeLeftIsAtTheRateOfTheLaterHalfOfTheRunSoFar() {
        StringWriter text = new StringWriter();
        long[] now = {0};
        ProgressLine p = new ProgressLine(new PrintWriter(text), 1, 10, 0, () -> 200, () -> now[0]);
        for (int epoch = 1; epoch <= 5; epoch++) {
            long start = epoch == 1 ? 0 : epoch == 2 ? 5_000_000_000L : (epoch + 4) * 1_000_000_000L;
            long step = epoch == 1 ? 50_000_000L : epoch == 2 ? 20_000_000L : 10_000_000L;
            for (int done = 10; done <= 100; done += 10) {
                now[0] = start + done * step;
                p.show(epoch, done, 100);
            }
        }
        List<String> rows = redraws(text);
        assertEquals(List.of("epoch 1/10 [==============================] 100/100 steps | run  10%, 45s left",
                "epoch 3/10 [============                  ] 40/100 steps | run  24%, 13s left",
                "epoch 5/10 [============                  ] 40/100 steps | run  44%, 6s left"),
                rows.stream().filter(r -> r.startsWith("epoch 1/10 [") && r.contains(" 100/100 ") || r.matches("epoch [35]/10 .* 40/100 .*")).toList(),
                "within the first epoch, at its rate; then from the first epoch's end; from the fifth, from the second's");
    }

    /**
     * Before the first step, a line says the run sets up, then what it sets up, each over the one before; the first
     * redraw blanks it out, and it fits the terminal.
     */
    @Test
    void theSetUpLineLastsUntilTheFirstRedraw() {
        for (int columns : new int[] {200, 20}) {
            StringWriter text = new StringWriter();
            ProgressLine p = new ProgressLine(new PrintWriter(text), 1, 1, 0, () -> columns);
            p.settingUp();
            p.settingUp("checking whole steps, way 2 of 4 (three launches a step)");
            p.show(1, 1, 10);
            String[] rows = text.toString().split("\r");
            assertEquals(4, rows.length, Arrays.toString(rows));
            assertTrue(ProgressLine.SETTING_UP.startsWith(rows[1]) && rows[1].length() == Math.min(ProgressLine.SETTING_UP.length(), columns - 1),
                    rows[1]);
            String doing = "setting up: checking whole steps, way 2 of 4 (three launches a step)...";
            assertEquals(doing.substring(0, Math.min(doing.length(), columns - 1)), rows[2].stripTrailing());
            assertTrue(rows[2].length() <= columns - 1, rows[2]);
            assertTrue(rows[3].startsWith("epoch 1/1") && rows[3].length() >= rows[2].stripTrailing().length() && rows[3].length() <= columns - 1,
                    rows[3]);
        }
    }

    @Test
    void everyRedrawIsNarrowerThanTheTerminal() {
        for (int columns : new int[] {1, 20, 40, 60, 80, 81, 120, 200}) {
            for (int[] run : new int[][] {{1, 1, 550}, {1, 200, 550}, {5, 1000, 60000}, {199, 200, 5500}}) {
                StringWriter text = new StringWriter();
                ProgressLine p = new ProgressLine(new PrintWriter(text), run[0], run[1], 0.3, () -> columns);
                for (int epoch = run[0]; epoch <= run[1] && epoch < run[0] + 3; epoch++) {
                    p.show(epoch, run[2], run[2]);  // an epoch's last step is always drawn
                    p.clear();
                }
                List<String> rows = Arrays.stream(text.toString().split("\r")).filter(r -> !r.isEmpty()).toList();
                assertTrue((columns == 1 || !rows.isEmpty()) && rows.stream().allMatch(r -> r.length() <= columns - 1),
                        columns + " columns, run " + Arrays.toString(run) + ": " + rows);
                assertTrue(columns < 60 || rows.get(0).contains("/" + run[2] + " steps | run "), rows.toString());
            }
        }
    }

    /** What was drawn on the line, a redraw an element, each without the blanks that wiped the one before. */
    private static List<String> redraws(StringWriter text) {
        return Arrays.stream(text.toString().split("\r")).filter(r -> !r.isBlank()).map(String::strip).toList();
    }
}
