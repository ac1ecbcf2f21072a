package org.mlp4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlp4j.util.UserError;

public class IdxTest {
    @TempDir
    Path dir;

    /** An IDX file: magic 0x08 type, the dimensions, then the bytes. */
    public static byte[] idx(int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(0x0800 | dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.put(data).array();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    @Test
    void readsAnyImageSizeAndClassCountFromTheFiles() throws IOException {
        byte[] pixels = new byte[4 * 5 * 3];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 7);
        }
        Path img = dir.resolve("images.gz");
        Path lbl = dir.resolve("labels");
        Files.write(img, gzip(idx(new int[] {4, 5, 3}, pixels)));
        Files.write(lbl, idx(new int[] {4}, new byte[] {0, 12, 3, 1}));
        Images d = Idx.read(img, lbl);
        assertEquals(4, d.count());
        assertEquals(5, d.height());
        assertEquals(3, d.width());
        assertEquals(15, d.features());
        assertEquals(13, d.classCount());
        assertEquals((byte) (16 * 7), d.pixels()[16]);
    }

    static String error(Runnable r) {
        return assertThrows(UserError.class, r::run).getMessage();
    }

    @Test
    void badFilesGiveClearErrors() throws IOException {
        Path good = dir.resolve("labels");
        Files.write(good, idx(new int[] {2}, new byte[] {1, 2}));
        Path empty = Files.write(dir.resolve("empty"), new byte[0]);
        assertTrue(error(() -> Idx.read(empty, good)).contains("empty"));
        assertTrue(error(() -> Idx.read(dir.resolve("missing"), good)).contains("not found"));
        Path truncated = Files.write(dir.resolve("truncated"), java.util.Arrays.copyOf(idx(new int[] {2, 2, 2}, new byte[8]), 20));
        assertTrue(error(() -> Idx.read(truncated, good)).contains("truncated"));
        Path magic = Files.write(dir.resolve("magic"), idx(new int[] {2, 2, 2}, new byte[8]));
        assertTrue(error(() -> Idx.read(magic, magic)).contains("wrong magic number"));
        Path three = Files.write(dir.resolve("three"), idx(new int[] {3, 1, 1}, new byte[3]));
        assertTrue(error(() -> Idx.read(three, good)).contains("3 images but"));
        Path corrupt = dir.resolve("corrupt.gz");
        byte[] gz = gzip(idx(new int[] {2, 2, 2}, new byte[8]));
        gz[gz.length - 5] ^= 0x55;
        Files.write(corrupt, gz);
        assertTrue(error(() -> Idx.read(corrupt, good)).contains("corrupt gzip"));
        Path notGzip = Files.write(dir.resolve("plain.gz"), idx(new int[] {2, 2, 2}, new byte[8]));
        assertTrue(error(() -> Idx.read(notGzip, good)).contains("corrupt gzip"));
    }

    /** Headers that lie, files that never end, and things that are not files: refused from the header, before the body is read. */
    @Test
    void hostileFilesAreRefusedBeforeTheirBodyIsRead() throws Exception {
        Path good = Files.write(dir.resolve("labels"), idx(new int[] {2}, new byte[] {1, 2}));
        // 3 x 65536 x 65536 wraps to 0 in int arithmetic, 784-features headers like it wrapped to 784
        Path wraps = Files.write(dir.resolve("wraps"), idx(new int[] {3, 65536, 65536}, new byte[8]));
        assertTrue(error(() -> Idx.read(wraps, good)).contains("12884901888 elements, more than the 2147483639"));
        Path overflows = Files.write(dir.resolve("overflows"), idx(new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE}, new byte[8]));
        assertTrue(error(() -> Idx.read(overflows, good)).contains("overflows"));
        Path negative = Files.write(dir.resolve("negative"), idx(new int[] {2, -784, 1}, new byte[8]));
        assertTrue(error(() -> Idx.read(negative, good)).contains("dimension 1 is -784"));
        // a small gzip that inflates far past what its header promises
        Path bomb = dir.resolve("bomb.gz");
        byte[] body = java.util.Arrays.copyOf(idx(new int[] {2, 2, 2}, new byte[8]), 64 << 20);
        Files.write(bomb, gzip(body));
        assertTrue(Files.size(bomb) < 1 << 20);
        assertTrue(error(() -> Idx.read(bomb, good)).contains("more data than its header promises"));
        assertTrue(error(() -> Idx.read(Path.of("/dev/zero"), good)).contains("not a regular file"));
        Path fifo = dir.resolve("fifo");
        Assumptions.assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo failed");
        assertTrue(error(() -> Idx.read(fifo, good)).contains("not a regular file"));
    }

    @Test
    void otherFilesUnderMnistsNamesAreUsedWithANote() throws IOException {
        Files.write(dir.resolve(Mnist.TRAIN_LABELS), idx(new int[] {2}, new byte[] {1, 2}));
        Files.write(dir.resolve(Mnist.TRAIN_IMAGES), idx(new int[] {2, 1, 1}, new byte[] {1, 2}));
        java.util.List<String> notes = new java.util.ArrayList<>();
        assertEquals(2, Mnist.load(dir, false, notes::add).count());
        assertEquals(1, notes.size(), notes.toString());
        assertTrue(notes.get(0).contains(Mnist.TRAIN_IMAGES) && notes.get(0).contains("not MNIST's canonical files")
                && notes.get(0).contains("2 images of 1x1, 3 classes"), notes.get(0));
        assertEquals(2, Mnist.load(dir, false, null).count(), "--no-verify: no note");
    }

    @Test
    void aGzipIsHashedAsStoredAndAsDecompressed() throws Exception {
        byte[] raw = idx(new int[] {2, 1, 1}, new byte[] {1, 2});
        Path gz = dir.resolve(Mnist.TRAIN_IMAGES + ".gz");
        Files.write(gz, gzip(raw));
        Idx.Content c = Idx.read(gz, 3);
        assertEquals(sha256(raw), c.sha256());
        assertEquals(sha256(Files.readAllBytes(gz)), c.storedSha256());
        Path plain = dir.resolve(Mnist.TRAIN_IMAGES);
        Files.write(plain, raw);
        assertEquals(sha256(raw), Idx.read(plain, 3).storedSha256());
    }

    @Test
    void fashionMnistIsRecognisedByItsPublishedGzipFiles() {
        String published = Mnist.FASHION_GZ_SHA256.get(Mnist.TRAIN_IMAGES);
        Idx.Content c = new Idx.Content(new int[] {1}, new byte[0], "x", published);
        assertTrue(Mnist.isFashion(Path.of(Mnist.TRAIN_IMAGES + ".gz"), c, Mnist.TRAIN_IMAGES));
        assertFalse(Mnist.isFashion(Path.of(Mnist.TRAIN_IMAGES + ".gz"), c, Mnist.TRAIN_LABELS), "another file's checksum");
        assertFalse(Mnist.isFashion(Path.of(Mnist.TRAIN_IMAGES), c, Mnist.TRAIN_IMAGES), "a raw file is not the published .gz");
        assertEquals(4, Mnist.FASHION_GZ_SHA256.size());
        assertTrue(Mnist.FASHION_GZ_SHA256.keySet().containsAll(Mnist.SHA256.keySet()));
    }

    private static String sha256(byte[] b) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
    }
}
