package org.mlp4j.model;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.mlp4j.util.Limits;

/**
 * NumPy's {@code .npz} (a zip of {@code .npy} arrays, format 1.0) for little-endian float32, int32, int64
 * and float64 arrays: what {@code np.load} reads and {@code np.savez} writes (read in C or Fortran order, kept in C
 * order). Written bytes depend only on the arrays (every entry carries the same timestamp). Reading trusts nothing:
 * each array's header is read first, and no more data than its shape promises is inflated, so a corrupt or hostile
 * file fails with a reason instead of filling memory.
 */
public final class Npz {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([<>|=]?[a-zU]\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");
    /** The timestamp of every entry: a fixed one, so the same arrays give the same bytes. */
    private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(2000, 1, 1, 0, 0);
    /** More entries than a model or checkpoint has by far: a bound on what a hostile file makes us do. */
    private static final int MAX_ENTRIES = 10_000;
    private static final int MAX_HEADER = 1 << 16;

    /** An array: {@code data} is float[], int[], long[], double[] or String[] (NumPy's fixed-width unicode). */
    public record Array(int[] shape, Object data) {
        /** NumPy's name of the data's type, for messages. */
        public String dtype() {
            return data instanceof float[] ? "float32" : data instanceof int[] ? "int32" : data instanceof long[] ? "int64"
                    : data instanceof double[] ? "float64" : "unicode";
        }

        public float[] floats() {
            if (data instanceof float[] f) {
                return f;
            }
            throw new IllegalArgumentException("not a float32 array");
        }

        public int[] ints() {
            if (data instanceof int[] i) {
                return i;
            }
            throw new IllegalArgumentException("not an int32 array");
        }

        public long[] longs() {
            if (data instanceof long[] l) {
                return l;
            }
            throw new IllegalArgumentException("not an int64 array");
        }

        public double[] doubles() {
            if (data instanceof double[] d) {
                return d;
            }
            throw new IllegalArgumentException("not a float64 array");
        }

        public String[] strings() {
            if (data instanceof String[] t) {
                return t;
            }
            throw new IllegalArgumentException("not a unicode array");
        }
    }

    private Npz() {
    }

    public static void write(OutputStream out, Map<String, Array> arrays) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        for (Map.Entry<String, Array> e : arrays.entrySet()) {
            // stored, as np.savez stores them: deflate costs much on a large network's floats (a run saves them every
            // --checkpoint-every epochs) and saves little; bench/RESULTS.md has the times
            byte[] npy = npy(e.getValue());
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(npy);
            ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
            entry.setTimeLocal(ENTRY_TIME);
            entry.setMethod(ZipEntry.STORED);
            entry.setSize(npy.length);
            entry.setCompressedSize(npy.length);
            entry.setCrc(crc.getValue());
            zip.putNextEntry(entry);
            zip.write(npy);
            zip.closeEntry();
        }
        zip.finish();
    }

    private static String descr(Object data) {
        if (data instanceof float[]) {
            return "<f4";
        } else if (data instanceof int[]) {
            return "<i4";
        } else if (data instanceof long[]) {
            return "<i8";
        } else if (data instanceof double[]) {
            return "<f8";
        } else if (data instanceof String[] t) {
            // UTF-32 code units a string, the longest's count (at least 1, as NumPy's)
            return "<U" + Math.max(1, java.util.Arrays.stream(t).mapToInt(x -> x.codePointCount(0, x.length())).max().orElse(1));
        }
        throw new IllegalArgumentException("no .npy type for " + data.getClass().getSimpleName());
    }

    static byte[] npy(Array a) {
        String descr = descr(a.data());
        int n = java.lang.reflect.Array.getLength(a.data());
        int item = descr.startsWith("<U") ? 4 * Integer.parseInt(descr.substring(2)) : descr.charAt(2) - '0';
        StringBuilder shape = new StringBuilder();
        for (int d : a.shape()) {
            shape.append(d).append(", ");
        }
        String dims = a.shape().length == 1 ? shape.toString().trim() : shape.substring(0, Math.max(0, shape.length() - 2));
        String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
        int total = MAGIC.length + 4 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        header = header + " ".repeat(pad) + "\n";
        ByteBuffer buf = ByteBuffer.allocate(Math.addExact(MAGIC.length + 4 + header.length(), Math.multiplyExact(item, n)))
                .order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        buf.put(header.getBytes(StandardCharsets.US_ASCII));
        if (a.data() instanceof float[] f) {
            buf.asFloatBuffer().put(f);
        } else if (a.data() instanceof int[] i) {
            buf.asIntBuffer().put(i);
        } else if (a.data() instanceof long[] l) {
            buf.asLongBuffer().put(l);
        } else if (a.data() instanceof String[] t) {
            for (String x : t) {
                int at = buf.position();
                x.codePoints().forEach(buf::putInt);
                buf.position(at + item);
            }
        } else {
            buf.asDoubleBuffer().put((double[]) a.data());
        }
        return buf.array();
    }

    /** Reads every array; throws IOException naming what is wrong. */
    public static Map<String, Array> read(InputStream in) throws IOException {
        Map<String, Array> arrays = new LinkedHashMap<>();
        ZipInputStream zip = new ZipInputStream(in);
        ZipEntry e;
        while ((e = zip.getNextEntry()) != null) {
            String name = e.getName();
            if (!name.endsWith(".npy")) {
                throw new IOException("entry " + name + " is not a .npy array");
            }
            if (arrays.size() == MAX_ENTRIES) {
                throw new IOException("more than " + MAX_ENTRIES + " arrays");
            }
            Array a = parse(name, zip);
            if (zip.read() != -1) {
                throw new IOException(name + ": more data than its shape " + java.util.Arrays.toString(a.shape()) + " holds");
            }
            arrays.put(name.substring(0, name.length() - 4), a);
        }
        if (arrays.isEmpty()) {
            throw new IOException("not an .npz archive (no arrays)");
        }
        return arrays;
    }

    /** One .npy array from {@code in}: its header, then exactly the data its shape and type promise. */
    static Array parse(String name, InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] start = new byte[8];
        try {
            data.readFully(start);
        } catch (EOFException e) {
            throw new IOException(name + ": not a .npy array");
        }
        if (!java.util.Arrays.equals(java.util.Arrays.copyOf(start, 6), MAGIC)) {
            throw new IOException(name + ": not a .npy array");
        }
        int major = start[6];
        long headerLen = major == 1 ? Short.toUnsignedInt(Short.reverseBytes(data.readShort()))
                : Integer.toUnsignedLong(Integer.reverseBytes(data.readInt()));
        if (headerLen > MAX_HEADER) {
            throw new IOException(name + ": header of " + headerLen + " bytes");
        }
        byte[] h = new byte[(int) headerLen];
        try {
            data.readFully(h);
        } catch (EOFException e) {
            throw new IOException(name + ": truncated header");
        }
        String header = new String(h, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new IOException(name + ": unreadable header " + header.trim());
        }
        String[] parts = s.group(1).split(",");
        int count = 0;
        int[] shape = new int[parts.length];
        long n = 1;
        for (String p : parts) {
            if (!p.isBlank()) {
                long dim;
                try {
                    dim = Long.parseLong(p.trim());
                } catch (NumberFormatException x) {
                    throw new IOException(name + ": shape (" + s.group(1) + ") is not a list of sizes");
                }
                if (dim < 0 || dim > Integer.MAX_VALUE) {
                    throw new IOException(name + ": shape (" + s.group(1) + ") has a dimension of " + dim);
                }
                shape[count++] = (int) dim;
                n = Limits.product(n, dim, name + ": shape (" + s.group(1) + ")");
            }
        }
        shape = java.util.Arrays.copyOf(shape, count);
        String type = d.group(1).replace('=', '<');
        long width = type.startsWith("<U") ? Long.parseLong(type.substring(2)) : 0;
        if (width > MAX_HEADER) {
            throw new IOException(name + ": dtype " + d.group(1) + " of strings longer than " + MAX_HEADER);
        }
        int item = switch (type.startsWith("<U") ? "<U" : type) {
            case "<f4", "<i4" -> 4;
            case "<i8", "<f8" -> 8;
            case "<U" -> 4 * (int) width;
            default -> throw new IOException(name + ": dtype " + d.group(1) + " is not little-endian float32, int32, int64, float64 or unicode");
        };
        int length = Limits.elements(n, name + ": shape (" + s.group(1) + ")");
        Limits.heap((long) item * length, "array " + name);
        if (item == 0) {
            throw new IOException(name + ": dtype " + d.group(1) + " of empty strings");
        }
        Object values = switch (type.startsWith("<U") ? "<U" : type) {
            case "<f4" -> new float[length];
            case "<i4" -> new int[length];
            case "<i8" -> new long[length];
            case "<U" -> new String[length];
            default -> new double[length];
        };
        ByteBuffer buf = ByteBuffer.allocate(Math.max(1 << 16, item)).order(ByteOrder.LITTLE_ENDIAN);
        for (int done = 0; done < length; ) {
            int take = Math.min(length - done, buf.capacity() / item);
            buf.clear().limit(take * item);
            int got = data.readNBytes(buf.array(), 0, take * item);
            if (got < take * item) {
                throw new IOException(name + ": truncated: its shape (" + s.group(1) + ") needs " + (long) item * length + " bytes");
            }
            if (values instanceof float[] v) {
                buf.asFloatBuffer().get(v, done, take);
            } else if (values instanceof int[] v) {
                buf.asIntBuffer().get(v, done, take);
            } else if (values instanceof long[] v) {
                buf.asLongBuffer().get(v, done, take);
            } else if (values instanceof String[] v) {
                for (int i = 0; i < take; i++) {
                    StringBuilder t = new StringBuilder();
                    for (int c = 0; c < item / 4; c++) {
                        int point = buf.getInt((i * item) + 4 * c);
                        if (point == 0) {
                            break;  // NumPy pads a shorter string with zeros
                        }
                        if (!Character.isValidCodePoint(point)) {
                            throw new IOException(name + ": " + Integer.toHexString(point) + " is no unicode character");
                        }
                        t.appendCodePoint(point);
                    }
                    v[done + i] = t.toString();
                }
            } else {
                buf.asDoubleBuffer().get((double[]) values, done, take);
            }
            done += take;
        }
        if (f.group(1).equals("True") && shape.length > 1) {
            Limits.heap((long) item * length, "array " + name + " in C order");
            values = cOrder(values, shape);
        }
        return new Array(shape, values);
    }

    /**
     * The values of an array stored in Fortran order (the first index fastest), as NumPy saves a transposed array,
     * {@code w.T}, rearranged into C order (the last index fastest), the only order the rest reads.
     */
    static Object cOrder(Object fortran, int[] shape) {
        int n = java.lang.reflect.Array.getLength(fortran);
        Object c = java.lang.reflect.Array.newInstance(fortran.getClass().getComponentType(), n);
        long[] strides = new long[shape.length];  // C order's
        strides[shape.length - 1] = 1;
        for (int k = shape.length - 2; k >= 0; k--) {
            strides[k] = strides[k + 1] * shape[k + 1];
        }
        int[] index = new int[shape.length];
        long at = 0;
        for (int j = 0; j < n; j++) {
            System.arraycopy(fortran, j, c, (int) at, 1);
            for (int k = 0; k < shape.length; k++) {  // the next index in Fortran order, carrying as a counter does
                at += strides[k];
                if (++index[k] < shape[k]) {
                    break;
                }
                at -= shape[k] * strides[k];
                index[k] = 0;
            }
        }
        return c;
    }
}
