package org.mlp4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceChoicesTest {
    private static final Backend.Choice OUTPUT = new Backend.Choice(Backend.Choice.Part.OUTPUT, 100, 100, 10, true, 1e-6, 2e-6, 0.0);
    private static final Backend.Choice WHOLE = new Backend.Choice(Backend.Choice.Part.WHOLE, 100, 2, 3, true, 1e-5, 2e-5);

    /** What the choices say, as a checkpoint keeps them: their part, shape, way and whether the fused way runs. */
    private static List<List<Object>> kept(List<Backend.Choice> choices) {
        return choices.stream().map(c -> List.<Object>of(c.part(), c.rows(), c.k(), c.cols(), c.folded())).toList();
    }

    @Test
    void choicesAreFoundForTheirDeviceAndNetworkAloneTheLastKeptTaken(@TempDir Path dir) throws Exception {
        DeviceChoices memory = new DeviceChoices(dir.resolve("mlp4j").resolve("choices.tsv"));
        assertNull(memory.find("gpu", "784-100-10, batch 100"), "no file");
        assertNull(memory.keep("gpu", "784-100-10, batch 100", "4 ways, 1f2e", List.of(OUTPUT, WHOLE)));
        DeviceChoices.Remembered found = memory.find("gpu", "784-100-10, batch 100");
        assertEquals(kept(List.of(OUTPUT, WHOLE)), kept(found.choices()));
        assertEquals("4 ways, 1f2e", found.ways());
        assertTrue(found.date().matches("\\d{4}-\\d\\d-\\d\\d"), found.date());
        assertTrue(found.choices().stream().allMatch(c -> Double.isNaN(c.foldedSeconds()) && Double.isNaN(c.unfoldedSeconds()) && c.off() == null),
                "taken untimed, as a checkpoint's: " + found.choices());
        assertNull(memory.find("gpu", "784-100-10, batch 250"));
        assertNull(memory.find("another gpu", "784-100-10, batch 100"));
        assertEquals(1, memory.networks());

        // the last line of a network is taken, whatever it holds
        assertNull(memory.keep("gpu", "784-100-10, batch 100", "none", List.of()));
        assertEquals(List.of(), memory.find("gpu", "784-100-10, batch 100").choices());
        assertEquals(1, memory.networks());

        // a line of another build, or one this build cannot read, is passed over for the last it can
        List<String> lines = Files.readAllLines(memory.file());
        Files.write(memory.file(), List.of(lines.get(1), lines.get(0).replace("OUTPUT", "SOMETHING NEW"), "0.0.1 (commit 0000000)\t"
                + lines.get(0).substring(lines.get(0).indexOf('\t') + 1).replace("WHOLE 100 2 3 1", "WHOLE 100 2 0 0")));
        assertEquals(List.of(), memory.find("gpu", "784-100-10, batch 100").choices());
        assertEquals(1, memory.networks());
    }

    /** Ways of whole steps are told apart by their descriptions and order, which a choice's place among them points into. */
    @Test
    void waysAreToldApartByWhatTheyAreAndTheirOrder() {
        Backend.Steps a = steps("264 blocks of 256 threads"), b = steps("one thread block cluster of 16 blocks");
        assertEquals("none", DeviceChoices.ways(List.of()));
        assertEquals(DeviceChoices.ways(List.of(a, b)), DeviceChoices.ways(List.of(steps("264 blocks of 256 threads"), b)));
        assertTrue(DeviceChoices.ways(List.of(a, b)).startsWith("2 ways, "), DeviceChoices.ways(List.of(a, b)));
        assertNotEquals(DeviceChoices.ways(List.of(a, b)), DeviceChoices.ways(List.of(b, a)));
        assertNotEquals(DeviceChoices.ways(List.of(a, b)), DeviceChoices.ways(List.of(a, steps("one thread block cluster of 8 blocks"))));
    }

    private static Backend.Steps steps(String description) {
        return new Backend.Steps() {
            @Override
            public void run(Matrix x, Matrix labels, float rate, float decay) {
            }

            @Override
            public String toString() {
                return description;
            }
        };
    }

    @Test
    void aFileThatCannotBeWrittenSaysSo(@TempDir Path dir) throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("mlp4j"), "a file where the directory would be");
        DeviceChoices memory = new DeviceChoices(notADirectory.resolve("choices.tsv"));
        String why = memory.keep("gpu", "784-100-10, batch 100", "none", List.of(OUTPUT));
        assertTrue(why.startsWith("the run's choices could not be kept for later runs (" + memory.file() + ": "), why);
        assertNull(memory.find("gpu", "784-100-10, batch 100"));
        assertEquals(0, memory.networks());
    }
}
