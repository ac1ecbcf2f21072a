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
        Features d = examples(50);
        d.drawValidation(8, 7);
        int n = d.count();
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
        assertEquals(List.of("a", "b", "c"), d.classes());
        Features other = examples(50), again = examples(50);
        other.drawValidation(8, 8);
        again.drawValidation(8, 7);
        assertNotEquals(Arrays.toString(d.values()), Arrays.toString(other.values()), "another seed, another draw");
        assertArrayEquals(d.values(), again.values(), "the same seed, the same draw");
        assertArrayEquals(d.labels(), again.labels());
    }

    /** Example i of n: the features i and -i, the class i % 3. */
    private static Features examples(int n) {
        float[] v = new float[2 * n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            v[2 * i] = i;
            v[2 * i + 1] = -i;
            labels[i] = i % 3;
        }
        return new Features(v, labels, n, 2, List.of("a", "b", "c"));
    }
}
