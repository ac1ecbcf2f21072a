package org.mlp4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlp4j.Classifier;
import org.mlp4j.Mnist;
import org.mlp4j.TestData;

/** {@link Mnist#digit} and {@link Mnist#digits} give a model the rows that {@code mlp4j predict} gives it for the same picture. */
class PictureDigitTest {
    @TempDir
    Path dir;

    @Test
    void theApiMakesAPictureIntoTheRowThatPredictGivesTheModel() throws Exception {
        byte[] digits = TestData.trainHead(5).pixels();
        List<BufferedImage> pictures = new ArrayList<>();
        // a training digit as MNIST's, as its negative, and drawn 6 times as large on unevenly lit paper with noise; and
        // two more written side by side on such paper
        BufferedImage same = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage negative = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage photo = new BufferedImage(168, 168, BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage number = new BufferedImage(2 * 168, 168, BufferedImage.TYPE_BYTE_GRAY);
        Random noise = new Random(2);
        for (int i = 0; i < 784; i++) {
            same.getRaster().setSample(i % 28, i / 28, 0, digits[i] & 0xff);
            negative.getRaster().setSample(i % 28, i / 28, 0, 255 - (digits[784 + i] & 0xff));
        }
        for (int y = 0; y < 168; y++) {
            for (int x = 0; x < 168; x++) {
                double ink = (digits[2 * 784 + y / 6 * 28 + x / 6] & 0xff) / 255.0;
                double paper = 150 + 60.0 * x / 168 + 3 * noise.nextGaussian();
                photo.getRaster().setSample(x, y, 0, (int) Math.max(0, Math.min(255, Math.round(paper * (1 - ink) + 30 * ink))));
            }
        }
        for (int y = 0; y < 168; y++) {
            for (int x = 0; x < 2 * 168; x++) {
                double ink = (digits[(3 + x / 168) * 784 + y / 6 * 28 + x % 168 / 6] & 0xff) / 255.0;
                double paper = 150 + 30.0 * x / 168 + 3 * noise.nextGaussian();
                number.getRaster().setSample(x, y, 0, (int) Math.max(0, Math.min(255, Math.round(paper * (1 - ink) + 30 * ink))));
            }
        }
        pictures.addAll(List.of(same, negative, photo, number));
        Classifier model = Classifier.create(3, 784, 16, 10);
        Path file = dir.resolve("model.npz");
        model.save(file);
        List<String> args = new ArrayList<>(List.of("predict", "--model", file.toString(), "--device", "cpu", "--proba", "--images"));
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < pictures.size(); i++) {
            Path png = dir.resolve("picture" + i + ".png");
            ImageIO.write(pictures.get(i), "png", png.toFile());
            args.add(png.toString());
            float[][] rows = Mnist.digits(pictures.get(i));
            assertEquals(i == 3 ? 2 : 1, rows.length);
            for (float[] row : rows) {
                float[] p = model.predictProba(row);
                expected.append(model.predict(row));
                for (float v : p) {
                    expected.append(' ').append(String.format(Locale.ROOT, "%.6f", v));
                }
                expected.append('\n');
            }
            if (i < 3) {
                assertArrayEquals(rows[0], Mnist.digit(pictures.get(i)));
            }
        }
        BadInputTest.Result predicted = BadInputTest.run(args.toArray(String[]::new));
        assertEquals(0, predicted.code(), predicted.err());
        assertEquals(expected.toString(), predicted.out());
        float[] row = Mnist.digit(same);
        float[] scaled = new float[784];
        for (int i = 0; i < 784; i++) {
            scaled[i] = ((digits[i] & 0xff) / 255f - 0.5f) * 2;
        }
        assertArrayEquals(scaled, row, "a picture made as MNIST's digits is taken as it is");
    }
}
