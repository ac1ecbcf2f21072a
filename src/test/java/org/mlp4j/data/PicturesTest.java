package org.mlp4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.mlp4j.TestData;

/** Pictures of another size than a model's images, made into its images as MNIST's digits were made. */
class PicturesTest {
    /**
     * MNIST's digits were scaled to fit 20 x 20 and centred by their mass in 28 x 28; drawn ten times as large, each
     * is made back into itself, but for a few whose faintest edge pixels fall below the threshold of a lit pixel (one
     * of them then scaled from a box a pixel smaller).
     */
    @Test
    void anMnistDigitTenTimesAsLargeIsMadeIntoItselfAgain() {
        int n = 1000, k = 10;
        Images digits = TestData.trainHead(n);
        int same = 0;
        long difference = 0, ink = 0;
        for (int i = 0; i < n; i++) {
            byte[] digit = Arrays.copyOfRange(digits.pixels(), i * 784, (i + 1) * 784);
            byte[] large = new byte[784 * k * k];
            for (int y = 0; y < 28 * k; y++) {
                for (int x = 0; x < 28 * k; x++) {
                    large[y * 28 * k + x] = digit[y / k * 28 + x / k];
                }
            }
            byte[] made = Pictures.fitted(large, 28 * k, 28 * k, 28);
            same += Arrays.equals(digit, made) ? 1 : 0;
            for (int j = 0; j < 784; j++) {
                difference += Math.abs((made[j] & 0xff) - (digit[j] & 0xff));
                ink += digit[j] & 0xff;
            }
        }
        assertTrue(same >= n * 98 / 100, same + " of " + n + " the same");
        assertTrue(difference < ink / 1000, "pixels off by " + difference + " in all, of " + ink);
    }

    /** Files read one after the other, each picture one image and an IDX file its images, in the order given. */
    @Test
    void filesAreReadInOrderAndOfOneSize(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.util.List<java.nio.file.Path> files = new java.util.ArrayList<>();
        byte[] expected = new byte[5 * 16];
        for (int i = 0; i < 3; i++) {
            java.awt.image.BufferedImage im = new java.awt.image.BufferedImage(4, 4, java.awt.image.BufferedImage.TYPE_INT_RGB);
            im.setRGB(i, i, (100 + i) * 0x010101);
            expected[i * 16 + i * 4 + i] = (byte) (100 + i);
            files.add(dir.resolve("p" + i + ".png"));
            javax.imageio.ImageIO.write(im, "png", files.get(i).toFile());
        }
        byte[] two = new byte[32];
        two[5] = 7;
        two[16 + 15] = 9;
        java.nio.file.Files.write(dir.resolve("two-idx3-ubyte"), IdxTest.idx(new int[] {2, 4, 4}, two));
        files.add(1, dir.resolve("two-idx3-ubyte"));
        // p0, the two of the IDX file, p1, p2
        System.arraycopy(expected, 16, expected, 48, 32);
        System.arraycopy(two, 0, expected, 16, 32);
        Images read = Pictures.read(files, 16, note -> { });
        assertEquals(5, read.count());
        assertArrayEquals(expected, read.pixels());
        java.nio.file.Files.write(dir.resolve("small-idx3-ubyte"), IdxTest.idx(new int[] {1, 3, 3}, new byte[9]));
        files.add(dir.resolve("small-idx3-ubyte"));
        org.mlp4j.util.UserError e = org.junit.jupiter.api.Assertions.assertThrows(org.mlp4j.util.UserError.class,
                () -> Pictures.read(files, 16, note -> { }));
        assertTrue(e.getMessage().endsWith("small-idx3-ubyte: 3x3 images after 4x4 ones"), e.getMessage());
    }

    /**
     * A grey picture's stored values are its pixels, as other tools read them (ImageIO's getRGB would take them through
     * a gamma curve: 100 to 168), at 8 and 16 bits, as PNG and as JPEG (whose compression keeps flat grey).
     */
    @Test
    void aGreyPicturesValuesAreItsPixels(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        int[] values = {0, 16, 100, 255};
        java.awt.image.BufferedImage grey8 = new java.awt.image.BufferedImage(4, 1, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        java.awt.image.BufferedImage grey16 = new java.awt.image.BufferedImage(4, 1, java.awt.image.BufferedImage.TYPE_USHORT_GRAY);
        java.awt.image.BufferedImage flat = new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        for (int x = 0; x < 4; x++) {
            grey8.getRaster().setSample(x, 0, 0, values[x]);
            grey16.getRaster().setSample(x, 0, 0, values[x] * 257);
        }
        for (int x = 0; x < 64; x++) {
            flat.getRaster().setSample(x % 8, x / 8, 0, 100);
        }
        javax.imageio.ImageIO.write(grey8, "png", dir.resolve("grey8.png").toFile());
        javax.imageio.ImageIO.write(grey16, "png", dir.resolve("grey16.png").toFile());
        javax.imageio.ImageIO.write(flat, "jpeg", dir.resolve("flat.jpg").toFile());
        byte[] expected = {0, 16, 100, (byte) 255};
        assertArrayEquals(expected, Pictures.read(java.util.List.of(dir.resolve("grey8.png")), 4, note -> { }).pixels());
        assertArrayEquals(expected, Pictures.read(java.util.List.of(dir.resolve("grey16.png")), 4, note -> { }).pixels());
        byte[] hundreds = new byte[64];
        Arrays.fill(hundreds, (byte) 100);
        assertArrayEquals(hundreds, Pictures.read(java.util.List.of(dir.resolve("flat.jpg")), 64, note -> { }).pixels());
    }

    /**
     * MNIST's digits drawn eight times as large in dark ink on paper lit unevenly (grey from 140 at one corner to 240 at
     * the other, with noise), as a phone photographs a digit written on paper: each is made back into its image, the
     * paper black and the ink light, but for the edges that sink into the noise.
     */
    @Test
    void aPhotographedDigitIsMadeBackIntoItsImage(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        int n = 100, k = 8;
        Images digits = TestData.trainHead(n);
        java.util.Random noise = new java.util.Random(1);
        java.util.List<java.nio.file.Path> files = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            files.add(dir.resolve("photo" + i + ".png"));
            javax.imageio.ImageIO.write(photographed(digits, i, 1, 0, k, noise), "png", files.get(i).toFile());
        }
        java.util.List<String> notes = new java.util.ArrayList<>();
        Images made = Pictures.read(files, 784, notes::add);
        long difference = 0, ink = 0;
        for (int j = 0; j < n * 784; j++) {
            difference += Math.abs((made.pixels()[j] & 0xff) - (digits.pixels()[j] & 0xff));
            ink += digits.pixels()[j] & 0xff;
        }
        // the ink's contrast falls from 200 to 100 across the paper, so the strokes keep a slope the stretch leaves
        assertTrue(difference < ink * 4 / 10, "pixels off by " + difference + " in all, of " + ink);
        assertEquals(n, notes.stream().filter(s -> s.contains("inverted")).count(), notes.toString());
        assertEquals(n, notes.stream().filter(s -> s.contains("no black background")).count(), notes.toString());
    }

    /**
     * Numbers of three of MNIST's digits written side by side (each 26 of its pixels right of the one before) and
     * photographed as above: each digit is read as an image of its own, left to right, made back into its image.
     */
    @Test
    void aPhotographedNumberIsReadDigitByDigit(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        int n = 30;
        Images digits = TestData.trainHead(3 * n);
        java.util.Random noise = new java.util.Random(2);
        java.util.List<java.nio.file.Path> files = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            files.add(dir.resolve("number" + i + ".png"));
            javax.imageio.ImageIO.write(photographed(digits, 3 * i, 3, 26, 8, noise), "png", files.get(i).toFile());
        }
        java.util.List<String> notes = new java.util.ArrayList<>();
        Images made = Pictures.read(files, 784, notes::add);
        assertEquals(3 * n, made.count());
        assertEquals(n, notes.stream().filter(s -> s.contains("holds 3 digits side by side")).count(), notes.toString());
        long difference = 0, ink = 0;
        for (int j = 0; j < 3 * n * 784; j++) {
            difference += Math.abs((made.pixels()[j] & 0xff) - (digits.pixels()[j] & 0xff));
            ink += digits.pixels()[j] & 0xff;
        }
        assertTrue(difference < ink * 4 / 10, "pixels off by " + difference + " in all, of " + ink);
    }

    /**
     * {@code count} of MNIST's {@code digits} from {@code first}, each {@code step} of its pixels right of the one before,
     * drawn k times as large in dark ink (40) on paper lit unevenly (grey from 140 at one corner to 240 at the other,
     * with noise of sd 3).
     */
    static java.awt.image.BufferedImage photographed(Images digits, int first, int count, int step, int k, java.util.Random noise) {
        int height = 28 * k, width = (28 + (count - 1) * step) * k;
        java.awt.image.BufferedImage photo = new java.awt.image.BufferedImage(width, height, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double ink = 0;
                for (int d = 0; d < count; d++) {
                    int dx = x / k - step * d;
                    if (dx >= 0 && dx < 28) {
                        ink = Math.max(ink, (digits.pixels()[(first + d) * 784 + y / k * 28 + dx] & 0xff) / 255.0);
                    }
                }
                double paper = 140 + 70.0 * x / width + 30.0 * y / height + 3 * noise.nextGaussian();
                photo.getRaster().setSample(x, y, 0, (int) Math.max(0, Math.min(255, Math.round(paper * (1 - ink) + 40 * ink))));
            }
        }
        return photo;
    }

    /**
     * One digit is one, whatever else the photo holds: a full stop beside it, the dark shade along a side of a photo
     * taken in poor light, and a digit whose strokes do not touch (a 5's bar apart from its bowl).
     */
    @Test
    void aDigitWithSpecksShadeOrStrokesApartIsOne() {
        int h = 300, w = 260;
        byte[] picture = new byte[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean bar = y >= 60 && y < 80 && x >= 90 && x < 190;                                   // the 5's bar
                boolean stem = y >= 90 && y < 150 && x >= 90 && x < 110;                                 // apart from it
                double r = Math.hypot(y - 190, x - 140);
                boolean bowl = r >= 40 && r < 60 && !(x < 140 && y < 190);
                boolean stop = Math.hypot(y - 240, x - 215) < 8;                                         // a full stop
                boolean shade = x >= w - 12 && (x + 3 * y) % 7 != 0;                                    // the side in shade
                picture[y * w + x] = (byte) (bar || stem || bowl || stop ? 255 : shade ? 140 : 0);
            }
        }
        assertEquals(1, Pictures.sideBySide(new Images(picture, new byte[1], 1, h, w)).size());
        // the same digit with another beside it, past the shade: two
        byte[] two = new byte[h * (2 * w)];
        for (int y = 0; y < h; y++) {
            System.arraycopy(picture, y * w, two, y * 2 * w, w - 12);
            System.arraycopy(picture, y * w, two, y * 2 * w + w, w - 12);
        }
        java.util.List<Images> parts = Pictures.sideBySide(new Images(two, new byte[1], 1, h, 2 * w));
        assertEquals(2, parts.size());
        assertTrue(parts.get(0).width() > 190 && parts.get(0).width() < w + 90, "split at column " + parts.get(0).width());
    }

    /**
     * A ring drawn with a pen of 2 pixels, 200 pixels across, is widened to the stroke of MNIST's digits: made into
     * 28 x 28 it comes out as the same ring drawn with a pen of 26 pixels, which is left as it is (its width as
     * {@link Pictures#widening} counts it, by the sides of its pixels, is about 0.8 of that, a tenth of the box).
     */
    @Test
    void thinStrokesAreWidenedToMnists() {
        byte[][] rings = new byte[2][];
        for (int pen : new int[] {2, 26}) {
            byte[] ring = new byte[300 * 300];
            for (int y = 0; y < 300; y++) {
                for (int x = 0; x < 300; x++) {
                    double r = Math.hypot(y - 150, x - 150);
                    ring[y * 300 + x] = (byte) (r <= 100 && r > 100 - pen ? 255 : 0);
                }
            }
            assertEquals(pen == 2 ? 20 : 1, Pictures.widening(ring, 300, 300), "pen " + pen);
            java.util.List<String> notes = new java.util.ArrayList<>();
            rings[pen == 2 ? 0 : 1] = Pictures.prepared(new Images(ring, new byte[1], 1, 300, 300), 784, "ring", notes::add).pixels();
            assertEquals(pen == 2, notes.stream().anyMatch(n -> n.contains("ring's strokes are thin for its size")), notes.toString());
        }
        long difference = 0, ink = 0;
        for (int j = 0; j < 784; j++) {
            difference += Math.abs((rings[0][j] & 0xff) - (rings[1][j] & 0xff));
            ink += rings[1][j] & 0xff;
        }
        // a square's largest value widens a curve more where it runs diagonally than a round pen does
        assertTrue(difference < ink * 3 / 10, "pixels off by " + difference + " in all, of " + ink);
    }

    /**
     * What is inverted is told by the picture's edges, its background, not by how much of it is light: a bold ring
     * cropped close (light on over half its pixels) is taken as it is, and its negative is inverted into it.
     */
    @Test
    void theEdgesTellWhatIsBackground() {
        byte[] ring = new byte[40 * 40], negative = new byte[ring.length];
        for (int i = 0; i < ring.length; i++) {
            double r = Math.hypot(i / 40 - 19.5, i % 40 - 19.5);
            ring[i] = (byte) (r <= 19 && r > 8 ? 255 : 0);
            negative[i] = (byte) (255 - (ring[i] & 0xff));
        }
        java.util.List<String> notes = new java.util.ArrayList<>();
        byte[] made = Pictures.prepared(new Images(ring, new byte[1], 1, 40, 40), 784, "ring", notes::add).pixels();
        assertTrue(notes.stream().noneMatch(n -> n.contains("inverted")), notes.toString());
        notes.clear();
        assertArrayEquals(made, Pictures.prepared(new Images(negative, new byte[1], 1, 40, 40), 784, "negative", notes::add).pixels());
        assertTrue(notes.stream().anyMatch(n -> n.contains("negative has dark strokes on a lighter background")), notes.toString());
    }

    /** A lit rectangle 150 x 50 in a 300 x 200 picture: 20 x 7 (of 6.67) in 28 x 28, its centre at pixel 14's corner. */
    @Test
    void theLitPixelsAreScaledToFitAndCentredByTheirMass() {
        byte[] picture = new byte[300 * 200];
        for (int y = 50; y < 200; y++) {
            Arrays.fill(picture, y * 200 + 20, y * 200 + 70, (byte) 200);
        }
        byte[] made = Pictures.fitted(picture, 300, 200, 28);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                boolean inside = y >= 5 && y < 25 && x >= 11 && x < 18;
                assertEquals(inside ? 200 : 0, made[y * 28 + x] & 0xff, "pixel " + y + ", " + x);
            }
        }
        assertArrayEquals(new byte[16], Pictures.fitted(new byte[25], 5, 5, 4), "a black picture stays black");
    }
}
