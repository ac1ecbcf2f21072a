package org.mlp4j.backend;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The book's step (batch 100, 784-100-10) takes the folded kernels on both GPU backends; large products do not. */
class FoldTest {
    @Test
    void theBooksLayersFoldAndLargeProductsDoNot() {
        for (Fold f : new Fold[] {new Fold(32), new Fold(8)}) {
            assertTrue(f.output(100, 100), "output layer 100 x 100 x 10");
            assertTrue(f.hidden(100, 10), "hidden layer under the 10-wide output");
            assertFalse(f.output(100, 784 * 8), "a k of thousands");
            assertFalse(f.hidden(100, 4096), "a 4096-wide next layer");
            assertFalse(f.hidden(100_000, 10), "100,000 rows");
        }
    }
}
