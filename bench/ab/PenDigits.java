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
        Shape[] digits = new Shape[10];  // in a 100 x 140 box, drawn twice as large
        digits[0] = new Ellipse2D.Double(20, 10, 60, 120);
        Path2D one = new Path2D.Double();
        one.moveTo(35, 30);
        one.lineTo(55, 10);
        one.lineTo(55, 130);
        digits[1] = one;
        Path2D two = new Path2D.Double();
        two.moveTo(20, 40);
        two.curveTo(20, 0, 85, 0, 80, 45);
        two.lineTo(20, 130);
        two.lineTo(85, 130);
        digits[2] = two;
        Path2D three = new Path2D.Double();
        three.moveTo(20, 25);
        three.curveTo(40, 0, 90, 10, 75, 50);
        three.curveTo(70, 65, 50, 68, 45, 68);
        three.curveTo(90, 70, 90, 125, 50, 130);
        three.curveTo(35, 132, 25, 125, 18, 115);
        digits[3] = three;
        Path2D four = new Path2D.Double();
        four.moveTo(65, 130);
        four.lineTo(65, 10);
        four.lineTo(15, 95);
        four.lineTo(88, 95);
        digits[4] = four;
        Path2D five = new Path2D.Double();
        five.moveTo(80, 12);
        five.lineTo(30, 12);
        five.lineTo(25, 62);
        five.curveTo(60, 45, 90, 70, 85, 95);
        five.curveTo(80, 135, 35, 140, 18, 115);
        digits[5] = five;
        Path2D six = new Path2D.Double();
        six.moveTo(75, 15);
        six.curveTo(40, 20, 20, 60, 22, 95);
        six.curveTo(25, 140, 85, 140, 82, 95);
        six.curveTo(80, 60, 30, 65, 23, 90);
        digits[6] = six;
        Path2D seven = new Path2D.Double();
        seven.moveTo(15, 12);
        seven.lineTo(85, 12);
        seven.lineTo(40, 130);
        digits[7] = seven;
        Path2D eight = new Path2D.Double();
        eight.append(new Ellipse2D.Double(28, 10, 44, 55), false);
        eight.append(new Ellipse2D.Double(20, 65, 60, 65), false);
        digits[8] = eight;
        Path2D nine = new Path2D.Double();
        nine.append(new Ellipse2D.Double(20, 10, 60, 60), false);
        nine.moveTo(80, 40);
        nine.lineTo(75, 130);
        digits[9] = nine;
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
