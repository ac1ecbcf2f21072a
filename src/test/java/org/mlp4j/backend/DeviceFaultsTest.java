package org.mlp4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceFaultsTest {
    @TempDir
    Path dir;

    /** Steps that say what they are as a way of the CUDA backend does, its grid in numbers. */
    private static Backend.Steps way(String description) {
        return new Backend.Steps() {
            @Override
            public void run(org.mlp4j.backend.Matrix x, org.mlp4j.backend.Matrix labels, float rate, float decay) {
            }

            @Override
            public String toString() {
                return description;
            }
        };
    }

    @Test
    void aFaultIsRememberedForItsDeviceAndKindOfWayAlone() throws Exception {
        DeviceFaults faults = new DeviceFaults(dir.resolve("cache/mlp4j/faults.tsv"));
        String h200 = "cuda: device 0 NVIDIA H200, compute capability 9.0, 143771 MiB, driver CUDA 13.0";
        String cluster16 = DeviceFaults.kind(way("one thread block cluster of 16 blocks of 512 threads (99328 bytes a block)"));
        String cluster8 = DeviceFaults.kind(way("one thread block cluster of 8 blocks of 512 threads (50176 bytes a block)"));
        assertEquals(cluster16, cluster8, "one kernel on other grids is one kind");
        assertNull(faults.remembered(h200).get(cluster16), "no file: nothing remembered");

        String where = faults.remember(h200, cluster16, "cuda: cuStreamSynchronize failed:\tCUDA_ERROR_ILLEGAL_ADDRESS\n");
        assertEquals("later runs on this device leave it out (remembered in " + faults.file() + ")", where);
        String remembered = faults.remembered(h200).get(cluster8);
        assertTrue(remembered != null && remembered.matches("\\d{4}-\\d\\d-\\d\\d: cuda: cuStreamSynchronize failed: CUDA_ERROR_ILLEGAL_ADDRESS"),
                remembered);
        assertNull(faults.remembered(h200.replace("H200", "H100")).get(cluster16), "another device");
        assertEquals(1, faults.describe().size());
        assertTrue(faults.describe().get(0).equals(h200 + ": " + cluster16 + " (" + remembered + ")"), faults.describe().toString());
        assertNull(faults.remembered(h200).get(DeviceFaults.kind(way("132 blocks of 512 threads, weight tiles 16x100"))), "another kind");
        // a line a fault, each of its fields on it
        assertEquals(1, Files.readAllLines(faults.file()).size());
        assertEquals(5, Files.readAllLines(faults.file()).get(0).split("\t").length);

        Path notADirectory = Files.writeString(dir.resolve("file"), "");
        assertEquals(DeviceFaults.Check.NONE, new DeviceFaults(notADirectory.resolve("faults.tsv")).checking(h200, cluster16));
        String unwritten = new DeviceFaults(notADirectory.resolve("faults.tsv")).remember(h200, cluster16, "fault");
        assertTrue(unwritten.startsWith("it could not be remembered for later runs (" + notADirectory.resolve("faults.tsv") + ": "), unwritten);
    }

    @Test
    void aCheckWhoseProcessIsGoneIsRememberedAsAFault() throws Exception {
        DeviceFaults faults = new DeviceFaults(dir.resolve("faults.tsv"));
        String device = "opencl: device [0] NVIDIA CUDA: NVIDIA H200 (GPU, 143771 MiB, 132 compute units, OpenCL 3.0 CUDA)";
        String kind = DeviceFaults.kind(way("two launches a step: 100 work-groups of 1024 items"));
        Path mine = dir.resolve("checking-" + ProcessHandle.current().pid() + ".tsv");
        try (DeviceFaults.Check check = faults.checking(device, kind)) {
            assertTrue(Files.exists(mine));
            assertNull(faults.remembered(device).get(kind), "a check in progress, this process's");
        }
        assertTrue(Files.notExists(mine), "a check that ended");
        assertNull(faults.remembered(device).get(kind));

        // the same file as another process's that is gone, then as a later process's of this one's number
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        for (Path marker : List.of(dir.resolve("checking-" + gone.pid() + ".tsv"), mine)) {
            try (DeviceFaults.Check check = faults.checking(device, kind)) {
                Files.move(mine, dir.resolve("moved"));
            }
            List<String> lines = Files.readAllLines(dir.resolve("moved"));
            Files.write(marker, marker == mine ? List.of("an earlier start", lines.get(1)) : lines);
            Files.delete(dir.resolve("moved"));
            String remembered = faults.remembered(device).get(kind);
            assertTrue(remembered != null && remembered.endsWith(
                    ": the run that checked it ended before the check did (killed, or the kernel never ended)"), remembered);
            assertTrue(Files.notExists(marker), "judged once");
            Files.delete(faults.file());
        }
    }
}
