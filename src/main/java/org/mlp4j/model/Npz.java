package org.mlp4j.model;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * NumPy's {@code .npz} (a zip of {@code .npy} arrays, format 1.0), for little-endian float32 and int32
 * arrays: what {@code np.load} reads and {@code np.savez} writes.
 */
public final class Npz {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([<>|]?[a-z]\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    /** An array: {@code data} is float[] or int[]. */
    public record Array(int[] shape, Object data) {
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
    }

    private Npz() {
    }

    public static void write(OutputStream out, Map<String, Array> arrays) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        for (Map.Entry<String, Array> e : arrays.entrySet()) {
            zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
            zip.write(npy(e.getValue()));
            zip.closeEntry();
        }
        zip.finish();
    }

    static byte[] npy(Array a) {
        boolean floats = a.data() instanceof float[];
        int n = floats ? a.floats().length : a.ints().length;
        StringBuilder shape = new StringBuilder();
        for (int d : a.shape()) {
            shape.append(d).append(", ");
        }
        String dims = a.shape().length == 1 ? shape.toString().trim() : shape.substring(0, Math.max(0, shape.length() - 2));
        String header = "{'descr': '" + (floats ? "<f4" : "<i4") + "', 'fortran_order': False, 'shape': (" + dims + "), }";
        int total = MAGIC.length + 4 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        header = header + " ".repeat(pad) + "\n";
        ByteBuffer buf = ByteBuffer.allocate(MAGIC.length + 4 + header.length() + 4 * n).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        buf.put(header.getBytes(StandardCharsets.US_ASCII));
        if (floats) {
            buf.asFloatBuffer().put(a.floats());
        } else {
            buf.asIntBuffer().put(a.ints());
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
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            zip.transferTo(bytes);
            arrays.put(name.substring(0, name.length() - 4), parse(name, bytes.toByteArray()));
        }
        if (arrays.isEmpty()) {
            throw new IOException("not an .npz archive (no arrays)");
        }
        return arrays;
    }

    static Array parse(String name, byte[] b) throws IOException {
        if (b.length < 10 || !java.util.Arrays.equals(java.util.Arrays.copyOf(b, 6), MAGIC)) {
            throw new IOException(name + ": not a .npy array");
        }
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int major = b[6];
        int headerLen;
        int start;
        if (major == 1) {
            headerLen = Short.toUnsignedInt(buf.getShort(8));
            start = 10;
        } else {
            headerLen = buf.getInt(8);
            start = 12;
        }
        if (start + headerLen > b.length) {
            throw new IOException(name + ": truncated header");
        }
        String header = new String(b, start, headerLen, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new IOException(name + ": unreadable header " + header.trim());
        }
        if (f.group(1).equals("True")) {
            throw new IOException(name + ": Fortran-ordered arrays are not supported");
        }
        String[] parts = s.group(1).split(",");
        int count = 0;
        int[] shape = new int[parts.length];
        long n = 1;
        for (String p : parts) {
            if (!p.isBlank()) {
                shape[count] = Integer.parseInt(p.trim());
                n *= shape[count++];
            }
        }
        shape = java.util.Arrays.copyOf(shape, count);
        int offset = start + headerLen;
        if (offset + 4 * n != b.length) {
            throw new IOException(name + ": " + (b.length - offset) + " data bytes for shape " + s.group(1));
        }
        ByteBuffer data = ByteBuffer.wrap(b, offset, (int) (4 * n)).slice().order(ByteOrder.LITTLE_ENDIAN);
        switch (d.group(1)) {
            case "<f4" -> {
                float[] v = new float[(int) n];
                data.asFloatBuffer().get(v);
                return new Array(shape, v);
            }
            case "<i4" -> {
                int[] v = new int[(int) n];
                data.asIntBuffer().get(v);
                return new Array(shape, v);
            }
            default -> throw new IOException(name + ": dtype " + d.group(1) + " is not float32 or int32");
        }
    }
}
