package org.mlp4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mlp4j.TestData;
import org.mlp4j.backend.cpu.CpuBackend;
import org.mlp4j.data.Images;

class TrainerTest {
    static final Hyperparameters SHORT = new Hyperparameters(2, 100, 0.0005f, 0.01f, 1);

    static List<EpochResult> train(Images data, Hyperparameters hp, int valid) {
        try (CpuBackend cpu = new CpuBackend(2)) {
            return new Trainer(cpu, hp).fit(new int[] {784, 30, 10}, data, valid, TrainingListener.NONE).history();
        }
    }

    @Test
    void sameSeedGivesTheSameHistory() {
        Images data = TestData.trainHead(4000);
        List<EpochResult> a = train(data, SHORT, 1000);
        List<EpochResult> b = train(data, SHORT, 1000);
        assertEquals(2, a.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).cost(), b.get(i).cost(), 0.0, "cost at epoch " + (i + 1));
            assertEquals(a.get(i).trainAccuracy(), b.get(i).trainAccuracy(), 0.0);
            assertEquals(a.get(i).validAccuracy(), b.get(i).validAccuracy(), 0.0);
        }
        List<EpochResult> other = train(data, new Hyperparameters(2, 100, 0.0005f, 0.01f, 2), 1000);
        assertTrue(other.get(1).cost() != a.get(1).cost(), "another seed gives another run");
    }

    @Test
    void divergenceStopsWithAClearError() {
        Images data = TestData.trainHead(2000);
        DivergedException e = assertThrows(DivergedException.class,
                () -> train(data, new Hyperparameters(3, 100, 1e10f, 1f, 1), 500));
        assertTrue(e.getMessage().contains("diverged"), e.getMessage());
    }
}
