package org.mlp4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;

/** data/Tar.java against archives that an independent writer (commons-compress) makes. */
class TarTest {
    static byte[] tar(int longFileMode, Object... namesAndBodies) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(longFileMode);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (int i = 0; i < namesAndBodies.length; i += 2) {
                String name = (String) namesAndBodies[i];
                byte[] body = (byte[]) namesAndBodies[i + 1];
                TarArchiveEntry e = new TarArchiveEntry(name);
                e.setSize(body.length);
                tar.putArchiveEntry(e);
                tar.write(body);
                tar.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    @Test
    void readsNamesSizesAndDataWithLongPathsEitherWay() throws IOException {
        byte[] big = new byte[70_001];
        new Random(1).nextBytes(big);
        String longName = "package/" + "deep/".repeat(30) + "file.bin";
        for (int mode : new int[] {TarArchiveOutputStream.LONGFILE_POSIX, TarArchiveOutputStream.LONGFILE_GNU}) {
            byte[] archive = tar(mode, "package/package.json", "{}".getBytes(), longName, big, "package/data/empty", new byte[0]);
            Tar t = new Tar(new ByteArrayInputStream(archive));
            Tar.Entry a = t.next();
            assertEquals(new Tar.Entry("package/package.json", true, 2), a);
            // b's data read, a's left unread: both ways the next entry must line up
            Tar.Entry b = t.next();
            assertEquals(new Tar.Entry(longName, true, big.length), b, "mode " + mode);
            assertArrayEquals(big, t.data().readAllBytes());
            assertEquals(new Tar.Entry("package/data/empty", true, 0), t.next());
            assertNull(t.next());
        }
    }

    @Test
    void aDamagedHeaderIsAnError() throws IOException {
        byte[] archive = tar(TarArchiveOutputStream.LONGFILE_POSIX, "package/a", new byte[10]);
        archive[20] ^= 1;
        IOException e = assertThrows(IOException.class, () -> new Tar(new ByteArrayInputStream(archive)).next());
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
        byte[] whole = tar(TarArchiveOutputStream.LONGFILE_POSIX, "package/a", new byte[1000]);
        // without the two closing blocks and the last 500 bytes of the entry's (padded) data
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 1024 - 500);
        Tar t = new Tar(new ByteArrayInputStream(cut));
        t.next();
        assertThrows(IOException.class, () -> t.data().readAllBytes());
    }
}
