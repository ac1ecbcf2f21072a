package org.mlp4j.backend.cpu;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.mlp4j.backend.Backend;

/**
 * The gather's pixel scaling a vector at a time ({@link Kernels#scalePixels}): bytes widened to ints and floats of
 * the preferred shape. Apart from {@link VectorKernels} because its bytes have a shape of their own: each element
 * type here has one shape, so no method shared by the shapes of one type sees two (VectorShapeTest on why that
 * matters).
 */
final class VectorPixels {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    /**
     * As many bytes as a float vector has lanes, but no fewer than 8: the smallest byte vector is 64 bits, so where
     * floats are 128 bits (ARM's NEON, x86 without AVX) a byte vector holds two float vectors' pixels.
     */
    private static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, 8 * FLOATS.length())));
    private static final int PARTS = BYTES.length() / FLOATS.length();

    private VectorPixels() {
    }

    /** {@link Backend#scaledPixel}'s operations lane by lane, so the same floats. */
    static void scale(byte[] px, int from, float[] x, int to, int count) {
        int lanes = FLOATS.length(), bytes = BYTES.length(), j = 0;
        for (; j + bytes <= count; j += bytes) {
            ByteVector b = ByteVector.fromArray(BYTES, px, from + j);
            for (int part = 0; part < PARTS; part++) {
                IntVector p = (IntVector) b.convertShape(VectorOperators.B2I, INTS, part);
                FloatVector v = (FloatVector) p.and(0xff).convertShape(VectorOperators.I2F, FLOATS, 0);
                v.div(255f).sub(0.5f).mul(2f).intoArray(x, to + j + part * lanes);
            }
        }
        for (; j < count; j++) {
            x[to + j] = Backend.scaledPixel(px[from + j]);
        }
    }
}
