package org.mlp4j.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The constants OpenClBackend shares with kernels/*.cl reach them only as build options, never defined twice. */
class OpenClSourcesTest {
    @Test
    void noSourceDefinesABuildOption() throws IOException {
        for (String source : OpenClBackend.sources()) {
            String text = Files.readString(Path.of("kernels", source + ".cl"));
            for (String name : OpenClBackend.optionNames()) {
                assertFalse(Pattern.compile("(?m)^\\s*#\\s*define\\s+" + name + "\\b").matcher(text).find(),
                        source + ".cl defines " + name + ", which OpenClBackend passes as -D" + name);
            }
        }
    }
}
