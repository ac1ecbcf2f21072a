package org.mlp4j.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.mlp4j.backend.BackendProvider;
import org.mlp4j.backend.Backends;
import org.mlp4j.backend.DeviceChoices;
import org.mlp4j.backend.DeviceFaults;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "devices", mixinStandardHelpOptions = true, description = "List every backend, whether it is usable here, and why not; and what runs leave out for faulting a device.")
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
        DeviceFaults faults = DeviceFaults.ofUser();
        List<String> remembered = faults.describe();
        if (!remembered.isEmpty()) {
            out.println("left out where they faulted the device in an earlier run (to try one again, delete its line in " + faults.file() + ")");
            for (String line : remembered) {
                out.println("  " + line);
            }
        }
        DeviceChoices choices = DeviceChoices.ofUser();
        long networks = choices.networks();
        if (networks > 0) {
            out.println("the choices of " + networks + (networks == 1 ? " network" : " networks") + " on a device, timed by an earlier run and taken by later"
                    + " ones, so that a run's results repeat (to time one again, delete its line in " + choices.file() + ")");
        }
        return 0;
    }
}
