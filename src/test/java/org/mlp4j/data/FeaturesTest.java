package org.mlp4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mlp4j.model.NumpyRandom;

class FeaturesTest {
    @Test
    void theValidationExamplesAreDrawnBySeedAndMovedLastInTheirOrder() {
        int n = 50;
        float[] v = new float[2 * n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            v[2 * i] = i;
            v[2 * i + 1] = -i;
            labels[i] = i % 3;
        }
        Features f = new Features(v, labels, n, 2, List.of("a", "b", "c"));
        Features d = f.withValidationDrawn(8, 7);

        // the rows NumPy's RandomState(7).shuffle(arange(50)) puts first validate
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        new NumpyRandom(7).shuffle(order);
        int[] drawn = Arrays.copyOf(order, 8);
        Arrays.sort(drawn);
        int[] last = new int[8];
        for (int i = 0; i < 8; i++) {
            last[i] = (int) d.values()[2 * (n - 8 + i)];
        }
        assertArrayEquals(drawn, last);
        // each row whole, with its label; the others before them, in the file's order
        int previous = -1;
        for (int i = 0; i < n; i++) {
            int row = (int) d.values()[2 * i];
            assertEquals(-row, d.values()[2 * i + 1]);
            assertEquals(row % 3, d.label(i));
            if (i < n - 8) {
                assertEquals(true, row > previous && Arrays.binarySearch(drawn, row) < 0);
                previous = row;
            }
        }
        assertEquals(f.classes(), d.classes());
        for (int i = 0; i < n; i++) {
            assertEquals(i, f.values()[2 * i], "the examples drawn from are left as they were");
        }
        assertNotEquals(Arrays.toString(d.values()), Arrays.toString(f.withValidationDrawn(8, 8).values()), "another seed, another draw");
        assertArrayEquals(d.values(), f.withValidationDrawn(8, 7).values(), "the same seed, the same draw");
    }
}
