import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * MNIST's first test digits as photographs of digits written on paper, for {@code mlp4j predict}: each digit drawn
 * 200 to 400 pixels high (bilinear), a few pixels off centre, in dark ink on paper whose grey falls linearly across
 * the picture (uneven light) with Gaussian noise, saved as JPEG. Three conditions: {@code clean} (black on white, no
 * noise), {@code mild} (paper 170-230, slopes of sd 20, noise sd 2-5, ink 20-60) and {@code harsh} (paper 120-210,
 * slopes of sd 40, noise sd 2-8, ink 15-85). With DIGITS (default 1), a photo holds that many test digits side
 * by side, as a number is written: each 24 to 32 of MNIST's pixels right of the one before it, the light falling
 * across the photo as across a photo of one. Writes DIR/pNNNN.jpg
 * and DIR/labels (a digit a line, as predict prints them).
 * {@code java bench/ab/PhotoDigits.java CONDITION N DIR [DIGITS]} from the repository root (data/mnist), then
 * {@code ./mlp4j predict --model M --images DIR/*.jpg 2>/dev/null | paste - DIR/labels | awk '$1==$2' | wc -l}.
 */
public class PhotoDigits {
    public static void main(String[] args) throws Exception {
        String condition = args[0];
        int n = Integer.parseInt(args[1]);
        int digits = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        Path dir = Files.createDirectories(Path.of(args[2]));
        byte[] images = Files.readAllBytes(Path.of("data/mnist/t10k-images-idx3-ubyte"));
        byte[] labels = Files.readAllBytes(Path.of("data/mnist/t10k-labels-idx1-ubyte"));
        Random random = new Random(11);
        StringBuilder truth = new StringBuilder();
        for (int k = 0; k < n; k++) {
            int size = 200 + random.nextInt(200), shift = random.nextInt(40);
            int[] at = new int[digits];  // each digit's left edge, in MNIST's pixels
            for (int j = 1; j < digits; j++) {
                at[j] = at[j - 1] + 24 + (digits > 1 ? random.nextInt(9) : 0);
            }
            int width = size * (28 + at[digits - 1]) / 28;
            double span = size * (28.0 + at[digits - 1]) / 28;  // the light falls across the whole photo as across one digit's
            double paper, slopeX, slopeY, noise, ink;
            switch (condition) {
                case "clean" -> { paper = 255; slopeX = 0; slopeY = 0; noise = 0; ink = 0; }
                case "mild" -> { paper = 170 + random.nextInt(60); slopeX = 20 * random.nextGaussian(); slopeY = 20 * random.nextGaussian();
                    noise = 2 + random.nextInt(4); ink = 20 + random.nextInt(40); }
                case "harsh" -> { paper = 120 + random.nextInt(90); slopeX = 40 * random.nextGaussian(); slopeY = 40 * random.nextGaussian();
                    noise = 2 + random.nextInt(7); ink = 15 + random.nextInt(70); }
                default -> throw new IllegalArgumentException("condition: clean, mild or harsh");
            }
            BufferedImage photo = new BufferedImage(width + shift, size, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < width + shift; x++) {
                    double stroke = 0;
                    for (int j = 0; j < digits; j++) {
                        double fx = (x - shift / 2.0) * 28.0 / size - 0.5 - at[j], fy = y * 28.0 / size - 0.5;
                        int x0 = (int) Math.floor(fx), y0 = (int) Math.floor(fy);
                        double tx = fx - x0, ty = fy - y0, sample = 0;
                        for (int dy = 0; dy < 2; dy++) {
                            for (int dx = 0; dx < 2; dx++) {
                                int xx = x0 + dx, yy = y0 + dy;
                                if (xx >= 0 && yy >= 0 && xx < 28 && yy < 28) {
                                    sample += (dx == 0 ? 1 - tx : tx) * (dy == 0 ? 1 - ty : ty)
                                            * (images[16 + (k * digits + j) * 784 + yy * 28 + xx] & 0xff) / 255.0;
                                }
                            }
                        }
                        stroke = Math.max(stroke, sample);
                    }
                    double background = paper + slopeX * x / span + slopeY * y / size + noise * random.nextGaussian();
                    int grey = (int) Math.max(0, Math.min(255, Math.round(background * (1 - stroke) + ink * stroke)));
                    photo.setRGB(x, y, grey * 0x010101);
                }
            }
            ImageIO.write(photo, "jpg", new File(dir.toFile(), String.format("p%04d.jpg", k)));
            for (int j = 0; j < digits; j++) {
                truth.append(labels[8 + k * digits + j]).append('\n');
            }
        }
        Files.writeString(dir.resolve("labels"), truth);
    }
}
