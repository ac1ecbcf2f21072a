package org.mlp4j.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A write that cannot be made says where and why in one line: NIO's messages alone are often just a path. */
class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void aWriteThatCannotBeMadeSaysWhy() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        Path under = file.resolve("model.npz");
        UserError e = assertThrows(UserError.class, () -> AtomicFiles.write(under, out -> out.write(1)));
        assertEquals(under + ": cannot write (" + file + ": Not a directory)", e.getMessage());
        e = assertThrows(UserError.class, () -> AtomicFiles.write(dir, out -> out.write(1)));
        assertEquals(dir + ": cannot write (a directory is there; name a file in it)", e.getMessage());
    }

    @Test
    void theReasonsThatNioLeavesOutAreNamed() {
        assertEquals("/x/y: Permission denied", UserError.why(new AccessDeniedException("/x/y")));
        assertEquals("/x/y: No such file or directory", UserError.why(new NoSuchFileException("/x/y")));
        assertEquals("disk full", UserError.why(new IOException("disk full")));
    }
}
