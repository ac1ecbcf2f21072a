package org.mlp4j.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a run writes of its plots in this JVM: the PNG files where it can draw text, else the warning that says what to
 * install. A JDK without the libraries its font manager links (a headless JDK installed without its recommended
 * packages, a slim container image) cannot, and train then ends without plots; the tests that train pass there too.
 */
final class Plots {
    /** Whether this JVM draws text, as the charts do. */
    static final boolean DRAWS_TEXT = drawsText();

    private Plots() {
    }

    private static boolean drawsText() {
        try {
            Graphics2D g = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB).createGraphics();
            g.drawString("0", 0, 12);
            g.dispose();
            return true;
        } catch (RuntimeException | java.awt.AWTError | LinkageError | InternalError e) {
            return false;
        }
    }

    /** The warning of a run that could not draw its plots, for lines of stderr to leave aside. */
    static boolean isWarning(String line) {
        return line.startsWith("warning: plots not written: ");
    }

    /**
     * A run that trained into {@code out}, whose stderr is {@code err}, wrote each of {@code files} (not empty) and no
     * warning where this JVM draws text; elsewhere none of them, and the warning naming what to install.
     */
    static void assertWritten(Path out, String err, String... files) {
        for (String f : files) {
            Path file = out.resolve(f);
            try {
                assertTrue(DRAWS_TEXT ? Files.size(file) > 0 : !Files.exists(file), f + (DRAWS_TEXT ? " written" : " not written"));
            } catch (IOException e) {
                throw new UncheckedIOException(f + " not written", e);
            }
        }
        if (DRAWS_TEXT) {
            assertFalse(err.contains("plots not written"), err);
        } else {
            assertTrue(err.lines().anyMatch(l -> isWarning(l) && l.contains("this Java cannot draw text")
                    && l.contains("apt install fontconfig libfreetype6 libharfbuzz0b")), err);
        }
    }
}
