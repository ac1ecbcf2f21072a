package org.mlp4j.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.mlp4j.util.Limits;
import org.mlp4j.util.UserError;

/**
 * Reads IDX files (the MNIST format: big-endian header, magic {@code 0 0 type ndims}, one int per
 * dimension, then the data), raw or gzipped. Only unsigned-byte data (type 0x08) is used by image
 * datasets; sizes come from the header, never from constants. The header is read and checked first
 * (exact products, the array limit, the free heap), then exactly the bytes it promises, and one more to
 * find trailing data: a wrong header or a file that never ends (a device, a decompression bomb) fails
 * with a reason instead of filling memory.
 */
public final class Idx {
    private static final int UBYTE = 0x08;
    /** The data type codes of an IDX header's third byte: unsigned byte, byte, short, int, float, double. */
    private static final List<Integer> TYPES = List.of(UBYTE, 0x09, 0x0b, 0x0c, 0x0d, 0x0e);

    private Idx() {
    }

    /**
     * A file's dimensions and the data after its header, with the SHA-256 of all its decompressed bytes and
     * of the file as stored (the same for a raw file; a {@code .gz}'s own bytes, as datasets publish them).
     */
    public record Content(int[] dims, byte[] data, String sha256, String storedSha256) {
    }

    /** Whether {@code head}, a file's first bytes, starts an IDX file: two zero bytes, then a data type code. */
    public static boolean isHeader(byte[] head) {
        return head.length >= 4 && head[0] == 0 && head[1] == 0 && TYPES.contains((int) head[2]);
    }

    /** Reads an unsigned-byte IDX file of {@code expectedDims} dimensions, with a clear error for each way it can be bad. */
    public static Content read(Path file, int expectedDims) {
        UserError.requireFile(file, "file");
        try (InputStream raw = Files.newInputStream(file)) {
            Sha256Stream stored = new Sha256Stream(new BufferedInputStream(raw, 1 << 16));
            boolean gzip = file.getFileName().toString().endsWith(".gz");
            InputStream in = gzip ? new GZIPInputStream(stored, 1 << 16) : stored;
            Sha256Stream hashed = gzip ? new Sha256Stream(in) : stored;
            in = hashed;
            byte[] head = in.readNBytes(4);
            if (head.length == 0) {
                throw new UserError(file + ": file is empty");
            }
            if (head.length < 4) {
                throw new UserError(file + ": truncated IDX header (" + head.length + " bytes)");
            }
            int magic = ByteBuffer.wrap(head).getInt();
            int type = (magic >> 8) & 0xff;
            int ndims = magic & 0xff;
            if ((magic >>> 16) != 0 || type != UBYTE || ndims != expectedDims) {
                String has = (magic >>> 16) != 0 || type != UBYTE ? ""
                        : "; this one has " + ndims + (ndims == 1 ? " dimension, as labels do" : ndims == 3 ? " dimensions, as images do" : " dimensions");
                throw new UserError(String.format("%s: wrong magic number 0x%08x (expected 0x%08x, unsigned-byte IDX with %d dimension%s%s)",
                        file, magic, (UBYTE << 8) | expectedDims, expectedDims, expectedDims == 1 ? "" : "s", has));
            }
            byte[] dimBytes = in.readNBytes(4 * ndims);
            if (dimBytes.length < 4 * ndims) {
                throw new UserError(file + ": truncated IDX header");
            }
            ByteBuffer buf = ByteBuffer.wrap(dimBytes);
            int[] dims = new int[ndims];
            long total = 1;
            for (int i = 0; i < ndims; i++) {
                dims[i] = buf.getInt();
                if (dims[i] <= 0) {
                    throw new UserError(file + ": dimension " + i + " is " + dims[i]);
                }
                total = Limits.product(total, dims[i], file + ": IDX dimensions " + java.util.Arrays.toString(dims));
            }
            String what = file + ": IDX data of dimensions " + java.util.Arrays.toString(dims);
            int n = Limits.elements(total, what);
            Limits.heap(n, what);
            byte[] data = in.readNBytes(n);
            if (data.length < n) {
                throw new UserError(file + ": truncated: " + (4 + 4 * ndims + data.length) + " bytes, header promises " + (4L + 4L * ndims + n));
            }
            if (in.read() != -1) {
                throw new UserError(file + ": more data than its header promises (" + (4L + 4L * ndims + n) + " bytes)");
            }
            String sum = hashed.hex();
            if (!gzip) {
                return new Content(dims, data, sum, sum);
            }
            stored.transferTo(OutputStream.nullOutputStream());
            return new Content(dims, data, sum, stored.hex());
        } catch (ZipException | EOFException e) {
            throw new UserError(file + ": corrupt gzip stream (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new UserError(file + ": cannot read (" + UserError.why(e) + ")");
        }
    }

    /** Reads an image file (3 dimensions) and its label file (1 dimension) into one dataset. */
    public static Images read(Path imageFile, Path labelFile) {
        return images(imageFile, read(imageFile, 3), labelFile, read(labelFile, 1));
    }

    static Images images(Path imageFile, Content images, Path labelFile, Content labels) {
        int[] d = images.dims();
        if (d[0] != labels.dims()[0]) {
            throw new UserError(imageFile + " has " + d[0] + " images but " + labelFile + " has " + labels.dims()[0] + " labels");
        }
        return new Images(images.data(), labels.data(), d[0], d[1], d[2]);
    }

    /** Reads images alone (for {@code predict}). */
    public static Images readImages(Path imageFile) {
        Content c = read(imageFile, 3);
        int[] d = c.dims();
        return new Images(c.data(), new byte[d[0]], d[0], d[1], d[2]);
    }
}
