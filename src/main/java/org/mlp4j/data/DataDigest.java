package org.mlp4j.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;

/**
 * {@link Dataset#digest}: the SHA-256 of a dataset's kind, count and width, then its values and its labels, each
 * little-endian (a float as its IEEE bits), cut to its first 8 bytes. A checkpoint records it so that a run goes on
 * only on the examples it began with, which the count and width alone do not tell (Fashion-MNIST's are MNIST's: 60,000
 * of 784).
 */
final class DataDigest {
    private final MessageDigest sha = Sha256Stream.sha256();
    private final ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

    DataDigest(String kind, int count, int features) {
        sha.update(kind.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        sha.update(ByteBuffer.allocate(2 * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN).putInt(count).putInt(features).array());
    }

    DataDigest bytes(byte[] v, int n) {
        sha.update(v, 0, n);
        return this;
    }

    DataDigest floats(float[] v) {
        return words(v.length, (from, n) -> chunk.asFloatBuffer().put(v, from, n));
    }

    DataDigest ints(int[] v) {
        return words(v.length, (from, n) -> chunk.asIntBuffer().put(v, from, n));
    }

    /**
     * Hashes {@code length} 4-byte values, {@code put} writing {@code n} of them from {@code from} into the chunk at a time
     * (through a view of it from its start: its position stays 0).
     */
    private DataDigest words(int length, java.util.function.BiConsumer<Integer, Integer> put) {
        int per = chunk.capacity() / Integer.BYTES;
        for (int i = 0; i < length; i += per) {
            int n = Math.min(per, length - i);
            put.accept(i, n);
            sha.update(chunk.array(), 0, n * Integer.BYTES);
        }
        return this;
    }

    /** Never 0, which a checkpoint written before digests were reads as (none recorded). */
    long value() {
        long d = ByteBuffer.wrap(sha.digest()).getLong();
        return d != 0 ? d : 1;
    }
}
