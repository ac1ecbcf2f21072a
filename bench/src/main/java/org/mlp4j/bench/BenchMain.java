package org.mlp4j.bench;

import java.util.ArrayList;
import java.util.List;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.BackendProvider;
import org.mlp4j.backend.BackendUnavailableException;
import org.mlp4j.backend.Backends;

/**
 * {@code java -jar benchmarks.jar [JMH options]}: runs JMH over the backends usable here, after listing
 * the others with the reason they are skipped. A {@code -p backend=...} given on the command line wins.
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> jmh = new ArrayList<>(List.of(args));
        boolean chosen = jmh.stream().anyMatch(a -> a.startsWith("backend="));
        boolean listing = jmh.stream().anyMatch(a -> a.equals("-l") || a.equals("-h") || a.equals("-lp"));
        if (!chosen && !listing) {
            List<String> usable = new ArrayList<>();
            for (BackendProvider p : Backends.providers()) {
                try (Backend b = p.open(-1, false, 0)) {
                    usable.add(p.name());
                    System.out.println("benchmarking " + b.description());
                } catch (BackendUnavailableException e) {
                    System.out.println("skipping " + p.name() + ": " + e.getMessage());
                }
            }
            jmh.add("-p");
            jmh.add("backend=" + String.join(",", usable));
        }
        org.openjdk.jmh.Main.main(jmh.toArray(String[]::new));
    }
}
