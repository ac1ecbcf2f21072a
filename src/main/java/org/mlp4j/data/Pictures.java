package org.mlp4j.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
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
 * GIF, BMP), each picture one image in greyscale 0..255 (an opaque pixel's luminance), made light on dark as
 * MNIST's digits are.
 * A picture of another size than a model's square input is made into one as MNIST's digits were made.
 */
public final class Pictures {
    private Pictures() {
    }

    /**
     * Every image of every file, in order; all must have the same height and width. A picture that is mostly light
     * (a dark digit on white, as people draw one) is inverted into MNIST's light digits on dark, with a line to
     * {@code note}. A picture of another size than {@code inputs} pixels, where {@code inputs}
     * is a square's, is {@link #fitted} to that square, with a note.
     */
    public static Images read(List<Path> files, int inputs, Consumer<String> note) {
        int side = (int) Math.round(Math.sqrt(inputs));
        List<Images> all = new java.util.ArrayList<>();
        for (Path f : files) {
            boolean idx = isIdx(f);
            Images next = idx ? Idx.readImages(f) : picture(f);
            if (!idx) {  // an IDX file is a dataset, not a picture someone drew
                double mean = mean(next.pixels());
                if (mean > 127.5) {
                    note.accept(String.format(Locale.ROOT, "note: %s is mostly light (mean pixel %.0f of 255): read as a dark digit on a light"
                            + " background and inverted, as MNIST's digits are light on dark", f, mean));
                    next = inverted(next);
                }
                if (next.features() != inputs && side * side == inputs) {
                    note.accept("note: " + f + " is " + next.width() + "x" + next.height() + " pixels (width x height), the model's images " + side + "x" + side
                            + ": its lit pixels scaled to fit " + box(side) + "x" + box(side) + " and centred by their mass, as MNIST's digits were");
                    next = new Images(fitted(next.pixels(), next.height(), next.width(), side), next.labels(), 1, side, side);
                }
            }
            Images first = all.isEmpty() ? next : all.get(0);
            if (next.height() != first.height() || next.width() != first.width()) {
                throw new UserError(f + ": " + next.height() + "x" + next.width() + " images after " + first.height() + "x" + first.width() + " ones");
            }
            all.add(next);
        }
        if (all.isEmpty()) {
            throw new UserError("no image files given");
        }
        return Images.concat(all);
    }

    private static Images inverted(Images picture) {
        byte[] negative = picture.pixels().clone();
        for (int i = 0; i < negative.length; i++) {
            negative[i] = (byte) (255 - (negative[i] & 0xff));
        }
        return new Images(negative, picture.labels(), picture.count(), picture.height(), picture.width());
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
        if (Files.isDirectory(f)) {
            throw new UserError(f + ": a directory; give the pictures in it (" + f.resolve("*.png") + ", say), in the order to predict them");
        }
        try (InputStream in = Files.newInputStream(UserError.requireFile(f, "image file"))) {
            byte[] head = in.readNBytes(4);
            return head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b
                    || Idx.isHeader(head);
        } catch (IOException e) {
            throw new UserError(f + ": cannot read (" + UserError.why(e) + ")");
        }
    }

    /** The box that a digit's lit pixels are scaled to fit: MNIST's 20 pixels of its 28. */
    private static int box(int side) {
        return Math.max(1, Math.round(side * 20f / 28));
    }

    /**
     * The picture {@code h x w} made into a {@code side x side} image as MNIST's digits were made from NIST's: the
     * bounding box of its lit pixels scaled, keeping its shape, to fit a box of 20/28 of the side (each pixel the
     * average of the area it covers, which anti-aliases), then placed so that its centre of mass is at pixel
     * {@code side / 2} each way, where MNIST's digits have theirs (what falls outside is cut). A pixel is lit above
     * 1/64 of the brightest, so that the faint noise of a JPEG does not widen the box.
     */
    static byte[] fitted(byte[] pixels, int h, int w, int side) {
        int max = 0;
        for (byte p : pixels) {
            max = Math.max(max, p & 0xff);
        }
        if (max == 0) {
            return new byte[side * side];
        }
        int top = h, bottom = -1, left = w, right = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if ((pixels[y * w + x] & 0xff) * 64 > max) {
                    top = Math.min(top, y);
                    bottom = Math.max(bottom, y);
                    left = Math.min(left, x);
                    right = Math.max(right, x);
                }
            }
        }
        int bh = bottom - top + 1, bw = right - left + 1;
        double scale = (double) box(side) / Math.max(bh, bw);
        int th = Math.max(1, (int) Math.round(bh * scale)), tw = Math.max(1, (int) Math.round(bw * scale));
        // scaled along the rows, then along the columns
        double[][] rows = new double[bh][];
        for (int y = 0; y < bh; y++) {
            double[] line = new double[bw];
            for (int x = 0; x < bw; x++) {
                line[x] = pixels[(top + y) * w + left + x] & 0xff;
            }
            rows[y] = areaAverages(line, tw);
        }
        double[] scaled = new double[th * tw];
        double mass = 0, cy = 0, cx = 0;
        for (int x = 0; x < tw; x++) {
            double[] column = new double[bh];
            for (int y = 0; y < bh; y++) {
                column[y] = rows[y][x];
            }
            double[] c = areaAverages(column, th);
            for (int y = 0; y < th; y++) {
                scaled[y * tw + x] = c[y];
                mass += c[y];
                cy += y * c[y];
                cx += x * c[y];
            }
        }
        int dy = (int) Math.round(side / 2.0 - cy / mass), dx = (int) Math.round(side / 2.0 - cx / mass);
        byte[] image = new byte[side * side];
        for (int y = 0; y < th; y++) {
            for (int x = 0; x < tw; x++) {
                int iy = y + dy, ix = x + dx;
                if (iy >= 0 && iy < side && ix >= 0 && ix < side) {
                    image[iy * side + ix] = (byte) Math.min(255, Math.round(scaled[y * tw + x]));
                }
            }
        }
        return image;
    }

    /** {@code line} resampled to {@code count} values, each the average of the stretch of {@code line} it covers. */
    private static double[] areaAverages(double[] line, int count) {
        double step = (double) line.length / count;
        double[] out = new double[count];
        for (int o = 0; o < count; o++) {
            double from = o * step, to = Math.min(line.length, (o + 1) * step), sum = 0;
            for (int i = (int) from; i < to; i++) {
                sum += line[i] * (Math.min(i + 1, to) - Math.max(i, from));
            }
            out[o] = sum / step;
        }
        return out;
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
        ColorModel cm = image.getColorModel();
        // ImageIO gives a grey picture (a grey PNG or JPEG, as digits are often saved) a linear grey colour space, which
        // getRGB takes through a gamma curve (a stored 100 comes back as 168): its stored values are taken as they are,
        // as other tools read them
        boolean grey = cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && !(cm instanceof IndexColorModel);
        Raster raster = image.getRaster();
        double greyMax = grey ? (1L << cm.getComponentSize(0)) - 1 : 0;
        double alphaMax = grey && cm.hasAlpha() ? (1L << cm.getComponentSize(1)) - 1 : 0;
        double[] alpha = new double[h * w], luminance = new double[h * w];
        double opacity = 0, ink = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                if (grey) {
                    alpha[i] = cm.hasAlpha() ? raster.getSample(x, y, 1) / alphaMax : 1;
                    luminance[i] = raster.getSample(x, y, 0) * 255 / greyMax;
                } else {
                    int argb = image.getRGB(x, y);
                    alpha[i] = (argb >>> 24) / 255.0;
                    luminance[i] = 0.299 * (argb >> 16 & 0xff) + 0.587 * (argb >> 8 & 0xff) + 0.114 * (argb & 0xff);
                }
                opacity += alpha[i];
                ink += alpha[i] * luminance[i];
            }
        }
        // transparent pixels are the background: black behind light strokes, white behind dark ones (a digit drawn in black
        // on a web page's transparent canvas), which read() then inverts as any dark digit on white
        double background = opacity > 0 && ink / opacity < 127.5 ? 255 : 0;
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) Math.round(alpha[i] * luminance[i] + (1 - alpha[i]) * background);
        }
        return new Images(pixels, new byte[1], 1, h, w);
    }
}
