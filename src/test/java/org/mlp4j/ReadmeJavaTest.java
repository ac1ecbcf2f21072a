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
        assertEquals(2, classes.size(), "the section's programs");
        Path out = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> args = new ArrayList<>(List.of("-cp", System.getProperty("java.class.path"), "-d", out.toString(), "-Werror"));
        classes.forEach(c -> args.add(src.resolve(c + ".java").toString()));
        assertEquals(0, javac.run(null, null, null, args.toArray(String[]::new)), "javac " + args);
        String classPath = System.getProperty("java.class.path") + File.pathSeparator + out;
        String continued = "";
        for (String c : classes) {
            continued = run(c, ChildJvm.commandOn(classPath, List.of(), c));
        }
        assertTrue(Files.isRegularFile(dir.resolve("clusters.npz")), "the first program saved its model");
        // the second program's notes name the device; without the Vector API module, a cpu says how to get its fast kernels
        assertTrue(continued.contains("note: device: "), continued);
        String plain = run(classes.get(1), ChildJvm.withoutVectorApi(classPath, classes.get(1)));
        assertTrue(!plain.contains("note: device: cpu: ") || plain.contains("scalar loops (start java with --add-modules jdk.incubator.vector"), plain);
    }

    private String run(String program, ProcessBuilder command) throws Exception {
        Process p = command.directory(dir.toFile()).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), program + ":\n" + text);
        System.out.print(program + ":\n" + text);
        return text;
    }
}
