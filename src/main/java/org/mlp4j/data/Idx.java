package org.mlp4j.data;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.mlp4j.UserError;

/**
 * Reads IDX files (the MNIST format: big-endian header, magic {@code 0 0 type ndims}, one int per
 * dimension, then the data), raw or gzipped. Only unsigned-byte data (type 0x08) is used by image
 * datasets; sizes come from the header, never from constants.
 */
public final class Idx {
    private static final int UBYTE = 0x08;

    private Idx() {
    }

    /** The decompressed bytes of a file, {@code .gz} or raw, with a clear error for each way it can be bad. */
    public static byte[] bytes(Path file) {
        try (InputStream raw = Files.newInputStream(file)) {
            InputStream in = raw;
            if (file.getFileName().toString().endsWith(".gz")) {
                in = new GZIPInputStream(raw, 1 << 16);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
            in.transferTo(out);
            byte[] data = out.toByteArray();
            if (data.length == 0) {
                throw new UserError(file + ": file is empty");
            }
            return data;
        } catch (NoSuchFileException e) {
            throw new UserError(file + ": file not found");
        } catch (ZipException | EOFException e) {
            throw new UserError(file + ": corrupt gzip stream (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new UserError(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /** Header of an unsigned-byte IDX file: its dimensions, after checking magic and length. */
    static int[] dims(Path file, byte[] data, int expectedDims) {
        if (data.length < 4) {
            throw new UserError(file + ": truncated IDX header (" + data.length + " bytes)");
        }
        ByteBuffer buf = ByteBuffer.wrap(data);
        int magic = buf.getInt();
        int type = (magic >> 8) & 0xff;
        int ndims = magic & 0xff;
        if ((magic >>> 16) != 0 || type != UBYTE || ndims != expectedDims) {
            throw new UserError(String.format("%s: wrong magic number 0x%08x (expected 0x%08x, unsigned-byte IDX with %d dimension%s)",
                    file, magic, (UBYTE << 8) | expectedDims, expectedDims, expectedDims == 1 ? "" : "s"));
        }
        if (data.length < 4 + 4 * ndims) {
            throw new UserError(file + ": truncated IDX header");
        }
        int[] dims = new int[ndims];
        long total = 1;
        for (int i = 0; i < ndims; i++) {
            dims[i] = buf.getInt();
            if (dims[i] <= 0) {
                throw new UserError(file + ": dimension " + i + " is " + dims[i]);
            }
            total *= dims[i];
        }
        long expected = 4L + 4L * ndims + total;
        if (data.length < expected) {
            throw new UserError(file + ": truncated: " + data.length + " bytes, header promises " + expected);
        }
        return dims;
    }

    /** Reads an image file (3 dimensions) and its label file (1 dimension) into one dataset. */
    public static Images read(Path imageFile, Path labelFile) {
        return read(imageFile, bytes(imageFile), labelFile, bytes(labelFile));
    }

    static Images read(Path imageFile, byte[] imageBytes, Path labelFile, byte[] labelBytes) {
        int[] d = dims(imageFile, imageBytes, 3);
        int[] l = dims(labelFile, labelBytes, 1);
        if (d[0] != l[0]) {
            throw new UserError(imageFile + " has " + d[0] + " images but " + labelFile + " has " + l[0] + " labels");
        }
        return new Images(pixels(imageFile, imageBytes, d), java.util.Arrays.copyOfRange(labelBytes, 8, 8 + l[0]), d[0], d[1], d[2]);
    }

    /** Reads images alone (for {@code predict}). */
    public static Images readImages(Path imageFile) {
        byte[] data = bytes(imageFile);
        int[] d = dims(imageFile, data, 3);
        return new Images(pixels(imageFile, data, d), new byte[d[0]], d[0], d[1], d[2]);
    }

    private static byte[] pixels(Path file, byte[] data, int[] d) {
        long n = (long) d[0] * d[1] * d[2];
        if (n > Integer.MAX_VALUE - 16) {
            throw new UserError(file + ": " + n + " pixels is more than one array can hold");
        }
        return java.util.Arrays.copyOfRange(data, 16, 16 + (int) n);
    }
}
