package org.mlp4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The gather's scaling of uint8 pixels, (p/255 - 0.5) * 2 in float: the Vector API kernels give the scalar loop's
 * bits for every byte value, at any offset, over whole vectors and the lanes after them.
 */
class PixelScalingTest {
    @Test
    void vectorAndScalarKernelsScaleEveryPixelAlike() {
        byte[] px = new byte[256 + 64];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i * 37);
        }
        Kernels vector = VectorKernelsUnderTest.best(), scalar = new ScalarKernels("the reference");
        for (int from : new int[] {0, 1, 7, 17}) {
            for (int count : new int[] {256, 255, 33, 15, 1}) {
                float[] want = new float[count + 5], got = new float[count + 5];
                scalar.scalePixels(px, from, want, 3, count);
                vector.scalePixels(px, from, got, 3, count);
                for (int j = 0; j < want.length; j++) {
                    assertEquals(Float.floatToIntBits(want[j]), Float.floatToIntBits(got[j]), "from " + from + ", count " + count + ", at " + j);
                }
            }
        }
        // the book's scaling itself, at both ends and the middle
        float[] x = new float[3];
        scalar.scalePixels(new byte[] {0, (byte) 255, (byte) 51}, 0, x, 0, 3);
        assertEquals(-1f, x[0]);
        assertEquals(1f, x[1]);
        assertEquals((51 / 255f - 0.5f) * 2f, x[2]);
    }
}
