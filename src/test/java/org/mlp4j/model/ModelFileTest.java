package org.mlp4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlp4j.TestData;
import org.mlp4j.UserError;
import org.mlp4j.backend.cpu.CpuBackend;
import org.mlp4j.data.Images;

class ModelFileTest {
    @TempDir
    Path dir;

    @Test
    void saveLoadGivesIdenticalPredictions() throws java.io.IOException {
        Images data = TestData.trainHead(3000);
        try (CpuBackend cpu = new CpuBackend(2)) {
            Network net = new Trainer(cpu, new Hyperparameters(1, 100, 0.0005f, 0.01f, 1))
                    .fit(new int[] {784, 40, 20, 10}, data, 500, TrainingListener.NONE).network();
            Path file = dir.resolve("model.npz");
            ModelFile.save(net, file);
            Network back = ModelFile.load(file);
            assertEquals(net, back);
            assertArrayEquals(Trainer.predict(cpu, net, data), Trainer.predict(cpu, back, data));
            try (var files = Files.list(dir)) {
                assertEquals(1, files.count(), "no temporary file left behind");
            }
        }
    }

    @Test
    void numpyCanLoadTheModel() throws Exception {
        Network net = Network.initialize(new int[] {4, 3, 2}, new NumpyRandom(1));
        Path file = dir.resolve("model.npz");
        ModelFile.save(net, file);
        Process p;
        try {
            p = new ProcessBuilder("python3", "-c",
                    "import numpy as np, sys; m = np.load(sys.argv[1]); "
                            + "print(m['layer_sizes'].tolist(), m['w0'].dtype, m['w0'].shape, m['b1'].shape, repr(float(m['w0'][0,0])), m['input_scaling'].tolist())",
                    file.toString()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            org.junit.jupiter.api.Assumptions.abort("python3 not available: " + e.getMessage());
            return;
        }
        String out = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        org.junit.jupiter.api.Assumptions.assumeFalse(out.contains("No module named 'numpy'"), "numpy not installed");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.startsWith("[4, 3, 2] float32 (4, 3) (2,) " + (double) net.weights()[0][0]), out);
    }

    @Test
    void unreadableModelFilesAreUserErrors() throws Exception {
        Path junk = dir.resolve("junk.npz");
        Files.writeString(junk, "not a zip");
        assertTrue(assertThrows(UserError.class, () -> ModelFile.load(junk)).getMessage().contains("unreadable model file"));
        assertTrue(assertThrows(UserError.class, () -> ModelFile.load(dir.resolve("none.npz"))).getMessage().contains("not found"));
    }
}
