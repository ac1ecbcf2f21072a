package org.mlp4j.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.mlp4j.backend.BackendProvider;
import org.mlp4j.backend.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "devices", mixinStandardHelpOptions = true, description = "List every backend, whether it is usable here, and why not.")
final class DevicesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (BackendProvider p : Backends.providers()) {
            out.println(p.name());
            for (String line : Backends.describe(p)) {
                out.println("  " + line);
            }
        }
        return 0;
    }
}
