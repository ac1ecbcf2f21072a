package org.mlp4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Values printed by NumPy 2.4.6: np.random.RandomState(1).normal(0, 0.1, (784, 100)) etc. */
class NumpyRandomTest {
    @Test
    void drawsWhatNumpyRandomStateDraws() {
        NumpyRandom r = new NumpyRandom(1);
        assertEquals(0.16243453636632418, r.nextGaussian() * 0.1, 1e-17);
        assertEquals(-0.06117564136500754, r.nextGaussian() * 0.1, 1e-17);
        assertEquals(-0.052817175226345575, r.nextGaussian() * 0.1, 1e-17);
        for (int i = 3; i < 784 * 100 + 100 * 10; i++) {
            r.nextGaussian();
        }
        int[] x = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        r.shuffle(x);
        assertArrayEquals(new int[] {2, 6, 4, 3, 1, 8, 0, 5, 9, 7}, x);
    }
}
