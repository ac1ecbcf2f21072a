package org.mlp4j.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.mlp4j.ChildJvm;

/**
 * OpenCL is loaded only into a JVM that chains signal handlers: PoCL's LLVM replaced the JVM's SIGSEGV handler for
 * about a second as it loaded, and a run without the JDK's libjsig died now and then with a bare "Segmentation fault"
 * even where no OpenCL device was used (--device auto probes for a GPU).
 */
class SignalChainingTest {
    private static final Path JSIG = Path.of(System.getProperty("java.home"), "lib", "libjsig.so");

    @Test
    void theTestsRunWithSignalChaining() {
        assumeTrue(System.getProperty("os.name").startsWith("Linux") && Files.isRegularFile(JSIG), "Linux with a JDK that has libjsig");
        assertTrue(OpenCl.signalsChained(), "the build preloads " + JSIG + " into the tests");
    }

    @Test
    void aJvmWithoutItDoesNotLoadOpenClAndSaysHowToStartIt() throws Exception {
        assumeTrue(System.getProperty("os.name").startsWith("Linux") && Files.isRegularFile(JSIG), "Linux with a JDK that has libjsig");
        ProcessBuilder pb = ChildJvm.command("org.mlp4j.cli.Main", "devices").redirectErrorStream(true);
        pb.environment().remove("LD_PRELOAD");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        String opencl = out.substring(out.indexOf("opencl\n"), out.indexOf("cpu\n"));
        assertTrue(opencl.contains("unusable: not loaded:") && opencl.contains("LD_PRELOAD=" + JSIG), out);
        assertTrue(out.contains("cpu\n  usable: "), out);
    }
}
