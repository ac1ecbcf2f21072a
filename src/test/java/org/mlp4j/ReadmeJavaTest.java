package org.mlp4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's "Use from Java" programs, compiled against the build's classes and run in order in one directory, so they never rot. */
class ReadmeJavaTest {
    @TempDir
    Path dir;

    @Test
    void theReadmesJavaProgramsCompileAndRun() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("\n## Use from Java\n");
        assertTrue(start >= 0, "README has a 'Use from Java' section");
        int end = readme.indexOf("\n## ", start + 1);
        Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme.substring(start, end));
        List<String> classes = new ArrayList<>();
        Path src = Files.createDirectories(dir.resolve("src"));
        while (block.find()) {
            Matcher name = Pattern.compile("public class (\\w+)").matcher(block.group(1));
            assertTrue(name.find(), "each program is a public class:\n" + block.group(1));
            classes.add(name.group(1));
            Files.writeString(src.resolve(name.group(1) + ".java"), block.group(1));
        }
        assertEquals(List.of("ThreeClusters", "ContinueOnGpu", "TheBooksRun", "Flowers"), classes, "the section's programs");
        Path out = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> args = new ArrayList<>(List.of("-cp", System.getProperty("java.class.path"), "-d", out.toString(), "-Werror"));
        classes.forEach(c -> args.add(src.resolve(c + ".java").toString()));
        assertEquals(0, javac.run(null, null, null, args.toArray(String[]::new)), "javac " + args);
        String classPath = System.getProperty("java.class.path") + File.pathSeparator + out;
        run(classes.get(0), ChildJvm.commandOn(classPath, List.of(), classes.get(0)));
        String continued = run(classes.get(1), ChildJvm.commandOn(classPath, List.of(), classes.get(1)));
        assertTrue(Files.isRegularFile(dir.resolve("clusters.npz")), "the first program saved its model");
        // the second program's notes name the device; without the Vector API module, a cpu says how to get its fast kernels
        assertTrue(continued.contains("note: device: "), continued);
        String plain = run(classes.get(1), ChildJvm.withoutVectorApi(classPath, classes.get(1)));
        assertTrue(!plain.contains("note: device: cpu: ") || plain.contains("scalar loops (start java with --add-modules jdk.incubator.vector"), plain);
        // the book's run for one epoch: its epoch 1, and the test accuracy `mlp4j train --epochs 1` gives (printf's
        // decimal point in English, whatever this machine's locale)
        List<String> english = List.of("-Duser.language=en", "-Duser.country=US");
        String data = TestData.dir().toAbsolutePath().toString();
        String book = run(classes.get(2), ChildJvm.commandOn(classPath, english, classes.get(2), data, "1"));
        assertTrue(book.contains("epoch 1: cost 66739.79, train 84.53%, valid 88.86%\n"), book);
        assertTrue(book.contains("test accuracy: 85.62%\n"), book);
        // run again for two epochs, it goes on from its checkpoint: as a run of two from the start, in a directory of its own
        assertTrue(Files.isRegularFile(dir.resolve("books-run.npz")), "the book's run wrote its checkpoint");
        String resumed = run(classes.get(2), ChildJvm.commandOn(classPath, english, classes.get(2), data, "2"));
        Path fresh = Files.createDirectories(dir.resolve("fresh"));
        String straight = run(classes.get(2), ChildJvm.commandOn(classPath, english, classes.get(2), data, "2"), fresh);
        assertTrue(resumed.contains("epoch 2: cost "), resumed);
        assertEquals(printed(straight), printed(resumed));
        // the fourth: points around the first program's three centres, a name last on each line, as iris.data has them
        StringBuilder points = new StringBuilder();
        java.util.Random r = new java.util.Random(3);
        String[] names = {"near-origin", "right", "up"};
        for (int i = 0; i < 150; i++) {
            points.append(String.format(java.util.Locale.ROOT, "%.3f,%.3f,%s%n", r.nextGaussian() + (i % 3 == 1 ? 3 : 0),
                    r.nextGaussian() + (i % 3 == 2 ? 3 : 0), names[i % 3]));
        }
        Files.writeString(dir.resolve("points.data"), points);
        String flowers = run(classes.get(3), ChildJvm.commandOn(classPath, english, classes.get(3), "points.data"));
        assertTrue(flowers.contains("the first line's class: near-origin\n"), flowers);
        assertEquals(List.of("near-origin", "right", "up"), Classifier.load(dir.resolve("flowers.npz")).classNames());
    }

    /** The program's own lines: not the JVM's warnings, which some JDKs print with addresses that differ by run. */
    private static List<String> printed(String output) {
        return output.lines().filter(l -> l.startsWith("epoch ") || l.startsWith("test accuracy: ")).toList();
    }

    private String run(String program, ProcessBuilder command) throws Exception {
        return run(program, command, dir);
    }

    private String run(String program, ProcessBuilder command, Path in) throws Exception {
        Process p = command.directory(in.toFile()).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), program + ":\n" + text);
        System.out.print(program + ":\n" + text);
        return text;
    }
}
