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
 * Images for prediction: IDX image files (raw or gzip), and pictures (files ImageIO reads: PNG, JPEG, GIF, BMP;
 * or in memory), each picture one image in greyscale 0..255 (an opaque pixel's luminance) made like MNIST's digits:
 * light on dark, and where it is of another size than a model's square input, made into one as they were made (a
 * picture of a number into one a digit).
 */
public final class Pictures {
    private Pictures() {
    }

    /**
     * Every image of every file, in order, each picture {@link #prepared} for a model of {@code inputs} pixels, one of
     * several digits side by side as that many images ({@link #digits}); all must have the same height and width.
     */
    public static Images read(List<Path> files, int inputs, Consumer<String> note) {
        List<Images> all = new java.util.ArrayList<>();
        for (Path f : files) {
            // an IDX file is a dataset, not a picture someone drew
            Images next = isIdx(f) ? Idx.readImages(f) : digits(picture(f), inputs, f.toString(), note);
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

    /**
     * A picture made like MNIST's digits for a model of {@code inputs} pixels. Dark strokes on a lighter background
     * (the median of its edges' pixels above its mean: a dark digit on white, as people draw one) are inverted into
     * MNIST's light digits on dark, with a line to {@code note}. A picture of another size than {@code inputs} pixels, where
     * {@code inputs} is a square's, is {@link #cleared} where its background is not black (a photo), has strokes
     * thinner than MNIST's widened ({@link #widening}) and is {@link #fitted} to that square, with a note for each;
     * {@code name} names it in the notes.
     */
    public static Images prepared(Images picture, int inputs, String name, Consumer<String> note) {
        return made(picture, inputs, name, note, false);
    }

    /**
     * As {@link #prepared}, but a picture of another size than the model's with several digits side by side (a number
     * written on paper) gives each digit, left to right, with a note: the columns between the gaps that part them
     * ({@link #sideBySide}), each then made as a picture of one digit.
     */
    public static Images digits(Images picture, int inputs, String name, Consumer<String> note) {
        return made(picture, inputs, name, note, true);
    }

    private static Images made(Images picture, int inputs, String name, Consumer<String> note, boolean split) {
        int side = (int) Math.round(Math.sqrt(inputs));
        Images next = picture;
        double mean = mean(next.pixels());
        int edge = edgeMedian(next.pixels(), next.height(), next.width());
        if (edge > mean) {
            note.accept(String.format(Locale.ROOT, "note: %s has dark strokes on a lighter background (its edges' median pixel %d of 255, its"
                    + " mean %.0f): inverted, as MNIST's digits are light on dark", name, edge, mean));
            next = inverted(next);
        }
        if (next.features() != inputs && side * side == inputs) {  // not made as the model's images already
            if (!hasBlackBackground(next.pixels())) {
                note.accept("note: " + name + " has no black background (a photo, say): its background, taken as what is left"
                        + " without strokes, made black and its strokes stretched up to 255, as MNIST's are");
                next = new Images(cleared(next.pixels(), next.height(), next.width()), next.labels(), 1, next.height(), next.width());
            }
            List<Images> digits = split ? sideBySide(next) : List.of(next);
            if (digits.size() == 1) {
                return fitted(next, side, name, note);
            }
            note.accept("note: " + name + " holds " + digits.size() + " digits side by side: each is read as an image of its own, left to right");
            List<Images> each = new java.util.ArrayList<>();
            for (int d = 0; d < digits.size(); d++) {
                each.add(fitted(digits.get(d), side, name + "'s digit " + (d + 1), note));
            }
            return Images.concat(each);
        }
        return next;
    }

    /** A picture of one digit, light on black, with its strokes {@link #widening widened} where thin, {@link #fitted} to side x side. */
    private static Images fitted(Images digit, int side, String name, Consumer<String> note) {
        Images next = digit;
        int widen = widening(next.pixels(), next.height(), next.width());
        if (widen > 1) {
            note.accept("note: " + name + "'s strokes are thin for its size (a pen of a few pixels on a large picture): widened by "
                    + (widen - 1) + " pixels to a tenth of the digit's height or width, as MNIST's are, so that they keep their ink when scaled down");
            next = new Images(extremes(next.pixels(), next.height(), next.width(), widen, true), next.labels(), 1, next.height(), next.width());
        }
        note.accept("note: " + name + " is " + next.width() + "x" + next.height() + " pixels (width x height), the model's images " + side + "x" + side
                + ": its lit pixels scaled to fit " + box(side) + "x" + box(side) + " and centred by their mass, as MNIST's digits were");
        return new Images(fitted(next.pixels(), next.height(), next.width(), side), next.labels(), 1, side, side);
    }

    /**
     * The size of the square whose largest value widens a picture's strokes to MNIST's, or 1 where they are that wide
     * already. A stroke's width is taken as 2 x area / perimeter of the pixels at least half the brightest (a long
     * stroke's area is its width times its length, its perimeter twice its length). Counted so, MNIST's training digits
     * have strokes about a tenth of their box (the larger side of those pixels' bounding box) wide, and few under 0.08
     * (bench/RESULTS.md): strokes under 0.08 of the box are widened to 0.1 of it.
     */
    static int widening(byte[] pixels, int h, int w) {
        int max = brightest(pixels);
        long area = 0, perimeter = 0;
        int top = h, bottom = -1, left = w, right = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (max == 0 || !inked(pixels, h, w, y, x, max)) {
                    continue;
                }
                area++;
                perimeter += (inked(pixels, h, w, y - 1, x, max) ? 0 : 1) + (inked(pixels, h, w, y + 1, x, max) ? 0 : 1)
                        + (inked(pixels, h, w, y, x - 1, max) ? 0 : 1) + (inked(pixels, h, w, y, x + 1, max) ? 0 : 1);
                top = Math.min(top, y);
                bottom = Math.max(bottom, y);
                left = Math.min(left, x);
                right = Math.max(right, x);
            }
        }
        if (area == 0) {
            return 1;
        }
        int box = Math.max(bottom - top + 1, right - left + 1);
        double width = 2.0 * area / perimeter;
        return width < 0.08 * box ? (int) Math.round(0.1 * box - width) + 1 : 1;
    }

    private static boolean inked(byte[] pixels, int h, int w, int y, int x, int max) {
        return y >= 0 && y < h && x >= 0 && x < w && 2 * (pixels[y * w + x] & 0xff) >= max;
    }

    /** Whether half a picture's pixels are 0, as in MNIST's digits and in a drawing. */
    private static boolean hasBlackBackground(byte[] pixels) {
        int zeros = 0;
        for (byte p : pixels) {
            zeros += p == 0 ? 1 : 0;
        }
        return 2 * zeros >= pixels.length;
    }

    /**
     * A picture of light strokes on a background that is not black (paper photographed under uneven light, after
     * {@link #inverted}) with that background made black: less its opening (the largest of the smallest values
     * around each pixel, over squares a quarter of its shorter side, wider than a digit's strokes: the background as
     * it would be without them), then {@link #stretched} from the top of what is left of the background (the noise).
     */
    static byte[] cleared(byte[] pixels, int h, int w) {
        int size = Math.max(3, Math.min(h, w) / 4) | 1;
        byte[] background = extremes(extremes(pixels, h, w, size, false), h, w, size, true);
        byte[] flat = new byte[pixels.length];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = (byte) ((pixels[i] & 0xff) - (background[i] & 0xff));
        }
        long[] histogram = new long[256];
        for (byte p : flat) {
            histogram[p & 0xff]++;
        }
        return stretched(flat, histogram, blackPoint(histogram, flat.length));
    }

    /** Each value the smallest (or the largest) of the size x size square around it, clipped to the picture. */
    private static byte[] extremes(byte[] values, int h, int w, int size, boolean largest) {
        byte[] rows = new byte[values.length], out = new byte[values.length];
        int[] deque = new int[Math.max(h, w)];
        for (int y = 0; y < h; y++) {
            slide(values, y * w, 1, w, size / 2, largest, rows, deque);
        }
        for (int x = 0; x < w; x++) {
            slide(rows, x, w, h, size / 2, largest, out, deque);
        }
        return out;
    }

    /** The extreme of each window [i - r, i + r] of the n values at from, from + stride, ...: a deque of candidates. */
    private static void slide(byte[] in, int from, int stride, int n, int r, boolean largest, byte[] out, int[] deque) {
        int head = 0, tail = 0;
        for (int i = 0, next = 0; i < n; i++) {
            for (; next < n && next <= i + r; next++) {
                int v = in[from + next * stride] & 0xff;
                while (tail > head) {
                    int last = in[from + deque[tail - 1] * stride] & 0xff;
                    if (largest ? last > v : last < v) {
                        break;
                    }
                    tail--;
                }
                deque[tail++] = next;
            }
            while (deque[head] < i - r) {
                head++;
            }
            out[from + i * stride] = in[from + deque[head] * stride];
        }
    }

    /**
     * The top of a picture's background, from the histogram of its {@code count} pixels: the upper end (mean and three
     * standard deviations) of the darker of the two classes Otsu's threshold splits them into, or that threshold where
     * it is lower.
     */
    private static int blackPoint(long[] histogram, long count) {
        double total = 0;
        for (int v = 0; v < 256; v++) {
            total += (double) v * histogram[v];
        }
        // Otsu: the threshold t (class 0..t against t+1..255) of the largest variance between the classes
        long below = 0;
        double belowSum = 0, best = -1;
        int threshold = 0;
        for (int t = 0; t < 255; t++) {
            below += histogram[t];
            belowSum += (double) t * histogram[t];
            long above = count - below;
            if (below == 0 || above == 0) {
                continue;
            }
            double d = belowSum / below - (total - belowSum) / above;
            double between = (double) below * above * d * d;
            if (between > best) {
                best = between;
                threshold = t;
            }
        }
        long n = 0;
        double sum = 0, squares = 0;
        for (int v = 0; v <= threshold; v++) {
            n += histogram[v];
            sum += (double) v * histogram[v];
            squares += (double) v * v * histogram[v];
        }
        double mean = sum / n, sd = Math.sqrt(Math.max(0, squares / n - mean * mean));
        return (int) Math.min(threshold, Math.ceil(mean + 3 * sd));
    }

    /**
     * {@code pixels} (whose histogram is given) with {@code black} and below made 0 and the strokes' bright core 255,
     * linearly between: the core is the brightest tenth of the pixels above {@code black} (not the brightest pixel,
     * which in a large photo is noise).
     */
    private static byte[] stretched(byte[] pixels, long[] histogram, int black) {
        long strokes = 0;
        for (int v = black + 1; v < 256; v++) {
            strokes += histogram[v];
        }
        int white = 255;
        for (long above = histogram[255]; white > black + 1 && 10 * above < strokes; above += histogram[--white]) {
        }
        byte[] out = new byte[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            out[i] = (byte) Math.min(255, Math.max(0, Math.round(((pixels[i] & 0xff) - black) * 255.0 / Math.max(1, white - black))));
        }
        return out;
    }

    private static Images inverted(Images picture) {
        byte[] negative = picture.pixels().clone();
        for (int i = 0; i < negative.length; i++) {
            negative[i] = (byte) (255 - (negative[i] & 0xff));
        }
        return new Images(negative, picture.labels(), picture.count(), picture.height(), picture.width());
    }

    /** The median of the pixels along a picture's four edges: its background, which the edges show, not the digit. */
    private static int edgeMedian(byte[] pixels, int h, int w) {
        int[] histogram = new int[256];
        int count = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x += y == 0 || y == h - 1 ? 1 : Math.max(1, w - 1)) {
                histogram[pixels[y * w + x] & 0xff]++;
                count++;
            }
        }
        int v = 0;
        for (int below = histogram[0]; 2 * below < count; below += histogram[++v]) {
        }
        return v;
    }

    private static int brightest(byte[] pixels) {
        int max = 0;
        for (byte p : pixels) {
            max = Math.max(max, p & 0xff);
        }
        return max;
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
        int max = brightest(pixels);
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
        return picture(image);
    }

    /** The picture as one image in greyscale 0..255 over black, or over white where its transparent parts are behind dark strokes. */
    public static Images picture(BufferedImage image) {
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
        // each pixel over black; with the opacities kept where the picture has any, to put another background behind it
        float[] alpha = cm.hasAlpha() ? new float[h * w] : null;
        double opacity = 0, ink = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double a, luminance;
                if (grey) {
                    a = cm.hasAlpha() ? raster.getSample(x, y, 1) / alphaMax : 1;
                    luminance = raster.getSample(x, y, 0) * 255 / greyMax;
                } else {
                    int argb = image.getRGB(x, y);
                    a = (argb >>> 24) / 255.0;
                    luminance = 0.299 * (argb >> 16 & 0xff) + 0.587 * (argb >> 8 & 0xff) + 0.114 * (argb & 0xff);
                }
                pixels[y * w + x] = (byte) Math.round(a * luminance);
                if (alpha != null) {
                    alpha[y * w + x] = (float) a;
                }
                opacity += a;
                ink += a * luminance;
            }
        }
        // transparent pixels are the background: black behind light strokes, white behind dark ones (a digit drawn in black
        // on a web page's transparent canvas), which prepared() then inverts as any dark digit on white
        if (alpha != null && opacity > 0 && ink / opacity < 127.5) {
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (byte) Math.round((pixels[i] & 0xff) + (1 - alpha[i]) * 255.0);
            }
        }
        return new Images(pixels, new byte[1], 1, h, w);
    }

    /**
     * The digits of a picture of light strokes on black, left to right, each the picture's columns from the middle of
     * the gap before it to the middle of the gap after it; the picture itself where it holds one. The strokes (pixels
     * where most of the 3x3 around them are at least an eighth of the brightest) are taken on a grid of cells of up to
     * 512 a side (a cell is lit where one of its pixels is) and fall into parts of lit cells that touch, corners
     * included. Parts of less than a twentieth of the cells of the largest (specks of noise or dirt, a full stop), and
     * parts along half the picture's left or right side (a photo's shade), are left with the columns around them; the
     * others are one digit where their columns overlap (a 5's bar and its bowl, a stroke broken by the light), and a
     * digit stands apart from its neighbours where it is at least 0.4 as tall as the tallest.
     */
    static List<Images> sideBySide(Images picture) {
        int h = picture.height(), w = picture.width();
        byte[] pixels = picture.pixels();
        int max = brightest(pixels);
        int cell = Math.max(1, (Math.max(h, w) + 511) / 512);
        int ch = (h + cell - 1) / cell, cw = (w + cell - 1) / cell;
        boolean[] lit = new boolean[ch * cw];
        // a pixel of a stroke where most of the 3x3 pixels around it are at least an eighth of the brightest
        int[] column = new int[w];
        for (int y = 0; y < h && max > 0; y++) {
            for (int x = 0; x < w; x++) {
                column[x] = 0;
                for (int yy = Math.max(0, y - 1); yy <= Math.min(h - 1, y + 1); yy++) {
                    column[x] += 8 * (pixels[yy * w + x] & 0xff) >= max ? 1 : 0;
                }
            }
            for (int x = 0; x < w; x++) {
                int around = column[x] + (x > 0 ? column[x - 1] : 0) + (x < w - 1 ? column[x + 1] : 0);
                if (2 * around > 9) {
                    lit[y / cell * cw + x / cell] = true;
                }
            }
        }
        // each part's columns, rows and cells, found by a fill from each lit cell not yet in a part
        List<int[]> parts = new java.util.ArrayList<>();  // left, right, top, bottom, cells, cells on the left or right edge
        int[] stack = new int[lit.length];
        boolean[] seen = new boolean[lit.length];
        for (int start = 0; start < lit.length; start++) {
            if (!lit[start] || seen[start]) {
                continue;
            }
            int[] part = {cw, -1, ch, -1, 0, 0};
            int top = 0;
            stack[top++] = start;
            seen[start] = true;
            while (top > 0) {
                int c = stack[--top], cy = c / cw, cx = c % cw;
                part[0] = Math.min(part[0], cx);
                part[1] = Math.max(part[1], cx);
                part[2] = Math.min(part[2], cy);
                part[3] = Math.max(part[3], cy);
                part[4]++;
                part[5] += cx == 0 || cx == cw - 1 ? 1 : 0;
                for (int ny = Math.max(0, cy - 1); ny <= Math.min(ch - 1, cy + 1); ny++) {
                    for (int nx = Math.max(0, cx - 1); nx <= Math.min(cw - 1, cx + 1); nx++) {
                        int n = ny * cw + nx;
                        if (lit[n] && !seen[n]) {
                            seen[n] = true;
                            stack[top++] = n;
                        }
                    }
                }
            }
            parts.add(part);
        }
        // parts whose columns overlap, in order of their left columns, make one digit; specks and the shade along a
        // photo's side (noise and light the background left) make none
        int largestPart = parts.stream().mapToInt(p -> p[4]).max().orElse(0);
        parts.removeIf(p -> 20 * p[4] < largestPart || 2 * p[5] >= ch);
        parts.sort(java.util.Comparator.comparingInt(p -> p[0]));
        List<int[]> digits = new java.util.ArrayList<>();
        for (int[] p : parts) {
            int[] last = digits.isEmpty() ? null : digits.get(digits.size() - 1);
            if (last != null && p[0] <= last[1]) {
                last[1] = Math.max(last[1], p[1]);
                last[2] = Math.min(last[2], p[2]);
                last[3] = Math.max(last[3], p[3]);
                last[4] += p[4];
            } else {
                digits.add(p.clone());
            }
        }
        int tallest = digits.stream().mapToInt(d -> d[3] - d[2] + 1).max().orElse(0);
        List<int[]> apart = digits.stream().filter(d -> 10 * (d[3] - d[2] + 1) >= 4 * tallest).toList();
        if (apart.size() < 2) {
            return List.of(picture);
        }
        List<Images> each = new java.util.ArrayList<>();
        int from = 0;
        for (int i = 0; i < apart.size(); i++) {
            // the middle of the gap after this digit, in pixels: between its last lit cell and the next digit's first
            int to = i == apart.size() - 1 ? w : Math.min(w, ((apart.get(i)[1] + 1) * cell + apart.get(i + 1)[0] * cell) / 2);
            byte[] crop = new byte[h * (to - from)];
            for (int y = 0; y < h; y++) {
                System.arraycopy(pixels, y * w + from, crop, y * (to - from), to - from);
            }
            each.add(new Images(crop, picture.labels(), 1, h, to - from));
            from = to;
        }
        return each;
    }
}
