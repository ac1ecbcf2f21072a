package org.mlp4j.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import javax.imageio.ImageIO;
import org.mlp4j.util.UserError;

/**
 * Images for prediction from files: IDX image files (raw or gzip) and pictures ImageIO reads (PNG, JPEG,
 * GIF, BMP), each picture one image in greyscale 0..255. MNIST digits are light on dark: a transparent
 * pixel counts as black, an opaque one as its luminance, so a dark digit on white must be inverted first.
 */
public final class Pictures {
    private Pictures() {
    }

    /**
     * Every image of every file, in order; all must have the same height and width. {@code note} gets a line for
     * each picture that is mostly light: a dark digit on white, which a model of MNIST's light digits on dark
     * cannot read until it is inverted.
     */
    public static Images read(List<Path> files, Consumer<String> note) {
        Images all = null;
        for (Path f : files) {
            boolean idx = isIdx(f);
            Images next = idx ? Idx.readImages(f) : picture(f);
            if (!idx) {  // an IDX file is a dataset, not a picture someone drew
                double mean = mean(next.pixels());
                if (mean > 127.5) {
                    note.accept(String.format(Locale.ROOT, "note: %s is mostly light (mean pixel %.0f of 255): MNIST's digits are light on a"
                            + " dark background, so invert a dark digit on white first", f, mean));
                }
            }
            if (all != null && (next.height() != all.height() || next.width() != all.width())) {
                throw new UserError(f + ": " + next.height() + "x" + next.width() + " images after " + all.height() + "x" + all.width() + " ones");
            }
            all = all == null ? next : all.concat(next);
        }
        if (all == null) {
            throw new UserError("no image files given");
        }
        return all;
    }

    private static double mean(byte[] pixels) {
        long sum = 0;
        for (byte p : pixels) {
            sum += p & 0xff;
        }
        return (double) sum / Math.max(1, pixels.length);
    }

    /**
     * An IDX file by its header ({@link Idx#isHeader}; {@link Idx} checks it holds images, so a labels file is
     * named as one), or a gzip file by its 0x1f8b (an IDX file compressed).
     */
    private static boolean isIdx(Path f) {
        try (InputStream in = Files.newInputStream(UserError.requireFile(f, "image file"))) {
            byte[] head = in.readNBytes(4);
            return head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b
                    || Idx.isHeader(head);
        } catch (IOException e) {
            throw new UserError(f + ": cannot read (" + UserError.why(e) + ")");
        }
    }

    private static Images picture(Path f) {
        BufferedImage image;
        try {
            image = ImageIO.read(f.toFile());
        } catch (IOException e) {
            throw new UserError(f + ": unreadable picture (" + UserError.why(e) + ")");
        }
        if (image == null) {
            throw new UserError(f + ": neither an IDX image file nor a picture (PNG, JPEG, GIF, BMP)");
        }
        int h = image.getHeight(), w = image.getWidth();
        byte[] pixels = new byte[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int argb = image.getRGB(x, y);
                double alpha = (argb >>> 24) / 255.0;
                double luminance = 0.299 * (argb >> 16 & 0xff) + 0.587 * (argb >> 8 & 0xff) + 0.114 * (argb & 0xff);
                pixels[y * w + x] = (byte) Math.round(alpha * luminance);
            }
        }
        return new Images(pixels, new byte[1], 1, h, w);
    }
}
