package org.mlp4j.data;

/** Labelled uint8 images, row-major, one example per {@code height * width} bytes. */
public record Images(byte[] pixels, byte[] labels, int count, int height, int width) {
    public int features() {
        return height * width;
    }

    /** One more than the largest label. */
    public int classCount() {
        int max = 0;
        for (int i = 0; i < count; i++) {
            max = Math.max(max, labels[i] & 0xff);
        }
        return max + 1;
    }

    /** Examples [from, to) as a new dataset. */
    public Images slice(int from, int to) {
        int f = features();
        byte[] p = java.util.Arrays.copyOfRange(pixels, from * f, to * f);
        byte[] l = java.util.Arrays.copyOfRange(labels, from, to);
        return new Images(p, l, to - from, height, width);
    }
}
