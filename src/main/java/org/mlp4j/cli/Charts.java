package org.mlp4j.cli;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.mlp4j.util.AtomicFiles;
import org.mlp4j.util.Limits;
import org.mlp4j.util.UserError;
import org.mlp4j.data.Images;
import org.mlp4j.model.EpochResult;

/** The book's two figures: learning curves, and the first 25 misclassified test images. */
final class Charts {
    private Charts() {
    }

    /**
     * Cost and accuracies per epoch; the accuracy panel's title gives the test accuracy (a fraction) of the final model,
     * where there is one (not NaN).
     */
    static void learningCurves(List<EpochResult> history, double testAccuracy, java.nio.file.Path file) {
        // XChart spaces the ticks of all-integer x data span/16 apart (0, 13, 26, ... at 200 epochs, labels
        // running together); x values a hair off the integers get its round steps (0, 50, 100, ...). Up to 20
        // epochs the integer steps are whole epochs, which round steps could split.
        double off = history.size() > 20 ? 1e-6 : 0;
        double[] epochs = history.stream().mapToDouble(r -> r.epoch() + off).toArray();
        XYChart cost = new XYChartBuilder().width(560).height(420).title("Cost").xAxisTitle("Epoch").yAxisTitle("Cost").build();
        cost.addSeries("cost", epochs, history.stream().mapToDouble(EpochResult::cost).toArray());
        cost.getStyler().setLegendVisible(false);
        cost.getStyler().setYAxisDecimalPattern("#,##0");
        XYChart acc = new XYChartBuilder().width(560).height(420)
                .title(Double.isNaN(testAccuracy) ? "Accuracy" : String.format(java.util.Locale.ROOT, "Accuracy (test: %.2f %%)", 100 * testAccuracy))
                .xAxisTitle("Epoch").yAxisTitle("Accuracy (%)").build();
        acc.addSeries("training", epochs, history.stream().mapToDouble(r -> 100 * r.trainAccuracy()).toArray());
        if (history.stream().anyMatch(r -> !Double.isNaN(r.validAccuracy()))) {
            acc.addSeries("validation", epochs, history.stream().mapToDouble(r -> 100 * r.validAccuracy()).toArray());
        }
        // a single epoch's accuracy would be its only tick, at full precision
        acc.getStyler().setYAxisDecimalPattern("#0.##");
        for (XYChart c : List.of(cost, acc)) {
            c.getStyler().setMarkerSize(history.size() > 40 ? 0 : 5);
            // whole epochs on round ticks from 0, whatever the count (XChart starts its ticks at the first x)
            c.getStyler().setXAxisMin(0.0);
            c.getStyler().setXAxisMax(roundUp(history.isEmpty() ? 1 : history.get(history.size() - 1).epoch()));
            c.getStyler().setXAxisDecimalPattern("#,##0");
            c.getStyler().setChartBackgroundColor(Color.WHITE);
        }
        BufferedImage left = BitmapEncoder.getBufferedImage(cost);
        BufferedImage right = BitmapEncoder.getBufferedImage(acc);
        BufferedImage both = new BufferedImage(left.getWidth() + right.getWidth(), left.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = both.createGraphics();
        g.drawImage(left, 0, 0, null);
        g.drawImage(right, left.getWidth(), 0, null);
        g.dispose();
        AtomicFiles.write(file, out -> ImageIO.write(both, "png", out));
    }

    /**
     * Why the figures were not written, said so that a user can act on it. A JVM that lacks fontconfig and a font, or
     * the libraries its font manager links (as slim container images do), cannot draw text, and Java2D fails on the
     * first string: with JDK 17 as an InternalError around the font manager's constructor.
     */
    static String whyNotWritten(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (m.contains("Fontconfig") || m.contains("libfontmanager") || m.contains("No fonts found")) {
                return "this Java cannot draw text (" + m + "); install fontconfig, FreeType and HarfBuzz (on Debian or Ubuntu:"
                        + " apt install fontconfig libfreetype6 libharfbuzz0b); history.csv has the curves' numbers";
            }
        }
        if (e instanceof OutOfMemoryError) {
            return "out of memory; " + Limits.raiseHeapAfterRunningOut();
        }
        return e instanceof UserError ? e.getMessage() : e.toString();
    }

    /** The smallest of 1, 2, 5 times a power of ten that is at least n: a round end for the epoch axis. */
    static double roundUp(int n) {
        for (long p = 1; ; p *= 10) {
            for (int m : new int[] {1, 2, 5}) {
                if (m * p >= n) {
                    return m * p;
                }
            }
        }
    }

    /** A 5x5 grid of the first misclassified images, each captioned "i) t: true p: predicted" as in the book. */
    static void misclassified(Images test, int[] predicted, java.nio.file.Path file) {
        int scale = 4, cell = Math.max(test.width(), test.height()) * scale + 24;
        BufferedImage img = new BufferedImage(5 * cell, 5 * cell, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int shown = 0;
        for (int i = 0; i < test.count() && shown < 25; i++) {
            int truth = test.labels()[i] & 0xff;
            if (predicted[i] == truth) {
                continue;
            }
            int x0 = (shown % 5) * cell + 12, y0 = (shown / 5) * cell + 18;
            for (int y = 0; y < test.height(); y++) {
                for (int x = 0; x < test.width(); x++) {
                    int v = 255 - (test.pixels()[i * test.features() + y * test.width() + x] & 0xff);
                    g.setColor(new Color(v, v, v));
                    g.fillRect(x0 + x * scale, y0 + y * scale, scale, scale);
                }
            }
            g.setColor(Color.BLACK);
            g.drawString(String.format("%d) t: %d p: %d", shown + 1, truth, predicted[i]), x0, y0 - 4);
            shown++;
        }
        g.dispose();
        AtomicFiles.write(file, out -> ImageIO.write(img, "png", out));
    }
}
