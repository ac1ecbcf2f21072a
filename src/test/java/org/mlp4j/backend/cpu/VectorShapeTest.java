package org.mlp4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Vector API kernels name no vector shape but the preferred one. A second shape beside the preferred
 * (a 256-bit copy among 512-bit kernels) left C2 unable to compile the kernels' stores on an AVX-512 machine,
 * which made the GEMM many times slower with nothing else wrong: no result changes, so only this reading of
 * the compiled class can catch it on every machine. The pixel scaling's bytes, the one other shape, are kept in
 * a class of their own, which names no fixed-size species.
 */
class VectorShapeTest {
    private static final String[] OTHER_SHAPES = {
        "SPECIES_64", "SPECIES_128", "SPECIES_256", "SPECIES_512", "SPECIES_MAX", "VectorShape", "withShape", "ofPreferred"
    };

    @Test
    void vectorKernelsUseOnlyThePreferredSpecies() throws IOException {
        StringBuilder read = new StringBuilder();
        for (Class<?> c : List.of(VectorKernels.class, VectorKernels.SixRows.class, VectorKernels.FourRows.class)) {
            try (InputStream in = c.getResourceAsStream(c.getName().substring(c.getPackageName().length() + 1) + ".class")) {
                read.append(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
            }
        }
        String constants = read.toString();
        List<String> named = new ArrayList<>();
        for (String shape : OTHER_SHAPES) {
            if (constants.contains(shape)) {
                named.add(shape);
            }
        }
        assertEquals(List.of(), named, "VectorKernels names a vector shape other than FloatVector.SPECIES_PREFERRED");
        assertTrue(constants.contains("SPECIES_PREFERRED"), "the kernels' species is no longer read where expected");
        String pixels;
        try (InputStream in = VectorPixels.class.getResourceAsStream("VectorPixels.class")) {
            pixels = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        for (String fixed : new String[] {"SPECIES_64", "SPECIES_128", "SPECIES_256", "SPECIES_512", "SPECIES_MAX"}) {
            assertTrue(!pixels.contains(fixed), "VectorPixels names " + fixed);
        }
    }
}
