import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Digits 0-9 drawn as a pen draws them (lines and curves, round caps) in black on a white 400 x 400 picture, each
 * about 140 x 250 pixels, with pens of 2, 6, 14 and 24 pixels: a drawing in a paint program, whose default pen is
 * thin for a large canvas. Writes DIR/wPEN_DIGIT.png. {@code java bench/ab/PenDigits.java DIR}, then
 * {@code ./mlp4j predict --model M --images DIR/w2_*.png}.
 */
public class PenDigits {
    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args[0]));
        // in a 100 x 140 box, drawn twice as large: SVG's path commands M (move), L (line), C (cubic curve) and O (an
        // ellipse: x, y, width, height)
        String[] paths = {
            "O20,10,60,120",
            "M35,30 L55,10 L55,130",
            "M20,40 C20,0,85,0,80,45 L20,130 L85,130",
            "M20,25 C40,0,90,10,75,50 C70,65,50,68,45,68 C90,70,90,125,50,130 C35,132,25,125,18,115",
            "M65,130 L65,10 L15,95 L88,95",
            "M80,12 L30,12 L25,62 C60,45,90,70,85,95 C80,135,35,140,18,115",
            "M75,15 C40,20,20,60,22,95 C25,140,85,140,82,95 C80,60,30,65,23,90",
            "M15,12 L85,12 L40,130",
            "O28,10,44,55 O20,65,60,65",
            "O20,10,60,60 M80,40 L75,130"};
        Shape[] digits = new Shape[10];
        for (int k = 0; k < 10; k++) {
            Path2D path = new Path2D.Double();
            for (String command : paths[k].split(" ")) {
                double[] v = java.util.Arrays.stream(command.substring(1).split(",")).mapToDouble(Double::parseDouble).toArray();
                switch (command.charAt(0)) {
                    case 'M' -> path.moveTo(v[0], v[1]);
                    case 'L' -> path.lineTo(v[0], v[1]);
                    case 'C' -> path.curveTo(v[0], v[1], v[2], v[3], v[4], v[5]);
                    default -> path.append(new Ellipse2D.Double(v[0], v[1], v[2], v[3]), false);
                }
            }
            digits[k] = path;
        }
        for (int pen : new int[] {2, 6, 14, 24}) {
            for (int k = 0; k < 10; k++) {
                BufferedImage picture = new BufferedImage(400, 400, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = picture.createGraphics();
                g.setColor(Color.WHITE);
                g.fillRect(0, 0, 400, 400);
                g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
                g.translate(110, 60);
                g.scale(2, 2);
                g.setColor(Color.BLACK);
                g.setStroke(new BasicStroke(pen / 2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                g.draw(digits[k]);
                ImageIO.write(picture, "png", new File(dir.toFile(), "w" + pen + "_" + k + ".png"));
            }
        }
    }
}
