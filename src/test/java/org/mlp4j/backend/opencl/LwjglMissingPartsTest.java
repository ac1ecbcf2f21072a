package org.mlp4j.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.mlp4j.ChildJvm;

/**
 * Where a JVM lacks part of what LWJGL needs, {@code devices} says which part and how to add it, in one line and
 * without LWJGL's stack traces: the module jdk.unsupported, which an application run as a module does not resolve
 * unless asked (LWJGL takes sun.misc.Unsafe from it before JDK 25), and LWJGL's native library, in a jar of its own.
 */
class LwjglMissingPartsTest {
    @Test
    void withoutJdkUnsupportedItSaysToAddThatModule() throws Exception {
        ChildJvm.Result r = ChildJvm.mlp4j(List.of("--limit-modules=java.se,jdk.incubator.vector"), "devices");
        assertEquals(0, r.code(), r.out());
        String opencl = opencl(r.out());
        if (Runtime.version().feature() < 25) {
            assertTrue(opencl.contains("unusable: not loaded: LWJGL reads memory through sun.misc.Unsafe") && opencl.contains(
                    "--add-modules jdk.unsupported"), r.out());
        } else {
            assertFalse(opencl.contains("jdk.unsupported"), "LWJGL reads memory otherwise from JDK 25 on: " + r.out());
        }
        assertFalse(r.out().contains("\tat "), "no stack trace: " + r.out());
    }

    @Test
    void withoutItsNativesJarItNamesThatJar() throws Exception {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(p -> !(p.contains("lwjgl") && p.contains("natives"))).collect(Collectors.joining(File.pathSeparator));
        ChildJvm.Result r = ChildJvm.run(ChildJvm.commandOn(classPath, List.of(), "org.mlp4j.cli.Main", "devices"));
        assertEquals(0, r.code(), r.out());
        String opencl = opencl(r.out());
        assertTrue(opencl.contains("unusable: LWJGL's own native library is not found") && opencl.contains("org.lwjgl:lwjgl:natives-linux"),
                r.out());
        assertFalse(opencl.contains("install an ICD loader"), "an OpenCL library may well be there: " + r.out());
    }

    /**
     * Where LWJGL finds no directory to copy its library out to (the temporary directory, the home directory and the
     * working directory, none writable here; a noexec /tmp on a cluster), it says so, naming the temporary directory.
     */
    @Test
    void whereItsLibraryCannotBeCopiedOutItNamesTheTemporaryDirectory(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path proc = java.nio.file.Path.of("/proc");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isDirectory(proc.resolve("self")), "Linux's /proc: a directory nothing is written in");
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("a-file"), "");
        ProcessBuilder devices = ChildJvm.command(List.of("-Djava.io.tmpdir=" + file.resolve("tmp"), "-Duser.home=" + file.resolve("home")),
                "org.mlp4j.cli.Main", "devices").directory(proc.toFile());
        ChildJvm.Result r = ChildJvm.run(devices);
        assertEquals(0, r.code(), r.out());
        String opencl = opencl(r.out());
        assertTrue(opencl.contains("unusable: LWJGL's own native library, in its jar, could not be copied out to load (") && opencl.contains(
                "): the temporary directory " + file.resolve("tmp") + " (java.io.tmpdir) does not exist and cannot be made; point java.io.tmpdir at"), r.out());
        assertFalse(r.out().contains("\tat "), "no stack trace: " + r.out());
    }

    private static String opencl(String devices) {
        return devices.substring(devices.indexOf("opencl\n"), devices.indexOf("cpu\n"));
    }
}
