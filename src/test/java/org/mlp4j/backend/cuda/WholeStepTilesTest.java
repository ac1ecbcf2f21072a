package org.mlp4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The first layer's tiles for whole steps: they cover w0 exactly, fit shared memory, and use the grid. */
class WholeStepTilesTest {
    @Test
    void tilesCoverTheLayerAndFitSharedMemory() {
        int[][] shapes = {{784, 100, 100}, {784, 1, 100}, {784, 512, 100}, {784, 256, 250}, {784, 100, 1000}, {37, 20, 7}, {1, 1, 1},
                {50, 64, 30}};
        for (int perMultiprocessor : new int[] {1, 2}) {
            int threads = CudaBackend.WHOLE_STEPS_THREADS / perMultiprocessor, shared = WholeStepTiles.SHARED_FLOATS / perMultiprocessor;
            for (long blocks : new long[] {1, 4, 132, 264}) {
                for (int[] s : shapes) {
                    WholeStepTiles t = WholeStepTiles.choose(new int[] {s[0], s[1], 10}, s[2], blocks, threads, shared);
                    String what = s[0] + "x" + s[1] + " batch " + s[2] + " on " + blocks + " of " + threads + ": " + t;
                    assertEquals((s[0] + t.k() - 1) / t.k(), t.down(s[0]), what);
                    assertTrue(t.k() <= s[0] && t.cols() <= s[1], what);
                    assertTrue(t.chunkRows() >= 1 && t.chunkRows() <= s[2], what);
                    assertTrue(t.sharedBytes() <= 4 * shared, what);
                }
            }
        }
    }

    @Test
    void theBooksNetTakesMostOfTheGridInOneRoundWithTheWholeMinibatchStaged() {
        WholeStepTiles t = WholeStepTiles.choose(new int[] {784, 100, 10}, 100, 264, 256, WholeStepTiles.SHARED_FLOATS / 2);
        long all = t.tiles(784, 100) + t.tiles(100, 10);
        assertTrue(all <= 264 && t.tiles(784, 100) >= 132, "every layer's tiles updated in one round: " + t);
        assertEquals(100, t.chunkRows(), t.toString());
    }
}
