package org.mlp4j.backend.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs JUnit tests in a child JVM for {@link CudaOnFakeDriverTest} and writes each test's outcome to a file,
 * one {@link Outcome} per line, so the parent reads results rather than the console's text (which adds
 * durations to slow tests). Arguments: the report file, then selectors in JUnit's form
 * ({@code class:org.Foo}, {@code method:org.Foo#bar(java.lang.String)}).
 */
public final class ChildTestRun {
    private ChildTestRun() {
    }

    /** A finished or skipped test: its status (SUCCESSFUL, FAILED, ABORTED or SKIPPED), display name and detail. */
    record Outcome(String status, String name, String detail) {
        String line() {
            return status + "\t" + clean(name) + "\t" + clean(detail);
        }

        static Outcome parse(String line) {
            String[] f = line.split("\t", 3);
            return new Outcome(f[0], f[1], f.length > 2 ? f[2] : "");
        }

        private static String clean(String s) {
            return s.replaceAll("[\\t\\r\\n]+", " ");
        }
    }

    public static void main(String[] args) throws IOException {
        List<DiscoverySelector> selectors = new ArrayList<>();
        for (String s : Arrays.asList(args).subList(1, args.length)) {
            selectors.add(DiscoverySelectors.parse(s).orElseThrow(() -> new IllegalArgumentException("not a selector: " + s)));
        }
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectors).build();
        List<String> lines = new ArrayList<>();
        TestExecutionListener listener = new TestExecutionListener() {
            @Override
            public void executionSkipped(TestIdentifier test, String reason) {
                if (test.isTest()) {
                    lines.add(new Outcome("SKIPPED", test.getDisplayName(), reason).line());
                }
            }

            @Override
            public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                if (test.isTest() || result.getStatus() == TestExecutionResult.Status.FAILED) {
                    String detail = result.getThrowable().map(Throwable::toString).orElse("");
                    lines.add(new Outcome(result.getStatus().name(), test.getDisplayName(), detail).line());
                }
            }
        };
        LauncherFactory.create().execute(request, listener);
        Files.write(Path.of(args[0]), lines, StandardCharsets.UTF_8);
    }
}
