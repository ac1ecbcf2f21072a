package org.mlp4j.util;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * What this build is: the pom's version ({@code build.properties}, filled in by the build) and, where it was built in a
 * git checkout, the commit ({@code commit}, written by the build from {@code git describe --always --dirty} with tags
 * left out: "-dirty" where tracked files had changes), so that a report or a bug names the code it came from.
 */
public final class Build implements IVersionProvider {
    public static final String VERSION = version();
    /** Null where the build had no git checkout (a source archive; Windows, where the build runs no bash). */
    public static final String COMMIT = text("commit");

    /** "0.1.0 (commit 1a2b3c4)", or the version alone. */
    public static String describe() {
        return describe(VERSION, COMMIT);
    }

    /** A version and, where there is one, a commit, as {@link #describe()} gives this build's. */
    public static String describe(String version, String commit) {
        return version + (commit == null ? "" : " (commit " + commit + ")");
    }

    @Override
    public String[] getVersion() {
        return new String[] {"mlp4j " + describe()};
    }

    private static String version() {
        Properties p = new Properties();
        try (InputStream in = Build.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // said as unknown
        }
        return p.getProperty("version", "(unknown version)");
    }

    /** The resource's text, stripped, or null where it is missing or empty. */
    private static String text(String resource) {
        try (InputStream in = Build.class.getResourceAsStream(resource)) {
            String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? null : text;
        } catch (IOException e) {
            return null;
        }
    }
}
