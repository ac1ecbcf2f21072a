package org.mlp4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The temporary directory's fitness for native libraries, from the directory and the mount table as Linux writes it. */
class NativeTempTest {
    private static final String REMEDY = "; point java.io.tmpdir at a directory where programs may be written and run"
            + " (./mlp4j: MLP4J_JAVA_OPTS=-Djava.io.tmpdir=DIR; java: -Djava.io.tmpdir=DIR)";

    @TempDir
    Path dir;

    private static String mount(String point, String options) {
        return "45 26 0:39 / " + point + " " + options + " - tmpfs tmpfs rw,size=65536k";
    }

    @Test
    void theMountHoldingTheDirectorySaysWhetherItIsNoexec() {
        List<String> table = List.of(mount("/", "rw,relatime"), mount("/tmp", "rw,nosuid,noexec"), mount("/tmp/a\\040b", "rw"),
                "48 26 0:41 / /tmp/short rw");
        assertTrue(NativeTemp.noexec(Path.of("/tmp/x/y"), table));
        assertTrue(NativeTemp.noexec(Path.of("/tmp"), table));
        assertFalse(NativeTemp.noexec(Path.of("/tmp/a b/c"), table), "the deeper mount, its space unescaped");
        assertFalse(NativeTemp.noexec(Path.of("/tmpx"), table), "a mount point is a whole name");
        assertFalse(NativeTemp.noexec(Path.of("/home/u"), table));
        assertFalse(NativeTemp.noexec(Path.of("/tmp/x"), List.of(mount("/tmp", "rw,noexec"), mount("/tmp", "rw"))), "the later mount over it");
        assertFalse(NativeTemp.noexec(Path.of("/tmp/x"), List.of()));
    }

    @Test
    void aDirectoryThatCannotHoldALibraryIsNamedWithTheWayRoundIt() throws Exception {
        assertNull(NativeTemp.problem(dir, List.of(mount("/", "rw"))));
        assertNull(NativeTemp.problem(dir.resolve("made/when/needed"), List.of()));
        assertEquals("the temporary directory " + dir + " (java.io.tmpdir) is on a file system mounted noexec, from which no library loads" + REMEDY,
                NativeTemp.problem(dir, List.of(mount("/", "rw"), mount(dir.toRealPath().toString(), "rw,noexec"))));
        Path file = Files.writeString(dir.resolve("file"), "");
        assertEquals("the temporary directory " + file + " (java.io.tmpdir) is not a directory" + REMEDY, NativeTemp.problem(file, List.of()));
        Path under = file.resolve("tmp");
        assertEquals("the temporary directory " + under + " (java.io.tmpdir) does not exist and cannot be made" + REMEDY,
                NativeTemp.problem(under, List.of()));
    }
}
