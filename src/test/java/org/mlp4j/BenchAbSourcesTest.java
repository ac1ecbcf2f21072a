package org.mlp4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-file programs of bench/ab (run with java's source launcher; ci/prepare-gpu-bundle.sh compiles
 * EpochParts and Evaluation for the GPU check) compile against the build's classes, so a change to the API they
 * use cannot leave them broken until someone next runs one.
 */
class BenchAbSourcesTest {
    @TempDir
    Path dir;

    @Test
    void everyProgramCompiles() throws Exception {
        List<String> sources;
        try (Stream<Path> files = Files.list(Path.of("bench/ab"))) {
            sources = files.map(Path::toString).filter(f -> f.endsWith(".java")).sorted().toList();
        }
        assertTrue(sources.contains("bench/ab/EpochParts.java"), "bench/ab's programs: " + sources);
        List<String> args = new ArrayList<>(List.of("-cp", System.getProperty("java.class.path"), "-d", dir.toString(), "-Werror"));
        args.addAll(sources);
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, args.toArray(String[]::new)), "javac " + args);
    }
}
