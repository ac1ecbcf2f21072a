package org.mlp4j.data;

import org.mlp4j.backend.Backend;
import org.mlp4j.model.Network;
import org.mlp4j.util.Limits;

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
    public long digest() {
        return new DataDigest("uint8", count, features()).bytes(pixels, count * features()).bytes(labels, count).value();
    }

    @Override
    public Backend.Examples upload(Backend backend) {
        return backend.upload(pixels, labels, count, features());
    }

    /** The datasets one after the other, copied once; all are of the first's image size (Pictures.read checks it, naming the file). */
    public static Images concat(java.util.List<Images> parts) {
        Images first = parts.get(0);
        int f = first.features();
        long count = parts.stream().mapToLong(Images::count).sum();
        byte[] p = new byte[Limits.elements(count * f, count + " images of " + f + " pixels")];
        byte[] l = new byte[(int) count];
        int at = 0;
        for (Images part : parts) {
            System.arraycopy(part.pixels(), 0, p, at * f, part.count() * f);
            System.arraycopy(part.labels(), 0, l, at, part.count());
            at += part.count();
        }
        return new Images(p, l, (int) count, first.height(), first.width());
    }

    /** Examples [from, to) as a new dataset. */
    public Images slice(int from, int to) {
        int f = features();
        byte[] p = java.util.Arrays.copyOfRange(pixels, from * f, to * f);
        byte[] l = java.util.Arrays.copyOfRange(labels, from, to);
        return new Images(p, l, to - from, height, width);
    }
}
