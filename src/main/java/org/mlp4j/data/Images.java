package org.mlp4j.data;

import org.mlp4j.backend.Backend;
import org.mlp4j.model.Network;

/** Labelled uint8 images, row-major, one example per {@code height * width} bytes. */
public record Images(byte[] pixels, byte[] labels, int count, int height, int width) implements Dataset {
    @Override
    public int features() {
        return height * width;
    }

    @Override
    public Network.Input input() {
        return Network.Input.PIXELS;
    }

    @Override
    public int label(int i) {
        return labels[i] & 0xff;
    }

    @Override
    public Backend.Examples upload(Backend backend) {
        return backend.upload(pixels, labels, count, features());
    }

    /** This dataset followed by {@code more}, of the same image size. */
    public Images concat(Images more) {
        if (more.features() != features()) {
            throw new IllegalArgumentException(more.features() + " pixels an image after " + features());
        }
        int f = features();
        byte[] p = java.util.Arrays.copyOf(pixels, (count + more.count) * f);
        System.arraycopy(more.pixels, 0, p, count * f, more.count * f);
        byte[] l = java.util.Arrays.copyOf(labels, count + more.count);
        System.arraycopy(more.labels, 0, l, count, more.count);
        return new Images(p, l, count + more.count, height, width);
    }

    /** Examples [from, to) as a new dataset. */
    public Images slice(int from, int to) {
        int f = features();
        byte[] p = java.util.Arrays.copyOfRange(pixels, from * f, to * f);
        byte[] l = java.util.Arrays.copyOfRange(labels, from, to);
        return new Images(p, l, to - from, height, width);
    }
}
