package org.mlp4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mlp4j.backend.cpu.CpuBackend;
import org.mlp4j.data.Images;
import org.mlp4j.model.EpochResult;
import org.mlp4j.model.Hyperparameters;
import org.mlp4j.model.Trainer;
import org.mlp4j.model.TrainingListener;

/** Three epochs of the book's setup on the real MNIST files (fetched if missing; never skipped). */
class MnistIntegrationTest {
    @Test
    void threeEpochsReachTheBooksValidationAccuracy() {
        Images train = TestData.train();
        assertEquals(60000, train.count());
        try (CpuBackend cpu = new CpuBackend(Runtime.getRuntime().availableProcessors())) {
            List<EpochResult> h = new Trainer(cpu, Hyperparameters.book().withEpochs(3))
                    .fit(new int[] {784, 100, 10}, train, 5000, TrainingListener.NONE).history();
            EpochResult last = h.get(2);
            assertTrue(last.validAccuracy() >= 0.92, "validation accuracy after 3 epochs: " + last.validAccuracy());
            // the book's epoch 1 (float64): cost 66739.71, train 84.53 %, valid 88.86 %
            assertEquals(66739.71, h.get(0).cost(), 1.0);
            assertEquals(0.8453, h.get(0).trainAccuracy(), 0.005);
            assertEquals(0.8886, h.get(0).validAccuracy(), 0.005);
        }
    }
}
